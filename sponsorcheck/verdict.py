"""Verdict: turn candidates and their matches into findings and one honest answer per target.

Every candidate has a context (models.CONTEXTS), decided once the matcher has said the entity is
watchlisted: `section` (inside a recognised sponsor section), `grid` (part of a logo grid or strip),
`phrase` (named with sponsor phrasing), `identity` (the event itself: its site, organiser, venue, own
banner) or `outside` (named on the page outside any sponsor list).

Rules, in order: a strong (or corroborated) match in a section, grid or phrase context, or of the
event's identity, is a conflict; a weak alias without corroboration, a fuzzy match below the conflict
score, or a match outside any sponsor list is review ("named on the page outside any sponsor list:
<where>"); a recognised non-sponsorship use (shop or affiliate link, stream link outside a sponsor
list, hosting or technology credit, a person's employer, a user group, a prize outside a sponsor list)
is a mention: never counted, always shown with its reason. Inside a sponsor section a brand's own
product verbs never demote it ("Watch every set live on Twitch" under "Our Sponsors" is a sponsor). An
allowlist entry turns a finding into "allowed": shown, never counted. A page with no sponsor
information is unknown, never clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sponsorcheck.allow import Allowlist, hosts_of
from sponsorcheck.extract.vocabulary import PAIR_TIER
from sponsorcheck.match import LOGO_EVIDENCE, Matcher, is_strong
from sponsorcheck.models import (
    GRID,
    IDENTITY,
    OUTSIDE,
    PHRASE,
    SECTION,
    Candidate,
    Evidence,
    Extraction,
    Finding,
    Level,
    Match,
    Role,
    Verdict,
)

METHOD_WORDS = {
    "domain": "its link to",
    "tld": "its link under the brand's own top-level domain",
    "alias": "the name",
    "weak-alias": "the short name",
    "fuzzy": "a spelling close to",
    "logo": "a logo in the sponsor list named",
}


# How the event's own identity was recognised, by the kind of evidence extraction recorded.
IDENTITY_WORDS = {
    "page-url": "the page is served from a site of",
    "jsonld": "the event is organised or hosted by",
}


# Mention notes that are a brand's own product verbs or a prize blurb: on a card with a logo inside a sponsor section
# they do not demote the brand ("Watch every set live on Twitch", "Best hack prize: AWS credits" beside the AWS
# logo); a line of text there ("Streamed live on Twitch") stays a stream link.
PRODUCT_VERB_NOTES = frozenset({"listen/stream link", "prize"})


def counted_role(candidate: Candidate) -> Role:
    """The role a candidate counts with, now that it is known to match a watchlist: a product-verb or prize
    mention inside a sponsor section counts as that section's sponsor."""
    if (
        candidate.role is Role.MENTION
        and candidate.context == SECTION
        and candidate.note in PRODUCT_VERB_NOTES
        and any(e.kind in LOGO_EVIDENCE for e in candidate.evidence)  # a card with its logo, not a line of text
    ):
        return Role.SPONSOR
    return candidate.role


def context_of(candidate: Candidate) -> str:
    """The candidate's context: what extraction recorded, else what its role and sponsor context say."""
    if candidate.role is Role.IDENTITY:
        return IDENTITY
    if candidate.context:
        return candidate.context
    return SECTION if candidate.in_sponsor_context else OUTSIDE


def _level(candidate: Candidate, match: Match) -> Level:
    strong = is_strong(match)
    if candidate.role is Role.IDENTITY:
        return Level.CONFLICT if strong else Level.REVIEW
    if strong and candidate.in_sponsor_context and candidate.tier != PAIR_TIER:
        return Level.CONFLICT
    # Two logos with no heading are what a small sponsor row looks like, but also a venue's partners or a pair
    # of badges: the brand there is named for a person to judge, never a conflict on the row's shape alone.
    return Level.REVIEW


