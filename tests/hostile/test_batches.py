"""Tours from people's hands and from a hostile web: `sponsorcheck batch` as a real subprocess.

Every case holds the batch to its promise: the documented exit code, at most one stderr line that
says what to do, no traceback, bounded time and memory, and every other row's result in the report.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sponsorcheck.errors import ExitStatus

from . import servers
from .conftest import MAX_PEAK_MB, assert_refused, run_cli
from .test_wire import gzip_bomb

CONFLICT_PAGE = (
    '<html><body><section id="sponsors"><h2>Sponsors</h2>'
    '<a href="https://www.amazon.com/"><img src="/img/amazon.png" alt="Amazon"></a></section></body></html>'
)
CLEAR_PAGE = (
    '<html><body><section id="sponsors"><h2>Sponsors</h2>'
    '<a href="https://brewery.example/"><img src="/img/brewery.png" alt="Local Brewery"></a></section></body></html>'
)
DEADLINE = 2
# Every per-row error says what to do, in one of these ways (fetch.py's and the URL checks' advice).
ADVICE = (
    "try again later",
    "--timeout",
    "check the URL",
    "check the address",
    "check a saved copy",
    "give the address of the festival's HTML page",
    "write it like https://",
    "for a saved page give its file path",
)
MARGIN = 4.0


@pytest.fixture
def pages(httpserver):
    """A conflict page and a clear page on the loopback server; returns their URLs."""
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    httpserver.expect_request("/conflict").respond_with_data(CONFLICT_PAGE, content_type="text/html")
    httpserver.expect_request("/clear").respond_with_data(CLEAR_PAGE, content_type="text/html")
    return httpserver.url_for("/conflict"), httpserver.url_for("/clear")


def write_tour(path, rows, encoding="utf-8", delimiter=",", bom=b"") -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(bom + buffer.getvalue().encode(encoding))
    return str(path)


def batch(tour: str, output: str, watchlist: str, *options: str, **kwargs):
    return run_cli(
        "batch", tour, "--output", output, "--watchlist", watchlist, "--quiet", "--no-cache", "--delay", "0",
        *options, **kwargs,
    )  # fmt: skip


def report_rows(output: str) -> list[dict[str, str]]:
    csv.field_size_limit(10_000_000)  # the report carries the 200,000-character cell back
    with open(output, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_batch_done(run, status: ExitStatus, max_seconds: float) -> None:
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.returncode == status, f"exit {run.returncode}, wanted {int(status)}; stderr: {run.stderr[-2000:]}"
    assert run.seconds < max_seconds + 4, f"took {run.seconds:.1f} s"
    assert run.peak_mb < MAX_PEAK_MB, f"peak RSS {run.peak_mb:.0f} MB"


# --- input files that are not what a tour should be -------------------------------------------------


def test_no_url_column(tmp_path, watchlist_path, httpserver):
    tour = write_tour(tmp_path / "tour.csv", [["date", "city", "venue"], ["2026-06-01", "Berlin", "Columbiahalle"]])
    run = batch(tour, str(tmp_path / "report.csv"), watchlist_path, label="batch: no URL column")
    assert_refused(run, ExitStatus.USAGE, 2, "which column holds the URLs", "--url-column")
    assert not (tmp_path / "report.csv").exists()
    assert len(httpserver.log) == 0


@pytest.mark.parametrize(
    "content", [b"", b"\r\n\r\n  \r\n", b"\xef\xbb\xbf"], ids=["empty", "blank lines", "only a BOM"]
)
def test_an_empty_tour(tmp_path, watchlist_path, content):
    tour = tmp_path / "tour.csv"
    tour.write_bytes(content)
    run = batch(str(tour), str(tmp_path / "report.csv"), watchlist_path, label="batch: empty file")
    assert_refused(run, ExitStatus.USAGE, 2, "empty", "header row")


def test_random_bytes_as_a_tour(tmp_path, watchlist_path):
    tour = tmp_path / "tour.csv"
    tour.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(100_000)))
    run = batch(str(tour), str(tmp_path / "report.csv"), watchlist_path, label="batch: random bytes")
    assert_refused(run, ExitStatus.USAGE, 2, "--url-column")


@pytest.mark.parametrize(
    ("case", "encoding", "delimiter", "bom"),
    [
        ("UTF-8 with a BOM", "utf-8", ",", b"\xef\xbb\xbf"),
        ("; delimiters", "utf-8", ";", b""),
        ("windows-1252 with ;", "windows-1252", ";", b""),
        ("tabs, UTF-16 with a BOM", "utf-16-le", "\t", b"\xff\xfe"),
    ],
)
def test_dialects_and_encodings_keep_every_row_and_cell(
    tmp_path, watchlist_path, pages, case, encoding, delimiter, bom
):
    conflict, clear = pages
    rows = [
        ["Datum", "Stadt", "Event URL"],
        ["2026-06-01", "Zürich", conflict],
        ["2026-06-02", "Málaga; Andalucía", clear],
        ["2026-06-03", "Kraków", ""],
    ]
    tour = write_tour(tmp_path / "tour.csv", rows, encoding, delimiter, bom)
    output = str(tmp_path / "report.csv")
    run = batch(tour, output, watchlist_path, label=f"batch: {case}")
    assert_batch_done(run, ExitStatus.CONFLICT, 10)
    report = report_rows(output)
    assert [r["Stadt"] for r in report] == ["Zürich", "Málaga; Andalucía", "Kraków"]
    assert [r["verdict"] for r in report] == ["conflict", "clear", "error"]


# --- size --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_50000_row_tour(tmp_path, watchlist_path, pages, httpserver):
    conflict, clear = pages
    rows = [["date", "city", "url"]]
    rows += [
        [f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}", f"City {i}", (conflict, clear, "")[i % 3]] for i in range(50_000)
    ]
    tour = write_tour(tmp_path / "tour.csv", rows)
    output = str(tmp_path / "report.csv")
    run = batch(tour, output, watchlist_path, label="batch: 50,000 rows")
    assert_batch_done(run, ExitStatus.CONFLICT, 30)
    report = report_rows(output)
    assert len(report) == 50_000
    assert [r["city"] for r in report[:3]] == ["City 0", "City 1", "City 2"]
    assert {r["verdict"] for r in report[0::3]} == {"conflict"}
    assert {r["verdict"] for r in report[1::3]} == {"clear"}
    assert {r["verdict"] for r in report[2::3]} == {"error"}
    page_requests = [request for request, _ in httpserver.log if request.path != "/robots.txt"]
    assert len(page_requests) == 2  # identical URLs fetched once


def test_huge_cells(tmp_path, watchlist_path, pages, httpserver):
    conflict, clear = pages
    long_path = "/" + "a" * 9_970
    httpserver.expect_request(long_path).respond_with_data(CONFLICT_PAGE, content_type="text/html")
    long_url = httpserver.url_for(long_path)
    notes = "n" * 10_000
    huge = "h" * 200_000  # beyond Python csv's default field limit (131,072)
    rows = [
        ["city", "notes", "url"],
        ["Long URL", "x", long_url],
        ["Long note", notes, clear],
        ["Huge note", huge, conflict],
    ]
    tour = write_tour(tmp_path / "tour.csv", rows)
    output = str(tmp_path / "report.csv")
    run = batch(tour, output, watchlist_path, label="batch: 10,000- and 200,000-character cells")
    assert_batch_done(run, ExitStatus.CONFLICT, 10)
    report = report_rows(output)
    assert [r["verdict"] for r in report] == ["conflict", "clear", "conflict"]
    assert report[1]["notes"] == notes
    assert report[2]["notes"] == huge


def test_duplicate_rows_are_all_reported_and_fetched_once(tmp_path, watchlist_path, pages, httpserver):
    conflict, clear = pages
    rows = [["city", "url"]] + [["Same", conflict]] * 10 + [["Other", clear]] + [["Same", conflict]] * 5
    tour = write_tour(tmp_path / "tour.csv", rows)
    output = str(tmp_path / "report.csv")
    run = batch(tour, output, watchlist_path, label="batch: duplicate rows")
    assert_batch_done(run, ExitStatus.CONFLICT, 10)
    assert [r["verdict"] for r in report_rows(output)] == ["conflict"] * 10 + ["clear"] + ["conflict"] * 5
    assert sum(1 for request, _ in httpserver.log if request.path == "/conflict") == 1


# --- a hostile web inside a tour ------------------------------------------------------------------


def test_every_hostile_row_is_an_error_row_and_the_others_are_checked(tmp_path, watchlist_path, pages, httpserver):
    conflict, clear = pages
    httpserver.expect_request("/500").respond_with_data("oops", status=500)
    httpserver.expect_request("/404").respond_with_data("gone", status=404)
    httpserver.expect_request("/pdf").respond_with_data(b"%PDF-1.7 ...", content_type="application/pdf")
    httpserver.expect_request("/bomb").respond_with_data(
        gzip_bomb(), content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    httpserver.expect_request("/garbage").respond_with_data(bytes(range(256)) * 400, content_type="text/html")
    with (
        servers.RawServer(servers.drip_headers) as drip,
        servers.RawServer(servers.never_answer) as silent,
        servers.RawServer(servers.reset) as reset,
        servers.RawServer(servers.endless_body) as endless,
    ):
        # Each raw server misbehaves on robots.txt too, so the robots fetch is as hostile as the page.
        hostile = {
            "drip": drip.url(),
            "silent": silent.url(),
            "reset": reset.url(),
            "endless": endless.url(),
            "500": httpserver.url_for("/500"),
            "404": httpserver.url_for("/404"),
            "pdf": httpserver.url_for("/pdf"),
            "bomb": httpserver.url_for("/bomb"),
            "garbage": httpserver.url_for("/garbage"),
            "ftp": "ftp://127.0.0.1/tour.html",
            "no host": "http:///sponsors",
        }
        rows = [["name", "url"], ["good conflict", conflict]]
        rows += [[name, url] for name, url in hostile.items()]
        rows += [["good clear", clear]]
        tour = write_tour(tmp_path / "tour.csv", rows)
        output = str(tmp_path / "report.json")
        run = batch(
            tour, output, watchlist_path, "--timeout", str(DEADLINE),
            label="batch: a tour of 11 hostile servers and 2 good pages",
        )  # fmt: skip
    assert_batch_done(run, ExitStatus.CONFLICT, DEADLINE * 2 + MARGIN)
    results = json.loads(Path(output).read_text(encoding="utf-8"))["results"]
    assert len(results) == len(rows) - 1
    assert results[0]["verdict"] == "conflict" and results[-1]["verdict"] == "clear"
    for name, result in zip(hostile, results[1:-1], strict=True):
        assert result["verdict"] == "error", (name, result)
        message = result["error"]["message"]
        assert "\n" not in message and len(message) < 400, (name, message)
        assert any(advice in message for advice in ADVICE), (name, message)


# --- interruption and output -------------------------------------------------------------------------


def test_ctrl_c_keeps_the_finished_rows(tmp_path, watchlist_path, pages):
    conflict, clear = pages
    with servers.RawServer(servers.drip_body) as drip:
        rows = [["city", "url"], ["A", conflict], ["B", drip.url("/slow")], ["C", clear]]
        tour = write_tour(tmp_path / "tour.csv", rows)
        output = str(tmp_path / "report.csv")
        run = batch(tour, output, watchlist_path, "--timeout", "60", "--ignore-robots", interrupt_after=3.0,
                    label="batch: Ctrl-C while one row drips")  # fmt: skip
    assert run.returncode == 130
    assert "Traceback" not in run.stderr
    assert run.seconds < 3.0 + MARGIN
    assert run.peak_mb < MAX_PEAK_MB
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "interrupted" in lines[0] and "--resume" in lines[0]
    report = {r["city"]: r["verdict"] for r in report_rows(output)}
    assert report == {"A": "conflict", "C": "clear"}  # the finished rows; B was still dripping


@pytest.mark.parametrize(
    ("where", "says"),
    [("missing/report.csv", "does not exist"), ("", "is a directory"), ("tour.csv/report.csv", "does not exist")],
)
def test_an_unwritable_output_path_fails_before_any_work(tmp_path, watchlist_path, pages, httpserver, where, says):
    conflict, _ = pages
    tour = write_tour(tmp_path / "tour.csv", [["city", "url"], ["A", conflict]])
    output = str(tmp_path / where) if where else str(tmp_path)
    run = batch(tour, output, watchlist_path, label=f"batch: unwritable output {where or 'a directory'}")
    assert_refused(run, ExitStatus.USAGE, 2, says)
    assert len(httpserver.log) == 0  # nothing fetched
