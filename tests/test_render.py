"""Rendering in a real headless Chromium (Playwright) against loopback pages written for each class of page.

Without a browser these tests are skipped with the reason on the summary line; in CI (CI=true) a missing
browser FAILS them instead, because `.ci/run` installs Chromium and a silent skip would hide a broken setup.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import lxml.html
import pytest

from sponsorcheck.fetch import Fetcher, FetchPolicy, make_session
from sponsorcheck.models import Verdict
from sponsorcheck.pipeline import CheckOptions, check_target
from sponsorcheck.render import (
    BROWSER_ENV,
    BrowserUnavailable,
    Renderer,
    RenderError,
    RenderMode,
    RenderPolicy,
    browser_status,
    is_tracker,
)

STATUS = browser_status()
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_browser() -> None:
    """Skip (or, in CI, fail) when this machine has no browser to render with."""
    if STATUS.available:
        return
    if IN_CI:
        pytest.fail(f"CI must run the render tests but cannot: {STATUS.problem}")
    pytest.skip(f"no browser on this machine, render tests not run: {STATUS.problem}")


@pytest.fixture(scope="module")
def renderer():
    require_browser()
    with Renderer(STATUS, contexts=2) as r:
        yield r


@pytest.fixture
def browser_fetcher():
    policy = FetchPolicy(deadline=8, connect_timeout=2, read_timeout=4, retries=0)
    return Fetcher(make_session(), policy, sleep=lambda s: None)


def logo_svg(name: str, colour: str = "#6441a5") -> str:
    """A logo image that shows its name (so a screenshot can be read by a person)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80">'
        f'<rect width="240" height="80" fill="{colour}"/>'
        f'<text x="20" y="52" font-size="34" font-family="sans-serif" fill="#fff">{name}</text></svg>'
    )


def serve_logos(httpserver, names: dict[str, str]) -> None:
    for file, name in names.items():
        httpserver.expect_request(f"/logos/{file}").respond_with_data(logo_svg(name), content_type="image/svg+xml")


def options(renderer, mode=RenderMode.AUTO, **kw) -> CheckOptions:
    return CheckOptions(follow=0, render=mode, renderer=renderer, **kw)


# Class: a single-page app whose sponsor grid is inserted by a script from a JSON request; the HTML
# as served has a sponsors heading and an empty container.
JSON_GRID_PAGE = """<!doctype html>
<html><head><title>Riverside Summer Festival</title></head>
<body><h1>Riverside Summer Festival</h1>
<h2>Our sponsors</h2><div id="sponsor-grid" class="sponsors"></div>
<script>
fetch('/api/sponsors.json').then(r => r.json()).then(list => {
  const grid = document.getElementById('sponsor-grid');
  for (const s of list) {
    const a = document.createElement('a'); a.href = s.url;
    const img = document.createElement('img'); img.src = s.logo; img.alt = s.name; img.width = 240;
    a.appendChild(img); grid.appendChild(a);
  }
});
</script></body></html>"""
SPONSORS_JSON = [
    {"name": "Twitch", "url": "https://www.twitch.tv/", "logo": "/logos/twitch.svg"},
    {"name": "Riverside Brewing", "url": "https://brewing.example/", "logo": "/logos/brewing.svg"},
]


def serve_json_grid(httpserver, path="/festival") -> str:
    httpserver.expect_request(path).respond_with_data(JSON_GRID_PAGE, content_type="text/html")
    httpserver.expect_request("/api/sponsors.json").respond_with_json(SPONSORS_JSON)
    serve_logos(httpserver, {"twitch.svg": "Twitch", "brewing.svg": "Brewing"})
    return httpserver.url_for(path)


