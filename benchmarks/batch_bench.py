"""Benchmark ``sponsorcheck batch`` against the network floor and a Scrapy spider on a synthetic loopback tour.

This is a benchmark, not a test: it prints figures and PASS/FAIL words against the targets and exits 0
unless the benchmark itself broke. The parts live in ``benchmarks/batchbench/``: ``pages`` (the
generator), ``server`` (the loopback server), ``floor`` (plain concurrent GETs), ``scrapy_spider``
(the Scrapy baseline) and ``measure`` (timing children, printing figures); this file only runs them.

What one run does
-----------------
1. Generates ``--rows`` tour rows (``--seed``): most are festival home pages whose sponsors are one
   link away (a "Sponsors" link to a sponsors page; about 55 %), some two (home → "Partners" →
   "Sponsors 2026"; about 10 %), the rest today's single event pages that carry their own logo grid
   or none (``--shapes event``: every row is such a page, the tour of the earlier benchmark). Home
   and event pages are 30–600 KB (mean about 150 KB, inline CSS/JS/SVG, line-up, timetable, news
   cards), linked pages about 50 KB; about 10 % of rows lead to an Amazon/AWS/Twitch logo.
2. Serves them from a separate aiohttp process on ``--hosts`` loopback addresses with ``--latency``.
3. Runs and measures, one after another, each as a child process (wall time, CPU user+sys and peak
   RSS from ``os.wait4``):
   (a) ``python -m sponsorcheck batch TOUR.csv --output OUT.csv --cache-path EMPTY.sqlite --quiet`` end to
       end, with the page cache on as a user runs it (a fresh file each run; ``--no-cache`` for the
       round-3 measure, which left the cost of storing every page out);
   (b) the floor over the row pages only; (c) the floor over every page batch read (what the server
       saw it request, in order): plain concurrent GETs with ``--workers`` threads, no robots.txt,
       no per-host limit, no delay, no processing — every URL known up front;
   (d) with the ``bench`` extra, a Scrapy spider with batch's politeness and discovery (robots.txt,
       ``--per-host`` per host, 0.5 s delay, up to 3 sponsor links followed per row).
4. Prints the figures and the targets: batch ≤ 1.3× the floor over all pages read, CPU ≤ 10 s per
   1,000 rows, peak RSS ≤ 150 MB, ahead of Scrapy; reads the report back (conflicts = rows leading
   to an Amazon-family logo) and checks batch read every linked sponsors page.
5. Micro-benchmark: median CPU of ``analyse_html`` on a ~300 KB page (target ≤ 8 ms).

The machine has 2 cores shared with other work: figures vary from run to run; quote medians of
several runs and say how loaded the machine was (``uptime``).

Usage (from the repository root)::

    pip install -e '.[bench]'
    python benchmarks/batch_bench.py [--rows 1000] [--hosts 200] [--latency 0.1] [--workers 16]
        [--per-host 2] [--delay 0.5] [--seed 5] [--shapes mixed|event] [--no-scrapy] [--keep DIR]
        [--baseline REF] [--no-cache]

``--baseline REF`` runs batch a second time with the package as it was at git REF (``git archive``),
on the same tour and server, before today's batch, and prints both with the ratio: how "the existing
synthetic tour must not get slower" is checked (``--shapes event --baseline REF``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batchbench import floor, pages, scrapy_spider, server
from batchbench.measure import (
    BATCH_OK_EXIT_CODES,
    CHILD_TIMEOUT_S,
    REPO_ROOT,
    Measured,
    baseline_code,
    check_batch_output,
    child_env,
    describe_server,
    micro_benchmark,
    print_table,
    print_targets,
    run_measured,
    tail,
)

SCRIPT = str(Path(__file__).resolve())


def scrapy_available() -> bool:
    """True when Scrapy can be imported (the `bench` extra)."""
    try:
        import scrapy  # noqa: F401
    except ImportError:
        return False
    return True


def fragments() -> tuple[str, ...]:
    """sponsorcheck's own discovery words, so the Scrapy spider follows the same links."""
    sys.path.insert(0, str(REPO_ROOT))
    from sponsorcheck.extract.vocabulary import DISCOVERY_FRAGMENTS

    return tuple(DISCOVERY_FRAGMENTS)


