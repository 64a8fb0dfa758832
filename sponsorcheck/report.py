"""Reports: the JSON contract, the terminal table, CSV and Markdown.

`document()` builds the JSON document whose field names are a contract (see README, "JSON
output"): fields may be added, never renamed or repurposed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape

from sponsorcheck import __version__
from sponsorcheck.models import Candidate, ErrorInfo, Evidence, Finding, Level, Result, Role, Verdict
from sponsorcheck.watchlist import Watchlist

VERDICT_STYLE = {
    Verdict.CONFLICT: "bold red",
    Verdict.REVIEW: "bold yellow",
    Verdict.CLEAR: "bold green",
    Verdict.UNKNOWN: "bold blue",
    Verdict.ERROR: "bold magenta",
}
VERDICT_WORDS = {
    Verdict.CONFLICT: "CONFLICT — a watchlisted company sponsors or runs this event",
    Verdict.REVIEW: "REVIEW — a possible match; a person should look",
    Verdict.CLEAR: "CLEAR — sponsors found, none on the watchlist",
    Verdict.UNKNOWN: "UNKNOWN — no sponsor information found (this is not a clear)",
    Verdict.ERROR: "ERROR — the target could not be checked",
}
EVIDENCE_WORDS = {
    "img-alt": "image alt",
    "img-file": "logo file",
    "link": "link",
    "text": "text",
    "jsonld": "JSON-LD",
    "page-url": "page address",
    "title": "title",
    "aria-label": "aria-label",
    "svg-title": "SVG title",
    "css-bg": "CSS background",
    "data-attr": "data attribute",
}
CSV_COLUMNS = ("verdict", "entities", "matched_sponsors", "evidence", "error", "pages_read")


def evidence_dict(e: Evidence) -> dict[str, str]:
    return {"kind": e.kind, "text": e.text, "where": e.where}


def candidate_dict(c: Candidate) -> dict[str, Any]:
    return {
        "name": c.name,
        "evidence": [evidence_dict(e) for e in c.evidence],
        "role": c.role.value,
        "tier": c.tier,
        "in_sponsor_context": c.in_sponsor_context,
        "past": c.past,
        "note": c.note,
        "domains": list(c.domains),
        "page": c.page,
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "level": f.level.value,
        "entity": f.entity,
        "entity_name": f.entity_name,
        "sponsor": f.sponsor,
        "matched": f.matched,
        "method": f.method,
        "score": f.score,
        "why": f.why,
        "evidence": [evidence_dict(e) for e in f.evidence],
        "pledge": f.pledge,
        "brand": f.brand,
        "chain": f.chain,
        "demands": list(f.demands),
        "role": f.role.value,
        "allowed_reason": f.allowed_reason,
    }


def result_dict(r: Result) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "target": r.target,
        "url": r.url,
        "verdict": r.verdict.value,
        "sponsors": [candidate_dict(c) for c in r.sponsors],
        "findings": [finding_dict(f) for f in r.findings],
        "error": {"kind": r.error.kind, "message": r.error.message} if r.error else None,
        "mentions": [candidate_dict(c) for c in r.mentions],
        "pages_read": list(r.pages_read),
        "hints": list(r.hints),
    }
    if r.row:
        doc["row"] = dict(r.row)
    return doc


def _evidence_from(d: dict[str, Any]) -> Evidence:
    return Evidence(d["kind"], d["text"], d.get("where", ""))


def _candidate_from(d: dict[str, Any]) -> Candidate:
    return Candidate(
        name=d["name"],
        evidence=tuple(_evidence_from(e) for e in d.get("evidence", ())),
        domains=tuple(d.get("domains", ())),
        role=Role(d.get("role", Role.SPONSOR.value)),
        in_sponsor_context=bool(d.get("in_sponsor_context", False)),
        tier=d.get("tier"),
        past=bool(d.get("past", False)),
        note=d.get("note"),
        page=d.get("page", ""),
    )


def _finding_from(d: dict[str, Any]) -> Finding:
    return Finding(
        level=Level(d["level"]),
        pledge=d.get("pledge", ""),
        entity=d["entity"],
        entity_name=d["entity_name"],
        sponsor=d["sponsor"],
        matched=d["matched"],
        method=d["method"],
        score=int(d["score"]),
        why=d["why"],
        evidence=tuple(_evidence_from(e) for e in d.get("evidence", ())),
        chain=d.get("chain", ""),
        brand=d.get("brand"),
        demands=tuple(d.get("demands", ())),
        role=Role(d.get("role", Role.SPONSOR.value)),
        allowed_reason=d.get("allowed_reason"),
    )


def result_from_dict(d: dict[str, Any]) -> Result:
    """The Result that `result_dict` serialised (batch journals are read back with it); raises KeyError/ValueError."""
    error = d.get("error")
    return Result(
        target=d["target"],
        url=d["url"],
        verdict=Verdict(d["verdict"]),
        sponsors=tuple(_candidate_from(c) for c in d.get("sponsors", ())),
        findings=tuple(_finding_from(f) for f in d.get("findings", ())),
        mentions=tuple(_candidate_from(c) for c in d.get("mentions", ())),
        error=ErrorInfo(error["kind"], error["message"]) if error else None,
        pages_read=tuple(d.get("pages_read", ())),
        hints=tuple(d.get("hints", ())),
        row=tuple((str(k), str(v)) for k, v in (d.get("row") or {}).items()),
    )


def document(results: Sequence[Result], watchlists: Sequence[Watchlist]) -> dict[str, Any]:
    """The JSON document of `check`, `names` and `batch` (a contract: add fields, never rename)."""
    return {
        "sponsorcheck": __version__,
        "watchlists": [{"id": w.id, "name": w.name, "version": w.version, "path": w.path} for w in watchlists],
        "results": [result_dict(r) for r in results],
    }


def to_json(results: Sequence[Result], watchlists: Sequence[Watchlist]) -> str:
    """Exactly one JSON document, UTF-8 text, newline-terminated."""
    return json.dumps(document(results, watchlists), ensure_ascii=False, indent=2) + "\n"


def _evidence_line(e: Evidence, width: int = 90) -> str:
    text = e.text if len(e.text) <= width else e.text[: width - 1] + "…"
    where = f" ({e.where})" if e.where else ""
    return f"{EVIDENCE_WORDS.get(e.kind, e.kind)}: {text}{where}"


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


def print_table(results: Sequence[Result], console: Console, demand_texts: Mapping[str, str] | None = None) -> None:
    """Human-readable report on the given Console: verdict, sponsors, findings with the chain and evidence.

    `demand_texts` maps "pledge:demand-id" to the demand's words, so a musician reads the demand, not its id.
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
                console.print(f"      {escape(_evidence_line(e))}")
            console.print(f"      [dim]why:[/] {escape(f.why)}")
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
            names = ", ".join(f"{c.name} ({c.note})" if c.note else c.name for c in r.mentions[:10])
            console.print(f"  [dim]mentioned, not sponsorship:[/] {escape(names)}")
        if len(r.pages_read) > 1:
            console.print(f"  [dim]pages read:[/] {escape(', '.join(r.pages_read))}")
        for hint in r.hints:
            console.print(f"  [dim]hint:[/] {escape(hint)}")
    if any(r.findings for r in results):
        console.print(f"\n[dim]{LEGEND}[/]")


