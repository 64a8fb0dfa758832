"""Fetching: the one module that owns HTTP policy, and reading saved pages.

Guarantees for every fetch: only http(s); a User-Agent naming the tool; connect and read timeouts
plus a total deadline per page (a server that drips bytes cannot hold us); bounded retries with
backoff on connection errors, 429 and 5xx, honouring Retry-After up to a cap; a redirect cap; a size
cap enforced while streaming on the *decoded* body (a gzip bomb cannot take memory); non-HTML
content refused with a clear error; bytes decoded with bs4's UnicodeDammit (HTTP charset, BOM,
<meta charset>, then detection), never requests' ISO-8859-1 guess. With `revalidate` (check), a
cached copy is used only after a conditional GET (ETag / Last-Modified) answered 304; every page
says when it was downloaded (`fetched_at`) and whether it came from the cache.
"""

from __future__ import annotations

import contextlib
import email.utils
import heapq
import http.client
import logging
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

import idna
import requests
import urllib3
from bs4.dammit import EncodingDetector, UnicodeDammit
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from sponsorcheck import PROJECT_URL, __version__
from sponsorcheck.errors import FetchError, TargetError, UsageError
from sponsorcheck.files import read_user_file
from sponsorcheck.models import Page
from sponsorcheck.parse import drop_unparsable

USER_AGENT = f"sponsorcheck/{__version__} (+{PROJECT_URL})"
ALLOWED_SCHEMES = ("http", "https")
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
# Statuses worth retrying: the server may answer next time.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK_BYTES = 64 * 1024
# Characters that never appear in a real page: C0 controls other than tab/newlines, DEL, and U+FFFD
# (what undecodable bytes become). Above this share of the first BINARY_SAMPLE characters the
# "page" is binary data (an image, an archive) whatever its Content-Type says.
BINARY_SAMPLE = 65_536
BINARY_SHARE = 0.05
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
# The bytes of those characters, and of the ones the parser cannot hold (parse.drop_unparsable), in
# UTF-8: C0 controls other than tab/newlines, DEL, and U+FFFD. A page decoded strictly as UTF-8
# without any of them needs neither check: one C-speed pass over the bytes instead of ~30 passes over
# the text (about 5 % of a batch's fetch CPU, profiled).
_SUSPECT_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_REPLACEMENT_UTF8 = "\ufffd".encode()
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
# Memory follows the parsed tree, not bytes: a dense 10 MB page of 390,000 elements needed 600 MB, an
# 11 MB page of 50,000 elements with 32 attributes each 550 MB. The tree is estimated before parsing
# (elements as half the "<", attributes as the "=", which is cheap) with an attribute weighing half
# an element (measured: ~750 and ~300 bytes); no event page comes near the limit, and above it the
# page is refused rather than the machine.
MAX_PAGE_NODES = 250_000
# UnicodeDammit logs a warning when it must replace undecodable bytes; with no logging set up Python
# would print it on stderr, breaking the one-line-error contract. The page's fate is decided here.
logging.getLogger("bs4.dammit").addHandler(logging.NullHandler())
# Variables through which the environment points requests at a proxy or a netrc file (what the
# tests clear); a proxy or netrc entry depends on the URL, so when one applies requests reads them per request.
PROXY_SETTINGS = (
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "NETRC",
)
# Variables naming the CA bundle, in requests' order of precedence: the same for every request, so
# they are read once.
CA_BUNDLE_SETTINGS = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
# What the user can do, appended to each kind of fetch failure.
ADVICE_LATER = "try again later"
ADVICE_TIMEOUT = "the server is too slow; try again later or raise --timeout"
ADVICE_URL = "check the URL"
ADVICE_SAVE = "if the page opens in a browser, save it there and check the saved file"


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one page fetch; defaults suit a musician's single check and a polite batch."""

    deadline: float = 30.0  # total seconds for one page, retries included
    connect_timeout: float = 10.0
    read_timeout: float = 15.0  # longest silence between bytes
    max_bytes: int = 10_000_000  # decoded body size cap
    retries: int = 2  # extra attempts after the first
    backoff: float = 0.5  # seconds, doubled each retry
    max_retry_after: float = 10.0  # cap on a server's Retry-After (urllib3's own cap is 6 hours)
    max_redirects: int = 10


