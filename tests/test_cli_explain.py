"""CLI: explain, watchlist show/validate, --allow and the working-directory allowlist, several pledges."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sponsorcheck.cli import app
from sponsorcheck.errors import ExitStatus

from .small_watchlist import OTHER, write_small

runner = CliRunner()


@pytest.fixture
def wl(tmp_path):
    return str(write_small(tmp_path))


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_explain_table_shows_normal_form_candidates_chain_source_and_why(wl):
    r = run("explain", "-w", wl, "Amazon Web Service, Inc.")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "normalised: amazon web service" in out
    assert "Amazon Web Services" in out and "fuzzy" in out and "score" in out
    assert "Amazon's cloud subsidiary" in out and "Amazon.com, Inc." in out  # chain brand → parent
    assert "https://example.org/aws" in out  # its source
    assert "CONFLICT" in out and "why:" in out


def test_explain_lookalike_says_why_not(wl):
    r = run("explain", "-w", wl, "Amazon Rainforest Fund")
    assert r.exit_code == 0
    assert "excluded" in r.stdout and "rainforest" in r.stdout and "CLEAR" in r.stdout


def test_explain_json(wl):
    r = run("explain", "-w", wl, "--format", "json", "Ring")
    doc = json.loads(r.stdout)
    assert doc["normalized"] == "ring" and doc["verdict"] == "review"
    c = doc["considered"][0]
    assert (c["entity"], c["brand"], c["method"], c["outcome"]) == (
        "amazon",
        "ring",
        "weak-alias",
        "needs-corroboration",
    )
    assert doc["chains"][0]["source"] == "https://example.org/ring"
    assert doc["findings"][0]["level"] == "review"


def test_watchlist_show_lists_pledge_demands_entities_brands_sources(wl):
    r = run("watchlist", "show", "-w", wl)
    assert r.exit_code == 0
    for text in ("Test pledge", "Test organiser", "d1: End the contracts", "Amazon.com, Inc.", "Twitch", "since 2014",
                 "https://example.org/twitch", "Ring (weak)", "acf.hhs.gov/orr"):  # fmt: skip
        assert text in r.stdout, text


def test_watchlist_show_json(wl):
    doc = json.loads(run("watchlist", "show", "-w", wl, "-f", "json").stdout)
    assert doc["watchlists"][0]["id"] == "test-pledge"
    assert doc["watchlists"][0]["entities"][0]["brands"][0]["id"] == "aws"


def test_watchlist_validate_valid_and_invalid(tmp_path, wl):
    r = run("watchlist", "validate", wl)
    assert r.exit_code == 0 and "valid" in r.stdout and "5 entities" in r.stdout
    bad = write_small(tmp_path, "id: x\nname: y\npledge: {name: z}\nentities:\n  - {id: a, name: A}\n", "bad.yaml")
    r = run("watchlist", "validate", str(bad))
    assert r.exit_code == ExitStatus.USAGE
    assert "bad.yaml" in r.stderr and "reason" in r.stderr and r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr
    r = run("watchlist", "validate", str(tmp_path / "missing.yaml"))
    assert r.exit_code == ExitStatus.USAGE and "no such file" in r.stderr


def test_allow_option_makes_finding_allowed_and_expired_entry_warns(tmp_path, wl):
    allow = tmp_path / "allow.yaml"
    allow.write_text(
        "allow:\n"
        "  - {sponsor: Twitch, entity: amazon, reason: stream partner only}\n"
        "  - {sponsor: AWS, entity: amazon, reason: old, expires: 2020-01-01}\n"
    )
    r = run("names", "-w", wl, "--allow", str(allow), "-f", "json", "Twitch", "Red Bull")
    assert r.exit_code == ExitStatus.CLEAR, r.stderr
    f = json.loads(r.stdout)["results"][0]["findings"][0]
    assert f["level"] == "allowed" and f["allowed_reason"] == "stream partner only"
    assert "warning" in r.stderr and "expired on 2020-01-01" in r.stderr
    r = run("names", "-w", wl, "--allow", str(allow), "AWS")
    assert r.exit_code == ExitStatus.CONFLICT  # the expired entry no longer applies
    table = run("names", "-w", wl, "--allow", str(allow), "Twitch").stdout
    assert "allowed" in table and "stream partner only" in table


def test_allowlist_in_working_directory_is_read(tmp_path, wl, monkeypatch):
    (tmp_path / ".sponsorcheck-allow.yaml").write_text("- {sponsor: Twitch, entity: amazon, reason: ok}\n")
    monkeypatch.chdir(tmp_path)
    r = run("names", "-w", wl, "Twitch")
    assert r.exit_code == ExitStatus.CLEAR


def test_every_allowlist_read_is_named_on_stderr_and_listed_in_the_json(tmp_path, wl, monkeypatch):
    # The implicit .sponsorcheck-allow.yaml used to be applied without a word.
    (tmp_path / ".sponsorcheck-allow.yaml").write_text("- {sponsor: Twitch, entity: amazon, reason: ok}\n")
    given = tmp_path / "mine.yaml"
    given.write_text("- {sponsor: AWS, entity: amazon, reason: cloud credits only}\n")
    monkeypatch.chdir(tmp_path)
    r = run("names", "-w", wl, "--allow", str(given), "-f", "json", "Twitch", "AWS")
    lines = r.stderr.strip().splitlines()
    assert f"sponsorcheck: using allowlist {given}: 1 entry" in lines
    assert any(".sponsorcheck-allow.yaml (found in the working directory): 1 entry" in line for line in lines)
    doc = json.loads(r.stdout)
    assert [
        (a["path"].endswith(name), a["implicit"], a["entries"])
        for a, name in zip(doc["allowlists"], ("mine.yaml", ".sponsorcheck-allow.yaml"), strict=True)
    ] == [
        (True, False, 1),
        (True, True, 1),
    ]
    assert run("names", "-w", wl, "Twitch", "--allow", str(given)).exit_code == ExitStatus.CLEAR
    monkeypatch.chdir(tmp_path.parent)
    none = run("names", "-w", wl, "-f", "json", "Red Bull")
    assert none.stderr == "" and json.loads(none.stdout)["allowlists"] == []


def test_invalid_allowlist_is_exit_2_one_line(tmp_path, wl):
    bad = tmp_path / "allow.yaml"
    bad.write_text("- {sponsor: Twitch, entity: amazn, reason: typo}\n")
    r = run("names", "-w", wl, "--allow", str(bad), "Twitch")
    assert r.exit_code == ExitStatus.USAGE and "unknown entity 'amazn'" in r.stderr
    assert r.stderr.count("\n") == 1


def test_several_watchlists_each_finding_names_its_pledge(tmp_path, wl):
    other = str(write_small(tmp_path, OTHER, "other.yaml"))
    r = run("names", "-w", wl, "-w", other, "-f", "json", "Twitch", "OilCo")
    doc = json.loads(r.stdout)
    assert [w["id"] for w in doc["watchlists"]] == ["test-pledge", "other-pledge"]
    assert {f["pledge"] for f in doc["results"][0]["findings"]} == {"test-pledge", "other-pledge"}
    table = run("names", "-w", wl, "-w", other, "Twitch", "OilCo").stdout
    assert "pledge: test-pledge" in table and "pledge: other-pledge" in table
