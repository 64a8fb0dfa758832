"""What every command shares: the Typer app, option types, error handling, output and exit status.

The commands are the only code that exits; what they say is worded in `sponsorcheck.report.console`. Every
SponsorcheckError becomes one line on stderr and an exit code from `ExitStatus`; a traceback is shown only
with --debug.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional, TypeVar

import typer

from sponsorcheck import __version__
from sponsorcheck.allow import Allowlist, allowlist_paths, load_allowlists
from sponsorcheck.cache import PageCache, cache_off_by_env, resolve_cache_path
from sponsorcheck.cli.help import Typer
from sponsorcheck.errors import ExitStatus, SponsorcheckError, UsageError
from sponsorcheck.evidence import EvidenceStore
from sponsorcheck.models import Result, Verdict
from sponsorcheck.render import Renderer, RenderMode, browser_status, open_renderer
from sponsorcheck.report import console, to_json
from sponsorcheck.report.console import error_line, one_line, show_traceback, stdout_console
from sponsorcheck.report.table import print_check_table
from sponsorcheck.watchlist import Watchlist

# Each command's help lists the exit codes it can end with (the README has the whole table).
EXIT_COMMON = "70 an internal error (a bug: please report it); 130 interrupted (Ctrl-C); 141 stdout closed (| head)"
EXIT_CODES_HELP = (
    "Exit codes: 0 all clear; 1 a conflict; 2 usage or input error (bad arguments, unreadable watchlist or "
    "allowlist); 3 review or unknown (a person should look); 4 a target could not be fetched or read (also a "
    "saved file that does not exist); " + EXIT_COMMON + ". With several targets: 1 if any conflict, else 4 if any "
    "error, else 3 if any review/unknown, else 0."
)
NAMES_EXIT_HELP = (
    "Exit codes: 0 all clear; 1 a conflict; 2 usage or input error (no names, unreadable names file or "
    "watchlist); 3 review (a person should look); " + EXIT_COMMON + "."
)
BATCH_EXIT_HELP = (
    "Exit codes: 0 every row clear; 1 a conflict in any row; 2 usage or input error (bad arguments, unreadable "
    "tour, watchlist or allowlist, an output that cannot be written); 3 review or unknown rows (a person should "
    "look); 4 a row could not be fetched or read; " + EXIT_COMMON + ". 1 if any conflict, else 4 if any error, "
    "else 3 if any review/unknown, else 0. After Ctrl-C the finished rows are kept: run again with --resume."
)
ROOT_EXIT_HELP = (
    "Exit codes: 0 clear; 1 conflict; 2 usage or input error; 3 review or unknown; 4 a target could not be "
    "fetched or read; 70 internal error; 130 interrupted; 141 stdout closed. Each command's --help says which "
    "it uses."
)


def listing_exit_help(meaning: str) -> str:
    """Exit codes of a command that lists or validates (explain, watchlist, cache)."""
    return f"Exit codes: 0 {meaning}; 2 usage or input error; {EXIT_COMMON}."


app = Typer(
    name="sponsorcheck",
    help=(
        "Is this festival or venue sponsored by a company your pledge rules out?\n\n"
        "Checks an event page's sponsors against a watchlist (by default the No Music for ICE pledge: "
        "Amazon and its brands, Palantir, ICE, CBP, ORR) and answers conflict, review, clear or unknown, "
        "with the evidence a person can check.\n\n" + ROOT_EXIT_HELP
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


def fail(message: str, status: ExitStatus = ExitStatus.USAGE) -> NoReturn:
    """Print one error line on stderr and exit."""
    error_line(message)
    raise typer.Exit(int(status))


def _quiet_stdout() -> None:
    """After the reader of stdout went away: point stdout at /dev/null so Python's final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def guarded(debug: bool, action: Callable[[], T]) -> T:
    """Run a command body; turn SponsorcheckError into one stderr line and its exit code.

    Ctrl-C exits 130, a closed stdout 141 (quietly), a bug 70 with one line; --debug adds the traceback.
    """
    try:
        return action()
    except SponsorcheckError as exc:
        if debug:
            show_traceback(exc)
        fail(exc.message, exc.exit_status)
    except KeyboardInterrupt:
        console.interrupted()
        raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None
    except BrokenPipeError:
        _quiet_stdout()
        raise typer.Exit(int(ExitStatus.BROKEN_PIPE)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # a bug: still one line, the traceback with --debug
        if debug:
            show_traceback(exc)
        detail = one_line(str(exc), 120) or "no details"
        fail(
            f"internal error ({detail}); this is a bug in sponsorcheck: please report it with the output of --debug",
            ExitStatus.INTERNAL_ERROR,
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
        console.version_line(__version__)
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
        "--watchlist",
        "-w",
        metavar="FILE",
        help="Watchlist YAML file (repeatable; replaces the default No Music for ICE list).",
    ),
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table (for people) or json (one document on stdout).")
]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", min=1, metavar="SECONDS", help="Total seconds allowed per page.")
]
FollowOpt = Annotated[int, typer.Option("--follow", min=0, metavar="N", help="Extra same-site sponsor pages to read.")]
NoFollowOpt = Annotated[bool, typer.Option("--no-follow", help="Read only the given page.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback of every error reported.")]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Quote the pledge's demands each finding touches (table format).")
]
MinScoreOpt = Annotated[
    int, typer.Option("--min-score", min=0, max=100, metavar="SCORE", help="Lowest fuzzy-match score that is reported.")
]
AllowOpt = Annotated[
    Optional[list[Path]],  # noqa: UP045 — typer needs Optional on Python 3.10
    typer.Option(
        "--allow",
        metavar="FILE",
        help="Allowlist YAML (repeatable): findings it names are shown as allowed, not counted. "
        ".sponsorcheck-allow.yaml in the working directory is read too.",
    ),
]


