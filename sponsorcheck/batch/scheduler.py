"""The scheduler: hands out the next request that politeness allows, across all hosts, under one lock.

A pool of worker threads pulls work from it, so a worker is never parked behind one host's
politeness delay while another host has work ready: at most `per_host` requests in flight per host
and at least `delay` seconds between the starts of two requests to one host.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sponsorcheck.batch.robots import RobotsRules
from sponsorcheck.batch.table import origin_of


@dataclass
class _Host:
    origin: str
    first: int  # first input position, for a stable order among equals
    pending: deque[str] = field(default_factory=deque)
    active: int = 0
    next_at: float = 0.0
    robots: RobotsRules | None = None
    robots_busy: bool = False


@dataclass(frozen=True)
class _Task:
    kind: str  # "robots" | "page" | "cached" | "refused"
    origin: str
    url: str = ""
    reason: str = ""


class _Scheduler:
    """Hands out the next request that politeness allows, across all hosts, under one lock.

    Pages robots.txt refuses and pages already in the cache are handed out first (they cost no
    request); then the ready host with the most pages left, so no host ends with a long serial tail.
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
        self.free: deque[_Task] = deque()  # cached pages and robots refusals: no request, no politeness
        self.pending = 0

    def _host(self, origin: str) -> _Host:
        host = self.hosts.get(origin)
        if host is None:
            host = self.hosts[origin] = _Host(origin, len(self.hosts))
        return host

    def _refusal(self, host: _Host, url: str) -> _Task | None:
        """A "refused" task when the host's known robots.txt forbids the URL (checked once per URL)."""
        if not self.robots or host.robots is None or host.robots.allows(url, self.user_agent):
            return None
        return _Task(
            "refused", host.origin, url, host.robots.refusal or "robots.txt does not allow this page to be fetched"
        )

    def add(self, url: str, cached: bool) -> None:
        with self.cond:
            self.pending += 1
            if cached:
                self.free.append(_Task("cached", "", url))
            else:
                host = self._host(origin_of(url))
                refused = self._refusal(host, url)
                if refused:
                    self.free.append(refused)
                else:
                    host.pending.append(url)
            self.cond.notify()

    def requeue(self, url: str) -> None:
        """A cache entry went stale between planning and fetching: fetch it politely after all."""
        with self.cond:
            self.pending -= 1
        self.add(url, cached=False)

    @staticmethod
    def _rank(host: _Host) -> tuple[int, int]:
        # Most pages left first (a host's pages are spaced by the delay, so its tail is what runs
        # late); among equals, the host that came first in the tour.
        return (len(host.pending), -host.first)

    def _pick(self, now: float) -> _Task | float | None:
        """A task, or the seconds until one may be ready, or None when nothing is left."""
        if self.free:
            self.pending -= 1
            return self.free.popleft()
        best: _Host | None = None
        soonest = float("inf")
        for host in self.hosts.values():
            if not host.pending or host.active >= self.per_host or host.robots_busy:
                continue
            if host.next_at > now:
                soonest = min(soonest, host.next_at - now)
                continue
            if best is None or self._rank(host) > self._rank(best):
                best = host
        if best is not None:
            best.active += 1
            if self.robots and best.robots is None:
                # robots.txt is one small file read once; the first page may follow it at once
                # (as browsers and most crawlers do), then pages are spaced by the delay.
                best.robots_busy = True
                return _Task("robots", best.origin)
            best.next_at = now + max(self.delay, best.robots.crawl_delay if best.robots else 0.0)
            self.pending -= 1
            return _Task("page", best.origin, best.pending.popleft())
        if self.pending == 0:
            return None
        return soonest

    def next_task(self) -> _Task | None:
        """Block until a task may start (or the run is over / stopped); None means the worker can stop."""
        with self.cond:
            while not self.stop.is_set():
                picked = self._pick(self.clock())
                if picked is None or isinstance(picked, _Task):
                    if picked is None:
                        self.cond.notify_all()  # the others can stop too
                    return picked
                # Wake for the soonest host, a freed slot (notify) or, at least, to look at `stop`.
                self.cond.wait(min(picked, 0.25))
            return None

    def finish(self, task: _Task, robots: RobotsRules | None = None) -> None:
        """Release the task's host slot (and apply robots rules to the host's pages); wakes waiting workers."""
        with self.cond:
            if task.kind not in ("robots", "page"):
                return
            host = self.hosts[task.origin]
            host.active -= 1
            if task.kind == "robots":
                host.robots = robots or RobotsRules()
                host.robots_busy = False
                if self.robots:
                    allowed: deque[str] = deque()
                    for url in host.pending:
                        refused = self._refusal(host, url)
                        if refused:
                            self.free.append(refused)
                        else:
                            allowed.append(url)
                    host.pending = allowed
                self.cond.notify(self.per_host + len(self.free))
            else:
                # One slot is free; waking every idle worker for it would only make them contend for the lock.
                self.cond.notify()

    def robots_for(self, origin: str) -> RobotsRules | None:
        with self.cond:
            host = self.hosts.get(origin)
            return host.robots if host else None

    def remember_robots(self, origin: str, rules: RobotsRules) -> None:
        with self.cond:
            self._host(origin).robots = rules

    def wait_turn(self, origin: str) -> None:
        """For a page the pipeline reads on its own (a linked sponsors page): honour the host's delay."""
        with self.cond:
            host = self._host(origin)
            while not self.stop.is_set():
                now = self.clock()
                if host.next_at <= now:
                    host.next_at = now + max(self.delay, host.robots.crawl_delay if host.robots else 0.0)
                    return
                self.cond.wait(min(host.next_at - now, 0.25))
