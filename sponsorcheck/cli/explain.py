"""`explain`: how one name is matched."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from sponsorcheck.cli.common import (
    DebugOpt,
    FormatOpt,
    MinScoreOpt,
    OutputFormat,
    WatchlistOpt,
    app,
    guarded,
    listing_exit_help,
)
from sponsorcheck.errors import UsageError
from sponsorcheck.match import DEFAULT_MIN_SCORE
from sponsorcheck.pipeline import check_names, matcher_for
from sponsorcheck.report import console
from sponsorcheck.report.console import listing_console
from sponsorcheck.report.explain import explain_document, print_explanation
from sponsorcheck.watchlist import load_watchlists


@app.command(epilog='Example: sponsorcheck explain "Amazon Web Service"\n\n' + listing_exit_help("explained"))
def explain(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A sponsor name as written on a page, or a domain.")],
    fmt: FormatOpt = OutputFormat.table,
    watchlist: WatchlistOpt = None,
    min_score: MinScoreOpt = DEFAULT_MIN_SCORE,
    debug: DebugOpt = False,
) -> None:
    """Show how one name is matched: normal form, aliases and scores, the chain to the entity, and why."""

    def run() -> None:
        if not name.strip():
            raise UsageError('give the sponsor name or domain to explain, e.g. sponsorcheck explain "Whole Foods"')
        watchlists = load_watchlists(watchlist)
        matcher = matcher_for(watchlists, min_score)
        doc = explain_document(matcher.explain(name), check_names([name], matcher), matcher)
        if fmt is OutputFormat.json:
            console.write_document(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        else:
            print_explanation(doc, listing_console())

    guarded(debug, run)
