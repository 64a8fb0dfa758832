"""`explain` for people and scripts: how one name is matched, as a JSON document or readable lines."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from sponsorcheck import __version__
from sponsorcheck.match import Explanation, Matcher
from sponsorcheck.models import Result, Verdict
from sponsorcheck.report.common import VERDICT_STYLE, VERDICT_WORDS
from sponsorcheck.report.json import finding_dict

OUTCOME_MARKS = {
    "match": "[red]✓ match[/]",
    "needs-corroboration": "[yellow]? needs corroboration[/]",
    "excluded": "[green]✗ excluded[/]",
    "look-alike": "[green]✗ look-alike[/]",
    "below-threshold": "[dim]✗ below threshold[/]",
}


def explain_document(exp: Explanation, result: Result, matcher: Matcher) -> dict:
    """The JSON form of `explain` (fields may be added, never renamed)."""
    chains = []
    for f in result.findings:
        chains.append(
            {
                "pledge": f.pledge,
                "entity": f.entity,
                "entity_name": f.entity_name,
                "brand": f.brand,
                "chain": f.chain,
                "source": exp.sources.get(f"{f.pledge}:{f.entity}/{f.brand or ''}", ""),
                "entity_source": exp.sources.get(f"{f.pledge}:{f.entity}/", ""),
            }
        )
    return {
        "sponsorcheck": __version__,
        "name": exp.name,
        "normalized": exp.normalized,
        "verdict": result.verdict.value,
        "min_score": matcher.min_score,
        "considered": [
            {
                "pledge": c.pledge,
                "entity": c.entity,
                "brand": c.brand,
                "alias": c.alias,
                "method": c.method,
                "score": c.score,
                "outcome": c.outcome,
                "reason": c.reason,
            }
            for c in exp.considered
        ],
        "chains": chains,
        "findings": [finding_dict(f) for f in result.findings],
        "nearest_aliases": [{"alias": a, "similarity": s} for a, s in exp.nearest],
    }


def print_explanation(doc: dict, console: Console) -> None:
    """Readable form of `explain`: normal form, aliases weighed, chain with source, verdict and why."""
    console.print(f"[bold]{escape(doc['name'])}[/]")
    console.print(f"  normalised: {escape(doc['normalized'] or '(nothing left)')}")
    if doc["considered"]:
        console.print("  aliases weighed:")
        for c in doc["considered"]:
            who = c["entity"] + (f"/{c['brand']}" if c["brand"] else "")
            console.print(
                f"    {OUTCOME_MARKS.get(c['outcome'], c['outcome'])}  {escape(who)}  {escape(repr(c['alias']))}"
                f"  {c['method']} score {c['score']} — {escape(c['reason'])}"
            )
    else:
        console.print("  aliases weighed: none (no alias, weak alias or domain shares a word with this name)")
    for ch in doc["chains"]:
        console.print(f"  chain: {escape(ch['chain'])}" + (f" → {escape(ch['entity_name'])}" if ch["brand"] else ""))
        if ch["source"]:
            console.print(f"    source: {escape(ch['source'])}")
        if ch["brand"] and ch["entity_source"] and ch["entity_source"] != ch["source"]:
            console.print(f"    source ({escape(ch['entity'])}): {escape(ch['entity_source'])}")
    verdict = Verdict(doc["verdict"])
    console.print(f"  as a listed sponsor: [{VERDICT_STYLE[verdict]}]{VERDICT_WORDS[verdict]}[/]")
    for f in doc["findings"]:
        console.print(f"    [dim]why:[/] {escape(f['why'])}")
    if not doc["findings"]:
        console.print("    [dim]why:[/] no watchlisted entity matched, so it is not a conflict")
    if doc["nearest_aliases"] and not doc["findings"]:
        near = ", ".join(f"{a['alias']} ({a['similarity']})" for a in doc["nearest_aliases"])
        console.print(f"  [dim]nearest aliases by plain similarity (not matches):[/] {escape(near)}")
