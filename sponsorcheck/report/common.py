"""Words and cells every report format shares: verdict words and styles, evidence lines, summary columns."""

from __future__ import annotations

from datetime import datetime, timezone

from sponsorcheck.models import (
    GRID,
    IDENTITY,
    OUTSIDE,
    PHRASE,
    SECTION,
    Candidate,
    Evidence,
    Finding,
    Level,
    Result,
    Verdict,
)

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
# Where a finding was read, in the words every report shows beside its reason (the JSON keeps the ids).
CONTEXT_WORDS = {
    SECTION: "in the sponsor section",
    GRID: "in a logo grid",
    PHRASE: "named with sponsor wording",
    IDENTITY: "the event's own site, organiser, venue or banner",
    OUTSIDE: "named outside any sponsor list",
}
# Words of a finding's reason that already say its context ("listed as a sponsor", "part of a logo grid"): the
# context in brackets after such a reason would say where twice, so it is left out there.
CONTEXT_SAID = {
    SECTION: ("listed as a sponsor", "in a sponsor list"),
    GRID: ("logo grid",),
    PHRASE: ("named as a sponsor",),
    OUTSIDE: ("outside any sponsor list",),
}
# What every report says of a mention: it was read and judged, and it does not count toward the verdict.
NOT_COUNTED = "not counted"
# The columns batch reports add to each input row; every row carries its "why" so an agent can act
# on it in a spreadsheet (columns may be added, never renamed).
CSV_COLUMNS = (
    "verdict",
    "entities",
    "matched_sponsors",
    "why",
    "evidence",
    "allowed",
    "mentions",
    "error",
    "pages_read",
    "fetched_at",
    "from_cache",
    "rendered",
    "evidence_folder",
    "address_note",
)
# Bounds on what one cell lists: a spreadsheet cell is read by a person.
MAX_CELL_MENTIONS = 10


def evidence_line(e: Evidence, width: int = 90) -> str:
    """One evidence item as a short readable line: kind, text (cut), where."""
    text = e.text if len(e.text) <= width else e.text[: width - 1] + "…"
    where = f" ({e.where})" if e.where else ""
    return f"{EVIDENCE_WORDS.get(e.kind, e.kind)}: {text}{where}"


def _same_name(a: str, b: str) -> bool:
    return a.casefold().strip() == b.casefold().strip()


def sponsor_with_entity(f: Finding) -> str:
    """ "Twitch → Amazon.com, Inc." — the sponsor as the page names it, and whose it is (once if the same)."""
    return f.sponsor if _same_name(f.sponsor, f.entity_name) else f"{f.sponsor} → {f.entity_name}"


def context_words(context: str | None, why: str = "") -> str:
    """A context id in words ("grid" → "in a logo grid"); "" when there is none or when the reason `why` already
    says it ("Part of a logo grid (…): …"); an unknown id as it is."""
    if not context or any(said in why.casefold() for said in CONTEXT_SAID.get(context, ())):
        return ""
    return CONTEXT_WORDS.get(context, context)


def finding_reason(f: Finding) -> str:
    """Why a finding counts, with the page context it was read in, in words, when extraction recorded one and
    the reason does not already say it."""
    words = context_words(getattr(f, "context", None), f.why)  # absent on old results
    return f"{f.why} ({words})" if words else f.why


def mention_label(c: Candidate) -> str:
    """A mention as "Amazon → Amazon.com, Inc.: shop or donation link, not counted": the name as the page writes
    it, whose it is when it names a watchlisted entity (the company's name, else its id), why it is not
    sponsorship, and that it is not counted."""
    entity = getattr(c, "entity_name", None) or getattr(c, "entity", None)
    who = c.name if not entity or _same_name(c.name, entity) else f"{c.name} → {entity}"
    return f"{who}: {c.note}, {NOT_COUNTED}" if c.note else f"{who}: {NOT_COUNTED}"


def allowed_label(f: Finding) -> str:
    """An allowed finding as "Sponsor → Entity: the allowlist's reason"."""
    return f"{sponsor_with_entity(f)}: {f.allowed_reason or 'allowed by your allowlist'}"


