"""The terminal table of `check` and `names`: verdict, findings with chain and evidence, hints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from rich.console import Console
from rich.markup import escape

from sponsorcheck.models import Level, Result
from sponsorcheck.report.common import (
    VERDICT_STYLE,
    VERDICT_WORDS,
    cache_note,
    evidence_line,
    finding_reason,
    mention_label,
)

# How a match was made, in words for the table (the JSON keeps the method ids).
METHOD_LABELS = {
    "domain": "link domain",
    "tld": "brand top-level domain",
    "alias": "name",
    "weak-alias": "short name",
    "fuzzy": "similar spelling",
    "logo": "logo named",
}
LEGEND = "✗ conflict   ? review: a person should look   ✓ allowed by your allowlist"


def print_table(
    results: Sequence[Result],
    console: Console,
    demand_texts: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> None:
    """Human-readable report on the given Console: verdict, sponsors, findings with the chain and evidence.

    `demand_texts` maps "pledge:demand-id" to the demand's words, so a musician reads the demand, not its id.
    A result answered from a cached copy says so, with the copy's age (measured from `now`).
    """
    demand_texts = demand_texts or {}
    for i, r in enumerate(results):
        if i:
            console.print()
        console.print(f"[bold]{escape(r.target)}[/bold]" + (f"  →  {escape(r.url)}" if r.url != r.target else ""))
        console.print(f"  [{VERDICT_STYLE[r.verdict]}]{VERDICT_WORDS[r.verdict]}[/]")
        if r.error:
            console.print(f"  {escape(r.error.message)}")
            continue
        marks = {Level.CONFLICT: "[red]✗[/]", Level.REVIEW: "[yellow]?[/]", Level.ALLOWED: "[green]✓[/]"}
        for f in r.findings:
            method = METHOD_LABELS.get(f.method, f.method) + (f" (score {f.score})" if f.method == "fuzzy" else "")
            console.print(
                f"  {marks[f.level]} [bold]{escape(f.sponsor)}[/] → {escape(f.entity_name)}"
                + (f"  [dim]({escape(f.chain)})[/]" if f.brand else "")
            )
            console.print(f"      matched by {escape(method)}: {escape(f.matched)}  [dim]pledge: {escape(f.pledge)}[/]")
            for e in f.evidence[:4]:
                console.print(f"      {escape(evidence_line(e))}")
            console.print(f"      [dim]why:[/] {escape(finding_reason(f))}")
            if f.allowed_reason:
                console.print(f"      [dim]allowed:[/] {escape(f.allowed_reason)}")
        touched = dict.fromkeys(
            f"{f.pledge}:{d}" for f in r.findings if f.level is not Level.ALLOWED for d in f.demands
        )
        if touched:
            console.print("  [dim]pledge demands this touches:[/]")
            for key in touched:
                console.print(f"    - {escape(demand_texts.get(key, key.split(':', 1)[-1]))}")
        if r.sponsors:
            names = ", ".join(c.name for c in r.sponsors[:40]) + (" …" if len(r.sponsors) > 40 else "")
            console.print(f"  [dim]sponsors found ({len(r.sponsors)}):[/] {escape(names)}")
        if r.mentions:
            names = "; ".join(mention_label(c) for c in r.mentions[:10])  # a label holds commas
            console.print(f"  [dim]mentioned, not sponsorship:[/] {escape(names)}")
        if len(r.pages_read) > 1:
            console.print(f"  [dim]pages read:[/] {escape(', '.join(r.pages_read))}")
        if r.rendered:
            console.print(f"  [dim]rendered in a browser:[/] {escape(', '.join(r.rendered))}")
        if r.evidence:
            console.print(f"  [dim]evidence saved in:[/] {escape(r.evidence)}")
        for hint in r.hints:
            console.print(f"  [dim]hint:[/] {escape(hint)}")
        note = cache_note(r, now)
        if note:
            console.print(f"  [dim]page:[/] {escape(note)}")
    if any(r.findings for r in results):
        console.print(f"\n[dim]{LEGEND}[/]")
