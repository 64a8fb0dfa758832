"""`check` (event pages) and `names` (a sponsor list given as text)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from sponsorcheck.address import target_address
from sponsorcheck.cache import DEFAULT_MAX_AGE
from sponsorcheck.cli.common import (
    EXIT_CODES_HELP,
    NAMES_EXIT_HELP,
    AllowOpt,
    CachePathOpt,
    DebugOpt,
    EvidenceOpt,
    FollowOpt,
    FormatOpt,
    MaxAgeOpt,
    MinScoreOpt,
    NoCacheOpt,
    NoFollowOpt,
    OfflineOpt,
    OutputFormat,
    RenderOpt,
    TimeoutOpt,
    VerboseOpt,
    WatchlistOpt,
    app,
    emit,
    guarded,
    load_allow,
    open_cache,
    render_setup,
)
from sponsorcheck.errors import InputFileError
from sponsorcheck.fetch import Fetcher, FetchPolicy, make_session
from sponsorcheck.match import DEFAULT_MIN_SCORE
from sponsorcheck.models import Result
from sponsorcheck.normalize import split_names
from sponsorcheck.pipeline import CheckOptions, check_names, check_target, matcher_for
from sponsorcheck.report import console
from sponsorcheck.watchlist import load_watchlists


@app.command(epilog="Example: sponsorcheck check https://festival.example/sponsors\n\n" + EXIT_CODES_HELP)
def check(
    targets: Annotated[
        list[str],
        typer.Argument(
            metavar="TARGET", help="http(s) URL, saved HTML file, or - for HTML on stdin.", show_default=False
        ),
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
    render: RenderOpt = None,
    evidence: EvidenceOpt = None,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check event pages (URLs or saved files) for sponsors on the watchlist."""

    def run() -> list[Result]:
        addresses = [target_address(t) for t in targets]  # scheme-less and <pasted> URLs, as batch reads them
        for address in addresses:
            if address.note:
                console.note(address.note)
        if targets.count("-") > 1:
            raise InputFileError("standard input (-) can be given only once")
        watchlists = load_watchlists(watchlist)
        allowlist = load_allow(allow, watchlists)
        matcher = matcher_for(watchlists, min_score)
        cache = open_cache(no_cache, offline, max_age, cache_path)
        fetcher = Fetcher(make_session(), FetchPolicy(deadline=timeout), cache, offline, revalidate=True)
        setup = render_setup(render, evidence, watchlists)
        try:
            options = CheckOptions(
                follow=0 if no_follow else follow,
                min_score=min_score,
                allow=allowlist,
                render=setup.mode,
                renderer=setup.renderer,
                render_note=setup.note,
                evidence=setup.evidence,
            )
            results = [
                replace(check_target(a.url, fetcher, matcher, options, sys.stdin.buffer), notes=a.notes)
                for a in addresses
            ]
        finally:
            setup.close()  # the browser is gone before anything is printed, and on Ctrl-C
        emit(results, watchlists, fmt, allowlist, debug=debug, verbose=verbose)
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
        items.extend(split_names(entry))  # "Amazon.com, Inc." and "Ring, an Amazon company" stay whole
        if len(items) > MAX_NAMES:
            raise InputFileError(
                f"more than {MAX_NAMES:,} names; a sponsor list is shorter — split it into several runs"
            )
    return items


@app.command(epilog='Example: sponsorcheck names "Twitch" "Red Bull" "Whole Foods Market"\n\n' + NAMES_EXIT_HELP)
def names(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="NAME",
            help="Sponsor names, one per argument or comma-separated; a comma before a legal form or an "
            'apposition stays in the name ("Amazon.com, Inc.", "Ring, an Amazon company").',
        ),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option("--file", metavar="FILE", help="File with one name per line or comma-separated; - for stdin."),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    watchlist: WatchlistOpt = None,
    min_score: MinScoreOpt = DEFAULT_MIN_SCORE,
    allow: AllowOpt = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            metavar="YEAR",
            min=1900,
            max=2100,
            help="Year the list is from: brands Amazon bought later or sold before then do not count.",
        ),
    ] = None,
    verbose: VerboseOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check a sponsor list given as text (from an offer e-mail or a contract)."""

    def run() -> None:
        items = _read_names(names or [], file)
        if not items:
            raise InputFileError("no names given: pass names as arguments or --file FILE")
        watchlists = load_watchlists(watchlist)
        allowlist = load_allow(allow, watchlists)
        result = check_names(items, matcher_for(watchlists, min_score), allow=allowlist, year=year)
        emit([result], watchlists, fmt, allowlist, debug=debug, verbose=verbose)

    guarded(debug, run)