class PageCache(Protocol):
    """Where fetched pages are kept between runs (see cache.py)."""

    def get(self, url: str, any_age: bool = False) -> Page | None: ...

    def put(self, url: str, page: Page) -> None: ...


def validate_url(url: str) -> str:
    """Return the URL if it is an absolute http(s) URL with a host; raise UsageError otherwise."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise UsageError(f"{url[:200]!r} is not a valid URL ({exc}); check the URL") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UsageError(
            f"{url[:200]!r}: only http:// and https:// URLs can be checked; for a saved page give its file path"
        )
    if not parts.hostname:
        raise UsageError(f"{url!r}: the URL has no host name; write it like https://festival.example/sponsors")
    if not parts.hostname.isascii():
        # requests encodes international names with IDNA 2008; one it cannot encode would fail later
        # as an obscure "invalid label" error, so say so now, in the user's words.
        try:
            idna.encode(parts.hostname, uts46=True)
        except (idna.IDNAError, UnicodeError):
            raise UsageError(
                f"{url[:200]!r}: {parts.hostname[:100]!r} is not a valid international domain name; check the URL"
            ) from None
    return url.strip()


def is_url(target: str) -> bool:
    """True when the target looks like a URL (has a scheme), so it is not a file path."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", target))


class _Watchdog:
    """Enforces a fetch's total deadline by shutting its sockets down when time is up.

    Socket timeouts bound each silence, not the total: a server that drips one byte a second
    (even inside the status line, before requests returns a response) never trips them. The
    watched connections below register their socket with the current thread's watchdog.
    One shared thread (`_Deadlines`) watches every fetch's deadline: a thread per fetch cost a
    batch about 6 % of its CPU in thread starts and cancels (profiled).
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self.seconds = max(seconds, 0.0)
        self.done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self.fired:
                _shutdown(sock)
            else:
                self._sockets.append(sock)

    def fire(self) -> None:
        with self._lock:
            if self.done:
                return  # the fetch ended in time; its sockets belong to the next request now
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def __enter__(self) -> _Watchdog:
        _CURRENT.watchdog = self
        _DEADLINES.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.done = True
            self._sockets = []
        _CURRENT.watchdog = None


class _Deadlines:
    """One daemon thread that fires each watchdog when its time is up (a heap of deadlines).

    A watchdog whose fetch ended is skipped when its time comes (`done`), so ending a fetch costs no
    wake-up; the thread sleeps until the soonest deadline or a sooner one is added.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Watchdog]] = []
        self._count = 0
        self._thread: threading.Thread | None = None

    def add(self, watchdog: _Watchdog) -> None:
        at = time.monotonic() + watchdog.seconds
        with self._cond:
            self._count += 1
            soonest = not self._heap or at < self._heap[0][0]
            heapq.heappush(self._heap, (at, self._count, watchdog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sponsorcheck-deadlines", daemon=True)
                self._thread.start()
            elif soonest:
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                due: list[_Watchdog] = []
                while self._heap and (self._heap[0][0] <= now or self._heap[0][2].done):
                    due.append(heapq.heappop(self._heap)[2])
                if due:
                    self._cond.release()
                    try:
                        for watchdog in due:
                            watchdog.fire()
                    finally:
                        self._cond.acquire()
                    continue
                self._cond.wait(self._heap[0][0] - now if self._heap else None)


_DEADLINES = _Deadlines()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to stop
        sock.shutdown(socket.SHUT_RDWR)


_CURRENT = threading.local()  # the watchdog of the fetch running in this thread, if any


def _watch(sock: socket.socket | None) -> None:
    watchdog = getattr(_CURRENT, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(sock)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watch(self.sock)  # before the status line is read: a dripped head is bounded too
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watch(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _DeadlineAdapter(requests.adapters.HTTPAdapter):
    """An HTTPAdapter whose connections (direct or through a proxy) obey the current fetch's watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


def enforce_deadlines(session: requests.Session) -> requests.Session:
    """Make every plain HTTPAdapter mounted on `session` obey fetch deadlines; returns the session.

    A caller may tune its own adapters (pool sizes for a batch); the Fetcher still needs to reach
    their sockets, so a plain HTTPAdapter becomes a _DeadlineAdapter (same state, one more hook).
    """
    for adapter in session.adapters.values():
        if type(adapter) is requests.adapters.HTTPAdapter:
            adapter.__class__ = _DeadlineAdapter
            adapter.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
    return session


def deadline(seconds: float) -> _Watchdog:
    """Context manager: requests made in this thread inside it are cut after `seconds`, however the server drips.

    For HTTP outside `Fetcher.fetch` (robots.txt); sessions need `make_session` or `enforce_deadlines`.
    After a cut, the request raises a requests ConnectionError (or its body ends early): check `.fired`.
    """
    return _Watchdog(seconds)


def make_session(user_agent: str = USER_AGENT, pool_size: int = 16) -> requests.Session:
    """A requests Session with the tool's User-Agent and a connection pool sized for `pool_size` workers."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    session.headers["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
    adapter = _DeadlineAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    read_environment_once(session)
    return session


def read_environment_once(session: requests.Session) -> None:
    """Apply what the environment says to the session once, instead of on every request, when that is
    the same for every URL (no proxy variable, no netrc file): the CA bundle becomes `session.verify`.

    With trust_env, requests re-reads every environment variable for the proxies and the CA bundle and
    stats ~/.netrc on *every* request (0.2-0.4 ms a page, about 5 % of a batch's CPU, profiled)."""
    # urllib's getproxies is what requests asks (the environment, and the system's settings on macOS and
    # Windows); its "no" entry is no_proxy, which says nothing when no proxy is set.
    proxies = {scheme: url for scheme, url in urllib.request.getproxies().items() if scheme != "no"}
    if proxies or os.environ.get("NETRC") or _has_netrc():
        return  # proxies and netrc entries depend on the URL: requests keeps reading them per request
    if session.verify is True:
        bundle = next((os.environ[name] for name in CA_BUNDLE_SETTINGS if os.environ.get(name)), None)
        if bundle is not None:
            session.verify = bundle
    session.trust_env = False


def _has_netrc() -> bool:
    return any((Path.home() / name).exists() for name in (".netrc", "_netrc"))


class _Response:
    """What `session_get` answers on its direct path: the parts of a requests Response fetch.py reads.

    `raw` is urllib3's response (read with `read1(..., decode_content=True)`), as with stream=True;
    leaving the block closes it and gives a fully read connection back to its pool, as requests does.
    """

    def __init__(self, raw: Any, url: str) -> None:
        self.raw = raw
        self.url = url
        self.status_code: int = raw.status
        self.reason: str = raw.reason or ""
        self.headers = raw.headers  # urllib3's HTTPHeaderDict: case-insensitive, like requests' headers

    @property
    def is_redirect(self) -> bool:
        return "location" in self.headers and self.status_code in requests.sessions.REDIRECT_STATI

    def close(self) -> None:
        self.raw.close()
        release = getattr(self.raw, "release_conn", None)
        if release is not None:
            release()

    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _direct(session: requests.Session, url: str) -> requests.adapters.HTTPAdapter | None:
    """The session's adapter for `url` when a GET through it needs nothing of requests' Session but the
    adapter's pool: no proxy, netrc or environment lookups, no auth, cookies or hooks; else None."""
    if session.trust_env or session.proxies or session.auth is not None or session.cert is not None:
        return None
    if len(session.cookies) or any(session.hooks.get(event) for event in session.hooks):
        return None
    if session.params or "@" in urlsplit(url).netloc:  # params, and credentials in the URL, are requests' to add
        return None
    adapter = session.get_adapter(url)
    return adapter if isinstance(adapter, _DeadlineAdapter) else None


def session_get(
    session: requests.Session, url: str, timeout: tuple[float, float], headers: dict[str, str] | None = None
) -> Any:
    """`session.get(url, stream=True, timeout=..., allow_redirects=True, headers=...)`, the same request
    and the same exceptions, but sent straight through the session's adapter when nothing else of the
    Session applies (`_direct`): requests' per-request preparation (cookies, hooks, header merging,
    environment, response building) cost about 0.7 ms a page, a third of a batch's fetch CPU (profiled).

    Redirects are followed as requests follows them: up to `session.max_redirects`, the fragment kept,
    through `session.get_redirect_target` (so a session that stops at other hosts still does)."""
    adapter = _direct(session, url)
    if adapter is None:
        return session.get(url, stream=True, timeout=timeout, allow_redirects=True, headers=headers)
    prepared = requests.PreparedRequest()
    prepared.prepare_method("GET")
    prepared.prepare_url(url, None)
    sent = dict(session.headers)
    if headers:
        sent.update(headers)
    prepared.prepare_headers(sent)
    prepared.body = None
    response = _send(adapter, prepared, timeout, session.verify, session)
    redirects = 0
    fragment = urlsplit(prepared.url or "").fragment
    while True:
        location = session.get_redirect_target(response)  # type: ignore[arg-type]  # the parts it reads
        if not location:
            return response
        with contextlib.suppress(Exception):  # as requests: the body of a redirect is read and dropped
            response.raw.drain_conn()
        redirects += 1
        if redirects > session.max_redirects:
            response.close()
            raise requests.TooManyRedirects(f"Exceeded {session.max_redirects} redirects.")
        response.close()
        if location.startswith("//"):
            location = f"{urlsplit(response.url).scheme}:{location}"
        parsed = requests.compat.urlparse(location)
        if parsed.fragment == "" and fragment:
            parsed = parsed._replace(fragment=fragment)
        elif parsed.fragment:
            fragment = parsed.fragment
        location = parsed.geturl()
        if not parsed.netloc:
            location = requests.compat.urljoin(response.url, requests.utils.requote_uri(location))
        else:
            location = requests.utils.requote_uri(location)
        adapter_next = session.get_adapter(location)  # InvalidSchema for a URL that is not http(s)
        if not isinstance(adapter_next, _DeadlineAdapter) or len(session.cookies):
            # A cookie set on the way (sent on by requests to the next hop), or another adapter: requests'
            # own path for the rest of the chain.
            return session.get(location, stream=True, timeout=timeout, allow_redirects=True, headers=headers)
        prepared = prepared.copy()
        prepared.url = location
        prepared.headers.pop("Cookie", None)
        response = _send(adapter_next, prepared, timeout, session.verify, session)


def _send(
    adapter: requests.adapters.HTTPAdapter,
    request: requests.PreparedRequest,
    timeout: tuple[float, float],
    verify: Any,
    session: requests.Session,
) -> _Response:
    """HTTPAdapter.send for a GET without a body or proxy, minus building a requests Response: the same
    pool, TLS settings and urllib3 call, and urllib3's errors mapped to requests' exceptions as it maps them."""
    from requests import exceptions as rex
    from urllib3 import exceptions as uex

    try:
        conn = adapter.get_connection_with_tls_context(request, verify, proxies=None, cert=None)
    except uex.LocationValueError as exc:
        raise rex.InvalidURL(exc, request=request) from exc
    adapter.cert_verify(conn, request.url, verify, None)
    target = adapter.request_url(request, {})
    try:
        raw = conn.urlopen(  # type: ignore[attr-defined]  # an HTTP(S)ConnectionPool
            method="GET",
            url=target,
            body=None,
            headers=request.headers,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            retries=adapter.max_retries,
            timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
            chunked=False,
        )
    except (uex.ProtocolError, OSError) as err:
        raise rex.ConnectionError(err, request=request) from err
    except uex.MaxRetryError as exc:
        reason = exc.reason
        if isinstance(reason, uex.ConnectTimeoutError) and not isinstance(reason, uex.NewConnectionError):
            raise rex.ConnectTimeout(exc, request=request) from exc
        if isinstance(reason, uex.ResponseError):
            raise rex.RetryError(exc, request=request) from exc
        if isinstance(reason, uex.ProxyError):
            raise rex.ProxyError(exc, request=request) from exc
        if isinstance(reason, uex.SSLError):
            raise rex.SSLError(exc, request=request) from exc
        raise rex.ConnectionError(exc, request=request) from exc
    except uex.ClosedPoolError as exc:
        raise rex.ConnectionError(exc, request=request) from exc
    except uex.ProxyError as exc:
        raise rex.ProxyError(exc) from exc
    except (uex.SSLError, uex.HTTPError) as exc:
        if isinstance(exc, uex.SSLError):
            raise rex.SSLError(exc, request=request) from exc
        if isinstance(exc, uex.ReadTimeoutError):
            raise rex.ReadTimeout(exc, request=request) from exc
        if isinstance(exc, uex.InvalidHeader):
            raise rex.InvalidHeader(exc, request=request) from exc
        raise
    if "set-cookie" in raw.headers:  # kept in the session's jar as requests keeps them (later requests use it)
        requests.cookies.extract_cookies_to_jar(session.cookies, request, raw)
    return _Response(raw, request.url or "")


def _charset_of(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
    return match.group(1) if match else None


def decode_html(data: bytes, http_charset: str | None = None) -> str:
    """Decode page bytes: HTTP charset, BOM, <meta charset>, then UTF-8, then detection; never raises.

    Control characters that no page shows (NUL and friends) are dropped, so the parser never refuses the text.
    """
    return drop_unparsable(_decode(data, http_charset))


def looks_binary(text: str) -> bool:
    """True when decoded text is mostly not text (control characters, undecodable bytes): not a web page."""
    sample = text[:BINARY_SAMPLE]
    return bool(sample) and len(_CONTROL_CHARS.findall(sample)) > BINARY_SHARE * len(sample)


def page_text(data: bytes, name: str, http_charset: str | None = None) -> str:
    """Decoded, parser-safe text of a page; raise TargetError if the bytes are binary data, not a page."""
    text = _strict_utf8(data, http_charset)
    plain = (
        text is not None and _REPLACEMENT_UTF8 not in data and len(data.translate(None, _SUSPECT_BYTES)) == len(data)
    )
    if text is None:
        text = _decode(data, http_charset)
    if not plain and looks_binary(text):
        error = TargetError(f"{name}: does not look like a web page (binary data); {ADVICE_URL} or the file")
        error.kind = "not-html"
        raise error
    # Two byte counts (~0.3 ms each on 500 KB; an estimate is all this needs): every element has a start
    # and mostly an end tag, every attribute value an "=" (so do URLs and scripts, which only errs high).
    elements = data.count(b"<") // 2
    attributes = data.count(b"=")
    if elements + attributes // 2 > MAX_PAGE_NODES:
        error = TargetError(
            f"{name}: the page has about {elements:,} elements and {attributes:,} attributes, far more than an event "
            "page; if it is the right page, save just its sponsors section and check that file"
        )
        error.kind = "too-large"
        raise error
    return text if plain else drop_unparsable(text)


def _has_suspect_bytes(data: bytes) -> bool:
    return len(data.translate(None, _SUSPECT_BYTES)) != len(data)


def _strict_utf8(data: bytes, http_charset: str | None) -> str | None:
    """The text `_decode` gives when that is a strict UTF-8 decoding of all of `data` (the common case:
    declared UTF-8 or nothing declared, no byte order mark); None when `_decode` must decide."""
    if http_charset and http_charset.strip().lower() not in _UTF8_NAMES:
        return None
    if EncodingDetector.strip_byte_order_mark(data)[1] is not None:
        return None  # a byte order mark: the detector strips it (and it may say UTF-16)
    declared = None if http_charset else EncodingDetector.find_declared_encoding(data[:4096], is_html=True)
    if declared is not None and declared not in _UTF8_NAMES:
        return None  # the page declares another encoding, which the detector honours
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode(data: bytes, http_charset: str | None = None) -> str:
    if not http_charset:
        # Fast path: most pages without a declared charset are UTF-8, and detection is slow on big pages.
        bom_encoding = EncodingDetector.strip_byte_order_mark(data)[1]
        declared = EncodingDetector.find_declared_encoding(data[:4096], is_html=True)
        if bom_encoding is None and declared is None:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
    known = [http_charset] if http_charset else []
    dammit = UnicodeDammit(data, known_definite_encodings=known, is_html=True)
    if dammit.unicode_markup is not None:
        return dammit.unicode_markup
    return data.decode("windows-1252", errors="replace")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta or HTTP date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Fetcher:
    """Fetches pages under one FetchPolicy with an injected Session (tests aim it at a loopback server)."""

    def __init__(
        self,
        session: requests.Session | None = None,
        policy: FetchPolicy | None = None,
        cache: PageCache | None = None,
        offline: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        *,
        revalidate: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.session = enforce_deadlines(session or make_session())
        self.policy = policy or FetchPolicy()
        self.session.max_redirects = self.policy.max_redirects
        self.cache = cache
        self.offline = offline
        self._sleep = sleep
        # With revalidate, a cached copy is used only after the server confirms it unchanged (a
        # conditional GET answered 304), whatever its age: `check` never answers from a stale copy.
        # Without it (batch), a copy younger than the cache's max_age is used without asking.
        self.revalidate = revalidate
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def fetch(self, url: str, target: str | None = None) -> Page:
        """Fetch one http(s) page within the policy; raise FetchError with a readable reason otherwise."""
        url = validate_url(url)
        stale: Page | None = None  # a cached copy to revalidate
        if self.cache is not None:
            if self.revalidate and not self.offline:
                stale = self.cache.get(url, any_age=True)
            else:
                cached = self.cache.get(url)
                if cached is not None:
                    return replace(cached, target=target or url, from_cache=True, revalidated=False)
        if self.offline:
            raise FetchError(f"{url}: not in the cache and --offline forbids fetching it", kind="offline")
        start = time.monotonic()
        policy = self.policy
        attempt = 0
        while True:
            remaining = policy.deadline - (time.monotonic() - start)
            if remaining <= 0:
                raise self._too_slow(url)
            try:
                with _Watchdog(remaining) as watchdog:
                    try:
                        page = self._attempt(url, target or url, start, remaining, stale)
                    except (_Retryable, FetchError):
                        if watchdog.fired:  # whatever broke, it broke because the deadline cut it
                            raise self._too_slow(url) from None
                        raise
                    if watchdog.fired:  # the cut looked like the end of the body: the page is incomplete
                        raise self._too_slow(url)
            except _Retryable as exc:
                attempt += 1
                wait = exc.wait if exc.wait is not None else policy.backoff * (2 ** (attempt - 1))
                elapsed = time.monotonic() - start
                if attempt > policy.retries or elapsed + wait >= policy.deadline:
                    if exc.final.kind == "timeout" and elapsed >= policy.deadline:
                        # A socket timeout and the watchdog can end the same wait: one message either way.
                        raise self._too_slow(url) from None
                    raise exc.final from exc.final.__cause__  # --debug shows the library's own error
                self._sleep(wait)
                continue
            if self.cache is not None:
                self.cache.put(url, page)
            return page

    def _too_slow(self, url: str) -> FetchError:
        return FetchError(
            f"{url}: gave up after {self.policy.deadline:g} s (the deadline per page); {ADVICE_TIMEOUT}", kind="timeout"
        )

    def _too_large(self, url: str, detail: str) -> FetchError:
        return FetchError(
            f"{url}: page is larger than {self.policy.max_bytes // 1_000_000} MB ({detail}); is it the festival page? "
            f"If so, check a saved copy",
            kind="too-large",
        )

    def _attempt(self, url: str, target: str, start: float, remaining: float, stale: Page | None = None) -> Page:
        policy = self.policy
        # Socket timeouts never exceed what is left of the deadline (the watchdog covers dripping).
        timeout = (min(policy.connect_timeout, remaining), min(policy.read_timeout, remaining))
        conditional = _conditional_headers(stale)
        fetched_at = self._clock().astimezone(timezone.utc).isoformat(timespec="seconds")
        try:
            response = session_get(self.session, url, timeout, conditional or None)
        except requests.TooManyRedirects:
            raise FetchError(
                f"{url}: more than {policy.max_redirects} redirects (a redirect loop?); open the URL in a browser "
                "and check the address it ends at",
                kind="redirects",
            ) from None
        except requests.exceptions.SSLError as exc:
            raise _caused(
                FetchError(f"{url}: {connection_problem(exc, url)}; {_tls_advice(exc, url)}", kind="tls"), exc
            ) from exc
        except requests.exceptions.InvalidSchema:
            raise FetchError(
                f"{url}: redirected to a URL that is not http(s); {ADVICE_SAVE}", kind="redirects"
            ) from None
        except (requests.exceptions.InvalidURL, UnicodeError) as exc:
            raise FetchError(f"{url}: invalid URL ({_short(exc)}); {ADVICE_URL}", kind="url") from exc
        except requests.Timeout as exc:
            raise _Retryable(
                _caused(
                    FetchError(
                        f"{url}: the server did not answer in time; {ADVICE_LATER} or raise --timeout", kind="timeout"
                    ),
                    exc,
                )
            ) from exc
        except requests.ConnectionError as exc:
            raise _Retryable(
                _caused(
                    FetchError(
                        f"{url}: {connection_problem(exc, url)}; check the address, or {ADVICE_LATER}",
                        kind="connection",
                    ),
                    exc,
                )
            ) from exc
        with response:
            status = response.status_code
            if status == 304 and stale is not None and conditional:
                # Unchanged since the cached copy: use it, and say it was confirmed just now.
                return replace(stale, target=target, from_cache=True, revalidated=True)
            if status in RETRY_STATUSES:
                wait = _retry_after(response.headers.get("Retry-After"))
                reason = (
                    "too many requests (429), the site asks us to slow down"
                    if status == 429
                    else (f"server error {status}, the site is having trouble")
                )
                advice = f"the site asks to wait {_duration(wait)}, {ADVICE_LATER}" if wait else ADVICE_LATER
                final = FetchError(f"{url}: {reason}; {advice}", kind="http", status=status)
                # The wait is capped (urllib3 would sleep up to 6 hours); the deadline still bounds the total.
                raise _Retryable(final, None if wait is None else min(wait, policy.max_retry_after))
            if status >= 400:
                advice = ADVICE_SAVE if status in (401, 403, 451) else ADVICE_URL
                raise FetchError(
                    f"{url}: HTTP {status} {response.reason or ''}".rstrip() + f"; {advice}", kind="http", status=status
                )
            content_type = response.headers.get("Content-Type", "")
            mime = content_type.split(";")[0].strip().lower()
            if mime and mime not in HTML_CONTENT_TYPES:
                raise FetchError(
                    f"{url}: not a web page (Content-Type {mime[:60]}); give the address of the festival's HTML page",
                    kind="content-type",
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > policy.max_bytes:
                raise self._too_large(url, f"{int(declared):,} bytes announced")
            body = self._read_body(response, url, start)
            if not body.strip():
                raise FetchError(f"{url}: the server sent an empty page; {ADVICE_URL} or {ADVICE_LATER}", kind="empty")
            try:
                text = page_text(body, url, _charset_of(content_type))
            except TargetError as exc:
                raise FetchError(exc.message, kind=exc.kind) from None
            return Page(
                target,
                response.url,
                text,
                mime or "text/html",
                status,
                body=body,
                fetched_at=fetched_at,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
            )

    def _read_body(self, response: Any, url: str, start: float) -> bytes:
        """Read the decoded body in chunks, enforcing the size cap and the total deadline between chunks."""
        policy = self.policy
        raw = response.raw
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                # read1 returns as soon as some bytes arrive, so a dripping server cannot hold a big read
                # open past the deadline; max_length bounds what one gzip chunk may decode to.
                chunk = raw.read1(CHUNK_BYTES, decode_content=True)
                if not chunk:
                    break
                total += len(chunk)
                if total > policy.max_bytes:
                    raise self._too_large(url, "decoded")
                chunks.append(chunk)
                if time.monotonic() - start > policy.deadline:
                    raise self._too_slow(url)
        except FetchError:
            raise
        except Exception as exc:  # urllib3 decode/protocol/timeout errors while streaming
            if "timed out" in str(exc).lower():
                raise _Retryable(
                    _caused(
                        FetchError(
                            f"{url}: the server stopped sending; {ADVICE_LATER} or raise --timeout", kind="timeout"
                        ),
                        exc,
                    )
                ) from exc
            raise _Retryable(
                _caused(
                    FetchError(
                        f"{url}: the connection broke while reading ({connection_problem(exc, url)}); {ADVICE_LATER}",
                        kind="connection",
                    ),
                    exc,
                )
            ) from exc
        return b"".join(chunks)


def _conditional_headers(stale: Page | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for a cached copy that has validators (empty without one)."""
    headers: dict[str, str] = {}
    if stale is not None and stale.etag:
        headers["If-None-Match"] = stale.etag
    if stale is not None and stale.last_modified:
        headers["If-Modified-Since"] = stale.last_modified
    return headers


class _Retryable(Exception):
    """Internal: a failure worth another attempt; carries the error to raise when retries run out."""

    def __init__(self, final: FetchError, wait: float | None = None) -> None:
        super().__init__(str(final))
        self.final = final
        self.wait = wait


def _duration(seconds: float) -> str:
    """'45 s', '20 min', '3 h' — how long a server asks us to wait, for a person."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def _caused(error: FetchError, cause: BaseException) -> FetchError:
    """The error with the library exception behind it as its cause, so --debug can show that traceback."""
    error.__cause__ = cause
    return error


# OpenSSL's reasons when the other end answered, but not with TLS: plain HTTP on an https:// port.
NOT_TLS_REASONS = ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "UNKNOWN_PROTOCOL", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER")


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything nested in it (requests wraps urllib3, which wraps the socket's error)."""
    out: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(out) < 20:
        current = todo.pop(0)
        if any(current is seen for seen in out):
            continue
        out.append(current)
        nested = [getattr(current, "reason", None), current.__cause__, current.__context__]
        nested += [a for a in current.args if isinstance(a, BaseException)]
        todo.extend(n for n in nested if isinstance(n, BaseException))
    return out


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname or url, port or (443 if parts.scheme == "https" else 80)


def connection_problem(exc: BaseException, url: str) -> str:
    """What went wrong with a connection, in a person's words: no library class names, one short clause."""
    host, port = _host_port(url)
    causes = _causes(exc)
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            detail = (cause.verify_message or "").strip() or "it could not be verified"
            return f"the site's TLS certificate is not trusted ({detail})"
        if isinstance(cause, ssl.SSLError):
            reason = str(cause.reason or "")
            if reason.upper().startswith(NOT_TLS_REASONS):
                return f"TLS handshake failed: the server does not speak HTTPS on port {port}"
            words = reason.replace("_", " ").lower() or "the secure connection could not be set up"
            return f"TLS handshake failed ({words})"
    for cause in causes:
        if isinstance(cause, socket.gaierror):
            return f"the host name {host} could not be found"  # the advice after it says to check the address
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused: nothing answers on port {port} of {host}"
        if isinstance(cause, ConnectionResetError):
            return "the server reset the connection"
        if isinstance(cause, (http.client.RemoteDisconnected, ConnectionAbortedError, BrokenPipeError)):
            return "the server closed the connection without an answer"
        if isinstance(cause, http.client.BadStatusLine):
            return "the server's answer is not HTTP"
        if isinstance(cause, (socket.timeout, TimeoutError)):
            return "the connection timed out"
    for cause in causes:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror[:1].lower() + cause.strerror[1:]
    if any("certificate verify failed" in str(c) for c in causes):
        return "the site's TLS certificate is not trusted"
    if any(isinstance(c, requests.exceptions.SSLError) for c in causes):
        return "TLS handshake failed"
    return "the connection failed"


def _tls_advice(exc: BaseException, url: str) -> str:
    """Advice after a TLS failure: a plain-HTTP server wants http://, a bad certificate a saved copy."""
    if "does not speak HTTPS" in connection_problem(exc, url):
        return "try http:// instead of https://"
    return f"{ADVICE_SAVE}, or try http:// if the site has no https"


def _short(exc: BaseException) -> str:
    """A one-line summary of a requests/urllib3 exception (they nest long reprs)."""
    text = str(exc)
    for pattern in (
        r"\[Errno -?\d+\] ([^'\")]+)",
        r"(Connection refused)",
        r"(Connection reset by peer)",
        r"(certificate verify failed[^'\")]*)",
        r"(Name or service not known)",
    ):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip()
    text = text.splitlines()[0] if text else type(exc).__name__
    return text[:160]


MAX_FILE_BYTES = 50_000_000


def read_file(path: str, max_bytes: int = MAX_FILE_BYTES) -> Page:
    """Read a saved page from disk; raise TargetError for a missing file, a directory or a huge file."""
    data = read_user_file(
        path,
        error=TargetError,
        what="a saved web page",
        max_bytes=max_bytes,
        advice="give a URL with http:// or https://, or a saved HTML file",
    )
    if not data.strip():
        raise TargetError(f"{path}: the file is empty; save the page again from the browser")
    return Page(path, path, page_text(data, path), "text/html", None)


def read_stream(stream: IO[bytes], name: str = "-", max_bytes: int = MAX_FILE_BYTES) -> Page:
    """Read HTML from a binary stream (stdin); raise TargetError if it is empty or too large."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TargetError(f"{name}: input is larger than {max_bytes // 1_000_000} MB")
    if not data.strip():
        raise TargetError(f"{name}: no HTML on standard input")
    return Page(name, name, page_text(data, name), "text/html", None)


def load_target(target: str, fetcher: Fetcher, stdin: IO[bytes] | None = None) -> Page:
    """Turn a TARGET (URL, file path or '-') into a Page; raise TargetError/UsageError if it cannot be read."""
    if target == "-":
        return read_stream(stdin if stdin is not None else sys.stdin.buffer)
    if is_url(target):
        return fetcher.fetch(target, target)
    return read_file(target)