def test_json_grid_is_read_after_rendering(httpserver, renderer, browser_fetcher, matcher):
    url = serve_json_grid(httpserver)
    plain = check_target(url, browser_fetcher, matcher, options(None, RenderMode.NEVER))
    assert plain.verdict is not Verdict.CONFLICT and not plain.rendered
    rendered = check_target(url, browser_fetcher, matcher, options(renderer))
    assert rendered.verdict is Verdict.CONFLICT
    assert rendered.rendered == (url,)
    assert any(f.entity == "amazon" and "Twitch" in f.sponsor for f in rendered.findings)


def test_auto_does_not_render_a_page_that_lists_its_sponsors(httpserver, renderer, browser_fetcher, matcher):
    # Class: a plain server-rendered sponsor list (with an analytics script): nothing to gain from a browser.
    page = (
        "<html><body><h2>Sponsors</h2><ul class='sponsors'><li><a href='https://brewing.example/'>"
        "Riverside Brewing</a></li></ul><script>console.log('stats')</script></body></html>"
    )
    httpserver.expect_request("/plain").respond_with_data(page, content_type="text/html")
    result = check_target(httpserver.url_for("/plain"), browser_fetcher, matcher, options(renderer))
    assert result.verdict is Verdict.CLEAR and result.rendered == ()


