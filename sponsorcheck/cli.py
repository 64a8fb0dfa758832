"""Command-line interface: parses options, wires the stages, prints, and exits.

This is the only module that prints to the terminal or exits. Every SponsorcheckError becomes one
line on stderr and an exit code from `ExitStatus`; a traceback is shown only with --debug.
"""

from __future__ import annotations

import contextlib
import gc
import json
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from sponsorcheck import __version__
from sponsorcheck.allow import Allowlist, allowlist_paths, load_allowlists
from sponsorcheck.batch import (
    DEFAULT_HOST_DELAY,
    DEFAULT_PER_HOST,
    DEFAULT_WORKERS,
    BatchOptions,
    BatchOutcome,
    InputRow,
    Journal,
    Table,
    batch_session,
    check_writable,
    read_table,
    run_batch,
    tune_allocator,
    verdict_counts,
    write_report,
)
from sponsorcheck.cache import DEFAULT_MAX_AGE, CacheError, PageCache, clear_file, default_cache_path
from sponsorcheck.errors import ExitStatus, InputFileError, SponsorcheckError, UsageError
from sponsorcheck.fetch import Fetcher, FetchPolicy, is_url, make_session, validate_url
from sponsorcheck.match import DEFAULT_MIN_SCORE, Explanation, Matcher
from sponsorcheck.models import Result, Verdict
from sponsorcheck.pipeline import CheckOptions, check_names, check_target, matcher_for
from sponsorcheck.report import VERDICT_STYLE, VERDICT_WORDS, finding_dict, print_table, summary_fields, to_json
from sponsorcheck.watchlist import Watchlist, load_watchlist, load_watchlists

EXIT_CODES_HELP = (
    "Exit codes: 0 all clear; 1 a conflict; 2 usage or input error (bad arguments, unreadable watchlist); "
    "3 review or unknown (a person should look); 4 a target could not be fetched or read. "
    "With several targets: 1 if any conflict, else 4 if any error, else 3 if any review/unknown, else 0."
)

