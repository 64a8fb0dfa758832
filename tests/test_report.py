"""Reports: CSV cells a spreadsheet would evaluate stay text; Markdown tables keep their shape."""

from __future__ import annotations

import csv
import io

from sponsorcheck.models import Evidence, Finding, Level, Result, Verdict
from sponsorcheck.report import spreadsheet_safe, to_csv, to_markdown


def _result(sponsor: str) -> Result:
    finding = Finding(
        level=Level.CONFLICT,
        pledge="p",
        entity="amazon",
        entity_name="Amazon.com, Inc.",
        sponsor=sponsor,
        matched="amazon.com",
        method="domain",
        score=100,
        why="test",
        evidence=(Evidence("img-alt", sponsor),),
    )
    return Result(
        target="https://fest.example/",
        url="https://fest.example/",
        verdict=Verdict.CONFLICT,
        findings=(finding,),
        row=(("date", "2026-06-01"), ("url", "https://fest.example/"), ("note", "=SUM(1,2)")),
    )


def test_page_text_never_becomes_a_spreadsheet_formula():
    text = to_csv([_result('=HYPERLINK("http://evil.example","x")')], ["date", "url", "note"])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["matched_sponsors"].startswith("'=HYPERLINK")
    assert row["evidence"].startswith("image alt: =HYPERLINK")  # not at the start of a cell: harmless
    assert row["note"] == "=SUM(1,2)"  # the user's own column is carried unchanged
    assert row["verdict"] == "conflict"


def test_spreadsheet_safe_only_touches_formula_starts():
    assert spreadsheet_safe("Twitch (conflict)") == "Twitch (conflict)"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-1+1") == "'-1+1"


def test_markdown_table_escapes_pipes():
    md = to_markdown([_result("A | B")], ["date", "url"])
    header, _rule, line = md.splitlines()
    assert header.count("|") == line.replace("\\|", "").count("|")
    assert "A \\| B" in line
