"""A page cache in one SQLite file, stored with requests-cache's SQLite backend.

Why not requests-cache's CachedSession: it reads every body eagerly, which would bypass fetch.py's
streaming size cap and per-page deadline. So fetch.py keeps owning HTTP, and this module plugs in
through fetch.py's `PageCache` protocol (get/put of already-decoded pages). The entries are genuine
requests-cache `CachedResponse`s in its `responses` table, keyed with `requests_cache.create_key`,
so the file stays an ordinary requests-cache database.

Guarantees: an entry older than `max_age` seconds is never returned; the file lives at an explicit
path (by default under platformdirs' user cache directory, never requests-cache's default name);
a damaged or unwritable file is a readable `CacheError`, never a traceback.

One rule for the path, used by every command (`resolve_cache_path`): --cache-path, else
$SPONSORCHECK_CACHE, else the user cache directory; a name without an extension gets `.sqlite`
(requests-cache would add it anyway, so `mycache` is always `mycache.sqlite`). The environment can
turn the cache off (SPONSORCHECK_CACHE=off, or SPONSORCHECK_NO_CACHE=1).

A file is opened or deleted only when it is recognisably our own cache (`check_own_cache`): an
SQLite database holding requests-cache's tables and nothing else, or an empty file. Anything else
(a tour spreadsheet given by mistake, another program's database) is refused and left untouched.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

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
# $SPONSORCHECK_CACHE set to one of these turns the cache off instead of naming a file called "0".
CACHE_OFF_VALUES = frozenset({"off", "0", "no", "false", "none", "disable", "disabled"})
# The conventional NO_* switch: set to anything but an off-value, the cache is off.
NO_CACHE_ENV = "SPONSORCHECK_NO_CACHE"
NO_CACHE_FALSE_VALUES = frozenset({"", "0", "no", "false", "off"})
CACHE_SUFFIX = ".sqlite"
SQLITE_HEADER = b"SQLite format 3\x00"
# batch keeps robots.txt answers in this table of the same file (batch/robots.py, RobotsStore).
ROBOTS_TABLE = "robots_txt"
# requests-cache's SQLite backend keeps exactly these tables, and batch adds its robots.txt table; a
# database with others is not ours.
CACHE_TABLES = frozenset({"responses", "redirects", ROBOTS_TABLE})
# Kept with each cached page: when its contents were downloaded (a 304 keeps the first download time).
FETCHED_AT_HEADER = "X-Sponsorcheck-Fetched-At"
# Several batch workers may write at once; wait for the SQLite write lock rather than fail.
BUSY_TIMEOUT_MS = 10_000
# During a batch (`PageCache.writing_behind`) pages are stored by one writer thread, up to this many per
# transaction. Stored one transaction per page, under the one connection's lock that reads take too,
# every fetch worker waited on every write: a 1,000-row tour took 54 s with the cache against 18 s
# without (measured with benchmarks/batch_bench.py).
WRITE_BATCH = 16
# Pages handed to the writer and not yet stored, at most; a full queue makes put() wait, so a slow
# disk holds fetching back instead of filling memory (each waits as its stored bytes, ~150 KB: a
# queue of 64 raised a batch's peak RSS by about 12 MB, measured).
WRITE_QUEUE = 16
# Client libraries of requests-cache's other backends and serializers, which importing requests_cache
# loads whenever they are installed (boto3 and botocore alone: about 16 MB of RSS and 0.2 s of start-up,
# measured); sponsorcheck stores pages in SQLite with the default serializer only.
UNUSED_CACHE_LIBRARIES = (
    "boto3",
    "botocore",
    "pymongo",
    "gridfs",
    "bson",
    "redis",
    "itsdangerous",
    "tomlkit",
    "orjson",
    "ujson",
)
# URLs whose cache key is remembered: a batch asks for each page's key three times (planned, fetched,
# stored).
KEY_MEMO = 8192


class CacheError(SponsorcheckError):
    """The cache file cannot be opened, read or written."""

    kind = "cache"


def user_cache_file() -> Path:
    """pages.sqlite in the user cache directory (~/.cache/sponsorcheck on Linux): the default cache."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / CACHE_FILE_NAME


