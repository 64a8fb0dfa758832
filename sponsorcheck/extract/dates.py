"""The page's own date: the year of the event it describes, or of its publication, read from the page itself.

A brand Amazon bought counts only on pages from the year it was bought; a brand it sold only on pages up to
the sale (watchlist.Brand.counts_in). This module says which year a page is about, and from what, so a
finding can say which date it used. Sources, most telling first:

1. JSON-LD: an Event's `startDate` (the event is what a sponsor list belongs to), then `datePublished`
   or `dateCreated` of anything on the page;
2. a publication date in a <meta> tag (`article:published_time`, `datePublished`, `date`, `dc.date` …);
3. the first <time datetime="…"> element;
4. a year in the <title>, or else in the first <h1> ("Sommerfest 2019 — Sponsoren"), when it is the only one.

A modification date (`dateModified`) is not the page's date: an old page touched up keeps its old sponsors.
A year range or two different years in a title ("2019–2020") say nothing about which one is meant.
No date at all is the common case; then the page has none (None) and the finding says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

# Years a sponsor page can plausibly be dated: outside these, a four-digit number is something else.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100
# JSON-LD types that are an event (schema.org Event and its subtypes used by festivals, venues, conferences).
EVENT_TYPE_WORDS = ("event", "festival")
# JSON-LD keys that date the page, in order: the event's start, then its publication.
JSONLD_EVENT_DATE = "startDate"
JSONLD_PAGE_DATES = ("datePublished", "dateCreated")
# <meta> names, properties and itemprops that carry a publication date (Open Graph article, schema.org
# microdata, Dublin Core, and the common plain "date"/"pubdate").
META_DATE_NAMES = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publish-date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.issued",
)
# A year standing alone in a title or heading (not part of a longer number, a phone number or a size).
YEAR_IN_TEXT = re.compile(r"(?<![\d.,:/-])((?:19|20)\d\d)(?!\d|[.,:/-]\d)")
# An ISO-style date or date-time starts with its year ("2019-12-06", "2019-12-06T18:00:00-08:00", "2019").
YEAR_AT_START = re.compile(r"\s*((?:19|20)\d\d)(?:\b|-|$)")
MAX_JSONLD_DEPTH = 20

_METAS = etree.XPath("//meta[@content]")
_FIRST_TIME = etree.XPath("(//time[@datetime])[1]")
_FIRST_H1 = etree.XPath("(//h1)[1]")


@dataclass(frozen=True)
class PageDate:
    """The year a page is about, and how it was read (said in findings: "its JSON-LD Event startDate 2019-12-06")."""

    year: int
    source: str


def page_date(root: etree._Element, jsonld: Iterable[str] = ()) -> PageDate | None:
    """The page's own year from its structured data, meta tags, <time> or title; None when it gives none."""
    return (
        _from_jsonld(jsonld)
        or _from_meta(root)
        or _from_time(root)
        or _from_heading(root.find(".//title"), "its title")
        or _from_heading(_first(_FIRST_H1(root)), "its main heading")
    )


def year_of(value: object) -> int | None:
    """The year an ISO-style date or date-time starts with, when it is a plausible page year."""
    if not isinstance(value, str):
        return None
    found = YEAR_AT_START.match(value)
    if found is None:
        return None
    year = int(found.group(1))
    return year if EARLIEST_YEAR <= year <= LATEST_YEAR else None


def _from_jsonld(texts: Iterable[str]) -> PageDate | None:
    event: PageDate | None = None
    published: PageDate | None = None
    for text in texts:
        try:
            data = json.loads(text or "")
        except (ValueError, RecursionError):
            continue
        for obj in _objects(data, 0):
            if event is None and _is_event(obj.get("@type")):
                year = year_of(obj.get(JSONLD_EVENT_DATE))
                if year is not None:
                    kind = _type_name(obj.get("@type"))
                    event = PageDate(year, f"its JSON-LD {kind} startDate {str(obj[JSONLD_EVENT_DATE]).strip()}")
            if published is None:
                for key in JSONLD_PAGE_DATES:
                    year = year_of(obj.get(key))
                    if year is not None:
                        published = PageDate(year, f"its JSON-LD {key} {str(obj[key]).strip()}")
                        break
    return event or published


def _objects(data: object, depth: int) -> Iterator[dict[str, object]]:
    if depth > MAX_JSONLD_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _objects(value, depth + 1)


def _is_event(kind: object) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and any(w in k.casefold() for w in EVENT_TYPE_WORDS) for k in kinds)


def _type_name(kind: object) -> str:
    kinds = [k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)]
    return kinds[0] if kinds else "Event"


def _from_meta(root: etree._Element) -> PageDate | None:
    for meta in _METAS(root):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().casefold()
        if key in META_DATE_NAMES:
            content = meta.get("content", "")
            year = year_of(content)
            if year is not None:
                return PageDate(year, f'its <meta {key}="{content.strip()}">')
    return None


def _from_time(root: etree._Element) -> PageDate | None:
    el = _first(_FIRST_TIME(root))
    if el is None:
        return None
    value = el.get("datetime", "")
    year = year_of(value)
    return PageDate(year, f'its <time datetime="{value.strip()}">') if year is not None else None


def _from_heading(el: etree._Element | None, where: str) -> PageDate | None:
    if el is None:
        return None
    text = " ".join("".join(el.itertext()).split())
    years = {int(y) for y in YEAR_IN_TEXT.findall(text)}
    years = {y for y in years if EARLIEST_YEAR <= y <= LATEST_YEAR}
    if len(years) != 1:
        return None  # none, or a range / two years: which one the sponsors belong to is not said
    return PageDate(years.pop(), f"a year in {where} {text[:80]!r}")


def _first(found: object) -> etree._Element | None:
    return found[0] if isinstance(found, list) and found else None
