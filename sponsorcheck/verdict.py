"""Verdict: turn candidates and their matches into findings and one honest answer per target.

Rules, in order: a strong (or corroborated) match of a sponsor in a sponsor context, or of the
event's own identity (the site it is served from, its organiser or host, a venue named for an
entity), is a conflict; a weak alias without corroboration, a fuzzy match below the conflict
score, or a match outside any sponsor context is review; mentions that are not sponsorship
(prizes, shop and stream links, hosting) never make a finding. An allowlist entry turns a finding
into "allowed": shown, never counted. A page with no sponsor information is unknown, never clear.
"""

from __future__ import annotations

from collections.abc import Sequence

from sponsorcheck.allow import Allowlist, hosts_of
from sponsorcheck.match import Matcher, is_strong
from sponsorcheck.models import Candidate, Evidence, Extraction, Finding, Level, Match, Role, Verdict

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


def _level(candidate: Candidate, match: Match) -> Level:
    strong = is_strong(match)
    if candidate.role is Role.IDENTITY:
        return Level.CONFLICT if strong else Level.REVIEW
    if strong and candidate.in_sponsor_context:
        return Level.CONFLICT
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
    elif candidate.in_sponsor_context:
        where = f"listed as a sponsor{f' ({candidate.tier})' if candidate.tier else ''}:"
    else:
        where = "mentioned outside any sponsor section:"
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
    if candidate.role is Role.MENTION:
        return []
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