def cache_off_by_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The environment setting that turns the cache off (e.g. "SPONSORCHECK_CACHE=off"), or None."""
    env = os.environ if environ is None else environ
    value = env.get(CACHE_PATH_ENV, "").strip()
    if value.lower() in CACHE_OFF_VALUES:
        return f"{CACHE_PATH_ENV}={value}"
    flag = env.get(NO_CACHE_ENV, "").strip()
    if flag.lower() not in NO_CACHE_FALSE_VALUES:
        return f"{NO_CACHE_ENV}={flag}"
    return None


def with_cache_suffix(path: Path) -> Path:
    """The file a path names as a cache: `.sqlite` is added to a name without an extension."""
    return path if path.suffix else path.with_name(path.name + CACHE_SUFFIX)


def resolve_cache_path(option: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The cache file every command uses: --cache-path, else $SPONSORCHECK_CACHE, else the user cache
    directory; None when the environment turns the cache off (an explicit --cache-path still wins)."""
    env = os.environ if environ is None else environ
    if option is not None and str(option) != "":
        return with_cache_suffix(Path(option).expanduser())
    if cache_off_by_env(env):
        return None
    value = env.get(CACHE_PATH_ENV, "").strip()
    if value:
        return with_cache_suffix(Path(value).expanduser())
    return user_cache_file()


def default_cache_path() -> Path:
    """The cache file when no --cache-path is given: $SPONSORCHECK_CACHE (a file) or the user cache dir."""
    return resolve_cache_path(None, {k: v for k, v in os.environ.items() if k != NO_CACHE_ENV}) or user_cache_file()


def check_own_cache(path: Path) -> None:
    """Return quietly if `path` is missing, empty or a sponsorcheck page cache; else CacheError (exit 2).

    Never opens the file for writing: a non-cache file given as --cache-path is refused untouched.
    """
    try:
        if path.is_dir():
            raise CacheError(f"{path}: is a directory; --cache-path names the cache file")
        if not path.exists() or path.stat().st_size == 0:
            return
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise CacheError(f"cannot read the cache {path}: {exc.strerror}") from None
    refusal = f"{path}: not a sponsorcheck page cache"
    if _is_default_location(path):  # our own file, damaged: clearing it is safe and the way out
        refusal = f"the cache {path} is damaged; run `sponsorcheck cache clear` —"
    if header != SQLITE_HEADER:
        raise CacheError(f"{refusal} (not an SQLite database); left untouched — give another --cache-path")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise CacheError(f"{refusal} or it is damaged ({exc}); left untouched — delete it yourself if it is") from None
    tables = {name for name in tables if not name.startswith("sqlite_")}
    if not tables <= CACHE_TABLES:
        others = ", ".join(sorted(tables - CACHE_TABLES))
        raise CacheError(f"{refusal} (an SQLite database with other tables: {others}); left untouched")


@dataclass(frozen=True)
class CacheInfo:
    """What `sponsorcheck cache info` shows."""

    path: str
    entries: int
    fresh: int
    size_bytes: int


