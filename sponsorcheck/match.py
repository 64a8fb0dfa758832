"""Match sponsor names and link domains against watchlists.

Pipeline (after screening tools such as OpenSanctions' nomenklatura): normalise once; domain match
first (registrable domain, subdomains, `name.*` families, brand TLDs); exact alias on whole tokens;
weak aliases only as whole words with their case (why: "ICE" the agency is written in capitals,
"ice" is frozen water); token-level fuzzy matching only for long names with a small edit budget.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz.distance import Levenshtein

from sponsorcheck.models import Candidate, Match
from sponsorcheck.normalize import host_of, normalize_name, public_suffix, registrable_domain
from sponsorcheck.watchlist import Brand, Entity, Watchlist

DEFAULT_MIN_SCORE = 85  # fuzzy matches below this are not reported at all
CONFLICT_SCORE = 95  # a fuzzy match at or above this counts as a conflict; between: review
MIN_FUZZY_LENGTH = 5  # no edits for names up to 4 characters


def edit_budget(length: int) -> int:
    """Edits allowed for a normalised alias of this length: none up to 4 characters, then growing."""
    if length < MIN_FUZZY_LENGTH:
        return 0
    if length <= 8:
        return 1
    if length <= 16:
        return 2
    return 3


@dataclass(frozen=True)
class _Entry:
    """One watchlisted thing: an entity, or one of its brands."""

    pledge: str
    entity: Entity
    brand: Brand | None

    @property
    def name(self) -> str:
        return self.brand.name if self.brand else self.entity.name

    @property
    def chain(self) -> str:
        if self.brand is None:
            return self.entity.name
        relation = self.brand.relation or f"part of {self.entity.name}"
        return f"{self.brand.name} — {relation}"

    @property
    def excludes(self) -> tuple[re.Pattern[str], ...]:
        pats = tuple(self.entity.exclude) + (tuple(self.brand.exclude) if self.brand else ())
        return tuple(re.compile(p) for p in pats)

    def match(self, matched: str, method: str, score: int, weak: bool = False, corroborated: bool = False) -> Match:
        return Match(
            pledge=self.pledge,
            entity=self.entity.id,
            entity_name=self.entity.name,
            brand=self.brand.id if self.brand else None,
            brand_name=self.brand.name if self.brand else None,
            matched=matched,
            method=method,
            score=score,
            weak=weak,
            corroborated=corroborated,
            chain=self.chain,
        )


class Matcher:
    """Compiled lookup tables for one or more watchlists; build once per run, reuse for every page."""

    def __init__(self, watchlists: Sequence[Watchlist], min_score: int = DEFAULT_MIN_SCORE) -> None:
        self.watchlists = tuple(watchlists)
        self.min_score = min_score
        self._aliases: dict[str, list[tuple[_Entry, str]]] = {}
        self._weak: list[tuple[_Entry, str, re.Pattern[str]]] = []
        self._domains: dict[str, list[tuple[_Entry, str]]] = {}
        self._families: dict[str, list[tuple[_Entry, str]]] = {}  # "amazon" for amazon.*
        self._tlds: dict[str, list[tuple[_Entry, str]]] = {}
        self._context: dict[str, tuple[re.Pattern[str], ...]] = {}
        self._excludes: dict[int, tuple[re.Pattern[str], ...]] = {}
        self._max_tokens = 1
        for wl in self.watchlists:
            for entity in wl.entities:
                entries = [_Entry(wl.id, entity, None)] + [_Entry(wl.id, entity, b) for b in entity.brands]
                for entry in entries:
                    self._add(entry)
                self._context[entity.id] = tuple(
                    re.compile(r"\b" + re.escape(normalize_name(c)) + r"\b")
                    for c in entity.context + tuple(entity.aliases)
                    if normalize_name(c)
                )
                for tld in entity.tlds:
                    self._tlds.setdefault(tld.lower(), []).append((entries[0], f".{tld}"))
        self._fuzzy_keys = [k for k in self._aliases if len(k) >= MIN_FUZZY_LENGTH]

    def _add(self, entry: _Entry) -> None:
        named = entry.brand or entry.entity
        self._excludes[id(entry)] = entry.excludes
        weak = {w.casefold() for w in named.weak_aliases}
        for alias in (n for n in (named.name, *named.aliases) if n.casefold() not in weak):
            key = normalize_name(alias)
            if key:
                self._aliases.setdefault(key, []).append((entry, alias))
                self._max_tokens = max(self._max_tokens, len(key.split()))
        for alias in named.weak_aliases:
            # Case-aware: an all-caps acronym must appear in capitals; a capitalised word must start
            # with its capital (so "ring" the noun or "blink" the verb never match).
            flags = 0 if any(c.isupper() for c in alias) else re.IGNORECASE
            pattern = re.compile(r"(?<![\w&-])" + re.escape(alias) + r"(?![\w&-])", flags)
            self._weak.append((entry, alias, pattern))
        for domain in named.domains:
            domain = domain.lower()
            if domain.endswith(".*"):
                self._families.setdefault(domain[:-2], []).append((entry, domain))
            else:
                self._domains.setdefault(domain, []).append((entry, domain))

    # -- domains ---------------------------------------------------------------------------------

    def match_url(self, url_or_host: str) -> list[Match]:
        """Matches for a link or host: exact domain or subdomain, `name.*` family, brand TLD (most specific first)."""
        host = host_of(url_or_host) if "/" in url_or_host else url_or_host.lower().strip().rstrip(".")
        if not host:
            return []
        path = ""
        if "/" in url_or_host:
            path = url_or_host.split(host, 1)[-1] if host in url_or_host else ""
        labels = host.split(".")
        for i in range(len(labels)):
            suffix = ".".join(labels[i:])
            hits = self._domains.get(suffix)
            if hits:
                found = [
                    e.match(d, "domain", 100, corroborated=True)
                    for e, d in hits
                    if "/" not in d or (host + path).startswith(d)
                ]
                if found:
                    return found
        reg = registrable_domain(host)
        label = reg.split(".", 1)[0]
        hits = self._families.get(label)
        if hits and reg != public_suffix(host):
            return [e.match(d, "domain", 100, corroborated=True) for e, d in hits]
        hits = self._tlds.get(public_suffix(host))
        if hits:
            return [e.match(d, "tld", 100, corroborated=True) for e, d in hits]
        return []

    # -- names -----------------------------------------------------------------------------------

    def _excluded(self, entry: _Entry, norm: str) -> bool:
        return any(p.search(norm) for p in self._excludes.get(id(entry), ()))

    def match_name(self, name: str, context: str = "") -> list[Match]:
        """Matches for a sponsor name: exact strong alias on whole tokens, weak alias (case-aware), fuzzy."""
        norm = normalize_name(name)
        if not norm:
            return []
        toks = norm.split()
        found: dict[tuple[str, str, str | None], Match] = {}

        def keep(m: Match) -> None:
            key = (m.pledge, m.entity, m.brand)
            if key not in found or (m.score, not m.weak) > (found[key].score, not found[key].weak):
                found[key] = m

        # Exact strong alias on whole tokens (n-grams, longest first).
        for n in range(min(self._max_tokens, len(toks)), 0, -1):
            for i in range(len(toks) - n + 1):
                gram = " ".join(toks[i : i + n])
                for entry, alias in self._aliases.get(gram, ()):
                    if not self._excluded(entry, norm):
                        keep(entry.match(alias, "alias", 100))
        # Weak aliases: whole word, case-aware, on the text as written.
        for entry, alias, pattern in self._weak:
            if pattern.search(name) and not self._excluded(entry, norm):
                corroborated = self._corroborated(entry, norm, context)
                keep(
                    entry.match(alias, "weak-alias", 100 if corroborated else 70, weak=True, corroborated=corroborated)
                )
        if not found:
            for m in self._fuzzy(norm, toks):
                keep(m)
        return sorted(found.values(), key=lambda m: -m.score)

    def _corroborated(self, entry: _Entry, norm: str, context: str) -> bool:
        """A weak alias counts when a strong alias or context word of its entity stands nearby."""
        text = norm + " " + normalize_name(context) if context else norm
        return any(p.search(text) for p in self._context.get(entry.entity.id, ()))

    def _fuzzy(self, norm: str, toks: list[str]) -> Iterable[Match]:
        if len(norm) < MIN_FUZZY_LENGTH:
            return []
        out: list[Match] = []
        for key in self._fuzzy_keys:
            n = key.count(" ") + 1
            budget = edit_budget(len(key))
            for i in range(len(toks) - n + 1):
                gram = " ".join(toks[i : i + n])
                if abs(len(gram) - len(key)) > budget or gram[0] != key[0]:
                    continue
                dist = Levenshtein.distance(gram, key, score_cutoff=budget)
                if dist <= budget:
                    score = round(100 * (1 - dist / max(len(key), len(gram))))
                    if score >= self.min_score:
                        for entry, alias in self._aliases[key]:
                            if not self._excluded(entry, norm):
                                out.append(entry.match(alias, "fuzzy", score))
        return out

    def match_candidate(self, candidate: Candidate) -> list[Match]:
        """All matches for a candidate: its links' domains first, then its name and text evidence."""
        found: dict[tuple[str, str, str | None], Match] = {}
        for host in candidate.domains:
            for m in self.match_url(host):
                found.setdefault((m.pledge, m.entity, m.brand), m)
        context = " ".join(e.text for e in candidate.evidence if e.kind in ("text", "img-file", "link"))
        for m in self.match_name(candidate.name, context):
            key = (m.pledge, m.entity, m.brand)
            if key in found:
                continue
            if m.weak and not m.corroborated and any(k[1] == m.entity for k in found):
                m = replace(m, corroborated=True, score=100)
            found[key] = m
        return sorted(found.values(), key=lambda m: (-m.score, m.method != "domain"))
