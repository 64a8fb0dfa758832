"""robots.txt: fetched once per host (itself a polite request), parsed with protego, kept between runs.

RFC 9309's rules for a robots.txt that cannot be read: 4xx allows everything, 5xx refuses the host.
Answers are kept in the page cache's SQLite file (table `robots_txt`) for ROBOTS_MAX_AGE, so a
second run over the same tour does not ask every host again; an answer that could not be fetched
at all (no connection) is not kept — the page fetch that follows reports why.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
from protego import Protego

from sponsorcheck.cache import ROBOTS_TABLE
from sponsorcheck.fetch import deadline, session_get

# A robots.txt Crawl-delay is honoured up to this many seconds (a site asking for an hour is ignored).
MAX_CRAWL_DELAY = 10.0
ROBOTS_MAX_BYTES = 500_000  # RFC 9309 lets crawlers stop at 500 KiB
ROBOTS_TIMEOUT = (5.0, 10.0)
ROBOTS_DEADLINE = 15.0  # total seconds for one robots.txt, however slowly it arrives (never above --timeout)
# RFC 9309 §2.4: crawlers should not use a cached robots.txt for more than 24 hours.
ROBOTS_MAX_AGE = 24 * 3600.0
BUSY_TIMEOUT_S = 10.0  # several runs may share the cache file: wait for the write lock rather than fail


@dataclass(frozen=True)
class RobotsRules:
    """What one host's robots.txt says for our user agent; `parser` None means everything is allowed."""

    parser: Protego | None = None
    crawl_delay: float = 0.0
    refusal: str | None = None  # set when the whole host must be treated as disallowed

    def allows(self, url: str, user_agent: str) -> bool:
        """True when this URL may be fetched."""
        if self.refusal:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)


@dataclass(frozen=True)
class RobotsAnswer:
    """What a host answered for /robots.txt: the HTTP status and the text (for a 2xx/3xx answer)."""

    status: int
    text: str = ""

    def rules(self, user_agent: str) -> RobotsRules:
        """The rules this answer sets for `user_agent` (RFC 9309: 4xx allows all, 5xx disallows all)."""
        if self.status >= 500:
            return RobotsRules(refusal=f"robots.txt answered HTTP {self.status}, so the site is off-limits")
        if self.status >= 400:
            return RobotsRules()
        try:
            parser = Protego.parse(self.text)
            delay = parser.crawl_delay(user_agent) or 0.0
        except Exception:  # a robots.txt protego cannot read is treated as absent
            return RobotsRules()
        return RobotsRules(parser, min(float(delay), MAX_CRAWL_DELAY))


def fetch_robots_answer(
    session: requests.Session, origin: str, seconds: float = ROBOTS_DEADLINE
) -> RobotsAnswer | None:
    """Fetch origin/robots.txt within `seconds`; None when it could not be read at all (never raises).

    Socket timeouts bound silences only, so a server dripping robots.txt a byte a second held a
    worker for ever (the whole batch, measured); fetch.deadline cuts it, and the page fetch that
    follows reports the slow server.
    """
    with deadline(seconds) as watchdog:
        try:
            response = session_get(session, origin + "/robots.txt", ROBOTS_TIMEOUT)
        except Exception:  # requests' family, and urllib3/idna surprises on odd host names
            # The page fetch will fail too and say why more usefully than a robots message would.
            return None
        with response:
            if response.status_code >= 400:
                return RobotsAnswer(response.status_code)
            try:
                data = response.raw.read(ROBOTS_MAX_BYTES, decode_content=True)
            except Exception:
                return None
        if watchdog.fired:  # cut short: what arrived is not the whole file
            return None
    return RobotsAnswer(response.status_code, data.decode("utf-8", errors="replace"))


def fetch_robots(
    session: requests.Session, origin: str, user_agent: str, seconds: float = ROBOTS_DEADLINE
) -> RobotsRules:
    """Fetch and parse origin/robots.txt within `seconds`; allow-all when it cannot be read (never raises)."""
    answer = fetch_robots_answer(session, origin, seconds)
    return answer.rules(user_agent) if answer is not None else RobotsRules()


class RobotsStore:
    """robots.txt answers per origin in a table of the page cache's SQLite file; thread-safe.

    A store that cannot be opened or written is simply not used (robots.txt is then asked again,
    which is what a run without a cache does); it never fails a batch.
    """

    def __init__(
        self, path: str | Path, max_age: float = ROBOTS_MAX_AGE, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self.max_age = max_age
        self.clock = clock
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
            # As the page cache's writer: in WAL mode (the cache file's), no fsync per commit, so a fetch
            # worker storing a host's answer does not wait for the disk (one commit per host).
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {ROBOTS_TABLE} "
                "(origin TEXT PRIMARY KEY, fetched_at REAL NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL)"
            )
            db.commit()
            self._db = db
        except sqlite3.Error:
            self._db = None

    def get(self, origin: str) -> RobotsAnswer | None:
        """The stored answer for this origin if younger than max_age, else None."""
        if self._db is None:
            return None
        try:
            with self._lock:
                row = self._db.execute(
                    f"SELECT fetched_at, status, body FROM {ROBOTS_TABLE} WHERE origin = ?", (origin,)
                ).fetchone()
        except sqlite3.Error:
            return None
        if row is None or self.clock() - float(row[0]) > self.max_age:
            return None
        return RobotsAnswer(int(row[1]), str(row[2]))

    def put(self, origin: str, answer: RobotsAnswer) -> None:
        """Keep this answer (replacing an older one)."""
        if self._db is None:
            return
        try:
            with self._lock:
                self._db.execute(
                    f"INSERT OR REPLACE INTO {ROBOTS_TABLE} (origin, fetched_at, status, body) VALUES (?, ?, ?, ?)",
                    (origin, self.clock(), answer.status, answer.text),
                )
                self._db.commit()
        except sqlite3.Error:
            pass

    def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            with self._lock:
                self._db.close()
            self._db = None
