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
import gc
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sponsorcheck.batch.journal import Journal
from sponsorcheck.batch.robots import ROBOTS_DEADLINE, RobotsRules, RobotsStore, fetch_robots_answer
from sponsorcheck.batch.scheduler import RENDER, RENDER_KINDS, _Scheduler, _Task
from sponsorcheck.batch.session import DEFAULT_PER_HOST, DEFAULT_WORKERS, HostRedirect, stop_at_other_hosts
from sponsorcheck.batch.table import InputRow, Table, dedup_key, origin_of, target_address
from sponsorcheck.errors import FetchError, RobotsDisallowed, SponsorcheckError, TargetError, UsageError
from sponsorcheck.extract import extract
from sponsorcheck.fetch import Fetcher, validate_url
from sponsorcheck.match import Matcher
from sponsorcheck.models import Extraction, Page, Result
from sponsorcheck.pipeline import (
    CheckOptions,
    PageRead,
    TargetCheck,
    _Reads,
    error_result,
    render_failed,
    render_wanted,
    rendered_page,
    with_rendered,
)
from sponsorcheck.render import PAGES_PER_CONTEXT, Rendered, RenderError, RenderMode, RenderPolicy
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
# Allocations between two young-generation collections during a batch (Python's default: 700).
# Parsing a page allocates hundreds of thousands of short-lived objects, almost none in cycles;
# collecting every 700 cost about 7 % of a batch's CPU (measured on the benchmark's pages). The older
# generations keep Python's pace: a rarer full collection let cyclic garbage pile up (600 MB, measured).
BATCH_GC_THRESHOLD = (10_000, 10, 10)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """During a batch: what was loaded before it (watchlists, matcher, modules) is never scanned again
    by the cycle collector (gc.freeze), and young objects are collected less often; restored after."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*BATCH_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


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
    check: TargetCheck = field(init=False)
    reads: _Reads = field(default_factory=_Reads)  # every page read, as the evidence and provenance need them
    ready: _Ready = field(default_factory=lambda: _Ready())
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(eq=False)
class _Ready:
    """TargetCheck's reader: the reading the analyser made of the page being handed over (under the check's
    lock). A separate object, so the check does not refer back to its _Check (no cycle keeps pages alive)."""

    reading: tuple[Page, Extraction] | None = None

    def read(self, page: Page) -> Extraction:
        assert self.reading is not None and self.reading[0] is page
        return self.reading[1]


@dataclass(frozen=True)
class _Ticket:
    """Which check a queued page is for, and which page of it: its own (`first`) or a follow-up."""

    job: _Check
    asked: str  # the URL the check asked for (a redirect's later hops keep it)
    first: bool
    hops: int = 0  # redirects to other hosts followed so far
    render: tuple[Page, Extraction] | None = None  # a render task: the fetched page and its plain reading
    visit: int = 0  # the host visit that fetched the page (0: from the cache); its render may continue it


# What a worker hands an analyser: the ticket, the fetched page or why not, and (render tasks) the DOM.
_Handed = tuple[_Ticket, Page | None, SponsorcheckError | None, Rendered | None]


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
        self.fetched: queue.Queue[_Handed | None] = queue.Queue(maxsize=max(2, options.workers))
        self.check_options = options.check
        self.renderer = options.check.renderer if options.check.render is not RenderMode.NEVER else None
        # Render workers: one per page the browser loads at once (its contexts x pages per context).
        self.renders = int(getattr(self.renderer, "contexts", 1)) * PAGES_PER_CONTEXT if self.renderer else 0
        self._warming = threading.Lock()
        self._warm = False
        # Set once the browser has started (or failed to): render workers take no task before, so a
        # host's turn and slot are never held by a load waiting 1-3 s for Chromium to start.
        self.browser_ready = threading.Event()

    def extract(self, page: Page) -> Extraction:
        """A page's plain reading: here, or in a --jobs process (which only parses)."""
        if self.pool is not None:
            # Without the bytes as fetched (kept here for the evidence): the worker reads the text only,
            # and the page crosses the pipe once instead of twice.
            return self.pool.submit(_child_extract, replace(page, body=None)).result()
        return extract(page, self.matcher)

    # -- queueing pages --------------------------------------------------------------------------

    def schedule(self, url: str, ticket: _Ticket) -> None:
        """Queue one page of a check on its host's slot (cached pages cost no request)."""
        cached = self.fetcher.offline or (self.cache is not None and _in_cache(self.cache, url))
        self.scheduler.add(url, cached=cached, ticket=ticket, urgent=not ticket.first or ticket.hops > 0)

    def schedule_render(self, page: Page, ticket: _Ticket, plain: Extraction) -> None:
        """Queue a browser load of a fetched page on its host's slot (robots.txt, delay and cap apply)."""
        self.warm_up()
        self.scheduler.add(
            page.url, ticket=replace(ticket, render=(page, plain)), kind=RENDER, urgent=True, visit=ticket.visit
        )

    def warm_up(self) -> None:
        """Start the browser beside the work (once): Chromium takes 1-2 s to start."""
        with self._warming:
            if self._warm:
                return
            self._warm = True
        warm_up = getattr(self.renderer, "warm_up", None)

        def start() -> None:
            try:
                if warm_up is not None:
                    warm_up()
            finally:
                self.browser_ready.set()

        threading.Thread(target=start, name="sponsorcheck-browser-start", daemon=True).start()

    # -- render workers --------------------------------------------------------------------------

    def render_worker(self) -> None:
        """Loads pages in the browser as the scheduler allows (a task kind of its own); never fetches."""
        renderer = self.renderer
        assert renderer is not None
        policy = RenderPolicy(deadline=self.fetcher.policy.deadline)
        screenshot = self.check_options.evidence is not None
        self.browser_ready.wait()  # set by warm_up, or at the end of the run when nothing needed the browser
        while True:
            task = self.scheduler.next_task(RENDER_KINDS)
            if task is None:
                return
            rendered: Rendered | None = None
            error: SponsorcheckError | None = None
            fetched, _ = task.ticket.render
            try:
                # The browser is handed the page as fetched (no second download); what it then asks of
                # the network obeys the host's robots.txt.
                rendered = renderer.render(task.url, policy, screenshot, document=fetched, allows=self.allows)
            except SponsorcheckError as exc:
                error = exc
            except Exception as exc:  # a browser surprise costs this render only (the plain reading stays)
                error = RenderError(f"{task.url}: {type(exc).__name__}: {exc}")
            finally:
                self.scheduler.finish(task)
            if not self.hand_over((task.ticket, None, error, rendered)):
                return

    def allows(self, url: str) -> bool:
        """Whether robots.txt lets the browser ask for this URL (hosts whose robots.txt was not read: yes)."""
        if not self.robots:
            return True
        rules = self.scheduler.robots_for(origin_of(url))
        return rules is None or rules.allows(url, self.user_agent)

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

    def fetch(self, task: _Task) -> _Handed | None:
        """Run one page task; None when there is nothing to hand over (requeued, or a redirect queued)."""
        ticket: _Ticket = task.ticket
        target = ticket.job.url
        if task.kind == "refused":
            return ticket, None, RobotsDisallowed(f"{task.url}: {task.reason}"), None
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
        if task.kind != "cached" and page is not None:
            ticket = replace(ticket, visit=task.visit)  # a render of this page continues this visit
        return ticket, page, error, None

    def redirect(self, ticket: _Ticket, url: str, location: str) -> _Handed | None:
        """Queue a redirect's next hop on its own host's slot; an error when it cannot be followed."""
        limit = self.fetcher.policy.max_redirects
        if ticket.hops >= limit:
            return ticket, None, FetchError(f"{url}: more than {limit} redirects between hosts", kind="redirects"), None
        try:
            validate_url(location)
        except UsageError as exc:
            message = f"{url}: redirected to {location[:200]!r}: {exc.message}"
            return ticket, None, FetchError(message, kind="redirects"), None
        self.schedule(location, replace(ticket, hops=ticket.hops + 1))
        return None

    def hand_over(self, item: _Handed) -> bool:
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
            ticket, page, error, rendered = item
            job = ticket.job
            try:
                reading = self.read(ticket, page, error, rendered)
                if reading is None:
                    continue  # the page waits for the browser: a render task is queued
                page, extraction = reading
                with job.lock:
                    if job.check.done:
                        continue
                    job.ready.reading = (page, extraction) if page is not None and extraction is not None else None
                    if not ticket.first:
                        wanted = job.check.arrived(ticket.asked, page, error)
                    elif page is not None:
                        wanted = job.check.start(page)
                    else:
                        assert error is not None
                        job.check.result = error_result(job.url, error.kind, error.message, exception=error)
                        wanted = ()
                    job.ready.reading = None
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

    def read(
        self, ticket: _Ticket, page: Page | None, error: SponsorcheckError | None, rendered: Rendered | None
    ) -> tuple[Page | None, Extraction | None] | None:
        """The handed page's reading (None when it was queued for the browser instead); as read_page reads it."""
        reads = ticket.job.reads
        if ticket.render is not None:  # the browser's answer (or why there is none) for a fetched page
            fetched, plain = ticket.render
            if rendered is None:
                failure = error or RenderError(f"{fetched.url}: the browser gave no page")
                return fetched, render_failed(fetched, plain, failure, reads)
            found = self.extract(rendered_page(fetched, rendered))
            return fetched, with_rendered(fetched, plain, rendered, found, reads)
        if page is None:
            return None, None
        plain = self.extract(page)
        as_is = render_wanted(page, plain, self.check_options, self.fetcher.offline)
        if as_is is None:
            self.schedule_render(page, ticket, plain)
            return None
        reads.items.append(PageRead(page))
        return page, as_is


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
    """Check every row (rows in `done` are taken as finished); Ctrl-C or `stop` ends it early with what finished.
    Every page fetched is in the page cache when it returns."""
    # The page cache stores pages from a writer thread of its own, several per transaction, so no fetch
    # worker waits on a disk write (see cache.WRITE_BATCH); caches without it write as they are given pages.
    writing_behind = getattr(fetcher.cache, "writing_behind", None)
    with _fewer_collections(), writing_behind() if writing_behind is not None else contextlib.nullcontext():
        return _run_batch(table, fetcher, matcher, options, journal, observer, stop, done)


