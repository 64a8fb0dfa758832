"""Batch reads linked sponsor pages through its scheduler: politely, on fetch workers, and from the cache.

Pages here are of one class: a festival home page whose sponsors are one link away (a "Sponsors"
link in the navigation to a same-site page holding the logo grid). Each loopback "host" is its own
server on its own 127.0.0.x address, so hosts differ as they do on the web (origin = scheme, host,
port) and the server can count what each host was asked.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sqlite3
import threading
import time
from collections import defaultdict
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sponsorcheck.batch import BatchOptions, Journal, batch_session, read_table, run_batch
from sponsorcheck.batch.robots import ROBOTS_TABLE
from sponsorcheck.cache import PageCache
from sponsorcheck.fetch import Fetcher, FetchPolicy
from sponsorcheck.match import Matcher
from sponsorcheck.models import Page, Verdict
from sponsorcheck.watchlist import load_watchlist

from .small_watchlist import ACME_WATCHLIST as WATCHLIST

HTML = "text/html; charset=utf-8"
ALLOW_ALL = "User-agent: *\nAllow: /\n"


def home_page(sponsors_path: str, title: str = "Harbour Folk Days") -> str:
    """A home page of the class: programme text, and a navigation link to the sponsors page."""
    return (
        f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a> <a href='/tickets'>Tickets</a> "
        f"<a href='{sponsors_path}'>Sponsors</a></nav><main><h1>{title}</h1><p>Three stages by the harbour, "
        "food from local kitchens and a late-night tent.</p></main></body></html>"
    )


def sponsors_page(*names: str) -> str:
    logos = "".join(f"<img src='/logos/{n.split()[0].lower()}.png' alt='{n}'>" for n in names)
    return f"<html><body><section id='sponsors'><h2>Our sponsors</h2>{logos}</section></body></html>"


class Host:
    """One loopback web host: routes path → (status, headers, body), a log of (path, start, end) per request."""

    def __init__(self, address: str, latency: float = 0.0) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], str]] = {"/robots.txt": (200, {}, ALLOW_ALL)}
        self.log: list[tuple[str, float, float]] = []
        self.active = 0
        self.max_active = 0
        self.latency: dict[str, float] = defaultdict(lambda: latency)
        lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                start = time.monotonic()
                with lock:
                    owner.active += 1
                    owner.max_active = max(owner.max_active, owner.active)
                try:
                    time.sleep(owner.latency[self.path])
                    status, headers, body = owner.routes.get(self.path, (404, {}, "not here"))
                    data = body.encode()
                    self.send_response(status)
                    for name, value in {"Content-Type": HTML, **headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    with lock:
                        owner.active -= 1
                        owner.log.append((self.path, start, time.monotonic()))

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://{address}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.origin + path

    def requests(self, path: str) -> int:
        return sum(1 for p, _, _ in self.log if p == path)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hosts():
    made: list[Host] = []

    def make(n: int, latency: float = 0.0) -> list[Host]:
        new = [Host(f"127.0.0.{len(made) + i + 2}", latency) for i in range(n)]
        made.extend(new)
        return new

    yield make
    for host in made:
        host.close()


@pytest.fixture
def matcher(tmp_path):
    path = tmp_path / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return Matcher([load_watchlist(path)])


class RecordingFetcher(Fetcher):
    """A real Fetcher that notes which thread fetched each page."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.threads: list[str] = []

    def fetch(self, url: str, target: str | None = None) -> Page:
        self.threads.append(threading.current_thread().name)
        return super().fetch(url, target)


def make_fetcher(cache: PageCache | None = None, offline: bool = False) -> RecordingFetcher:
    policy = FetchPolicy(deadline=5, connect_timeout=2, read_timeout=2, retries=0)
    return RecordingFetcher(batch_session(8, 2), policy, cache, offline, sleep=lambda s: None)


def write_tour(path: Path, urls: list[str]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("date", "city", "url"))
    writer.writerows((f"2026-07-{n + 1:02d}", f"city {n}", url) for n, url in enumerate(urls))
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_linked_sponsor_pages_wait_in_their_hosts_queue_and_are_fetched_by_fetch_workers(tmp_path, hosts, matcher):
    festivals = hosts(3, latency=0.05)
    urls = []
    for n, host in enumerate(festivals):
        for page in ("a", "b"):
            host.routes[f"/{page}"] = (200, {}, home_page(f"/{page}-sponsors"))
            names = ("Acme Corp", "Harbour Bakery") if n == 0 and page == "a" else ("Harbour Bakery",)
            host.routes[f"/{page}-sponsors"] = (200, {}, sponsors_page(*names))
            urls.append(host.url(f"/{page}"))
    fetcher = make_fetcher()
    delay = 0.3
    options = BatchOptions(workers=8, per_host=1, delay=delay, analysers=1)
    outcome = run_batch(read_table(write_tour(tmp_path / "t.csv", urls)), fetcher, matcher, options)

    assert [r.verdict for r in outcome.results] == [Verdict.CONFLICT] + [Verdict.CLEAR] * 5
    assert outcome.results[0].pages_read == (urls[0], festivals[0].url("/a-sponsors"))
    # Every page, the linked ones included, was fetched by a fetch worker: the analyser never waited on the network.
    assert len(fetcher.threads) == 12 and all(t.startswith("sponsorcheck-fetch-") for t in fetcher.threads)
    for host in festivals:
        assert host.requests("/robots.txt") == 1
        assert host.max_active == 1  # the per-host cap covers linked pages too
        starts = sorted(start for path, start, _ in host.log if path != "/robots.txt")
        assert len(starts) == 4
        # The host delay spaces every request to the host, whoever asked for the page (a small margin
        # for the clocks of two threads).
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert all(gap >= delay - 0.02 for gap in gaps), gaps


