"""Running a batch: fetch workers fed by the scheduler, analysers that parse and match, results in input order.

Identical URLs are checked once. robots.txt is fetched once per host and kept in memory; a
disallowed page is reported with error kind "robots" and never fetched. Retries, deadlines, size
caps and the page cache stay in `fetch.Fetcher`; every row goes through `pipeline.check_target`,
exactly as `check`.

Nothing lost: each finished row is appended to the journal as it completes, a resumed run skips
the rows already there, and an interrupt (Ctrl-C or the `stop` event) ends the run within a moment
with the finished rows.

The core never prints: progress goes to a `BatchObserver` the caller supplies.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import requests

from sponsorcheck.batch.journal import Journal
from sponsorcheck.batch.robots import ROBOTS_DEADLINE, RobotsRules, fetch_robots
from sponsorcheck.batch.scheduler import _Scheduler
from sponsorcheck.batch.table import InputRow, Table, dedup_key, origin_of, target_url
from sponsorcheck.errors import RobotsDisallowed, SponsorcheckError, TargetError, UsageError
from sponsorcheck.fetch import Fetcher, make_session
from sponsorcheck.match import Matcher
from sponsorcheck.models import Page, Result
from sponsorcheck.pipeline import CheckOptions, check_target, error_result
from sponsorcheck.render import PAGES_PER_CONTEXT, Rendered, RenderMode, RenderPolicy
from sponsorcheck.watchlist import Watchlist

DEFAULT_WORKERS = 16
DEFAULT_PER_HOST = 2
# Threads that parse and match fetched pages. Python runs one thread's bytecode at a time, so more
# analysers than cores only multiply the parsed trees held in memory; two let lxml's parsing (which
# releases the GIL) overlap on a second core while the fetch workers keep every connection busy.
DEFAULT_ANALYSERS = 2
# Minimum seconds between the starts of two requests to one host. Half a second is slower than a
# person clicking through a site and far gentler than a browser loading one page (dozens of requests
# at once); with "nearly every date is another site" it costs no wall time, because the scheduler
# serves other hosts meanwhile (measured: see the README's benchmark notes).
DEFAULT_HOST_DELAY = 0.5
# How long an interrupted run waits for rows already being fetched before it writes the report.
INTERRUPT_GRACE = 1.0
# Connection pools kept at once: one per host of a tour, so robots.txt and the pages share a connection.
HOST_POOLS = 512
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number (malloc.h)
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value, kept fixed (see tune_allocator)
# Variables through which the environment configures requests (proxies, CA bundles, netrc).
ENVIRONMENT_SETTINGS = (
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NETRC",
)


def batch_session(workers: int = DEFAULT_WORKERS, per_host: int = DEFAULT_PER_HOST) -> requests.Session:
    """fetch.make_session tuned for a tour: a connection pool per host, the environment read once."""
    session = make_session(pool_size=workers)
    adapter = requests.adapters.HTTPAdapter(pool_connections=HOST_POOLS, pool_maxsize=per_host, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    # With trust_env, requests re-reads the proxy variables and stats ~/.netrc on *every* request
    # (about 5 % of a batch's CPU, profiled). When the environment has nothing to say, skip that.
    if not any(os.environ.get(name) for name in ENVIRONMENT_SETTINGS) and not _has_netrc():
        session.trust_env = False
    return session


def tune_allocator() -> None:
    """On glibc, return big buffers (page bodies, parsed trees) to the system as soon as they are freed.

    glibc raises its mmap threshold each time a large block is freed, after which page-sized buffers
    come from per-thread heaps that fragment and are never given back: a 1,000-row batch peaked at
    about 210 MB that way against about 125 MB with a fixed 128 KiB threshold (measured). A no-op
    on other C libraries.
    """
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        if not name:
            return
        libc = ctypes.CDLL(name)
        mallopt = getattr(libc, "mallopt", None)
        if mallopt is not None:
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError, ValueError):
        pass


def _has_netrc() -> bool:
    return any((Path.home() / name).exists() for name in (".netrc", "_netrc"))


class _HostTurnRenderer:
    """The batch's PageRenderer: a page's load in the browser waits for its host's delay and obeys robots.txt."""

    def __init__(self, renderer: Any, scheduler: _Scheduler, polite: _PoliteFetcher) -> None:
        self.renderer = renderer
        self.scheduler = scheduler
        self.polite = polite
        self.workers = int(getattr(renderer, "contexts", 1)) * PAGES_PER_CONTEXT

    def render(self, url: str, policy: RenderPolicy | None = None, screenshot: bool = False) -> Rendered:
        origin = origin_of(url)
        rules = self.scheduler.robots_for(origin)
        if self.polite._robots and rules is not None and not rules.allows(url, self.scheduler.user_agent):
            raise RobotsDisallowed(f"{url}: robots.txt does not allow this page to be fetched")
        self.scheduler.wait_turn(origin)
        return self.renderer.render(url, policy, screenshot)