def load_allow(paths: Sequence[Path] | None, watchlists: Sequence[Watchlist]) -> Allowlist:
    """Read the allowlists in force, name each on stderr (one read unasked from the working directory
    too), print their warnings (expired entries), check their entity ids."""
    files = allowlist_paths(paths, Path.cwd())
    given = {str(p) for p in paths or ()}
    allow, warnings = load_allowlists(files, date.today(), implicit=[p for p in files if str(p) not in given])
    allow.check_entities(watchlists)  # a faulty allowlist is one error line, nothing else
    console.allowlists_read(allow.files, warnings)
    return allow


NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the page cache.")]
MaxAgeOpt = Annotated[
    float,
    typer.Option(
        "--max-age",
        min=0,
        metavar="SECONDS",
        help="Seconds a cached page may be used without asking the site (batch), or at all with --offline "
        "(default 24 h). check always asks the site whether its cached copy changed.",
        show_default=False,
    ),
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Answer only from the page cache; fetch nothing (uncached pages: error).")
]
CachePathOpt = Annotated[
    Optional[Path],  # noqa: UP045 — typer needs Optional on Python 3.10
    typer.Option(
        "--cache-path",
        metavar="FILE",
        help="The cache file; .sqlite is added to a name without an extension (default: $SPONSORCHECK_CACHE, else "
        "pages.sqlite in the user cache directory). SPONSORCHECK_CACHE=off or SPONSORCHECK_NO_CACHE=1 turns the "
        "cache off.",
        show_default=False,
    ),
]


RenderOpt = Annotated[
    Optional[RenderMode],  # noqa: UP045 — typer needs Optional on Python 3.10
    typer.Option(
        "--render",
        help="Load pages in headless Chromium before reading them: auto (the default when a browser is installed) "
        "renders pages that list no sponsors without JavaScript; always; never. Needs "
        "pip install 'sponsorcheck[render]' and a Chromium (apt-get install chromium, or playwright install chromium).",
        show_default=False,
    ),
]
EvidenceOpt = Annotated[
    Optional[Path],  # noqa: UP045 — typer needs Optional on Python 3.10
    typer.Option(
        "--evidence",
        metavar="DIR",
        help="For every conflict or review, save what the page showed into DIR (one folder per page): the page "
        "as fetched with its sha256, the rendered DOM and a full-page screenshot when rendered, and record.json.",
        show_default=False,
    ),
]


@dataclass
class RenderSetup:
    """What --render and --evidence resolved to for one run; `close()` stops the browser (also on Ctrl-C)."""

    mode: RenderMode
    renderer: Renderer | None
    note: str
    evidence: EvidenceStore | None

    def close(self) -> None:
        if self.renderer is not None:
            self.renderer.close()


def render_setup(
    choice: RenderMode | None, evidence_dir: Path | None, watchlists: Sequence[Watchlist], contexts: int = 2
) -> RenderSetup:
    """Resolve --render (default auto) and --evidence; an explicit `--render auto` without a browser says so once."""
    mode = choice or RenderMode.AUTO
    evidence = EvidenceStore(evidence_dir, watchlists) if evidence_dir is not None else None
    renderer, note = open_renderer(mode, contexts)
    if choice is RenderMode.AUTO and renderer is None:
        console.render_auto_unavailable(browser_status().problem)
    return RenderSetup(mode, renderer, note, evidence)


def open_cache(no_cache: bool, offline: bool, max_age: float, path: Path | None) -> PageCache | None:
    """The page cache the options ask for (None with --no-cache or when the environment turns it off);
    --offline needs a cache. The file follows `resolve_cache_path`, the rule every command shares."""
    file = resolve_cache_path(path)
    if no_cache or file is None:
        if offline:
            why = "--no-cache" if no_cache else f"the cache turned off by {cache_off_by_env()}"
            raise UsageError(f"--offline answers from the cache, so it cannot be combined with {why}")
        return None
    return PageCache(file, max_age)


def emit(
    results: Sequence[Result],
    watchlists: Sequence[Watchlist],
    fmt: OutputFormat,
    allowlist: Allowlist | None = None,
    *,
    debug: bool = False,
    verbose: bool = False,
) -> None:
    """Print results in the chosen format and exit with the status. A failed target is said once, on stderr;
    the JSON document still carries it (a program reads stdout), the table does not repeat it."""
    console.target_errors(results, debug)  # first: what could not be checked, then the answers
    if fmt is OutputFormat.json:
        console.write_document(to_json(results, watchlists, allowlist.files if allowlist else ()))
    else:
        print_check_table(results, watchlists, stdout_console(), verbose=verbose)
    raise typer.Exit(int(exit_status_for(results)))
