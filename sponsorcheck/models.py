"""Frozen dataclasses passed between the stages: fetch → extract → match → verdict → report.

Nothing else crosses a module boundary: no loose dicts. Serialisation to the JSON contract lives
in `report/json.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Verdict(str, Enum):
    """What a target's sponsors mean for the pledge (values are the JSON contract)."""

    CONFLICT = "conflict"  # a watchlisted entity is a sponsor or partner, or the event is theirs
    REVIEW = "review"  # a possible match a person should look at
    CLEAR = "clear"  # a sponsor list was found and nothing on it matched
    UNKNOWN = "unknown"  # no sponsor information found: never call such a page clear
    ERROR = "error"  # the target could not be fetched or read


class Level(str, Enum):
    """How strongly a finding counts."""

    CONFLICT = "conflict"
    REVIEW = "review"
    ALLOWED = "allowed"  # matched, but an allowlist entry says why it does not count


class Role(str, Enum):
    """Why a candidate is on the page."""

    SPONSOR = "sponsor"  # listed as sponsor, partner, supporter, presenter…
    IDENTITY = "identity"  # the event itself: organiser, host, venue, the site it is served from
    MENTION = "mention"  # named, but not as sponsorship (prize, shop link, stream link, hosting, user group)


# Why a sighting counts (Candidate.context, Finding.context; values are the JSON contract).
SECTION = "section"  # inside a recognised sponsor section (its heading, label, id/class or tier)
GRID = "grid"  # part of a logo grid or strip: three or more sibling outbound logo links to distinct sites
PHRASE = "phrase"  # named with sponsor phrasing: "supported by X", "X presents", a sponsor path or alt text
IDENTITY = "identity"  # the event itself: its site, organiser, venue, own banner or hero logo
OUTSIDE = "outside"  # named on the page outside any sponsor list
CONTEXTS = (SECTION, GRID, PHRASE, IDENTITY, OUTSIDE)


@dataclass(frozen=True)
class Page:
    """A fetched or read document, already decoded to text."""

    target: str  # as the user gave it
    url: str  # final URL after redirects, or the file path, or "-" for stdin
    text: str
    content_type: str = "text/html"
    status: int | None = None  # HTTP status, None for files
    from_cache: bool = False
    body: bytes | None = field(default=None, repr=False, compare=False)  # the bytes as fetched (evidence)
    fetched_at: str | None = None  # ISO 8601 UTC: when these contents came from the server (None for files)
    revalidated: bool = False  # a cached copy the server just confirmed unchanged (HTTP 304)
    etag: str | None = field(default=None, repr=False, compare=False)  # validators for a conditional GET
    last_modified: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Evidence:
    """One observable signal a person can check on the page."""

    kind: str  # img-alt, img-file, link, text, jsonld, title, aria-label, svg-title, css-bg, data-attr, page-url…
    text: str  # the signal itself: alt text, file path, href, text snippet
    where: str = ""  # where on the page: section heading or element path, and page URL when several were read


@dataclass(frozen=True)
class Candidate:
    """A sponsor (or mention) found on a page, with every signal merged for that logo/organisation."""

    name: str  # as a person would write it
    evidence: tuple[Evidence, ...]
    domains: tuple[str, ...] = ()  # hosts the candidate links to (full hostnames, lower case)
    role: Role = Role.SPONSOR
    in_sponsor_context: bool = False  # found inside a sponsor/partner section
    tier: str | None = None  # the tier or section heading, e.g. "Gold Sponsors"
    past: bool = False  # listed as a past/previous sponsor
    note: str | None = None  # why a mention is not sponsorship, e.g. "prize", "hosting"
    page: str = ""  # URL or path of the page it was found on
    year: int | None = None  # the year the page is dated, when known: brands bought or sold count by it
    dated: str = ""  # where that year was read on the page ("its JSON-LD Event startDate 2019-12-06"); "" = given
    context: str = ""  # section | grid | phrase | identity | outside (see verdict.CONTEXTS); "" = not yet decided
    swept: bool = False  # found by the whole-page sweep only (not by the section walk)
    entity: str | None = None  # a mention's watchlisted entity id, when it matches one (set after matching)
    entity_name: str | None = None


@dataclass(frozen=True)
class Extraction:
    """Everything extraction learned from one or more pages of a target."""

    candidates: tuple[Candidate, ...]
    sponsor_context: bool  # a sponsor section/list was recognised somewhere
    pages_read: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()  # why nothing was found, for an honest "unknown"
    sponsor_links: tuple[str, ...] = ()  # same-site links that look like a sponsors page (for discovery)
    truncated: bool = False  # more candidates than extraction checks: the page can never be called clear
    # Logos in a sponsor section or grid that name no one (their file, where): the page can never be called clear.
    unnamed: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Match:
    """The matcher's answer: this name/domain denotes that watchlist entry."""

    pledge: str  # watchlist id
    entity: str  # entity id, e.g. "amazon"
    entity_name: str
    brand: str | None  # brand id, e.g. "twitch", or None for the entity itself
    brand_name: str | None
    matched: str  # the alias, brand name or domain that matched
    method: str  # domain | alias | weak-alias | fuzzy | tld
    score: int  # 0–100
    weak: bool = False  # a weak alias (short name, common word, acronym)
    corroborated: bool = False  # a weak alias backed by a domain, logo file or context words
    chain: str = ""  # "Twitch — owned by Amazon since 2014"
    note: str = ""  # why the matcher holds it at review, when not for a plain weak alias


@dataclass(frozen=True)
class Finding:
    """A watchlisted entity among a target's sponsors, with the evidence and the reason."""

    level: Level
    pledge: str
    entity: str
    entity_name: str
    sponsor: str  # exactly the Candidate.name it concerns
    matched: str
    method: str
    score: int
    why: str  # one sentence a person can read
    evidence: tuple[Evidence, ...]
    chain: str = ""
    brand: str | None = None
    demands: tuple[str, ...] = ()
    role: Role = Role.SPONSOR
    allowed_reason: str | None = None
    context: str = ""  # section | grid | phrase | identity | outside: why it counts (see verdict.CONTEXTS)


@dataclass(frozen=True)
class ErrorInfo:
    """Why a target could not be checked."""

    kind: str
    message: str
    # The exception behind the message, kept in this process only (never written to a report) so that
    # --debug can show its traceback.
    exception: BaseException | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Result:
    """The answer for one target."""

    target: str
    url: str
    verdict: Verdict
    sponsors: tuple[Candidate, ...] = ()
    findings: tuple[Finding, ...] = ()
    mentions: tuple[Candidate, ...] = ()
    error: ErrorInfo | None = None
    pages_read: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    row: tuple[tuple[str, str], ...] = field(default=())  # batch: the input row's columns, in order
    rendered: tuple[str, ...] = ()  # pages read after rendering them in a browser (--render)
    evidence: str | None = None  # folder where the evidence for this result was saved (--evidence)
    # Where the answer's pages came from: fetched_at is the oldest download among the pages read (ISO
    # 8601 UTC), from_cache whether any came from the page cache, revalidated whether the server
    # confirmed every cached one unchanged just now.
    fetched_at: str | None = None
    from_cache: bool = False
    revalidated: bool = False
    # What was done to the address as written before it was fetched ("https:// was added to 'fest.example'").
    notes: tuple[str, ...] = ()