def measure_child(
    label: str, cmd: list[str], log: Path, srv: server.Server, code: Path | None = None
) -> tuple[Measured, dict | None]:
    """Run one child with the server's counters reset before it; return its figures and the server's view."""
    srv.reset()
    if "--cache-path" in cmd:  # every batch starts with an empty page cache, as a first run does
        cache = Path(cmd[cmd.index("--cache-path") + 1])
        for path in cache.parent.glob(cache.name + "*"):
            path.unlink()
    measured = run_measured(cmd, log, CHILD_TIMEOUT_S, code)
    stats = srv.stats()
    if measured.returncode not in (0, *BATCH_OK_EXIT_CODES) or measured.timed_out:
        print(f"{label} failed (exit {measured.returncode}, timed out: {measured.timed_out}):\n{tail(measured.stderr)}")
    return measured, stats


def run_benchmark(args: argparse.Namespace) -> int:
    """Parent entry point: generate, serve, measure batch, the floors and Scrapy, report."""
    if not 1 <= args.hosts <= pages.MAX_HOSTS:
        raise SystemExit(f"--hosts must be between 1 and {pages.MAX_HOSTS}")
    if args.rows < 1 or args.workers < 1 or args.per_host < 1 or args.latency < 0:
        raise SystemExit("--rows, --workers and --per-host must be >= 1 and --latency >= 0")
    if args.keep:
        workdir = Path(args.keep).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        for owned in ("pages", "batch"):  # only the subfolders this script creates
            shutil.rmtree(workdir / owned, ignore_errors=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="sponsorcheck-bench-"))
    with contextlib.suppress(OSError):
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"config: rows={args.rows} hosts={args.hosts} latency={args.latency}s workers={args.workers} "
        f"per-host={args.per_host} delay={args.delay}s seed={args.seed} shapes={args.shapes} "
        f"cache={'off' if args.no_cache else 'fresh file'} cpus={os.cpu_count()} workdir={workdir}"
    )
    srv: server.Server | None = None
    try:
        started = time.perf_counter()
        pools = pages.build_pools(args.seed)
        plan = pages.plan_tour(args.rows, args.hosts, args.seed, linked=args.shapes == "mixed")
        infos = pages.generate_pages(plan, pools, args.seed, workdir / "pages")
        sizes = sorted(info.size for info in infos)
        shapes = {s: sum(1 for r in plan if r.shape == s) for s in (pages.HOME, pages.HOME2, pages.EVENT)}
        print(
            f"pages: {len(infos)} rows generated in {time.perf_counter() - started:.1f} s: "
            f"{shapes[pages.HOME]} home pages with sponsors one link away, {shapes[pages.HOME2]} two links away, "
            f"{shapes[pages.EVENT]} event pages; row pages mean {statistics.mean(sizes) / pages.KB:.0f} KB "
            f"(median {statistics.median(sizes) / pages.KB:.0f}, max {sizes[-1] / pages.KB:.0f}); "
            f"{sum(1 for i in infos if i.amazon)} rows with an Amazon/AWS/Twitch logo"
        )

        srv = server.Server(workdir / "pages", workdir, args.hosts, args.latency, args.port, SCRIPT)
        tour_csv = workdir / "tour.csv"
        urls = pages.write_tour(plan, srv.port, tour_csv)
        row_list = floor.write_url_list(workdir / "row_urls.txt", urls)
        linked = [
            f"http://{pages.host_address(row.host)}:{srv.port}{path}"
            for row, info in zip(plan, infos, strict=True)
            for path in info.linked
        ]
        print(
            f"server: {args.hosts} loopback addresses {pages.host_address(0)}..."
            f"{pages.host_address(args.hosts - 1)} on port {srv.port}, latency {args.latency} s; "
            f"{len(urls)} row pages + {len(linked)} linked pages; tour: {tour_csv}"
        )

        batch_dir = workdir / "batch"
        batch_dir.mkdir(parents=True, exist_ok=True)
        out_csv = batch_dir / "out.csv"
        cache_file = batch_dir / "pages.sqlite"  # emptied before each run (see measure_child)
        batch_cmd = [
            sys.executable,
            "-m",
            "sponsorcheck",
            "batch",
            str(tour_csv),
            "--output",
            str(out_csv),
            # A user's batch keeps every page in the page cache (the default); a first run starts with an
            # empty one. Round 3 measured with --no-cache, which hid the cost of storing 1,742 pages.
            *(["--no-cache"] if args.no_cache else ["--cache-path", str(cache_file)]),
            "--quiet",
            "--workers",
            str(args.workers),
            "--per-host",
            str(args.per_host),
            "--delay",
            str(args.delay),
            # The plain batch: what issue 12's targets are about. `--render auto` (the default when a
            # browser is installed) would load script-built pages in Chromium; render_bench.py measures that.
            "--render",
            "never",
        ]
        # Import the package once unmeasured, so .pyc compilation is not charged to the run.
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(
                [sys.executable, "-m", "sponsorcheck", "--help"],
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=child_env(),
                check=False,
                timeout=120,
            )
        baseline: Measured | None = None
        baseline_label = f"batch at {args.baseline}"[:24]
        if args.baseline:
            # The same tour, the same server, the code as it was: "not slower than before" in one run.
            code = baseline_code(args.baseline, workdir)
            base_out = batch_dir / "baseline.csv"
            base_cmd = [*batch_cmd[:6], str(base_out), *batch_cmd[7:]]
            with contextlib.suppress(subprocess.TimeoutExpired):
                subprocess.run(
                    [sys.executable, "-m", "sponsorcheck", "--help"],
                    cwd=code,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=child_env(code),
                    check=False,
                    timeout=120,
                )
            baseline, _ = measure_child(baseline_label, base_cmd, batch_dir / "baseline", srv, code)
            if baseline.timed_out or baseline.returncode not in BATCH_OK_EXIT_CODES:
                baseline = None
        batch, batch_stats = measure_child("sponsorcheck batch", batch_cmd, batch_dir / "batch", srv)
        read = srv.pages_read()
        batch_ok = not batch.timed_out and batch.returncode in BATCH_OK_EXIT_CODES and out_csv.is_file()
        print(describe_server("batch", batch_stats, args.per_host))
        missing = sorted(set(linked) - set(read))
        print(
            f"batch read {len(read)} pages ({len(set(read))} distinct): every linked sponsors page "
            + ("PASS" if not missing else f"FAIL, {len(missing)} not read (first: {missing[0]})")
        )
        all_list = floor.write_url_list(workdir / "read_urls.txt", read)

        floor_rows, _ = measure_child(
            "floor (row pages)",
            [sys.executable, SCRIPT, "--_floor", str(row_list), "--workers", str(args.workers)],
            workdir / "floor-rows",
            srv,
        )
        floor_all, _ = measure_child(
            "floor (all pages read)",
            [sys.executable, SCRIPT, "--_floor", str(all_list), "--workers", str(args.workers)],
            workdir / "floor-all",
            srv,
        )
        scrapy: Measured | None = None
        scrapy_pages = 0
        if args.no_scrapy:
            print("scrapy: skipped (--no-scrapy)")
        elif not scrapy_available():
            print("scrapy: skipped; the Scrapy baseline needs the bench extra: pip install -e '.[bench]'")
        else:
            scrapy_cmd = [
                sys.executable,
                SCRIPT,
                "--_scrapy",
                str(row_list),
                "--workers",
                str(args.workers),
                "--per-host",
                str(args.per_host),
                "--delay",
                str(args.delay),
            ]
            scrapy, scrapy_stats = measure_child("scrapy", scrapy_cmd, workdir / "scrapy", srv)
            print(describe_server("scrapy", scrapy_stats, args.per_host))
            with contextlib.suppress(ValueError, IndexError):
                scrapy_pages = json.loads(scrapy.stdout.strip().splitlines()[-1])["pages"]
        srv.stop()
        srv = None

        print_table(
            args.rows,
            [
                ("floor (row pages)", floor_rows, len(urls)),
                ("floor (all pages read)", floor_all, len(read)),
                ("sponsorcheck batch", batch if batch_ok else None, len(read)),
                *([(baseline_label, baseline, len(read))] if args.baseline else []),
                ("scrapy (same politeness)", scrapy, scrapy_pages),
            ],
        )
        if args.baseline and baseline is not None and batch_ok:
            wall, cpu = batch.wall_s / baseline.wall_s, batch.cpu_s / baseline.cpu_s
            print(
                f"\nagainst {args.baseline} (same tour, same run): wall {wall:.2f}x, CPU {cpu:.2f}x "
                f"(not slower: {'PASS' if wall <= 1.05 else 'FAIL'}; within 5 % counts as noise)"
            )
        if batch_ok:
            print_targets(args.rows, batch, floor_all, floor_rows, scrapy)
            print()
            check_batch_output(out_csv, urls, infos)
        else:
            print(f"sponsorcheck batch failed (exit {batch.returncode}); stderr tail:\n{tail(batch.stderr)}")
        with contextlib.suppress(OSError):
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        kept = "" if args.keep else "; temporary paths, use --keep DIR to keep them"
        print(f"\ncommands (cwd {REPO_ROOT}{kept}):")
        print("  batch: " + " ".join(batch_cmd))
        print()
        if not args.no_micro:
            micro_benchmark(pools, args.seed)
    finally:
        if srv is not None:
            srv.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line (public options plus the hidden child-mode ones)."""
    parser = argparse.ArgumentParser(
        description="Benchmark sponsorcheck batch against the fetch floor and Scrapy on a loopback tour."
    )
    parser.add_argument("--rows", type=int, default=1000, help="tour rows (default 1000; a few hundred to iterate)")
    parser.add_argument(
        "--hosts", type=int, default=200, help=f"loopback hosts 127.0.0.2... (default 200, max {pages.MAX_HOSTS})"
    )
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every response (default 0.1)")
    parser.add_argument("--workers", type=int, default=16, help="concurrent workers (default 16)")
    parser.add_argument("--per-host", type=int, default=2, help="requests at once per host (default 2)")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds between requests to one host (default 0.5)")
    parser.add_argument("--seed", type=int, default=5, help="seed of the page generator (default 5)")
    parser.add_argument(
        "--shapes",
        choices=("mixed", "event"),
        default="mixed",
        help="mixed: mostly home pages with sponsors one or two links away (default); event: the earlier tour",
    )
    parser.add_argument("--no-scrapy", action="store_true", help="skip the Scrapy baseline")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also run batch as it was at git REF (e.g. main) on the same tour in the same run, and compare",
    )
    parser.add_argument("--no-micro", action="store_true", help="skip the analyse_html micro-benchmark")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="run batch with --no-cache (round 3's measure); by default it writes a fresh page cache, as a user's does",
    )
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--keep", metavar="DIR", help="keep pages, tour, output and logs in DIR")
    # Child modes: the script re-invokes itself as the server, the floor and the Scrapy spider.
    parser.add_argument("--_serve", dest="serve_dir", help=argparse.SUPPRESS)
    parser.add_argument("--_port-file", dest="port_file", help=argparse.SUPPRESS)
    parser.add_argument("--_parent-pid", dest="parent_pid", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--_server-timeout",
        dest="server_timeout",
        type=float,
        default=server.SERVER_HARD_TIMEOUT_S,
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--_floor", dest="floor_list", help=argparse.SUPPRESS)
    parser.add_argument("--_scrapy", dest="scrapy_list", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the benchmark or to one of its child modes."""
    args = parse_args(argv)
    if args.serve_dir:
        return server.serve(args)
    if args.floor_list:
        return floor.fetch_floor(Path(args.floor_list), args.workers)
    if args.scrapy_list:
        return scrapy_spider.crawl(Path(args.scrapy_list), args.workers, args.per_host, args.delay, fragments())
    try:
        import aiohttp  # noqa: F401  the loopback server's library, from the bench extra
    except ImportError:
        print("batch_bench: the loopback server needs aiohttp, from the bench extra: pip install -e '.[bench]'")
        return 2
    return run_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