def test_a_linked_page_robots_txt_disallows_is_not_fetched_and_says_so(tmp_path, hosts, matcher):
    (host,) = hosts(1)
    host.routes["/robots.txt"] = (200, {}, "User-agent: *\nDisallow: /partners\n")
    host.routes["/"] = (200, {}, home_page("/partners"))
    host.routes["/partners"] = (200, {}, sponsors_page("Acme Corp"))
    outcome = run_batch(read_table(write_tour(tmp_path / "t.csv", [host.url("/")])), make_fetcher(), matcher)
    result = outcome.results[0]
    assert result.verdict is not Verdict.CONFLICT and result.verdict is not Verdict.CLEAR
    assert any("robots.txt does not allow" in h and "/partners" in h for h in result.hints)
    assert host.requests("/partners") == 0


def test_rows_finish_in_any_order_and_the_report_keeps_input_order(tmp_path, hosts, matcher):
    slow, fast = hosts(2)
    slow.routes["/"] = (200, {}, sponsors_page("Acme Corp"))
    slow.latency["/"] = 0.8
    fast.routes["/"] = (200, {}, sponsors_page("Harbour Bakery"))
    tour = write_tour(tmp_path / "t.csv", [slow.url("/"), fast.url("/")])
    journal = Journal(tmp_path / "out.csv.journal.jsonl")
    journal.open(fresh=True)
    outcome = run_batch(read_table(tour), make_fetcher(), matcher, BatchOptions(delay=0), journal)
    journal.close()
    assert [r.verdict for r in outcome.results] == [Verdict.CONFLICT, Verdict.CLEAR]  # input order
    lines = [json.loads(line) for line in journal.path.read_text("utf-8").splitlines()]
    assert [entry["row"] for entry in lines if "row" in entry] == [1, 0]  # the fast row finished first


def test_a_redirect_to_another_host_obeys_that_hosts_robots_txt(tmp_path, hosts, matcher):
    old, new = hosts(2)
    old.routes["/fest"] = (302, {"Location": new.url("/private")}, "")
    old.routes["/moved"] = (301, {"Location": new.url("/open")}, "")
    new.routes["/robots.txt"] = (200, {}, "User-agent: *\nDisallow: /private\n")
    new.routes["/private"] = (200, {}, sponsors_page("Acme Corp"))
    new.routes["/open"] = (200, {}, sponsors_page("Acme Corp"))
    tour = write_tour(tmp_path / "t.csv", [old.url("/fest"), old.url("/moved")])
    outcome = run_batch(read_table(tour), make_fetcher(), matcher, BatchOptions(delay=0))
    refused, followed = outcome.results
    assert refused.verdict is Verdict.ERROR and refused.error.kind == "robots"
    assert new.requests("/private") == 0  # never asked: the new host's robots.txt forbids it
    assert followed.verdict is Verdict.CONFLICT and followed.url == new.url("/open")
    assert new.requests("/robots.txt") == 1


def test_a_redirect_to_another_host_waits_for_that_hosts_delay(tmp_path, hosts, matcher):
    old, new = hosts(2)
    old.routes["/fest"] = (302, {"Location": new.url("/fest")}, "")
    new.routes["/fest"] = (200, {}, sponsors_page("Harbour Bakery"))
    new.routes["/other"] = (200, {}, sponsors_page("Harbour Bakery"))
    tour = write_tour(tmp_path / "t.csv", [new.url("/other"), old.url("/fest")])
    delay = 0.4
    outcome = run_batch(read_table(tour), make_fetcher(), matcher, BatchOptions(delay=delay))
    assert [r.verdict for r in outcome.results] == [Verdict.CLEAR, Verdict.CLEAR]
    starts = sorted(start for path, start, _ in new.log if path != "/robots.txt")
    assert len(starts) == 2 and starts[1] - starts[0] >= delay - 0.02


