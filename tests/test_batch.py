"""Batch mode against real loopback servers: input dialects, politeness, robots.txt, dedup, journal
and resume, interrupts, and every report format read back."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from protego import Protego
from typer.testing import CliRunner

from sponsorcheck.batch import (
    BatchOptions,
    Journal,
    check_writable,
    find_url_column,
    read_table,
    run_batch,
    target_url,
    write_report,
)
from sponsorcheck.cli import app
from sponsorcheck.errors import ExitStatus, InputFileError, OutputError, UsageError
from sponsorcheck.fetch import Fetcher, FetchPolicy, make_session
from sponsorcheck.match import Matcher
from sponsorcheck.models import Verdict
from sponsorcheck.watchlist import load_watchlist

from .conftest import ROOT
from .small_watchlist import ACME_WATCHLIST as WATCHLIST
from .small_watchlist import CLEAR_PAGE, CONFLICT_PAGE, HTML


@pytest.fixture
def wl_path(tmp_path):
    path = tmp_path / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return path


@pytest.fixture
def matcher(wl_path):
    return Matcher([load_watchlist(wl_path)])


@pytest.fixture
def fetcher():
    policy = FetchPolicy(deadline=5, connect_timeout=2, read_timeout=2, retries=0)
    return Fetcher(make_session(), policy, sleep=lambda s: None)


FAST = BatchOptions(workers=4, per_host=2, delay=0.0)


def serve(httpserver, robots: str | None = "User-agent: *\nAllow: /\n"):
    if robots is not None:
        httpserver.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    httpserver.expect_request("/conflict").respond_with_data(CONFLICT_PAGE, content_type=HTML)
    httpserver.expect_request("/clear").respond_with_data(CLEAR_PAGE, content_type=HTML)


def write_tour(path: Path, rows, header=("date", "city", "url"), delimiter=",", encoding="utf-8") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def requests_for(httpserver, path: str) -> int:
    return sum(1 for request, _ in httpserver.log if request.path == path)


# ---------------------------------------------------------------------------------------------
# Input


@pytest.mark.parametrize(
    ("delimiter", "encoding", "suffix"),
    [
        (",", "utf-8", ".csv"),
        (",", "utf-8-sig", ".csv"),
        (";", "utf-8", ".csv"),
        (";", "windows-1252", ".csv"),
        ("\t", "utf-8", ".tsv"),
        ("\t", "utf-16", ".txt"),
    ],
)
def test_dialects_and_encodings_are_sniffed(tmp_path, delimiter, encoding, suffix):
    rows = [("2026-06-01", "Zürich", "https://a.example/fest"), ("2026-06-02", "Besançon", "https://b.example/")]
    path = write_tour(tmp_path / f"tour{suffix}", rows, ("Date", "City", "Website"), delimiter, encoding)
    table = read_table(path)
    assert table.columns == ("Date", "City", "Website")
    assert table.url_column == "Website"
    assert [dict(r.cells)["City"] for r in table.rows] == ["Zürich", "Besançon"]
    assert [r.url for r in table.rows] == ["https://a.example/fest", "https://b.example/"]


def test_semicolon_sheet_with_commas_inside_cells(tmp_path):
    path = write_tour(
        tmp_path / "t.csv", [("Fri, 5 June", "Lyon, FR", "https://a.example/")], ("Date", "Venue", "URL"), ";"
    )
    table = read_table(path)
    assert dict(table.rows[0].cells) == {"Date": "Fri, 5 June", "Venue": "Lyon, FR", "URL": "https://a.example/"}


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["Date", "City", "Event URL"], "Event URL"),
        (["date", "LINK", "notes"], "LINK"),
        (["Stadt", "Webseite"], "Webseite"),
        (["Date", "Festival website", "Ticket link"], "Festival website"),
        (["venue", "url", "website"], "url"),
    ],
)
def test_url_column_is_found_by_name(columns, expected):
    assert find_url_column(columns) == expected


def test_url_column_can_be_named_and_is_explained_when_missing(tmp_path):
    path = write_tour(tmp_path / "t.csv", [("x", "https://a.example/")], ("Notes", "Where"))
    with pytest.raises(InputFileError, match="--url-column"):
        read_table(path)
    assert read_table(path, url_column="where").url_column == "Where"
    with pytest.raises(InputFileError, match=r"no column named 'Address'.*Notes, Where"):
        read_table(path, url_column="Address")


def test_blank_lines_skipped_and_short_rows_padded(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("city,url,notes\nOslo,https://a.example/\n,,\n\nBergen,https://b.example/,late\n", "utf-8")
    table = read_table(path)
    assert [dict(r.cells) for r in table.rows] == [
        {"city": "Oslo", "url": "https://a.example/", "notes": ""},
        {"city": "Bergen", "url": "https://b.example/", "notes": "late"},
    ]


def test_unreadable_inputs_are_input_errors(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_text("", "utf-8")
    with pytest.raises(InputFileError, match="empty"):
        read_table(tmp_path / "empty.csv")


def test_xlsx_input(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Date", "City", "Event URL", "Fee"])
    sheet.append([dt.datetime(2026, 6, 1), "Zürich", "https://a.example/", 1500])
    workbook.save(tmp_path / "tour.xlsx")
    table = read_table(tmp_path / "tour.xlsx")
    assert dict(table.rows[0].cells) == {
        "Date": "2026-06-01",
        "City": "Zürich",
        "Event URL": "https://a.example/",
        "Fee": "1500",
    }


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("https://fest.example/2026", "https://fest.example/2026"),
        ("  http://fest.example  ", "http://fest.example"),
        ("www.fest.example/lineup", "https://www.fest.example/lineup"),
    ],
)
def test_target_url_accepts_spreadsheet_forms(cell, expected):
    assert target_url(cell) == expected


@pytest.mark.parametrize("cell", ["", "TBA", "ftp://fest.example/", "see e-mail"])
def test_target_url_rejects_what_is_not_a_web_address(cell):
    with pytest.raises(UsageError):
        target_url(cell)


# ---------------------------------------------------------------------------------------------
# Running


def test_every_row_gets_a_result_in_input_order(tmp_path, httpserver, fetcher, matcher):
    serve(httpserver)
    path = write_tour(
        tmp_path / "t.csv",
        [
            ("06-01", "Oslo", httpserver.url_for("/conflict")),
            ("06-02", "Bergen", ""),
            ("06-03", "Trondheim", "TBA"),
            ("06-04", "Tromsø", httpserver.url_for("/clear")),
            ("06-05", "Bodø", httpserver.url_for("/missing")),
        ],
    )
    outcome = run_batch(read_table(path), fetcher, matcher, FAST)
    assert [r.verdict for r in outcome.results] == [
        Verdict.CONFLICT,
        Verdict.ERROR,
        Verdict.ERROR,
        Verdict.CLEAR,
        Verdict.ERROR,
    ]
    assert [dict(r.row)["city"] for r in outcome.results] == ["Oslo", "Bergen", "Trondheim", "Tromsø", "Bodø"]
    assert outcome.results[1].error.message == "no URL in this row"
    assert "not a web address" in outcome.results[2].error.message
    assert outcome.results[4].error.kind == "http"
    assert not outcome.interrupted


def test_identical_urls_are_fetched_once(tmp_path, httpserver, fetcher, matcher):
    serve(httpserver)
    url = httpserver.url_for("/conflict")
    path = write_tour(tmp_path / "t.csv", [("1", "a", url), ("2", "b", url + "#tickets"), ("3", "c", url)])
    outcome = run_batch(read_table(path), fetcher, matcher, FAST)
    assert [r.verdict for r in outcome.results] == [Verdict.CONFLICT] * 3
    assert [r.target for r in outcome.results] == [url, url + "#tickets", url]  # each row keeps its own cell
    assert requests_for(httpserver, "/conflict") == 1
    assert requests_for(httpserver, "/robots.txt") == 1


def test_robots_disallowed_page_is_reported_and_not_fetched(tmp_path, httpserver, fetcher, matcher):
    serve(httpserver, robots="User-agent: *\nDisallow: /clear\nAllow: /conflict\n")
    path = write_tour(
        tmp_path / "t.csv", [("1", "a", httpserver.url_for("/clear")), ("2", "b", httpserver.url_for("/conflict"))]
    )
    outcome = run_batch(read_table(path), fetcher, matcher, FAST)
    refused, allowed = outcome.results
    assert refused.verdict is Verdict.ERROR and refused.error.kind == "robots"
    assert "robots.txt" in refused.error.message
    assert allowed.verdict is Verdict.CONFLICT
    assert requests_for(httpserver, "/clear") == 0
    assert requests_for(httpserver, "/robots.txt") == 1


def test_robots_allow_precedence_and_wildcards_follow_protego(tmp_path, httpserver, fetcher, matcher):
    # The stdlib parser takes the first matching rule; RFC 9309 says the longest match wins.
    robots = "User-agent: *\nDisallow: /\nAllow: /conflict$\n"
    serve(httpserver, robots=robots)
    path = write_tour(
        tmp_path / "t.csv", [("1", "a", httpserver.url_for("/conflict")), ("2", "b", httpserver.url_for("/clear"))]
    )
    outcome = run_batch(read_table(path), fetcher, matcher, FAST)
    assert [r.verdict for r in outcome.results] == [Verdict.CONFLICT, Verdict.ERROR]


def test_ignore_robots_fetches_disallowed_pages(tmp_path, httpserver, fetcher, matcher):
    serve(httpserver, robots="User-agent: *\nDisallow: /\n")
    path = write_tour(tmp_path / "t.csv", [("1", "a", httpserver.url_for("/conflict"))])
    outcome = run_batch(read_table(path), fetcher, matcher, BatchOptions(workers=2, delay=0, robots=False))
    assert outcome.results[0].verdict is Verdict.CONFLICT
    assert requests_for(httpserver, "/robots.txt") == 0


def test_missing_robots_allows_and_server_error_robots_refuses(tmp_path, httpserver, fetcher, matcher):
    httpserver.expect_request("/robots.txt").respond_with_data("gone", status=404)
    httpserver.expect_request("/conflict").respond_with_data(CONFLICT_PAGE, content_type=HTML)
    path = write_tour(tmp_path / "t.csv", [("1", "a", httpserver.url_for("/conflict"))])
    assert run_batch(read_table(path), fetcher, matcher, FAST).results[0].verdict is Verdict.CONFLICT

    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("down", status=503)
    httpserver.expect_request("/conflict").respond_with_data(CONFLICT_PAGE, content_type=HTML)
    result = run_batch(read_table(path), fetcher, matcher, FAST).results[0]
    assert result.error.kind == "robots" and "503" in result.error.message
    assert requests_for(httpserver, "/conflict") == 0


class _CountingServer:
    """A threaded loopback server that records, per Host header, requests in flight and start times."""

    def __init__(self, latency: float = 0.15) -> None:
        self.lock = threading.Lock()
        self.active: dict[str, int] = defaultdict(int)
        self.max_active: dict[str, int] = defaultdict(int)
        self.starts: dict[str, list[float]] = defaultdict(list)
        self.total_active = 0
        self.max_total = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host = self.headers["Host"]
                with owner.lock:
                    if self.path != "/robots.txt":
                        owner.starts[host].append(time.monotonic())
                    owner.active[host] += 1
                    owner.total_active += 1
                    owner.max_active[host] = max(owner.max_active[host], owner.active[host])
                    owner.max_total = max(owner.max_total, owner.total_active)
                try:
                    time.sleep(latency)
                    body = CLEAR_PAGE.encode() if self.path != "/robots.txt" else b"User-agent: *\nAllow: /\n"
                    self.send_response(200)
                    self.send_header("Content-Type", HTML if self.path != "/robots.txt" else "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with owner.lock:
                        owner.active[host] -= 1
                        owner.total_active -= 1

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("0.0.0.0", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_per_host_limit_is_honoured_while_hosts_run_in_parallel(tmp_path, fetcher, matcher):
    with _CountingServer() as server:
        hosts = [f"127.0.0.{i}:{server.port}" for i in range(2, 6)]
        rows = [(str(n), h, f"http://{h}/page{n}") for n in range(6) for h in hosts]
        path = write_tour(tmp_path / "t.csv", rows)
        options = BatchOptions(workers=8, per_host=2, delay=0.0)
        outcome = run_batch(read_table(path), fetcher, matcher, options)
        assert [r.verdict for r in outcome.results] == [Verdict.CLEAR] * len(rows)
        assert set(server.max_active) == set(hosts)
        assert max(server.max_active.values()) == 2  # the limit is reached and never passed
        assert server.max_total > 2  # other hosts were served meanwhile
        assert all(len(server.starts[h]) == 6 for h in hosts)


def test_scheduler_spaces_requests_to_one_host_and_serves_others_meanwhile():
    """The politeness rules on a clock the test controls (no timing in the test)."""
    from sponsorcheck.batch.robots import RobotsRules
    from sponsorcheck.batch.scheduler import _Scheduler

    now = [100.0]
    scheduler = _Scheduler(2, 0.5, True, "ua", threading.Event(), clock=lambda: now[0])
    for n in range(3):
        scheduler.add(f"http://a.example/{n}", cached=False)
    scheduler.add("http://b.example/0", cached=False)

    robots_a = scheduler._pick(now[0])
    assert (robots_a.kind, robots_a.origin) == ("robots", "http://a.example")  # the host with most pages first
    robots_b = scheduler._pick(now[0])
    assert robots_b.kind == "robots" and robots_b.origin == "http://b.example"
    assert isinstance(scheduler._pick(now[0]), float)  # nothing may start until robots.txt is known
    scheduler.finish(robots_a, RobotsRules())
    scheduler.finish(robots_b, RobotsRules(Protego.parse("User-agent: *\nDisallow: /0")))

    refused = scheduler._pick(now[0])
    assert (refused.kind, refused.url) == ("refused", "http://b.example/0")  # no request, no slot
    first = scheduler._pick(now[0])
    assert (first.kind, first.url) == ("page", "http://a.example/0")  # right after robots.txt
    wait = scheduler._pick(now[0])
    assert wait == pytest.approx(0.5)  # a's next page must wait for the delay
    now[0] += 0.5
    second = scheduler._pick(now[0])
    assert second.url == "http://a.example/1"  # two in flight on a: the limit
    now[0] += 0.5
    assert isinstance(scheduler._pick(now[0]), float)  # a is at its limit of 2
    scheduler.finish(first)
    assert scheduler._pick(now[0]).url == "http://a.example/2"
    scheduler.finish(second)
    assert scheduler._pick(now[0]) == float("inf")  # all handed out, but a check may still ask for a page
    scheduler.close()
    assert scheduler._pick(now[0]) is None  # and now no more work can come


# ---------------------------------------------------------------------------------------------
# Journal, interrupt, resume


class _StopAfter:
    """An observer that stops the batch after n rows, as Ctrl-C would."""

    def __init__(self, n: int, stop: threading.Event) -> None:
        self.n, self.stop, self.done = n, stop, 0

    def started(self, total, already_done):
        pass

    def row_done(self, row, result):
        self.done += 1
        if self.done >= self.n:
            self.stop.set()


def test_interrupt_then_resume_checks_only_the_rest(tmp_path, httpserver, matcher):
    serve(httpserver)
    for n in range(6):
        httpserver.expect_request(f"/p{n}").respond_with_data(CLEAR_PAGE, content_type=HTML)
    rows = [(str(n), f"city{n}", httpserver.url_for(f"/p{n}")) for n in range(6)]
    path = write_tour(tmp_path / "t.csv", rows)
    table = read_table(path)
    journal = Journal(Journal.path_for(tmp_path / "report.csv"))
    journal.open(fresh=True)
    stop = threading.Event()
    one_at_a_time = BatchOptions(workers=1, per_host=1, delay=0)
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=5, retries=0))
    first = run_batch(table, fetcher, matcher, one_at_a_time, journal, _StopAfter(2, stop), stop)
    journal.close()
    assert first.interrupted
    assert 2 <= len(first.results) < 6
    finished_first = {dict(r.row)["city"] for r in first.results}
    assert len(journal.path.read_text("utf-8").splitlines()) == len(first.results)

    done = Journal(journal.path).load(table)
    assert {dict(r.row)["city"] for r in done.values()} == finished_first
    httpserver.clear_log()
    journal.open(fresh=False)
    second = run_batch(table, fetcher, matcher, one_at_a_time, journal, done=done)
    journal.close()
    assert not second.interrupted and second.resumed == len(first.results)
    assert [dict(r.row)["city"] for r in second.results] == [f"city{n}" for n in range(6)]
    fetched_again = {request.path for request, _ in httpserver.log} - {"/robots.txt"}
    assert fetched_again == {f"/p{n}" for n in range(6) if f"city{n}" not in finished_first}


def test_journal_ignores_a_torn_line_and_rows_whose_url_changed(tmp_path, httpserver, fetcher, matcher):
    serve(httpserver)
    path = write_tour(
        tmp_path / "t.csv", [("1", "a", httpserver.url_for("/conflict")), ("2", "b", httpserver.url_for("/clear"))]
    )
    table = read_table(path)
    journal = Journal(tmp_path / "r.csv.journal.jsonl")
    journal.open(fresh=True)
    run_batch(table, fetcher, matcher, FAST, journal)
    journal.close()
    with open(journal.path, "a", encoding="utf-8") as f:
        f.write('{"row": 1, "url": "http://')  # killed mid-write
    assert set(journal.load(table)) == {0, 1}
    changed = write_tour(
        tmp_path / "t2.csv", [("1", "a", httpserver.url_for("/conflict")), ("2", "b", httpserver.url_for("/other"))]
    )
    assert set(journal.load(read_table(changed))) == {0}


# ---------------------------------------------------------------------------------------------
# Reports


@pytest.fixture
def finished(tmp_path, httpserver, fetcher, matcher, wl_path):
    serve(httpserver)
    path = write_tour(
        tmp_path / "t.csv",
        [
            ("2026-06-01", "Zürich", httpserver.url_for("/conflict")),
            ("2026-06-02", "Genève", httpserver.url_for("/clear")),
            ("2026-06-03", "Basel", ""),
        ],
    )
    table = read_table(path)
    return table, run_batch(table, fetcher, matcher, FAST).results, [load_watchlist(wl_path)]


def test_csv_report_reads_back(tmp_path, finished):
    table, results, watchlists = finished
    write_report(tmp_path / "r.csv", results, table, watchlists)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text("utf-8-sig"))))
    assert [r["city"] for r in rows] == ["Zürich", "Genève", "Basel"]
    assert [r["verdict"] for r in rows] == ["conflict", "clear", "error"]
    assert rows[0]["entities"] == "Acme Corp"
    assert "Acme Corp" in rows[0]["matched_sponsors"]
    assert rows[2]["error"] == "no URL in this row"
    assert rows[1]["pages_read"] or rows[1]["verdict"] == "clear"


def test_json_report_is_checks_document_with_rows(tmp_path, finished):
    table, results, watchlists = finished
    write_report(tmp_path / "r.json", results, table, watchlists)
    doc = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert {"sponsorcheck", "watchlists", "results"} <= set(doc)  # fields may be added, never removed
    assert doc["watchlists"][0]["id"] == "test-pledge"
    first = doc["results"][0]
    assert {"target", "url", "verdict", "sponsors", "findings", "error"} <= set(first)
    assert first["row"] == {"date": "2026-06-01", "city": "Zürich", "url": table.rows[0].url}
    assert first["findings"][0]["entity"] == "acme"
    assert [r["verdict"] for r in doc["results"]] == ["conflict", "clear", "error"]


def test_markdown_report_reads_back(tmp_path, finished):
    table, results, watchlists = finished
    write_report(tmp_path / "r.md", results, table, watchlists)
    lines = (tmp_path / "r.md").read_text("utf-8").splitlines()
    assert lines[0].startswith("| date | city | url | verdict")
    body = [[c.strip() for c in line.strip("|").split(" | ")] for line in lines[2:]]
    assert [(b[1], b[3]) for b in body] == [("Zürich", "conflict"), ("Genève", "clear"), ("Basel", "error")]


def test_xlsx_report_reads_back(tmp_path, finished):
    openpyxl = pytest.importorskip("openpyxl")
    table, results, watchlists = finished
    write_report(tmp_path / "r.xlsx", results, table, watchlists)
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    values = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][:4] == ["date", "city", "url", "verdict"]
    assert [(v[1], v[3]) for v in values[1:]] == [("Zürich", "conflict"), ("Genève", "clear"), ("Basel", "error")]


def test_report_is_replaced_atomically_and_leaves_no_temporary_files(tmp_path, finished):
    table, results, watchlists = finished
    target = tmp_path / "out" / "r.csv"
    target.parent.mkdir()
    target.write_text("old report", "utf-8")
    target.chmod(0o640)
    write_report(target, results, table, watchlists)
    assert "Zürich" in target.read_text("utf-8-sig")
    assert [p.name for p in target.parent.iterdir()] == ["r.csv"]
    assert target.stat().st_mode & 0o777 == 0o640  # the replaced file's mode is kept
    fresh = tmp_path / "out" / "new.json"
    write_report(fresh, results, table, watchlists)
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temporary file's private 0600


def test_unwritable_or_unknown_outputs_are_refused_up_front(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        check_writable(tmp_path / "nowhere" / "r.csv")
    with pytest.raises(OutputError, match="directory"):
        check_writable(tmp_path)
    with pytest.raises(UsageError, match=r"\.csv"):
        check_writable(tmp_path / "r.pdf")
    check_writable(tmp_path / "r.csv")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# The command


runner = CliRunner()


def test_cli_batch_writes_report_and_exits_with_combined_status(tmp_path, httpserver, wl_path):
    serve(httpserver)
    path = write_tour(
        tmp_path / "t.csv", [("1", "a", httpserver.url_for("/conflict")), ("2", "b", httpserver.url_for("/clear"))]
    )
    out = tmp_path / "report.csv"
    result = runner.invoke(app, ["batch", str(path), "-o", str(out), "-w", str(wl_path), "--delay", "0"])
    assert result.exit_code == ExitStatus.CONFLICT, result.output
    assert [r["verdict"] for r in csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))] == ["conflict", "clear"]
    assert not Journal.path_for(out).exists()  # the journal goes once the full report is written
    assert "2 rows checked: 1 conflict, 1 clear" in result.stderr
    assert "conflict (1)" in result.stderr and "row 1 (1, a)" in result.stderr and "Acme Corp" in result.stderr


def test_cli_batch_table_on_stdout(tmp_path, httpserver, wl_path):
    serve(httpserver)
    path = write_tour(tmp_path / "t.csv", [("1", "Lyon", httpserver.url_for("/clear"))])
    result = runner.invoke(app, ["batch", str(path), "-w", str(wl_path), "--quiet"])
    assert result.exit_code == ExitStatus.CLEAR, result.output
    assert "Lyon" in result.stdout and "clear" in result.stdout
    assert result.stderr == ""


def test_cli_batch_error_rows_give_exit_4(tmp_path, wl_path):
    path = write_tour(tmp_path / "t.csv", [("1", "a", "")])
    result = runner.invoke(app, ["batch", str(path), "-w", str(wl_path), "-q"])
    assert result.exit_code == ExitStatus.TARGET_ERROR


def test_cli_unwritable_output_fails_before_any_request(tmp_path, httpserver, wl_path):
    serve(httpserver)
    path = write_tour(tmp_path / "t.csv", [("1", "a", httpserver.url_for("/clear"))])
    result = runner.invoke(app, ["batch", str(path), "-o", str(tmp_path / "no" / "r.csv"), "-w", str(wl_path)])
    assert result.exit_code == ExitStatus.USAGE
    assert "does not exist" in result.stderr and "Traceback" not in result.output
    assert len(httpserver.log) == 0


def test_cli_bad_input_is_one_line_exit_2(tmp_path, wl_path):
    (tmp_path / "t.csv").write_text("city,notes\nOslo,x\n", "utf-8")
    result = runner.invoke(app, ["batch", str(tmp_path / "t.csv"), "-w", str(wl_path)])
    assert result.exit_code == ExitStatus.USAGE
    assert "--url-column" in result.stderr
    result = runner.invoke(app, ["batch", str(tmp_path / "t.csv"), "--resume", "-w", str(wl_path)])
    assert result.exit_code == ExitStatus.USAGE and "--output" in result.stderr


def _batch_process(tour: Path, out: Path, wl_path: Path) -> tuple[list[str], dict[str, str], subprocess.Popen]:
    """Start `sponsorcheck batch` as a real process and return once its first row is in the journal."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "sponsorcheck", "batch", str(tour), "-o", str(out), "-w", str(wl_path)]
    command += ["--workers", "1", "--delay", "0", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    journal = Journal.path_for(out)
    for _ in range(300):  # until a first row is journaled (at most 30 s)
        if journal.exists() and '"row"' in journal.read_text("utf-8"):  # past the header line
            break
        time.sleep(0.1)
    return command, env, process


def _stop(process: subprocess.Popen, sig: int) -> bytes:
    """Send the signal, wait for the process to finish, and return its stderr (killing it if it hangs)."""
    try:
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    return stderr


def test_sigint_writes_finished_rows_and_resume_completes(tmp_path, wl_path):
    """A real process, a real SIGINT: the finished rows are in the report and --resume finishes the rest."""
    with _CountingServer(latency=0.3) as server:
        rows = [(str(n), f"city{n}", f"http://127.0.0.{2 + n}:{server.port}/p{n}") for n in range(6)]
        path = write_tour(tmp_path / "t.csv", rows)
        out = tmp_path / "report.json"
        journal = Journal.path_for(out)
        command, env, process = _batch_process(path, out, wl_path)
        stderr = _stop(process, signal.SIGINT)
        assert process.returncode == 130, stderr
        assert b"--resume" in stderr
        partial = json.loads(out.read_text("utf-8"))["results"]
        assert 1 <= len(partial) < 6
        assert journal.exists()

        resumed = subprocess.run([*command, "--resume"], cwd=ROOT, env=env, capture_output=True, timeout=60)
        assert resumed.returncode == ExitStatus.CLEAR, resumed.stderr
        full = json.loads(out.read_text("utf-8"))["results"]
        assert [r["row"]["city"] for r in full] == [f"city{n}" for n in range(6)]
        assert not journal.exists()


class _BrokenCache:
    """A cache whose reads fail, as a damaged cache file does."""

    def contains_key(self, url):
        return True

    def get(self, url):
        from sponsorcheck.cache import CacheError

        raise CacheError("the cache pages.sqlite is damaged")

    def put(self, url, page):
        pass


def test_a_failing_cache_costs_its_rows_not_the_run(tmp_path, httpserver, matcher):
    serve(httpserver)
    path = write_tour(
        tmp_path / "t.csv", [("1", "a", httpserver.url_for("/conflict")), ("2", "b", httpserver.url_for("/clear"))]
    )
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=5, retries=0), _BrokenCache())
    outcome = run_batch(read_table(path), fetcher, matcher, FAST)
    assert [r.verdict for r in outcome.results] == [Verdict.ERROR, Verdict.ERROR]
    assert all("damaged" in r.error.message for r in outcome.results)
    assert not outcome.interrupted