def _run_batch(
    table: Table,
    fetcher: Fetcher,
    matcher: Matcher,
    options: BatchOptions | None,
    journal: Journal | None,
    observer: BatchObserver | None,
    stop: threading.Event | None,
    done: dict[int, Result] | None,
) -> BatchOutcome:
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
        job = _Check(key, url)
        job.check = TargetCheck(url, matcher, run.check_options, job.ready.read, job.reads)
        run.schedule(url, _Ticket(job, url, first=True))

    n_fetchers = max(1, min(options.workers, len(url_for) * (1 + max(0, options.check.follow))))
    n_analysers = options.jobs if pool is not None else max(1, options.analysers)
    if url_for and options.check.render is RenderMode.ALWAYS:
        # Every row will be rendered: start the browser beside the first fetches. (With auto it starts
        # when the first page needs it: a tour may need none.)
        run.warm_up()
    fetchers = [
        threading.Thread(target=run.fetch_worker, name=f"sponsorcheck-fetch-{i}", daemon=True)
        for i in range(n_fetchers)
    ]
    analysers = [
        threading.Thread(target=run.analyse_worker, name=f"sponsorcheck-analyse-{i}", daemon=True)
        for i in range(n_analysers)
    ]
    # Renders are tasks of their own kind in the hosts' slots, run by workers of their own: a page
    # waiting for the browser holds up no fetch and no analysis.
    renderers = [
        threading.Thread(target=run.render_worker, name=f"sponsorcheck-render-{i}", daemon=True)
        for i in range(run.renders)
    ]
    threads = fetchers + analysers + renderers if url_for else []
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
        run.browser_ready.set()
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
        run.browser_ready.set()  # render workers still waiting for a browser nothing needed: they end
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
