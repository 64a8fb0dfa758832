"""Batch mode: a whole tour from a spreadsheet, checked politely and fast, without losing a row.

Reading: CSV/TSV with a header row (delimiter and encoding sniffed) or .xlsx through openpyxl; the
URL column found by name; every other column carried through unchanged.

Work: identical URLs are checked once. A pool of worker threads pulls work from a scheduler that
knows every host's state, so a worker is never parked behind one host's politeness delay while
another host has work ready: at most `per_host` requests in flight per host and at least `delay`
seconds between the starts of two requests to one host. robots.txt is fetched once per host
(itself a polite request) and kept in memory; a disallowed page is reported with error kind
"robots" and never fetched. Retries, deadlines, size caps and the page cache stay in
`fetch.Fetcher`; every row goes through `pipeline.check_target`, exactly as `check`.

Nothing lost: each finished row is appended to a journal as it completes (`Journal`), a resumed
run skips the rows already there, an interrupt (Ctrl-C or the `stop` event) ends the run within a
moment with the finished rows, and reports are written atomically (temporary file + rename).

The core never prints: progress goes to a `BatchObserver` the caller supplies.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import json
import os
import queue
import re
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from protego import Protego

from sponsorcheck.errors import (
    InputFileError,
    OutputError,
    RobotsDisallowed,
    SponsorcheckError,
    TargetError,
    UsageError,
)
from sponsorcheck.fetch import Fetcher, deadline, make_session, validate_url
from sponsorcheck.files import check_user_file, read_user_file
from sponsorcheck.match import Matcher
from sponsorcheck.models import Page, Result, Verdict
from sponsorcheck.pipeline import CheckOptions, check_target, error_result
from sponsorcheck.report import document, result_dict, result_from_dict, to_csv, to_markdown
from sponsorcheck.watchlist import Watchlist

# Header names that mean "the event's web address", compared after casefolding and squeezing
# punctuation to single spaces; earlier names win when a sheet has several. Multilingual on purpose.
URL_COLUMN_NAMES = (
    "url",
    "event url",
    "event link",
    "festival url",
    "venue url",
    "link",
    "website",
    "web site",
    "homepage",
    "web",
    "site",
    "page",
    "event page",
    "webseite",
    "internetseite",
    "site web",
    "site internet",
    "lien",
    "sitio web",
    "enlace",
    "página web",
    "pagina web",
    "sito web",
    "sito",
    "link evento",
)
# Words that make a header a URL column when no exact name matched ("Festival website", "Ticket link").
URL_COLUMN_WORDS = ("url", "website", "link", "homepage", "webseite", "lien", "enlace")
DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 50  # rows read to choose the delimiter
XLSX_SUFFIXES = (".xlsx", ".xlsm")
OUTPUT_SUFFIXES = (".csv", ".json", ".md", ".xlsx")
MAX_INPUT_BYTES = 50_000_000  # far beyond any tour; a bigger file is a mistake

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
# A robots.txt Crawl-delay is honoured up to this many seconds (a site asking for an hour is ignored).
MAX_CRAWL_DELAY = 10.0
ROBOTS_MAX_BYTES = 500_000  # RFC 9309 lets crawlers stop at 500 KiB
ROBOTS_TIMEOUT = (5.0, 10.0)
ROBOTS_DEADLINE = 15.0  # total seconds for one robots.txt, however slowly it arrives (never above --timeout)
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
JOURNAL_SUFFIX = ".journal.jsonl"
JOURNAL_FORMAT = 1


# ---------------------------------------------------------------------------------------------
# Reading the input


@dataclass(frozen=True)
class InputRow:
    """One data row of the input: its cells in column order, and the raw URL cell."""

    index: int  # 0-based among data rows (the journal's key, with the URL)
    line: int  # 1-based row number in the spreadsheet, header included (for messages)
    cells: tuple[tuple[str, str], ...]
    url: str


@dataclass(frozen=True)
class Table:
    """A parsed input file."""

    path: str
    columns: tuple[str, ...]
    rows: tuple[InputRow, ...]
    url_column: str
    encoding: str = "utf-8"
    delimiter: str = ","


def _squeeze(name: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", name.casefold()).split())


def find_url_column(columns: Sequence[str], wanted: str | None = None) -> str:
    """The column holding URLs: `wanted` if given (any case), else by name; raise InputFileError if none."""
    squeezed = {c: _squeeze(c) for c in columns}
    if wanted is not None:
        for column in columns:
            if column == wanted or squeezed[column] == _squeeze(wanted):
                return column
        raise InputFileError(f"no column named {wanted!r}; the columns are: {', '.join(columns)}")
    for name in URL_COLUMN_NAMES:
        for column in columns:
            if squeezed[column] == name:
                return column
    for word in URL_COLUMN_WORDS:
        for column in columns:
            if word in squeezed[column].split():
                return column
    raise InputFileError(
        f"cannot tell which column holds the URLs (columns: {', '.join(columns)}); say it with --url-column NAME"
    )


def decode_input(data: bytes) -> tuple[str, str]:
    """Decode a text table: UTF-8 with or without BOM, UTF-16 with BOM, else windows-1252; (text, encoding)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputFileError(f"the file starts with a {encoding} mark but is not {encoding}: {exc}") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # What Excel writes on Western-European Windows; every byte decodes, undefined ones replaced.
        return data.decode("windows-1252", errors="replace"), "windows-1252"


