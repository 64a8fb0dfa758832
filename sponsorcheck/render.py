"""Rendering: load a page in headless Chromium (Playwright) so sponsors built by JavaScript can be read.

Optional: needs the `render` extra (`pip install 'sponsorcheck[render]'`) and a Chromium — the system's
(Debian's `chromium`, found on PATH or at SPONSORCHECK_BROWSER) or Playwright's own (`playwright install
chromium`). Without either, `browser_status()` says why in one line and nothing here is imported.

Guarantees for every render: the page's total deadline holds (a page that never goes quiet is read as
it stood when the time to wait ran out); the DOM is capped by size and element count; downloads are
refused, pop-ups never open, permission prompts and dialogs are dismissed, service workers are blocked,
known third-party trackers and media are not loaded; one Chromium per run, closed on exit or Ctrl-C.
The Renderer is safe to call from several threads: it keeps a pool of `contexts` browser contexts
(batch's pool, 2 by default) and loads at most PAGES_PER_CONTEXT pages at once in each. A context is
replaced by a fresh one as soon as no page is open in it, so what pages leave behind (idle or cut-off
connections, cookies, storage) does not outlive the work; a browser that crashed is started again for
the next page. Nothing is kept on disk.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import importlib.util
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sponsorcheck.errors import ExitStatus, FetchError, SponsorcheckError
from sponsorcheck.fetch import MAX_PAGE_NODES, USER_AGENT, is_url
from sponsorcheck.models import Extraction, Page, Role

# Where a browser is looked for, in order: this variable (a Chromium or Chrome executable), then these
# names on PATH, then Playwright's own download.
BROWSER_ENV = "SPONSORCHECK_BROWSER"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PLAYWRIGHT_BROWSERS_ENV = "PLAYWRIGHT_BROWSERS_PATH"
PLAYWRIGHT_DEFAULT_DIR = Path.home() / ".cache" / "ms-playwright"
INSTALL_BROWSER = "install one with `apt-get install chromium` or `playwright install chromium`"
INSTALL_EXTRA = "pip install 'sponsorcheck[render]'"
# Chromium flags for a quiet, isolated headless run: as root it needs --no-sandbox, and on a closed
# network its own background connections (updates, sync, field trials) would only fail noisily. No
# --disable-features here: Chromium keeps only the last such flag, and Playwright passes its own list
# (MediaRouter, OptimizationHints, PaintHolding, DestroyProfileOnBrowserClose, a fix for intercepted
# CORS redirects, ...), which one of ours silently replaced.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
)
DEFAULT_CONTEXTS = 2  # the render pool's size (batch's pool; check renders one page at a time anyway)
# Pages loading at once per unit of the pool. A page mostly waits (for the network, for quiet), so a
# few at once keep a batch moving; each costs a renderer process (~30–60 MB, measured in render_bench.py).
PAGES_PER_CONTEXT = 3
VIEWPORT = {"width": 1280, "height": 900}
# The network is "quiet" after this long with no request in flight. Playwright's networkidle uses 500 ms;
# a script asks for its next request within milliseconds of the last answer, so 300 ms is enough, and
# it is waited for once per page on the user's path.
QUIET_SECONDS = 0.3
# After a scroll step, observers fire on the next frames and ask for their content at once.
SCROLL_QUIET_SECONDS = 0.2
# Shares of the page's deadline: waiting for the first quiet, and kept back to read the DOM at the end.
FIRST_QUIET_SHARE = 0.5
READ_RESERVE_SHARE = 0.15
MAX_SCROLL_STEPS = 40  # viewport heights scrolled at most (an endless feed stops here)
MAX_DOM_CHARS = 10_000_000  # same as the fetch size cap on a decoded page
MAX_SCREENSHOT_HEIGHT = 16_000  # pixels: a full-page PNG of an endless page would be enormous
SCREENSHOT_SECONDS = 10.0
CLOSE_SECONDS = 5.0
# Request types never loaded: media (audio/video can stream forever) and live channels.
BLOCKED_RESOURCE_TYPES = frozenset({"media", "texttrack", "eventsource", "websocket", "manifest"})
# Request types answered by the browser itself, without asking the host, unless a screenshot is wanted:
# sponsors are read from the DOM (an <img>'s src, alt and link), never from pixels, so logos and fonts
# need not be downloaded. An image gets a transparent 1x1 GIF (its load event fires as usual, so no
# onerror handler hides or swaps it); a font request is refused (the text falls back to another font).
PLACEHOLDER_TYPES = frozenset({"image"})
REFUSED_WITHOUT_PIXELS = frozenset({"font"})
PLACEHOLDER_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
# Third-party trackers and ad networks: they never carry sponsor lists, they phone home, and many keep
# the network busy. A request to one of these hosts (or a subdomain) is aborted.
TRACKER_DOMAINS = (
    "google-analytics.com",
    "googletagmanager.com",
    "googlesyndication.com",
    "googleadservices.com",
    "doubleclick.net",
    "analytics.google.com",
    "stats.g.doubleclick.net",
    "connect.facebook.net",
    "facebook.com/tr",
    "hotjar.com",
    "hotjar.io",
    "segment.io",
    "segment.com",
    "mixpanel.com",
    "amplitude.com",
    "fullstory.com",
    "clarity.ms",
    "matomo.cloud",
    "plausible.io",
    "newrelic.com",
    "nr-data.net",
    "quantserve.com",
    "scorecardresearch.com",
    "chartbeat.com",
    "chartbeat.net",
    "taboola.com",
    "outbrain.com",
    "criteo.com",
    "criteo.net",
    "adnxs.com",
    "ads-twitter.com",
    "analytics.twitter.com",
    "bat.bing.com",
    "snap.licdn.com",
    "px.ads.linkedin.com",
    "tiktok.com/i18n/pixel",
    "analytics.tiktok.com",
    "yandex.ru/metrika",
    "mc.yandex.ru",
    "cdn.mxpnl.com",
    "static.ads-twitter.com",
    "adsrvr.org",
    "pinimg.com/ct",
    "ct.pinterest.com",
)
# Run before any page script: a pop-up never opens (window.open returns null) and no permission is asked.
INIT_SCRIPT = """
(() => {
  const nothing = () => null;
  try { Object.defineProperty(window, 'open', { value: nothing, writable: false }); } catch (e) {}
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query = () => Promise.resolve({ state: 'denied', onchange: null });
  }
  if (window.Notification) { window.Notification.requestPermission = () => Promise.resolve('denied'); }
})();
"""
_SCROLL_JS = """
() => {
  window.scrollBy(0, window.innerHeight);
  const doc = document.scrollingElement || document.documentElement;
  return [window.scrollY + window.innerHeight, doc ? doc.scrollHeight : 0,
          document.getElementsByTagName('*').length];
}
"""
# A script the page runs (JSON and JSON-LD data blocks are not code).
SCRIPT_RE = re.compile(r"<script\b(?![^>]*\btype\s*=\s*[\"']?application/(?:ld\+)?json)", re.I)
_NODES_JS = "() => document.getElementsByTagName('*').length"
_HEIGHT_JS = "() => { const d = document.scrollingElement || document.documentElement; return d ? d.scrollHeight : 0; }"


class RenderMode(str, Enum):
    """When to render a page in a browser (values are the CLI's words)."""

    AUTO = "auto"  # only pages that look built by JavaScript (and only when a browser is available)
    ALWAYS = "always"  # every page given as a URL; no browser is a usage error
    NEVER = "never"


class BrowserUnavailable(SponsorcheckError):
    """Rendering was asked for but no browser (or no Playwright) is installed."""

    kind = "browser"
    exit_status = ExitStatus.USAGE


class RenderError(FetchError):
    """One page could not be rendered (deadline before the page loaded, HTTP error, page too large, crash)."""

    kind = "render"


@dataclass(frozen=True)
class BrowserStatus:
    """Whether pages can be rendered here, with what, or why not (one line a person can act on)."""

    available: bool
    executable: str | None = None  # a system browser; None with `available` means Playwright's own
    problem: str = ""


@dataclass(frozen=True)
class RenderPolicy:
    """Limits for one page render (the deadline is the page's, as for a fetch)."""

    deadline: float = 30.0
    max_chars: int = MAX_DOM_CHARS
    max_nodes: int = MAX_PAGE_NODES
    quiet: float = QUIET_SECONDS
    scroll_quiet: float = SCROLL_QUIET_SECONDS
    max_scroll_steps: int = MAX_SCROLL_STEPS
    block_trackers: bool = True


@dataclass(frozen=True)
class Rendered:
    """A page as the browser built it."""

    url: str  # the final URL in the browser
    html: str  # the DOM serialised after load, quiet and scrolling
    status: int | None  # HTTP status of the main document
    seconds: float  # time the render took (browser start excluded)
    quiet: bool  # the network went quiet before the DOM was read (False: read when the wait ran out)
    scroll_steps: int
    blocked: int  # requests not loaded: trackers, media, pop-ups, what robots.txt forbids
    screenshot: bytes | None = None  # full-page PNG, when asked for
    requests: int = 0  # requests the browser sent to the network (the document served from the fetch not counted)
    served: int = 0  # requests answered without the network: the fetched document, image placeholders


def needs_render(mode: RenderMode, page: Page, extraction: Extraction) -> bool:
    """Whether to load this page in a browser: `always` renders every URL; `auto` a page that runs scripts
    and lists no sponsors without them (the pages that read `unknown` with today's JavaScript hint, and
    sponsor sections a script fills); files and standard input are never rendered."""
    if mode is RenderMode.NEVER or not is_url(page.url):
        return False
    if mode is RenderMode.ALWAYS:
        return True
    if any(c.in_sponsor_context and c.role is Role.SPONSOR for c in extraction.candidates):
        return False
    return bool(SCRIPT_RE.search(page.text))


def _fulfilment(document: Page) -> dict[str, Any]:
    """Route.fulfill's arguments that hand the browser a fetched page: its decoded text as UTF-8 (the
    charset said in the header, which a browser prefers to any <meta> in the page), its status."""
    mime = document.content_type.split(";")[0].strip().lower() or "text/html"
    return {
        "status": document.status or 200,
        "headers": {"content-type": f"{mime}; charset=utf-8"},
        "body": document.text.encode("utf-8", "replace"),
    }


def _playwright_browsers_dir() -> Path:
    env = os.environ.get(PLAYWRIGHT_BROWSERS_ENV)
    return Path(env) if env and env != "0" else PLAYWRIGHT_DEFAULT_DIR


def _system_browser() -> str | None:
    env = os.environ.get(BROWSER_ENV)
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _playwright_has_browser() -> bool:
    root = _playwright_browsers_dir()
    try:
        return any(p.is_dir() for p in root.glob("chromium*"))
    except OSError:
        return False


def browser_status() -> BrowserStatus:
    """Whether rendering can work here (Playwright importable and a Chromium found), cheaply: nothing is started."""
    if importlib.util.find_spec("playwright") is None:
        return BrowserStatus(
            False, problem=f"rendering needs Playwright: {INSTALL_EXTRA}, and a browser: {INSTALL_BROWSER}"
        )
    env = os.environ.get(BROWSER_ENV)
    system = _system_browser()
    if env and system is None:
        return BrowserStatus(False, problem=f"{BROWSER_ENV}={env} is not an executable browser; {INSTALL_BROWSER}")
    if system:
        return BrowserStatus(True, system)
    if _playwright_has_browser():
        return BrowserStatus(True, None)
    return BrowserStatus(False, problem=f"no browser found to render pages; {INSTALL_BROWSER}")


def open_renderer(
    mode: RenderMode, contexts: int = DEFAULT_CONTEXTS, status: BrowserStatus | None = None
) -> tuple[Renderer | None, str]:
    """The renderer a run needs for `mode` (the browser starts only when a page needs it), or None and why.

    `always` without a browser raises BrowserUnavailable (a usage error: exit 2); `auto` without one
    returns the one-line reason, which the pages that would have been rendered carry as a hint.
    """
    if mode is RenderMode.NEVER:
        return None, ""
    status = status or browser_status()
    if not status.available:
        if mode is RenderMode.ALWAYS:
            raise BrowserUnavailable(f"--render always: {status.problem}")
        return None, f"this page may build its sponsors with JavaScript, but {status.problem}"
    return Renderer(status, contexts), ""


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def is_tracker(url: str) -> bool:
    """True when the URL goes to a known third-party tracker or ad network (a host or host/path entry)."""
    host = _host(url)
    if not host:
        return False
    path = urlsplit(url).path
    for entry in TRACKER_DOMAINS:
        domain, _, prefix = entry.partition("/")
        if (host == domain or host.endswith("." + domain)) and (not prefix or path.startswith("/" + prefix)):
            return True
    return False


class _Traffic:
    """Requests in flight on one page, so 'quiet' can be awaited more than once (after each scroll)."""

    def __init__(self) -> None:
        self.in_flight: set[Any] = set()
        self.last_change = time.monotonic()
        self.blocked = 0
        self.sent = 0  # requests let through to the network
        self.served = 0  # requests answered here (the fetched document, image placeholders)

    def started(self, request: Any) -> None:
        self.in_flight.add(request)
        self.last_change = time.monotonic()

    def ended(self, request: Any) -> None:
        self.in_flight.discard(request)
        self.last_change = time.monotonic()

    async def quiet(self, quiet_for: float, until: float, since: float = 0.0) -> bool:
        """Wait until no request has been in flight for `quiet_for` seconds (counted from `since` at the
        earliest, so a scroll's observers have time to ask); False if `until` came first."""
        while True:
            now = time.monotonic()
            if not self.in_flight and now - max(self.last_change, since) >= quiet_for:
                return True
            if now >= until:
                return False
            await asyncio.sleep(min(0.05, max(until - now, 0.001)))


@dataclass(eq=False)
class _Slot:
    """One browser context of the pool: made in the background, `open` pages loading in it."""

    browser: Any
    making: asyncio.Future[Any]
    context: Any = None
    open: int = 0


class Renderer:
    """One headless Chromium for a run, started on first use; `render` may be called from any thread."""

    def __init__(self, status: BrowserStatus | None = None, contexts: int = DEFAULT_CONTEXTS) -> None:
        status = status or browser_status()
        if not status.available:
            raise BrowserUnavailable(status.problem)
        self.status = status
        self.contexts = max(1, contexts)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._slots: asyncio.Semaphore | None = None
        self._relaunch: asyncio.Lock | None = None
        self._start_error: BaseException | None = None
        self._closed = False
        self.launch_seconds = 0.0
        self.relaunches = 0  # browsers started again after a crash
        self._closing: set[asyncio.Future[None]] = set()  # pages and contexts being closed
        self._pool: list[_Slot] = []

    # -- lifecycle -------------------------------------------------------------------------------

    def _ensure_started(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise RenderError("the browser was already closed", kind="render")
            if self._loop is not None:
                if self._start_error is not None:
                    raise self._start_error
                return self._loop
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            self._thread = threading.Thread(target=run, name="sponsorcheck-browser", daemon=True)
            self._thread.start()
            ready.wait()
            self._loop = loop
            atexit.register(self.close)
            future = asyncio.run_coroutine_threadsafe(self._launch(), loop)
            try:
                future.result()
            except BaseException as exc:
                self._start_error = exc
                raise
            return loop

    async def _launch(self) -> None:
        start = time.monotonic()
        try:
            from playwright.async_api import async_playwright
        except ImportError:  # find_spec saw it, but it does not import (a broken install)
            raise BrowserUnavailable(
                f"Playwright is installed but cannot be imported; reinstall it: {INSTALL_EXTRA}"
            ) from None
        self._playwright = await async_playwright().start()
        try:
            self._browser = await self._start_browser()
        except BrowserUnavailable:
            await self._playwright.stop()
            self._playwright = None
            raise
        self._slots = asyncio.Semaphore(self.contexts * PAGES_PER_CONTEXT)
        self._relaunch = asyncio.Lock()
        self.launch_seconds = time.monotonic() - start

    async def _start_browser(self) -> Any:
        """A running Chromium, or BrowserUnavailable saying why it would not start."""
        assert self._playwright is not None
        try:
            return await self._playwright.chromium.launch(
                executable_path=self.status.executable,
                args=list(CHROMIUM_ARGS),
                headless=True,
                handle_sigint=False,  # Ctrl-C reaches us; we close the browser (a killed driver takes it too)
                handle_sigterm=False,
                handle_sighup=False,
                timeout=30_000,
            )
        except Exception as exc:
            what = self.status.executable or "Playwright's Chromium"
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise BrowserUnavailable(f"could not start the browser {what} ({first}); {INSTALL_BROWSER}") from None

    async def _live_browser(self) -> Any:
        """The browser, started again if it crashed or was killed since the last page (one restart at a time)."""
        assert self._relaunch is not None
        async with self._relaunch:
            if self._browser is None or not self._browser.is_connected():
                old, self._browser = self._browser, None
                if old is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(old.close(), CLOSE_SECONDS)
                self._browser = await self._start_browser()
                self.relaunches += 1
            return self._browser

    def warm_up(self) -> None:
        """Start the browser now (a batch does it beside its first fetches); a failure is raised by `render` later."""
        with contextlib.suppress(SponsorcheckError, Exception):
            self._ensure_started()

    def close(self) -> None:
        """Close the browser and its processes; safe to call twice and from Ctrl-C handling."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(CLOSE_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(CLOSE_SECONDS)
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)

    async def _shutdown(self) -> None:
        if self._closing:
            with contextlib.suppress(Exception):
                await asyncio.wait(list(self._closing), timeout=CLOSE_SECONDS)
        if self._browser is not None:
            with contextlib.suppress(Exception):
                await self._browser.close()
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await self._playwright.stop()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- rendering -------------------------------------------------------------------------------

    def render(
        self,
        url: str,
        policy: RenderPolicy | None = None,
        screenshot: bool = False,
        document: Page | None = None,
        allows: Callable[[str], bool] | None = None,
    ) -> Rendered:
        """Render one http(s) page within the policy's deadline; raise RenderError with a readable reason.

        With `document` (the page as already fetched, at its final URL) the browser is given its text
        instead of downloading it again; only what the page then asks for goes to the network. `allows`
        says whether a request may be sent (robots.txt); one it refuses is not sent.
        """
        policy = policy or RenderPolicy()
        loop = self._ensure_started()
        if document is not None:
            url = document.url
        future = asyncio.run_coroutine_threadsafe(self._render(url, policy, screenshot, document, allows), loop)
        # The coroutine enforces the deadline itself; this bound only guards against a stuck browser.
        grace = policy.deadline + (SCREENSHOT_SECONDS if screenshot else 0) + CLOSE_SECONDS + 30.0
        try:
            return future.result(grace)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise RenderError(
                f"{url}: the browser did not answer within {policy.deadline:g} s; try again later", kind="timeout"
            ) from None

    async def _render(
        self,
        url: str,
        policy: RenderPolicy,
        screenshot: bool,
        document: Page | None = None,
        allows: Callable[[str], bool] | None = None,
    ) -> Rendered:
        from playwright.async_api import Error as PlaywrightError

        assert self._slots is not None
        async with self._slots:
            start = time.monotonic()
            until = start + policy.deadline
            slot: _Slot | None = None
            page = None
            try:
                browser = await self._live_browser()
                slot = await self._slot(browser)
                slot.open += 1
                page = await slot.context.new_page()
                bound = policy.deadline + (SCREENSHOT_SECONDS if screenshot else 0) + CLOSE_SECONDS
                load = self._load(page, url, policy, screenshot, start, until, document, allows)
                return await asyncio.wait_for(load, bound)
            except asyncio.TimeoutError:
                raise RenderError(
                    f"{url}: the browser did not finish within {policy.deadline:g} s; try again later", kind="timeout"
                ) from None
            except BrowserUnavailable as exc:  # a crashed browser that would not start again
                raise RenderError(f"{url}: {exc.message}") from None
            except PlaywrightError as exc:  # the browser or its page died under us
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise RenderError(f"{url}: the browser failed while loading the page ({message[:160]})") from None
            finally:
                if slot is not None:
                    slot.open -= 1
                    if slot.open == 0:
                        self._retire(slot)
                    elif page is not None:
                        self._close_later(page)

    async def _slot(self, browser: Any) -> _Slot:
        """The pool's least busy context of this browser (made now if the pool lacks one)."""
        self._pool = [slot for slot in self._pool if slot.browser is browser]
        while len(self._pool) < self.contexts:
            self._pool.append(self._make_slot(browser))
        slot = min(self._pool, key=lambda s: (s.open, not s.making.done()))
        if slot.context is None:
            try:
                slot.context = await slot.making
            except BaseException:
                if slot in self._pool:
                    self._pool.remove(slot)
                raise
        return slot

    def _retire(self, slot: _Slot) -> None:
        """Close a context that has no page open any more and put a fresh one in its place (made in
        the background). Whatever its pages left behind goes with it: idle or cut-off connections (a
        favicon request cut off mid-connect kept a one-connection server busy until the browser
        exited), cookies, storage."""
        if slot in self._pool:
            self._pool.remove(slot)
        if slot.context is not None:
            self._close_later(slot.context)
        if not self._closed and slot.browser.is_connected():
            self._pool.append(self._make_slot(slot.browser))

    def _make_slot(self, browser: Any) -> _Slot:
        """A pool place whose context is being made in the background (a failure surfaces when used)."""
        making = asyncio.ensure_future(self._new_context(browser))
        making.add_done_callback(lambda done: None if done.cancelled() else done.exception())
        return _Slot(browser, making)

    def _close_later(self, closable: Any) -> None:
        """Close a page or context beside the next work, not before the page's answer (it takes a few
        browser round trips, and a batch's host turn waits on the answer); shutdown waits for it."""
        closing = asyncio.ensure_future(self._close_quietly(closable))
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    async def _close_quietly(self, closable: Any) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(closable.close(), CLOSE_SECONDS)

    async def _new_context(self, browser: Any) -> Any:
        context = await browser.new_context(
            user_agent=f"{USER_AGENT} HeadlessChromium",
            viewport=VIEWPORT,
            accept_downloads=False,
            service_workers="block",
            permissions=[],
            java_script_enabled=True,
            ignore_https_errors=False,
        )
        await context.add_init_script(INIT_SCRIPT)
        return context

    async def _load(
        self,
        page: Any,
        url: str,
        policy: RenderPolicy,
        screenshot: bool,
        start: float,
        until: float,
        document: Page | None = None,
        allows: Callable[[str], bool] | None = None,
    ) -> Rendered:
        from playwright.async_api import Error as PlaywrightError

        traffic = _Traffic()
        pending_document = [document] if document is not None else []

        async def route(route: Any) -> None:
            request = route.request
            kind = request.resource_type
            if pending_document and request.is_navigation_request() and request.frame == page.main_frame:
                # The page's own load: answered from the bytes already fetched (once: a later navigation
                # of the page goes to the network like any request).
                traffic.served += 1
                await route.fulfill(**_fulfilment(pending_document.pop()))
                return
            if (
                kind in BLOCKED_RESOURCE_TYPES
                or (policy.block_trackers and is_tracker(request.url))
                or (not screenshot and kind in REFUSED_WITHOUT_PIXELS)
                or (allows is not None and not allows(request.url))
            ):
                traffic.blocked += 1
                await route.abort("blockedbyclient")
                return
            if not screenshot and kind in PLACEHOLDER_TYPES:
                traffic.served += 1
                await route.fulfill(status=200, content_type="image/gif", body=PLACEHOLDER_GIF)
                return
            traffic.sent += 1
            await route.continue_()

        async def popup(extra: Any) -> None:
            traffic.blocked += 1
            with contextlib.suppress(Exception):
                await extra.close()

        await page.route("**/*", route)
        page.on("popup", popup)  # a pop-up that slipped past window.open (a target=_blank click) is closed
        page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.dismiss()))
        page.on("download", lambda download: asyncio.ensure_future(download.cancel()))
        page.on("request", traffic.started)
        page.on("requestfinished", traffic.ended)
        page.on("requestfailed", traffic.ended)
        reserve = policy.deadline * READ_RESERVE_SHARE

        def ms(seconds: float) -> float:
            return max(seconds, 0.05) * 1000

        try:
            response = await page.goto(
                url, wait_until="domcontentloaded", timeout=ms(until - reserve - time.monotonic())
            )
        except PlaywrightError as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "Timeout" in message:
                raise RenderError(
                    f"{url}: the page did not load in the browser within {policy.deadline:g} s (the deadline per "
                    "page); try again later or raise --timeout",
                    kind="timeout",
                ) from None
            raise RenderError(f"{url}: the browser could not load the page ({message[:160]})") from None
        status = response.status if response is not None else None
        if status is not None and status >= 400:
            raise RenderError(f"{url}: HTTP {status} in the browser", kind="http", status=status)
        first_quiet_until = min(until - reserve, start + policy.deadline * FIRST_QUIET_SHARE)
        quiet = await traffic.quiet(policy.quiet, first_quiet_until)
        steps = 0
        settled = False
        try:
            while steps < policy.max_scroll_steps and time.monotonic() < until - reserve:
                bottom, height, nodes = await page.evaluate(_SCROLL_JS)
                steps += 1
                if nodes > policy.max_nodes:
                    break
                if steps == 1 and bottom >= height:
                    settled = True  # the page fits the window: nothing below it to load
                    break
                # Observers fire on the next frames and then ask for content: quiet counts from the scroll.
                settled = await traffic.quiet(policy.scroll_quiet, until - reserve, since=time.monotonic())
                if bottom >= height and settled and await page.evaluate(_HEIGHT_JS) <= height:
                    break  # at the bottom and nothing more arrived
            if not settled:
                settled = await traffic.quiet(policy.scroll_quiet, until - reserve)
            quiet = quiet and settled
            nodes = await page.evaluate(_NODES_JS)
            if nodes > policy.max_nodes:
                raise RenderError(
                    f"{url}: the rendered page has {nodes:,} elements, far more than an event page; if it is the "
                    "right page, save its sponsors section from a browser and check that file",
                    kind="too-large",
                )
            html = await asyncio.wait_for(page.content(), max(until - time.monotonic(), 1.0))
        except asyncio.TimeoutError:
            raise RenderError(f"{url}: the browser did not hand over the page in time", kind="timeout") from None
        except PlaywrightError as exc:
            # A page that navigates itself away while we read it: read it once more where it landed.
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RenderError(f"{url}: the page changed while it was read in the browser ({message[:160]})") from None
        if len(html) > policy.max_chars:
            raise RenderError(
                f"{url}: the rendered page is larger than {policy.max_chars // 1_000_000} MB; is it the festival page?",
                kind="too-large",
            )
        shot = await self._screenshot(page) if screenshot else None
        return Rendered(
            url=page.url,
            html=html,
            status=status,
            seconds=time.monotonic() - start,
            quiet=quiet,
            scroll_steps=steps,
            blocked=traffic.blocked,
            screenshot=shot,
            requests=traffic.sent,
            served=traffic.served,
        )

    async def _screenshot(self, page: Any) -> bytes | None:
        """A full-page PNG (height capped); None if the browser cannot take it (evidence then says so)."""
        with contextlib.suppress(Exception):
            await page.evaluate("() => window.scrollTo(0, 0)")
            height = min(int(await page.evaluate(_HEIGHT_JS)), MAX_SCREENSHOT_HEIGHT)
            clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": max(height, 1)}
            data: bytes = await page.screenshot(
                full_page=True, clip=clip, type="png", timeout=SCREENSHOT_SECONDS * 1000, animations="disabled"
            )
            return data
        return None