def test_robots_answers_are_kept_in_the_cache_file_for_the_next_run(tmp_path, hosts, matcher):
    (host,) = hosts(1)
    host.routes["/"] = (200, {}, home_page("/sponsors"))
    host.routes["/sponsors"] = (200, {}, sponsors_page("Harbour Bakery"))
    tour = read_table(write_tour(tmp_path / "t.csv", [host.url("/")]))
    cache_file = tmp_path / "pages.sqlite"
    for _ in range(2):
        cache = PageCache(cache_file, max_age=3600)
        run_batch(tour, make_fetcher(cache), matcher, BatchOptions(delay=0))
        cache.close()
    assert host.requests("/robots.txt") == 1  # the second run did not ask again
    assert host.requests("/") == 1 and host.requests("/sponsors") == 1  # both pages came from the cache
    with sqlite3.connect(cache_file) as db:
        assert db.execute(f"SELECT count(*) FROM {ROBOTS_TABLE}").fetchone() == (1,)


def test_a_cached_page_is_refused_when_robots_txt_disallows_it(tmp_path, hosts, matcher):
    (host,) = hosts(1)
    host.routes["/"] = (200, {}, sponsors_page("Acme Corp"))
    tour = read_table(write_tour(tmp_path / "t.csv", [host.url("/")]))
    cache_file = tmp_path / "pages.sqlite"
    cache = PageCache(cache_file, max_age=3600)
    first = run_batch(tour, make_fetcher(cache), matcher, BatchOptions(delay=0, robots=False))
    assert first.results[0].verdict is Verdict.CONFLICT  # fetched (robots ignored) and cached
    host.routes["/robots.txt"] = (200, {}, "User-agent: *\nDisallow: /\n")
    second = run_batch(tour, make_fetcher(cache), matcher, BatchOptions(delay=0))
    cache.close()
    assert second.results[0].verdict is Verdict.ERROR and second.results[0].error.kind == "robots"
    assert host.requests("/") == 1  # the page was in the cache; robots.txt still decides


def test_jobs_use_the_parents_fetcher_and_cache_for_linked_pages(tmp_path, hosts, matcher):
    (host,) = hosts(1)
    host.routes["/"] = (200, {}, home_page("/sponsors"))
    host.routes["/sponsors"] = (200, {}, sponsors_page("Acme Corp"))
    tour = read_table(write_tour(tmp_path / "t.csv", [host.url("/")]))
    cache = PageCache(tmp_path / "pages.sqlite", max_age=3600)
    in_process = run_batch(tour, make_fetcher(cache), matcher, BatchOptions(delay=0))
    host.close()  # nothing can be fetched any more: every page must come from the cache
    in_workers = run_batch(tour, make_fetcher(cache), matcher, BatchOptions(delay=0, jobs=1))
    cache.close()
    assert in_process.results[0].verdict is Verdict.CONFLICT
    first, again = in_process.results[0], in_workers.results[0]
    assert again.from_cache and not first.from_cache  # every page, the linked one too, from the parent's cache
    assert replace(again, fetched_at=None, from_cache=False) == replace(first, fetched_at=None)


def test_cache_clear_forgets_robots_answers_too(tmp_path, hosts, matcher):
    from sponsorcheck.cache import clear_cache

    (host,) = hosts(1)
    host.routes["/"] = (200, {}, sponsors_page("Harbour Bakery"))
    tour = read_table(write_tour(tmp_path / "t.csv", [host.url("/")]))
    cache_file = tmp_path / "pages.sqlite"
    cache = PageCache(cache_file, max_age=3600)
    run_batch(tour, make_fetcher(cache), matcher, BatchOptions(delay=0))
    cache.close()
    assert clear_cache(cache_file) == (1, False)  # the file is recognised as ours, robots table and all
    cache = PageCache(cache_file, max_age=3600)
    run_batch(tour, make_fetcher(cache), matcher, BatchOptions(delay=0))
    cache.close()
    assert host.requests("/robots.txt") == 2  # asked again after the clear


# ---------------------------------------------------------------------------------------------
# The journal's format version


@pytest.mark.parametrize("version", [99, "two", 1, None])
def test_resume_refuses_a_journal_of_another_format_in_one_line(tmp_path, hosts, version):
    """A header naming a format this release does not read (a newer release's, a damaged one) is refused."""
    from typer.testing import CliRunner

    from sponsorcheck.batch.journal import HEADER_KEY
    from sponsorcheck.cli import app
    from sponsorcheck.errors import ExitStatus

    (host,) = hosts(1)
    host.routes["/"] = (200, {}, sponsors_page("Harbour Bakery"))
    tour = write_tour(tmp_path / "t.csv", [host.url("/")])
    out = tmp_path / "r.csv"
    journal = Journal.path_for(out)
    header = {HEADER_KEY: version, "input": str(tour)}
    row = {"row": 0, "url": host.url("/"), "result": {"target": host.url("/")}}
    journal.write_text(json.dumps(header) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    before = journal.read_bytes()
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    result = CliRunner().invoke(app, ["batch", str(tour), "-o", str(out), "-w", str(watchlist), "--resume"])
    assert result.exit_code == ExitStatus.USAGE, result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    assert "journal in format" in message and "run without --resume" in message
    assert journal.read_bytes() == before  # the journal is left as it was
    assert not out.exists() and host.requests("/") == 0  # refused before any request
