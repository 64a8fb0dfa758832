"""Running a batch: fetch workers fed by the scheduler, analysers that never wait on the network.

Every distinct URL of the tour is one *check* (rows with the same URL share it), driven as the
state machine `pipeline.TargetCheck`: row page fetched → extracted → linked sponsor pages asked for
→ each fetched and extracted → merged → matched → Result. Every page a check needs — its own, a
linked sponsors page, the next hop of a redirect to another host — is a task in its host's slot of
the scheduler (robots.txt, delay, per-host cap, page cache), fetched by a fetch worker and handed
to an analyser through a bounded queue. An analyser only extracts and matches: it never sleeps
and never fetches, so the fetch workers keep every connection busy. Checks finish in any order;
the results are put back in input order.

Retries, deadlines and size caps stay in `fetch.Fetcher`; robots.txt answers are kept in the page
cache's file (`robots.RobotsStore`). With --jobs, extraction runs in worker processes that only
parse: every fetch, with every fetch option and the cache, stays in this process.

Nothing lost: each finished row is appended to the journal as it completes, a resumed run skips
the rows already there, and an interrupt (Ctrl-C or the `stop` event) ends the run within a moment
with the finished rows.

The core never prints: progress goes to a `BatchObserver` the caller supplies.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sponsorcheck.batch.journal import Journal
from sponsorcheck.batch.robots import ROBOTS_DEADLINE, RobotsRules, RobotsStore, fetch_robots_answer
from sponsorcheck.batch.scheduler import _Scheduler, _Task
from sponsorcheck.batch.session import DEFAULT_PER_HOST, DEFAULT_WORKERS, HostRedirect, stop_at_other_hosts
from sponsorcheck.batch.table import InputRow, Table, dedup_key, origin_of, target_address
from sponsorcheck.errors import FetchError, RobotsDisallowed, SponsorcheckError, TargetError, UsageError
from sponsorcheck.extract import extract
from sponsorcheck.fetch import Fetcher, validate_url
from sponsorcheck.match import Matcher
from sponsorcheck.models import Extraction, Page, Result
from sponsorcheck.pipeline import CheckOptions, PageRead, TargetCheck, _Reads, error_result, read_page
from sponsorcheck.render import PAGES_PER_CONTEXT, Rendered, RenderMode, RenderPolicy
from sponsorcheck.watchlist import Watchlist

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
    jobs: int = 0  # > 0: parse pages in that many worker processes instead of analyser threads
    check: CheckOptions = field(default_factory=CheckOptions)


@dataclass(frozen=True)
class BatchOutcome:
    """Results of the finished rows, in input order; `interrupted` when the run was stopped early."""

    results: tuple[Result, ...]
    total: int
    interrupted: bool = False
    resumed: int = 0


@dataclass(eq=False)
class _Check:
    """One distinct URL of the tour being checked (the rows that share it get its result)."""

    key: str
    url: str
    check: TargetCheck
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class _Ticket:
    """Which check a queued page is for, and which page of it: its own (`first`) or a follow-up."""

    job: _Check
    asked: str  # the URL the check asked for (a redirect's later hops keep it)
    first: bool
    hops: int = 0  # redirects to other hosts followed so far


class _HostTurnRenderer:
    """The batch's PageRenderer: a page's load in the browser obeys robots.txt and waits for its host's delay.

    A render runs in an analyser thread of its own (one per page the browser may load at once), so a
    render waiting for its turn holds up no fetch and no other analysis.
    """

    def __init__(self, renderer: Any, scheduler: _Scheduler) -> None:
        self.renderer = renderer
        self.scheduler = scheduler
        self.workers = int(getattr(renderer, "contexts", 1)) * PAGES_PER_CONTEXT

    def render(self, url: str, policy: RenderPolicy | None = None, screenshot: bool = False) -> Rendered:
        origin = origin_of(url)
        rules = self.scheduler.robots_for(origin)
        if self.scheduler.robots and rules is not None and not rules.allows(url, self.scheduler.user_agent):
            raise RobotsDisallowed(f"{url}: robots.txt does not allow this page to be fetched")
        self.scheduler.wait_turn(origin)
        return self.renderer.render(url, policy, screenshot)


class _Run:
    """The state of one run_batch call: scheduler, workers and the checks in progress."""

    def __init__(
        self, fetcher: Fetcher, matcher: Matcher, options: BatchOptions, stop: threading.Event, pool: Any
    ) -> None:
        self.fetcher = fetcher
        self.matcher = matcher
        self.options = options
        self.stop = stop
        self.pool = pool
        self.cache = fetcher.cache
        self.user_agent = str(fetcher.session.headers.get("User-Agent", ""))
        self.robots = options.robots
        cache_path = getattr(self.cache, "path", None)
        self.robots_store = RobotsStore(cache_path) if self.robots and cache_path is not None else None
        per_host, delay = max(1, options.per_host), max(0.0, options.delay)
        self.scheduler = _Scheduler(per_host, delay, self.robots, self.user_agent, stop)
        self.results: queue.Queue[tuple[str, Result]] = queue.Queue()
        # Fetched pages wait here for an analyser. Bounded: when analysis falls behind, fetching pauses
        # instead of piling pages up in memory.
        self.fetched: queue.Queue[tuple[_Ticket, Page | None, TargetError | None] | None] = queue.Queue(
            maxsize=max(2, options.workers)
        )
        self.check_options = options.check
        self.renders = 0
        if options.check.renderer is not None:
            polite = _HostTurnRenderer(options.check.renderer, self.scheduler)
            self.check_options = replace(options.check, renderer=polite)
            self.renders = polite.workers

    def reader(self) -> tuple[Callable[[Page], Extraction], _Reads]:
        """How one check reads its pages (parse, and render when asked), and the record of what it read."""
        reads = _Reads()
        pool = self.pool
        if pool is not None and self.check_options.render is RenderMode.NEVER:

            def in_child(page: Page) -> Extraction:
                reads.items.append(PageRead(page))
                return pool.submit(_child_extract, page).result()

            return in_child, reads

        def in_process(page: Page) -> Extraction:
            return read_page(page, self.fetcher, self.check_options, reads, self.matcher)

        return in_process, reads

    # -- queueing pages --------------------------------------------------------------------------

    def schedule(self, url: str, ticket: _Ticket) -> None:
        """Queue one page of a check on its host's slot (cached pages cost no request)."""
        cached = self.fetcher.offline or (self.cache is not None and _in_cache(self.cache, url))
        self.scheduler.add(url, cached=cached, ticket=ticket, urgent=not ticket.first or ticket.hops > 0)

    # -- fetch workers ---------------------------------------------------------------------------

    def fetch_worker(self) -> None:
        while True:
            task = self.scheduler.next_task()
            if task is None:
                return
            if task.kind == "robots":
                rules = None
                try:
                    rules = self.robots_rules(task.origin)
                finally:
                    self.scheduler.finish(task, rules)
                continue
            outcome = self.fetch(task)
            if outcome is not None and not self.hand_over(outcome):
                return

    def robots_rules(self, origin: str) -> RobotsRules:
        """The host's rules: from the store when it has a fresh answer, else asked (and kept)."""
        store = self.robots_store
        answer = store.get(origin) if store is not None else None
        if answer is None and not self.fetcher.offline:
            answer = fetch_robots_answer(
                self.fetcher.session, origin, min(ROBOTS_DEADLINE, self.fetcher.policy.deadline)
            )
            if answer is not None and store is not None:
                store.put(origin, answer)
        return answer.rules(self.user_agent) if answer is not None else RobotsRules()

    def fetch(self, task: _Task) -> tuple[_Ticket, Page | None, TargetError | None] | None:
        """Run one page task; None when there is nothing to hand over (requeued, or a redirect queued)."""
        ticket: _Ticket = task.ticket
        target = ticket.job.url
        if task.kind == "refused":
            return ticket, None, RobotsDisallowed(f"{task.url}: {task.reason}")
        page: Page | None = None
        error: TargetError | None = None
        if task.kind == "cached":
            try:
                page = None if self.cache is None else self.cache.get(task.url)
            except SponsorcheckError as exc:  # a damaged cache costs this page, not the run
                error = TargetError(f"{task.url}: {exc.message}")
            if page is None and error is None:
                if self.fetcher.offline:
                    message = f"{task.url}: not in the cache and --offline forbids fetching it"
                    error = FetchError(message, kind="offline")
                else:
                    self.scheduler.requeue(task)
                    return None
            if page is not None:
                page = replace(page, target=target)
        else:
            try:
                with stop_at_other_hosts():
                    page = self.fetcher.fetch(task.url, target)
            except HostRedirect as exc:
                self.scheduler.finish(task)
                return self.redirect(ticket, task.url, exc.location)
            except TargetError as exc:
                error = exc
            except Exception as exc:  # a bug or a library surprise costs this page only
                error = TargetError(f"{task.url}: could not be fetched: {type(exc).__name__}: {exc}")
            self.scheduler.finish(task)
        if page is not None and ticket.hops and self.cache is not None:
            # The hops were cached one by one; the page is also what the first address leads to.
            with contextlib.suppress(SponsorcheckError):
                self.cache.put(ticket.asked, page)
        return ticket, page, error

    def redirect(
        self, ticket: _Ticket, url: str, location: str
    ) -> tuple[_Ticket, Page | None, TargetError | None] | None:
        """Queue a redirect's next hop on its own host's slot; an error when it cannot be followed."""
        limit = self.fetcher.policy.max_redirects
        if ticket.hops >= limit:
            return ticket, None, FetchError(f"{url}: more than {limit} redirects between hosts", kind="redirects")
        try:
            validate_url(location)
        except UsageError as exc:
            return ticket, None, FetchError(f"{url}: redirected to {location[:200]!r}: {exc.message}", kind="redirects")
        self.schedule(location, replace(ticket, hops=ticket.hops + 1))
        return None

    def hand_over(self, item: tuple[_Ticket, Page | None, TargetError | None]) -> bool:
        while not self.stop.is_set():
            try:
                self.fetched.put(item, timeout=0.25)
                return True
            except queue.Full:
                continue
        return False

    # -- analysers -------------------------------------------------------------------------------

    def analyse_worker(self) -> None:
        while True:
            item = self.fetched.get()
            if item is None or self.stop.is_set():
                return
            ticket, page, error = item
            job = ticket.job
            try:
                with job.lock:
                    if job.check.done:
                        continue
                    if not ticket.first:
                        wanted = job.check.arrived(ticket.asked, page, error)
                    elif page is not None:
                        wanted = job.check.start(page)
                    else:
                        assert error is not None
                        job.check.result = error_result(job.url, error.kind, error.message, exception=error)
                        wanted = ()
                    result = job.check.result
            except Exception as exc:  # one hostile page must never cost the other rows
                if self.stop.is_set():
                    return  # the process pool is being shut down: this row is left for --resume
                message = f"{job.url}: could not be checked: an internal error in sponsorcheck; please report it"
                with job.lock:
                    job.check.result = result = error_result(job.url, "internal", message, exception=exc)
                wanted = ()
            for url in wanted:
                self.schedule(url, _Ticket(job, url, first=False))
            if result is not None:
                self.results.put((job.key, result))


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
    notes: dict[int, tuple[str, ...]] = {}  # what was added to a row's address (its scheme, say)
    for row in table.rows:
        if row.index in done:
            continue
        try:
            address = target_address(row.url)
        except UsageError as exc:
            immediate.append((row, replace(error_result(row.url, "url", exc.message), row=row.cells)))
            continue
        url = address.url
        if address.note:
            notes[row.index] = (address.note,)
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

    pool = _process_pool(options, matcher) if options.jobs > 0 and url_for else None
    run = _Run(fetcher, matcher, options, stop, pool)
    for key, url in url_for.items():
        read, reads = run.reader()
        job = _Check(key, url, TargetCheck(url, matcher, run.check_options, read, reads))
        run.schedule(url, _Ticket(job, url, first=True))

    n_fetchers = max(1, min(options.workers, len(url_for) * (1 + max(0, options.check.follow))))
    # Renders wait on the browser in analysers of their own, so they never hold up parsing.
    n_analysers = (options.jobs if pool is not None else max(1, options.analysers)) + run.renders
    warm_up = getattr(options.check.renderer, "warm_up", None)
    if url_for and warm_up is not None and options.check.render is RenderMode.ALWAYS:
        # Every row will be rendered and Chromium takes 1-2 s to start: start it beside the first
        # fetches. (With auto it starts when the first page needs it: a tour may need none.)
        threading.Thread(target=warm_up, name="sponsorcheck-browser-start", daemon=True).start()
    fetchers = [
        threading.Thread(target=run.fetch_worker, name=f"sponsorcheck-fetch-{i}", daemon=True)
        for i in range(n_fetchers)
    ]
    analysers = [
        threading.Thread(target=run.analyse_worker, name=f"sponsorcheck-analyse-{i}", daemon=True)
        for i in range(n_analysers)
    ]
    threads = fetchers + analysers if url_for else []
    for thread in threads:
        thread.start()

    def take(key: str, result: Result) -> None:
        for row in rows_for[key]:
            record(row, replace(result, target=row.url, row=row.cells, notes=notes.get(row.index, ())))

    remaining = len(url_for)
    interrupted = False
    try:
        while remaining and not stop.is_set():
            try:
                key, result = run.results.get(timeout=0.2)
            except queue.Empty:
                if not any(t.is_alive() for t in fetchers) or not any(t.is_alive() for t in analysers):
                    break  # a worker died of a bug: the rows left are reported below
                continue
            remaining -= 1
            take(key, result)
    except KeyboardInterrupt:
        interrupted = True
    if stop.is_set() or interrupted:
        interrupted = True
        stop.set()
        with run.scheduler.cond:
            run.scheduler.cond.notify_all()
        # Rows being analysed finish within a moment; pages still on the wire are left for --resume.
        grace = time.monotonic() + INTERRUPT_GRACE
        for thread in threads:
            thread.join(max(0.0, grace - time.monotonic()))
        while True:
            try:
                key, result = run.results.get_nowait()
            except queue.Empty:
                break
            take(key, result)
    else:
        run.scheduler.close()
        # Only started analysers take a stop token: with nothing to fetch (every row a bad cell or taken
        # from the journal) none was started, and more tokens than the bounded queue holds would block here.
        for _ in analysers if threads else ():
            run.fetched.put(None)
    if pool is not None:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
    if run.robots_store is not None:
        run.robots_store.close()
    if not interrupted:
        # Every row gets an answer: a row no worker could finish (a bug) says so instead of vanishing.
        for row in table.rows:
            if row.index not in finished:
                message = f"{row.url}: was not checked (an internal error stopped its worker); run again with --resume"
                record(row, replace(error_result(row.url, "internal", message), row=row.cells))
    ordered = tuple(finished[r.index] for r in table.rows if r.index in finished)
    return BatchOutcome(ordered, len(table.rows), interrupted and len(ordered) < len(table.rows), resumed)


# ---------------------------------------------------------------------------------------------
# --jobs: parsing in worker processes (opt-in: it needs a free core per process to pay off)


def _process_pool(options: BatchOptions, matcher: Matcher) -> Any:
    """A process pool whose workers only parse pages (with the matcher, built once each); spawned, never forked."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=options.jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_child_init,
        initargs=(matcher.watchlists, matcher.min_score),
    )


_CHILD_MATCHER: Matcher | None = None


def _child_init(watchlists: Sequence[Watchlist], min_score: int) -> None:
    """In a --jobs process: ignore Ctrl-C (the parent decides what an interrupt means); build the matcher."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _CHILD_MATCHER
    _CHILD_MATCHER = Matcher(watchlists, min_score)


def _child_extract(page: Page) -> Extraction:
    """In a --jobs process: the page's extraction, as `read_page` makes it when nothing is rendered."""
    return extract(page, _CHILD_MATCHER)


def _in_cache(cache: Any, url: str) -> bool:
    contains = getattr(cache, "contains_key", None) or getattr(cache, "contains", None)
    try:
        if contains is not None:
            return bool(contains(url))
        return cache.get(url) is not None
    except SponsorcheckError:
        return False  # a damaged cache: fetch the page (the fetch says what is wrong if it must)
