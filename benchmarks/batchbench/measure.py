"""The measurement: child processes timed with wall clock and os.wait4 rusage; the figures and targets printed."""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .pages import KB, PageInfo, Pools, TourRow, generate_page

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

# Targets (issue 12): on a tour whose sponsors are mostly one link away.
TARGET_RATIO = 1.3  # batch wall / floor wall over every page batch read
TARGET_CPU_PER_1000 = 10.0
TARGET_RSS_MB = 150.0
TARGET_MICRO_MS = 8.0
MICRO_PAGE_BYTES = 300 * KB
CHILD_TIMEOUT_S = 6 * 60.0
BATCH_OK_EXIT_CODES = (0, 1, 3, 4)  # issue 2: clear, conflict, review/unknown, fetch error
MICRO_WARMUP_RUNS = 5
MICRO_RUNS = 50
STDERR_TAIL_LINES = 25


@dataclass(frozen=True)
class Measured:
    """Resource use of one finished child process."""

    returncode: int
    timed_out: bool
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    stdout: str
    stderr: str


# ----------------------------------------------------------------------------- measuring


def child_env(code: Path | None = None) -> dict[str, str]:
    """Return the environment for children: loopback must never go through a proxy; `code`: run that checkout."""
    env = dict(os.environ)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.0/8,localhost"
    if code is not None:
        env["PYTHONPATH"] = str(code)
    return env


def run_measured(cmd: list[str], log_stem: Path, timeout: float, code: Path | None = None) -> Measured:
    """Run cmd to completion and return its wall time, CPU user+sys and peak RSS."""
    out_path = log_stem.with_name(log_stem.name + ".stdout")
    err_path = log_stem.with_name(log_stem.name + ".stderr")
    timed_out = threading.Event()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=code or REPO_ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=child_env(code)
        )

        def kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        try:
            # wait4 gives the child's own rusage: CPU and peak RSS of exactly this process.
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        returncode=proc.returncode,
        timed_out=timed_out.is_set(),
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


# ----------------------------------------------------------------------------- reporting


def tail(text: str, lines: int = STDERR_TAIL_LINES) -> str:
    """Return the last lines of text, indented for the report."""
    kept = text.rstrip().splitlines()[-lines:]
    return "\n".join("    " + line for line in kept) if kept else "    (empty)"


