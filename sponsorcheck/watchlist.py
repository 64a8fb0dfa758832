"""Load and validate watchlist files (one file = one pledge).

A watchlist is edited by people, so every fault is reported with the file, the entry and the
problem, and a hostile file (an alias-expansion "billion laughs" bomb, a huge file, a regex that
cannot compile) is refused before it can cost time or memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import re2
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sponsorcheck.errors import WatchlistError
from sponsorcheck.files import read_user_text

# A watchlist is a few hundred entries; anything far larger is a mistake or an attack.
MAX_WATCHLIST_BYTES = 2_000_000
# Anchors and aliases are legitimate YAML, but a document that expands to more nodes than this is a
# "billion laughs" bomb: it is refused by counting, before anything is expanded.
MAX_EXPANDED_NODES = 200_000
# The repository copy, used by an editable install; the wheel carries sponsorcheck/data/watchlist.yaml.
REPO_WATCHLIST = Path(__file__).resolve().parent.parent / "watchlist.yaml"

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """Where a fact comes from: one source per claim, with the date someone actually read it."""

    url: str
    title: str = ""
    verified: date | None = None  # the date the page was read, not the date of the fact
    claim: str = ""  # the fact this source supports ("acquired in 2018"); empty for the entry as a whole
    via: str = ""  # how it was read when not live, e.g. "stored copy"


class Demand(_Strict):
    """One demand of the pledge: the letter's words when `quoted`, else a paraphrase; our notes apart."""

    id: str = Field(pattern=ID_PATTERN)
    text: str
    quoted: bool = False  # `text` is the letter's own words
    editorial: str = ""  # anything we add (never inside `text`), e.g. which product a demand means

    @property
    def display(self) -> str:
        """The demand as a reader should see it: quoted or marked paraphrase, our note apart in brackets."""
        text = f"\u201c{self.text.strip()}\u201d" if self.quoted else f"{self.text.strip()} (paraphrase)"
        return text + (f" [editorial: {self.editorial}]" if self.editorial else "")


class Pledge(_Strict):
    """The pledge itself: who wrote it, what it rules out and until when."""

    name: str
    organiser: str = ""  # who wrote the letter
    published_with: str = ""  # who published or organised it with them
    url: str = ""
    date: str = ""
    summary: str = ""
    holds_until: str = ""  # the condition under which signatories would play again
    partnerships: tuple[str, ...] = ()  # what the letter counts as a partnership or engagement
    sources: tuple[Source, ...] = ()
    demands: tuple[Demand, ...] = ()


# Exclude patterns run on RE2 (google-re2), a linear-time engine: no pattern can backtrack, so a
# nested quantifier such as (a+)+ costs time in proportion to the name, like any other. What RE2
# cannot do (back-references, look-around) is refused with a one-line error when the file is read;
# a pattern's compiled program is capped (RE2_MAX_MEM), so a huge counted repeat is refused too.
MAX_PATTERN_CHARS = 300
RE2_MAX_MEM = 1 << 20  # bytes for one compiled pattern; the watchlist's patterns need a few kilobytes
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = RE2_MAX_MEM
_RE2_OPTIONS.log_errors = False  # faults are reported once, by the watchlist error, not on stderr by RE2


