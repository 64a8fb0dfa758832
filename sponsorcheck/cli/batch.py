"""`batch`: a whole tour from a spreadsheet, one report."""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from sponsorcheck.batch import (
    DEFAULT_HOST_DELAY,
    DEFAULT_PER_HOST,
    DEFAULT_WORKERS,
    BatchOptions,
    Journal,
    batch_session,
    check_writable,
    read_table,
    run_batch,
    tune_allocator,
    write_report,
)
from sponsorcheck.batch.journal import file_sha256, run_settings
from sponsorcheck.cache import DEFAULT_MAX_AGE
from sponsorcheck.cli.common import (
    BATCH_EXIT_HELP,
    AllowOpt,
    CachePathOpt,
    DebugOpt,
    EvidenceOpt,
    FollowOpt,
    MaxAgeOpt,
    MinScoreOpt,
    NoCacheOpt,
    NoFollowOpt,
    OfflineOpt,
    RenderOpt,
    TimeoutOpt,
    WatchlistOpt,
    app,
    exit_status_for,
    guarded,
    load_allow,
    open_cache,
    render_setup,
)
from sponsorcheck.errors import ExitStatus, UsageError
from sponsorcheck.fetch import Fetcher, FetchPolicy
from sponsorcheck.files import refuse_overwriting_input
from sponsorcheck.match import DEFAULT_MIN_SCORE
from sponsorcheck.models import Result
from sponsorcheck.pipeline import CheckOptions, matcher_for
from sponsorcheck.render import DEFAULT_CONTEXTS
from sponsorcheck.report import console
from sponsorcheck.report.batch_summary import print_batch_summary, print_batch_table
from sponsorcheck.report.console import stderr_console, stdout_console
from sponsorcheck.report.progress import ProgressObserver
from sponsorcheck.watchlist import load_watchlists


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While a batch runs, SIGTERM (kill, a scheduler's timeout) stops it like Ctrl-C: finished rows are kept."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except (ValueError, OSError):  # not the main thread, or a platform without SIGTERM
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command(
    epilog=(
        "Example: sponsorcheck batch tour.csv --output report.csv\n\n"
        "The input is CSV/TSV (delimiter and encoding detected) or .xlsx with a header row; the URL column is "
        "found by name (url, link, website, event url...) or given with --url-column. The report format follows "
        "the output extension: .csv, .json (the same document as check --format json), .md, .xlsx. "
        "Finished rows are journaled beside the output (OUTPUT.journal.jsonl): after Ctrl-C, run the same "
        "command with --resume.\n\n" + BATCH_EXIT_HELP
    )
)
def batch(
    input_file: Annotated[Path, typer.Argument(metavar="INPUT", help="Tour spreadsheet: .csv, .tsv or .xlsx.")],
    output: Annotated[
        Optional[Path],  # noqa: UP045 — typer needs Optional on Python 3.10
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Report file: .csv, .json, .md or .xlsx (default: a table on stdout).",
        ),
    ] = None,
    url_column: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--url-column", metavar="NAME", help="Name of the column holding the URLs."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=128, metavar="N", help="Pages fetched at once.")
    ] = DEFAULT_WORKERS,
    per_host: Annotated[
        int, typer.Option("--per-host", min=1, max=16, metavar="N", help="Requests at once to one host.")
    ] = DEFAULT_PER_HOST,
    delay: Annotated[
        float,
        typer.Option(
            "--delay",
            min=0,
            metavar="SECONDS",
            help="Minimum seconds between the starts of two requests to one host (polite, and free in wall time when "
            "a tour spans many sites: workers serve other hosts meanwhile).",
        ),
    ] = DEFAULT_HOST_DELAY,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            metavar="N",
            min=0,
            max=64,
            help="Parse and match in this many worker processes (0: in this process). Pays off only with "
            "free CPU cores.",
        ),
    ] = 0,
    ignore_robots: Annotated[
        bool, typer.Option("--ignore-robots", help="Fetch pages robots.txt disallows (pages you may read).")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip the rows already finished by an interrupted run (needs --output).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    watchlist: WatchlistOpt = None,
    timeout: TimeoutOpt = 30.0,
    follow: FollowOpt = 3,
    no_follow: NoFollowOpt = False,
    min_score: MinScoreOpt = DEFAULT_MIN_SCORE,
    allow: AllowOpt = None,
    no_cache: NoCacheOpt = False,
    max_age: MaxAgeOpt = DEFAULT_MAX_AGE,
    offline: OfflineOpt = False,
    cache_path: CachePathOpt = None,
    render: RenderOpt = None,
    render_pool: Annotated[
        int,
        typer.Option(
            "--render-pool",
            min=1,
            max=16,
            metavar="N",
            help="Browser contexts in the pool, up to 3 pages loading in each.",
        ),
    ] = DEFAULT_CONTEXTS,
    evidence: EvidenceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check every event in a tour spreadsheet and write one report."""

    def run() -> None:
        if output is not None:
            # Before any work: a report must never replace the tour it is made from, nor be unsavable.
            refuse_overwriting_input(output, [input_file])
            check_writable(output)
        elif resume:
            raise UsageError("--resume continues the report given with --output; give the same --output again")
        watchlists = load_watchlists(watchlist)
        allowlist = load_allow(allow, watchlists)
        matcher = matcher_for(watchlists, min_score)
        table = read_table(input_file, url_column)
        cache = open_cache(no_cache, offline, max_age, cache_path)
        fetcher = Fetcher(batch_session(workers, per_host), FetchPolicy(deadline=timeout), cache, offline)
        setup = render_setup(render, evidence, watchlists, render_pool)
        options = BatchOptions(
            workers=workers,
            per_host=per_host,
            delay=delay,
            robots=not ignore_robots,
            jobs=jobs,
            check=CheckOptions(
                follow=0 if no_follow else follow,
                min_score=min_score,
                allow=allowlist,
                render=setup.mode,
                renderer=setup.renderer,
                render_note=setup.note,
                evidence=setup.evidence,
            ),
        )
        journal = Journal(Journal.path_for(output)) if output is not None else None
        done: dict[int, Result] = {}
        if journal:
            # The journal records which tour and settings it is for: a resume must match, and a fresh
            # run never silently replaces another tour's unfinished run.
            digest = file_sha256(input_file)
            settings = run_settings(
                watchlists=watchlists,
                allowlists=allowlist.files,
                follow=options.check.follow,
                min_score=min_score,
                render=setup.mode.value,
                robots=options.robots,
                url_column=table.url_column,
            )
            try:
                if resume:
                    note = journal.check_resume(input_file, digest, settings)
                else:
                    note = journal.check_fresh(input_file, digest)
            except BaseException:
                setup.close()  # refused before any work: no browser left behind
                raise
            if note:
                console.note(note)
            done = journal.load(table) if resume else {}
            journal.open(fresh=not resume, header=Journal.header_for(input_file, digest, settings))
        tune_allocator()
        # Everything loaded so far (watchlist, matcher, input) lives for the whole run: keep the cyclic
        # garbage collector from re-scanning it on every collection (about 0.15 s per 1,000 rows, profiled).
        gc.collect()
        gc.freeze()
        err = stderr_console()
        show_progress = not quiet and sys.stderr.isatty()
        with contextlib.ExitStack() as stack:
            stack.callback(setup.close)  # the browser goes with the run, Ctrl-C included
            stack.enter_context(_terminate_as_interrupt())
            observer = (
                stack.enter_context(ProgressObserver(err, done.values(), len(table.rows))) if show_progress else None
            )
            outcome = run_batch(table, fetcher, matcher, options, journal, observer, done=done)
        if output is not None:
            write_report(output, outcome.results, table, watchlists, allowlist.files)
        else:
            print_batch_table(outcome.results, table, stdout_console())
        if journal:
            journal.close(remove=not outcome.interrupted)
        if debug:
            console.row_tracebacks(outcome.results)
        if not quiet:
            print_batch_summary(outcome, err, output=str(output) if output is not None else None, max_age=max_age)
        if outcome.interrupted:
            console.interrupted(len(outcome.results), outcome.total, output)
            raise typer.Exit(int(ExitStatus.INTERRUPTED))
        raise typer.Exit(int(exit_status_for(outcome.results)))

    guarded(debug, run)
