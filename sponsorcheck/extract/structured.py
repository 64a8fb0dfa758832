"""Structured data: sponsors, funders and organisers declared in JSON-LD."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from sponsorcheck.extract.document import clean
from sponsorcheck.extract.units import Builder
from sponsorcheck.models import IDENTITY, SECTION, Evidence, Role
from sponsorcheck.normalize import host_of


def from_jsonld(texts: Iterable[str]) -> Iterator[Builder]:
    """Builders for every sponsor, funder (sponsors) and organizer (identity) in the page's JSON-LD blocks."""
    for text in texts:
        try:
            data = json.loads(text or "")
        except (ValueError, RecursionError):
            continue
        yield from _jsonld_walk(data, 0)


def _jsonld_walk(data: object, depth: int) -> Iterator[Builder]:
    if depth > 20:
        return
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_walk(item, depth + 1)
    elif isinstance(data, dict):
        for key, role in (("sponsor", Role.SPONSOR), ("funder", Role.SPONSOR), ("organizer", Role.IDENTITY)):
            value = data.get(key)
            for org in value if isinstance(value, list) else [value]:
                name = org.get("name") if isinstance(org, dict) else org if isinstance(org, str) else None
                if isinstance(name, str) and name.strip():
                    b = Builder(name=clean(name), in_context=True, role=role, tier=f"JSON-LD {key}")
                    b.context = IDENTITY if role is Role.IDENTITY else SECTION
                    b.evidence.append(Evidence("jsonld", f"{key}: {name}"))
                    url = org.get("url") if isinstance(org, dict) else None
                    if isinstance(url, str) and host_of(url):
                        b.domains.append(host_of(url) or "")
                        b.evidence.append(Evidence("link", url))
                    yield b
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _jsonld_walk(value, depth + 1)