def summary_fields(r: Result) -> dict[str, str]:
    """The report columns that batch CSV/Markdown add to each input row."""
    counted = [f for f in r.findings if f.level is not Level.ALLOWED]
    return {
        "verdict": r.verdict.value,
        "entities": "; ".join(dict.fromkeys(f.entity_name for f in counted)),
        "matched_sponsors": "; ".join(dict.fromkeys(f"{f.sponsor} ({f.level.value})" for f in counted)),
        "evidence": "; ".join(dict.fromkeys(_evidence_line(f.evidence[0], 80) for f in counted if f.evidence)),
        "error": r.error.message if r.error else "",
        "pages_read": " ".join(r.pages_read),
    }


# A cell starting with one of these is a formula to a spreadsheet; text read off a web page must not run
# when an agent opens the report (OWASP "CSV injection"). The user's own input columns are left as given.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """The value as text a spreadsheet will not evaluate: a leading formula character gets a quote."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def to_csv(results: Sequence[Result], input_columns: Sequence[str]) -> str:
    """CSV text: the input columns unchanged, then verdict, entities, sponsors, evidence, error, pages read."""
    out = io.StringIO()
    extra = [c for c in CSV_COLUMNS if c not in input_columns]
    writer = csv.DictWriter(out, fieldnames=[*input_columns, *extra], extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in results:
        added = {k: spreadsheet_safe(v) for k, v in summary_fields(r).items()}
        writer.writerow({**dict(r.row), **added})
    return out.getvalue()


def to_markdown(results: Sequence[Result], input_columns: Sequence[str]) -> str:
    """A Markdown table to paste into an e-mail."""
    cols = [*input_columns, "verdict", "matched_sponsors", "error"]

    def cell(v: str) -> str:
        return v.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        row = {**dict(r.row), **summary_fields(r)}
        lines.append("| " + " | ".join(cell(row.get(c, "")) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def to_xlsx(results: Sequence[Result], input_columns: Sequence[str]) -> bytes:
    """An .xlsx workbook (needs openpyxl): the same columns as the CSV report, header row frozen."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "sponsorcheck"
    extra = [c for c in CSV_COLUMNS if c not in input_columns]
    columns = [*input_columns, *extra]
    sheet.append(columns)
    for r in results:
        row = {**dict(r.row), **summary_fields(r)}
        sheet.append([row.get(c, "") for c in columns])
        for cell in sheet[sheet.max_row]:
            # openpyxl stores a string starting with "=" as a formula; a page's text must stay text.
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