def compile_pattern(pattern: str) -> Any:
    """The RE2 program for one exclude pattern; raises ValueError with a readable reason."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        hint = ""
        if "perl operator" in detail or "escape sequence" in detail:
            hint = " (look-around and back-references are not supported: write the pattern without them)"
        elif "pattern too large" in detail or "repetition" in detail:
            hint = " (the pattern is too large: split it or use smaller repeat counts)"
        raise ValueError(
            f"exclude pattern {pattern[:80]!r} is not a valid regular expression for RE2: {detail}{hint}"
        ) from None


RE2_SET_MAX_MEM = 64 << 20  # bytes for the Set of all patterns of a run (RE2's own default is 8 MB)


def pattern_set(patterns: Iterable[str]) -> Any:
    """One RE2 Set over many exclude patterns (one linear-time pass says which match), or None if too large."""
    options = re2.Options()
    options.max_mem = RE2_SET_MAX_MEM
    options.log_errors = False
    compiled = re2.Set.SearchSet(options)
    try:
        for pattern in patterns:
            compiled.Add(pattern)
        compiled.Compile()
    except re2.error:
        return None  # the caller checks the patterns one by one instead
    return compiled


def _check_patterns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        if len(pattern) > MAX_PATTERN_CHARS:
            raise ValueError(f"exclude pattern is longer than {MAX_PATTERN_CHARS} characters; split it into several")
        compile_pattern(pattern)
    return patterns


class _Named(_Strict):
    """Fields shared by entities and brands."""

    id: str = Field(pattern=ID_PATTERN)
    name: str
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()

    @field_validator("exclude")
    @classmethod
    def _valid_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_patterns(value)

    @field_validator("domains")
    @classmethod
    def _valid_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for domain in value:
            if not re.fullmatch(r"[a-z0-9*][a-z0-9.*-]*(/[^\s]*)?", domain):
                raise ValueError(f"domain {domain!r} must be a lower-case host name such as 'amazon.com' or 'amazon.*'")
        return value


STATUSES = ("operating", "closed", "renamed", "sold")
MIN_YEAR, MAX_YEAR = 1900, 2100


class Brand(_Named):
    """A brand, subsidiary, venue or event that belongs to an entity, with its lifecycle."""

    kind: Literal["brand", "subsidiary", "venue", "event", "program"] = "brand"
    relation: str = ""
    since: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)  # the year it became the entity's
    # Lifecycle: `until` is the year it closed, was renamed or was sold. A sold brand counts only on
    # pages dated before the sale; one bought later (`since`) only on pages dated after the purchase.
    until: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)
    status: Literal["operating", "closed", "renamed", "sold"] = "operating"
    former_names: tuple[str, ...] = ()  # earlier names, matched as strong aliases ("IMDb TV")
    successor: str = ""  # what replaced it ("Prime Video"), for closed and renamed brands

    @property
    def period(self) -> str:
        """Its time with the entity as people write it: "since 2014", "2013–2023, closed", "" when unknown."""
        if self.status == "operating":
            return f"since {self.since}" if self.since else ""
        span = f"{self.since}–{self.until}" if self.since else f"until {self.until}"
        if self.status == "renamed":
            return f"{span}, renamed {self.successor}"
        if self.status == "sold":
            return f"{span}, sold" + (f" to {self.successor}" if self.successor else "")
        return f"{span}, closed" + (f"; now {self.successor}" if self.successor else "")

    def counts_in(self, year: int) -> bool:
        """Whether the brand was the entity's in a page's year: not before `since`, not after a sale."""
        if self.since is not None and year < self.since:
            return False
        return not (self.status == "sold" and self.until is not None and year > self.until)

    # A weak alias that is the whole name of a logo in a sponsor list identifies this brand: true only for
    # product brands whose name no other sponsor is likely to carry as its logo (Alexa, Kindle, Fire TV).
    logo_identifies: bool = False


class Entity(_Named):
    """A watchlisted organisation."""

    reason: str
    demands: tuple[str, ...] = ()
    tlds: tuple[str, ...] = ()
    brands: tuple[Brand, ...] = ()


class Watchlist(_Strict):
    """One pledge and the entities it rules out."""

    schema_: int = Field(1, alias="schema")
    id: str = Field(pattern=ID_PATTERN)
    name: str
    version: str = ""
    pledge: Pledge
    entities: tuple[Entity, ...]
    path: str = ""  # filled in by the loader, not written in the file

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def entity(self, entity_id: str) -> Entity:
        """Return the entity with this id (KeyError if absent)."""
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        raise KeyError(entity_id)


class _NoDuplicateKeys:
    """A loader mix-in that refuses duplicate keys (YAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # In a file people edit, a second `aliases:` under one entity silently drops the first list.
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r}; keep one of them", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)  # type: ignore[misc]


