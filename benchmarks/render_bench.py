"""Benchmark `--render` (issue 14): time added per page, a rendered batch against a plain one, browser memory.

A benchmark, not a test: it prints figures and PASS/FAIL words against the targets and exits 0 unless
the benchmark itself crashed (or no browser is installed: exit 2 with the reason).

What one run does
-----------------
1. Starts a loopback HTTP server (aiohttp, a separate process so its CPU is not charged to the client)
   on one port of --hosts addresses 127.0.0.2, 127.0.0.3, … that delays every response (page, JSON,
   logo) by --latency seconds and serves an allow-all robots.txt. Pages are script-built: a sponsors
   heading over an empty grid that a script fills from a JSON request, with SVG logos (one page in
   ten names an Amazon brand) — or, for the plain share of a tour, the same sponsors in the HTML.
2. PER PAGE (target: rendering adds <= 1.5 s median per page): in one process with a warm browser,
   `check_target` on --pages distinct script-built pages with --render never, then with --render
   always; the median difference per page is what rendering adds. Browser start-up (once per run)
   is shown apart, and so is the user's path: `sponsorcheck check URL` as a child process, never vs
   always (start-up included), median of --cli-runs.
3. BATCH (target: a rendered batch within 2x the same batch without rendering): `sponsorcheck batch`
   as a child process on a tour of --rows rows over --hosts hosts, with --render never and then with
   the default --render auto, same URLs (fresh cache each time). The tour's --js-share of rows are
   script-built (auto renders exactly those); `--js-share 1` makes every row rendered.
4. MEMORY: while the rendered batch runs, the benchmark samples every 0.2 s the processes of the batch
   (the Python process, the Playwright driver and Chromium's processes) and reports the peak of their
   summed PSS (proportional set size: shared pages divided among the processes sharing them, so the
   sum is not inflated) and of the browser's part alone.

Usage (from the repository root)::

    python benchmarks/render_bench.py [--pages 20] [--rows 100] [--hosts 20] [--latency 0.1]
        [--js-share 0.2] [--cli-runs 5] [--render-pool 2]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

TARGET_ADDED_S = 1.5
TARGET_RATIO = 2.0
FIRST_OCTET = 2
AMAZON_EVERY = 10  # one page in ten sponsored by an Amazon brand
SAMPLE_S = 0.2

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head><body>
<header><h1>{title}</h1><nav><a href="/">Home</a> <a href="/lineup">Line-up</a></nav></header>
<main><p>Three days of music by the river. Tickets on sale now.</p>
<section id="sponsors"><h2>Our sponsors</h2><div id="grid">{static}</div></section></main>
<script>
{script}
</script></body></html>"""
GRID_SCRIPT = """fetch('/api/{n}.json').then(r => r.json()).then(list => {{
  const g = document.getElementById('grid');
  for (const s of list) {{ const a = document.createElement('a'); a.href = s.url;
    const i = document.createElement('img'); i.src = s.logo; i.alt = s.name; a.appendChild(i); g.appendChild(a); }}
}});"""
ROBOTS = "User-agent: *\nDisallow:\n"


def sponsors(n: int) -> list[dict[str, str]]:
    names = [f"Vellora {n} Cider", f"Tidewick {n} Audio", f"Marlowen {n} Bank"]
    out = [
        {"name": s, "url": f"https://brand{n}-{i}.example/", "logo": f"/logo/{n}-{i}.svg"} for i, s in enumerate(names)
    ]
    if n % AMAZON_EVERY == 0:
        out.append({"name": "Twitch", "url": "https://www.twitch.tv/", "logo": f"/logo/{n}-t.svg"})
    return out


def page(n: int, scripted: bool) -> str:
    if scripted:
        return PAGE.format(title=f"Festival {n}", static="", script=GRID_SCRIPT.format(n=n))
    static = "".join(f'<a href="{s["url"]}"><img src="{s["logo"]}" alt="{s["name"]}"></a>' for s in sponsors(n))
    return PAGE.format(title=f"Festival {n}", static=static, script="console.log('stats')")


