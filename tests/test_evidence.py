"""--evidence DIR without a browser: what is saved for a conflict, and the folder rules (never a user's file)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sponsorcheck.errors import OutputError
from sponsorcheck.evidence import MARKER, EvidenceStore, folder_name
from sponsorcheck.models import Verdict
from sponsorcheck.pipeline import CheckOptions, check_target

# Class: a server-rendered sponsor list naming a watchlisted brand, with non-ASCII text in a legacy encoding
# (the evidence must keep the server's bytes, not our decoding of them).
CONFLICT_PAGE = (
    "<html><head><meta charset='windows-1252'><title>Fête de la Musique</title></head><body><h2>Partenaires</h2>"
    "<ul class='sponsors'><li><a href='https://www.twitch.tv/'><img alt='Twitch' src='/t.png'></a></li>"
    "<li>Brasserie Élan</li></ul></body></html>"
).encode("windows-1252")
CLEAR_PAGE = b"<html><body><h2>Sponsors</h2><ul class='sponsors'><li>Riverside Brewing</li></ul></body></html>"
FIXED = datetime(2026, 5, 1, 12, 30, 5, tzinfo=timezone.utc)


def store(root: Path, watchlist) -> EvidenceStore:
    return EvidenceStore(root, [watchlist], clock=lambda: FIXED)


def test_a_conflict_keeps_the_bytes_as_sent_and_a_record(httpserver, fetcher, matcher, watchlist, tmp_path):
    httpserver.expect_request("/partners").respond_with_data(CONFLICT_PAGE, content_type="text/html")
    url = httpserver.url_for("/partners")
    evidence = store(tmp_path / "ev", watchlist)
    result = check_target(url, fetcher, matcher, CheckOptions(follow=0, evidence=evidence))
    assert result.verdict is Verdict.CONFLICT
    folder = Path(result.evidence or "")
    assert folder.name == folder_name(url, FIXED) and folder.name.endswith("-20260501T123005Z")
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS", "fetched.html", "record.json"]
    assert (folder / "fetched.html").read_bytes() == CONFLICT_PAGE
    record = json.loads((folder / "record.json").read_text(encoding="utf-8"))
    assert record["checked_at"] == "2026-05-01T12:30:05Z"
    assert record["url"] == url and record["final_url"] == url and record["http_status"] == 200
    assert record["pages"][0]["rendered"] is False
    assert record["files"]["fetched.html"]["sha256"] == hashlib.sha256(CONFLICT_PAGE).hexdigest()
    assert [f["entity"] for f in record["findings"]] == ["amazon"]
    assert record["findings"][0]["evidence"]
    sums = (folder / "SHA256SUMS").read_text()
    assert f"{hashlib.sha256(CONFLICT_PAGE).hexdigest()}  fetched.html" in sums


def test_a_clear_page_leaves_no_evidence(httpserver, fetcher, matcher, watchlist, tmp_path):
    httpserver.expect_request("/clear").respond_with_data(CLEAR_PAGE, content_type="text/html")
    evidence = store(tmp_path / "ev", watchlist)
    result = check_target(httpserver.url_for("/clear"), fetcher, matcher, CheckOptions(follow=0, evidence=evidence))
    assert result.verdict is Verdict.CLEAR and result.evidence is None
    assert [p.name for p in (tmp_path / "ev").iterdir()] == [MARKER]


def test_a_folder_of_the_users_is_refused_and_left_alone(tmp_path, watchlist):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "letter.txt").write_text("dear festival")
    with pytest.raises(OutputError, match="not sponsorcheck's evidence"):
        EvidenceStore(mine, [watchlist])
    assert [p.name for p in mine.iterdir()] == ["letter.txt"]
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        EvidenceStore(afile, [watchlist])
    assert afile.read_text() == "x"


def test_a_second_run_never_overwrites_the_first(httpserver, fetcher, matcher, watchlist, tmp_path):
    httpserver.expect_request("/partners").respond_with_data(CONFLICT_PAGE, content_type="text/html")
    url = httpserver.url_for("/partners")
    first = check_target(url, fetcher, matcher, CheckOptions(follow=0, evidence=store(tmp_path, watchlist)))
    before = (Path(first.evidence or "") / "record.json").read_bytes()
    second = check_target(url, fetcher, matcher, CheckOptions(follow=0, evidence=store(tmp_path, watchlist)))
    assert first.evidence != second.evidence and Path(second.evidence or "").name.endswith("Z-2")
    assert (Path(first.evidence or "") / "record.json").read_bytes() == before


def test_folder_names_are_safe_for_any_url():
    name = folder_name("https://Fest.example/../../etc/passwd?x=<script>", FIXED)
    assert "/" not in name and ".." not in name and name.startswith("fest.example-etc-passwd-")
    assert folder_name("https://xn--fte-9la.example/", FIXED).startswith("xn--fte-9la.example-")
