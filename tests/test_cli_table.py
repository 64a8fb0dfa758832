"""The table a musician reads (`check`, table format): each thing said once, a headline that agrees with
what is listed, a legend only for the marks shown, the pledge's demands quoted on request."""

from __future__ import annotations

from typer.testing import CliRunner

from sponsorcheck.cli import app
from sponsorcheck.errors import ExitStatus

from .conftest import EXAMPLES

runner = CliRunner()
CONFLICT_PAGE = str(EXAMPLES / "conflict-logo.html")


def check(*args: str):
    return runner.invoke(app, ["check", *args], env={"COLUMNS": "400"})  # one line per line, to count them


def test_a_finding_is_explained_once():
    out = check(CONFLICT_PAGE).stdout
    assert "why:" not in out
    assert "'AWS':" not in out  # the reason does not repeat the sponsor's name of the line above
    assert out.count("Amazon's cloud computing subsidiary") == 1  # nor the brand's chain
    assert out.count("https://aws.amazon.com/") == 1  # one evidence line per signal


def test_the_pledge_demands_are_counted_and_quoted_only_on_request():
    plain = check(CONFLICT_PAGE).stdout
    assert "Rekognition" not in plain and "--verbose" in plain
    verbose = check("--verbose", CONFLICT_PAGE).stdout
    assert "pledge demands this touches" in verbose and "Rekognition" in verbose


def test_the_legend_explains_only_the_marks_shown():
    out = check(CONFLICT_PAGE).stdout
    assert "✗ conflict" in out and "? review" not in out and "✓ allowed" not in out
    assert "✗" not in check(str(EXAMPLES / "clear.html")).stdout  # nothing found: no legend at all


def test_an_allowed_finding_and_the_headline_agree(tmp_path, monkeypatch):
    allow = tmp_path / "allow.yaml"
    allow.write_text("- sponsor: AWS\n  entity: amazon\n  reason: the label's agreement covers it\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = check("--allow", str(allow), CONFLICT_PAGE)
    assert result.exit_code == ExitStatus.CLEAR
    out = result.stdout
    assert "none on the watchlist" not in out  # it lists a watchlisted sponsor just below
    assert "allowed by your allowlist" in out.splitlines()[1] + out.splitlines()[2]
    assert "allowed: the label's agreement covers it" in out
    assert out.count("the label's agreement covers it") == 1
    assert "✓ allowed by your allowlist" in out and "✗ conflict" not in out
