"""The JSON report: `document()` builds the document whose field names are a contract (see README,
"JSON output"): fields may be added, never renamed or repurposed. Batch journals are read back with
`result_from_dict`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sponsorcheck import __version__
from sponsorcheck.allow import AllowlistFile
from sponsorcheck.models import Candidate, ErrorInfo, Evidence, Finding, Level, Result, Role, Verdict
from sponsorcheck.watchlist import Watchlist


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
        "context": c.context or None,  # section | grid | phrase | identity | outside (issue 9)
        "entity": c.entity,  # a mention's watchlisted entity, when it names one
        "entity_name": c.entity_name,
        "year": c.year,  # the year its page is dated, when the page says (bought/sold brands count by it)
        "dated": c.dated or None,  # where on the page that year was read
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
        "context": f.context or None,  # why it counts: section | grid | phrase | identity | outside (issue 9)
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
        # When the pages were downloaded and whether a cached copy answered (see README, "The page cache").
        "fetched_at": r.fetched_at,
        "from_cache": r.from_cache,
        "revalidated": r.revalidated,
        "rendered": bool(r.rendered),
        "rendered_pages": list(r.rendered),
        "evidence": r.evidence,
        "notes": list(r.notes),  # what was added to the address as written (e.g. its scheme)
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
        context=d.get("context") or "",
        entity=d.get("entity"),
        entity_name=d.get("entity_name"),
        year=d.get("year"),
        dated=d.get("dated") or "",
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
        context=d.get("context") or "",
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
        rendered=tuple(d.get("rendered_pages") or ()),
        evidence=d.get("evidence"),
        row=tuple((str(k), str(v)) for k, v in (d.get("row") or {}).items()),
        fetched_at=d.get("fetched_at"),
        from_cache=bool(d.get("from_cache", False)),
        revalidated=bool(d.get("revalidated", False)),
        notes=tuple(d.get("notes") or ()),
    )


def document(
    results: Sequence[Result], watchlists: Sequence[Watchlist], allowlists: Sequence[AllowlistFile] = ()
) -> dict[str, Any]:
    """The JSON document of `check`, `names` and `batch` (a contract: add fields, never rename).

    `allowlists` lists every allowlist file read, including one read without being asked for."""
    return {
        "sponsorcheck": __version__,
        "watchlists": [{"id": w.id, "name": w.name, "version": w.version, "path": w.path} for w in watchlists],
        "allowlists": [{"path": a.path, "entries": a.entries, "implicit": a.implicit} for a in allowlists],
        "results": [result_dict(r) for r in results],
    }


def to_json(
    results: Sequence[Result], watchlists: Sequence[Watchlist], allowlists: Sequence[AllowlistFile] = ()
) -> str:
    """Exactly one JSON document, UTF-8 text, newline-terminated."""
    return json.dumps(document(results, watchlists, allowlists), ensure_ascii=False, indent=2) + "\n"