def test_sigterm_stops_like_ctrl_c(tmp_path, wl_path):
    with _CountingServer(latency=0.6) as server:
        rows = [(str(n), f"city{n}", f"http://127.0.0.{2 + n}:{server.port}/p{n}") for n in range(5)]
        path = write_tour(tmp_path / "t.csv", rows)
        out = tmp_path / "report.csv"
        _command, _env, process = _batch_process(path, out, wl_path)
        stderr = _stop(process, signal.SIGTERM)
        assert process.returncode == 130, stderr
        rows_written = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
        assert 1 <= len(rows_written) < 5


def test_jobs_analyse_in_worker_processes_with_the_same_results(tmp_path, httpserver, fetcher, matcher):
    serve(httpserver)
    path = write_tour(
        tmp_path / "t.csv",
        [("1", "a", httpserver.url_for("/conflict")), ("2", "b", httpserver.url_for("/clear")), ("3", "c", "TBA")],
    )
    table = read_table(path)
    in_process = run_batch(table, fetcher, matcher, FAST)
    in_workers = run_batch(table, fetcher, matcher, BatchOptions(workers=4, delay=0, jobs=1))

    def answer(r):  # what was found; when each page was downloaded differs between two runs
        return replace(r, fetched_at=None)

    assert [answer(r) for r in in_workers.results] == [answer(r) for r in in_process.results]
    assert [r.verdict for r in in_workers.results] == [Verdict.CONFLICT, Verdict.CLEAR, Verdict.ERROR]
