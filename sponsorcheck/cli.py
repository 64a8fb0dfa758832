"""Command-line interface: parses options, wires the stages, prints, and exits.

This is the only module that prints to the terminal or exits. Every SponsorcheckError becomes one
line on stderr and an exit code from `ExitStatus`; a traceback is shown only with --debug.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional, TypeVar

import typer
from rich.console import Console

from sponsorcheck import __version__
from sponsorcheck.errors import ExitStatus, InputFileError, SponsorcheckError
from sponsorcheck.fetch import Fetcher, FetchPolicy, is_url, make_session, validate_url
from sponsorcheck.match import DEFAULT_MIN_SCORE
from sponsorcheck.models import Result, Verdict
from sponsorcheck.pipeline import CheckOptions, check_names, check_target, matcher_for
from sponsorcheck.report import print_table, to_json
from sponsorcheck.watchlist import load_watchlists

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
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]
MinScoreOpt = Annotated[
    int, typer.Option("--min-score", min=0, max=100, help="Lowest fuzzy-match score (0–100) that is reported.")
]


def emit(results: Sequence[Result], watchlists: Sequence, fmt: OutputFormat) -> None:
    """Print results in the chosen format, one stderr line per target that failed, and exit with the status."""
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(results, watchlists))
    else:
        print_table(results, _stdout())
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
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Total seconds allowed per page.")] = 30.0,
    follow: Annotated[int, typer.Option("--follow", min=0, help="Extra same-site sponsor pages to read.")] = 3,
    no_follow: Annotated[bool, typer.Option("--no-follow", help="Read only the given page.")] = False,
    min_score: MinScoreOpt = DEFAULT_MIN_SCORE,
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
        matcher = matcher_for(watchlists, min_score)
        fetcher = Fetcher(make_session(), FetchPolicy(deadline=timeout))
        options = CheckOptions(follow=0 if no_follow else follow, min_score=min_score)
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
    debug: DebugOpt = False,
) -> None:
    """Check a sponsor list given as text (from an offer e-mail or a contract)."""

    def run() -> None:
        items = _read_names(names or [], file)
        if not items:
            raise InputFileError("no names given: pass names as arguments or --file FILE")
        watchlists = load_watchlists(watchlist)
        result = check_names(items, matcher_for(watchlists, min_score))
        emit([result], watchlists, fmt)

    guarded(debug, run)


def main() -> None:
    """Console-script entry point."""
    app()
