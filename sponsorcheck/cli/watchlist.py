"""`watchlist show` and `watchlist validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sponsorcheck.cli.common import (
    DebugOpt,
    FormatOpt,
    OutputFormat,
    WatchlistOpt,
    app,
    guarded,
    listing_exit_help,
)
from sponsorcheck.cli.help import Typer
from sponsorcheck.match import Matcher
from sponsorcheck.report import console
from sponsorcheck.report.console import listing_console
from sponsorcheck.report.watchlist import print_watchlists, watchlists_document
from sponsorcheck.watchlist import load_watchlist, load_watchlists

watchlist_app = Typer(
    help="Show or validate watchlists (one file = one pledge).",
    epilog="Example: sponsorcheck watchlist validate my-pledge.yaml",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(watchlist_app, name="watchlist")


@watchlist_app.command(
    "show",
    epilog="Example: sponsorcheck watchlist show --format json > watchlist.json\n\n" + listing_exit_help("shown"),
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
            console.write_document(watchlists_document(watchlists))
        else:
            print_watchlists(watchlists, listing_console())

    guarded(debug, run)


@watchlist_app.command(
    "validate",
    epilog="Example: sponsorcheck watchlist validate my-pledge.yaml\n\n"
    + listing_exit_help("valid").replace("2 usage or input error", "2 invalid (one line: the entry and the fault)"),
)
def watchlist_validate(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The watchlist YAML file to check.")],
    debug: DebugOpt = False,
) -> None:
    """Check a watchlist file: exit 0 if valid, 2 with one line naming the entry and the fault if not."""

    def run() -> None:
        wl = load_watchlist(path)
        Matcher([wl])  # compiles every pattern and alias exactly as a check would
        console.watchlist_valid(path, wl)

    guarded(debug, run)
