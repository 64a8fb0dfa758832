"""Words and cells every report format shares: verdict words and styles, evidence lines, summary columns."""

from __future__ import annotations

from sponsorcheck.models import Evidence, Level, Result, Verdict

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
CSV_COLUMNS = (
    "verdict",
    "entities",
    "matched_sponsors",
    "evidence",
    "error",
    "pages_read",
    "rendered",
    "evidence_folder",
)


def evidence_line(e: Evidence, width: int = 90) -> str:
    """One evidence item as a short readable line: kind, text (cut), where."""
    text = e.text if len(e.text) <= width else e.text[: width - 1] + "…"
    where = f" ({e.where})" if e.where else ""
    return f"{EVIDENCE_WORDS.get(e.kind, e.kind)}: {text}{where}"


def summary_fields(r: Result) -> dict[str, str]:
    """The report columns that batch CSV/Markdown add to each input row."""
    counted = [f for f in r.findings if f.level is not Level.ALLOWED]
    return {
        "verdict": r.verdict.value,
        "entities": "; ".join(dict.fromkeys(f.entity_name for f in counted)),
        "matched_sponsors": "; ".join(dict.fromkeys(f"{f.sponsor} ({f.level.value})" for f in counted)),
        "evidence": "; ".join(dict.fromkeys(evidence_line(f.evidence[0], 80) for f in counted if f.evidence)),
        "error": r.error.message if r.error else "",
        "pages_read": " ".join(r.pages_read),
        "rendered": "yes" if r.rendered else "",  # --render: read after loading it in a browser
        "evidence_folder": r.evidence or "",  # --evidence: where this row's record was saved
    }


# A cell starting with one of these is a formula to a spreadsheet; text read off a web page must not run
# when an agent opens the report (OWASP "CSV injection"). The user's own input columns are left as given.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """The value as text a spreadsheet will not evaluate: a leading formula character gets a quote."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value