# Class: a long page whose logo grid is filled only when it scrolls into view (IntersectionObserver).
LAZY_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Harbour Jazz Days</title></head><body>
<h1>Harbour Jazz Days</h1><div style="height:4000px">Programme, tickets, travel…</div>
<section id="partners"><h2>Partners</h2><div id="logos" style="min-height:10px"></div></section>
<script>
const target = document.getElementById('logos');
new IntersectionObserver((entries, obs) => {
  if (!entries.some(e => e.isIntersecting)) return;
  obs.disconnect();
  fetch('/api/partners.json').then(r => r.json()).then(list => {
    for (const p of list) {
      const img = document.createElement('img'); img.src = p.logo; img.alt = p.name; img.width = 240;
      target.appendChild(img);
    }
  });
}).observe(target);
</script></body></html>"""


def test_lazy_logos_appear_after_scrolling(httpserver, renderer, matcher, tmp_path):
    httpserver.expect_request("/lazy").respond_with_data(LAZY_PAGE, content_type="text/html")
    httpserver.expect_request("/api/partners.json").respond_with_json(
        [{"name": "Whole Foods Market", "logo": "/logos/wfm.svg"}, {"name": "Harbour Bank", "logo": "/logos/hb.svg"}]
    )
    serve_logos(httpserver, {"wfm.svg": "Whole Foods", "hb.svg": "Harbour Bank"})
    url = httpserver.url_for("/lazy")
    rendered = renderer.render(url, RenderPolicy(deadline=10), screenshot=True)
    assert rendered.scroll_steps >= 2  # the grid is five viewports down
    assert 'alt="Whole Foods Market"' in rendered.html
    assert rendered.screenshot is not None and rendered.screenshot[:8] == b"\x89PNG\r\n\x1a\n"
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=10))
    result = check_target(url, fetcher, matcher, options(renderer))
    assert result.verdict is Verdict.CONFLICT


# Class: a page that keeps the network busy for ever (a poll every 100 ms): it never goes quiet.
NEVER_IDLE_PAGE = """<!doctype html>
<html><body><h2>Sponsors</h2><div id="s"></div>
<script>
document.getElementById('s').innerHTML = '<a href="https://www.twitch.tv/"><img alt="Twitch" src="/logos/t.svg"></a>';
setInterval(() => fetch('/poll?' + Date.now()).catch(() => {}), 100);
</script></body></html>"""


def serve_never_idle(httpserver) -> str:
    httpserver.expect_request("/busy").respond_with_data(NEVER_IDLE_PAGE, content_type="text/html")
    httpserver.expect_request("/poll").respond_with_data("{}", content_type="application/json")
    serve_logos(httpserver, {"t.svg": "Twitch"})
    return httpserver.url_for("/busy")


def test_a_page_that_never_goes_quiet_is_read_within_the_deadline(httpserver, renderer, matcher):
    url = serve_never_idle(httpserver)
    start = time.monotonic()
    rendered = renderer.render(url, RenderPolicy(deadline=4))
    took = time.monotonic() - start
    assert not rendered.quiet
    assert took < 4 + 2  # the deadline holds (2 s for the context to open and close)
    assert 'alt="Twitch"' in rendered.html
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=4))
    result = check_target(url, fetcher, matcher, options(renderer, RenderMode.ALWAYS))
    assert result.verdict is Verdict.CONFLICT and result.rendered == (url,)


# Class: a hostile page that tries to open a pop-up, start a download, ask for permissions and show a
# dialog as soon as it loads; the sponsors are in the page itself.
HOSTILE_PAGE = """<!doctype html>
<html><body><h2>Sponsors</h2><div id="s"></div>
<video src="/media/trailer.mp4" autoplay muted></video>
<script>
document.getElementById('s').innerHTML = '<img alt="Palantir" src="/logos/p.svg">';
window.open('/popup', '_blank');
const a = document.createElement('a'); a.href = '/files/programme.zip'; a.download = 'programme.zip';
document.body.appendChild(a); a.click();
if (navigator.geolocation) navigator.geolocation.getCurrentPosition(() => {}, () => {});
if (window.Notification) Notification.requestPermission();
alert('Subscribe to our newsletter!');
</script></body></html>"""


def test_popups_downloads_permissions_and_media_are_refused(httpserver, renderer, matcher, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    httpserver.expect_request("/hostile").respond_with_data(HOSTILE_PAGE, content_type="text/html")
    httpserver.expect_request("/popup").respond_with_data("<h1>pop-up</h1>", content_type="text/html")
    httpserver.expect_request("/files/programme.zip").respond_with_data(
        b"PK\x03\x04" + b"\0" * 2000,
        content_type="application/zip",
        headers={"Content-Disposition": "attachment; filename=programme.zip"},
    )
    httpserver.expect_request("/media/trailer.mp4").respond_with_data(b"\0" * 1000, content_type="video/mp4")
    serve_logos(httpserver, {"p.svg": "Palantir"})
    httpserver.clear_log()
    rendered = renderer.render(httpserver.url_for("/hostile"), RenderPolicy(deadline=8))
    assert 'alt="Palantir"' in rendered.html
    asked = [req.path for req, _ in httpserver.log]
    assert "/popup" not in asked
    assert "/media/trailer.mp4" not in asked
    assert rendered.blocked >= 1
    assert list(tmp_path.iterdir()) == []  # nothing was downloaded into the working folder
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=8))
    result = check_target(httpserver.url_for("/hostile"), fetcher, matcher, options(renderer))
    assert result.verdict is Verdict.CONFLICT


PERMISSION_PAGE = """<!doctype html>
<html><body><h2>Sponsors</h2><ul id="s"></ul><p id="asked"></p>
<script>
const said = (what) => { document.getElementById('asked').textContent += ' ' + what; };
navigator.geolocation.getCurrentPosition(() => said('geo:granted'), () => said('geo:denied'));
navigator.permissions.query({name: 'camera'}).then((s) => said('camera:' + s.state));
Notification.requestPermission().then((p) => said('notify:' + p));
navigator.mediaDevices && navigator.mediaDevices.getUserMedia({audio: true})
  .then(() => said('mic:granted'), () => said('mic:denied'));
