"""`watchlist show`: a readable listing of a watchlist, or its JSON document."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from sponsorcheck import __version__
from sponsorcheck.watchlist import Source, Watchlist


def print_watchlists(watchlists: Sequence[Watchlist], console: Console) -> None:
    """Every watchlist's listing, a blank line between two."""
    for i, wl in enumerate(watchlists):
        if i:
            console.print()
        print_watchlist(wl, console)


def print_watchlist(wl: Watchlist, console: Console) -> None:
    """A readable listing: pledge and demands, then entities with aliases, domains, brands and sources."""
    p = wl.pledge
    console.print(
        f"[bold]{escape(wl.name)}[/]  (id {escape(wl.id)}{', version ' + escape(wl.version) if wl.version else ''})"
    )
    if wl.path:
        console.print(f"  file: {escape(wl.path)}")
    console.print(f"  pledge: {escape(p.name)}" + (f" — {escape(p.organiser)}" if p.organiser else ""))
    for label, value in (
        ("published with", p.published_with),
        ("date", p.date),
        ("url", p.url),
        ("summary", " ".join(p.summary.split())),
        ("holds", p.holds_until),
        ("counts as a partnership", ", ".join(p.partnerships)),
    ):
        if value:
            console.print(f"    {label}: {escape(str(value).strip())}")
    for src in p.sources:
        console.print(f"    source: {escape(_source_line(src))}")
    if p.demands:
        console.print("  demands (quoted: the letter's words; otherwise a paraphrase):")
        for d in p.demands:
            text = f'"{d.text.strip()}"' if d.quoted else f"{d.text.strip()} (paraphrase)"
            console.print(f"    {escape(d.id)}: {escape(text)}")
            if d.editorial:
                console.print(f"      editorial note: {escape(d.editorial)}")
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
            console.print(f"    source: {escape(_source_line(src))}")
        if e.brands:
            console.print(f"    brands ({len(e.brands)}):")
        for b in e.brands:
            period = f", {b.period}" if b.period else ""
            console.print(f"      {escape(b.name)}  [dim]{escape(b.kind)}{escape(period)}[/]")
            if b.relation:
                console.print(f"        {escape(b.relation)}")
            names = [*b.aliases, *(f"{w} (weak)" for w in b.weak_aliases), *(f"{w} (former)" for w in b.former_names)]
            if names:
                console.print(f"        aliases: {escape(', '.join(names))}")
            if b.domains:
                console.print(f"        domains: {escape(', '.join(b.domains))}")
            for src in b.sources:
                console.print(f"        source: {escape(_source_line(src))}")


def _source_line(src: Source) -> str:
    """URL, the claim it supports, and when it was read ("read 2026-12-02, stored copy") or that it was not."""
    claim = f" — {src.claim}" if src.claim else ""
    # A date with `via` was read then (issue 13); a bare date is the first round's "verified" stamp, kept.
    when = (f"read {src.verified}, {src.via}" if src.via else f"verified {src.verified}") if src.verified else ""
    return f"{src.url}{claim} ({when or src.via or 'not read'})"


def watchlists_document(watchlists: Sequence[Watchlist]) -> str:
    """`watchlist show --format json`: every watchlist as loaded, one JSON document, newline-terminated."""
    docs = [w.model_dump(mode="json", by_alias=True) for w in watchlists]
    return json.dumps({"sponsorcheck": __version__, "watchlists": docs}, ensure_ascii=False, indent=2) + "\n"
