"""Reports: CSV cells a spreadsheet would evaluate stay text; Markdown tables keep their shape; every format
carries the why of each row (reason, hint, error, allowed findings, mentions, cached copies)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from rich.console import Console

from sponsorcheck.models import Candidate, ErrorInfo, Evidence, Finding, Level, Result, Role, Verdict
from sponsorcheck.report import print_table, spreadsheet_safe, to_csv, to_markdown, to_xlsx


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


# --- Reports carry the "why" of every row (issue 11). One result of each kind an agent must act on.
def _finding(level: Level, sponsor: str, why: str, allowed_reason: str | None = None) -> Finding:
    return Finding(
        level=level,
        pledge="p",
        entity="amazon",
        entity_name="Amazon.com, Inc.",
        sponsor=sponsor,
        matched=sponsor,
        method="alias",
        score=100,
        why=why,
        evidence=(Evidence("img-alt", sponsor, "Sponsors"),),
        allowed_reason=allowed_reason,
    )


URL = "https://fest.example/"
TOUR_RESULTS = (
    Result(
        URL,
        URL,
        Verdict.CONFLICT,
        findings=(_finding(Level.CONFLICT, "Twitch", "Twitch is owned by Amazon"),),
        row=(("city", "Oslo"), ("url", URL)),
    ),
    Result(
        URL,
        URL,
        Verdict.REVIEW,
        findings=(_finding(Level.REVIEW, "Ring", "'Ring' is a short name; check"),),
        row=(("city", "Bergen"), ("url", URL)),
    ),
    Result(
        URL,
        URL,
        Verdict.UNKNOWN,
        hints=("the page builds its content with JavaScript",),
        row=(("city", "Trondheim"), ("url", URL)),
    ),
    Result(
        URL,
        URL,
        Verdict.ERROR,
        error=ErrorInfo("connection", "https://fest.example/: cannot connect"),
        row=(("city", "Tromsø"), ("url", URL)),
    ),
    Result(
        URL,
        URL,
        Verdict.CLEAR,
        sponsors=(Candidate("Calder Brewing", ()),),
        findings=(_finding(Level.ALLOWED, "Whole Foods", "Whole Foods is Amazon's", "a raffle prize, no money"),),
        mentions=(Candidate("Amazon Music", (), role=Role.MENTION, note="stream link"),),
        row=(("city", "Bodø"), ("url", URL)),
        fetched_at="2026-12-01T10:00:00+00:00",
        from_cache=True,
    ),
)
WHY = {
    "Oslo": "Twitch is owned by Amazon",
    "Bergen": "'Ring' is a short name; check",
    "Trondheim": "the page builds its content with JavaScript",
    "Tromsø": "cannot connect",
}


def test_csv_rows_carry_the_why_allowed_findings_mentions_and_cache_use():
    rows = {r["city"]: r for r in csv.DictReader(io.StringIO(to_csv(TOUR_RESULTS, ["city", "url"])))}
    for city, why in WHY.items():
        assert why in rows[city]["why"], city
    assert rows["Oslo"]["matched_sponsors"] == "Twitch → Amazon.com, Inc. (conflict)"
    assert rows["Bodø"]["allowed"] == "Whole Foods → Amazon.com, Inc.: a raffle prize, no money"
    assert rows["Bodø"]["mentions"] == "Amazon Music: stream link, not counted"
    assert rows["Bodø"]["from_cache"] == "yes" and rows["Bodø"]["fetched_at"].startswith("2026-12-01")
    assert "allowed by your allowlist" in rows["Bodø"]["why"]
    assert "none on the watchlist" not in rows["Bodø"]["why"]  # Whole Foods is on it: allowed, not absent


def test_markdown_names_the_entity_beside_each_sponsor_and_carries_the_why():
    md = to_markdown(TOUR_RESULTS, ["city", "url"])
    lines = {line.split(" | ")[0].strip("| "): line for line in md.splitlines()[2:]}
    assert "Twitch → Amazon.com, Inc. (conflict)" in lines["Oslo"]
    for city, why in WHY.items():
        assert why in lines[city], city
    assert "a raffle prize, no money" in lines["Bodø"] and "Amazon Music: stream link, not counted" in lines["Bodø"]


def test_xlsx_has_a_filter_a_frozen_header_fitted_columns_and_a_colour_per_verdict(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "r.xlsx"
    path.write_bytes(to_xlsx(TOUR_RESULTS, ["city", "url"]))
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{len(TOUR_RESULTS) + 1}"
    widths = {h: sheet.column_dimensions[sheet.cell(1, i).column_letter].width for i, h in enumerate(header, 1)}
    assert widths["city"] < widths["matched_sponsors"] <= 60
    verdict = header.index("verdict") + 1
    fills = {sheet.cell(i, verdict).value: sheet.cell(i, verdict).fill.start_color.rgb for i in range(2, 7)}
    assert len(set(fills.values())) == 5  # one colour per verdict
    assert fills["conflict"].endswith("FFC7CE")
    assert sheet.cell(2, header.index("why") + 1).value == "Twitch is owned by Amazon"


def test_table_shows_allowed_findings_with_reason_mentions_and_the_cached_copy():
    out = io.StringIO()
    print_table(TOUR_RESULTS[4:], Console(file=out, width=200), now=datetime(2026, 12, 1, 13, 0, tzinfo=timezone.utc))
    text = out.getvalue()
    assert "Whole Foods" in text and "a raffle prize, no money" in text
    assert "Amazon Music: stream link, not counted" in text
    assert "answered from a cached copy downloaded 2026-12-01 10:00 UTC (3 h old), not re-checked" in text


def test_the_batch_table_on_the_terminal_carries_each_rows_why():
    # `batch tour.csv` without --output: the agent reads this table, so it says what the files say.
    from sponsorcheck.batch import Table
    from sponsorcheck.report.batch_summary import print_batch_table

    buffer = io.StringIO()
    table = Table("tour.csv", ("city", "url"), (), "url")
    print_batch_table(list(TOUR_RESULTS), table, Console(file=buffer, width=400))
    lines = {line.split("│")[2].strip(): line for line in buffer.getvalue().splitlines() if line.count("│") > 4}
    assert "Twitch → Amazon.com, Inc. (conflict)" in lines["Oslo"]
    assert "'Ring' is a short name; check" in lines["Bergen"]  # not only "Ring → Amazon.com, Inc. (review)"
    assert "the page builds its content with JavaScript" in lines["Trondheim"]
    assert "cannot connect" in lines["Tromsø"]
    assert "allowed: Whole Foods → Amazon.com, Inc.: a raffle prize, no money" in lines["Bodø"]
    assert "Amazon Music: stream link, not counted" in lines["Bodø"]