def verdict_word(ok: bool) -> str:
    """Return PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def describe_server(label: str, stats: dict[str, Any] | None, per_host_limit: int | None) -> str:
    """Return one line on what the server saw during a phase."""
    if stats is None:
        return f"server view ({label}): unavailable"
    per_host = stats["max_concurrent_per_host"]
    worst = max(per_host.values(), default=0)
    line = (
        f"server view ({label}): {stats['pages']} page requests, {stats['robots']} robots.txt "
        f"(max {stats['max_robots_per_host']} per host), {stats['hosts_seen']} hosts, "
        f"max {stats['max_concurrent_total']} concurrent overall, max {worst} on one host"
    )
    if per_host_limit is not None:
        over = sum(1 for value in per_host.values() if value > per_host_limit)
        line += f" (limit {per_host_limit}: {verdict_word(over == 0)}"
        line += f", {over} hosts over)" if over else ")"
    return line


def print_table(rows: int, measured: list[tuple[str, Measured | None, int]]) -> None:
    """Print rows, pages, wall, CPU and peak RSS of every child that ran (pages: what it fetched)."""
    print()
    print(f"{'':24}{'rows':>7}{'pages':>7}{'pages/s':>9}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}")
    for label, m, pages in measured:
        if m is None:
            print(f"{label:24}{rows:>7}  not run")
            continue
        print(
            f"{label:24}{rows:>7}{pages:>7}{pages / m.wall_s:>9.1f}{m.wall_s:>9.2f}{m.cpu_s:>9.2f}{m.max_rss_mb:>13.1f}"
        )


def print_targets(
    rows: int, batch: Measured, floor_all: Measured, floor_rows: Measured, scrapy: Measured | None
) -> None:
    """The targets of issue 12, printed with PASS/FAIL (never asserted)."""
    ratio = batch.wall_s / floor_all.wall_s
    cpu_per_1000 = batch.cpu_s * 1000 / rows
    print()
    print("targets (sponsorcheck batch)")
    print(f"  {'wall vs floor (all)':24}{ratio:>9.2f}x   <= {TARGET_RATIO}x     {verdict_word(ratio <= TARGET_RATIO)}")
    print(f"  {'wall vs floor (rows)':24}{batch.wall_s / floor_rows.wall_s:>9.2f}x   (row pages only, for reference)")
    print(
        f"  {'CPU per 1000 rows':24}{cpu_per_1000:>8.2f} s   <= {TARGET_CPU_PER_1000:g} s      "
        f"{verdict_word(cpu_per_1000 <= TARGET_CPU_PER_1000)}"
    )
    print(
        f"  {'peak RSS':24}{batch.max_rss_mb:>7.1f} MB   <= {TARGET_RSS_MB:g} MB   "
        f"{verdict_word(batch.max_rss_mb <= TARGET_RSS_MB)}"
    )
    if scrapy is not None:
        print(
            f"  {'wall vs Scrapy':24}{batch.wall_s / scrapy.wall_s:>9.2f}x   < 1x       "
            f"{verdict_word(batch.wall_s < scrapy.wall_s)}"
        )
    else:
        print(f"  {'wall vs Scrapy':24}      n/a   (pip install -e '.[bench]' for the Scrapy baseline)")


def check_batch_output(out_csv: Path, urls: list[str], infos: list[PageInfo]) -> None:
    """Read the batch report back and compare its conflicts with the generated Amazon pages."""
    with out_csv.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = {name.lower(): name for name in reader.fieldnames or []}
        records = list(reader)
    if "verdict" not in fields:
        print(f"batch output: {len(records)} rows, but no verdict column (columns: {', '.join(fields.values())})")
        return
    verdicts = Counter(record[fields["verdict"]].strip().lower() for record in records)
    expected = {url for url, info in zip(urls, infos, strict=True) if info.amazon}
    print(
        f"batch output: {len(records)} rows (tour: {len(urls)}) "
        f"{verdict_word(len(records) == len(urls))}; verdicts: "
        + ", ".join(f"{name} {count}" for name, count in verdicts.most_common())
    )
    print(
        f"conflict verdicts: {verdicts.get('conflict', 0)}, pages generated with an "
        f"Amazon/AWS/Twitch logo: {len(expected)} "
        f"{verdict_word(verdicts.get('conflict', 0) == len(expected))}"
    )
    if "url" in fields:
        got = {record[fields["url"]] for record in records if record[fields["verdict"]].strip().lower() == "conflict"}
        missed, extra = sorted(expected - got), sorted(got - expected)
        for label, items in (
            ("  expected conflict, got something else", missed),
            ("  conflict on a clean page", extra),
        ):
            if items:
                print(f"{label} ({len(items)}): " + ", ".join(items[:5]))


def micro_benchmark(pools: Pools, seed: int) -> None:
    """Print the median CPU ms of analyse_html on generated ~300 KB pages."""
    sys.path.insert(0, str(REPO_ROOT))
    try:
        from sponsorcheck.pipeline import analyse_html
        from sponsorcheck.watchlist import load_default

        default = load_default()
        # analyse_html takes a sequence of watchlists (or a compiled Matcher); load_default gives one.
        watchlists = default if isinstance(default, (tuple, list)) else (default,)
    except Exception as exc:  # noqa: BLE001, RUF100 -- the package may not exist yet: report and carry on
        print(f"micro-benchmark skipped: {type(exc).__name__}: {exc}")
        return
    row = TourRow(10**6, 0, "2026-07-10", "Utrecht", "NL", "Canal Works", "Meadowlark Festival")
    url = "https://meadowlark-festival.example/events/2026.html"
    print(
        f"micro-benchmark: analyse_html, {MICRO_RUNS} runs after {MICRO_WARMUP_RUNS} warm-up, median CPU (process_time)"
    )
    for label, amazon in (("clean sponsors", False), ("with an Amazon logo", True)):
        page, info = generate_page(row, pools, seed, size=MICRO_PAGE_BYTES, amazon=amazon)
        html = page.decode("utf-8")  # analyse_html takes decoded text, as fetch hands it over
        try:
            for _ in range(MICRO_WARMUP_RUNS):  # also builds the matcher, which is cached per process
                analyse_html(html, url, watchlists)
            samples = []
            for _ in range(MICRO_RUNS):
                start = time.process_time()
                analyse_html(html, url, watchlists)
                samples.append((time.process_time() - start) * 1000)
        except Exception as exc:  # noqa: BLE001, RUF100 -- any failure only skips the micro-benchmark
            print(f"micro-benchmark skipped: analyse_html failed: {type(exc).__name__}: {exc}")
            return
        median = statistics.median(samples)
        print(
            f"  {label:22} {info.size / KB:5.0f} KB: median {median:6.2f} ms "
            f"(min {min(samples):.2f}, max {max(samples):.2f})   <= {TARGET_MICRO_MS:g} ms  "
            f"{verdict_word(median <= TARGET_MICRO_MS)}"
        )


def baseline_code(ref: str, workdir: Path) -> Path:
    """The package as it was at git `ref` (git archive of sponsorcheck/ and watchlist.yaml into workdir/baseline-src).

    Both batch_bench.py and sweep_bench.py time it beside today's code for --baseline.
    """
    target = workdir / "baseline-src"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", ref, "sponsorcheck", "watchlist.yaml"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SystemExit(f"--baseline {ref}: git archive failed: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target
