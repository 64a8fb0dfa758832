"""How reports word the sweep's answers (issue 9): a mention says whose it is, why it is not sponsorship and that
it is not counted, in every output format; a finding's context is shown in words in the table, CSV and Markdown,
while the JSON keeps the context ids (the contract).
"""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from sponsorcheck.cli import app
from sponsorcheck.pipeline import analyse_html
from sponsorcheck.report.csv import to_csv
from sponsorcheck.report.markdown import to_markdown

URL = "https://riverbend-folk.example/"

# Class: a festival page with a sponsor row (one logo watchlisted) and, elsewhere, a shop link to a
# watchlisted retailer for the festival's album.
PAGE = """<!doctype html><html><head><title>Riverbend Folk Weekend</title></head><body>
<h1>Riverbend Folk Weekend</h1>
<section><h2>Our sponsors</h2>
<a href="https://riverbank-credit.example/"><img src="/img/riverbank.png" alt="Riverbank Credit Union"></a>
<a href="https://aws.amazon.com/"><img src="/img/aws.png" alt="AWS"></a>
<a href="https://hopfield-brewing.example/"><img src="/img/hopfield.png" alt="Hopfield Brewing"></a>
</section>
<section><h2>Merch</h2><p>Buy the festival album on <a href="https://www.amazon.com/dp/B0FOLK2026">Amazon</a>.</p>
</section></body></html>
"""
MENTION = "Amazon → Amazon.com, Inc.: "  # whose it is, then why it is not sponsorship
SECTION_WORDS = "listed as a sponsor (our sponsors)"  # the reason says where, once
SAID_TWICE = "(in the sponsor section)"  # the context in brackets after a reason that already says it


def _run(tmp_path, *args: str) -> str:
    page = tmp_path / "riverbend.html"
    page.write_text(PAGE, encoding="utf-8")
    done = CliRunner().invoke(app, ["check", str(page), "--no-follow", *args], env={"SPONSORCHECK_CACHE": "off"})
    assert done.exit_code == 1, done.output  # a conflict
    return done.output


def test_the_table_words_the_mention_and_the_context(tmp_path):
    out = " ".join(_run(tmp_path).split())  # the table wraps long lines
    assert MENTION in out and ", not counted" in out
    assert SECTION_WORDS in out.casefold() and SAID_TWICE not in out and "context:" not in out


def test_json_keeps_the_ids_and_the_note(tmp_path):
    result = json.loads(_run(tmp_path, "--format", "json"))["results"][0]
    assert [f["context"] for f in result["findings"]] == ["section"]
    mention = next(m for m in result["mentions"] if m["entity"] == "amazon")
    assert mention["note"] and mention["entity_name"] == "Amazon.com, Inc."


def test_csv_and_markdown_word_the_mention_and_the_context(watchlist):
    result = analyse_html(PAGE, URL, [watchlist])
    row = next(csv.DictReader(io.StringIO(to_csv([result], []))))
    assert row["mentions"].startswith(MENTION) and row["mentions"].endswith(", not counted")
    assert SECTION_WORDS in row["why"].casefold() and SAID_TWICE not in row["why"]
    markdown = to_markdown([result], [])
    assert MENTION in markdown and SECTION_WORDS in markdown.casefold() and SAID_TWICE not in markdown
    assert "context:" not in markdown
