"""Load and validate watchlist files (one file = one pledge).

A watchlist is edited by people, so every fault is reported with the file, the entry and the
problem, and a hostile file (an alias-expansion "billion laughs" bomb, a huge file, a regex that
cannot compile) is refused before it can cost time or memory.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

if sys.version_info >= (3, 11):  # the parser behind `re` (3.11 moved it; the old names warn)
    import re._constants as sre_constants
    import re._parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse
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
    """Where a fact comes from."""

    url: str
    title: str = ""
    verified: date | None = None


class Demand(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    text: str


class Pledge(_Strict):
    name: str
    organiser: str = ""
    url: str = ""
    date: str = ""
    summary: str = ""
    demands: tuple[Demand, ...] = ()


def _check_patterns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        if len(pattern) > MAX_PATTERN_CHARS:
            raise ValueError(f"exclude pattern is longer than {MAX_PATTERN_CHARS} characters; split it into several")
        try:
            parsed = sre_parse.parse(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            raise ValueError(f"exclude pattern {pattern[:80]!r} is not a valid regular expression: {exc}") from None
        risk = _backtracking_risk(parsed.data, False)
        if risk:
            raise ValueError(
                f"exclude pattern {pattern[:80]!r} {risk}, which can take exponential time on a long name; "
                "rewrite it without (x+)+, (x*)* or (a|ab)+"
            )
    return patterns


# Python's `re` has no timeout, so a pattern that can backtrack catastrophically is refused when the
# watchlist is read, by looking at its parsed structure: a repeat that can run long (star height
# above one) around another repeat, or around alternatives that can start with the same character.
MAX_PATTERN_CHARS = 300
_LONG_REPEAT = 10  # a repeat allowing more iterations than this counts as unbounded


def _backtracking_risk(items: list, inside_long_repeat: bool) -> str | None:
    """Why a parsed pattern risks catastrophic backtracking, or None; nesting is bounded by re's own parser."""
    for op, arg in items:
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            _low, high, body = arg
            long_repeat = high is sre_constants.MAXREPEAT or high > _LONG_REPEAT
            if inside_long_repeat and high > 1:
                return "nests a quantifier inside a repeated group"
            if long_repeat and _ambiguous_branch(list(body)):
                return "repeats alternatives that can match the same text"
            risk = _backtracking_risk(list(body), inside_long_repeat or long_repeat)
        elif op is sre_constants.SUBPATTERN:
            risk = _backtracking_risk(list(arg[-1]), inside_long_repeat)
        elif op is sre_constants.BRANCH:
            risk = next((r for alt in arg[1] if (r := _backtracking_risk(list(alt), inside_long_repeat))), None)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            risk = _backtracking_risk(list(arg[1]), inside_long_repeat)
        else:  # literals, classes, anchors; possessive repeats and atomic groups never backtrack
            risk = None
        if risk:
            return risk
    return None


def _ambiguous_branch(items: list) -> bool:
    """True if a BRANCH among `items` (through groups) has two alternatives that can start alike."""
    for op, arg in items:
        if op is sre_constants.SUBPATTERN and _ambiguous_branch(list(arg[-1])):
            return True
        if op is sre_constants.BRANCH:
            firsts = [_first_chars(list(alt)) for alt in arg[1]]
            for i, a in enumerate(firsts):
                for b in firsts[i + 1 :]:
                    if a is None or b is None or a & b:
                        return True
    return False


def _first_chars(items: list) -> set[int] | None:
    """The characters an alternative can start with, or None for 'anything' (classes, empties, groups)."""
    if not items:
        return None
    op, arg = items[0]
    if op is sre_constants.LITERAL:
        return {arg}
    if op is sre_constants.IN and all(kind is sre_constants.LITERAL for kind, _ in arg):
        return {value for _, value in arg}
    return None


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


class Brand(_Named):
    """A brand, subsidiary, venue or event that belongs to an entity."""

    kind: Literal["brand", "subsidiary", "venue", "event", "program"] = "brand"
    relation: str = ""
    since: int | None = None
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


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (YAML would silently keep the last one)."""

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
        return super().construct_mapping(node, deep)


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


def _safe_load(text: str) -> Any:
    """yaml.safe_load that refuses alias-expansion bombs and duplicate keys before constructing anything."""
    loader = _StrictLoader(text)
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


def load_yaml(text: str, path: str, what: str) -> Any:
    """YAML text as data, safely (no expansion bombs, no deep nesting); faults as one-line WatchlistErrors."""
    try:
        return _safe_load(text)
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


def parse_watchlist(text: str, path: str = "<watchlist>") -> Watchlist:
    """Parse and validate watchlist YAML text; raises WatchlistError naming the file, entry and fault."""
    if len(text) > MAX_WATCHLIST_BYTES:
        raise WatchlistError(f"{path}: file is larger than {MAX_WATCHLIST_BYTES // 1_000_000} MB; is it a watchlist?")
    data = load_yaml(text, path, "a watchlist")
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
    for entity in watchlist.entities:
        if entity.id in seen:
            raise WatchlistError(f'{path}: entity "{entity.id}": duplicate id')
        seen.add(entity.id)
        if not entity.sources:
            raise WatchlistError(f'{path}: entity "{entity.id}": no sources; every entry needs a source saying why')
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
        _DEFAULT_CACHE.append(parse_watchlist(text, origin))
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
