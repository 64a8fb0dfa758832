"""The CLI end to end through typer's CliRunner: every exit code, both formats, one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sponsorcheck import __version__
from sponsorcheck.cli import app
from sponsorcheck.errors import ExitStatus

from .conftest import EXAMPLES

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_check_conflict_through_logo_file_and_link():
    result = run("check", "--verbose", str(EXAMPLES / "conflict-logo.html"))
    assert result.exit_code == ExitStatus.CONFLICT
    assert "CONFLICT" in result.stdout
    assert "Amazon Web Services" in result.stdout
    assert "aws.amazon.com" in result.stdout  # the evidence a person can check
    assert "pledge demands this touches" in result.stdout and "Rekognition" in result.stdout  # words, not ids
    assert "✗ conflict" in result.stdout  # the mark shown is explained ...
    assert "? review" not in result.stdout  # ... and only that one


def test_check_clear_page():
    result = run("check", str(EXAMPLES / "clear.html"))
    assert result.exit_code == ExitStatus.CLEAR, result.stdout
    assert "CLEAR" in result.stdout
    assert "Harbour City Council" in result.stdout


def test_page_without_sponsors_is_unknown_not_clear():
    result = run("check", str(EXAMPLES / "no-sponsors.html"))
    assert result.exit_code == ExitStatus.REVIEW
    assert "UNKNOWN" in result.stdout and "CLEAR" not in result.stdout


def test_brand_chain_is_explained():
    result = run("check", "--format", "json", str(EXAMPLES / "brand-twitch.html"))
    assert result.exit_code == ExitStatus.CONFLICT
    finding = json.loads(result.stdout)["results"][0]["findings"][0]
    assert finding["entity"] == "amazon"
    assert finding["sponsor"] == "Twitch"
    assert "Twitch" in finding["chain"] and "Amazon" in finding["chain"]


def test_json_shape_is_the_contract():
    result = run("check", "-f", "json", str(EXAMPLES / "conflict-logo.html"))
    doc = json.loads(result.stdout)
    assert doc["sponsorcheck"] == __version__
    assert {"id", "name", "version"} <= set(doc["watchlists"][0])
    r = doc["results"][0]
    assert {"target", "url", "verdict", "sponsors", "findings", "error"} <= set(r)
    assert r["verdict"] == "conflict" and r["error"] is None
    for sponsor in r["sponsors"]:
        assert {"name", "evidence"} <= set(sponsor)
        for ev in sponsor["evidence"]:
            assert {"kind", "text", "where"} <= set(ev)
    f = r["findings"][0]
    assert {"level", "entity", "entity_name", "sponsor", "matched", "method", "score", "why", "evidence"} <= set(f)
    assert f["sponsor"] in {s["name"] for s in r["sponsors"]}
    assert 0 <= f["score"] <= 100


def test_json_goes_to_stdout_only():
    result = run("check", "-f", "json", str(EXAMPLES / "clear.html"))
    json.loads(result.stdout)  # exactly one document, nothing else on stdout


def test_stdin_target():
    html = (EXAMPLES / "conflict-logo.html").read_text()
    result = run("check", "-f", "json", "-", input=html)
    assert result.exit_code == ExitStatus.CONFLICT
    assert json.loads(result.stdout)["results"][0]["target"] == "-"


def test_missing_file_is_target_error_exit_4_and_others_still_checked():
    result = run("check", "-f", "json", "missing.html", str(EXAMPLES / "clear.html"))
    assert result.exit_code == ExitStatus.TARGET_ERROR
    results = json.loads(result.stdout)["results"]
    assert [r["verdict"] for r in results] == ["error", "clear"]
    assert "no such file" in results[0]["error"]["message"]


def test_several_targets_conflict_wins_over_error():
    result = run("check", "-f", "json", "missing.html", str(EXAMPLES / "conflict-logo.html"))
    assert result.exit_code == ExitStatus.CONFLICT


def test_unsupported_scheme_is_usage_error_one_line():
    result = run("check", "ftp://example.org/sponsors")
    assert result.exit_code == ExitStatus.USAGE
    assert result.stderr.count("\n") == 1 and "http" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_watchlist_is_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n")
    result = run("check", "--watchlist", str(bad), str(EXAMPLES / "clear.html"))
    assert result.exit_code == ExitStatus.USAGE
    assert "bad.yaml" in result.stderr and "Traceback" not in result.stderr


def test_fetch_url_conflict(httpserver):
    httpserver.expect_request("/fest").respond_with_data(
        (EXAMPLES / "conflict-logo.html").read_text(), content_type="text/html"
    )
    result = run("check", "-f", "json", httpserver.url_for("/fest"))
    assert result.exit_code == ExitStatus.CONFLICT
    assert json.loads(result.stdout)["results"][0]["url"] == httpserver.url_for("/fest")


def test_fetch_404_is_exit_4(httpserver):
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    result = run("check", httpserver.url_for("/gone"))
    assert result.exit_code == ExitStatus.TARGET_ERROR
    assert "404" in result.stderr and "404" not in result.stdout  # said once, on stderr


@pytest.mark.parametrize(
    ("args", "code", "verdict"),
    [
        (["Twitch", "Red Bull"], ExitStatus.CONFLICT, "conflict"),
        (["Red Bull, Heineken"], ExitStatus.CLEAR, "clear"),
        (["Ring"], ExitStatus.REVIEW, "review"),
    ],
)
def test_names(args, code, verdict):
    result = run("names", "-f", "json", *args)
    assert result.exit_code == code, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["results"][0]["target"] == "names"
    assert doc["results"][0]["verdict"] == verdict


def test_names_from_file_and_stdin(tmp_path):
    f = tmp_path / "offer.txt"
    f.write_text("Red Bull\nWhole Foods Market\n")
    assert run("names", "--file", str(f)).exit_code == ExitStatus.CONFLICT
    assert run("names", "--file", "-", input="Heineken, Spotify\n").exit_code == ExitStatus.CLEAR


def test_names_without_names_is_usage_error():
    result = run("names")
    assert result.exit_code == ExitStatus.USAGE
    assert "no names" in result.stderr


def test_help_teaches_exit_codes():
    result = run("check", "--help")
    assert result.exit_code == 0
    assert "Exit codes" in result.stdout and "Example" in result.stdout
