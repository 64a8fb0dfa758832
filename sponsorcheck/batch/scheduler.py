"""The scheduler: per-host slots that hand out the next request politeness allows, under one lock.

Modelled on Scrapy's downloader slots: every host (scheme://host:port, the unit of robots.txt) has
a slot with its own queue, a cap on requests in flight (`per_host`) and a minimum time between the
starts of two requests (`delay`, or the host's Crawl-delay when larger). Work waits in those queues,
never in a sleeping worker: a worker asks `next_task` and gets whichever host is ready, so it is
never parked behind one host's delay while another host has work.

What a slot queues: every page of that host, whoever asked for it — a row's own page, a linked
sponsors page a row's check asked for, the next hop of a redirect from another host. Pages a check
in progress asked for go first (they finish a row; rows waiting behind them have not started).
Every entry has a *kind*: "page" (an HTTP fetch) or "render" (loading a fetched page in the browser),
and a worker asks only for the kinds it can run (`next_task(kinds=...)`), so a small pool of render
workers and the fetch workers share one host's politeness (robots.txt, delay, cap) without sharing
threads.

robots.txt comes first on every host (one "robots" task, which the caller may answer from a store
without a request); until it is known no page of that host starts. Pages the page cache already
holds cost no request and skip the delay and the cap, but still wait for robots.txt and are
refused ("refused" task) when it disallows them.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from sponsorcheck.batch.robots import RobotsRules
from sponsorcheck.batch.table import origin_of

PAGE = "page"  # the kind of an HTTP page fetch
RENDER = "render"  # the kind of a browser load of a page already fetched
RENDER_KINDS = frozenset({RENDER})  # what a render worker runs
FETCH_KINDS = frozenset({PAGE})  # what a fetch worker runs (robots.txt, refusals and cached pages come with it)
ROBOTS_REFUSAL = "robots.txt does not allow this page to be fetched"


@dataclass(frozen=True)
class _Entry:
    url: str
    ticket: Any  # what the caller needs to route the answer (the row and the page it asked for)
    kind: str = PAGE
    cached: bool = False
    visit: int = 0  # a render: the host visit whose fetch brought its page (0: none known)


@dataclass
class _Host:
    origin: str
    first: int  # first input position, for a stable order among equals
    queues: dict[str, deque[_Entry]] = field(default_factory=dict)
    waiting_robots: list[_Entry] = field(default_factory=list)  # cached pages waiting for robots.txt
    active: int = 0
    next_at: float = 0.0
    robots: RobotsRules | None = None
    robots_busy: bool = False
    queued: int = 0  # entries in `queues` (kept, not summed: _pick ranks hosts on every hand-out)
    visits: int = 0  # turns taken so far (each hand-out spaced by the delay is one visit)

    def left(self) -> int:
        return self.queued


@dataclass(frozen=True)
class _Task:
    kind: str  # "robots" | "page" (or another queued kind) | "cached" | "refused"
    origin: str
    url: str = ""
    reason: str = ""
    ticket: Any = None
    visit: int = 0  # the host visit this task is (or, a render continuing its fetch, belongs to)


class _Scheduler:
    """Per-host slots: hands out the next task politeness allows, across all hosts, under one lock.

    Tasks that cost no request (cached pages, robots refusals) are handed out first; then the
    ready host with the most work left, so no host ends with a long serial tail. `close()` says no
    more work will be added: workers then stop once everything has been handed out.
    """

    def __init__(
        self,
        per_host: int,
        delay: float,
        robots: bool,
        user_agent: str,
        stop: threading.Event,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_host = per_host
        self.delay = delay
        self.robots = robots
        self.user_agent = user_agent
        self.stop = stop
        self.clock = clock
        self.cond = threading.Condition()
        self.hosts: dict[str, _Host] = {}
        # Hosts with queued pages or cached pages waiting for robots.txt: the only ones _pick looks at
        # (a tour's finished hosts would otherwise be scanned on every hand-out).
        self.working: dict[str, _Host] = {}
        self.free: deque[_Task] = deque()  # cached pages and robots refusals: no request, no politeness
        self.pending = 0  # entries not yet handed out
        self.others = 0  # entries of other kinds than PAGE queued: their workers must be woken too
        self.closed = False

    def _host(self, origin: str) -> _Host:
        host = self.hosts.get(origin)
        if host is None:
            host = self.hosts[origin] = _Host(origin, len(self.hosts))
        return host

    def _refusal(self, host: _Host, entry: _Entry) -> _Task | None:
        """A "refused" task when the host's known robots.txt forbids the URL (checked once per URL)."""
        if not self.robots or host.robots is None or host.robots.allows(entry.url, self.user_agent):
            return None
        return _Task("refused", host.origin, entry.url, host.robots.refusal or ROBOTS_REFUSAL, entry.ticket)

    def _place(self, host: _Host, entry: _Entry, urgent: bool) -> None:
        refused = self._refusal(host, entry)
        if refused:
            self.free.append(refused)
        elif entry.cached:
            if self.robots and host.robots is None:
                host.waiting_robots.append(entry)
                self.working[host.origin] = host
            else:
                self.free.append(_Task("cached", host.origin, entry.url, ticket=entry.ticket))
        else:
            queue = host.queues.setdefault(entry.kind, deque())
            host.queued += 1
            if entry.kind != PAGE:
                self.others += 1
            self.working[host.origin] = host
            if urgent:
                queue.appendleft(entry)
            else:
                queue.append(entry)

    def add(
        self, url: str, cached: bool = False, ticket: Any = None, kind: str = PAGE, urgent: bool = False, visit: int = 0
    ) -> None:
        """Queue a page on its host's slot; `urgent` for pages a check in progress waits for (served first).
        A render given the `visit` of the fetch that brought its page continues that visit while it is the
        host's latest (see _continuing)."""
        with self.cond:
            self.pending += 1
            self._place(self._host(origin_of(url)), _Entry(url, ticket, kind, cached, visit), urgent)
            self._wake()

    def _wake(self) -> None:
        # One waiting worker is enough for one new task, unless other kinds wait (a woken fetch
        # worker cannot run a render); then every worker looks.
        if self.others:
            self.cond.notify_all()
        else:
            self.cond.notify()

    def requeue(self, task: _Task) -> None:
        """A cache entry went stale between planning and fetching: fetch it politely after all."""
        with self.cond:
            self._place(self._host(task.origin), _Entry(task.url, task.ticket), urgent=True)
            self.pending += 1
            self.cond.notify()

    def close(self) -> None:
        """No more work will be added; idle workers may stop once the queues are empty."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    @staticmethod
    def _rank(host: _Host) -> tuple[int, int]:
        # Most work left first (a host's pages are spaced by the delay, so its tail is what runs
        # late); among equals, the host that came first in the tour.
        return (host.left(), -host.first)

    @staticmethod
    def _continuing(host: _Host, kinds: Collection[str]) -> _Entry | None:
        """A queued render that continues the host's latest visit: its page was fetched in that visit and
        no other visit to the host has started since. A browser loading a page is one visit: the page
        itself (here fetched already and handed to the browser) and what the page asks for next (its
        scripts' data). So it takes no turn of its own; a render whose visit is no longer the latest
        (it waited for the browser while the host was visited again) is a visit of its own and waits
        for the delay like any other."""
        if RENDER not in kinds or not host.visits:
            return None
        queue = host.queues.get(RENDER)
        return next((e for e in queue if e.visit == host.visits), None) if queue else None

    def _pick(self, now: float, kinds: Collection[str] = FETCH_KINDS) -> _Task | float | None:
        """A task, or the seconds until one may be ready, or None when nothing is left."""
        fetches = PAGE in kinds  # fetch workers also read robots.txt and hand out the free tasks
        if self.free and fetches:
            self.pending -= 1
            return self.free.popleft()
        best: _Host | None = None
        best_kind = ""
        unknown: _Host | None = None  # the first host whose robots.txt is still to be read
        soonest = float("inf")
        for host in self.working.values():
            if host.active >= self.per_host or host.robots_busy:
                continue
            if self.robots and host.robots is None:
                if unknown is None and fetches and (host.left() or host.waiting_robots):
                    unknown = host
                continue
            kind = next((k for k in kinds if host.queues.get(k)), "")
            if not kind:
                continue
            going_on = self._continuing(host, kinds)
            if going_on is not None:
                # Within the visit already counted: the host's cap applies, its turn is not taken again.
                host.active += 1
                self.pending -= 1
                host.queues[RENDER].remove(going_on)
                host.queued -= 1
                self.others -= 1
                if not host.queued and not host.waiting_robots:
                    del self.working[host.origin]
                return _Task(RENDER, host.origin, going_on.url, ticket=going_on.ticket, visit=going_on.visit)
            if host.next_at > now:
                soonest = min(soonest, host.next_at - now)
                continue
            if best is None or self._rank(host) > self._rank(best):
                best, best_kind = host, kind
        if best is not None:
            best.active += 1
            best.next_at = now + max(self.delay, best.robots.crawl_delay if best.robots else 0.0)
            best.visits += 1
            self.pending -= 1
            entry = best.queues[best_kind].popleft()
            best.queued -= 1
            if entry.kind != PAGE:
                self.others -= 1
            if not best.queued and not best.waiting_robots:
                del self.working[best.origin]
            return _Task(entry.kind, best.origin, entry.url, ticket=entry.ticket, visit=best.visits)
        if unknown is not None:
            # A page a host allows now goes before another host's robots.txt: reading 200 hosts' robots.txt
            # first left a tour's first rows waiting over a second (measured). robots.txt is one small
            # file read once; the host's first page may follow it at once (as browsers and most crawlers
            # do), then pages are spaced by the delay.
            unknown.active += 1
            unknown.robots_busy = True
            return _Task("robots", unknown.origin)
        if self.pending == 0 and self.closed:
            return None
        return soonest

    def next_task(self, kinds: Collection[str] = FETCH_KINDS) -> _Task | None:
        """Block until a task of these kinds may start; None when the run is over or stopped (the worker ends)."""
        with self.cond:
            while not self.stop.is_set():
                picked = self._pick(self.clock(), kinds)
                if picked is None or isinstance(picked, _Task):
                    if picked is None:
                        self.cond.notify_all()  # the others can stop too
                    return picked
                # Wake for the soonest host, new work or a freed slot (notify) or, at least, to look at `stop`.
                self.cond.wait(min(picked, 0.25))
            return None

    def robots_for(self, origin: str) -> RobotsRules | None:
        """The host's robots.txt rules, once known."""
        with self.cond:
            host = self.hosts.get(origin)
            return host.robots if host else None

    def finish(self, task: _Task, robots: RobotsRules | None = None) -> None:
        """Release the task's host slot (and apply robots rules to the host's pages); wakes waiting workers."""
        with self.cond:
            if task.kind in ("cached", "refused"):
                return
            host = self.hosts[task.origin]
            host.active -= 1
            if task.kind == "robots":
                host.robots = robots or RobotsRules()
                host.robots_busy = False
                queued = [e for q in host.queues.values() for e in q] + host.waiting_robots
                self.others -= sum(1 for e in queued if e.kind != PAGE and not e.cached)
                host.queues, host.waiting_robots, host.queued = {}, [], 0
                self.working.pop(host.origin, None)
                for entry in queued:
                    self._place(host, entry, urgent=False)
                self.cond.notify_all()
            else:
                # One slot is free; waking every idle worker for it would only make them contend for the lock.
                self._wake()