document.getElementById('s').innerHTML = '<li><img alt="Palantir" src="/logos/p.svg"></li>';
</script></body></html>"""


def test_permission_prompts_are_answered_no_without_waiting(httpserver, renderer):
    # Class: a festival page that asks for location, notifications, camera or microphone on load.
    # A person would see a prompt; the browser must answer "no" at once so the render neither
    # waits on a prompt nor grants the page anything.
    httpserver.expect_request("/asks").respond_with_data(PERMISSION_PAGE, content_type="text/html")
    serve_logos(httpserver, {"p.svg": "Palantir"})
    rendered = renderer.render(httpserver.url_for("/asks"), RenderPolicy(deadline=8))
    assert 'alt="Palantir"' in rendered.html
    answers = lxml.html.fromstring(rendered.html).get_element_by_id("asked").text_content().split()
    assert not [a for a in answers if a.endswith(":granted")], answers
    for asked in ("geo:denied", "camera:denied", "notify:denied"):
        assert asked in answers, answers


class OneConnectionServer:
    """A keep-alive HTTP/1.1 server that serves one connection at a time, like many small embedded or
    single-threaded servers: while a client holds an idle connection open, nobody else is served."""

    def __init__(self, pages: dict[str, tuple[str, bytes]]) -> None:
        import socket
        import threading

        self.pages = pages
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(0.2)
                buffer = b""
                while not self.stopped.is_set():
                    try:
                        chunk = conn.recv(65536)
                    except TimeoutError:
                        continue  # an idle keep-alive connection: wait for its next request (or its close)
                    except OSError:
                        break
                    if not chunk:
                        break
                    buffer += chunk
                    while b"\r\n\r\n" in buffer:
                        head, buffer = buffer.split(b"\r\n\r\n", 1)
                        path = head.split(b" ")[1].decode()
                        kind, body = self.pages.get(path, ("text/plain", b"not found"))
                        status = "200 OK" if path in self.pages else "404 Not Found"
                        conn.sendall(
                            f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
                            "Connection: keep-alive\r\n\r\n".encode()
                            + body
                        )

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(2)
        self.listener.close()


def test_a_render_leaves_no_connection_open_behind_it(renderer):
    # Class: a festival site on a server that answers one connection at a time and keeps connections
    # alive. A browser keeps idle connections in its context's pool (minutes, or a favicon request cut
    # off mid-connect); if a render left one behind, that server would serve nobody else — the next
    # plain fetch of the tour, or the next render — until the browser exits. Each page's connections
    # must close when its render ends.
    import requests

    page = (
        "<!doctype html><html><body><h2>Sponsors</h2><div id='s'></div><script>"
        "document.getElementById('s').innerHTML = '<img alt=\"Palantir\" src=\"/logos/p.svg\">';"
        "</script></body></html>"
    )
    server = OneConnectionServer(
        {"/page": ("text/html", page.encode()), "/logos/p.svg": ("image/svg+xml", logo_svg("Palantir").encode())}
    )
    try:
        rendered = renderer.render(server.url("/page"), RenderPolicy(deadline=8))
        assert 'alt="Palantir"' in rendered.html
        answer = requests.get(server.url("/page"), timeout=5)
        assert answer.status_code == 200
    finally:
        server.close()


def test_the_pool_bounds_the_pages_loading_at_once():
    # Class: a tour with many script-built rows. The browser loads at most contexts x PAGES_PER_CONTEXT
    # pages at once however many threads ask (batch's pool: --render-pool, 2 by default), each in a
    # context of its own; the others wait for a place.
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from sponsorcheck.render import DEFAULT_CONTEXTS, PAGES_PER_CONTEXT

    require_browser()
    lock = threading.Lock()
    holding = [0, 0]  # now, most at once
    page = b"<html><body><h2>Sponsors</h2><script>fetch('/hold')</script></body></html>"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/hold":
                with lock:
                    holding[0] += 1
                    holding[1] = max(holding)
                time.sleep(0.8)
                with lock:
                    holding[0] -= 1
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Renderer(STATUS, contexts=1) as renderer, ThreadPoolExecutor(8) as pool:
            urls = [f"http://127.0.0.1:{server.server_port}/p{n}" for n in range(8)]
            done = list(pool.map(lambda u: renderer.render(u, RenderPolicy(deadline=15)), urls))
    finally:
        server.shutdown()
    assert len(done) == 8
    assert holding[1] == PAGES_PER_CONTEXT  # never more at once, and the pool is used
    assert DEFAULT_CONTEXTS == 2


def test_trackers_are_recognised_by_host_and_path():
    assert is_tracker("https://www.google-analytics.com/analytics.js")
    assert is_tracker("https://connect.facebook.net/en_US/fbevents.js")
    assert is_tracker("https://www.facebook.com/tr?id=1")
    assert not is_tracker("https://www.facebook.com/riversidefestival")
    assert not is_tracker("https://cdn.festival.example/app.js")


def test_a_dom_over_the_cap_is_refused(httpserver, renderer):
    # Class: a page whose script builds an enormous DOM (an endless feed, a hostile page).
    page = (
        "<html><body><div id=x></div><script>"
        "for (let i = 0; i < 20000; i++) x.appendChild(document.createElement('p'))</script>"
    )
    httpserver.expect_request("/huge").respond_with_data(page, content_type="text/html")
    with pytest.raises(RenderError) as caught:
        renderer.render(httpserver.url_for("/huge"), RenderPolicy(deadline=8, max_nodes=5000))
    assert caught.value.kind == "too-large"


def test_a_failed_render_keeps_the_plain_reading_with_a_hint(httpserver, renderer, matcher):
    # Class: a script-built page whose script floods the DOM in the browser (far past the element cap).
    page = (
        "<html><body><h2>Sponsors</h2><div id=grid></div><script>"
        "for (let i = 0; i < 260000; i++) grid.appendChild(document.createElement('span'))</script>"
    )
    httpserver.expect_request("/flood").respond_with_data(page, content_type="text/html")
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=10, retries=0))
    result = check_target(httpserver.url_for("/flood"), fetcher, matcher, options(renderer))
    assert result.verdict is Verdict.UNKNOWN and result.rendered == ()
    assert any("rendering in a browser failed" in h and "elements" in h for h in result.hints)


def requests_for(httpserver) -> dict[str, int]:
    """How often the loopback server was asked for each path."""
    counts: dict[str, int] = {}
    for request, _ in httpserver.log:
        counts[request.path] = counts.get(request.path, 0) + 1
    return counts


def test_the_browser_is_handed_the_fetched_page_and_asks_for_no_logo(httpserver, renderer, browser_fetcher, matcher):
    # Class: a script-built sponsor grid. The page was fetched once to decide it needs a browser; the
    # browser reads those bytes instead of downloading the page again, and logos are read from the DOM
    # (src, alt, link), so their pixels are not downloaded either.
    url = serve_json_grid(httpserver)
    result = check_target(url, browser_fetcher, matcher, options(renderer))
    assert result.verdict is Verdict.CONFLICT and result.rendered == (url,)
    assert requests_for(httpserver) == {"/festival": 1, "/api/sponsors.json": 1}


def test_a_page_served_with_another_charset_reads_the_same_in_the_browser(httpserver, renderer, matcher):
    # Class: a Latin-1 page (header and <meta>) whose script fills the sponsor grid: the browser is handed
    # the decoded text, so accented names survive (no mojibake from reading UTF-8 bytes as Latin-1).
    page = (
        '<html><head><meta charset="iso-8859-1"><title>Fête de la Musique</title></head><body>'
        "<h2>Partenaires</h2><div id=g></div><script>"
        'g.innerHTML = \'<a href=https://cafe.example/><img src=/l.svg alt="Café République"></a>'
        "<a href=https://www.twitch.tv/><img src=/t.svg alt=Twitch></a>'</script>"
        "<p>Entrée libre, été 2026.</p></body></html>"
    )
    httpserver.expect_request("/fete").respond_with_data(
        page.encode("latin-1"), content_type="text/html; charset=iso-8859-1"
    )
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=8, retries=0))
    result = check_target(httpserver.url_for("/fete"), fetcher, matcher, options(renderer, RenderMode.ALWAYS))
    assert result.rendered and result.verdict is Verdict.CONFLICT
    rendered = renderer.render(
        httpserver.url_for("/fete"), RenderPolicy(deadline=8), document=fetcher.fetch(httpserver.url_for("/fete"))
    )
    assert "Entrée libre, été 2026." in rendered.html and "Café République" in rendered.html


def test_evidence_screenshots_still_load_the_logos(httpserver, renderer, browser_fetcher):
    # Class: a script-built sponsor grid rendered for evidence: the screenshot must show the logos, so
    # with a screenshot wanted the images are downloaded (the page itself still is not, twice).
    url = serve_json_grid(httpserver)
    document = browser_fetcher.fetch(url)
    rendered = renderer.render(url, RenderPolicy(deadline=10), screenshot=True, document=document)
    assert rendered.screenshot is not None
    assert requests_for(httpserver) == {
        "/festival": 1,
        "/api/sponsors.json": 1,
        "/logos/twitch.svg": 1,
        "/logos/brewing.svg": 1,
    }


def test_an_image_the_browser_does_not_download_still_counts_as_loaded(httpserver, renderer, browser_fetcher, matcher):
    # Class: a logo grid whose script hides a logo that fails to load (onerror) and shows it once loaded:
    # the stand-in the browser gets must look like a loaded image, or the sponsor would vanish.
    page = (
        "<html><body><h2>Sponsors</h2><div id=g></div><script>"
        "const i = new Image(); i.alt = 'Twitch'; i.src = '/logos/t.svg';"
        "i.onload = () => { const a = document.createElement('a'); a.href = 'https://www.twitch.tv/';"
        " a.appendChild(i); g.appendChild(a); }; i.onerror = () => i.remove();</script></body></html>"
    )
    httpserver.expect_request("/onload").respond_with_data(page, content_type="text/html")
    result = check_target(httpserver.url_for("/onload"), browser_fetcher, matcher, options(renderer))
    assert result.verdict is Verdict.CONFLICT
    assert "/logos/t.svg" not in requests_for(httpserver)


def test_no_browser_is_one_line_saying_how_to_install_one(monkeypatch, tmp_path):
    monkeypatch.setenv(BROWSER_ENV, str(tmp_path / "no-such-chromium"))
    status = browser_status()
    assert not status.available
    assert "apt-get install chromium" in status.problem and "playwright install chromium" in status.problem
    assert "\n" not in status.problem
    with pytest.raises(BrowserUnavailable):
        Renderer(status)


def test_auto_without_a_browser_reads_the_plain_page_and_says_why(httpserver, browser_fetcher, matcher, monkeypatch):
    monkeypatch.setenv(BROWSER_ENV, "/nonexistent/chromium")
    url = serve_json_grid(httpserver, "/festival-plain")
    note = browser_status().problem
    result = check_target(
        url, browser_fetcher, matcher, CheckOptions(follow=0, render=RenderMode.AUTO, render_note=note)
    )
    assert result.verdict is Verdict.UNKNOWN and result.rendered == ()
    assert any("apt-get install chromium" in h for h in result.hints)


# Ctrl-C: the browser and every process it started are gone after the run stops.
INTERRUPTED_SCRIPT = textwrap.dedent(
    """
    import sys
    from sponsorcheck.render import Renderer, RenderPolicy
    with Renderer() as r:
        print("rendering", flush=True)
        r.render(sys.argv[1], RenderPolicy(deadline=60))
    """
)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _is_browser(pid: int) -> bool:
    try:
        return "chrom" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").lower()
    except OSError:
        return False


def stop_while_rendering(argv: list[str], sig: int = signal.SIGINT) -> tuple[subprocess.Popen, set[int]]:
    """Start `argv`, wait until its browser runs, send `sig`; return the process and the browser's pids."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    browsers: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        browsers = {p for p in _descendants(proc.pid) if _is_browser(p)}
        if len(browsers) >= 3:  # the browser, its zygotes and a renderer: the page is loading
            break
        time.sleep(0.2)
    time.sleep(1.0)
    browsers |= {p for p in _descendants(proc.pid) if _is_browser(p)}
    proc.send_signal(sig)
    return proc, browsers