class _StrictLoader(_NoDuplicateKeys, yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys."""


# The bundled watchlist is read with libyaml's parser when PyYAML has it (the same safe constructor and
# duplicate-key check): 15 ms instead of 125 ms, paid by every command at start-up (measured). Only the
# bundled file: libyaml composes nested collections recursively in C, so a user's file nested 100,000
# deep would crash the process instead of raising RecursionError.
if hasattr(yaml, "CSafeLoader"):

    class _BundledLoader(_NoDuplicateKeys, yaml.CSafeLoader):
        """libyaml's safe loader that refuses duplicate keys."""

else:  # pragma: no cover - PyYAML without libyaml
    _BundledLoader = _StrictLoader  # type: ignore[misc,assignment]


def _expanded_size(root: yaml.Node) -> int:
    """Nodes the document has once aliases are expanded, counted without expanding them.

    Iterative (a deeply nested file must not hit Python's recursion limit); a recursive alias, which
    would expand for ever, raises WatchlistError.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # the nodes whose children are being counted: the current path
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_counted = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if children_counted:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > MAX_EXPANDED_NODES:
                return sizes[key]  # already too big: no need to count the rest
            continue
        if key in open_nodes:
            raise WatchlistError("a YAML alias refers to the item that contains it; remove the recursive alias")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _safe_load(text: str, bundled: bool = False) -> Any:
    """yaml.safe_load that refuses alias-expansion bombs and duplicate keys before constructing anything."""
    loader = _BundledLoader(text) if bundled else _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_EXPANDED_NODES:
            raise WatchlistError(
                f"uses YAML anchors and aliases that expand to more than {MAX_EXPANDED_NODES:,} items "
                "(an expansion bomb?); write the entries out"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _format_validation(path: str, exc: ValidationError, data: Any) -> str:
    err = exc.errors()[0]
    loc = err.get("loc", ())
    where = _describe_location(loc, data)
    msg = err.get("msg", "invalid")
    if err.get("type") == "extra_forbidden":
        msg = f"unknown key {loc[-1]!r}"
    elif err.get("type") == "missing":
        msg = f"missing required key {loc[-1]!r}"
    more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
    return f"{path}: {where}: {msg}{more}"


_SINGULAR = {
    "entities": "entity",
    "brands": "brand",
    "sources": "source",
    "demands": "demand",
    "aliases": "alias",
    "weak_aliases": "weak alias",
    "domains": "domain",
    "exclude": "pattern",
}


def _describe_location(loc: tuple[Any, ...], data: Any) -> str:
    """Turn ('entities', 0, 'brands', 3, 'name') into 'entity "amazon", brand "twitch", key name'."""
    parts: list[str] = []
    node = data
    for i, key in enumerate(loc):
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            item = node[key]
            label = _SINGULAR.get(str(loc[i - 1]), str(loc[i - 1])) if i else "item"
            ident = item.get("id") if isinstance(item, dict) else None
            parts.append(f'{label} "{ident}"' if ident else f"{label} #{key + 1}")
            node = item
        elif isinstance(key, str):
            node = node.get(key) if isinstance(node, dict) else None
            nxt = loc[i + 1] if i + 1 < len(loc) else None
            if not isinstance(nxt, int):
                parts.append(f"key {key!r}" if parts else key)
    return ", ".join(parts) or "top level"


def load_yaml(text: str, path: str, what: str, bundled: bool = False) -> Any:
    """YAML text as data, safely (no expansion bombs, no deep nesting); faults as one-line WatchlistErrors."""
    try:
        return _safe_load(text, bundled)
    except WatchlistError as exc:
        raise WatchlistError(f"{path}: {exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise WatchlistError(f"{path}:{line}: YAML syntax error: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise WatchlistError(f"{path}: not valid YAML: {exc}") from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise WatchlistError(f"{path}: lists or mappings nested too deeply to be {what}") from None


def parse_watchlist(text: str, path: str = "<watchlist>", *, bundled: bool = False) -> Watchlist:
    """Parse and validate watchlist YAML text; raises WatchlistError naming the file, entry and fault."""
    if len(text) > MAX_WATCHLIST_BYTES:
        raise WatchlistError(f"{path}: file is larger than {MAX_WATCHLIST_BYTES // 1_000_000} MB; is it a watchlist?")
    data = load_yaml(text, path, "a watchlist", bundled)
    if not isinstance(data, dict):
        raise WatchlistError(f"{path}: expected a mapping with keys id, name, pledge, entities")
    try:
        watchlist = Watchlist.model_validate({**data, "path": path})
    except ValidationError as exc:
        raise WatchlistError(_format_validation(path, exc, data)) from None
    _check_consistency(watchlist, path)
    return watchlist


def _check_consistency(watchlist: Watchlist, path: str) -> None:
    seen: set[str] = set()
    demand_ids = {d.id for d in watchlist.pledge.demands}
    _check_sources(watchlist.pledge.sources, f"{path}: pledge")
    for entity in watchlist.entities:
        if entity.id in seen:
            raise WatchlistError(f'{path}: entity "{entity.id}": duplicate id')
        seen.add(entity.id)
        if not entity.sources:
            raise WatchlistError(f'{path}: entity "{entity.id}": no sources; every entry needs a source saying why')
        _check_sources(entity.sources, f'{path}: entity "{entity.id}"')
        for demand in entity.demands:
            if demand_ids and demand not in demand_ids:
                raise WatchlistError(f'{path}: entity "{entity.id}": unknown demand {demand!r}')
        for brand in entity.brands:
            if brand.id in seen:
                raise WatchlistError(f'{path}: entity "{entity.id}", brand "{brand.id}": duplicate id')
            seen.add(brand.id)
            if not brand.sources:
                raise WatchlistError(
                    f'{path}: entity "{entity.id}", brand "{brand.id}": no sources; every entry needs a source'
                )
            _check_sources(brand.sources, f'{path}: entity "{entity.id}", brand "{brand.id}"')
            problem = lifecycle_problem(brand)
            if problem:
                raise WatchlistError(f'{path}: entity "{entity.id}", brand "{brand.id}": {problem}')


def _check_sources(sources: Sequence[Source], where: str) -> None:
    # One source per claim: a source someone read (it has a date) says which fact it supports, so a date
    # alone (the first round's stamp on every entry) can never again pass for a reading.
    for source in sources:
        if source.verified is not None and not source.claim.strip():
            raise WatchlistError(
                f"{where}: source {source.url} has a `verified` date but no `claim`; say which fact it supports"
            )


# A year inside a relation reads against the period written after it ("split in 2025 ..., since 2021"):
# dates belong in since/until/status, dated details in the entry's comments and sources.
_RELATION_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


def lifecycle_problem(brand: Brand) -> str:
    """Why a brand's lifecycle fields contradict each other ("" when they agree)."""
    year = _RELATION_YEAR.search(brand.relation)
    if year:
        return (
            f"relation names the year {year.group(0)}; the period (since/until/status) is written after it, "
            "so keep years out of the relation"
        )
    if brand.status == "operating":
        if brand.until is not None:
            return f"until: {brand.until} is set but status is operating; set status to closed, renamed or sold"
        return ""
    if brand.until is None:
        return f"status {brand.status} needs `until`, the year it was {brand.status}"
    if brand.since is not None and brand.until < brand.since:
        return f"until: {brand.until} is before since: {brand.since}"
    if brand.status == "renamed" and not brand.successor:
        return "status renamed needs `successor`, the new name"
    return ""


def load_watchlist(path: str | Path) -> Watchlist:
    """Read and validate one watchlist file; raises WatchlistError if it is missing or invalid."""
    text = read_user_text(path, error=WatchlistError, what="a watchlist file", max_bytes=MAX_WATCHLIST_BYTES)
    return parse_watchlist(text, str(path))


def default_watchlist_text() -> tuple[str, str]:
    """Return (text, origin) of the bundled No Music for ICE watchlist: wheel data, else the repository file."""
    try:
        bundled = resources.files("sponsorcheck").joinpath("data/watchlist.yaml")
        if bundled.is_file():
            return bundled.read_text(encoding="utf-8"), str(bundled)
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - depends on install layout
        pass
    if REPO_WATCHLIST.is_file():
        return REPO_WATCHLIST.read_text(encoding="utf-8"), str(REPO_WATCHLIST)
    raise WatchlistError("the bundled watchlist.yaml is missing from this installation; pass --watchlist PATH")


_DEFAULT_CACHE: list[Watchlist] = []


def load_default() -> Watchlist:
    """Return the bundled default watchlist (parsed once per process)."""
    if not _DEFAULT_CACHE:
        text, origin = default_watchlist_text()
        _DEFAULT_CACHE.append(parse_watchlist(text, origin, bundled=True))
    return _DEFAULT_CACHE[0]


def load_watchlists(paths: Iterable[str | Path] | None) -> tuple[Watchlist, ...]:
    """Load the given watchlists (replacing the default), or the default when none is given."""
    paths = list(paths or [])
    if not paths:
        return (load_default(),)
    lists = tuple(load_watchlist(p) for p in paths)
    ids = [w.id for w in lists]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise WatchlistError(f"two watchlists share the id {dupes[0]!r}; each pledge needs its own id")
    return lists
