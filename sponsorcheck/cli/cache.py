"""`cache info` and `cache clear`: the page cache."""

from __future__ import annotations

from pathlib import Path

from sponsorcheck.cache import DEFAULT_MAX_AGE, PageCache, cache_off_by_env, clear_cache, resolve_cache_path
from sponsorcheck.cli.common import (
    CachePathOpt,
    DebugOpt,
    MaxAgeOpt,
    app,
    guarded,
    listing_exit_help,
)
from sponsorcheck.cli.help import Typer
from sponsorcheck.report import console

cache_app = Typer(
    help="Look after the page cache (check and batch keep fetched pages for --max-age).",
    epilog="Example: sponsorcheck cache info",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(cache_app, name="cache")


def _cache_file(cache_path: Path | None) -> Path | None:
    """The cache file of this command (the rule check and batch use), or None after a line saying it is off."""
    path = resolve_cache_path(cache_path)
    if path is None:
        console.cache_off(cache_off_by_env())
    return path


@cache_app.command(
    "clear",
    epilog="Example: sponsorcheck cache clear\n\n"
    + listing_exit_help("cleared, or nothing to clear").replace("input error", "input error (not a cache file)"),
)
def cache_clear(cache_path: CachePathOpt = None, debug: DebugOpt = False) -> None:
    """Delete every cached page (only from a file that is a sponsorcheck cache; anything else is refused)."""

    def run() -> None:
        path = _cache_file(cache_path)
        if path is None:
            return
        if not path.exists():
            console.cache_missing(path, clearing=True)
            return
        count, deleted = clear_cache(path)
        console.cache_cleared(path, count, deleted)

    guarded(debug, run)


@cache_app.command("info", epilog="Example: sponsorcheck cache info\n\n" + listing_exit_help("shown"))
def cache_info(cache_path: CachePathOpt = None, max_age: MaxAgeOpt = DEFAULT_MAX_AGE, debug: DebugOpt = False) -> None:
    """Where the cache is, how many pages it holds and how many are still fresh."""

    def run() -> None:
        path = _cache_file(cache_path)
        if path is None:
            return
        if not path.exists():
            console.cache_missing(path, clearing=False)
            return
        cache = PageCache(path, max_age)
        try:
            info = cache.info()
        finally:
            cache.close()
        console.cache_info(info, max_age)

    guarded(debug, run)