class _PoliteFetcher(Fetcher):
    """The batch's Fetcher: the row's own page was scheduled already; any other page the pipeline reads
    (discovery of a sponsors page) is checked against robots.txt and waits for its host's delay."""

    def __init__(self, base: Fetcher, scheduler: _Scheduler, robots: bool) -> None:
        super().__init__(base.session, base.policy, base.cache, base.offline, base._sleep)
        self._scheduler = scheduler
        self._robots = robots
        self._local = threading.local()

    def begin(self, url: str, page: Page | None = None, error: TargetError | None = None) -> None:
        """The row's own page, fetched already by a fetch worker (or the error that fetching it gave)."""
        self._local.url = url
        self._local.page = page
        self._local.error = error

    def fetch(self, url: str, target: str | None = None) -> Page:
        """The prefetched page for the row's URL; any other page politely (robots.txt, host delay)."""
        if url == getattr(self._local, "url", None):
            if self._local.error is not None:
                raise self._local.error
            page = self._local.page
            if page is not None:
                return replace(page, target=target or url)
            return super().fetch(url, target)
        if (self.cache is not None and self.cache.get(url) is not None) or self.offline:
            return super().fetch(url, target)
        origin = origin_of(url)
        if self._robots:
            user_agent = self._scheduler.user_agent
            rules = self._scheduler.robots_for(origin)
            if rules is None:
                rules = fetch_robots(self.session, origin, user_agent, min(ROBOTS_DEADLINE, self.policy.deadline))
                self._scheduler.remember_robots(origin, rules)
            if not rules.allows(url, user_agent):
                raise RobotsDisallowed(f"{url}: robots.txt does not allow this page to be fetched")
        self._scheduler.wait_turn(origin)
        return super().fetch(url, target)


# ---------------------------------------------------------------------------------------------
# Running