def test_ctrl_c_closes_the_browser(httpserver):
    require_browser()
    url = serve_never_idle(httpserver)
    proc, browsers = stop_while_rendering([sys.executable, "-c", INTERRUPTED_SCRIPT, url])
    proc.communicate(timeout=20)
    assert browsers, "the browser never started"
    time.sleep(0.5)
    assert not [p for p in browsers if _alive(p)], "browser processes outlived the run"


def test_a_crashed_browser_is_started_again_for_the_next_page(httpserver):
    # Class: a page (or the machine) kills the browser mid-run — a renderer bug, the OOM killer. The
    # run must not read every later page as "the browser failed": the next page starts a new browser.
    require_browser()
    url = serve_json_grid(httpserver, "/festival-crash")
    with Renderer(STATUS, contexts=1) as renderer:
        assert 'alt="Twitch"' in renderer.render(url, RenderPolicy(deadline=8)).html
        main = [
            p
            for p in _descendants(os.getpid())
            if _is_browser(p) and b"--type=" not in Path(f"/proc/{p}/cmdline").read_bytes()
        ]
        assert main, "no browser process found"
        for pid in main:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in main):
            time.sleep(0.1)
        time.sleep(0.5)  # the driver notices the browser is gone
        assert 'alt="Twitch"' in renderer.render(url, RenderPolicy(deadline=8)).html
        assert renderer.relaunches == 1


