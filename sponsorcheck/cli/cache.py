"""`cache info` and `cache clear`: the page cache."""

from __future__ import annotations

import typer

from sponsorcheck.cache import DEFAULT_MAX_AGE, CacheError, PageCache, clear_file, default_cache_path
from sponsorcheck.cli.common import (
    CachePathOpt,
    DebugOpt,
    MaxAgeOpt,
    app,
    guarded,
)

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