def logo(name: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="200" height="60" '
        f'fill="#357"/><text x="10" y="38" font-size="20" fill="#fff">{name}</text></svg>'
    )


def serve(port: int, hosts: int, latency: float, js_every: int, ready: Any, log: str) -> None:
    """The loopback server (child process): /p/N.html (scripted unless N % js_every), /api/N.json, logos.
    Every request is logged to `log` (one line: wall start, wall end, host, path, who asked) for the timeline."""
    from aiohttp import web

    logfile = open(log, "a", buffering=1, encoding="utf-8")  # noqa: SIM115  open for the server's life

    async def handle(request: web.Request) -> web.Response:
        start = time.time()
        try:
            return await answer(request)
        finally:
            who = "browser" if "HeadlessChromium" in request.headers.get("User-Agent", "") else "fetch"
            logfile.write(f"{start:.4f} {time.time():.4f} {request.host} {request.path} {who}\n")

    async def answer(request: web.Request) -> web.Response:
        await asyncio.sleep(latency)
        path = request.path
        if path == "/robots.txt":
            return web.Response(text=ROBOTS, content_type="text/plain")
        if path.startswith("/p/") and path.endswith(".html"):
            n = int(path[3:-5])
            return web.Response(text=page(n, n % js_every == 0), content_type="text/html")
        if path.startswith("/api/"):
            return web.Response(text=json.dumps(sponsors(int(path[5:-5]))), content_type="application/json")
        if path.startswith("/logo/"):
            return web.Response(text=logo(path[6:-4]), content_type="image/svg+xml")
        return web.Response(status=404, text="not found")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for i in range(hosts):
            await web.TCPSite(runner, f"127.0.0.{FIRST_OCTET + i}", port).start()
        ready.set()
        await asyncio.sleep(3600)

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as s:
        s.bind((f"127.0.0.{FIRST_OCTET}", 0))
        return int(s.getsockname()[1])


def url(port: int, hosts: int, n: int) -> str:
    return f"http://127.0.0.{FIRST_OCTET + n % hosts}:{port}/p/{n}.html"


def per_page(port: int, hosts: int, pages: int, js_every: int) -> tuple[list[float], list[float], float]:
    from sponsorcheck.fetch import Fetcher, FetchPolicy, make_session
    from sponsorcheck.pipeline import CheckOptions, check_target
    from sponsorcheck.render import Renderer, RenderMode
    from sponsorcheck.watchlist import load_default

    watchlists = [load_default()]
    fetcher = Fetcher(make_session(), FetchPolicy(deadline=30))
    urls = [url(port, hosts, n * js_every) for n in range(pages)]  # scripted pages only
    never, always = [], []
    plain = CheckOptions(follow=0)
    for u in urls:
        t = time.perf_counter()
        check_target(u, fetcher, watchlists, plain)
        never.append(time.perf_counter() - t)
    with Renderer() as renderer:
        t = time.perf_counter()
        renderer.render(url(port, hosts, 999_000))  # start the browser (timed apart)
        launch = time.perf_counter() - t
        rendered = CheckOptions(follow=0, render=RenderMode.ALWAYS, renderer=renderer)
        for u in urls:
            t = time.perf_counter()
            result = check_target(u, fetcher, watchlists, rendered)
            always.append(time.perf_counter() - t)
            assert result.rendered, u
    return never, always, launch


