"""A page cache in one SQLite file, stored with requests-cache's SQLite backend.

Why not requests-cache's CachedSession: it reads every body eagerly, which would bypass fetch.py's
streaming size cap and per-page deadline. So fetch.py keeps owning HTTP, and this module plugs in
through fetch.py's `PageCache` protocol (get/put of already-decoded pages). The entries are genuine
requests-cache `CachedResponse`s in its `responses` table, keyed with `requests_cache.create_key`,
so the file stays an ordinary requests-cache database.

Guarantees: an entry older than `max_age` seconds is never returned; the file lives at an explicit
path (by default under platformdirs' user cache directory, never requests-cache's default name);
a damaged or unwritable file is a readable `CacheError`, never a traceback.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import platformdirs
import requests
from requests.structures import CaseInsensitiveDict

from sponsorcheck.errors import SponsorcheckError
from sponsorcheck.models import Page

APP_NAME = "sponsorcheck"
CACHE_FILE_NAME = "pages.sqlite"
DEFAULT_MAX_AGE = 24 * 3600.0  # seconds: a festival's sponsor list rarely changes within a day
# Lets tests and CI point every command at a throw-away cache without touching the user's.
CACHE_PATH_ENV = "SPONSORCHECK_CACHE"
# Several batch workers may write at once; wait for the SQLite write lock rather than fail.
BUSY_TIMEOUT_MS = 10_000


class CacheError(SponsorcheckError):
    """The cache file cannot be opened, read or written."""

    kind = "cache"


def default_cache_path() -> Path:
    """The cache file: $SPONSORCHECK_CACHE if set, else pages.sqlite in the user cache directory."""
    env = os.environ.get(CACHE_PATH_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / CACHE_FILE_NAME


@dataclass(frozen=True)
class CacheInfo:
    """What `sponsorcheck cache info` shows."""

    path: str
    entries: int
    fresh: int
    size_bytes: int


def _key(url: str) -> str:
    from requests_cache import create_key

    return create_key(requests.Request("GET", url))


class PageCache:
    """Pages by requested URL in a requests-cache SQLite file; thread-safe (one connection, locked writes)."""

    def __init__(self, path: str | Path | None = None, max_age: float = DEFAULT_MAX_AGE) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.max_age = max_age
        # Imported here: requests-cache pulls in its every backend (boto3 too when installed), about
        # 90 ms of start-up that --no-cache runs and commands without a cache should not pay.
        from requests_cache import SQLiteCache

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._backend = SQLiteCache(self.path, wal=True, busy_timeout=BUSY_TIMEOUT_MS)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot open the cache {self.path}: {exc} (use --no-cache to run without it)") from None

    def _now(self) -> datetime:
        return datetime.now(timezone.utc)

    def get(self, url: str) -> Page | None:
        """The cached page for this URL if it is younger than max_age, else None."""
        from requests_cache import CachedResponse

        try:
            response = self._backend.responses.get(_key(url))
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"the cache {self.path} is damaged ({exc}); run `sponsorcheck cache clear`") from None
        except Exception:  # an entry written by an incompatible requests-cache version: a miss, not a failure
            return None
        if not isinstance(response, CachedResponse) or response.created_at is None:
            return None
        created = response.created_at
        if created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)
        if (self._now() - created).total_seconds() > self.max_age:
            return None
        text = response.content.decode("utf-8", errors="replace") if response.content else ""
        content_type = response.headers.get("Content-Type", "text/html")
        return Page(url, response.url or url, text, content_type, response.status_code or None, True)

    def put(self, url: str, page: Page) -> None:
        """Store a fetched page under the URL that was asked for (its final URL is kept inside)."""
        from requests_cache import CachedResponse
        from requests_cache.models import CachedRequest

        now = self._now()
        response = CachedResponse(
            url=page.url,
            status_code=page.status or 200,
            reason="OK",
            headers=CaseInsensitiveDict({"Content-Type": page.content_type}),
            content=page.text.encode("utf-8"),
            encoding="utf-8",
            created_at=now,
            expires=now + timedelta(seconds=self.max_age),
            request=CachedRequest(method="GET", url=url),
        )
        try:
            self._backend.responses[_key(url)] = response
        except sqlite3.Error as exc:
            raise CacheError(f"cannot write the cache {self.path}: {exc} (use --no-cache to run without it)") from None

    def contains(self, url: str) -> bool:
        """True when get(url) would answer from the cache."""
        return self.get(url) is not None

    def contains_key(self, url: str) -> bool:
        """True when an entry exists for this URL, fresh or not (one indexed lookup, no body read)."""
        try:
            with self._backend.responses.connection() as con:
                row = con.execute(
                    f"SELECT 1 FROM {self._backend.responses.table_name} WHERE key = ?", (_key(url),)
                ).fetchone()
        except sqlite3.Error as exc:
            raise CacheError(f"the cache {self.path} is damaged ({exc}); run `sponsorcheck cache clear`") from None
        return row is not None

    def info(self) -> CacheInfo:
        """Number of entries, how many are still fresh, and the file size."""
        from requests_cache import CachedResponse

        cutoff = time.time() - self.max_age
        entries = fresh = 0
        try:
            with self._backend.responses.connection() as con:
                for (value,) in con.execute(f"SELECT value FROM {self._backend.responses.table_name}"):
                    entries += 1
                    try:
                        response = self._backend.responses.deserialize(None, value)
                    except Exception:
                        continue
                    if isinstance(response, CachedResponse) and response.created_at.timestamp() >= cutoff:
                        fresh += 1
        except sqlite3.Error as exc:
            raise CacheError(f"the cache {self.path} is damaged ({exc}); run `sponsorcheck cache clear`") from None
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return CacheInfo(str(self.path), entries, fresh, size)

    def clear(self) -> int:
        """Remove every entry; return how many there were."""
        try:
            count = self._backend.responses.count(expired=True)
            self._backend.clear()
        except sqlite3.Error:
            count = 0
            self.close()
            clear_file(self.path)
        return count

    def close(self) -> None:
        """Close the database connections."""
        self._backend.responses.close()
        self._backend.redirects.close()


def clear_file(path: str | Path) -> None:
    """Delete a cache file (and SQLite's -wal/-shm companions); for a file too damaged to open."""
    p = Path(path)
    for candidate in (p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheError(f"cannot delete {candidate}: {exc.strerror}") from None