def sniff_delimiter(text: str, prefer_tab: bool = False) -> str:
    """The delimiter among , ; tab | that splits the header into most columns and the rows consistently."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    best, best_score = "\t" if prefer_tab else ",", (-1, -1.0, 0)
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(c.strip() for c in r)]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows[1:] if len(r) == width) / max(1, len(rows) - 1)
        score = (int(width > 1), consistent, width)
        if score > best_score or (score == best_score and prefer_tab and delimiter == "\t"):
            best, best_score = delimiter, score
    return best


def _unique_columns(header: Sequence[str]) -> tuple[str, ...]:
    """Header cells made usable as keys: blanks named 'column N', duplicates suffixed ' (2)'."""
    seen: dict[str, int] = {}
    columns = []
    for i, raw in enumerate(header, 1):
        name = raw.strip() or f"column {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        columns.append(name)
    return tuple(columns)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table_from_rows(
    path: str, raw_rows: Iterable[Sequence[str]], url_column: str | None, encoding: str, delimiter: str
) -> Table:
    rows_iter = iter(raw_rows)
    header: Sequence[str] | None = None
    line = 0
    for candidate in rows_iter:
        line += 1
        if any(c.strip() for c in candidate):
            header = candidate
            break
    if header is None:
        raise InputFileError(f"{path}: the file is empty (it needs a header row and one row per event)")
    columns = list(_unique_columns(header))
    column = find_url_column(columns, url_column)
    rows: list[InputRow] = []
    for raw in rows_iter:
        line += 1
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue  # blank lines at the end of a spreadsheet are not events
        while len(cells) > len(columns):
            columns.append(f"column {len(columns) + 1}")
        cells += [""] * (len(columns) - len(cells))
        pairs = tuple(zip(columns, cells, strict=True))
        rows.append(InputRow(len(rows), line, pairs, dict(pairs)[column]))
    # Rows read before a wider row was seen get the extra (empty) columns too.
    width = len(columns)
    rows = [
        r if len(r.cells) == width else replace(r, cells=r.cells + tuple((c, "") for c in columns[len(r.cells) :]))
        for r in rows
    ]
    return Table(path, tuple(columns), tuple(rows), column, encoding, delimiter)


def read_table(path: str | Path, url_column: str | None = None) -> Table:
    """Read a CSV/TSV (sniffed) or .xlsx tour; raise InputFileError with a readable reason if it cannot."""
    what = "a tour spreadsheet (CSV, TSV or .xlsx)"
    p = check_user_file(path, error=InputFileError, what=what, max_bytes=MAX_INPUT_BYTES)
    if p.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(p, url_column)
    data = read_user_file(p, error=InputFileError, what=what, max_bytes=MAX_INPUT_BYTES)
    text, encoding = decode_input(data)
    # csv refuses cells over 131,072 characters by default, which lost the whole tour to one pasted
    # cell ("internal error"); a cell may be as large as the file, itself capped by MAX_INPUT_BYTES.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_INPUT_BYTES))
    try:
        delimiter = sniff_delimiter(text, prefer_tab=p.suffix.lower() in (".tsv", ".tab"))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _table_from_rows(str(path), list(reader), url_column, encoding, delimiter)
    except csv.Error as exc:
        raise InputFileError(f"{path}: not a readable CSV/TSV file: {exc}") from None


def _read_xlsx(path: Path, url_column: str | None) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise InputFileError(
            f"{path}: reading .xlsx needs openpyxl (pip install 'sponsorcheck[xlsx]'), or save the sheet as CSV"
        ) from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise InputFileError(f"{path}: not a readable .xlsx workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table_from_rows(str(path), rows, url_column, "xlsx", "")


def target_url(cell: str) -> str:
    """The URL to fetch for a cell: http(s) URLs as they are, 'www.fest.example/x' given https://; else UsageError."""
    text = cell.strip()
    if not text:
        raise UsageError("no URL in this row")
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        # Spreadsheets often hold bare addresses; a dotted host without spaces is one.
        if re.match(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?#]\S*)?$", text):
            text = "https://" + text
        else:
            raise UsageError(f"{cell!r} is not a web address")
    return validate_url(text)


def dedup_key(url: str) -> str:
    """URLs that fetch the same page: scheme and host case-folded, fragment dropped."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def origin_of(url: str) -> str:
    """scheme://host[:port], the unit of politeness and of robots.txt."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


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


# ---------------------------------------------------------------------------------------------
# robots.txt


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


def fetch_robots(
    session: requests.Session, origin: str, user_agent: str, seconds: float = ROBOTS_DEADLINE
) -> RobotsRules:
    """Fetch and parse origin/robots.txt within `seconds` (RFC 9309: 4xx → allow all, 5xx → disallow all).

    Never raises. Socket timeouts bound silences only, so a server dripping robots.txt a byte a
    second held a worker for ever (the whole batch, measured); fetch.deadline cuts it, and the page
    fetch that follows reports the slow server.
    """
    with deadline(seconds) as watchdog:
        try:
            response = session.get(origin + "/robots.txt", timeout=ROBOTS_TIMEOUT, stream=True, allow_redirects=True)
        except Exception:  # requests' family, and urllib3/idna surprises on odd host names
            # The page fetch will fail too and say why more usefully than a robots message would.
            return RobotsRules()
        with response:
            if response.status_code >= 500:
                status = response.status_code
                return RobotsRules(refusal=f"robots.txt answered HTTP {status}, so the site is off-limits")
            if response.status_code >= 400:
                return RobotsRules()
            try:
                data = response.raw.read(ROBOTS_MAX_BYTES, decode_content=True)
            except Exception:
                return RobotsRules()
        if watchdog.fired:  # cut short: what arrived is not the whole file
            return RobotsRules()
    text = data.decode("utf-8", errors="replace")
    try:
        parser = Protego.parse(text)
        delay = parser.crawl_delay(user_agent) or 0.0
    except Exception:  # a robots.txt protego cannot read is treated as absent
        return RobotsRules()
    return RobotsRules(parser, min(float(delay), MAX_CRAWL_DELAY))


# ---------------------------------------------------------------------------------------------
# Scheduling


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
# The journal


class Journal:
    """Finished rows, one JSON line each, appended and flushed as they complete (beside the output)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def path_for(output: str | Path) -> Path:
        """The journal's path for a report path: report.csv → report.csv.journal.jsonl."""
        p = Path(output)
        return p.with_name(p.name + JOURNAL_SUFFIX)

    def load(self, table: Table) -> dict[int, Result]:
        """Rows already finished for this input (same row position and URL); a torn last line is ignored."""
        done: dict[int, Result] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return done
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"{self.path}: cannot read the journal to resume: {exc}") from None
        rows = {r.index: r for r in table.rows}
        for line in lines:
            try:
                entry = json.loads(line)
                row = rows.get(entry["row"])
                if row is None or entry.get("url") != row.url:
                    continue  # the input changed since: check this row again
                done[row.index] = replace(result_from_dict(entry["result"]), row=row.cells)
            except (ValueError, KeyError, TypeError):
                continue  # the line being written when the last run was killed
        return done

    def open(self, fresh: bool) -> None:
        """Open for appending (truncate when not resuming); raise OutputError if it cannot be written."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w" if fresh else "a", encoding="utf-8")  # noqa: SIM115 — kept open
        except OSError as exc:
            raise OutputError(f"cannot write the journal {self.path}: {exc.strerror}") from None

    def append(self, row: InputRow, result: Result) -> None:
        """Append one finished row and flush it to the OS (survives Ctrl-C and a killed process)."""
        if self._file is None:
            return
        line = json.dumps({"row": row.index, "url": row.url, "result": result_dict(result)}, ensure_ascii=False)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self, remove: bool = False) -> None:
        """Close; remove the file when the report it protects has been written in full."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if remove:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


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
                    result = check_target(url, polite, matcher, options.check)
            except Exception as exc:  # one hostile page must never cost the other rows
                if stop.is_set():
                    return  # the process pool is being shut down: this row is left for --resume
                result = error_result(url, "internal", f"{url}: could not be checked: {type(exc).__name__}: {exc}")
            results.put((dedup_key(url), result))

    pool = _process_pool(options, matcher) if options.jobs > 0 and url_for else None
    n_fetchers = max(1, min(options.workers, len(url_for)))
    fetchers_left[0] = n_fetchers
    analysers = [
        threading.Thread(target=analyse_worker, name=f"sponsorcheck-analyse-{i}", daemon=True)
        for i in range(options.jobs if pool is not None else max(1, options.analysers))
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
        initargs=(matcher.watchlists, matcher.min_score, options.check, options.robots),
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


# ---------------------------------------------------------------------------------------------
# Writing the report


def output_format(path: str | Path) -> str:
    """The report format for an output path by its extension; raise UsageError for an unknown one."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise UsageError(f"{path}: cannot tell the report format; end the name in {', '.join(OUTPUT_SUFFIXES)}")
    if suffix == ".xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise UsageError("writing .xlsx needs openpyxl: pip install 'sponsorcheck[xlsx]' (or use .csv)") from None
    return suffix[1:]


def check_writable(path: str | Path) -> None:
    """Raise OutputError now if a report cannot be written at `path` (before any work is done)."""
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name such as report.csv")
    output_format(p)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{path}: the folder {parent} does not exist")
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputError(f"{path}: the file is not writable")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{p.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {parent}: {exc.strerror}") from None


def render_report(results: Sequence[Result], table: Table, watchlists: Sequence[Watchlist], fmt: str) -> bytes:
    """The report bytes in one of the formats: csv, json, md, xlsx."""
    if fmt == "csv":
        return to_csv(results, table.columns).encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    if fmt == "json":
        return (json.dumps(document(results, watchlists), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "md":
        return to_markdown(results, table.columns).encode("utf-8")
    if fmt == "xlsx":
        from sponsorcheck.report import to_xlsx

        return to_xlsx(results, table.columns)
    raise UsageError(f"unknown report format {fmt!r}")


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write the file through a temporary file in the same folder and a rename: never half a report."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); a report gets the mode of the file it replaces, or
        # the usual mode for a new file (0666 less the umask).
        try:
            mode = p.stat().st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"{path}: cannot write the report: {exc.strerror}") from None


def write_report(path: str | Path, results: Sequence[Result], table: Table, watchlists: Sequence[Watchlist]) -> None:
    """Write the report in the format its extension names, atomically."""
    write_atomic(path, render_report(results, table, watchlists, output_format(path)))


def verdict_counts(results: Iterable[Result]) -> dict[Verdict, int]:
    """How many rows got each verdict (every verdict listed, zeros included)."""
    counts = dict.fromkeys(Verdict, 0)
    for r in results:
        counts[r.verdict] += 1
    return counts