def test_evidence_keeps_bytes_dom_and_screenshot(httpserver, renderer, matcher, watchlist, tmp_path):
    from sponsorcheck.evidence import EvidenceStore

    url = serve_json_grid(httpserver, "/festival-evidence")
    store = EvidenceStore(tmp_path / "evidence", [watchlist])
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=8))
    result = check_target(url, fetcher, matcher, options(renderer, evidence=store))
    assert result.verdict is Verdict.CONFLICT and result.evidence
    folder = Path(result.evidence)
    assert folder.parent == tmp_path / "evidence"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["SHA256SUMS", "fetched.html", "record.json", "rendered.html", "screenshot.png"]
    assert (folder / "fetched.html").read_bytes() == JSON_GRID_PAGE.encode()
    assert 'alt="Twitch"' in (folder / "rendered.html").read_text()
    assert (folder / "screenshot.png").read_bytes()[:4] == b"\x89PNG"
    record = json.loads((folder / "record.json").read_text())
    assert record["url"] == url and record["http_status"] == 200 and record["verdict"] == "conflict"
    assert record["tool"]["name"] == "sponsorcheck" and record["watchlists"][0]["version"]
    assert record["checked_at"].endswith("Z")
    assert any(f["entity"] == "amazon" and f["evidence"] for f in record["findings"])
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