class BatchObserver(Protocol):
    """Receives progress; the CLI draws it, tests record it. Called from the thread running the batch."""

    def started(self, total: int, already_done: int) -> None: ...

    def row_done(self, row: InputRow, result: Result) -> None: ...


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs."""

    workers: int = DEFAULT_WORKERS
    per_host: int = DEFAULT_PER_HOST
    delay: float = DEFAULT_HOST_DELAY
    robots: bool = True
    analysers: int = DEFAULT_ANALYSERS
    jobs: int = 0  # > 0: parse and match in that many worker processes instead of analyser threads
    check: CheckOptions = field(default_factory=CheckOptions)


@dataclass(frozen=True)
class BatchOutcome:
    """Results of the finished rows, in input order; `interrupted` when the run was stopped early."""

    results: tuple[Result, ...]
    total: int
    interrupted: bool = False
    resumed: int = 0


def run_batch(
    table: Table,
    fetcher: Fetcher,
    matcher: Matcher,
    options: BatchOptions | None = None,
    journal: Journal | None = None,
    observer: BatchObserver | None = None,
    stop: threading.Event | None = None,
    done: dict[int, Result] | None = None,
) -> BatchOutcome:
    """Check every row (rows in `done` are taken as finished); Ctrl-C or `stop` ends it early with what finished."""
    options = options or BatchOptions()
    stop = stop or threading.Event()
    done = dict(done or {})
    resumed = len(done)
    finished: dict[int, Result] = dict(done)
    if observer:
        observer.started(len(table.rows), resumed)

    # Plan: rows without a usable URL are answered at once; the others are grouped by page.
    rows_for: dict[str, list[InputRow]] = {}
    url_for: dict[str, str] = {}
    immediate: list[tuple[InputRow, Result]] = []
    for row in table.rows:
        if row.index in done:
            continue
        try:
            url = target_url(row.url)
        except UsageError as exc:
            immediate.append((row, replace(error_result(row.url, "url", exc.message), row=row.cells)))
            continue
        key = dedup_key(url)
        url_for.setdefault(key, url)
        rows_for.setdefault(key, []).append(row)

    def record(row: InputRow, result: Result) -> None:
        finished[row.index] = result
        if journal:
            journal.append(row, result)
        if observer:
            observer.row_done(row, result)

    for row, result in immediate:
        record(row, result)

    user_agent = str(fetcher.session.headers.get("User-Agent", ""))
    scheduler = _Scheduler(max(1, options.per_host), max(0.0, options.delay), options.robots, user_agent, stop)
    cache = fetcher.cache
    for url in url_for.values():
        cached = fetcher.offline or (cache is not None and _in_cache(cache, url))
        scheduler.add(url, cached)

    polite = _PoliteFetcher(fetcher, scheduler, options.robots and not fetcher.offline)
    results: queue.Queue[tuple[str, Result]] = queue.Queue()
    # Fetched pages wait here for an analyser. Bounded: when analysis falls behind, fetching pauses
    # instead of piling pages up in memory.
    fetched: queue.Queue[tuple[str, Page | None, TargetError | None] | None] = queue.Queue(
        maxsize=max(2, options.workers)
    )
    fetchers_left = [0]
    fetchers_lock = threading.Lock()

    def hand_over(item: tuple[str, Page | None, TargetError | None]) -> bool:
        while not stop.is_set():
            try:
                fetched.put(item, timeout=0.25)
                return True
            except queue.Full:
                continue
        return False

    def fetch_worker() -> None:
        try:
            while True:
                task = scheduler.next_task()
                if task is None:
                    return
                if task.kind == "refused":
                    result = error_result(task.url, "robots", f"{task.url}: {task.reason}")
                    results.put((dedup_key(task.url), result))
                    continue
                if task.kind == "robots":
                    rules = None
                    try:
                        seconds = min(ROBOTS_DEADLINE, fetcher.policy.deadline)
                        rules = fetch_robots(fetcher.session, task.origin, user_agent, seconds)
                    finally:
                        scheduler.finish(task, rules)
                    continue
                page: Page | None = None
                error: TargetError | None = None
                if task.kind == "cached":
                    try:
                        page = None if fetcher.offline or cache is None else cache.get(task.url)
                    except SponsorcheckError as exc:  # a damaged cache costs this row, not the run
                        error = TargetError(f"{task.url}: {exc.message}")
                    if page is None and error is None and not fetcher.offline:
                        scheduler.requeue(task.url)
                        continue
                else:
                    try:
                        page = fetcher.fetch(task.url, task.url)
                    except TargetError as exc:
                        error = exc
                    except Exception as exc:  # a bug or a library surprise costs this row only
                        error = TargetError(f"{task.url}: could not be fetched: {type(exc).__name__}: {exc}")
                    finally:
                        scheduler.finish(task)
                if not hand_over((task.url, page, error)):
                    return
        finally:
            with fetchers_lock:
                fetchers_left[0] -= 1
                last = fetchers_left[0] == 0
            if last:  # no more pages will come: let every analyser finish
                for _ in analysers:
                    fetched.put(None)

    def analyse_worker() -> None:
        while True:
            item = fetched.get()
            if item is None or stop.is_set():
                return
            url, page, error = item
            try:
                if pool is not None and page is not None:
                    result = pool.submit(_child_check, url, page).result()
                else:
                    polite.begin(url, page, error)
                    result = check_target(url, polite, matcher, check_options)
            except Exception as exc:  # one hostile page must never cost the other rows
                if stop.is_set():
                    return  # the process pool is being shut down: this row is left for --resume
                result = error_result(url, "internal", f"{url}: could not be checked: {type(exc).__name__}: {exc}")
            results.put((dedup_key(url), result))

    pool = _process_pool(options, matcher) if options.jobs > 0 and url_for else None
    check_options, renders = options.check, 0
    if options.check.renderer is not None:
        # The browser's load of a page waits for its host's turn like any request; analysers waiting on
        # the browser must not hold up the others, so there is one more analyser per page it may load.
        polite_renderer = _HostTurnRenderer(options.check.renderer, scheduler, polite)
        check_options = replace(options.check, renderer=polite_renderer)
        renders = polite_renderer.workers
        warm_up = getattr(options.check.renderer, "warm_up", None)
        if url_for and warm_up is not None and options.check.render is RenderMode.ALWAYS:
            # Every row will be rendered and Chromium takes 1-2 s to start: start it beside the first
            # fetches. (With auto it starts when the first page needs it: a tour may need none.)
            threading.Thread(target=warm_up, name="sponsorcheck-browser-start", daemon=True).start()
    n_fetchers = max(1, min(options.workers, len(url_for)))
    fetchers_left[0] = n_fetchers
    analysers = [
        threading.Thread(target=analyse_worker, name=f"sponsorcheck-analyse-{i}", daemon=True)
        for i in range(options.jobs if pool is not None else max(1, options.analysers) + renders)
    ]
    threads = [
        threading.Thread(target=fetch_worker, name=f"sponsorcheck-fetch-{i}", daemon=True) for i in range(n_fetchers)
    ]
    if url_for:
        threads += analysers
    for thread in threads:
        thread.start()

    remaining = len(url_for)
    interrupted = False
    try:
        while remaining and not stop.is_set():
            try:
                key, result = results.get(timeout=0.2)
            except queue.Empty:
                if not any(t.is_alive() for t in threads):
                    break
                continue
            remaining -= 1
            for row in rows_for[key]:
                record(row, replace(result, target=row.url, row=row.cells))
    except KeyboardInterrupt:
        interrupted = True
    if stop.is_set() or interrupted:
        interrupted = True
        stop.set()
        with scheduler.cond:
            scheduler.cond.notify_all()
        # Rows being analysed finish within a moment; pages still on the wire are left for --resume.
        deadline = time.monotonic() + INTERRUPT_GRACE
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        while True:
            try:
                key, result = results.get_nowait()
            except queue.Empty:
                break
            for row in rows_for[key]:
                record(row, replace(result, target=row.url, row=row.cells))
    if pool is not None:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
    if not interrupted:
        # Every row gets an answer: a row no worker could finish (a bug) says so instead of vanishing.
        for row in table.rows:
            if row.index not in finished:
                message = f"{row.url}: was not checked (an internal error stopped its worker); run again with --resume"
                record(row, replace(error_result(row.url, "internal", message), row=row.cells))
    ordered = tuple(finished[r.index] for r in table.rows if r.index in finished)
    return BatchOutcome(ordered, len(table.rows), interrupted and len(ordered) < len(table.rows), resumed)


# ---------------------------------------------------------------------------------------------
# --jobs: analysis in worker processes (opt-in: it needs a free core per process to pay off)

_CHILD: tuple[Matcher, CheckOptions, Fetcher, dict[str, RobotsRules]] | None = None


def _process_pool(options: BatchOptions, matcher: Matcher) -> Any:
    """A process pool whose workers each build the matcher once; spawned, never forked from threads."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=options.jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_child_init,
        initargs=(
            matcher.watchlists,
            matcher.min_score,
            replace(options.check, renderer=None, evidence=None),
            options.robots,
        ),
    )


