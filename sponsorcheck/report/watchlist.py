"""`watchlist show`: a readable listing of a watchlist, or its JSON document."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from sponsorcheck import __version__
from sponsorcheck.watchlist import Watchlist


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


def watchlists_document(watchlists: Sequence[Watchlist]) -> str:
    """`watchlist show --format json`: every watchlist as loaded, one JSON document, newline-terminated."""
    docs = [w.model_dump(mode="json", by_alias=True) for w in watchlists]
    return json.dumps({"sponsorcheck": __version__, "watchlists": docs}, ensure_ascii=False, indent=2) + "\n"
