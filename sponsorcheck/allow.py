"""Allowlists: a person's decision that one finding does not count, with a reason and an expiry date.

An entry names a sponsor (as written on pages, compared in normal form) or a domain, the entity it
concerns and why; an allowed finding stays visible (level "allowed") but no longer decides the
verdict. Entries expire so that a decision is looked at again; an expired entry no longer applies
and produces a warning the CLI prints. Files are validated like watchlists: one readable line
naming the file, the entry and the fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sponsorcheck.errors import WatchlistError
from sponsorcheck.files import read_user_text
from sponsorcheck.normalize import host_of, normalize_name
from sponsorcheck.watchlist import MAX_WATCHLIST_BYTES, Watchlist, load_yaml

# An allowlist holds a handful of entries written by a person; a larger file is a mistake.
MAX_ALLOWLIST_BYTES = 1_000_000

DEFAULT_ALLOW_FILE = ".sponsorcheck-allow.yaml"  # read from the working directory when present
TOP_LEVEL_KEY = "allow"


class AllowEntry(BaseModel):
    """One decision: this sponsor or domain, for this entity, does not count until `expires`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sponsor: str | None = None
    domain: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
    entity: str
    reason: str = Field(min_length=1)
    expires: date | None = None
    pledge: str | None = None  # limit to one watchlist id; any pledge when absent

    @model_validator(mode="after")
    def _one_subject(self) -> AllowEntry:
        if bool(self.sponsor) == bool(self.domain):
            raise ValueError("give exactly one of 'sponsor' or 'domain'")
        return self

    @property
    def label(self) -> str:
        """How a person refers to this entry in a message."""
        return f"{self.sponsor or self.domain!r} ({self.entity})"


class _AllowFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    allow: tuple[AllowEntry, ...] = ()


@dataclass(frozen=True)
class AllowlistFile:
    """One allowlist file that was read: where, how many entries apply today, and whether it was read
    without being asked for (`.sponsorcheck-allow.yaml` in the working directory)."""

    path: str
    entries: int
    implicit: bool = False


@dataclass(frozen=True)
class Allowlist:
    """The entries that apply today, from one or more files."""

    entries: tuple[AllowEntry, ...] = ()
    paths: tuple[str, ...] = ()
    files: tuple[AllowlistFile, ...] = ()

    def reason_for(self, pledge: str, entity: str, sponsor: str, hosts: Iterable[str] = ()) -> str | None:
        """The reason an entry allows this sponsor/host for this entity, or None if none applies."""
        if not self.entries:
            return None
        norm = normalize_name(sponsor)
        host_list = [h.lower().rstrip(".") for h in hosts]
        for e in self.entries:
            if e.entity != entity or (e.pledge and e.pledge != pledge):
                continue
            if e.sponsor and normalize_name(e.sponsor) == norm:
                return e.reason
            if e.domain and any(h == e.domain or h.endswith("." + e.domain) for h in host_list):
                return e.reason
        return None

    def check_entities(self, watchlists: Sequence[Watchlist]) -> None:
        """Raise WatchlistError when an entry names an entity or pledge no loaded watchlist has (a typo)."""
        known = {(w.id, e.id) for w in watchlists for e in w.entities}
        for e in self.entries:
            if not any(ent == e.entity and (e.pledge in (None, pledge)) for pledge, ent in known):
                where = f" in pledge {e.pledge!r}" if e.pledge else ""
                raise WatchlistError(
                    f"allowlist: entry {e.label}: unknown entity {e.entity!r}{where}; "
                    f"known: {', '.join(sorted({ent for _, ent in known}))}"
                )


def parse_allowlist(text: str, path: str, today: date) -> tuple[Allowlist, tuple[str, ...]]:
    """Validate allowlist YAML; returns the entries in force and warnings for expired ones."""
    if len(text) > MAX_WATCHLIST_BYTES:
        raise WatchlistError(f"{path}: file is too large to be an allowlist")
    data: Any = load_yaml(text, path, "an allowlist")
    if data is None:
        return Allowlist((), (path,)), ()
    if isinstance(data, list):
        data = {TOP_LEVEL_KEY: data}
    if not isinstance(data, dict):
        raise WatchlistError(f"{path}: expected a list of entries under 'allow:'")
    try:
        parsed = _AllowFile.model_validate(data)
    except ValidationError as exc:
        raise WatchlistError(f"{path}: {_describe(exc, data)}") from None
    live: list[AllowEntry] = []
    warnings: list[str] = []
    for entry in parsed.allow:
        if entry.expires is not None and entry.expires < today:
            warnings.append(
                f"{path}: allowlist entry {entry.label} expired on {entry.expires.isoformat()} and no longer applies"
            )
        else:
            live.append(entry)
    return Allowlist(tuple(live), (path,)), tuple(warnings)


def _describe(exc: ValidationError, data: dict[str, Any]) -> str:
    err = exc.errors()[0]
    loc = err.get("loc", ())
    parts: list[str] = []
    if len(loc) >= 2 and loc[0] == TOP_LEVEL_KEY and isinstance(loc[1], int):
        items = data.get(TOP_LEVEL_KEY) or []
        item = items[loc[1]] if loc[1] < len(items) else None
        subject = (item.get("sponsor") or item.get("domain")) if isinstance(item, dict) else None
        parts.append(f"entry #{loc[1] + 1}" + (f" {subject!r}" if subject else ""))
        loc = loc[2:]
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        msg = f"unknown key {loc[-1]!r} (allowed: sponsor, domain, entity, reason, expires, pledge)"
    elif err.get("type") == "missing":
        msg = f"missing required key {loc[-1]!r}"
    elif loc:
        msg = f"key {loc[-1]!r}: {msg}"
    more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
    return ", ".join([*parts, msg]) + more


def load_allowlists(
    paths: Iterable[str | Path], today: date, implicit: Iterable[str | Path] = ()
) -> tuple[Allowlist, tuple[str, ...]]:
    """Read and merge allowlist files; raises WatchlistError naming the file and fault. `implicit` names
    the files read without being asked for, so reports can say so."""
    entries: list[AllowEntry] = []
    used: list[str] = []
    files: list[AllowlistFile] = []
    warnings: list[str] = []
    unasked = {str(p) for p in implicit}
    for raw in dict.fromkeys(str(p) for p in paths):
        p = Path(raw)
        text = read_user_text(p, error=WatchlistError, what="an allowlist file", max_bytes=MAX_ALLOWLIST_BYTES)
        allow, warns = parse_allowlist(text, str(p), today)
        entries.extend(allow.entries)
        used.append(str(p))
        files.append(AllowlistFile(str(p), len(allow.entries), raw in unasked))
        warnings.extend(warns)
    return Allowlist(tuple(entries), tuple(used), tuple(files)), tuple(warnings)


def allowlist_paths(given: Sequence[str | Path] | None, cwd: Path) -> list[Path]:
    """The files to read: those given with --allow, plus `.sponsorcheck-allow.yaml` in `cwd` when it exists."""
    paths = [Path(p) for p in given or ()]
    default = cwd / DEFAULT_ALLOW_FILE
    if default.is_file():
        paths.append(default)
    return paths


def hosts_of(evidence_texts: Iterable[str]) -> list[str]:
    """Hosts of the URLs among evidence texts (links, logo files, the page address)."""
    out = []
    for text in evidence_texts:
        if "://" in text:
            host = host_of(text)
            if host:
                out.append(host)
    return out
