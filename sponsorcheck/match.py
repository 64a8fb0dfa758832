"""Match sponsor names and link domains against watchlists.

Pipeline (after screening tools such as OpenSanctions' nomenklatura and moov-io/watchman):
normalise once; domain match first (registrable domain, subdomains, `name.*` families, brand TLDs);
exact strong alias on whole tokens (plain dict lookups of token n-grams); weak aliases only as whole
words with their case (why: "ICE" the agency is written in capitals, "ice" is frozen water) and only
counted with corroboration; token-level fuzzy matching only for strong aliases, with an edit budget
that grows with length, on a shortlist of aliases that share a first letter with the name.

Look-alikes are refused twice: by each entity's `exclude` patterns in the watchlist, and by
structure for whole classes of names (`LOOKALIKE_CLASSES`): a name that shares an alias word but
whose other words say it is a river, a drink, an advocacy group, a band or a borrowed Tolkien word.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from sponsorcheck.models import Candidate, Match
from sponsorcheck.normalize import (
    fold,
    host_of,
    is_hosting_domain,
    normalize_name,
    public_suffix,
    registrable_domain,
)
from sponsorcheck.watchlist import Brand, Entity, Watchlist, compile_pattern, pattern_set

# Fuzzy scores are a Levenshtein ratio on normalised names; the edit budget already bounds them
# (one edit in 6 letters is 83, two in 10 letters 80). Tuned on tests/data/names.yaml: every typo
# of a strong alias there scores >= 83 and no look-alike reaches the budget at all.
DEFAULT_MIN_SCORE = 75  # fuzzy matches below this are not reported at all
CONFLICT_SCORE = 83  # a fuzzy match at or above this counts as a conflict; between: review
MIN_FUZZY_LENGTH = 5  # no edits for names up to 4 characters
WEAK_SCORE = 60  # a weak alias without corroboration: a person should look
CORROBORATED_SCORE = 100
# Said on a brand's match when neither the page nor the user dates it: the bought/sold rule then reads it as of today.
NO_DATE_NOTE = "no page date found or given: read as of today"
# ...but only while the date could change the answer: when the brand became the owner's at most this many years
# ago, an undated page may be from before the purchase (event sites keep past editions' sponsor pages online for
# a few years). A brand the owner has held longer reads as it stands today without the note, which was noise
# on every finding of a brand bought long ago. A SOLD brand without a page date is always review (see _in_period).
UNDATED_RECENT_YEARS = 5
NEAREST_MIN = 70  # explain lists aliases at least this similar (plain ratio) to orient a person
# Evidence kinds that carry no letter case: names read from them are matched without case awareness.
LOGO_EVIDENCE = frozenset({"img-file", "img-alt", "css-bg", "svg-title"})  # signals that come from a logo image
CASELESS_EVIDENCE = frozenset({"img-file", "link", "css-bg", "data-attr", "page-url"})
URL_CACHE_SIZE = 20_000  # hosts and links remembered per Matcher (pages of one site share most of them)


# Words that, standing next to an alias word but outside the alias itself, show the name is a
# different thing that shares the word. One class per kind of look-alike the pledge's users meet.
# A word that belongs to the entity's own vocabulary (its aliases, brand names, context phrases)
# never counts against it, so "Whole Foods" is not a food look-alike of Amazon.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ADVOCACY = "an advocacy, rights, refugee or workers' group"
LOOKALIKE_CLASSES: dict[str, frozenset[str]] = {
    "a river, rainforest, region or place": _words(
        "river rivers rainforest rainforests forest forests jungle basin delta estuary region regional amazonia "
        "amazonas amazonian rio conservation conservancy wildlife tribe tribes indigenous ecology ecological "
        "expedition expeditions lodge tours tour travel travels cruise cruises trek eco nature reserve park "
        "garden gardens zoo aquarium fish parrot parrots village biome treaty landscape landscapes sustainable "
        "sustainability biodiversity ecosystem ecosystems species environmental forestry floresta selva beach "
        "island lake coast valley falls trail manaus belem iquitos leticia para"
    ),
    "a food, drink or café": _words(
        "cream creamery tea coffee cold cube cubes pop pops lolly lollies shaved shave cocktail cocktails beer "
        "brewing brewery brewers vodka gin drink drinks candy dessert desserts gelato frozen cone cones snow "
        "bakery cafe restaurant bar pub grill kitchen diner bistro juice water cooler coolers machine maker "
        "chocolate pizza burger tacos"
    ),
    "a sport, show, artist or venue": _words(
        "hockey skating skate skaters rink age berg breaker breakers palace sculpture sculptures carving "
        "fishing climbing bucket storm dancing ballet wrestling boxing opera dance"
    ),
    ADVOCACY: _words(
        "abolish against stop resist resistance rights defense defence defender defenders justice solidarity "
        "sanctuary coalition alliance welcome advocates advocacy aid lawyers freedom families united together "
        "refugee refugees asylum migrant migrants immigrant immigrants dreamers undocumented detention detained "
        "union workers employees strike boycott protest accountability relief campaign movement teamsters "
        "organizing organising victims victim survivors survivor vigil memorial"
    ),
    "a band, ensemble or record label": _words(
        "band orchestra choir quartet trio ensemble dj mc feat ft featuring records recordings collective tribute"
    ),
    "another organisation that borrowed the name": _words(
        "tolkien hobbit shire mordor middle earth lotr seeing stone stones economic economics consulting "
        "consultants consultancy advisors advisory realty dental clinic salon church"
    ),
}
# A venue named with a brand's word ("Amazon Theatre" in Manaus) may be a naming-rights venue or a
# namesake: a person could not tell from the name alone, so a one-word alias next to these is review.
VENUE_WORDS = _words("theatre theater teatro ballroom auditorium playhouse cinema cine hall")
# Building and metal trades ("Amazon Steel", "Twitch Plumbing & Heating"): a firm of a trade named with
# a one-word alias is most likely a namesake, but nothing in the name rules the company out, so review.
TRADE_WORDS = _words(
    "steel steels metal metals metalworks ironworks iron welding fabrication fabricators machining roofing "
    "roofers plumbing plumbers heating hvac electrical electricians construction builders building concrete "
    "paving asphalt masonry lumber timber flooring tiles tiling glazing scaffolding excavation demolition "
    "landscaping joinery carpentry"
)
USER_GROUP = re.compile(r"\b(?:user ?groups?|usergroups?|ug|meetups?)\b")
# Member-owned co-operatives ("Whole Foods Co-op") belong to their members: never a subsidiary of
# anyone, whatever alias they share. Normalised forms ("co-op" is "co op").
COOPERATIVE = re.compile(
    r"\b(?:co ?ops?|coop|co ?operative|cooperativa|cooperativo|cooperatieve|genossenschaft|kooperativ)\b"
)
# Generic words for a product line after a weak alias ("Blink Mini", "Alexa Skills Kit", "Ring Stick Up
# Cam"): the weak alias then names the product, so the name is at least review. Model codes with
# letters and digits ("XT2", "4K", "3rd") count too.
PRODUCT_WORDS = _words(
    "mini pro max plus lite kit sdk api stick cube dot show studio buds frames cam cams camera cameras doorbell "
    "floodlight spotlight outdoor indoor alarm sensor hub speaker display tablet remote app skills skill edition "
    "kids gen generation wifi mesh router extender device devices developer developers up"
)
_MODEL_CODE = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]{2,6}$")
# Words of the advocacy class that companies also give their own programmes ("Amazon Relief Fund",
# "Alexa Together"): alone among a name's other words they make it review, not a refusal.
OWN_PROGRAMME_WORDS = _words("relief together")
# After an agency's acronym, words of its own organisation chart ("CBP Office of Trade", "ICE Health
# Service Corps"): one of the agency's units, so at least review.
ORG_UNIT_WORDS = _words(
    "office directorate division bureau department unit corps service program programme operations headquarters academy"
)
# Short words that join a common word into a longer name ("Rock am Ring", "Echo and the Bunnymen",
# "Institution of Civil Engineers"): a weak alias inside such a phrase is part of another name.
FUNCTION_WORDS = _words(
    "the a an and of am im der die das des de du la le les los el del di da do dos et und y e in on at "
    "for with by to from no not out"
)
# Words around a weak alias that say nothing either way ("Ring logo", "ICE official").
NEUTRAL_WORDS = _words("official sponsor partner logo inc company")
_HOST_LIKE = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]+(?::\d+)?(?:/\S*)?$", re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-Z0-9]{2,6}$")
_WORD = re.compile(r"\w+")
# Scheme and a plain ASCII host (no user, port or IPv6 literal); anything else goes through urlsplit.
_PLAIN_URL_HOST = re.compile(r"^https?://([A-Za-z0-9.-]+)(?=[/?#]|$)")
# Word endings whose two letters swap between spellings of different words or names ("Audibel" is a
# hearing-aid brand, not a slip for "Audible"; "Centre"/"Center").
VARIANT_ENDINGS = ({"le", "el"}, {"re", "er"})
_YEAR = re.compile(r"^(?:19|20)\d\d$")  # "re:Invent 2019": an edition, not another name


def edit_budget(length: int) -> int:
    """Edits allowed for a normalised alias (or token) of this length: none up to 4 characters, then growing."""
    if length < MIN_FUZZY_LENGTH:
        return 0
    if length <= 8:
        return 1
    if length <= 16:
        return 2
    return 3


def looks_like_host(name: str) -> bool:
    """True when a sponsor name is written as a domain ("palantir.net", "https://twitch.tv")."""
    return bool(_HOST_LIKE.match(name.strip())) and " " not in name.strip()


@dataclass(frozen=True)
class _Entry:
    """One watchlisted thing: an entity, or one of its brands."""

    pledge: str
    entity: Entity
    brand: Brand | None

    @property
    def named(self) -> Entity | Brand:
        return self.brand or self.entity

    @property
    def name(self) -> str:
        return self.named.name

    @cached_property
    def chain(self) -> str:
        if self.brand is None:
            return self.entity.name
        relation = self.brand.relation or f"part of {self.entity.name}"
        period = self.brand.period
        return f"{self.brand.name} — {relation}, {period}" if period else f"{self.brand.name} — {relation}"

    @property
    def source(self) -> str:
        sources = self.named.sources or self.entity.sources
        return sources[0].url if sources else ""

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


@dataclass(frozen=True)
class Considered:
    """One alias the matcher weighed for a name, and what it decided (for `explain`)."""

    pledge: str
    entity: str
    brand: str | None
    alias: str
    method: str
    score: int
    outcome: str  # match | needs-corroboration | excluded | look-alike | below-threshold
    reason: str


@dataclass(frozen=True)
class Explanation:
    """How one name is matched: its normal form, every alias weighed, the matches kept."""

    name: str
    normalized: str
    matches: tuple[Match, ...]
    considered: tuple[Considered, ...]
    nearest: tuple[tuple[str, int], ...] = ()  # closest aliases by plain similarity, for orientation
    sources: dict[str, str] = field(default_factory=dict)  # "pledge:entity/brand" -> first source URL


@dataclass(frozen=True)
class _Fuzzy:
    key: str
    toks: tuple[str, ...]
    compact_len: int
    budget: int


class Matcher:
    """Compiled lookup tables for one or more watchlists; build once per run, reuse for every page."""

    def __init__(
        self, watchlists: Sequence[Watchlist], min_score: int = DEFAULT_MIN_SCORE, this_year: int | None = None
    ) -> None:
        """Index every alias, weak alias, domain and brand TLD; raises nothing on a validated watchlist.

        `this_year` is "today" for the bought/sold rule (the current year unless a caller or test injects one).
        """
        self.watchlists = tuple(watchlists)
        self.min_score = min_score
        self.this_year = this_year if this_year is not None else datetime.date.today().year
        self._aliases: dict[str, list[tuple[_Entry, str]]] = {}
        self._compact: dict[str, list[tuple[_Entry, str]]] = {}  # "amazonsmile" for "Amazon Smile"
        self._weak: dict[str, list[tuple[_Entry, str, re.Pattern[str]]]] = {}
        self._domains: dict[str, list[tuple[_Entry, str]]] = {}
        self._families: dict[str, list[tuple[_Entry, str]]] = {}  # "amazon" for amazon.*
        self._tlds: dict[str, list[tuple[_Entry, str]]] = {}
        self._context_norms: dict[tuple[str, str], tuple[str, ...]] = {}  # (pledge, entity) -> phrases
        self._context_acronyms: dict[tuple[str, str], tuple[str, ...]] = {}
        self._context_re: dict[tuple[str, str, str | None], tuple[re.Pattern[str] | None, ...]] = {}  # lazily
        self._vocab: dict[tuple[str, str, str | None], frozenset[str]] = {}  # per entity and per brand
        # Every exclude pattern of every entry in one RE2 Set (linear time, see watchlist.compile_pattern):
        # one pass over a name says which patterns match; each entry keeps the indices of its own.
        self._exclude_ids: dict[tuple[str, str, str | None], tuple[int, ...]] = {}
        self._exclude_texts: list[str] = []
        self._fuzzy_single: dict[tuple[str, int], list[_Fuzzy]] = {}
        self._single_short: dict[tuple[str, int], tuple[_Fuzzy, ...]] = {}  # first letter, token length
        self._fuzzy_multi: dict[tuple[int, str], list[_Fuzzy]] = {}
        self._max_tokens = 1
        self._logo_names: set[tuple[str, str, str | None, str]] = set()  # weak aliases a logo alone identifies
        self._url_cache: dict[str, tuple[Match, ...]] = {}
        self._brands: dict[tuple[str, str, str], Brand] = {}  # for lifecycle checks against a page's year
        for wl in self.watchlists:
            for entity in wl.entities:
                entries = [_Entry(wl.id, entity, None)] + [_Entry(wl.id, entity, b) for b in entity.brands]
                self._brands.update({(wl.id, entity.id, b.id): b for b in entity.brands})
                for entry in entries:
                    self._add(entry)
                self._add_entity_tables(wl.id, entity, entries[0])
        # Patterns were validated when the file was read; a Set too large for RE2 falls back to one by one.
        self._exclude_set = pattern_set(self._exclude_texts)
        self._exclude_each = (
            None if self._exclude_set is not None else [compile_pattern(p) for p in self._exclude_texts]
        )
        self._multiword = frozenset(
            a for entries in self._compact.values() for _e, a in entries if " " in normalize_name(a)
        )
        # A name can hold an alias only if it holds every word of it, so one word per alias is enough to
        # decide whether the exact and weak passes need to run: its longest (usually its rarest) word.
        self._alias_tokens = frozenset(
            max(key.split(), key=len) for table in (self._aliases, self._compact, self._weak) for key in table
        )
        for key in self._aliases:
            toks = tuple(key.split())
            compact_len = len(key) - len(toks) + 1
            if compact_len < MIN_FUZZY_LENGTH:
                continue
            fz = _Fuzzy(key, toks, compact_len, edit_budget(compact_len))
            if len(toks) == 1:
                # One-word aliases: shortlist by first letter and length ("twich" meets "twitch").
                self._fuzzy_single.setdefault((toks[0][0], compact_len), []).append(fz)
            else:
                # Longer aliases: shortlist by any token spelled exactly ("Amazn Web Services" has "web").
                for tok in set(toks):
                    self._fuzzy_multi.setdefault((len(toks), tok), []).append(fz)
        self._multi_tokens = frozenset(tok for _n, tok in self._fuzzy_multi)
        self._multi_lengths = frozenset(n for n, _tok in self._fuzzy_multi)

    def _add(self, entry: _Entry) -> None:
        named = entry.named
        entry_key = (entry.pledge, entry.entity.id, entry.brand.id if entry.brand else None)
        patterns = (*entry.entity.exclude, *(entry.brand.exclude if entry.brand else ()))
        first = len(self._exclude_texts)
        self._exclude_texts.extend(patterns)
        self._exclude_ids[entry_key] = tuple(range(first, len(self._exclude_texts)))
        # A display name that is also a weak alias ("Ring") stays weak: it is not added as strong.
        weak_norms = {normalize_name(w) for w in named.weak_aliases}
        former = entry.brand.former_names if entry.brand is not None else ()
        for alias in dict.fromkeys((named.name, *named.aliases, *former)):
            key = normalize_name(alias)
            if not key or key in weak_norms:
                continue
            self._aliases.setdefault(key, []).append((entry, alias))
            self._compact.setdefault(key.replace(" ", ""), []).append((entry, alias))
            self._max_tokens = max(self._max_tokens, len(key.split()))
        for alias in named.weak_aliases:
            key = normalize_name(alias)
            if not key:
                continue
            self._weak.setdefault(key, []).append((entry, alias, _weak_pattern(alias)))
            if entry.brand is not None and entry.brand.logo_identifies:
                self._logo_names.add((*entry_key, key))
            self._max_tokens = max(self._max_tokens, len(key.split()))
        for domain in named.domains:
            domain = domain.lower()
            if domain.endswith(".*"):
                self._families.setdefault(domain[:-2], []).append((entry, domain))
            else:
                # "acf.hhs.gov/orr" is looked up by its host; the path is checked on the link itself.
                self._domains.setdefault(domain.split("/", 1)[0], []).append((entry, domain))

    def _add_entity_tables(self, pledge: str, entity: Entity, root: _Entry) -> None:
        named_all: list[Entity | Brand] = [entity, *entity.brands]
        phrases = [p for n in named_all for p in (n.name, *n.aliases, *n.context)]
        norms = {normalize_name(p) for p in phrases} - {""}
        # Context corroborates a weak alias: the entity's strong names and its context phrases. An
        # acronym ("ICE", "DHS") corroborates only in capitals, like a weak alias: "ice" is not ICE.
        acronyms = {p for p in phrases if _ACRONYM.match(p)}
        self._context_acronyms[(pledge, entity.id)] = tuple(sorted(acronyms))
        self._context_norms[(pledge, entity.id)] = tuple(
            sorted(norms - {normalize_name(a) for a in acronyms}, key=len, reverse=True)
        )
        # One vocabulary per brand, not per entity: the entity's own words and the brand's own words
        # ("Ring Arena" is not Ring's because "arena" is Climate Pledge Arena's word, not Ring's).
        own = _own_words(entity)
        self._vocab[(pledge, entity.id, None)] = own
        for brand in entity.brands:
            self._vocab[(pledge, entity.id, brand.id)] = own | _own_words(brand)
        for tld in entity.tlds:
            self._tlds.setdefault(tld.lower().lstrip("."), []).append((root, f".{tld.lstrip('.')}"))

    # -- domains ---------------------------------------------------------------------------------

    def clear_caches(self) -> None:
        """Forget remembered host matches (for benchmarks; results never depend on the cache)."""
        self._url_cache.clear()

    def match_url(self, url_or_host: str) -> list[Match]:
        """Matches for a link or host: exact domain or subdomain, `name.*` family, brand TLD (most specific first).

        Hosts under a shared-hosting suffix (bucket.s3.amazonaws.com, x.cloudfront.net) never match:
        they serve anyone's files.
        """
        cached = self._url_cache.get(url_or_host)
        if cached is None:
            if len(self._url_cache) >= URL_CACHE_SIZE:
                self._url_cache.clear()  # a batch reads thousands of hosts; keep the memory bounded
            cached = self._url_cache[url_or_host] = tuple(self._match_url(url_or_host))
        return list(cached)

    def _match_url(self, url_or_host: str) -> list[Match]:
        text = url_or_host.strip()
        fast = _PLAIN_URL_HOST.match(text)
        if fast:  # the common "https://host/path" needs no full URL parse
            host = fast.group(1).lower().rstrip(".")
        elif "/" in text or ":" in text:
            host = host_of(text if "://" in text else "http://" + text)
        else:
            host = text.lower().rstrip(".")
        if not host or "." not in host:
            return []
        labels = host.split(".")
        # Cheap rejection before any public-suffix lookup: no label of the host is watchlisted.
        if not (
            any(".".join(labels[i:]) in self._domains for i in range(len(labels)))
            or any(label in self._families for label in labels[:-1])
            or labels[-1] in self._tlds
        ):
            return []
        if is_hosting_domain(host):
            return []
        path = ""
        if "/" in text:
            after = text.split("://", 1)[-1]
            path = after[after.find("/") :] if "/" in after else ""
        for i in range(len(labels)):
            suffix = ".".join(labels[i:])
            hits = self._domains.get(suffix)
            if hits:
                found = [
                    e.match(d, "domain", 100, corroborated=True)
                    for e, d in hits
                    if "/" not in d or _under_path(suffix + path, d)
                ]
                if found:
                    return found
        suffix = public_suffix(host)
        reg = registrable_domain(host)
        if reg != suffix:
            hits = self._families.get(reg.split(".", 1)[0])
            if hits:
                return [e.match(d, "domain", 100, corroborated=True) for e, d in hits]
        hits = self._tlds.get(suffix)
        if hits:
            return [e.match(d, "tld", 100, corroborated=True) for e, d in hits]
        return []

    # -- names -----------------------------------------------------------------------------------

    def match_name(self, name: str, context: str = "", caseless: bool = False) -> list[Match]:
        """Matches for a sponsor name: strong alias on whole tokens, weak alias (case-aware, corroborated), fuzzy."""
        return self._match_name(name, context, None, caseless)

    def explain(self, name: str, context: str = "") -> Explanation:
        """Every alias weighed for a name, with scores and the reason each was kept or refused."""
        trace: list[Considered] = []
        matches = tuple(self._match_name(name, context, trace))
        norm = normalize_name(name)
        nearest: tuple[tuple[str, int], ...] = ()
        if norm:
            keys = list(self._aliases)
            nearest = tuple(
                (k, round(s)) for k, s, _ in process.extract(norm, keys, scorer=fuzz.ratio, limit=3) if s >= NEAREST_MIN
            )
        sources: dict[str, str] = {}
        for wl in self.watchlists:
            for entity in wl.entities:
                for entry in [_Entry(wl.id, entity, None)] + [_Entry(wl.id, entity, b) for b in entity.brands]:
                    sources[f"{wl.id}:{entry.entity.id}/{entry.brand.id if entry.brand else ''}"] = entry.source
        return Explanation(name, norm, matches, tuple(trace), nearest, sources)

    def _match_name(
        self, name: str, context: str, trace: list[Considered] | None, caseless: bool = False
    ) -> list[Match]:
        if looks_like_host(name):
            # A name written as a domain is a domain: "palantir.net" is not "Palantir".
            by_domain = self.match_url(name)
            if trace is not None:
                for m in by_domain:
                    trace.append(_considered(m, "match", "the name is written as a domain on the watchlist"))
                if not by_domain:
                    trace.append(
                        Considered("", "", None, name, "domain", 0, "look-alike", "a domain not on any watchlist")
                    )
            return by_domain
        norm = normalize_name(name)
        if not norm:
            return []
        toks = norm.split()
        found: dict[tuple[str, str, str | None], tuple[Match, int]] = {}
        memo: list[frozenset[int]] = []

        def keep(m: Match, span: int) -> None:
            key = (m.pledge, m.entity, m.brand)
            if key not in found or _rank(m, span) < _rank(*found[key]):
                found[key] = (m, span)

        # Most names on a page share no word with any alias: two set lookups rule them out of the exact
        # and weak passes (fuzzy still runs on its own shortlist).
        shares_word = not self._alias_tokens.isdisjoint(toks)
        for gram, start, end, table in self._grams(toks) if shares_word else ():
            for entry, alias in table.get(gram, ()):
                joined = table is self._compact and end - start == 1 and alias in self._multiword
                refused, soft = self._refusal(
                    entry, norm, toks, start, end, alias=alias, name=name, joined=joined, memo=memo
                )
                if not refused:
                    refused = _styling_refusal(alias, name, len(toks) > end - start)
                m = entry.match(alias, "alias", 100)
                if soft:
                    m = replace(m, score=WEAK_SCORE, weak=True, note=refused)
                if trace is not None:
                    outcome = "needs-corroboration" if soft else ("excluded" if refused else "match")
                    trace.append(_considered(m, outcome, refused or "exact alias"))
                if soft or not refused:
                    keep(m, end - start)
        if shares_word:
            self._weak_matches(name.upper() if caseless else name, norm, toks, context, keep, trace, memo)
        # Fuzzy runs even after an exact hit: "Amazon Web Service" is AWS, not only the word "Amazon".
        for m, start, end in self._fuzzy(toks, trace):
            entry = self._entry_for(m)
            refused, soft = self._refusal(entry, norm, toks, start, end, name=name, how="fuzzy", memo=memo)
            if soft:
                m = replace(m, score=min(m.score, CONFLICT_SCORE - 1), note=refused)
            if trace is not None:
                outcome = "match" if soft or not refused else "excluded"
                trace.append(_considered(m, outcome, refused or "within the edit budget"))
            if soft or not refused:
                keep(m, end - start)
        return [m for m, span in sorted(found.values(), key=lambda pair: _rank(*pair))]

    def _grams(self, toks: list[str]):
        """Token n-grams (longest first) looked up in the strong table, plain and with spaces removed."""
        for n in range(min(self._max_tokens, len(toks)), 0, -1):
            for i in range(len(toks) - n + 1):
                gram = " ".join(toks[i : i + n])
                yield gram, i, i + n, self._aliases
                compact = gram.replace(" ", "")
                if n > 1 or compact not in self._aliases:
                    yield compact, i, i + n, self._compact

    def _entry_for(self, m: Match) -> _Entry:
        for entry, _alias in self._aliases.get(normalize_name(m.matched), ()):
            if entry.entity.id == m.entity and (entry.brand.id if entry.brand else None) == m.brand:
                return entry
        raise KeyError(m.matched)  # pragma: no cover — fuzzy matches are built from indexed aliases

    def _weak_matches(self, name, norm, toks, context, keep, trace, memo) -> None:
        for gram, start, end in _all_grams(toks, self._max_tokens):
            for entry, alias, pattern in self._weak.get(gram, ()):
                hit = pattern.search(name)
                if hit is None:
                    if trace is not None:
                        trace.append(
                            _considered(
                                entry.match(alias, "weak-alias", 0, weak=True),
                                "look-alike",
                                f"{alias!r} is a short or common name and must be written with its case",
                            )
                        )
                    continue
                corroborated = self._corroborated(entry, name, norm, context)
                refused, soft = self._refusal(
                    entry, norm, toks, start, end, weak=not corroborated, alias=alias, name=name, how="weak", memo=memo
                )
                m = entry.match(
                    alias,
                    "weak-alias",
                    CORROBORATED_SCORE if corroborated else WEAK_SCORE,
                    weak=True,
                    corroborated=corroborated,
                )
                if soft:
                    m = replace(m, note=refused)
                    refused = ""
                if trace is not None:
                    outcome = "excluded" if refused else ("match" if corroborated else "needs-corroboration")
                    reason = (
                        refused
                        or m.note
                        or (
                            "a short or common name, corroborated by a strong name or context word of the entity"
                            if corroborated
                            else "a short or common name with nothing else pointing to the entity"
                        )
                    )
                    trace.append(_considered(m, outcome, reason))
                if not refused:
                    keep(m, end - start)

    def _refusal(
        self,
        entry: _Entry,
        norm: str,
        toks: list[str],
        start: int,
        end: int,
        weak: bool = False,
        alias: str = "",
        name: str = "",
        how: str = "alias",
        joined: bool = False,
        memo: list[frozenset[int]] | None = None,
    ) -> tuple[str, bool]:
        """Why a name that contains an alias is a look-alike, and whether only softly.

        ("", False): a match. (reason, False): a look-alike, refused. (reason, True): a person could
        not tell from the name alone, so at most review.
        """
        key = (entry.pledge, entry.entity.id, entry.brand.id if entry.brand else None)
        memo = [] if memo is None else memo  # the exclude patterns that match this name, computed once
        if how == "alias" and not joined and start == 0 and end == len(toks):
            return "", False  # the whole name is one the watchlist lists: no class or pattern refuses it
        ids = self._exclude_ids.get(key)
        if ids:
            if self._exclude_each is not None:
                excluded = next((i for i in ids if self._exclude_each[i].search(norm)), None)
            else:
                if not memo:
                    memo.append(frozenset(self._exclude_set.Match(norm) or ()))  # once per name, for every entry
                excluded = next((i for i in ids if i in memo[0]), None)
            if excluded is not None:
                return f"excluded by the watchlist pattern '{self._exclude_texts[excluded]}'", False
        vocab = self._vocab.get(key, frozenset())
        extras = [t for t in toks[:start] + toks[end:] if t not in vocab]
        if not extras:
            return "", False
        rest = " ".join(extras)
        # Whatever the alias: a group campaigning about the entity, a volunteer user group, a member-owned
        # co-operative is not the entity ("AWS User Group Berlin", "Whole Foods Co-op").
        hits = [t for t in extras if t in LOOKALIKE_CLASSES[ADVOCACY]]
        if hits and all(t in OWN_PROGRAMME_WORDS for t in hits) and not weak:
            # Companies name their own programmes with these words too ("Amazon Relief Fund"): a person
            # could not tell a company's programme from a group's, so review.
            return f"the word {hits[0]!r} may be a group's or {entry.name}'s own programme: a person should look", True
        if hits:
            return f"the word {hits[0]!r} says this is {ADVOCACY}, not {entry.name}", False
        group = USER_GROUP.search(rest)
        if group:
            return f"{group.group(0)!r} says this is a volunteer user group or meetup, not {entry.name}", False
        coop = COOPERATIVE.search(rest)
        if coop:
            return f"{coop.group(0)!r} says this is a member-owned co-operative, not {entry.name}", False
        # A one-word alias can be a common word or a place; a longer alias, or a strong acronym (AWS), is
        # specific enough that only the classes above can still refuse it.
        one_word = end - start == 1
        word_like = one_word and not (alias.isupper() and not weak)
        if how == "fuzzy" and one_word:
            # A one-word near spelling inside a longer name is usually another real word ("Wonder Bread",
            # "Wonder Ballroom"): whatever the other words are.
            return f"a near spelling of {alias!r} inside a longer name ({rest}) is another word", False
        if word_like or weak:
            for label, words in LOOKALIKE_CLASSES.items():
                hit = next((t for t in extras if t in words), None)
                if hit:
                    return f"the word {hit!r} says this is {label}, not {entry.name}", False
            venue = next((t for t in extras if t in VENUE_WORDS), None)
            if venue and not weak:
                reason = f"a venue named with the word {alias!r} ({venue!r}): the brand's or a namesake"
                return reason + ", a person should look", True
            trade = next((t for t in extras if t in TRADE_WORDS), None)
            if trade and not weak:
                reason = f"a {trade} firm named with the word {alias!r}: most likely a namesake"
                return reason + ", a person should look", True
        if joined:
            # "Wholefoods" written as one word inside a longer name is the common noun ("Suma Wholefoods").
            return f"{alias!r} written as one word inside a longer name ({rest}) is another name", False
        if how == "alias" and one_word and alias.isalpha() and alias.islower() and (name.islower() or name.isupper()):
            # A brand styled in lower case ("eero") loses its styling in a name written in one case, so
            # inside a longer name it reads as a given name ("eero saarinen", "EERO AARNIO").
            if _all_product_words(extras):
                return f"{alias!r} followed by product words, in a name written in one case: a person should look", True
            return f"{alias!r} inside a longer name written in one case ({rest}) is a given name or another word", False
        if weak:
            meaningful = [t for t in extras if t not in NEUTRAL_WORDS and not _YEAR.match(t)]
            if not meaningful:
                return "", False
            if _ACRONYM.match(alias) and start == 0 and any(t in ORG_UNIT_WORDS for t in meaningful):
                unit = " ".join(meaningful)
                return f"{alias!r} followed by words of one of its own units ({unit}): a person should look", True
            if any(t in FUNCTION_WORDS or t.isdigit() for t in meaningful):
                return f"{alias!r} is one word of a longer name", False
            if _ACRONYM.match(alias) and len(meaningful) >= 2:
                initials = "".join(t[0] for t in meaningful if t not in FUNCTION_WORDS)
                if initials == alias.lower():
                    return f"{alias!r} stands for another organisation here ({' '.join(meaningful)})", False
            if start == 0 and end - start > 1 and len(meaningful) == 1 and not FUNCTION_WORDS & set(meaningful):
                # A weak name of two words ("Fire TV") followed by one more word is most likely its
                # product line ("Fire TV Recast"): too specific to be part of another name, too weak alone.
                return f"{alias!r} followed by {meaningful[0]!r}: a product line of it, a person should look", True
            if start == 0 and _all_product_words(meaningful):
                line = " ".join(meaningful)
                return f"{alias!r} followed by product words ({line}): a product line, a person should look", True
            # Without corroboration a short or common word inside a longer name is that other name
            # ("Blink Fitness", "ICE London", "Alexa Chung").
            return f"{alias!r} is one word of a longer name ({' '.join(meaningful)})", False
        return "", False

    def _corroborated(self, entry: _Entry, name: str, norm: str, context: str) -> bool:
        """A weak alias counts when a strong name or context phrase of its entity stands nearby."""
        key = (entry.pledge, entry.entity.id, entry.brand.id if entry.brand else None)
        if key not in self._context_re:
            # The entry's own weak names do not corroborate themselves ("Ring" is not evidence for Ring).
            weak = {normalize_name(w) for w in entry.named.weak_aliases}
            phrases = [re.escape(n) for n in self._context_norms.get(key[:2], ()) if n not in weak]
            acronyms = [re.escape(a) for a in self._context_acronyms.get(key[:2], ()) if normalize_name(a) not in weak]
            self._context_re[key] = (
                re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)") if phrases else None,
                re.compile(r"(?<![\w-])(?:" + "|".join(acronyms) + r")(?![\w-])") if acronyms else None,
            )
        words_re, acronyms_re = self._context_re[key]
        if acronyms_re is not None and (acronyms_re.search(name) or (context and acronyms_re.search(context))):
            return True
        if words_re is None:
            return False
        return bool(words_re.search(norm) or (context and words_re.search(normalize_name(context))))

    def _shortlist(self, gram_toks: list[str]) -> Sequence[_Fuzzy]:
        n = len(gram_toks)
        if n == 1:
            tok = gram_toks[0]
            key = (tok[0], len(tok))
            short = self._single_short.get(key)
            if short is None:  # built once per first letter and length: the tables, not any name's result
                budget = edit_budget(len(tok) + 1)
                short = self._single_short[key] = tuple(
                    fz
                    for length in range(len(tok) - budget, len(tok) + budget + 1)
                    for fz in self._fuzzy_single.get((tok[0], length), ())
                )
            return short
        hits = [found for tok in gram_toks if (found := self._fuzzy_multi.get((n, tok)))]
        if len(hits) == 1:
            return hits[0]
        return list({id(fz): fz for found in hits for fz in found}.values())

    def _fuzzy(self, toks: list[str], trace: list[Considered] | None) -> list[tuple[Match, int, int]]:
        """Token-level fuzzy matches of strong aliases, each token within its own edit budget, on a shortlist."""
        out: list[tuple[Match, int, int]] = []
        # Longer aliases need one word spelled exactly (the token shortlist): with no such word in the name,
        # only single words are tried.
        exact = [t in self._multi_tokens for t in toks]
        longest = min(self._max_tokens, len(toks)) if any(exact) else 1
        for n in range(1, longest + 1):
            if n > 1 and n not in self._multi_lengths:
                continue
            for i in range(len(toks) - n + 1):
                gram_toks = toks[i : i + n]
                if n == 1 and len(gram_toks[0]) < MIN_FUZZY_LENGTH - 1:
                    continue  # too short to be within one edit of any fuzzy-matchable alias
                if n > 1 and not any(exact[i : i + n]):
                    continue
                gram = " ".join(gram_toks)
                if gram in self._weak or gram in self._aliases:
                    continue  # exact already; weak aliases are never fuzzy, nor a door to a strong alias
                gram_len = len(gram) - n + 1
                for fz in self._shortlist(gram_toks):
                    if abs(gram_len - fz.compact_len) > fz.budget:
                        continue
                    dist = _token_distance(gram_toks, fz.toks, fz.budget)
                    if not dist:
                        continue
                    # Scored like a Levenshtein ratio on the normalised strings (spaces count).
                    score = round(100 * (1 - dist / (max(fz.compact_len, gram_len) + n - 1)))
                    if len(fz.toks) == 1 and not _typo_like(gram, fz.key):
                        # One word with a different or an extra letter is often another real word
                        # ("Twitchy", "Amazin'", "Shopbox"): at most review. A missing or swapped letter
                        # ("Amazn", "Audbile") is how people mistype a name.
                        score = min(score, CONFLICT_SCORE - 1)
                    for entry, alias in self._aliases[fz.key]:
                        m = entry.match(alias, "fuzzy", score)
                        if score >= self.min_score:
                            out.append((m, i, i + n))
                        elif trace is not None:
                            trace.append(_considered(m, "below-threshold", f"score {score} is below --min-score"))
        return out

    def match_candidate(self, candidate: Candidate) -> list[Match]:
        """All matches for a candidate: its links' domains first, then its name, corroborated by its evidence."""
        found: dict[tuple[str, str, str | None], Match] = {}
        for host in candidate.domains:
            for m in self.match_url(host):
                found.setdefault((m.pledge, m.entity, m.brand), m)
        # Logo files and links on an entity's own domain corroborate a weak name (never a match alone:
        # a CDN may serve anyone's logo).
        backed = {k[:2] for k in found}
        for ev in candidate.evidence:
            if ev.kind in ("img-file", "link", "page-url") and "://" in ev.text:
                for m in self.match_url(ev.text):
                    backed.add((m.pledge, m.entity))
                    if ev.kind != "img-file":  # a link or page address is the candidate's own, path included
                        found.setdefault((m.pledge, m.entity, m.brand), m)
        context = " | ".join(
            e.text for e in candidate.evidence if e.kind in ("text", "img-file", "img-alt", "link", "title", "jsonld")
        )
        # A name read only from a file name or address has no case to be aware of ("alexa.png"): its weak
        # aliases are compared in capitals, and stay weak (review) unless something corroborates them.
        caseless = candidate.name.islower() and all(e.kind in CASELESS_EVIDENCE for e in candidate.evidence)
        for m in self.match_name(candidate.name, context[:2000], caseless):
            key = (m.pledge, m.entity, m.brand)
            if key in found and not (m.method == "alias" and found[key].method != "alias"):
                continue
            if m.weak and not m.corroborated and (m.pledge, m.entity) in backed:
                m = replace(m, corroborated=True, score=CORROBORATED_SCORE)
            elif m.weak and not m.corroborated and self._logo_alone_identifies(candidate, m):
                m = replace(m, corroborated=True, score=CORROBORATED_SCORE, method="logo")
            found[key] = m
        kept = [m for m in (self._in_period(m, candidate.year, candidate.dated) for m in found.values()) if m]
        # Domain matches first (the most reliable signal), then name matches in the matcher's rank order. An
        # entity's own match goes after a strong match of one of its brands: the same owner, named more exactly
        # ("Amazon Music" linked to a country's amazon.* site is the brand, not just the company).
        branded = {(m.pledge, m.entity) for m in kept if m.brand is not None and is_strong(m)}
        return sorted(
            kept,
            key=lambda m: (
                m.brand is None and (m.pledge, m.entity) in branded,
                m.method not in ("domain", "tld"),
                not is_strong(m),
            ),
        )

    def _in_period(self, m: Match, year: int | None, dated: str = "") -> Match | None:
        """A match as the page's date allows, saying which date was used.

        A brand bought (or launched) later counts only on pages dated from that year; a sold one only on
        pages dated up to the sale. A year the user gave (`names --year`, `dated` empty) is taken as fact:
        outside the brand's time the match is dropped. A year read from the page itself (`dated` says
        where) may be the wrong one (an old page re-used, a title naming last year's edition), so outside
        the brand's time the match is review, never silently dropped. Without a page date a sold brand is
        review (the page may be older than the sale); any other brand counts as it stands today, and the
        finding says the page has no date when the purchase is recent enough for that to matter.
        """
        brand = self._brands.get((m.pledge, m.entity, m.brand)) if m.brand else None
        if brand is None or (brand.since is None and brand.status != "sold"):
            return m
        owner = m.entity_name.split(",")[0]
        if year is not None:
            when = f"the page is dated {year} ({dated})" if dated else f"the page is dated {year}"
            if brand.counts_in(year):
                if m.note or not is_strong(m):  # a weak match keeps its own reason to look
                    return m
                return replace(m, note=f"{when}, within {brand.name}'s time with {owner}: {brand.period}")
            if not dated:
                return None
            if brand.status == "sold" and brand.until is not None and year > brand.until:
                outside = f"after {owner} sold {brand.name} ({brand.period})"
            else:
                outside = f"before {brand.name} was {owner}'s ({brand.period})"
            note = f"{when}, {outside}: it would not count then, so a person should check the page's date"
            return replace(m, weak=True, corroborated=False, score=WEAK_SCORE, note=note)
        if brand.status == "sold":
            note = f"{brand.name} was sold ({brand.period}) and the page has no date: a person should check when"
            return replace(m, weak=True, corroborated=False, score=WEAK_SCORE, note=note)
        if m.note or not is_strong(m) or not self._recently_joined(brand):
            return m
        return replace(m, note=NO_DATE_NOTE)

    def _recently_joined(self, brand: Brand) -> bool:
        """Whether the brand became its owner's recently enough that an undated page may predate it."""
        return brand.since is not None and self.this_year - brand.since <= UNDATED_RECENT_YEARS

    def _logo_alone_identifies(self, candidate: Candidate, m: Match) -> bool:
        """A logo in a sponsor list named exactly after a brand whose watchlist entry says a logo identifies it."""
        key = normalize_name(candidate.name)
        return (
            candidate.in_sponsor_context
            and key == normalize_name(m.matched)
            and (m.pledge, m.entity, m.brand, key) in self._logo_names
            and any(e.kind in LOGO_EVIDENCE for e in candidate.evidence)
        )