def _child_init(watchlists: Sequence[Watchlist], min_score: int, check: CheckOptions, robots: bool) -> None:
    """In a --jobs process: ignore Ctrl-C (the parent decides what an interrupt means); build the matcher."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _CHILD
    rules: dict[str, RobotsRules] = {}
    _CHILD = (Matcher(watchlists, min_score), check, Fetcher(batch_session(2, 1)), rules if robots else {})
    if not robots:
        _CHILD[3]["*"] = RobotsRules()


def _child_check(url: str, page: Page) -> Result:
    """check_target on a page the parent fetched; pages beyond it are read here, robots.txt honoured."""
    assert _CHILD is not None
    matcher, check, fetcher, robots = _CHILD
    return check_target(url, _PrefetchedFetcher(fetcher, url, page, robots), matcher, check)


class _PrefetchedFetcher(Fetcher):
    """In a --jobs process: the row's page as fetched by the parent; other pages fetched after a robots check.

    The per-host delay is the parent's business and is not shared across processes, which is why
    --jobs is opt-in."""

    def __init__(self, base: Fetcher, url: str, page: Page, robots: dict[str, RobotsRules]) -> None:
        super().__init__(base.session, base.policy, base.cache, base.offline, base._sleep)
        self._url, self._page, self._robots = url, page, robots

    def fetch(self, url: str, target: str | None = None) -> Page:
        if url == self._url:
            return replace(self._page, target=target or url)
        if "*" not in self._robots:
            origin = origin_of(url)
            user_agent = str(self.session.headers.get("User-Agent", ""))
            if origin not in self._robots:
                seconds = min(ROBOTS_DEADLINE, self.policy.deadline)
                self._robots[origin] = fetch_robots(self.session, origin, user_agent, seconds)
            if not self._robots[origin].allows(url, user_agent):
                raise RobotsDisallowed(f"{url}: robots.txt does not allow this page to be fetched")
        return super().fetch(url, target)


def _in_cache(cache: Any, url: str) -> bool:
    contains = getattr(cache, "contains_key", None) or getattr(cache, "contains", None)
    if contains is not None:
        return bool(contains(url))
    return cache.get(url) is not None
