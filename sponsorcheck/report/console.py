"""The terminal: the consoles the commands write to and every short line they say there.

Notes, warnings, errors, the allowlists read, the interrupted line and the `cache` and `watchlist validate`
answers are worded here, so the commands in cli/ only decide *what* happened and this module says it.
Lines for people go to stderr (notes, warnings, errors) or stdout (a command's own answer); each is one
line, never cut mid-word.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from sponsorcheck.allow import AllowlistFile
from sponsorcheck.cache import CacheInfo
from sponsorcheck.models import Result
from sponsorcheck.watchlist import Watchlist

PROGRAM = "sponsorcheck"
# An error line longer than this is cut (at a word): a hostile input must not flood the terminal.
MAX_ERROR_CHARS = 300


class PipeConsole(Console):
    """A Console whose closed reader (`| head`) is a BrokenPipeError for the command to end quietly with 141;
    rich's own handling would exit 1, which means "conflict"."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def stdout_console() -> Console:
    """stdout for tables: lines are not wrapped by rich."""
    return PipeConsole(file=sys.stdout, soft_wrap=False, highlight=False)


def listing_console() -> Console:
    """stdout for listings (explain, watchlist show): long lines are not cut, a terminal wraps them."""
    return PipeConsole(file=sys.stdout, soft_wrap=True, highlight=False)


def stderr_console() -> Console:
    """stderr for progress and the batch summary."""
    return Console(file=sys.stderr, highlight=False)


def one_line(message: str, limit: int = MAX_ERROR_CHARS) -> str:
    """The message on one line, shortened at a word boundary (never mid-word) with "…"."""
    text = " ".join(message.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # a very long "word" (a URL) is cut where it must be
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def say(line: str) -> None:
    """A command's own answer, one line on stdout."""
    print(line, flush=True)


def _stderr(kind: str, message: str) -> None:
    print(f"{PROGRAM}: {kind}{one_line(message)}", file=sys.stderr, flush=True)


def error_line(message: str) -> None:
    """One error line on stderr, the form every command uses."""
    _stderr("error: ", message)


def note(message: str) -> None:
    """One note on stderr: something the user should know that changes no answer (https:// added, …)."""
    _stderr("note: ", message)


def warning(message: str) -> None:
    """One warning on stderr (an allowlist entry that expired, …)."""
    _stderr("warning: ", message)


def interrupted(written: int | None = None, total: int = 0, output: Path | None = None) -> None:
    """The line after Ctrl-C; for a batch, how many rows were kept and how to finish."""
    if written is None:
        _stderr("", "interrupted")
        return
    where = f" in {output}" if output is not None else ""
    hint = " run the same command with --resume to finish" if output is not None else ""
    _stderr("", f"interrupted: {written} of {total} rows written{where};{hint}")


def show_traceback(exc: BaseException) -> None:
    """--debug: the traceback of an error being reported, with the exceptions behind it."""
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)


def write_document(text: str) -> None:
    """A machine-readable document (JSON) on stdout, flushed at once: a closed pipe shows while the command
    still handles it, not at exit."""
    sys.stdout.write(text)
    sys.stdout.flush()


def target_errors(results: Sequence[Result], debug: bool) -> None:
    """Each target that failed as one line on stderr (after its traceback with --debug)."""
    for result in results:
        if result.error is not None:
            if debug and result.error.exception is not None:
                show_traceback(result.error.exception)
            error_line(result.error.message)


def row_tracebacks(results: Sequence[Result]) -> None:
    """--debug in batch: the traceback of every row that failed (the report has its one-line reason)."""
    for result in results:
        if result.error is not None and result.error.exception is not None:
            show_traceback(result.error.exception)


def version_line(version: str) -> None:
    """`--version`."""
    say(f"{PROGRAM} {version}")


def allowlists_read(files: Sequence[AllowlistFile], warnings: Sequence[str]) -> None:
    """Every allowlist in force named on stderr (one read unasked from the working directory says so), then
    the warnings its reading gave."""
    for used in files:
        where = " (found in the working directory)" if used.implicit else ""
        count = f"{used.entries} entr{'y' if used.entries == 1 else 'ies'}"
        _stderr("", f"using allowlist {used.path}{where}: {count}")
    for text in warnings:
        warning(text)


def render_auto_unavailable(problem: str) -> None:
    """`--render auto` asked for explicitly, and no browser to render with."""
    note(f"--render auto: {one_line(problem)}; pages are read without rendering")


def cache_off(why: str | None) -> None:
    """`cache info`/`cache clear` while the environment turns the cache off."""
    say(f"the page cache is off ({why}); nothing to show or clear")


def cache_missing(path: Path, *, clearing: bool) -> None:
    """`cache info`/`cache clear` where no cache file exists yet."""
    say(f"no cache at {path}" if clearing else f"cache: {path} (empty: nothing fetched yet)")


def cache_cleared(path: Path, count: int, deleted: bool) -> None:
    """`cache clear`: how many pages went, or that a damaged cache file was deleted."""
    if deleted:
        say(f"deleted the damaged cache {path}")
    else:
        say(f"cleared {count} cached page{'' if count == 1 else 's'} from {path}")


def cache_info(info: CacheInfo, max_age: float) -> None:
    """`cache info`: where, how many pages (how many still fresh), how large."""
    say(f"cache: {info.path}")
    say(f"pages: {info.entries} ({info.fresh} younger than {max_age:g} s)")
    say(f"size:  {info.size_bytes / 1_000_000:.1f} MB")


def watchlist_valid(path: Path, wl: Watchlist) -> None:
    """`watchlist validate`: the file is valid, and what it holds."""
    brands = sum(len(e.brands) for e in wl.entities)
    say(f"{path}: valid — pledge {wl.id!r} ({wl.name}), {len(wl.entities)} entities, {brands} brands")