def is_strong(m: Match) -> bool:
    """A match that is a conflict in a sponsor list: not an uncorroborated weak alias, not a low fuzzy score."""
    return (not m.weak or m.corroborated) and (m.method != "fuzzy" or m.score >= CONFLICT_SCORE)


def _rank(m: Match, span: int) -> tuple[bool, int, int, bool]:
    """Sort key: strong matches first, then the longest alias (the most specific brand), score, brands first."""
    return (not is_strong(m), -span, -m.score, m.brand is None)


def _styling_refusal(alias: str, name: str, longer: bool) -> str:
    """Spelling a brand never uses is another word.

    A one-word alias written with accents the brand does not have ("Palantír", the Tolkien spelling;
    "Amazônia") is another word; a brand styled in lower case ("eero") written otherwise inside a
    longer name ("Eero Saarinen") is a person or a place.
    """
    if " " in alias or not alias.isascii() or name.isascii():
        accented = ""
    else:
        accented = next(
            (w for w in _WORD.findall(name) if not w.isascii() and fold(w) == alias.casefold() and _has_accent(w)), ""
        )
    if accented:
        return f"spelled {accented!r}, with accents the brand {alias!r} never uses: another word"
    if not longer or not alias.isalpha() or not alias.islower():
        return ""
    if re.search(r"(?<!\w)(?:" + re.escape(alias) + "|" + re.escape(alias.upper()) + r")(?!\w)", name):
        return ""
    return f"written differently from the brand's own styling {alias!r}, so it is another word (a name, a place)"