def why_text(r: Result) -> str:
    """The row's "why" in one cell: the findings' reasons, an unknown's hints, an error's message."""
    counted = [f for f in r.findings if f.level is not Level.ALLOWED]
    if r.verdict is Verdict.ERROR:
        return r.error.message if r.error else "the target could not be checked"
    if counted:
        return "; ".join(dict.fromkeys(finding_reason(f) for f in counted))
    if r.verdict is Verdict.UNKNOWN:
        return "; ".join(r.hints) or "no sponsor information found on the page"
    if r.verdict is Verdict.CLEAR:
        found = f"{len(r.sponsors)} sponsor{'' if len(r.sponsors) == 1 else 's'} found"
        allowed = len({f.sponsor for f in r.findings if f.level is Level.ALLOWED})
        if allowed:  # watchlisted, so not "none on the watchlist": allowed by the user's own file
            which = "the watchlisted one is" if allowed == 1 else f"the {allowed} watchlisted ones are"
            return f"{found}; {which} allowed by your allowlist"
        # A logo that names no one is said beside a clear ("a sponsor logo we could not name: …").
        return "; ".join((f"{found}, none on the watchlist", *r.hints))
    return "; ".join(r.hints)


def summary_fields(r: Result) -> dict[str, str]:
    """The report columns that batch CSV/Markdown/XLSX add to each input row (see CSV_COLUMNS)."""
    counted = [f for f in r.findings if f.level is not Level.ALLOWED]
    allowed = [f for f in r.findings if f.level is Level.ALLOWED]
    mentions = [mention_label(c) for c in r.mentions[:MAX_CELL_MENTIONS]]
    if len(r.mentions) > MAX_CELL_MENTIONS:
        mentions.append(f"and {len(r.mentions) - MAX_CELL_MENTIONS} more")
    return {
        "verdict": r.verdict.value,
        "entities": "; ".join(dict.fromkeys(f.entity_name for f in counted)),
        "matched_sponsors": "; ".join(dict.fromkeys(f"{sponsor_with_entity(f)} ({f.level.value})" for f in counted)),
        "why": why_text(r),
        "evidence": "; ".join(dict.fromkeys(evidence_line(f.evidence[0], 80) for f in counted if f.evidence)),
        "allowed": "; ".join(dict.fromkeys(allowed_label(f) for f in allowed)),
        "mentions": "; ".join(dict.fromkeys(mentions)),
        "error": r.error.message if r.error else "",
        "pages_read": " ".join(r.pages_read),
        "fetched_at": r.fetched_at or "",
        "from_cache": "yes" if r.from_cache else "no" if r.fetched_at else "",
        "rendered": "yes" if r.rendered else "",  # --render: read after loading it in a browser
        "evidence_folder": r.evidence or "",  # --evidence: where this row's record was saved
        "address_note": "; ".join(r.notes),  # what was added to the address as written (its scheme, say)
    }


# A cell starting with one of these is a formula to a spreadsheet; text read off a web page must not run
# when an agent opens the report (OWASP "CSV injection"). The user's own input columns are left as given.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """The value as text a spreadsheet will not evaluate: a leading formula character gets a quote."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def age_words(seconds: float) -> str:
    """How old something is, for a person: "under a minute", "12 min", "3 h", "2 days"."""
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600:.0f} h"
    return f"{seconds // 86400:.0f} days"


def cache_note(r: Result, now: datetime | None = None) -> str:
    """When a cached copy answered: its download time, its age and whether the site confirmed it; "" if not."""
    if not r.from_cache:
        return ""
    when = ""
    if r.fetched_at:
        try:
            fetched = datetime.fromisoformat(r.fetched_at)
        except ValueError:
            fetched = None
        if fetched is not None:
            if fetched.tzinfo is None:
                fetched = fetched.replace(tzinfo=timezone.utc)
            age = ((now or datetime.now(timezone.utc)) - fetched).total_seconds()
            stamp = fetched.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            when = f" downloaded {stamp} ({age_words(max(age, 0.0))} old)"
    if r.revalidated:
        return f"answered from a cached copy{when}; the site confirmed just now that it has not changed"
    return f"answered from a cached copy{when}, not re-checked with the site"