def cli_wall(args: list[str], runs: int) -> float:
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sponsorcheck", *args], capture_output=True, env=child_env())
        walls.append(time.perf_counter() - t)
    return statistics.median(walls)


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT)}


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [root], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _is_browser(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().decode(errors="replace").lower()
    except OSError:
        return False
    return "chrom" in cmd or "playwright" in cmd or "node" in cmd


def run_batch(
    tour: Path, out: Path, mode: str, pool: int, cache: Path, log: Path | None = None, timeline: bool = False
) -> tuple[float, int, float, float, int]:
    """Wall seconds, exit code, peak PSS MB of the whole tree and of the browser's part, conflicts found."""
    log_from = log.stat().st_size if log is not None else 0
    started = time.time()
    args = [sys.executable, "-m", "sponsorcheck", "batch", str(tour), "-o", str(out), "--quiet"]
    args += ["--render", mode, "--render-pool", str(pool), "--cache-path", str(cache)]
    env = child_env()
    t = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_all = peak_browser = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_all, peak_browser
        while not stop.is_set():
            pids = _tree(proc.pid)
            total = sum(_pss_kb(p) for p in pids)
            browser = sum(_pss_kb(p) for p in pids if p != proc.pid and _is_browser(p))
            peak_all, peak_browser = max(peak_all, total), max(peak_browser, browser)
            stop.wait(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate(timeout=1800)
    wall = time.perf_counter() - t
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 1, 3):
        print(f"  batch --render {mode} exited {proc.returncode}: {err.decode(errors='replace')[-800:]}")
    rows = list(csv.DictReader(out.open(encoding="utf-8"))) if out.exists() else []
    conflicts = sum(r["verdict"] == "conflict" for r in rows)
    rendered = sum(r.get("rendered") == "yes" for r in rows)
    print(f"  --render {mode:6}: {wall:6.2f} s wall, {conflicts} conflicts, {rendered} rows rendered")
    if log is not None:
        with log.open(encoding="utf-8") as f:
            f.seek(log_from)
            requests = [line.split() for line in f if line.strip()]
        print_requests(requests, started, timeline)
    return wall, proc.returncode, peak_all / 1024, peak_browser / 1024, conflicts


def print_requests(requests: list[list[str]], started: float, timeline: bool) -> None:
    """What the server saw during one batch: requests by kind and who asked; with `timeline`, per host."""
    kinds: dict[tuple[str, str], int] = {}
    for _, _, _, path, who in requests:
        kind = "robots" if path == "/robots.txt" else path.split("/")[1]
        kinds[(kind, who)] = kinds.get((kind, who), 0) + 1
    print("    server saw: " + ", ".join(f"{n} {k} by {w}" for (k, w), n in sorted(kinds.items())))
    if not timeline:
        return
    by_host: dict[str, list[list[str]]] = {}
    for r in requests:
        by_host.setdefault(r[2], []).append(r)
    print("    timeline (s from the batch's start; host: request start-end path who):")
    for host, reqs in sorted(by_host.items(), key=lambda kv: int(kv[0].split(":")[0].split(".")[-1])):
        if not any(r[4] == "browser" for r in reqs) and host != sorted(by_host)[0]:
            continue  # the hosts the browser visited, and one plain host for comparison
        print(f"    {host}")
        for t0, t1, _, path, who in sorted(reqs, key=lambda r: float(r[0])):
            print(f"      {float(t0) - started:6.2f}-{float(t1) - started:6.2f} {path:16} {who}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--js-share", type=float, default=0.2, help="share of tour rows built by a script")
    ap.add_argument("--cli-runs", type=int, default=5)
    ap.add_argument("--render-pool", type=int, default=2)
    ap.add_argument("--batch-only", action="store_true", help="skip part 1 (per page) and run the batch part")
    ap.add_argument(
        "--timeline", action="store_true", help="print every request the server saw in the batches, per host"
    )
    a = ap.parse_args()

    try:
        import aiohttp  # noqa: F401  the loopback server's library, from the bench extra
    except ImportError:
        print("render_bench: the loopback server needs aiohttp, from the bench extra: pip install -e '.[bench]'")
        return 2
    from sponsorcheck.render import browser_status

    status = browser_status()
    if not status.available:
        print(f"render_bench: {status.problem}")
        return 2
    js_every = max(1, round(1 / a.js_share)) if a.js_share > 0 else 10**9
    port = free_port()
    ready = multiprocessing.get_context("spawn").Event()
    log = tempfile.NamedTemporaryFile(prefix="render_bench-", suffix=".log", delete=False)  # noqa: SIM115
    log.close()
    a.log = Path(log.name)
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(port, a.hosts, a.latency, js_every, ready, log.name), daemon=True
    )
    server.start()
    try:
        if not ready.wait(30):
            print("render_bench: the loopback server did not start")
            return 1
        print(f"browser: {status.executable or 'Playwright Chromium'}; latency {a.latency * 1000:.0f} ms per response")
        if not a.batch_only:
            per_page_part(a, port, js_every)
        batch_part(a, port, js_every)
    finally:
        server.terminate()
        server.join(5)
        a.log.unlink(missing_ok=True)
    return 0