def _own_words(named: Entity | Brand) -> frozenset[str]:
    """The tokens of an entity's or brand's own names, weak names, former names and context phrases."""
    former = named.former_names if isinstance(named, Brand) else ()
    phrases = (named.name, *named.aliases, *named.weak_aliases, *named.context, *former)
    return frozenset(t for p in phrases for t in normalize_name(p).split())


def _all_product_words(words: Sequence[str]) -> bool:
    """True when every word names a product line or model ("mini", "skills kit", "xt2")."""
    return bool(words) and all(w in PRODUCT_WORDS or _MODEL_CODE.match(w) for w in words)


def _has_accent(word: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFKD", word))


def _under_path(url: str, domain_path: str) -> bool:
    """True when host+path is the listed path or below it ("acf.hhs.gov/orr/x" is under "acf.hhs.gov/orr")."""
    return url.startswith(domain_path) and url[len(domain_path) : len(domain_path) + 1] in ("", "/", "?", "#")


def _weak_pattern(alias: str) -> re.Pattern[str]:
    """Case-aware whole-word pattern: an acronym must be in capitals, a capitalised word may be in capitals too."""
    body = re.escape(alias)
    if alias.isupper() or not any(c.isupper() for c in alias):
        flags = 0 if alias.isupper() else re.IGNORECASE
        return re.compile(r"(?<![\w&-])" + body + r"(?![\w&-])", flags)
    # "Ring" or "RING", never "ring" (the noun) — a hyphen joins it into another name ("Blink-182").
    return re.compile(r"(?<![\w&-])(?:" + body + "|" + re.escape(alias.upper()) + r")(?![\w&-])")


def _all_grams(toks: list[str], max_n: int):
    for n in range(min(max_n, len(toks)), 0, -1):
        for i in range(len(toks) - n + 1):
            yield " ".join(toks[i : i + n]), i, i + n


def _typo_like(gram: str, key: str) -> bool:
    """True when a one-word variant only drops, swaps or doubles letters of the alias (a typo, not another word)."""
    if len(gram) < len(key):
        return Levenshtein.distance(gram, key) == len(key) - len(gram)  # deletions only
    if len(gram) == len(key) + 1:  # a doubled letter ("Pallantir") is a slip of the finger, not a new word
        return any(gram[i] == gram[i - 1] and gram[:i] + gram[i + 1 :] == key for i in range(1, len(gram)))
    if len(gram) == len(key) and {gram[-2:], key[-2:]} in VARIANT_ENDINGS and gram[:-2] == key[:-2]:
        return False  # "-el" for "-le", "-re" for "-er": a spelling variant, another name ("Audibel")
    return len(gram) == len(key) and Levenshtein.distance(gram, key) > OSA.distance(gram, key)  # a swap


def _token_distance(gram: Sequence[str], key: Sequence[str], total_budget: int) -> int | None:
    """Sum of per-token edit distances, or None if any token exceeds its own budget (none up to 4 letters)."""
    total = 0
    for a, b in zip(gram, key, strict=True):
        if a == b:
            continue
        budget = edit_budget(len(b))
        # A first letter is rarely mistyped in a short word; a different one makes a different word.
        if budget == 0 or (a[0] != b[0] and len(b) < 9):
            return None
        d = OSA.distance(a, b, score_cutoff=budget)
        if d > budget:
            return None
        total += d
    return total if total <= total_budget else None


def _considered(m: Match, outcome: str, reason: str) -> Considered:
    return Considered(m.pledge, m.entity, m.brand, m.matched, m.method, m.score, outcome, reason)