# ---------------------------------------------------------------------------------------------
# Renders in batch: a task kind of the scheduler


class RecordingRenderer:
    """The real Renderer, noting which thread loaded each page and when (to check the scheduling)."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.contexts = renderer.contexts
        self.loads: list[tuple[str, str, float, float]] = []  # (url, thread, start, end)

    def render(self, url: str, policy: RenderPolicy | None = None, screenshot: bool = False, **kw):
        import threading

        start = time.monotonic()
        try:
            return self.renderer.render(url, policy, screenshot, **kw)
        finally:
            self.loads.append((url, threading.current_thread().name, start, time.monotonic()))

    def warm_up(self) -> None:
        self.renderer.warm_up()


class RecordingFetcher(Fetcher):
    """The real Fetcher, noting when each page fetch starts (a visit to the host by a fetch worker)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.starts: list[float] = []

    def fetch(self, *args, **kwargs):
        self.starts.append(time.monotonic())
        return super().fetch(*args, **kwargs)


def json_grid_tour(httpserver, tmp_path, rows: int) -> tuple[Path, list[float]]:
    """`rows` script-built festival pages on one host; returns the tour and the start times of page requests."""
    from werkzeug import Response

    starts: list[float] = []

    def page(request):
        starts.append(time.monotonic())
        return Response(JSON_GRID_PAGE, content_type="text/html")

    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    for n in range(rows):
        httpserver.expect_request(f"/festival-{n}").respond_with_handler(page)
    httpserver.expect_request("/api/sponsors.json").respond_with_json(SPONSORS_JSON)
    serve_logos(httpserver, {"twitch.svg": "Twitch", "brewing.svg": "Brewing"})
    tour = tmp_path / "tour.csv"
    tour.write_text("url\n" + "".join(f"{httpserver.url_for(f'/festival-{n}')}\n" for n in range(rows)))
    return tour, starts