def per_page_part(a: argparse.Namespace, port: int, js_every: int) -> None:
    """Part 1: what rendering adds per page, warm browser and the user's path."""
    if True:
        print(f"\n1. per page ({a.pages} script-built pages, warm browser, one process):")
        never, always, launch = per_page(port, a.hosts, a.pages, js_every)
        added = [b - p for p, b in zip(never, always, strict=True)]
        med = statistics.median(added)
        print(f"  plain median {statistics.median(never):.3f} s, rendered median {statistics.median(always):.3f} s")
        print(
            f"  rendering adds median {med:.3f} s per page (max {max(added):.3f} s)   target <= {TARGET_ADDED_S} s:"
            f" {'PASS' if med <= TARGET_ADDED_S else 'FAIL'}"
        )
        print(f"  browser start-up, once per run: {launch:.2f} s")
        if a.cli_runs > 0:
            u = url(port, a.hosts, 0)
            plain_cli = cli_wall(["check", u, "--no-cache", "--render", "never"], a.cli_runs)
            render_cli = cli_wall(["check", u, "--no-cache", "--render", "always"], a.cli_runs)
            print(
                f"  user's path `sponsorcheck check URL` (median of {a.cli_runs}): never {plain_cli:.2f} s, "
                f"always {render_cli:.2f} s (+{render_cli - plain_cli:.2f} s, browser start-up included)"
            )


def batch_part(a: argparse.Namespace, port: int, js_every: int) -> None:
    """Parts 2 and 3: a rendered batch against the plain one, and the browser pool's memory."""
    if True:
        scripted = sum(1 for n in range(a.rows) if n % js_every == 0)
        print(f"\n2. batch: {a.rows} rows over {a.hosts} hosts, {scripted} script-built, render pool {a.render_pool}:")
        with tempfile.TemporaryDirectory() as tmp:
            tour = Path(tmp) / "tour.csv"
            with tour.open("w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["date", "venue", "url"])
                for n in range(a.rows):
                    w.writerow([f"2026-07-{1 + n % 28:02d}", f"Venue {n}", url(port, a.hosts, n)])
            plain = run_batch(
                tour, Path(tmp) / "plain.csv", "never", a.render_pool, Path(tmp) / "c1.sqlite", a.log, a.timeline
            )
            rendered = run_batch(
                tour, Path(tmp) / "rendered.csv", "auto", a.render_pool, Path(tmp) / "c2.sqlite", a.log, a.timeline
            )
        ratio = rendered[0] / plain[0]
        print(
            f"  rendered / plain: {ratio:.2f}x   target <= {TARGET_RATIO}x: "
            + ("PASS" if ratio <= TARGET_RATIO else "FAIL")
        )
        expected = sum(1 for n in range(a.rows) if n % AMAZON_EVERY == 0)
        print(f"  conflicts: plain {plain[4]}, rendered {rendered[4]} (pages with an Amazon brand: {expected})")
        print(
            f"\n3. memory (peak PSS while the rendered batch ran): whole run {rendered[2]:.0f} MB, "
            f"browser (driver + Chromium) {rendered[3]:.0f} MB; plain batch {plain[2]:.0f} MB"
        )


if __name__ == "__main__":
    sys.exit(main())