def _why(candidate: Candidate, match: Match, level: Level) -> str:
    owner = match.entity_name
    if match.brand_name:
        relation = match.chain.split(" — ", 1)[-1]
        parent = match.entity_name.split()[0].rstrip(".,")  # "Amazon.com, Inc." is named "Amazon…" in relations
        owner = f"{match.brand_name} ({relation})"
        if parent.split(".")[0].casefold() not in relation.casefold():
            owner += f", part of {match.entity_name}"
    how = f"{METHOD_WORDS.get(match.method, match.method)} {match.matched!r}"
    if candidate.role is Role.IDENTITY:
        kinds = [e.kind for e in candidate.evidence]
        where = next(
            (IDENTITY_WORDS[k] for k in kinds if k in IDENTITY_WORDS),
            "the event itself (its organiser, host or venue) belongs to",
        )
    elif candidate.past:
        where = "a past sponsor of this event is"
    elif candidate.in_sponsor_context and candidate.context == GRID:
        where = f"part of a logo grid{f' ({candidate.tier})' if candidate.tier else ''}:"
    elif candidate.in_sponsor_context and candidate.context == PHRASE:
        where = f"named as a sponsor{f' ({candidate.tier})' if candidate.tier else ''}:"
    elif candidate.in_sponsor_context:
        where = f"listed as a sponsor{f' ({candidate.tier})' if candidate.tier else ''}:"
    elif candidate.context == SECTION:  # in a sponsor list, but something there says it may be someone else
        but = f", but {candidate.note}" if candidate.note else ""
        where = f"named in a sponsor list{f' ({candidate.tier})' if candidate.tier else ''}{but}:"
    else:
        place = next((e.where for e in candidate.evidence if e.where), "")
        where = f"named on the page outside any sponsor list{f' ({place})' if place else ''}:"
    sentence = f"{candidate.name!r}: {where} {owner} — matched by {how}"
    if match.method == "fuzzy":
        sentence += f", score {match.score}"
    if match.note:
        sentence += f"; {match.note}"
    elif level is Level.REVIEW and match.weak and not match.corroborated:
        sentence += "; a short or common name with nothing else pointing to the entity, so a person should look"
    return sentence + "."


def findings_for(
    candidate: Candidate,
    matches: Sequence[Match],
    demands: dict[str, tuple[str, ...]],
    allow: Allowlist | None = None,
) -> list[Finding]:
    """Findings for one candidate: at most one per watchlisted entity, the strongest match kept."""
    role = counted_role(candidate)
    if role is Role.MENTION:
        return []
    if role is not candidate.role:
        candidate = replace(candidate, role=role, note=None)
    out: dict[tuple[str, str], Finding] = {}
    for match in matches:
        level = _level(candidate, match)
        key = (match.pledge, match.entity)
        prev = out.get(key)
        if prev is not None and not (prev.level is Level.REVIEW and level is Level.CONFLICT):
            continue
        allowed = None
        if allow is not None:
            hosts = [*candidate.domains, *hosts_of(e.text for e in candidate.evidence)]
            allowed = allow.reason_for(match.pledge, match.entity, candidate.name, hosts)
        out[key] = Finding(
            level=Level.ALLOWED if allowed else level,
            pledge=match.pledge,
            entity=match.entity,
            entity_name=match.entity_name,
            sponsor=candidate.name,
            matched=match.matched,
            method=match.method,
            score=match.score,
            why=_why(candidate, match, level) + (f" Allowed by the allowlist: {allowed}" if allowed else ""),
            evidence=_evidence(candidate),
            chain=match.chain,
            brand=match.brand,
            demands=demands.get(f"{match.pledge}:{match.entity}", ()),
            role=candidate.role,
            allowed_reason=allowed,
            context=context_of(candidate),
        )
    return list(out.values())


def _evidence(candidate: Candidate) -> tuple[Evidence, ...]:
    if candidate.past:
        return (*candidate.evidence, Evidence("tier", candidate.tier or "past sponsors", "listed as a past sponsor"))
    return candidate.evidence


def decide(findings: Sequence[Finding], extraction: Extraction | None, sponsors: Sequence[Candidate]) -> Verdict:
    """conflict > review > clear (a sponsor list was read) > unknown (no sponsor information)."""
    levels = {f.level for f in findings}
    if Level.CONFLICT in levels:
        return Verdict.CONFLICT
    if Level.REVIEW in levels:
        return Verdict.REVIEW
    if any(c.in_sponsor_context and c.role is Role.SPONSOR for c in sponsors):
        return Verdict.CLEAR
    return Verdict.UNKNOWN


def evaluate(candidates: Sequence[Candidate], matcher: Matcher, allow: Allowlist | None = None) -> list[Finding]:
    """Match every candidate and return its findings: conflicts, then reviews, then allowed ones."""
    demands = {f"{wl.id}:{e.id}": tuple(e.demands) for wl in matcher.watchlists for e in wl.entities}
    findings: list[Finding] = []
    for candidate in candidates:
        findings.extend(findings_for(candidate, matcher.match_candidate(candidate), demands, allow))
    findings.sort(key=lambda f: (f.level is not Level.CONFLICT, f.level is not Level.REVIEW))
    return findings