app = typer.Typer(
    name="sponsorcheck",
    help=(
        "Is this festival or venue sponsored by a company your pledge rules out?\n\n"
        "Checks an event page's sponsors against a watchlist (by default the No Music for ICE pledge: "
        "Amazon and its brands, Palantir, ICE, CBP, ORR) and answers conflict, review, clear or unknown, "
        "with the evidence a person can check.\n\n" + EXIT_CODES_HELP
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

T = TypeVar("T")


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


def _stdout() -> Console:
    return Console(file=sys.stdout, soft_wrap=False, highlight=False)


def _listing() -> Console:
    """stdout for listings (explain, watchlist show): long lines are not cut, a terminal wraps them."""
    return Console(file=sys.stdout, soft_wrap=True, highlight=False)


def _stderr() -> Console:
    return Console(file=sys.stderr, highlight=False)


def one_line(message: str, limit: int = 300) -> str:
    """The message on one line, shortened: a hostile input must not flood the terminal."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fail(message: str, status: ExitStatus = ExitStatus.USAGE) -> NoReturn:
    """Print one error line on stderr and exit."""
    print(f"sponsorcheck: error: {one_line(message)}", file=sys.stderr)
    raise typer.Exit(int(status))


def guarded(debug: bool, action: Callable[[], T]) -> T:
    """Run a command body; turn SponsorcheckError into one stderr line and its exit code."""
    try:
        return action()
    except SponsorcheckError as exc:
        if debug:
            traceback.print_exc()
        fail(exc.message, exc.exit_status)
    except KeyboardInterrupt:
        print("sponsorcheck: interrupted", file=sys.stderr)
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # a bug: still one line, the traceback with --debug
        if debug:
            traceback.print_exc()
        fail(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for details and report it)",
            ExitStatus.TARGET_ERROR,
        )


def exit_status_for(results: Sequence[Result]) -> ExitStatus:
    """1 if any conflict, else 4 if any error, else 3 if any review/unknown, else 0."""
    verdicts = {r.verdict for r in results}
    if Verdict.CONFLICT in verdicts:
        return ExitStatus.CONFLICT
    if Verdict.ERROR in verdicts:
        return ExitStatus.TARGET_ERROR
    if verdicts & {Verdict.REVIEW, Verdict.UNKNOWN}:
        return ExitStatus.REVIEW
    return ExitStatus.CLEAR


def _version(value: bool) -> None:
    if value:
        print(f"sponsorcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Root options."""


WatchlistOpt = Annotated[
    Optional[list[Path]],  # noqa: UP045 — typer needs Optional on Python 3.10
    typer.Option(
        "--watchlist", "-w", help="Watchlist YAML file (repeatable; replaces the default No Music for ICE list)."
    ),
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table (for people) or json (one document on stdout).")
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=1, help="Total seconds allowed per page.")]
FollowOpt = Annotated[int, typer.Option("--follow", min=0, help="Extra same-site sponsor pages to read.")]
NoFollowOpt = Annotated[bool, typer.Option("--no-follow", help="Read only the given page.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]
MinScoreOpt = Annotated[
    int, typer.Option("--min-score", min=0, max=100, help="Lowest fuzzy-match score (0–100) that is reported.")
]
AllowOpt = Annotated[
    Optional[list[Path]],  # noqa: UP045 — typer needs Optional on Python 3.10
    typer.Option(
        "--allow",
        help="Allowlist YAML (repeatable): findings it names are shown as allowed, not counted. "
        ".sponsorcheck-allow.yaml in the working directory is read too.",
    ),
]


def load_allow(paths: Sequence[Path] | None, watchlists: Sequence[Watchlist]) -> Allowlist:
    """Read the allowlists in force, print their warnings (expired entries) on stderr, check their entity ids."""
    allow, warnings = load_allowlists(allowlist_paths(paths, Path.cwd()), date.today())
    for warning in warnings:
        print(f"sponsorcheck: warning: {warning}", file=sys.stderr)
    allow.check_entities(watchlists)
    return allow


NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the page cache.")]
MaxAgeOpt = Annotated[
    float, typer.Option("--max-age", min=0, help="Seconds a cached page stays good (default 24 h).", show_default=False)
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Answer only from the page cache; fetch nothing (uncached pages: error).")
]
CachePathOpt = Annotated[
    Optional[Path],  # noqa: UP045 — typer needs Optional on Python 3.10
    typer.Option(
        "--cache-path",
        help="The cache file (default: pages.sqlite in the user cache directory, or $SPONSORCHECK_CACHE).",
        show_default=False,
    ),
]


def open_cache(no_cache: bool, offline: bool, max_age: float, path: Path | None) -> PageCache | None:
    """The page cache the options ask for (None with --no-cache); --offline needs a cache."""
    if no_cache:
        if offline:
            raise UsageError("--offline answers from the cache, so it cannot be combined with --no-cache")
        return None
    return PageCache(path or default_cache_path(), max_age)


def emit(results: Sequence[Result], watchlists: Sequence, fmt: OutputFormat) -> None:
    """Print results in the chosen format, one stderr line per target that failed, and exit with the status."""
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(results, watchlists))
    else:
        demand_texts = {f"{w.id}:{d.id}": d.text for w in watchlists for d in w.pledge.demands}
        print_table(results, _stdout(), demand_texts)
    # The report says it too, but a script or a person reading stderr must see each failure on one line.
    for result in results:
        if result.error is not None:
            print(f"sponsorcheck: error: {one_line(result.error.message)}", file=sys.stderr)
    raise typer.Exit(int(exit_status_for(results)))


@app.command(epilog="Example: sponsorcheck check https://festival.example/sponsors\n\n" + EXIT_CODES_HELP)
def check(
    targets: Annotated[
        list[str], typer.Argument(help="http(s) URL, saved HTML file, or - for HTML on stdin.", show_default=False)
    ],
    fmt: FormatOpt = OutputFormat.table,
    watchlist: WatchlistOpt = None,
    timeout: TimeoutOpt = 30.0,
    follow: FollowOpt = 3,
    no_follow: NoFollowOpt = False,
    min_score: MinScoreOpt = DEFAULT_MIN_SCORE,
    no_cache: NoCacheOpt = False,
    max_age: MaxAgeOpt = DEFAULT_MAX_AGE,
    offline: OfflineOpt = False,
    cache_path: CachePathOpt = None,
    allow: AllowOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check event pages (URLs or saved files) for sponsors on the watchlist."""

    def run() -> list[Result]:
        for t in targets:
            if is_url(t):
                validate_url(t)
        if targets.count("-") > 1:
            raise InputFileError("standard input (-) can be given only once")
        watchlists = load_watchlists(watchlist)
        allowlist = load_allow(allow, watchlists)
        matcher = matcher_for(watchlists, min_score)
        cache = open_cache(no_cache, offline, max_age, cache_path)
        fetcher = Fetcher(make_session(), FetchPolicy(deadline=timeout), cache, offline)
        options = CheckOptions(follow=0 if no_follow else follow, min_score=min_score, allow=allowlist)
        results = [check_target(t, fetcher, matcher, options, sys.stdin.buffer) for t in targets]
        emit(results, watchlists, fmt)
        return results

    guarded(debug, run)


# A sponsor list from an offer or a contract is dozens of names; these bound a hostile or mistaken input.
MAX_NAMES = 5_000
MAX_NAMES_BYTES = 5_000_000


def _read_names_text(file: str) -> str:
    """The text of a names file (or stdin for '-'), bounded in size; InputFileError if it cannot be read."""
    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_NAMES_BYTES + 1)
        else:
            path = Path(file)
            if path.is_dir():
                raise InputFileError(f"{file}: is a directory; give a text file with one name per line")
            with path.open("rb") as handle:
                data = handle.read(MAX_NAMES_BYTES + 1)
    except FileNotFoundError:
        raise InputFileError(f"{file}: no such file") from None
    except OSError as exc:
        raise InputFileError(f"{file}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_NAMES_BYTES:
        raise InputFileError(f"{file}: larger than {MAX_NAMES_BYTES // 1_000_000} MB; is it a list of names?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(f"{file}: not UTF-8 text; save it as UTF-8 text with one name per line") from None


def _read_names(names: Sequence[str], file: str | None) -> list[str]:
    items: list[str] = []
    raw = list(names)
    if file:
        raw.extend(_read_names_text(file).splitlines())
    for entry in raw:
        if entry == "-" and not file:
            raw.extend(_read_names_text("-").splitlines())
            continue
        items.extend(part.strip() for part in entry.split(",") if part.strip())
        if len(items) > MAX_NAMES:
            raise InputFileError(
                f"more than {MAX_NAMES:,} names; a sponsor list is shorter — split it into several runs"
            )
    return items


@app.command(epilog='Example: sponsorcheck names "Twitch" "Red Bull" "Whole Foods Market"\n\n' + EXIT_CODES_HELP)
def names(
    names: Annotated[
        list[str] | None, typer.Argument(help="Sponsor names (comma-separated or one per argument).")
    ] = None,
    file: Annotated[
        str | None, typer.Option("--file", help="File with one name per line or comma-separated; - for stdin.")
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    watchlist: WatchlistOpt = None,
    min_score: MinScoreOpt = DEFAULT_MIN_SCORE,
    allow: AllowOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Check a sponsor list given as text (from an offer e-mail or a contract)."""

    def run() -> None:
        items = _read_names(names or [], file)
        if not items:
            raise InputFileError("no names given: pass names as arguments or --file FILE")
        watchlists = load_watchlists(watchlist)
        allowlist = load_allow(allow, watchlists)
        result = check_names(items, matcher_for(watchlists, min_score), allow=allowlist)
        emit([result], watchlists, fmt)

    guarded(debug, run)


class _ProgressObserver:
    """Draws batch progress on stderr with rich: rows done, conflicts so far, errors."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[conflicts]} conflicts[/] · [magenta]{task.fields[errors]} errors[/]"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("batch", total=None, conflicts=0, errors=0)
        self.conflicts = 0
        self.errors = 0

    def __enter__(self) -> _ProgressObserver:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def started(self, total: int, already_done: int) -> None:
        self.progress.update(self.task, total=total, completed=already_done)

    def row_done(self, row: InputRow, result: Result) -> None:
        self.conflicts += result.verdict is Verdict.CONFLICT
        self.errors += result.verdict is Verdict.ERROR
        self.progress.update(self.task, advance=1, conflicts=self.conflicts, errors=self.errors)


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


def print_batch_table(results: Sequence[Result], table: Table, console: Console) -> None:
    """The batch report as a terminal table: row, the first other columns, URL, verdict, findings or error."""
    from rich.table import Table as RichTable

    others = [c for c in table.columns if c != table.url_column][:2]
    grid = RichTable(show_lines=False)
    for name in ["#", *others, table.url_column, "verdict", "watchlisted sponsors / error"]:
        grid.add_column(name, overflow="fold")
    for number, r in enumerate(results, 1):
        row = dict(r.row)
        fields = summary_fields(r)
        detail = fields["matched_sponsors"] or fields["error"] or ""
        grid.add_row(
            str(number),
            *(escape(row.get(c, "")) for c in others),
            escape(row.get(table.url_column, r.target)),
            f"[{VERDICT_STYLE[r.verdict]}]{r.verdict.value}[/]",
            escape(detail),
        )
    console.print(grid)


def print_batch_summary(outcome: BatchOutcome, console: Console) -> None:
    """Counts per verdict and the conflict rows with their sponsors."""
    counts = verdict_counts(outcome.results)
    done = len(outcome.results)
    head = f"{done} of {outcome.total} rows checked" if outcome.interrupted else f"{done} rows checked"
    console.print(head + ": " + ", ".join(f"{n} {v.value}" for v, n in counts.items() if n))
    for number, r in enumerate(outcome.results, 1):
        if r.verdict is Verdict.CONFLICT:
            sponsors = summary_fields(r)["matched_sponsors"]
            context = ", ".join(v for _, v in r.row if v and v != r.target)[:60]
            label = f"row {number}" + (f" ({context})" if context else "")
            console.print(f"  [red]conflict[/] {escape(label)} {escape(r.target)}: {escape(sponsors)}")


@app.command(
    epilog=(
        "Example: sponsorcheck batch tour.csv --output report.csv\n\n"
        "The input is CSV/TSV (delimiter and encoding detected) or .xlsx with a header row; the URL column is "
        "found by name (url, link, website, event url...) or given with --url-column. The report format follows "
        "the output extension: .csv, .json (the same document as check --format json), .md, .xlsx. "
        "Finished rows are journaled beside the output (OUTPUT.journal.jsonl): after Ctrl-C, run the same "
        "command with --resume.\n\n" + EXIT_CODES_HELP + " An interrupted run exits 130."
    )
)
def batch(
    input_file: Annotated[Path, typer.Argument(metavar="INPUT", help="Tour spreadsheet: .csv, .tsv or .xlsx.")],
    output: Annotated[
        Optional[Path],  # noqa: UP045 — typer needs Optional on Python 3.10
        typer.Option("--output", "-o", help="Report file: .csv, .json, .md or .xlsx (default: a table on stdout)."),
    ] = None,
    url_column: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--url-column", help="Name of the column holding the URLs."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=128, help="Pages fetched at once.")] = DEFAULT_WORKERS,
    per_host: Annotated[
        int, typer.Option("--per-host", min=1, max=16, help="Requests at once to one host.")
    ] = DEFAULT_PER_HOST,
    delay: Annotated[
        float,
        typer.Option(
            "--delay",
            min=0,
            help="Minimum seconds between the starts of two requests to one host (polite, and free in wall time when "
            "a tour spans many sites: workers serve other hosts meanwhile).",
        ),
    ] = DEFAULT_HOST_DELAY,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
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
    debug: DebugOpt = False,
) -> None:
    """Check every event in a tour spreadsheet and write one report."""

    def run() -> None:
        if output is not None:
            check_writable(output)  # before any work: a report that cannot be saved wastes the whole run
        elif resume:
            raise UsageError("--resume continues the report given with --output; give the same --output again")
        watchlists = load_watchlists(watchlist)
        allowlist = load_allow(allow, watchlists)
        matcher = matcher_for(watchlists, min_score)
        table = read_table(input_file, url_column)
        cache = open_cache(no_cache, offline, max_age, cache_path)
        fetcher = Fetcher(batch_session(workers, per_host), FetchPolicy(deadline=timeout), cache, offline)
        options = BatchOptions(
            workers=workers,
            per_host=per_host,
            delay=delay,
            robots=not ignore_robots,
            jobs=jobs,
            check=CheckOptions(follow=0 if no_follow else follow, min_score=min_score, allow=allowlist),
        )
        journal = Journal(Journal.path_for(output)) if output is not None else None
        done = journal.load(table) if journal and resume else {}
        if journal:
            journal.open(fresh=not resume)
        tune_allocator()
        # Everything loaded so far (watchlist, matcher, input) lives for the whole run: keep the cyclic
        # garbage collector from re-scanning it on every collection (about 0.15 s per 1,000 rows, profiled).
        gc.collect()
        gc.freeze()
        err = _stderr()
        show_progress = not quiet and sys.stderr.isatty()
        with contextlib.ExitStack() as stack:
            stack.enter_context(_terminate_as_interrupt())
            observer = stack.enter_context(_ProgressObserver(err)) if show_progress else None
            outcome = run_batch(table, fetcher, matcher, options, journal, observer, done=done)
        if output is not None:
            write_report(output, outcome.results, table, watchlists)
        else:
            print_batch_table(outcome.results, table, _stdout())
        if journal:
            journal.close(remove=not outcome.interrupted)
        if not quiet:
            print_batch_summary(outcome, err)
        if outcome.interrupted:
            where = f" in {output}" if output is not None else ""
            hint = " run the same command with --resume to finish" if output is not None else ""
            print(
                f"sponsorcheck: interrupted: {len(outcome.results)} of {outcome.total} rows written{where};{hint}",
                file=sys.stderr,
            )
            raise typer.Exit(130)
        raise typer.Exit(int(exit_status_for(outcome.results)))

    guarded(debug, run)


OUTCOME_MARKS = {
    "match": "[red]✓ match[/]",
    "needs-corroboration": "[yellow]? needs corroboration[/]",
    "excluded": "[green]✗ excluded[/]",
    "look-alike": "[green]✗ look-alike[/]",
    "below-threshold": "[dim]✗ below threshold[/]",
}


def explain_document(exp: Explanation, result: Result, matcher: Matcher) -> dict:
    """The JSON form of `explain` (fields may be added, never renamed)."""
    chains = []
    for f in result.findings:
        chains.append(
            {
                "pledge": f.pledge,
                "entity": f.entity,
                "entity_name": f.entity_name,
                "brand": f.brand,
                "chain": f.chain,
                "source": exp.sources.get(f"{f.pledge}:{f.entity}/{f.brand or ''}", ""),
                "entity_source": exp.sources.get(f"{f.pledge}:{f.entity}/", ""),
            }
        )
    return {
        "sponsorcheck": __version__,
        "name": exp.name,
        "normalized": exp.normalized,
        "verdict": result.verdict.value,
        "min_score": matcher.min_score,
        "considered": [
            {
                "pledge": c.pledge,
                "entity": c.entity,
                "brand": c.brand,
                "alias": c.alias,
                "method": c.method,
                "score": c.score,
                "outcome": c.outcome,
                "reason": c.reason,
            }
            for c in exp.considered
        ],
        "chains": chains,
        "findings": [finding_dict(f) for f in result.findings],
        "nearest_aliases": [{"alias": a, "similarity": s} for a, s in exp.nearest],
    }


def print_explanation(doc: dict, console: Console) -> None:
    """Readable form of `explain`: normal form, aliases weighed, chain with source, verdict and why."""
    console.print(f"[bold]{escape(doc['name'])}[/]")
    console.print(f"  normalised: {escape(doc['normalized'] or '(nothing left)')}")
    if doc["considered"]:
        console.print("  aliases weighed:")
        for c in doc["considered"]:
            who = c["entity"] + (f"/{c['brand']}" if c["brand"] else "")
            console.print(
                f"    {OUTCOME_MARKS.get(c['outcome'], c['outcome'])}  {escape(who)}  {escape(repr(c['alias']))}"
                f"  {c['method']} score {c['score']} — {escape(c['reason'])}"
            )
    else:
        console.print("  aliases weighed: none (no alias, weak alias or domain shares a word with this name)")
    for ch in doc["chains"]:
        console.print(f"  chain: {escape(ch['chain'])}" + (f" → {escape(ch['entity_name'])}" if ch["brand"] else ""))
        if ch["source"]:
            console.print(f"    source: {escape(ch['source'])}")
        if ch["brand"] and ch["entity_source"] and ch["entity_source"] != ch["source"]:
            console.print(f"    source ({escape(ch['entity'])}): {escape(ch['entity_source'])}")
    verdict = Verdict(doc["verdict"])
    console.print(f"  as a listed sponsor: [{VERDICT_STYLE[verdict]}]{VERDICT_WORDS[verdict]}[/]")
    for f in doc["findings"]:
        console.print(f"    [dim]why:[/] {escape(f['why'])}")
    if not doc["findings"]:
        console.print("    [dim]why:[/] no watchlisted entity matched, so it is not a conflict")
    if doc["nearest_aliases"] and not doc["findings"]:
        near = ", ".join(f"{a['alias']} ({a['similarity']})" for a in doc["nearest_aliases"])
        console.print(f"  [dim]nearest aliases by plain similarity (not matches):[/] {escape(near)}")


@app.command(
    epilog='Example: sponsorcheck explain "Amazon Web Service"\n\n'
    "Exit codes: 0 explained; 2 usage error or unreadable watchlist."
)
def explain(
    name: Annotated[str, typer.Argument(help="A sponsor name as written on a page, or a domain.")],
    fmt: FormatOpt = OutputFormat.table,
    watchlist: WatchlistOpt = None,
    min_score: MinScoreOpt = DEFAULT_MIN_SCORE,
    debug: DebugOpt = False,
) -> None:
    """Show how one name is matched: normal form, aliases and scores, the chain to the entity, and why."""

    def run() -> None:
        watchlists = load_watchlists(watchlist)
        matcher = matcher_for(watchlists, min_score)
        doc = explain_document(matcher.explain(name), check_names([name], matcher), matcher)
        if fmt is OutputFormat.json:
            sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        else:
            print_explanation(doc, _listing())

    guarded(debug, run)


watchlist_app = typer.Typer(
    help="Show or validate watchlists (one file = one pledge).",
    epilog="Example: sponsorcheck watchlist validate my-pledge.yaml",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(watchlist_app, name="watchlist")


def print_watchlist(wl: Watchlist, console: Console) -> None:
    """A readable listing: pledge and demands, then entities with aliases, domains, brands and sources."""
    p = wl.pledge
    console.print(
        f"[bold]{escape(wl.name)}[/]  (id {escape(wl.id)}{', version ' + escape(wl.version) if wl.version else ''})"
    )
    if wl.path:
        console.print(f"  file: {escape(wl.path)}")
    console.print(f"  pledge: {escape(p.name)}" + (f" — {escape(p.organiser)}" if p.organiser else ""))
    for label, value in (("date", p.date), ("url", p.url), ("summary", p.summary)):
        if value:
            console.print(f"    {label}: {escape(str(value).strip())}")
    if p.demands:
        console.print("  demands:")
        for d in p.demands:
            console.print(f"    {escape(d.id)}: {escape(d.text.strip())}")
    for e in wl.entities:
        console.print()
        console.print(f"  [bold]{escape(e.name)}[/]  (id {escape(e.id)})")
        console.print(f"    reason: {escape(' '.join(e.reason.split()))}")
        for label, items in (
            ("demands", e.demands),
            ("aliases", e.aliases),
            ("weak aliases (need corroboration)", e.weak_aliases),
            ("domains", e.domains),
            ("brand TLDs", tuple(f".{t}" for t in e.tlds)),
        ):
            if items:
                console.print(f"    {label}: {escape(', '.join(items))}")
        for src in e.sources:
            console.print(f"    source: {escape(src.url)}" + (f" (verified {src.verified})" if src.verified else ""))
        if e.brands:
            console.print(f"    brands ({len(e.brands)}):")
        for b in e.brands:
            since = f", since {b.since}" if b.since else ""
            console.print(f"      {escape(b.name)}  [dim]{escape(b.kind)}{since}[/]")
            if b.relation:
                console.print(f"        {escape(b.relation)}")
            names = [*b.aliases, *(f"{w} (weak)" for w in b.weak_aliases)]
            if names:
                console.print(f"        aliases: {escape(', '.join(names))}")
            if b.domains:
                console.print(f"        domains: {escape(', '.join(b.domains))}")
            for src in b.sources[:2]:
                console.print(f"        source: {escape(src.url)}")


@watchlist_app.command(
    "show",
    epilog="Example: sponsorcheck watchlist show --format json > watchlist.json\n\nExit codes: 0 shown; 2 invalid.",
)
def watchlist_show(
    watchlist: WatchlistOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    debug: DebugOpt = False,
) -> None:
    """List the pledge, its demands, the entities, their brands and sources (the default list unless -w is given)."""

    def run() -> None:
        watchlists = load_watchlists(watchlist)
        if fmt is OutputFormat.json:
            docs = [w.model_dump(mode="json", by_alias=True) for w in watchlists]
            sys.stdout.write(
                json.dumps({"sponsorcheck": __version__, "watchlists": docs}, ensure_ascii=False, indent=2) + "\n"
            )
            return
        console = _listing()
        for i, wl in enumerate(watchlists):
            if i:
                console.print()
            print_watchlist(wl, console)

    guarded(debug, run)


cache_app = typer.Typer(help="Look after the page cache (check and batch keep fetched pages for --max-age).")
app.add_typer(cache_app, name="cache")


@cache_app.command("clear", epilog="Example: sponsorcheck cache clear")
def cache_clear(cache_path: CachePathOpt = None, debug: DebugOpt = False) -> None:
    """Delete every cached page."""

    def run() -> None:
        path = cache_path or default_cache_path()
        if not path.exists():
            print(f"no cache at {path}")
            return
        try:
            count = PageCache(path).clear()
        except CacheError:
            clear_file(path)  # too damaged to open: the file itself goes
            count = 0
        print(f"cleared {count} cached pages from {path}")

    guarded(debug, run)


@cache_app.command("info", epilog="Example: sponsorcheck cache info")
def cache_info(cache_path: CachePathOpt = None, max_age: MaxAgeOpt = DEFAULT_MAX_AGE, debug: DebugOpt = False) -> None:
    """Where the cache is, how many pages it holds and how many are still fresh."""

    def run() -> None:
        path = cache_path or default_cache_path()
        if not path.exists():
            print(f"cache: {path} (empty: nothing fetched yet)")
            return
        info = PageCache(path, max_age).info()
        print(f"cache: {info.path}")
        print(f"pages: {info.entries} ({info.fresh} younger than {max_age:g} s)")
        print(f"size:  {info.size_bytes / 1_000_000:.1f} MB")

    guarded(debug, run)


@watchlist_app.command(
    "validate",
    epilog="Example: sponsorcheck watchlist validate my-pledge.yaml\n\nExit codes: 0 valid; 2 invalid (one line, why).",
)
def watchlist_validate(
    path: Annotated[Path, typer.Argument(help="The watchlist YAML file to check.")],
    debug: DebugOpt = False,
) -> None:
    """Check a watchlist file: exit 0 if valid, 2 with one line naming the entry and the fault if not."""

    def run() -> None:
        wl = load_watchlist(path)
        Matcher([wl])  # compiles every pattern and alias exactly as a check would
        brands = sum(len(e.brands) for e in wl.entities)
        print(f"{path}: valid — pledge {wl.id!r} ({wl.name}), {len(wl.entities)} entities, {brands} brands")

    guarded(debug, run)


def main() -> None:
    """Console-script entry point."""
    app()
