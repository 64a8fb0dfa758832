"""Run sponsorcheck as a real subprocess and hold every hostile case to the same contract.

`run_cli` starts `python -m sponsorcheck ...` through a small launcher (launcher.py), which waits
for it with os.wait4 and reads that child's own peak RSS (ru_maxrss, per child, never cumulative,
not inflated by pytest's own size) and its wall time. `assert_refused` and
`assert_handled` then check what a user sees: the documented exit code, exactly one stderr line that
says what to do, no traceback, a bounded time and peak memory under `MAX_PEAK_MB`.

Every run is recorded; at the end the terminal summary counts the hostile inputs and names the
slowest and the largest (`python -m pytest tests/hostile -q` prints it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sponsorcheck.errors import ExitStatus

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).resolve().parent / "launcher.py"
MAX_PEAK_MB = 300
# Python, typer, lxml, pydantic and requests take ~0.5 s to import on a busy 2-core CI box; bounds
# below add this startup allowance to the time the hostile input itself may cost.
STARTUP_S = 4.0
ERROR_PREFIX = "sponsorcheck: error: "

WATCHLIST = """
id: test-pledge
name: Test pledge
version: "1"
pledge: {name: Test pledge, demands: [{id: d1, text: No cloud for ICE}]}
entities:
  - id: amazon
    name: Amazon
    reason: powers ICE's cloud
    demands: [d1]
    sources: [{url: "https://example.org/amazon", verified: 2026-11-24, claim: "exists"}]
    aliases: [Amazon, Amazon Web Services]
    domains: [amazon.com]
"""

RECORDS: list[dict[str, object]] = []


@dataclass
class Run:
    """What one `python -m sponsorcheck` child did."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    label: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def json(self) -> dict:
        return json.loads(self.stdout)


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child: this worktree's package, no proxy (loopback only), wide output."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(PYTHONPATH=str(ROOT), NO_PROXY="*", COLUMNS="200", PYTHONDONTWRITEBYTECODE="1")
    env.update(overrides)
    return env


def run_cli(
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    hard_timeout: float = 90.0,
    label: str = "",
    interrupt_after: float | None = None,
) -> Run:
    """Run sponsorcheck in a child process; return its exit code, output, wall time and own peak RSS."""
    with tempfile.TemporaryDirectory() as folder:
        files = {name: os.path.join(folder, name) for name in ("stdin", "stdout", "stderr")}
        if stdin is not None:
            Path(files["stdin"]).write_bytes(stdin)
        spec = {
            "argv": [sys.executable, "-m", "sponsorcheck", *args],
            "cwd": str(ROOT),
            # A fresh cache directory per run: no hostile case may be answered from another's cached page.
            "env": {
                **(env or child_env()),
                "XDG_CACHE_HOME": os.path.join(folder, "cache"),
                "SPONSORCHECK_CACHE": os.path.join(folder, "pages.sqlite"),
            },
            "stdin": files["stdin"] if stdin is not None else None,
            "stdout": files["stdout"],
            "stderr": files["stderr"],
            "interrupt_after": interrupt_after,
            "hard_timeout": hard_timeout,
        }
        launched = subprocess.run(
            [sys.executable, "-S", str(LAUNCHER), json.dumps(spec)], capture_output=True, text=True, check=True
        )
        result = json.loads(launched.stdout)
        run = Run(
            tuple(args),
            result["returncode"],
            Path(files["stdout"]).read_bytes().decode("utf-8", "replace"),
            Path(files["stderr"]).read_bytes().decode("utf-8", "replace"),
            result["seconds"],
            result["maxrss_kb"] / 1024,  # kilobytes on Linux
            label,
        )
    RECORDS.append({"label": label or " ".join(args)[:80], "seconds": run.seconds, "peak_mb": run.peak_mb})
    return run


# Children run two at a time where cases are independent (the CI box has 2 cores); each child's time
# and memory are still its own, measured by its own launcher.
PARALLEL = 2


def run_cli_many(jobs: dict[str, tuple[tuple[str, ...], dict]], workers: int = PARALLEL) -> dict[str, Run]:
    """Run several independent `run_cli(*args, **kwargs)` jobs, `workers` at a time; results by job name."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(run_cli, *args, **kwargs) for name, (args, kwargs) in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def _common(run: Run, max_seconds: float) -> None:
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.seconds < max_seconds + STARTUP_S, f"took {run.seconds:.1f} s, bound {max_seconds} s + startup"
    assert run.peak_mb < MAX_PEAK_MB, f"peak RSS {run.peak_mb:.0f} MB"


def assert_refused(run: Run, status: ExitStatus, max_seconds: float, *says: str) -> str:
    """Exit `status`, exactly one stderr line starting 'sponsorcheck: error:' containing every `says`; bounded."""
    _common(run, max_seconds)
    assert run.returncode == status, f"exit {run.returncode}, wanted {int(status)}; stderr: {run.stderr[-2000:]}"
    lines = run.stderr_lines
    assert len(lines) == 1, f"wanted one stderr line, got {len(lines)}: {run.stderr[-2000:]}"
    line = lines[0]
    assert line.startswith(ERROR_PREFIX), line
    assert len(line) < 400, line
    for fragment in says:
        assert fragment.lower() in line.lower(), f"{fragment!r} not in {line!r}"
    return line[len(ERROR_PREFIX) :]


def assert_handled(run: Run, status: ExitStatus, max_seconds: float) -> dict:
    """A hostile input that is still a page: exit `status`, silent stderr, JSON on stdout; bounded."""
    _common(run, max_seconds)
    assert run.returncode == status, f"exit {run.returncode}, wanted {int(status)}; stderr: {run.stderr[-2000:]}"
    assert run.stderr_lines == [], run.stderr[-2000:]
    return run.json()


@pytest.fixture(scope="session")
def watchlist_path(tmp_path_factory) -> str:
    """A small watchlist (Amazon only) written for these tests, so they never depend on the default list."""
    path = tmp_path_factory.mktemp("wl") / "watchlist.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return str(path)


@pytest.fixture
def check(watchlist_path):
    """`check(target, *options)` runs `sponsorcheck check TARGET --format json -w WATCHLIST ...`."""

    def _check(target: str, *options: str, **kwargs) -> Run:
        return run_cli("check", target, "--format", "json", "--watchlist", watchlist_path, *options, **kwargs)

    return _check


def pytest_terminal_summary(terminalreporter) -> None:
    """Count the hostile inputs run, and name the slowest and the largest (peak memory)."""
    if not RECORDS:
        return
    slowest = max(RECORDS, key=lambda r: r["seconds"])
    largest = max(RECORDS, key=lambda r: r["peak_mb"])
    failed = [r for r in terminalreporter.stats.get("failed", []) if "tests/hostile/" in r.nodeid]
    verdict = "all handled" if not failed else f"{len(failed)} hostile tests FAILED"
    terminalreporter.write_sep("-", "hostile inputs")
    terminalreporter.write_line(
        f"{len(RECORDS)} hostile inputs run as subprocesses, {verdict}; "
        f"slowest {slowest['seconds']:.1f} s ({slowest['label']}); "
        f"largest peak RSS {largest['peak_mb']:.0f} MB ({largest['label']})"
    )
