"""The check pipeline with discovery: following same-site sponsor pages on a loopback server."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sponsorcheck.cli import app
from sponsorcheck.errors import ExitStatus
from sponsorcheck.models import Verdict
from sponsorcheck.pipeline import CheckOptions, check_target
from sponsorcheck.watchlist import parse_watchlist

from .test_extract import WATCHLIST_YAML

HOME = """<!doctype html><html><head><title>Riverside Fest</title></head><body>
<nav><a href="/">Home</a><a href="/lineup">Line-up</a><a href="/partners/">Partners</a>
<a href="https://elsewhere.example/sponsors">Someone else's sponsors</a></nav>
<h1>Riverside Fest</h1><p>Three days of music by the river.</p></body></html>"""

PARTNERS = """<!doctype html><html><head><title>Partners – Riverside Fest</title></head><body>
<h1>Our partners</h1>
<a href="https://aws.amazon.com/"><img src="/img/sponsors/aws.png" alt=""></a>
<a href="https://www.lakeside-bank.example/"><img src="/img/sponsors/lakeside.png" alt="Lakeside Bank"></a>
</body></html>"""

CLEAR_PARTNERS = """<html><body><h2>Sponsors</h2>
<a href="https://www.lakeside-bank.example/"><img src="/img/lakeside.png" alt="Lakeside Bank"></a></body></html>"""


@pytest.fixture(scope="module")
def watchlist():
    return parse_watchlist(WATCHLIST_YAML, "test-watchlist.yaml")


def serve_html(httpserver, path: str, html: str, status: int = 200) -> None:
    httpserver.expect_request(path).respond_with_data(html, status=status, content_type="text/html; charset=utf-8")


def test_a_page_without_sponsors_leads_to_its_partners_page(httpserver, fetcher, watchlist):
    serve_html(httpserver, "/", HOME)
    serve_html(httpserver, "/partners/", PARTNERS)
    result = check_target(httpserver.url_for("/"), fetcher, [watchlist])
    assert result.verdict is Verdict.CONFLICT
    assert result.pages_read == (httpserver.url_for("/"), httpserver.url_for("/partners/"))
    finding = result.findings[0]
    assert finding.entity == "amazon"
    assert any(httpserver.url_for("/partners/") in e.where for e in finding.evidence)  # where to look
    assert "Lakeside Bank" in {s.name for s in result.sponsors}


def test_no_follow_reads_only_the_given_page(httpserver, fetcher, watchlist):
    serve_html(httpserver, "/", HOME)
    result = check_target(httpserver.url_for("/"), fetcher, [watchlist], CheckOptions(follow=0))
    assert result.verdict is Verdict.UNKNOWN
    assert result.pages_read == (httpserver.url_for("/"),)
    assert len(httpserver.log) == 1


def test_follow_budget_caps_the_extra_pages(httpserver, fetcher, watchlist):
    links = "".join(f'<a href="/sponsors-{year}">Sponsors {year}</a>' for year in (2024, 2023, 2022))
    serve_html(httpserver, "/", f"<html><body><nav>{links}</nav></body></html>")
    for year in (2024, 2023, 2022):
        serve_html(httpserver, f"/sponsors-{year}", CLEAR_PARTNERS)
    result = check_target(httpserver.url_for("/"), fetcher, [watchlist], CheckOptions(follow=2))
    assert len(result.pages_read) == 3
    assert len(httpserver.log) == 3
    assert result.verdict is Verdict.CLEAR
    assert [s.name for s in result.sponsors] == ["Lakeside Bank"]  # the same sponsor on two pages, listed once


def test_a_linked_page_that_fails_is_a_hint_not_an_error(httpserver, fetcher, watchlist):
    serve_html(httpserver, "/", '<html><body><a href="/sponsors">Sponsors</a></body></html>')
    serve_html(httpserver, "/sponsors", "gone", status=404)
    result = check_target(httpserver.url_for("/"), fetcher, [watchlist])
    assert result.verdict is Verdict.UNKNOWN
    assert any("could not read" in h and "/sponsors" in h for h in result.hints)


def test_sponsors_on_the_page_itself_still_follow_a_sponsor_link(httpserver, fetcher, watchlist):
    serve_html(httpserver, "/", CLEAR_PARTNERS + '<a href="/partners/">All partners</a>')
    serve_html(httpserver, "/partners/", PARTNERS)
    result = check_target(httpserver.url_for("/"), fetcher, [watchlist])
    assert result.verdict is Verdict.CONFLICT
    assert len(result.pages_read) == 2


def test_files_are_never_followed(tmp_path, fetcher, watchlist):
    page = tmp_path / "home.html"
    page.write_text(HOME, encoding="utf-8")
    result = check_target(str(page), fetcher, [watchlist])
    assert result.pages_read == (str(page),)
    assert result.verdict is Verdict.UNKNOWN


def test_cli_follow_options_and_pages_read_in_json(httpserver, tmp_path):
    wl = tmp_path / "wl.yaml"
    wl.write_text(WATCHLIST_YAML, encoding="utf-8")
    serve_html(httpserver, "/", HOME)
    serve_html(httpserver, "/partners/", PARTNERS)
    runner = CliRunner()
    followed = runner.invoke(app, ["check", "-f", "json", "--watchlist", str(wl), httpserver.url_for("/")])
    assert followed.exit_code == ExitStatus.CONFLICT
    assert json.loads(followed.stdout)["results"][0]["pages_read"] == [
        httpserver.url_for("/"),
        httpserver.url_for("/partners/"),
    ]
    alone = runner.invoke(app, ["check", "--no-follow", "--watchlist", str(wl), httpserver.url_for("/")])
    assert alone.exit_code == ExitStatus.REVIEW  # unknown: a person should look
