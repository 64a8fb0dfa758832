"""The loopback server: serves the generated pages on many 127.0.0.x addresses with an injected latency.

A separate process (so its CPU is not charged to the client measured), aiohttp, loopback only; it
counts requests per phase (page requests, robots.txt per host, highest concurrency per host) and
answers them as JSON at ``/__stats``. It stops when the benchmark ends or dies, and after a hard
timeout in any case.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from .measure import child_env, tail
from .pages import PAGE_PATH_RE, STATS_HOST, host_address

SERVER_HARD_TIMEOUT_S = 15 * 60.0
SERVER_START_TIMEOUT_S = 30.0
ROBOTS_TXT = "# benchmark server: everything may be fetched\nUser-agent: *\nDisallow:\n"

# ----------------------------------------------------------------------------- server (child)


class ServerStats:
    """Request counters of the loopback server, per phase (reset through /__reset)."""

    def __init__(self) -> None:
        self.in_flight: Counter[str] = Counter()
        self.total_in_flight = 0
        self.reset()

    def reset(self) -> None:
        """Zero every counter (in-flight counts of running requests are kept)."""
        self.pages = 0
        self.robots = 0
        self.other = 0
        self.bytes_sent = 0
        self.max_total = 0
        self.max_per_host: dict[str, int] = {}
        self.robots_per_host: Counter[str] = Counter()
        self.read: list[str] = []  # "host path" of every page request, in arrival order

    def begin(self, host: str, path: str) -> None:
        """Count a request that has just arrived on host."""
        if path == "/robots.txt":
            self.robots += 1
            self.robots_per_host[host] += 1
        elif PAGE_PATH_RE.fullmatch(path):
            self.pages += 1
            self.read.append(f"{host} {path}")
        else:
            self.other += 1
            self.read.append(f"{host} {path}")
        self.in_flight[host] += 1
        self.total_in_flight += 1
        self.max_per_host[host] = max(self.max_per_host.get(host, 0), self.in_flight[host])
        self.max_total = max(self.max_total, self.total_in_flight)

    def end(self, host: str) -> None:
        """Count a request on host as answered."""
        self.in_flight[host] -= 1
        self.total_in_flight -= 1

    def snapshot(self) -> dict[str, Any]:
        """Return the counters as a JSON-ready dict."""
        return {
            "pages": self.pages,
            "robots": self.robots,
            "other": self.other,
            "bytes_sent": self.bytes_sent,
            "max_concurrent_total": self.max_total,
            "max_concurrent_per_host": self.max_per_host,
            "max_robots_per_host": max(self.robots_per_host.values(), default=0),
            "hosts_seen": len(self.max_per_host),
        }


async def _serve_async(
    pages_dir: Path, hosts: int, latency: float, port: int, port_file: Path, parent_pid: int, hard_timeout: float
) -> None:
    """Serve the pages on every loopback address until stopped, orphaned or timed out."""
    from aiohttp import web

    stats = ServerStats()

    async def handle(request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/__stats":
            return web.json_response(stats.snapshot())
        if path == "/__read":
            return web.json_response(stats.read)
        if path == "/__reset":
            stats.reset()
            return web.json_response({"reset": True})
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        host = sockname[0] if sockname else (request.host.split(":")[0] or "?")
        stats.begin(host, path)
        try:
            await asyncio.sleep(latency)
            if path == "/robots.txt":
                return web.Response(text=ROBOTS_TXT, content_type="text/plain")
            match = PAGE_PATH_RE.fullmatch(path)
            page = None
            if match:
                k, name = int(match.group(1)), match.group(2)
                page = pages_dir / f"{k}.html" if name is None else pages_dir / str(k) / f"{name}.html"
            if page is not None and page.is_file():
                body = page.read_bytes()
                stats.bytes_sent += len(body)
                return web.Response(body=body, content_type="text/html", charset="utf-8")
            return web.Response(status=404, text="not found\n")
        finally:
            stats.end(host)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        if port == 0:
            # Reserve a free port on the first address, then bind that port everywhere.
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.bind((STATS_HOST, 0))
                port = probe.getsockname()[1]
        for host in range(hosts):
            address = host_address(host)
            if not address.startswith("127."):  # never listen beyond loopback
                raise RuntimeError(f"refusing to bind non-loopback address {address}")
            site = web.TCPSite(runner, address, port, backlog=1024, reuse_address=True)
            await site.start()
        tmp = port_file.with_suffix(".tmp")
        tmp.write_text(str(port), encoding="ascii")
        tmp.replace(port_file)

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        deadline = time.monotonic() + hard_timeout
        while not stop.is_set() and time.monotonic() < deadline and os.getppid() == parent_pid:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
    finally:
        await runner.cleanup()


def serve(args: argparse.Namespace) -> int:
    """Child entry point: run the loopback page server."""
    asyncio.run(
        _serve_async(
            Path(args.serve_dir),
            args.hosts,
            args.latency,
            args.port,
            Path(args.port_file),
            args.parent_pid,
            args.server_timeout,
        )
    )
    return 0


class Server:
    """The loopback page server child process, started and stopped by the benchmark."""

    def __init__(self, pages_dir: Path, workdir: Path, hosts: int, latency: float, port: int, script: str) -> None:
        self.port_file = workdir / "server.port"
        self.port_file.unlink(missing_ok=True)
        self.log_path = workdir / "server.log"
        self._log = self.log_path.open("wb")
        cmd = [
            sys.executable,
            script,  # the runner, which dispatches --_serve here
            "--_serve",
            str(pages_dir),
            "--hosts",
            str(hosts),
            "--latency",
            str(latency),
            "--port",
            str(port),
            "--_port-file",
            str(self.port_file),
            "--_parent-pid",
            str(os.getpid()),
            "--_server-timeout",
            str(SERVER_HARD_TIMEOUT_S),
        ]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, env=child_env()
        )
        self.port = self._wait_for_port()
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _wait_for_port(self) -> int:
        """Block until the server has bound every address; return its port."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.port_file.exists():
                return int(self.port_file.read_text(encoding="ascii"))
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        log = self.log_path.read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"benchmark server did not start:\n{tail(log)}")

    def _get(self, path: str) -> dict[str, Any] | None:
        """Return the JSON answer of a control path, or None (with a note) if the server is gone."""
        try:
            with self._opener.open(f"http://{STATS_HOST}:{self.port}{path}", timeout=10) as response:
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except (OSError, ValueError) as exc:
            print(f"note: benchmark server did not answer {path}: {exc}")
            return None

    def reset(self) -> None:
        """Zero the server's counters before a phase."""
        self._get("/__reset")

    def pages_read(self) -> list[str]:
        """Every page URL requested in this phase (robots.txt aside), in arrival order."""
        answer: Any = self._get("/__read")
        port = self.port
        return [f"http://{item.split(' ', 1)[0]}:{port}{item.split(' ', 1)[1]}" for item in answer or []]

    def stats(self) -> dict[str, Any] | None:
        """Return the server's counters for the phase so far (None if it cannot be reached)."""
        return self._get("/__stats")

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within 5 s)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