def _import_requests_cache() -> None:
    """Import requests_cache without the client libraries of backends we never use (each then stays a
    placeholder inside requests-cache); a library imported before, or after, is left alone."""
    if "requests_cache" in sys.modules:
        return
    hidden = [name for name in UNUSED_CACHE_LIBRARIES if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError meanwhile
    try:
        import requests_cache  # noqa: F401
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


@lru_cache(maxsize=KEY_MEMO)
def _key(url: str) -> str:
    """requests-cache's key for a GET of `url`, the same as `create_key(requests.Request("GET", url))`."""
    from requests_cache import create_key

    # Prepared here, method and URL only: given a Request, create_key builds a whole requests Session
    # (adapters, pools, cookie jars) to prepare it, about 1 ms a call (profiled). The headers, cookies
    # and auth that adds are not part of the key.
    prepared = requests.PreparedRequest()
    prepared.prepare_method("GET")
    prepared.prepare_url(url, None)
    prepared.prepare_headers(None)
    return create_key(prepared)


class PageCache:
    """Pages by requested URL in a requests-cache SQLite file; thread-safe (one connection, locked writes;
    inside `writing_behind`, a writer thread with a connection of its own)."""

    def __init__(self, path: str | Path | None = None, max_age: float = DEFAULT_MAX_AGE) -> None:
        self.path = with_cache_suffix(Path(path)) if path is not None else default_cache_path()
        self.max_age = max_age
        # Write-behind state: entries handed to the writer and not yet committed, as the bytes stored, by
        # key (get and contains_key look here first, so a page put is found at once), and the writer's queue.
        self._pending: dict[str, bytes] = {}
        self._pending_lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, bytes, Any] | None] | None = None
        self._write_error: str | None = None
        # Imported here: requests-cache's start-up is not for --no-cache runs and commands without a cache.
        _import_requests_cache()
        from requests_cache import SQLiteCache

        check_own_cache(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._backend = SQLiteCache(self.path, wal=True, busy_timeout=BUSY_TIMEOUT_MS)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot open the cache {self.path}: {exc} (use --no-cache to run without it)") from None

    def _now(self) -> datetime:
        return datetime.now(timezone.utc)

    def get(self, url: str, any_age: bool = False) -> Page | None:
        """The cached page for this URL if it is younger than max_age (any age with `any_age`, for a
        conditional GET), else None. It carries when it was downloaded and its ETag/Last-Modified."""
        from requests_cache import CachedResponse

        key = _key(url)
        try:
            stored = self._pending.get(key)
            if stored is None:
                response = self._backend.responses.get(key)
            else:
                response = self._backend.responses.deserialize(key, stored)
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"the cache {self.path} is damaged ({exc}); run `sponsorcheck cache clear`") from None
        except Exception:  # an entry written by an incompatible requests-cache version: a miss, not a failure
            return None
        if not isinstance(response, CachedResponse) or response.created_at is None:
            return None
        created = response.created_at
        if created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)
        if not any_age and (self._now() - created).total_seconds() > self.max_age:
            return None
        text = response.content.decode("utf-8", errors="replace") if response.content else ""
        headers = response.headers
        return Page(
            url,
            response.url or url,
            text,
            headers.get("Content-Type", "text/html"),
            response.status_code or None,
            True,
            fetched_at=headers.get(FETCHED_AT_HEADER) or created.isoformat(timespec="seconds"),
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
        )

    def put(self, url: str, page: Page) -> None:
        """Store a fetched page under the URL that was asked for (its final URL is kept inside), with its
        validators and download time; storing a revalidated copy again restarts its max_age."""
        from requests_cache import CachedResponse
        from requests_cache.models import CachedRequest

        now = self._now()
        headers = {
            "Content-Type": page.content_type,
            FETCHED_AT_HEADER: page.fetched_at or now.isoformat(timespec="seconds"),
        }
        if page.etag:
            headers["ETag"] = page.etag
        if page.last_modified:
            headers["Last-Modified"] = page.last_modified
        response = CachedResponse(
            url=page.url,
            status_code=page.status or 200,
            reason="OK",
            headers=CaseInsensitiveDict(headers),
            content=page.text.encode("utf-8"),
            encoding="utf-8",
            created_at=now,
            expires=now + timedelta(seconds=self.max_age),
            request=CachedRequest(method="GET", url=url),
        )
        key = _key(url)
        writer = self._queue
        if writer is not None:
            if self._write_error is not None:
                raise CacheError(self._write_error)
            # Serialised here, so only the stored bytes wait (not the response and its copies of the page).
            stored = self._backend.responses.serialize(response)
            with self._pending_lock:
                self._pending[key] = stored
            writer.put((key, stored, getattr(response, "expires_unix", None)))
            return
        try:
            self._backend.responses[key] = response
        except sqlite3.Error as exc:
            raise CacheError(f"cannot write the cache {self.path}: {exc} (use --no-cache to run without it)") from None

    @contextlib.contextmanager
    def writing_behind(self) -> Iterator[None]:
        """While inside, put() hands pages to a writer thread that stores them several per transaction on a
        connection of its own; get() and contains_key() find them at once. Every page put is in the file
        when the block ends, however it ends. A write that fails makes later put() calls raise CacheError."""
        if self._queue is not None:  # already writing behind (nested): the outer block flushes
            yield
            return
        writes: queue.Queue[tuple[str, bytes, Any] | None] = queue.Queue(maxsize=WRITE_QUEUE)
        self._write_error = None
        writer = threading.Thread(
            target=self._write_loop, args=(writes,), name="sponsorcheck-cache-writer", daemon=True
        )
        writer.start()
        self._queue = writes
        try:
            yield
        finally:
            self._queue = None  # later puts are written at once
            writes.put(None)
            writer.join()

    def _write_loop(self, writes: queue.Queue[tuple[str, bytes, Any] | None]) -> None:
        """The writer thread: store what is queued, a transaction per WRITE_BATCH pages at most, until None."""
        responses = self._backend.responses
        try:
            con = sqlite3.connect(responses.db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")  # as requests-cache sets it in WAL mode: no fsync per commit
        except sqlite3.Error as exc:
            self._write_error = f"cannot write the cache {self.path}: {exc} (use --no-cache to run without it)"
            con = None
        statement = f"INSERT OR REPLACE INTO {responses.table_name} (key, value, expires) VALUES (?, ?, ?)"
        done = False
        while not done:
            batch = [writes.get()]
            while len(batch) < WRITE_BATCH and batch[-1] is not None:
                try:
                    batch.append(writes.get_nowait())
                except queue.Empty:
                    break
            done = batch[-1] is None
            items = [item for item in batch if item is not None]
            if items and con is not None and self._write_error is None:
                try:
                    con.execute("BEGIN IMMEDIATE")
                    con.executemany(statement, items)
                    con.execute("COMMIT")
                except sqlite3.Error as exc:
                    with contextlib.suppress(sqlite3.Error):
                        con.execute("ROLLBACK")
                    self._write_error = f"cannot write the cache {self.path}: {exc} (use --no-cache to run without it)"
            with self._pending_lock:  # committed (or given up): readers find them in the file now
                for key, stored, _expires in items:
                    if self._pending.get(key) is stored:
                        del self._pending[key]
        if con is not None:
            con.close()

    def contains(self, url: str) -> bool:
        """True when get(url) would answer from the cache."""
        return self.get(url) is not None

    def contains_key(self, url: str) -> bool:
        """True when an entry exists for this URL, fresh or not (one indexed lookup, no body read)."""
        if _key(url) in self._pending:
            return True
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
            with self._backend.responses.connection(commit=True) as con:
                con.execute(f"DROP TABLE IF EXISTS {ROBOTS_TABLE}")  # robots.txt answers go with the pages
        except sqlite3.Error as exc:
            raise CacheError(f"the cache {self.path} is damaged ({exc}); delete the file") from None
        return count

    def close(self) -> None:
        """Close the database connections."""
        self._backend.responses.close()
        self._backend.redirects.close()


def clear_cache(path: Path) -> tuple[int, bool]:
    """Empty the cache at `path`: (pages removed, whether the file itself had to be deleted).

    Only a file recognised as our cache is touched (CacheError otherwise, nothing deleted); a damaged
    file is deleted only at the default location, where nothing but sponsorcheck writes.
    """
    if not path.exists():
        return 0, False
    ours = _is_default_location(path)
    try:
        cache = PageCache(path)
    except CacheError:
        if not ours:
            raise
        clear_file(path)
        return 0, True
    try:
        return cache.clear(), False
    except CacheError:
        if not ours:
            raise
    finally:
        cache.close()
    clear_file(path)
    return 0, True


def _is_default_location(path: Path) -> bool:
    """True for the default cache file (our own directory and name), which only sponsorcheck writes."""
    try:
        return path.resolve() == user_cache_file().resolve()
    except OSError:
        return False


def clear_file(path: str | Path) -> None:
    """Delete a cache file (and SQLite's -wal/-shm companions); callers check it is ours first."""
    p = Path(path)
    for candidate in (p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
        try:
            candidate.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheError(f"cannot delete {candidate}: {exc.strerror}") from None