def test_batch_renders_are_scheduler_tasks_on_render_workers_within_the_hosts_turns(
    httpserver, renderer, matcher, tmp_path
):
    from sponsorcheck.batch import BatchOptions, batch_session, read_table, run_batch

    tour, starts = json_grid_tour(httpserver, tmp_path, 3)
    recording = RecordingRenderer(renderer)
    delay = 0.4
    options = BatchOptions(
        per_host=1, delay=delay, check=CheckOptions(follow=0, render=RenderMode.AUTO, renderer=recording)
    )
    fetcher = RecordingFetcher(batch_session(8, 1), FetchPolicy(deadline=8, retries=0), sleep=lambda s: None)
    outcome = run_batch(read_table(tour), fetcher, matcher, options)

    assert [r.verdict for r in outcome.results] == [Verdict.CONFLICT] * 3
    assert all(r.rendered for r in outcome.results)
    assert len(recording.loads) == 3
    # Loaded by the render workers, never by an analyser or a fetch worker.
    assert all(thread.startswith("sponsorcheck-render-") for _, thread, _, _ in recording.loads)
    # A rendered page is one visit: the fetch takes the host's turn and the browser, handed the page as
    # fetched, downloads it no second time. The host's one place is held by the render while it runs
    # (no fetch of the host starts during a render), and every page fetch starts a delay after the one
    # before. The spacing is measured where each visit starts (a fetch worker calling the fetcher), not
    # where the server sees it, since a loaded machine delays a request's arrival by more than the
    # tolerance.
    assert len(starts) == 3
    renders = [(begin, end) for _, _, begin, end in recording.loads]
    assert not [t for t in fetcher.starts if any(begin < t < end for begin, end in renders)]
    gaps = [b - a for a, b in itertools.pairwise(sorted(fetcher.starts))]
    assert len(gaps) == 2 and all(gap >= delay - 0.05 for gap in gaps), gaps


def test_batch_jobs_render_in_the_parent(httpserver, renderer, matcher, tmp_path):
    """--jobs parses in worker processes; the browser stays in the parent and its pages are read all the same."""
    from sponsorcheck.batch import BatchOptions, batch_session, read_table, run_batch

    tour, _ = json_grid_tour(httpserver, tmp_path, 2)
    recording = RecordingRenderer(renderer)
    options = BatchOptions(delay=0, jobs=1, check=CheckOptions(follow=0, render=RenderMode.AUTO, renderer=recording))
    fetcher = Fetcher(batch_session(8, 2), FetchPolicy(deadline=8, retries=0), sleep=lambda s: None)
    outcome = run_batch(read_table(tour), fetcher, matcher, options)
    assert [r.verdict for r in outcome.results] == [Verdict.CONFLICT] * 2
    assert all(r.rendered for r in outcome.results) and len(recording.loads) == 2
