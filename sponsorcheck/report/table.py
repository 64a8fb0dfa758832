"""The terminal table of `check` and `names`: verdict, findings with chain and evidence, hints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from rich.console import Console
from rich.markup import escape

from sponsorcheck.models import Evidence, Finding, Level, Result, Verdict
from sponsorcheck.report.common import (
    VERDICT_STYLE,
    VERDICT_WORDS,
    cache_note,
    context_words,
    evidence_line,
    mention_label,
)
from sponsorcheck.watchlist import Watchlist

# One legend entry per mark; only the marks a report shows are explained under it.
MARKS = {
    Level.CONFLICT: ("[red]✗[/]", "✗ conflict"),
    Level.REVIEW: ("[yellow]?[/]", "? review: a person should look"),
    Level.ALLOWED: ("[green]✓[/]", "✓ allowed by your allowlist"),
}
LEGEND = "   ".join(words for _, words in MARKS.values())
# Evidence lines shown per finding (the JSON has them all).
MAX_EVIDENCE_LINES = 4
CLEAR_WITH_ALLOWED = "CLEAR — sponsors found; the watchlisted ones among them are allowed by your allowlist"


def headline(r: Result) -> str:
    """The verdict in words, agreeing with what is listed under it (an allowed finding is not "none")."""
    if r.verdict is Verdict.CLEAR and any(f.level is Level.ALLOWED for f in r.findings):
        return CLEAR_WITH_ALLOWED
    return VERDICT_WORDS[r.verdict]


def reason_line(f: Finding) -> str:
    """The finding's "why" without what the line above already says: the sponsor's name in front, the
    allowlist's reason at the end (shown on its own line)."""
    why = f.why
    prefix = f"{f.sponsor!r}: "
    if why.startswith(prefix):
        why = why[len(prefix) :]
    if f.allowed_reason:
        why = why.replace(f" Allowed by the allowlist: {f.allowed_reason}", "")
    if not f.brand:  # the entity itself: the line above names it already
        why = why.replace(f": {f.entity_name} — ", " — ", 1)
    return why[:1].upper() + why[1:]


def _reason_tells_chain(f: Finding) -> bool:
    """Whether the reason already says whose brand it is ("Twitch (live-streaming service owned by Amazon)")."""
    relation = f.chain.split(" — ", 1)[-1]
    return bool(relation) and relation in f.why


def unique_evidence(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Evidence with each signal once: the same link or file seen by two passes is one line."""
    seen: dict[tuple[str, str], Evidence] = {}
    for e in evidence:
        seen.setdefault((e.kind, e.text), e)
    return list(seen.values())


def print_table(
    results: Sequence[Result],
    console: Console,
    demand_texts: Mapping[str, str] | None = None,
    now: datetime | None = None,
    *,
    verbose: bool = False,
    pledges: int = 1,
) -> None:
    """Human-readable report on the given Console: verdict, findings with the chain, reason and evidence.

    Each thing is said once: a finding's reason leaves out the name and entity of the line above it; the
    pledge's demands a result touches are counted on one line, and listed with `verbose` (`demand_texts`
    maps "pledge:demand-id" to the demand's words). The pledge is named only when several are checked. A
    result answered from a cached copy says so, with the copy's age (measured from `now`). The legend
    explains only the marks shown.
    """
    demand_texts = demand_texts or {}
    shown_marks: set[Level] = set()
    for i, r in enumerate(results):
        if i:
            console.print()
        console.print(f"[bold]{escape(r.target)}[/bold]" + (f"  →  {escape(r.url)}" if r.url != r.target else ""))
        console.print(f"  [{VERDICT_STYLE[r.verdict]}]{headline(r)}[/]")
        if r.error:
            console.print(f"  {escape(r.error.message)}")
            continue
        for f in r.findings:
            shown_marks.add(f.level)
            pledge = f"  [dim]pledge: {escape(f.pledge)}[/]" if pledges > 1 else ""
            console.print(
                f"  {MARKS[f.level][0]} [bold]{escape(f.sponsor)}[/] → {escape(f.entity_name)}"
                + (f"  [dim]({escape(f.chain)})[/]" if f.brand and not _reason_tells_chain(f) else "")
                + pledge
            )
            where = context_words(f.context, f.why)  # the context in words, once; the JSON keeps the id
            console.print(f"      {escape(reason_line(f))}" + (f" ({escape(where)})" if where else ""))
            evidence = unique_evidence(f.evidence)
            for e in evidence[:MAX_EVIDENCE_LINES]:
                console.print(f"      [dim]{escape(evidence_line(e))}[/]")
            if len(evidence) > MAX_EVIDENCE_LINES:
                console.print(f"      [dim]and {len(evidence) - MAX_EVIDENCE_LINES} more (--format json lists all)[/]")
            if f.allowed_reason:
                console.print(f"      [dim]allowed:[/] {escape(f.allowed_reason)}")
        touched = dict.fromkeys(
            f"{f.pledge}:{d}" for f in r.findings if f.level is not Level.ALLOWED for d in f.demands
        )
        if touched and verbose:
            console.print("  [dim]pledge demands this touches:[/]")
            for key in touched:
                console.print(f"    - {escape(demand_texts.get(key, key.split(':', 1)[-1]))}")
        elif touched:
            count = f"{len(touched)} demand{'' if len(touched) == 1 else 's'}"
            console.print(f"  [dim]touches {count} of the pledge (--verbose quotes them)[/]")
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
    if shown_marks:
        legend = "   ".join(MARKS[level][1] for level in MARKS if level in shown_marks)
        console.print(f"\n[dim]{legend}[/]")


def print_check_table(
    results: Sequence[Result], watchlists: Sequence[Watchlist], console: Console, *, verbose: bool = False
) -> None:
    """`check`/`names` in table format: the answered results (a failed target was said on stderr once),
    the pledge's demands worded from the watchlists; flushed so a closed pipe shows while it is handled."""
    demand_texts = {f"{w.id}:{d.id}": d.display for w in watchlists for d in w.pledge.demands}
    shown = [r for r in results if r.error is None]
    print_table(shown, console, demand_texts, verbose=verbose, pledges=len(watchlists))
    console.file.flush()
