"""A booking agent's tour as they actually have it, run through `batch` (and `check`) on loopback:
addresses pasted from e-mails or typed without a scheme, two addresses in one cell, hyperlinked cells
in a real workbook, a report named like its input, --resume with other settings, and the summary and
progress a person reads. Real pytest-httpserver, real CSV files, real .xlsx written with openpyxl."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from sponsorcheck.address import target_address, web_address
from sponsorcheck.cli import app
from sponsorcheck.errors import ExitStatus, UsageError

from .small_watchlist import ACME_WATCHLIST as WATCHLIST
from .small_watchlist import CLEAR_PAGE, CONFLICT_PAGE, HTML

runner = CliRunner()


@pytest.fixture
def wl_path(tmp_path):
    path = tmp_path / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return path


def serve(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    httpserver.expect_request("/conflict").respond_with_data(CONFLICT_PAGE, content_type=HTML)
    httpserver.expect_request("/clear").respond_with_data(CLEAR_PAGE, content_type=HTML)


def write_csv(path, rows, header=("date", "city", "url")):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def batch(*args):
    return runner.invoke(app, ["batch", *map(str, args), "--delay", "0"])


# ---------------------------------------------------------------------------------------------
# Addresses as people write them


@pytest.mark.parametrize(
    ("written", "url", "note"),
    [
        ("<https://fest.example/lineup>", "https://fest.example/lineup", "out of '<https://fest.example/lineup>'"),
        ("example.com", "https://example.com", "https:// was added to 'example.com'"),
        ("fest.example/2026?x=1", "https://fest.example/2026?x=1", "https:// was added"),
        ("127.0.0.1:8000/page", "http://127.0.0.1:8000/page", "http:// was added to '127.0.0.1:8000/page'"),
        ("localhost:8000", "http://localhost:8000", "http:// was added"),
        ("<fest.example>", "https://fest.example", "https:// was added to 'fest.example'"),
        ("https://fest.example/", "https://fest.example/", ""),
    ],
)
def test_addresses_as_pasted_are_read_with_a_note_saying_what_was_added(written, url, note):
    address = web_address(written)
    assert address.url == url
    assert (note in address.note) if note else address.note == ""


@pytest.mark.parametrize(
    "cell",
    [
        "https://a.example/ https://b.example/",
        "https://a.example/; https://b.example/",
        "a.example, b.example",
        "https://a.example/\nhttps://b.example/",
        "https://a.example/,https://b.example/",
        "https://a.example/|<https://b.example/>",
    ],
)
def test_two_addresses_in_one_cell_are_refused_saying_so(cell):
    with pytest.raises(UsageError, match="2 web addresses in one cell"):
        web_address(cell)


def test_an_address_inside_a_query_is_not_a_second_address():
    url = "https://a.example/out?next=https://b.example/"
    assert web_address(url).url == url


def test_check_argument_rules_keep_files_and_stdin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "saved.example").write_text("<html></html>", encoding="utf-8")
    assert target_address("saved.example").url == "saved.example"  # an existing file wins
    assert target_address("sponsors.html").url == "sponsors.html"  # a file's name: "no such file" later
    assert target_address("-").url == "-"
    assert target_address("fest.example").url == "https://fest.example"


def test_check_and_batch_read_a_pasted_and_a_scheme_less_address_the_same(tmp_path, httpserver, wl_path):
    serve(httpserver)
    bare = f"127.0.0.1:{httpserver.port}/conflict"
    pasted = f"<{httpserver.url_for('/clear')}>"
    for written, verdict in ((bare, "conflict"), (pasted, "clear")):
        result = runner.invoke(app, ["check", written, "-w", str(wl_path), "--format", "json"])
        doc = json.loads(result.stdout)["results"][0]
        assert doc["verdict"] == verdict, result.output
        assert doc["notes"] and "note:" in result.stderr
    assert (
        "http:// was added"
        in json.loads(runner.invoke(app, ["check", bare, "-w", str(wl_path), "--format", "json"]).stdout)["results"][0][
            "notes"
        ][0]
    )

    tour = write_csv(tmp_path / "tour.csv", [("06-01", "Oslo", bare), ("06-02", "Bergen", pasted)])
    out = tmp_path / "report.csv"
    result = batch(tour, "-o", out, "-w", wl_path)
    assert result.exit_code == ExitStatus.CONFLICT, result.output
    rows = read_csv(out)
    assert [r["verdict"] for r in rows] == ["conflict", "clear"]
    assert "http:// was added" in rows[0]["address_note"] and rows[1]["address_note"]
    assert rows[0]["url"] == bare  # the agent's cell as they wrote it


def test_two_urls_in_a_cell_make_an_error_row_and_cost_no_other_row(tmp_path, httpserver, wl_path):
    serve(httpserver)
    joined = f"{httpserver.url_for('/clear')} {httpserver.url_for('/conflict')}"
    tour = write_csv(tmp_path / "tour.csv", [("1", "Oslo", joined), ("2", "Bergen", httpserver.url_for("/clear"))])
    out = tmp_path / "report.csv"
    result = batch(tour, "-o", out, "-w", wl_path)
    rows = read_csv(out)
    assert rows[0]["verdict"] == "error" and "2 web addresses in one cell" in rows[0]["error"]
    assert rows[1]["verdict"] == "clear"
    assert result.exit_code == ExitStatus.TARGET_ERROR
    # The joined string was never fetched as one address.
    assert all("%20" not in req.url and " " not in req.path for req, _ in httpserver.log)


# ---------------------------------------------------------------------------------------------
# The report never replaces the tour it was made from


def _workbook(path, rows, hyperlinks=None):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tour"
    sheet.append(["date", "city", "url"])
    for row in rows:
        sheet.append(list(row))
    for (row, col), target in (hyperlinks or {}).items():
        sheet.cell(row, col).hyperlink = target
    fees = workbook.create_sheet("Fees")
    fees.append(["city", "fee"])
    fees.append(["Oslo", 1500])
    workbook.save(path)
    return path


@pytest.mark.parametrize("kind", ["xlsx", "csv", "symlink", "relative"])
def test_a_report_named_like_its_input_is_refused_before_any_request(tmp_path, httpserver, wl_path, kind, monkeypatch):
    import openpyxl

    serve(httpserver)
    rows = [("06-01", "Oslo", httpserver.url_for("/conflict"))]
    if kind == "xlsx":
        tour = _workbook(tmp_path / "agency.xlsx", rows)
        output = tour
    else:
        tour = write_csv(tmp_path / "agency.csv", rows)
        output = tour
        if kind == "symlink":
            output = tmp_path / "report.csv"
            output.symlink_to(tour)
        elif kind == "relative":
            (tmp_path / "sub").mkdir()
            monkeypatch.chdir(tmp_path / "sub")
            output = "../agency.csv"
    before = tour.read_bytes()
    result = batch(tour, "-o", output, "-w", wl_path)
    assert result.exit_code == ExitStatus.USAGE, result.output
    assert "is the input file" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert tour.read_bytes() == before
    assert not httpserver.log  # refused before any work
    if kind == "xlsx":
        assert openpyxl.load_workbook(tour).sheetnames == ["Tour", "Fees"]  # the other sheets survive


# ---------------------------------------------------------------------------------------------
# Allowlists: named in the batch JSON as in check's


def test_batch_json_lists_every_allowlist_file_read(tmp_path, httpserver, wl_path, monkeypatch):
    serve(httpserver)
    monkeypatch.chdir(tmp_path)
    allow = tmp_path / "agency-allow.yaml"
    allow.write_text(
        "allow:\n  - sponsor: Acme Corp\n    entity: acme\n    reason: the organiser returned the money\n",
        encoding="utf-8",
    )
    (tmp_path / ".sponsorcheck-allow.yaml").write_text("allow: []\n", encoding="utf-8")
    tour = write_csv(tmp_path / "tour.csv", [("06-01", "Oslo", httpserver.url_for("/conflict"))])
    out = tmp_path / "report.json"
    result = batch(tour, "-o", out, "-w", wl_path, "--allow", allow)
    assert result.exit_code == ExitStatus.CLEAR, result.output
    doc = json.loads(out.read_text("utf-8"))
    listed = {(a["path"].rsplit("/", 1)[-1], a["implicit"]) for a in doc["allowlists"]}
    assert listed == {("agency-allow.yaml", False), (".sponsorcheck-allow.yaml", True)}
    finding = doc["results"][0]["findings"][0]
    assert finding["level"] == "allowed" and finding["allowed_reason"] == "the organiser returned the money"


# ---------------------------------------------------------------------------------------------
# A workbook whose cells show a name and link to the page


def test_xlsx_cells_whose_text_hides_a_hyperlink_use_the_hyperlink(tmp_path, httpserver, wl_path):
    import openpyxl

    serve(httpserver)
    path = tmp_path / "agency.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["date", "city", "url"])
    sheet.append(["06-01", "Oslo", "Clean fest"])
    sheet.cell(2, 3).hyperlink = httpserver.url_for("/conflict")
    sheet.append(["06-02", "Bergen", f'=HYPERLINK("{httpserver.url_for("/clear")}", "Harbour fest")'])
    sheet.append(["06-03", "Tromsø", httpserver.url_for("/clear")])
    sheet.append(["06-04", "Bodø", "write to us"])
    sheet.cell(5, 3).hyperlink = "mailto:office@fest.example"  # not a web page: the cell's text is used
    workbook.save(path)
    out = tmp_path / "report.csv"
    result = batch(path, "-o", out, "-w", wl_path)
    rows = read_csv(out)
    assert [r["verdict"] for r in rows] == ["conflict", "clear", "clear", "error"], result.output
    assert rows[0]["url"] == "Clean fest"  # the agent's cell is reported as they wrote it
    assert rows[0]["pages_read"] == httpserver.url_for("/conflict")
    assert "not a web address" in rows[3]["error"]


# ---------------------------------------------------------------------------------------------
# --resume belongs to one tour and one set of settings


def _interrupted(tour, out, wl_path, *options):
    """The journal a run stopped after its first row leaves: a full run's journal (kept) cut to its header
    and first row. (Made without a signal: the interrupt itself is tested in test_batch.py.)"""
    from sponsorcheck.batch import journal as journal_module

    journal = journal_module.Journal.path_for(out)
    original = journal_module.Journal.close
    journal_module.Journal.close = lambda self, remove=False: original(self, remove=False)
    try:
        batch(tour, "-o", out, "-w", wl_path, *options)
    finally:
        journal_module.Journal.close = original
    lines = journal.read_text("utf-8").splitlines()
    assert json.loads(lines[0])["journal"] == journal_module.JOURNAL_FORMAT
    journal.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    out.unlink()
    return journal


@pytest.mark.parametrize(
    ("changed", "says"),
    [
        (["--min-score", "95"], "--min-score 95 (was"),
        (["--no-follow"], "--follow/--no-follow 0 (was 3)"),
        (["--render", "never"], "--render never (was auto)"),
        (["--ignore-robots"], "--ignore-robots False (was True)"),
    ],
)
def test_resume_with_other_settings_is_refused_saying_what_differs(
    tmp_path, httpserver, wl_path, monkeypatch, changed, says
):
    serve(httpserver)
    tour = write_csv(
        tmp_path / "tour.csv",
        [("06-01", "Oslo", httpserver.url_for("/conflict")), ("06-02", "Bergen", httpserver.url_for("/clear"))],
    )
    out = tmp_path / "report.csv"
    journal = _interrupted(tour, out, wl_path, "--render", "auto", "--workers", "1")
    kept = journal.read_bytes()
    requests = len(httpserver.log)

    result = batch(tour, "-o", out, "-w", wl_path, "--render", "auto", "--workers", "1", *changed, "--resume")
    assert result.exit_code == ExitStatus.USAGE, result.output
    line = result.stderr.strip()
    assert "\n" not in line and says in line and "--resume" in line, line
    assert journal.read_bytes() == kept  # the interrupted run is kept as it was
    assert len(httpserver.log) == requests  # refused before any work

    # The same settings resume it, and the counts include the row taken from the journal.
    result = batch(tour, "-o", out, "-w", wl_path, "--render", "auto", "--workers", "1", "--resume")
    assert result.exit_code == ExitStatus.CONFLICT, result.output
    assert [r["verdict"] for r in read_csv(out)] == ["conflict", "clear"]
    assert "2 rows checked" in result.stderr


def test_resume_with_another_watchlist_or_allowlist_or_input_is_refused(tmp_path, httpserver, wl_path, monkeypatch):
    serve(httpserver)
    tour = write_csv(
        tmp_path / "tour.csv",
        [("06-01", "Oslo", httpserver.url_for("/conflict")), ("06-02", "Bergen", httpserver.url_for("/clear"))],
    )
    out = tmp_path / "report.csv"
    _interrupted(tour, out, wl_path, "--workers", "1")

    other_wl = tmp_path / "other.yaml"
    other_wl.write_text(WATCHLIST.replace("Test pledge", "Other pledge"), encoding="utf-8")
    allow = tmp_path / "allow.yaml"
    allow.write_text("allow: []\n", encoding="utf-8")
    edited = tmp_path / "edited.csv"
    edited.write_text(tour.read_text("utf-8") + "06-03,Tromsø,https://fest.example/\n", encoding="utf-8")
    for args, says in (
        ([tour, "-w", other_wl], "--watchlist"),
        ([tour, "-w", wl_path, "--allow", allow], "--allow"),
        ([edited, "-w", wl_path], "is not the tour the interrupted run read"),
    ):
        result = batch(*args, "-o", out, "--workers", "1", "--resume")
        assert result.exit_code == ExitStatus.USAGE, result.output
        errors = [line for line in result.stderr.splitlines() if "error:" in line]
        assert len(errors) == 1 and says in errors[0], result.stderr


def test_a_fresh_run_never_replaces_another_tours_unfinished_journal(tmp_path, httpserver, wl_path, monkeypatch):
    serve(httpserver)
    tour = write_csv(
        tmp_path / "tour.csv",
        [("06-01", "Oslo", httpserver.url_for("/conflict")), ("06-02", "Bergen", httpserver.url_for("/clear"))],
    )
    other = write_csv(tmp_path / "other.csv", [("07-01", "Malmö", httpserver.url_for("/clear"))])
    out = tmp_path / "report.csv"
    journal = _interrupted(tour, out, wl_path, "--workers", "1")
    kept = journal.read_bytes()

    result = batch(other, "-o", out, "-w", wl_path)
    assert result.exit_code == ExitStatus.USAGE, result.output
    assert "holds the unfinished run of" in result.stderr and "tour.csv" in result.stderr
    assert "the unfinished run of another tour (" in result.stderr, result.stderr  # read as a sentence
    assert journal.read_bytes() == kept

    # The same tour started again without --resume: allowed, and said.
    result = batch(tour, "-o", out, "-w", wl_path)
    assert result.exit_code == ExitStatus.CONFLICT, result.output
    assert "starting again" in result.stderr


# ---------------------------------------------------------------------------------------------
# What a person reads on the terminal: the summary of rows to chase, and progress


def test_summary_lists_every_row_to_chase_grouped_with_word_boundary_labels(tmp_path, httpserver, wl_path):
    serve(httpserver)
    # Page class: an event page with no sponsor information at all (unknown).
    httpserver.expect_request("/about").respond_with_data(
        "<html><body><h1>About</h1><p>A festival by the harbour since 1999, for everyone.</p></body></html>",
        content_type=HTML,
    )
    long_name = "Harbour Side Grand Summer Rock Festival Weekend"
    tour = write_csv(
        tmp_path / "tour.csv",
        [
            ("06-01", long_name, httpserver.url_for("/conflict")),
            ("06-02", "Bergen", httpserver.url_for("/clear")),
            ("06-03", "Trondheim", httpserver.url_for("/about")),
            ("06-04", "Stavanger", httpserver.url_for("/missing")),
            ("06-05", "Bodø", "TBA"),
        ],
    )
    out = tmp_path / "report.md"
    result = batch(tour, "-o", out, "-w", wl_path, "--max-age", "7200")
    err = result.stderr
    assert "5 rows checked: 1 conflict, 1 clear, 1 unknown, 2 errors" in err, err
    groups = [line.split(" (")[0] for line in err.splitlines() if not line.startswith(" ") and " — " in line]
    assert groups == ["conflict", "unknown", "error"]
    assert "Acme Corp" in err
    assert "row 3 (06-03, Trondheim)" in err and "row 4 (06-04, Stavanger)" in err and "row 5 (06-05, Bodø)" in err
    assert "server error 500" in err and "not a web address" in err, err  # unmatched paths answer 500
    assert "Bergen" not in err  # a clear row needs no chasing
    # The long label is cut after a whole word, with an ellipsis.
    label = next(line for line in err.splitlines() if "row 1 (" in line).split("row 1 (")[1].split(")")[0]
    assert label.endswith("…") and f"06-01, {long_name}".startswith(label[:-1]) and label[-2] != " "
    assert f"06-01, {long_name}"[len(label) - 1] == " "  # cut where a word ended
    assert f"report written to {out}" in err

    # A second run answers from the cache and says so, with the age allowed.
    again = batch(tour, "-o", out, "-w", wl_path, "--max-age", "7200")
    assert "answered from cached copies up to 2 h old (--max-age 7200)" in again.stderr, again.stderr


def test_summary_counts_rows_taken_from_the_journal(tmp_path, httpserver, wl_path):
    serve(httpserver)
    tour = write_csv(
        tmp_path / "tour.csv",
        [("06-01", "Oslo", httpserver.url_for("/conflict")), ("06-02", "Bergen", httpserver.url_for("/clear"))],
    )
    out = tmp_path / "report.csv"
    _interrupted(tour, out, wl_path)
    result = batch(tour, "-o", out, "-w", wl_path, "--resume")
    assert "2 rows checked (1 taken from the journal of the interrupted run): 1 conflict, 1 clear" in result.stderr


def test_progress_counts_resumed_rows_says_one_conflict_and_estimates_time_left():
    import re
    import time

    from rich.console import Console

    from sponsorcheck.models import Result, Verdict
    from sponsorcheck.report.progress import ProgressObserver

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=200)
    journal = [Result("a", "a", Verdict.CONFLICT), Result("b", "b", Verdict.CLEAR)]
    observer = ProgressObserver(console, journal)
    with observer:
        observer.started(6, 2)
        observer.progress.refresh()
        first = buffer.getvalue()
        for _ in range(2):
            time.sleep(0.2)
            observer.row_done(None, Result("c", "c", Verdict.ERROR))
        observer.progress.refresh()
        last = buffer.getvalue()
    plain = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).strip().splitlines()[-1] for text in (first, last)]
    assert "2/6" in plain[0] and "1 conflict ·" in plain[0] and "0 errors" in plain[0]
    assert "estimating time left" in plain[0]  # the rows from the journal are not speed
    assert "4/6" in plain[1] and "1 conflict ·" in plain[1] and "2 errors" in plain[1]
    left = re.search(r"about (\d+):(\d\d):(\d\d) left", plain[1])
    assert left and int(left.group(3)) <= 5  # two rows in ~0.4 s: two more take about as long


def test_progress_knows_the_number_of_rows_from_its_first_frame():
    import re

    from rich.console import Console

    from sponsorcheck.models import Result, Verdict
    from sponsorcheck.report.progress import ProgressObserver

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=200)
    observer = ProgressObserver(console, [Result("a", "a", Verdict.CLEAR)], total=20)
    with observer:  # drawn before the run has said how many rows it has: the count is the tour's, never "?"
        observer.progress.refresh()
        first = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue()).strip().splitlines()[-1]
    assert "1/20" in first and "/?" not in first


# ---------------------------------------------------------------------------------------------
# Every report format, made by the command from real pages, carries each row's why


def test_every_report_format_carries_each_rows_why_from_a_real_run(tmp_path, httpserver, wl_path):
    import openpyxl

    serve(httpserver)
    # Page class: a page whose content is built by a script (unknown, with the hint saying so).
    httpserver.expect_request("/app").respond_with_data(
        "<html><head><script src='/bundle.js'></script></head><body><div id='root'></div></body></html>",
        content_type=HTML,
    )
    tour = write_csv(
        tmp_path / "tour.csv",
        [
            ("06-01", "Oslo", httpserver.url_for("/conflict")),
            ("06-02", "Bergen", httpserver.url_for("/app")),
            ("06-03", "Tromsø", "TBA"),
        ],
    )
    reports = {}
    for suffix in ("csv", "md", "xlsx"):
        out = tmp_path / f"report.{suffix}"
        result = batch(tour, "-o", out, "-w", wl_path, "--render", "never")
        assert result.exit_code == ExitStatus.CONFLICT, result.output
        reports[suffix] = out
    rows = {r["city"]: r for r in read_csv(reports["csv"])}
    assert rows["Oslo"]["matched_sponsors"] == "Acme Corp (conflict)" and "listed as a sponsor" in rows["Oslo"]["why"]
    assert rows["Bergen"]["verdict"] == "unknown" and "JavaScript" in rows["Bergen"]["why"], rows["Bergen"]
    assert rows["Tromsø"]["error"] == "'TBA' is not a web address" == rows["Tromsø"]["why"]
    md = reports["md"].read_text("utf-8")
    assert "Acme Corp (conflict)" in md and "JavaScript" in md and "'TBA' is not a web address" in md
    sheet = openpyxl.load_workbook(reports["xlsx"]).active
    header = [c.value for c in sheet[1]]
    cells = {sheet.cell(i, 2).value: {h: sheet.cell(i, j).value for j, h in enumerate(header, 1)} for i in (2, 3, 4)}
    assert "JavaScript" in cells["Bergen"]["why"] and cells["Tromsø"]["error"] == "'TBA' is not a web address"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    fills = {sheet.cell(i, header.index("verdict") + 1).fill.start_color.rgb for i in (2, 3, 4)}
    assert len(fills) == 3  # conflict, unknown and error each have their colour


def test_a_mention_names_its_company_not_its_id():
    from sponsorcheck.models import Candidate, Role
    from sponsorcheck.report.common import mention_label

    mention = Candidate(
        "Amazon Music", (), role=Role.MENTION, note="a streaming link", entity="amazon", entity_name="Amazon.com, Inc."
    )
    assert mention_label(mention) == "Amazon Music → Amazon.com, Inc.: a streaming link, not counted"


def test_summary_groups_in_the_order_to_chase_them_review_included():
    from rich.console import Console

    from sponsorcheck.batch import BatchOutcome
    from sponsorcheck.models import ErrorInfo, Result, Verdict
    from sponsorcheck.report.batch_summary import cut_at_word, print_batch_summary

    def row(city, verdict, **kw):
        return Result(f"https://{city.lower()}.example/", "", verdict, row=(("city", city),), **kw)

    results = (
        row("Error", Verdict.ERROR, error=ErrorInfo("connection", "cannot connect")),
        row("Unknown", Verdict.UNKNOWN, hints=("the page builds its content with JavaScript",)),
        row("Review", Verdict.REVIEW, hints=("a short name; check",)),
        row("Clear", Verdict.CLEAR),
    )
    buffer = io.StringIO()
    print_batch_summary(BatchOutcome(results, 4, resumed=1), Console(file=buffer, width=300), output="r.csv")
    text = buffer.getvalue()
    groups = [line.split(" (")[0] for line in text.splitlines() if " — " in line and not line.startswith(" ")]
    assert groups == ["review", "unknown", "error"]
    assert "1 taken from the journal" in text and "report written to r.csv" in text
    assert "JavaScript" in text and "cannot connect" in text and "Clear" not in text
    assert cut_at_word("Harbour Side Grand Summer", 14) == "Harbour Side…"
    assert cut_at_word("Supercalifragilistic", 10) == "Supercali…"  # one long word is cut where it must be


def test_a_tour_with_nothing_to_fetch_finishes_with_many_analysers_and_one_worker(tmp_path, wl_path):
    """Every row a bad cell (or taken from the journal): no page to fetch. It used to hang for ever when
    the analysers outnumbered the fetch queue's slots (--workers 1 with --render's analysers)."""
    import threading

    from sponsorcheck.batch import BatchOptions, read_table, run_batch
    from sponsorcheck.fetch import Fetcher, FetchPolicy, make_session
    from sponsorcheck.match import Matcher
    from sponsorcheck.watchlist import load_watchlist

    tour = write_csv(tmp_path / "tour.csv", [("06-01", "Oslo", "TBA"), ("06-02", "Bergen", "a.example b.example")])
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=2), None)
    outcome = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            run_batch(
                read_table(tour), fetcher, Matcher([load_watchlist(wl_path)]), BatchOptions(workers=1, analysers=6)
            )
        ),
        daemon=True,
    )
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "the batch hung with nothing to fetch"
    assert [r.verdict.value for r in outcome[0].results] == ["error", "error"]
