"""The whole-page watchlist sweep: every occurrence of a loaded watchlist's names and domains, wherever it stands.

The section walk (`sections`, `units`) reads what the page presents as its sponsors; whatever it does not
recognise as a sponsor section it never reads. The sweep is the second pass, independent of it: it looks
for the watchlists' own terms everywhere a visitor can reach — link and image addresses (href, src,
srcset, lazy-load attributes, CSS url(), form actions, embedded players), alt/title/aria-label texts,
image file names, visible text including <title> and headings, <meta>/Open Graph content and every field
of JSON-LD — including elements hidden behind a tab, a carousel slide or an accordion. Comments,
<template>, <script> and <style> are not content (`document` removed them before the sweep runs).

Every occurrence is confirmed by the matcher (`match.Matcher`: strong aliases whole-word, weak aliases
case-aware and only with corroboration, look-alikes refused), and then given a context, decided knowing
the entity is watchlisted (`context_of`): inside a sponsor section, part of a logo grid, named with
sponsor phrasing, the event's own identity (its venue, organiser, banner); a recognised non-sponsorship
use (shop or stream link, hosting credit, a person's employer, a user group, a prize); or simply named
outside any sponsor list, which a person should review. Nothing the sweep confirms is dropped.

Linear time: one Aho-Corasick automaton per set of watchlists (ahocorasick-rs, a DFA; measured against
pyahocorasick and one compiled regex in benchmarks/sweep_bench.py) runs once over the page's bytes —
lower-cased for strong names and domains, as written for weak aliases, which are case-aware anyway. A
page that names no term costs that scan and nothing more. The spellings found are then located in the
content tree with one XPath over text nodes and one over attributes (C speed), and only those few
nodes are read in Python.
"""

from __future__ import annotations

import html
import json
import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import ahocorasick_rs
from lxml import etree

from sponsorcheck.extract.document import clean, only_element, text_of
from sponsorcheck.extract.links import (
    enough_grid_sites,
    grid_site,
    href_of,
    is_platform_profile,
    is_shortener,
    is_stream_profile,
    outbound,
    unwrap_redirect,
)
from sponsorcheck.extract.names import agrees_with_link, name_from_domain, name_from_filename
from sponsorcheck.extract.sections import State
from sponsorcheck.extract.units import Builder, cited_in_prose, explanation_after, sentence_lead, shared_alts
from sponsorcheck.extract.vocabulary import (
    AFFILIATE_PARAMS,
    BLOCK_CHARS,
    BLOCK_MIN_CHARS,
    COMMUNITY_GROUP_NOTE,
    COMMUNITY_GROUP_RE,
    CREDIT_NOTE,
    CSS_URL_RE,
    DATA_NAME_KEY_RE,
    DEEP_LINK_NOTE,
    EMPLOYER_NOTE,
    EMPLOYER_RE,
    FOOTER_STRIP_TIER,
    GRID_TIERS,
    HEADING_RANK,
    HERO_CLASS_RE,
    HIDDEN_CLASSES,
    LAZY_SRC_ATTRS,
    PEOPLE_HEADING_RE,
    PERSON_BEFORE_RE,
    PHRASE_RE,
    PRESENTS_RE,
    PRIZE_NOTE,
    PRIZE_RE,
    PSEUDO_HEADING_RANK,
    SECTIONING_TAGS,
    SENTENCE_INLINE_TAGS,
    SENTENCE_LEAD_CHARS,
    SHOP_DONATION_RE,
    SHOP_NOTE,
    SHOP_RE,
    SPONSOR_WORD_RE,
    STEM_RE,
    STREAM_NOTE,
    STREAM_PLATFORM_DOMAINS,
    STREAM_RE,
    SWEEP_MAX_HITS,
    SWEEP_MAX_OCCURRENCES,
    SWEEP_MAX_SPELLINGS,
    SWEEP_WINDOW_WORDS,
    TECH_CREDIT_RE,
    VENUE_RE,
)
from sponsorcheck.match import Matcher, is_strong
from sponsorcheck.models import GRID, IDENTITY, OUTSIDE, PHRASE, SECTION, Evidence, Match, Role
from sponsorcheck.normalize import fold, normalize_name, registrable_domain

# Attributes that hold an address (an occurrence there is a domain, or a logo file name).
URL_ATTRS = frozenset({"href", "src", "srcset", "action", "formaction", "poster", "data", "background", "cite"})
IMAGE_ATTRS = frozenset({"src", "srcset", "poster", "background", *LAZY_SRC_ATTRS})
# Attributes whose value a visitor reads (or hears, with a screen reader).
TEXT_ATTRS = frozenset({"alt", "title", "aria-label", "aria-description", "content", "label", "summary"})
# Attributes that are markup, not content: an occurrence there is never a sighting.
MARKUP_ATTRS = frozenset({"class", "id", "style", "rel", "type", "name", "for", "role", "lang", "dir"})
_SENTENCE_END = re.compile(r"(?<=[.!?;|•·])\s+|\s[–—]\s|\n")
_IMG_TAGS = frozenset({"img", "source", "picture", "svg", "image"})


# --------------------------------------------------------------------------------------------------
# The compiled term set (one per Matcher, so one per set of watchlists)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """The loaded watchlists' terms, compiled once: the byte automata for the page scan, one regex for the few
    texts located, and what each watchlisted brand is (a venue, an event…)."""

    lowered: Any  # ahocorasick_rs.BytesAhoCorasick over lower-cased strong names, anchors and domains
    lowered_terms: tuple[bytes, ...]
    cased: Any  # the same over weak aliases as written and in capitals (None when there are none)
    cased_terms: tuple[bytes, ...]
    names: re.Pattern[str]  # every name, whole-word, any spacing, case-insensitive (the matcher is case-aware)
    kinds: dict[tuple[str, str, str | None], str] = field(default_factory=dict)  # brand kind: venue, event…
    # A word scanned for only as part of names of several words ("artists" for "United Artists"), with what must
    # stand around it for one of those names to be there: (in text, in an attribute value). See `_compile`.
    anchors: dict[bytes, tuple[re.Pattern[str], re.Pattern[str]]] = field(default_factory=dict)
    # Per term of each automaton, what the scan asks of every occurrence: must its start (end) not continue a
    # word (it begins, ends with a letter or digit), and the attribute-value test of an anchor word (or None).
    lowered_tests: tuple[tuple[bool, bool, re.Pattern[str] | None], ...] = ()
    cased_tests: tuple[tuple[bool, bool, re.Pattern[str] | None], ...] = ()


_TERMS: weakref.WeakKeyDictionary[Matcher, Terms] = weakref.WeakKeyDictionary()


def terms_for(matcher: Matcher) -> Terms:
    """The sweep's compiled terms for this matcher's watchlists (built once per Matcher and cached)."""
    terms = _TERMS.get(matcher)
    if terms is None:
        terms = _TERMS[matcher] = _compile(matcher)
    return terms


def _compile(matcher: Matcher) -> Terms:
    strong: set[str] = set()
    weak: set[str] = set()
    hosts: set[str] = set()
    kinds: dict[tuple[str, str, str | None], str] = {}
    for wl in matcher.watchlists:
        for entity in wl.entities:
            for named in (entity, *entity.brands):
                brand = None if named is entity else named.id
                kinds[(wl.id, entity.id, brand)] = getattr(named, "kind", "entity")
                # As the matcher does: a display name that is also a weak alias ("Ring") stays weak.
                weak_norms = {normalize_name(w) for w in named.weak_aliases}
                for alias in (named.name, *named.aliases):
                    if normalize_name(alias) and normalize_name(alias) not in weak_norms:
                        strong.add(" ".join(alias.lower().split()))
                for alias in named.weak_aliases:
                    weak.update({alias, alias.upper()})
                for domain in named.domains:
                    host = domain.lower().split("/", 1)[0]
                    hosts.add(host[:-2] if host.endswith(".*") else host)
            hosts.update(f".{tld.lower().lstrip('.')}/" for tld in entity.tlds)
    # A name of several words may be split over lines in the page's source: its longest word is scanned for
    # too — unless one of its words is itself a name, or it contains a shorter name ("Whole Foods Market"
    # holds "Whole Foods"): then that one finds it.
    # (The words of weak aliases count as names here: the cased scan finds "Prime" in "Prime Video".)
    single = {t for t in strong if " " not in t} | {x for w in weak for x in w.lower().split()}
    multi = [t for t in strong if " " in t and not single.intersection(t.split())]
    minimal = [t for t in multi if not any(o != t and f" {o} " in f" {t} " for o in multi)]
    anchors: dict[str, list[str]] = {}
    for t in minimal:
        words = t.split()
        anchor = max(range(len(words)), key=lambda i: (len(words[i]), i))  # the longest, the later on a tie
        if len(words[anchor]) >= 4:
            anchors.setdefault(words[anchor], []).append(t)
    lowered_terms = tuple(sorted({t.encode() for t in (*strong, *anchors, *hosts) if t}, key=len, reverse=True))
    # Such a word is often a common one ("artists", "systems", "climate"): a line-up links to hundreds of
    # /artists/… pages. A sighting of it counts only when one of its names stands there, written with any
    # spacing in text (`names` reads text with \s+ between words), with any separators in an attribute value
    # (a file name "united-artists.png", "Climate%20Pledge%20Arena.svg" becomes a name). Only words of letters
    # are tested so: the automaton's longest match of such a word never hides another term's whole-word match.
    anchor_tests = {
        word.encode(): (
            re.compile("|".join(r"\s+".join(map(re.escape, n.split())) for n in anchored), re.IGNORECASE),
            re.compile("|".join(_ANY_SEPARATOR.join(map(re.escape, n.split())) for n in anchored), re.IGNORECASE),
        )
        for word, anchored in anchors.items()
        if word.isascii() and word.isalpha() and word not in strong
    }
    cased_terms = tuple(sorted({t.encode() for t in weak if t}, key=len, reverse=True))
    names = sorted({*strong, *(w.lower() for w in weak)}, key=len, reverse=True)
    pattern = r"(?<![^\W_])(?:" + "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in names) + r")(?![^\W_])"
    return Terms(
        lowered=_automaton(lowered_terms),
        lowered_terms=lowered_terms,
        cased=_automaton(cased_terms),
        cased_terms=cased_terms,
        names=re.compile(pattern, re.IGNORECASE),
        kinds=kinds,
        anchors=anchor_tests,
        lowered_tests=tuple(_tests(t, anchor_tests.get(t)) for t in lowered_terms),
        cased_tests=tuple(_tests(t, None) for t in cased_terms),
    )


def _tests(term: bytes, anchored: tuple[re.Pattern[str], re.Pattern[str]] | None) -> tuple[bool, bool, Any]:
    return term[:1].isalnum(), term[-1:].isalnum(), anchored[1] if anchored else None


# What may stand between two words of a name in an attribute value and still make them one name: any run of
# characters that are not letters or digits, or percent-escapes (a file name is unquoted before it is read).
_ANY_SEPARATOR = r"(?:[\W_]|%[0-9A-Fa-f]{2})+"


def _automaton(terms: tuple[bytes, ...]) -> Any:
    if not terms:
        return None
    return ahocorasick_rs.BytesAhoCorasick(
        list(terms),
        matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
        implementation=ahocorasick_rs.Implementation.DFA,
    )


@dataclass
class Scan:
    """Where the page's bytes name a term: attribute values (by tag, attribute and exact value) and the
    spellings that stand in text."""

    attributes: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # tag -> {(attribute, value)}
    texts: set[str] = field(default_factory=set)  # spellings seen outside any tag
    loose: set[str] = field(default_factory=set)  # spellings in a tag that could not be read: searched everywhere
    places: int = 0  # distinct places filed so far (kept as they are filed: the scan asks after every occurrence)

    def __bool__(self) -> bool:
        return bool(self.attributes or self.texts or self.loose)

    def size(self) -> int:
        """Distinct places found (repeats of one spelling or one attribute value count once)."""
        return self.places

    def add(self, where: set[Any], what: Any) -> None:
        """File one place in one of the sets above, counting it when it is new."""
        if what not in where:
            where.add(what)
            self.places += 1


_ATTRIBUTE_RE = re.compile(rb"""([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_TAG_NAME_RE = re.compile(rb"<([A-Za-z][A-Za-z0-9-]*)")
_XPATH_NAME_RE = re.compile(r"^[A-Za-z_][\w.-]*$")
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + bytes(range(0x80, 0x100)))


def scan(text: str, terms: Terms, encoded: bytes | None = None) -> Scan:
    """Every whole-word occurrence of a term in the page's bytes, from one pass of each automaton, sorted into
    attribute values (read from the tag around it) and text.

    Case is kept so the tree can be searched exactly. Markup attributes (class, id…) are skipped; at most
    SWEEP_MAX_SPELLINGS distinct places and SWEEP_MAX_OCCURRENCES occurrences are read, so a page repeating a
    term endlessly still costs one scan. `encoded`: the text's UTF-8 bytes, when the caller has them already.
    """
    raw = encoded if encoded is not None else text.encode("utf-8", "replace")
    lowered = raw.lower()  # ASCII only: same length, so offsets agree with the original bytes
    out = Scan()
    seen = 0
    # Each automaton runs over the content's byte ranges in turn, read in place (a memoryview: no copy of the
    # page). A range's ends count as word ends: what one pass over the ranges joined with a newline between them
    # finds, as no term holds a newline (one that did could only match across two ranges, over a removed block).
    ranges = list(_content_ranges(lowered))
    for automaton, tests, haystack in (
        (terms.lowered, terms.lowered_tests, lowered),
        (terms.cased, terms.cased_tests, raw),
    ):
        if automaton is None:
            continue
        view = memoryview(haystack)
        for first, last in ranges:
            for index, start, end in automaton.find_matches_as_indexes(view[first:last]):
                word_start, word_end, anchored = tests[index]
                start += first
                end += first
                # A term that starts (ends) with a letter or digit must not continue a word there.
                if word_start and start > first and haystack[start - 1] in _WORD_BYTES:
                    continue
                if word_end and end < last and haystack[end] in _WORD_BYTES:
                    continue
                seen += 1
                if seen > SWEEP_MAX_OCCURRENCES or out.places >= SWEEP_MAX_SPELLINGS:
                    return out  # a hostile page of endless repeats: what was found already leads to the nodes
                _place(raw, start, end, out, anchored)
    return out


_BLOCK_OPEN_RE = re.compile(rb"<(script|style)\b")


def _content_ranges(lowered: bytes) -> Iterator[tuple[int, int]]:
    """The byte ranges outside <script> and <style> blocks (often most of a page's bytes, and never content;
    JSON-LD is read from the blocks the parser kept): one regex pass for the openings, a find for each end."""
    pos = 0
    for opening in _BLOCK_OPEN_RE.finditer(lowered):
        if opening.start() < pos:
            continue  # "<script" written inside a script block
        closing = b"</" + opening.group(1)
        closed = lowered.find(closing, opening.end())
        yield pos, opening.start()
        if closed == -1:
            return  # an unclosed block runs to the end of the page, as the parser reads it
        pos = closed + len(closing)
    yield pos, len(lowered)


def _place(raw: bytes, start: int, end: int, out: Scan, anchored: re.Pattern[str] | None = None) -> None:
    """File one occurrence: inside a tag, under its tag and attribute with the attribute's whole value; else text.
    An anchor word (`Terms.anchors`) in an attribute value is filed only when the value holds one of its names."""
    opened = raw.rfind(b"<", 0, start)
    if opened == -1 or raw.rfind(b">", opened, start) != -1:
        out.add(out.texts, raw[start:end].decode("utf-8", "replace"))
        return
    closed = raw.find(b">", end)
    tag = _TAG_NAME_RE.match(raw, opened)
    if closed == -1 or tag is None:
        out.add(out.loose, raw[start:end].decode("utf-8", "replace"))
        return
    for attribute in _ATTRIBUTE_RE.finditer(raw, opened, closed):
        group = attribute.lastindex or 0  # the one of groups 2-4 (double, single or no quotes) that matched
        if attribute.start(group) <= start and end <= attribute.end(group):
            name = attribute.group(1).decode("ascii", "replace").lower()
            if name in MARKUP_ATTRS and name != "style":
                return  # class="aws-grid", id="twitch": markup, never a sighting (and never crowds one out)
            value = html.unescape(attribute.group(group).decode("utf-8", "replace"))
            if anchored is not None and not anchored.search(value):
                return  # href="/artists/…" names no one (and never crowds out a real sighting)
            if _XPATH_NAME_RE.match(name):
                out.add(out.attributes.setdefault(tag.group(1).decode().lower(), set()), (name, value))
            else:
                out.add(out.loose, raw[start:end].decode("utf-8", "replace"))
            return
    out.add(out.loose, raw[start:end].decode("utf-8", "replace"))  # a ">" inside a value, a comment or a script


def spellings(text: str, terms: Terms) -> list[str]:
    """The occurrences' spellings, as the page writes them ("AWS", "twitch.tv", "Amazon") (for benchmarks)."""
    found = scan(text, terms)
    return sorted(found.texts | found.loose | {v for pairs in found.attributes.values() for _n, v in pairs})


# --------------------------------------------------------------------------------------------------
# Locating the occurrences in the content tree
# --------------------------------------------------------------------------------------------------


def _xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ', "\'", '.join(f"'{p}'" for p in text.split("'")) + ")"


def _located_attributes(
    root: etree._Element, found: Scan, links: list[tuple[etree._Element, str]] | None = None
) -> Iterator[tuple[etree._Element, str, str]]:
    """(element, attribute, value) for every attribute value the scan read: the tag's elements only (lxml's C
    iteration by tag), each tested for the exact values (cheaper than an XPath predicate over every node).
    In document order, and within one element in the order its attributes are written (so the evidence
    of one logo is listed the same way on every run, whatever the string hashes)."""
    for tag, pairs in found.attributes.items():
        wanted: dict[str, set[str]] = {}
        for name, value in pairs:
            wanted.setdefault(name, set()).add(value)
        names = tuple(wanted.items())
        count = 0
        if len(names) == 1:  # one attribute (a link's href): one lookup per element, the loop below inlined
            ((name, values),) = names
            if tag == "a" and name == "href" and links is not None and only_element(root):
                for el, value in links:  # the page's links, read once for every stage (`page_links`)
                    if value in values:
                        yield el, name, value
                        count += 1
                        if count >= SWEEP_MAX_HITS:
                            break
                continue
            for el in root.iter(tag):
                value = el.get(name)
                if value is not None and value in values:
                    yield el, name, value
                    count += 1
                    if count >= SWEEP_MAX_HITS:
                        break
            continue
        for el in root.iter(tag):
            here = [(name, value) for name, values in names if (value := el.get(name)) is not None and value in values]
            if len(here) > 1:  # as written in the tag (the set of names has no order of its own)
                order = el.keys()
                here.sort(key=lambda pair: order.index(pair[0]))
            for name, value in here:
                yield el, name, value
                count += 1
            if count >= SWEEP_MAX_HITS:
                break


def _located_texts(
    root: etree._Element,
    spellings: Iterable[str],
    body_text: str,
    terms: Terms | None = None,
    lowered: str | None = None,
) -> list[Any]:
    """Text nodes (smart strings) holding a spelling that the content's text has (one query for all). An anchor
    word counts only where the text also holds one of its names: a text node cannot hold what the whole text
    does not. `lowered`: body_text.lower(), when the caller has it (the names are then looked for in it)."""
    in_lowered = lowered is not None and _lowering_agrees(body_text)
    head = root.find("head")
    title = (head.findtext("title") or "") if head is not None else ""
    anchors = terms.anchors if terms is not None else {}
    named: dict[bytes, bool] = {}  # anchor word → the text holds one of its names (asked once per word)

    def holds_name(spelling: str) -> bool:
        word = spelling.lower().encode()
        anchored = anchors.get(word)
        if anchored is None:
            return True
        if word not in named:
            in_text = _case_sensitive(anchored[0]) if in_lowered else None
            if in_text is not None and lowered is not None:
                named[word] = bool(in_text.search(lowered) or anchored[0].search(title))
            else:
                named[word] = bool(anchored[0].search(body_text) or anchored[0].search(title))
        return named[word]

    wanted = [s for s in spellings if s.strip() and (s in body_text or s in title) and holds_name(s)]
    if not wanted:
        return []
    test = " or ".join(f"contains(., {_xpath_literal(s)})" for s in wanted)
    return root.xpath(f"//text()[{test}]")[:SWEEP_MAX_HITS]


# The only characters Python's case-insensitive matching pairs with an ASCII letter that str.lower() does not turn
# into that letter (İ lower-cases to two characters): a text without them holds an ASCII name case-insensitively
# exactly where its lower-cased copy holds it as written.
_FOLDING_APART = ("\u0130", "\u0131", "\u017f")
_CASE_SENSITIVE: dict[str, re.Pattern[str] | None] = {}


def _lowering_agrees(text: str) -> bool:
    return text.isascii() or not any(c in text for c in _FOLDING_APART)


def _case_sensitive(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The case-insensitive `pattern` (ASCII, lower case) as a case-sensitive one, to run over lower-cased text
    (several times faster: a literal start is found at C speed); None for a pattern that is not ASCII lower case."""
    source = pattern.pattern
    if source not in _CASE_SENSITIVE:
        plain = source.isascii() and source == source.lower() and pattern.flags & re.IGNORECASE
        _CASE_SENSITIVE[source] = re.compile(source, pattern.flags & ~re.IGNORECASE) if plain else None
    return _CASE_SENSITIVE[source]


def _located_loose(root: etree._Element, spellings: Iterable[str]) -> list[Any]:
    """Attribute values holding a spelling the scan could not place (a rare, slower query)."""
    test = " or ".join(f"contains(., {_xpath_literal(s)})" for s in spellings if s.strip())
    return root.xpath(f"//@*[{test}]")[:SWEEP_MAX_HITS] if test else []


# --------------------------------------------------------------------------------------------------
# One occurrence, confirmed, with its context
# --------------------------------------------------------------------------------------------------


@dataclass
class _Hit:
    """One confirmed occurrence: where it is, what it says around it, and what matched."""

    element: etree._Element
    kind: str  # evidence kind: text, img-alt, img-file, link, title, aria-label, meta, embed, form, jsonld, css-bg…
    name: str  # as the page writes it (or a readable name from the address or file)
    signal: str  # the evidence text: the sentence, the alt text, the address
    match: Match
    before: str = ""  # the words before the name in its sentence
    after: str = ""
    host: str = ""  # the link's host, for links
    url: str = ""
    refused: str = ""  # the matcher refused the name in its sentence for this reason (a user group)
    jsonld_key: str = ""


@dataclass
class Page:
    """What the sweep needs to know about the page, beyond the tree: given by the orchestrator."""

    root: etree._Element
    base: str
    base_site: str | None
    scope_of: Callable[[etree._Element], State | None]  # the section walk's sponsor/prize scope, if any
    matcher: Matcher | None = None
    cache: dict[tuple[str, etree._Element], Any] = field(default_factory=dict)  # per-element answers, asked once

    def once(self, what: str, el: etree._Element, compute: Callable[[], Any]) -> Any:
        """compute() for this question about this element, remembered (a logo's signals ask the same things)."""
        key = (what, el)
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    # The section walk's headings, (element, text); `headings()` sorts them by source line when first asked.
    heading_texts: list[tuple[etree._Element, str]] = field(default_factory=list)
    _by_line: list[tuple[int, str, etree._Element]] | None = None

    def headings(self) -> list[tuple[int, str, etree._Element]]:
        """(sourceline, text, element) of every heading with a source line, by line (read only when a sighting
        outside any tier asks for its nearest heading: most pages never do)."""
        if self._by_line is None:
            self._by_line = sorted(
                ((el.sourceline or 0, t, el) for el, t in self.heading_texts if el.sourceline), key=lambda h: h[0]
            )
        return self._by_line


def sweep(
    text: str,
    root: etree._Element,
    jsonld: Iterable[str],
    base: str,
    base_site: str | None,
    matcher: Matcher,
    scope_of: Callable[[etree._Element], State | None],
    headings: Iterable[tuple[etree._Element, str]] = (),
    embeds: Iterable[tuple[str, str, etree._Element]] = (),
    body_text: str = "",
    encoded: bytes | None = None,
    links: list[tuple[etree._Element, str]] | None = None,
    lowered_text: str | None = None,
) -> list[Builder]:
    """A Builder for every confirmed occurrence of a watchlisted name or domain in the page's content, with its
    context; [] quickly when the page's bytes hold no term at all."""
    terms = terms_for(matcher)
    jsonld = [block for block in jsonld if scan(block, terms)]  # (blocks that name no term are not walked)
    found = scan(text, terms, encoded)
    builders: list[Builder] = []
    if not found and not jsonld:
        return builders
    page = Page(root, base, base_site, scope_of, matcher)
    page.heading_texts = list(headings)
    hits: list[_Hit] = []
    if found:
        for node in _located_texts(root, found.texts | found.loose, body_text, terms, lowered_text):
            hits.extend(_text_hits(node, terms, matcher))
        for el, name, value in _located_attributes(root, found, links):
            hits.extend(_attr_hits(el, name, value, page, terms, matcher))
        for value in _located_loose(root, found.loose):
            hits.extend(_attr_hits(value.getparent(), value.attrname, str(value), page, terms, matcher))
        for tag, url, parent in embeds:
            hits.extend(_url_hits(parent, "embed", url, matcher, page, tag=tag))
    for block in jsonld:
        hits.extend(_jsonld_hits(block, root, terms, matcher))
    # One logo is one sighting: its link, image file, alt text and caption are grouped per entity, and the
    # group counts with its strongest context (sponsorship, then a recognised other use, then outside).
    groups: dict[tuple[etree._Element, str, str], list[tuple[_Hit, tuple[str, Role, str | None, str | None]]]] = {}
    for hit in hits:
        unit = _unit_of(hit.element)
        groups.setdefault((unit, hit.match.pledge, hit.match.entity), []).append((hit, context_of(hit, page, terms)))
    for group in groups.values():
        builders.append(_builder(group, page))
    return builders


def _unit_of(el: etree._Element) -> etree._Element:
    """The logo or entry an element belongs to: its link (a few levels up at most), else itself."""
    for depth, anc in enumerate((el, *el.iterancestors())):
        if depth > 3:
            break
        if anc.tag == "a":
            return anc
    return el


def _owner(node: Any) -> etree._Element | None:
    parent = node.getparent()
    if parent is None:
        return None
    return parent if node.is_text else parent.getparent()


def _text_hits(node: Any, terms: Terms, matcher: Matcher, kind: str = "text") -> Iterator[_Hit]:
    owner = _owner(node)
    if owner is None or not isinstance(owner.tag, str):
        return
    text = str(node)
    if owner.tag == "title" and owner.getparent() is not None and owner.getparent().tag == "head":
        kind = "page-title"
    lead = ""
    if not node.is_text:
        # Text after an inline element continues its sentence ("<a>Buy the album</a> on Amazon."): the element's
        # words are the start of the name's sentence, though names in them are that element's own hits.
        trailed = node.getparent()
        if trailed.tag in SENTENCE_INLINE_TAGS:
            lead = clean(text_of(trailed))[-SENTENCE_LEAD_CHARS:]
    yield from _name_hits(owner, kind, f"{lead} {text}" if lead else text, terms, matcher, len(lead) + 1 if lead else 0)


def _name_hits(
    owner: etree._Element, kind: str, text: str, terms: Terms, matcher: Matcher, start: int = 0
) -> Iterator[_Hit]:
    """Occurrences of names in one short text from `start` on, each confirmed by the matcher within its own
    sentence (which may begin before `start`)."""
    for m in terms.names.finditer(text, start):
        sentence_start = _sentence_start(text, m.start())
        sentence_end = _sentence_end(text, m.end())
        before_words = text[sentence_start : m.start()].split()[-SWEEP_WINDOW_WORDS:]
        after_words = text[m.end() : sentence_end].split()[:SWEEP_WINDOW_WORDS]
        span = " ".join(m.group(0).split())
        clause = " ".join([*before_words, span, *after_words])
        sentence = clean(text[sentence_start:sentence_end])[:300]
        confirmed = _confirm(matcher, clause, span, sentence)
        refused = ""
        if not confirmed and COMMUNITY_GROUP_RE.search(clause):
            # A user group named after a product ("AWS User Group Berlin"): the matcher refuses the group as
            # the company, and so do we, but the user sees it was read and why it does not count.
            confirmed = [x for x in matcher.match_name(span, sentence) if is_strong(x) and x.method != "fuzzy"]
            refused = COMMUNITY_GROUP_NOTE
        for match in confirmed[:1]:
            yield _Hit(
                owner,
                kind,
                span,
                sentence or span,
                match,
                before=text[sentence_start : m.start()],
                after=text[m.end() : sentence_end],
                refused=refused,
            )


def _sentence_start(text: str, pos: int) -> int:
    starts = [mm.end() for mm in _SENTENCE_END.finditer(text, 0, pos)]
    return starts[-1] if starts else 0


def _sentence_end(text: str, pos: int) -> int:
    mm = _SENTENCE_END.search(text, pos)
    return mm.start() if mm else len(text)


def _confirm(matcher: Matcher, clause: str, span: str, context: str) -> list[Match]:
    """The matcher's strong, exact matches for the name within its clause (look-alike words around it refuse it)
    that concern the name itself, not a neighbour."""
    span_tokens = set(normalize_name(span).split())
    out = []
    for m in matcher.match_name(clause, context):
        if not is_strong(m) or m.method == "fuzzy":
            continue
        if span_tokens.intersection(normalize_name(m.matched).split()) or normalize_name(m.matched).replace(
            " ", ""
        ) == "".join(sorted(span_tokens)):
            out.append(m)
    return out


def _attr_hits(
    el: etree._Element | None, name: str, text: str, page: Page, terms: Terms, matcher: Matcher
) -> Iterator[_Hit]:
    if el is None or not isinstance(el.tag, str) or (name in MARKUP_ATTRS and name != "style"):
        return
    tag = el.tag
    if name == "style":
        for url in CSS_URL_RE.findall(text):
            yield from _file_hits(el, "css-bg", url, matcher, terms.names)
        return
    if name == "content" and tag == "meta":
        if text.strip().startswith(("http://", "https://", "//")):
            yield from _file_hits(el, "meta", text.strip(), matcher, terms.names)
            yield from _url_hits(el, "meta", text.strip(), matcher, page)
        else:
            yield from _name_hits(el, "meta", text, terms, matcher)
        return
    if name in IMAGE_ATTRS and (tag in _IMG_TAGS or name not in URL_ATTRS):
        for src in text.split(",") if "srcset" in name else [text]:
            src = src.strip().split(" ")[0] if src.strip() else ""
            if src and not src.startswith("data:"):
                yield from _file_hits(el, "img-file", src, matcher, terms.names)
        return
    if name in URL_ATTRS or text.strip().startswith(("http://", "https://", "www.")):
        kind = {"form": "form", "iframe": "embed", "embed": "embed", "object": "embed"}.get(tag, "link")
        yield from _url_hits(el, kind, text.strip(), matcher, page)
        return
    if name in TEXT_ATTRS or DATA_NAME_KEY_RE.match(name):
        kind = {"alt": "img-alt", "title": "title", "aria-label": "aria-label"}.get(name, "data-attr")
        yield from _name_hits(el, kind, text, terms, matcher)


def _file_hits(el: etree._Element, kind: str, src: str, matcher: Matcher, names: re.Pattern[str]) -> Iterator[_Hit]:
    """A logo file named after a watchlisted name ("img/sponsors/aws-logo@2x.png")."""
    name = name_from_filename(src)
    if not name or not names.search(name):
        return  # a file named after no watchlisted name (most logos): nothing to ask the matcher
    for m in matcher.match_name(name, "", caseless=True):  # a file name has no letter case to trust
        if is_strong(m) and m.method != "fuzzy":
            yield _Hit(el, kind, name, src, m, url=src)
            return


def _url_hits(el: etree._Element, kind: str, url: str, matcher: Matcher, page: Page, tag: str = "") -> Iterator[_Hit]:
    """A link, form action or embedded player on a watchlisted domain."""
    if url.startswith("www."):
        url = "http://" + url
    href = unwrap_redirect(href_of(el, page.base) if kind == "link" and el.get("href") == url else url)
    if href.startswith("//"):
        href = "http:" + href
    host = outbound(href, page.base_site) if href.startswith(("http://", "https://")) else None
    if not host:
        return
    for m in matcher.match_url(href):
        # What the link says, and the sentence around it, decide what it is ("Buy the album on Amazon").
        own = _link_words(el) if kind == "link" else ""
        parent = el.getparent()
        # The sentence a link stands in: its parent's words, unless the parent is a whole region (a footer or
        # section holding the link among other blocks is no sentence about it).
        in_sentence = parent is not None and kind == "link" and parent.tag not in REGION_TAGS
        around = clean(text_of(parent)[:2000])[:300] if in_sentence else ""
        yield _Hit(el, kind, name_from_domain(host), href, m, before=around, after=own, host=host, url=href)
        return


def _link_words(link: etree._Element) -> str:
    """What a link says: its text, and the alt/title/aria texts of the link and the images inside it."""
    words = [clean(text_of(link)[:2000])[:200]]
    for el in (link, *link.iter("img", "svg", "span", "i")):
        words += [el.get(a) or "" for a in ("alt", "title", "aria-label")]
    return clean(" ".join(words))[:300]


def _jsonld_hits(block: str, root: etree._Element, terms: Terms, matcher: Matcher) -> Iterator[_Hit]:
    """Every string in the page's JSON-LD, with the key path it stands under."""
    try:
        data = json.loads(block or "")
    except (ValueError, RecursionError):
        return
    holder = root.find("head")
    holder = holder if holder is not None else root
    for path, value in _strings(data, (), 0):
        key = next((k for k in reversed(path) if not k.isdigit() and k not in ("name", "@type")), "")
        if value.startswith(("http://", "https://")):
            for m in matcher.match_url(value):
                yield _Hit(holder, "jsonld", value, f"{key}: {value}", m, url=value, jsonld_key=".".join(path))
                break
            continue
        for hit in _name_hits(holder, "jsonld", value, terms, matcher):
            hit.signal = f"{key}: {value}"[:300]
            hit.jsonld_key = ".".join(path)
            yield hit


def _strings(data: object, path: tuple[str, ...], depth: int) -> Iterator[tuple[tuple[str, ...], str]]:
    if depth > 20:
        return
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, list):
        for i, item in enumerate(data[:500]):
            yield from _strings(item, (*path, str(i)), depth + 1)
    elif isinstance(data, dict):
        for k, v in list(data.items())[:500]:
            yield from _strings(v, (*path, str(k)), depth + 1)


# --------------------------------------------------------------------------------------------------
# Context: decided now that the entity is known to be watchlisted
# --------------------------------------------------------------------------------------------------


# Regions whose words are no sentence about one link standing directly in them.
REGION_TAGS = SECTIONING_TAGS | {"header"}


# The note on a sponsor-list logo whose text names the entity while its link leads elsewhere (a review).
DISAGREES = "its text names the entity, its link another site"
_STRENGTH = {SECTION: 3, GRID: 3, PHRASE: 3, IDENTITY: 3, OUTSIDE: 1}


def _strength(context: tuple[str, Role, str | None, str | None]) -> int:
    name, role, _note, _tier = context
    return 2 if role is Role.MENTION else _STRENGTH.get(name, 1)


# Which sighting names a logo's group: its written words first, then a file name, then an address.
_ADDRESS_RANK = 2
_NAMING_RANK = {"img-file": 1, "css-bg": 1, "link": _ADDRESS_RANK, "embed": _ADDRESS_RANK, "form": _ADDRESS_RANK}


def _builder(group: list[tuple[_Hit, tuple[str, Role, str | None, str | None]]], page: Page) -> Builder:
    best_hit, (context, role, note, tier) = max(group, key=lambda pair: _strength(pair[1]))
    # A name as the page writes it (alt text, caption) reads better than one made from a file name, and that
    # better than one made from a link's domain (whatever order the logo's attributes are written in).
    named = min((h for h, _ in group), key=lambda h: _NAMING_RANK.get(h.kind, 0))
    if _NAMING_RANK.get(named.kind) == _ADDRESS_RANK:
        named = best_hit
    evidence: list[Evidence] = []
    domains: list[str] = []
    for hit, _ctx in group:
        where = _where(hit, page, tier if context in (SECTION, GRID, PHRASE) else None)
        ev = Evidence(hit.kind, hit.signal[:300], where)
        if ev not in evidence:
            evidence.append(ev)
        if hit.host and hit.kind == "link" and hit.host not in domains:
            domains.append(hit.host)
    doubt = note == DISAGREES
    b = Builder(
        name=named.name,
        evidence=evidence,
        domains=domains,
        in_context=context in (SECTION, GRID, PHRASE) and not doubt,  # a doubt is for a person: review
        tier=tier,
        role=role,
        note=note,
    )
    b.context = context
    b.swept = True
    state = page.scope_of(best_hit.element)
    b.past = bool(state and state.past and context == SECTION)
    return b


def context_of(hit: _Hit, page: Page, terms: Terms) -> tuple[str, Role, str | None, str | None]:
    """(context, role, mention note, tier) for one confirmed occurrence, in this order: a recognised sponsor
    section; the event's identity; a logo grid; sponsor phrasing; a recognised non-sponsorship use (hosting
    credit, user group, shop or stream link, employer, prize); otherwise outside any sponsor list (review)."""
    el = hit.element
    sentence = f"{hit.before} {hit.name} {hit.after}"
    if hit.kind in ("img-file", "css-bg"):
        # A logo's file name is read with the logo's own words: "/b/aws.svg" with alt "Powered by AWS" is the
        # same credit badge its alt text is, not a sponsor logo of its own.
        sentence += " " + " ".join(el.get(a) or "" for a in ("alt", "title", "aria-label"))
    credit = TECH_CREDIT_RE.search(sentence)
    # "Powered by" is sponsor phrasing under a sponsor heading; "hosted on", "built with" never are.
    pure_credit = credit is not None and credit.group(0).lower() != "powered by"
    phrase = _sponsor_phrase(hit)
    state = page.scope_of(el)
    if hit.refused:
        return OUTSIDE, Role.MENTION, hit.refused, None
    if state is not None and state.kind == "sponsor":
        strip = not state.tier or state.tier == FOOTER_STRIP_TIER
        # Inside a sponsor list a brand's own product verbs ("watch live on Twitch") never demote it; a hosting
        # credit is still a credit ("Website hosted on AWS" under "Supported by"), and so is a badge row's
        # "Powered by" where no sponsor heading stands over it.
        if (pure_credit and not phrase) or (credit is not None and strip and not phrase):
            return SECTION, Role.MENTION, CREDIT_NOTE, state.tier
        if _shop(hit, page, sentence, campaign_links=not strip):
            return SECTION, Role.MENTION, SHOP, state.tier
        if hit.kind == "link" and _cited(hit):
            return SECTION, Role.MENTION, DEEP_LINK, state.tier  # a book or article a card's blurb cites
        headingless = strip or state.tier in GRID_TIERS
        if headingless and (
            STREAM_RE.search(hit.after if hit.kind == "link" else sentence) or _to_stream_page(hit, page)
        ):
            return SECTION, Role.MENTION, STREAM, state.tier  # a "Listen on …" badge in a grid no heading names
        if STREAM_RE.search(sentence) and not _beside_logo(hit.element):
            # A sentence in the section about where the event streams ("opening ceremony streamed at twitch.tv/…")
            # is a stream link; a card with the brand's logo saying "watch live on Twitch" is the brand as sponsor.
            return SECTION, Role.MENTION, STREAM, state.tier
        if _link_disagrees(hit, page):
            if page.once("copied", hit.element, lambda: _copied_text(hit, page)):
                # The same alt text on several different logos linking to different places (a template's alt
                # copied onto every logo) names none of them, as the section walk reads it: the links decide.
                # The sighting is still shown, not counted.
                return SECTION, Role.MENTION, COPIED, state.tier
            # An alt text copied from another logo ("Amazon Smile logo" on a link to a trust): the link decides
            # who the sponsor is, but a watchlisted name on the logo is for a person to look at, never dropped.
            return SECTION, Role.SPONSOR, DISAGREES, state.tier
        return (GRID if state.tier in GRID_TIERS else SECTION), Role.SPONSOR, None, state.tier
    if state is not None and state.kind == "prize" and not phrase:
        return OUTSIDE, Role.MENTION, PRIZE_NOTE, state.tier
    if _link_disagrees(hit, page):
        # Outside any sponsor list the link decides: shown, so the user sees it was read, but not counted.
        return OUTSIDE, Role.MENTION, DISAGREES, None
    identity = _identity(hit, page, terms)
    if identity:
        return IDENTITY, Role.IDENTITY, None, identity
    if _shop(hit, page, sentence):
        return OUTSIDE, Role.MENTION, SHOP, None
    if hit.kind in ("link", "img-file", "img-alt", "title", "aria-label") and page.once(
        "grid", el, lambda: _in_grid(el, page)
    ):
        if credit is not None and not phrase:
            return OUTSIDE, Role.SPONSOR, None, None  # "Powered by AWS" among partner logos: a person should look
        if _links_to_platform(el, page):
            # The event's channel on a watchlisted platform among partner logos, with no heading to say they are
            # sponsors: never dropped as a stream link, never a conflict on the row's shape alone.
            return OUTSIDE, Role.SPONSOR, None, None
        if STREAM_RE.search(hit.after if hit.kind == "link" else sentence) or _to_stream_page(hit, page):
            # A badge that says so itself ("Listen on Amazon Music"), or links to an artist's page on a streaming
            # service, among other logos, with no sponsor heading over them: a listen link, not a partner's logo
            # (as in a grid the section walk found: the same reading whichever box holds the badge).
            return OUTSIDE, Role.MENTION, STREAM, None
        return GRID, Role.SPONSOR, None, "a row of partner logos"
    if phrase:
        return PHRASE, Role.SPONSOR, None, phrase
    if credit is not None:
        return OUTSIDE, Role.MENTION, CREDIT_NOTE, None
    use = _non_sponsorship_use(hit, page)
    if use:
        return OUTSIDE, Role.MENTION, use, None
    return OUTSIDE, Role.SPONSOR, None, None


# The note on a sponsor-list logo whose text is written on several logos and whose link leads elsewhere.
COPIED = "its text is written on several different logos and names none of them; its link leads to another site"
_TEXT_ATTRIBUTE = {"img-alt": "alt", "title": "title", "aria-label": "aria-label"}


def _copied_text(hit: _Hit, page: Page) -> bool:
    """The occurrence is an alt/title text that the page writes on logos of several different image files which
    do not all link to one place (`units.shared_alts`, the section walk's rule for copied alt texts)."""
    attribute = _TEXT_ATTRIBUTE.get(hit.kind)
    text = clean(hit.element.get(attribute)).casefold() if attribute else ""
    if not text:
        return False
    units = {
        _unit_of(img): None
        for img in page.root.iter("img", "source")
        if text in (clean(img.get("alt")).casefold(), clean(img.get("title")).casefold())
    }
    return text in shared_alts(units)


def _cited(hit: _Hit) -> bool:
    """The occurrence is a text link cited inside a sentence, to a page deep in a site its words do not name
    (`units.cited_in_prose`, the section walk's rule)."""
    el = hit.element
    if el.tag != "a" or _HOLDS_LOGO(el):
        return False
    try:
        parts = urlsplit(hit.url)
    except ValueError:
        return False
    return cited_in_prose(el, clean(text_of(el)), parts.hostname or "", parts.path)


def _to_stream_page(hit: _Hit, page: Page) -> bool:
    """The occurrence is (inside) a link to an artist's or channel's page on a streaming service."""
    link = hit.element if hit.element.tag == "a" else next(hit.element.iterancestors("a"), None)
    return link is not None and is_stream_profile(href_of(link, page.base))


def _links_to_platform(el: etree._Element, page: Page) -> bool:
    """The element is (inside) a link to a channel or profile on a platform (twitch.tv/<channel>)."""
    link = el if el.tag == "a" else next(el.iterancestors("a"), None)
    if link is None:
        return False
    href = href_of(link, page.base)
    host = outbound(href, page.base_site)
    return bool(host) and is_platform_profile(host or "", urlsplit(href).path)


def _link_disagrees(hit: _Hit, page: Page) -> bool:
    """A logo's text names the entity but its link leads to a site that is not the entity's and not named so."""
    if hit.kind not in ("img-alt", "title", "aria-label", "img-file", "css-bg"):
        return False
    link = _unit_of(hit.element)
    if link.tag != "a":
        return False
    host = outbound(href_of(link, page.base), page.base_site)
    if not host or page.matcher is None or is_shortener(host):
        return False  # a short link hides where it leads: it cannot disagree with the logo's name
    if any(m.entity == hit.match.entity for m in page.matcher.match_url(host)):
        return False
    return not agrees_with_link(hit.name, host)


def _sponsor_phrase(hit: _Hit) -> str | None:
    """The sponsor phrasing an occurrence is named with: in its sentence, its image's path or texts, or the
    name followed by "presents"."""
    if PRESENTS_RE.match(hit.after):
        return f"{hit.name} presents"
    # Credit phrases are not sponsor phrasing here ("Powered by AWS" in a footer is a technology credit).
    texts = [TECH_CREDIT_RE.sub(" ", f"{hit.before} {hit.after}")]
    el = hit.element
    if hit.kind in ("img-file", "img-alt", "title", "aria-label", "css-bg", "link"):
        texts += [TECH_CREDIT_RE.sub(" ", el.get(a) or "") for a in ("alt", "title", "aria-label")]
        texts += [el.get("src") or "", hit.url]
    for text in texts:
        words = " ".join(re.findall(r"[^\W_]+", fold(text)))
        padded = f" {words} "
        found = PHRASE_RE.search(padded) or SPONSOR_WORD_RE.search(padded) or STEM_RE.search(padded)
        if found:
            if (hit.kind == "link" and text == hit.url) and not _path_says_sponsor(hit.url):
                continue  # a link's own host ("partnerize.example") is not phrasing
            start = padded.rfind(" ", 0, found.start() + 1) + 1
            end = padded.find(" ", found.end() - 1 if found.group(0).endswith(" ") else found.end())
            return f"“{padded[start:end].strip()}”"
    return None


def _path_says_sponsor(url: str) -> bool:
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    words = " ".join(re.findall(r"[^\W_]+", fold(path)))
    return bool(STEM_RE.search(f" {words} ") or SPONSOR_WORD_RE.search(f" {words} "))


def _identity(hit: _Hit, page: Page, terms: Terms) -> str | None:
    """The event's own identity: a venue or event brand in the page title or main heading, "live at"/"venue:"
    text, JSON-LD location or organizer, the page's own banner or hero logo."""
    m = hit.match
    kind = terms.kinds.get((m.pledge, m.entity, m.brand), "")
    key = hit.jsonld_key.lower()
    if "location" in key or "organizer" in key or "organiser" in key:
        return "the event's venue or organiser (JSON-LD)"
    if kind in ("venue", "event") and (hit.kind == "page-title" or _inside(hit.element, "h1")):
        return "the event's venue" if kind == "venue" else "the event itself"
    if hit.kind in ("text", "page-title", "meta") and VENUE_RE.search(hit.before or _label_before(hit.element)):
        return "the event's venue"
    if hit.kind in ("img-file", "img-alt", "css-bg", "title", "aria-label") and page.once(
        "banner", hit.element, lambda: _in_banner(hit.element, page)
    ):
        return "the event's own banner or header logo"
    return None


def _label_before(el: etree._Element) -> str:
    """The words right before an element that opens with the name: its label ("<dt>Venue:</dt><dd>…") or its
    parent's leading text ("Live at <b>…</b>")."""
    prev = el.getprevious()
    if prev is not None and isinstance(prev.tag, str):
        return clean(text_of(prev)[-80:] + " " + (prev.tail or ""))
    parent = el.getparent()
    return clean(parent.text) if parent is not None else ""


def _inside(el: etree._Element, tag: str) -> bool:
    return el.tag == tag or any(a.tag == tag for a in el.iterancestors())


def _in_banner(el: etree._Element, page: Page) -> bool:
    """An image in the page's own header or hero block (not in its navigation, not a link to a profile)."""
    for anc in (el, *el.iterancestors()):
        tag = anc.tag
        if tag in ("nav", "footer", "article", "aside"):
            return False
        if tag == "a":
            href = href_of(anc, page.base)
            host = outbound(href, page.base_site)
            if host and _is_profile(host, href):
                return False  # the event's own channel or social icon
        if tag == "header" or HERO_CLASS_RE.search(f"{anc.get('class', '')} {anc.get('id', '')}"):
            return tag == "header" or anc.tag not in HEADING_RANK
        if tag == "section":
            return False
    return False


def _is_profile(host: str, href: str) -> bool:
    try:
        return is_platform_profile(host, urlsplit(href).path)
    except ValueError:
        return False


def _in_grid(el: etree._Element, page: Page) -> bool:
    """Part of a logo grid: its link and at least two sibling outbound logo links, to distinct sites."""
    link = el if el.tag == "a" else next((a for a in el.iterancestors("a")), None)
    if link is None or not link.get("href") or not _HOLDS_LOGO(link):
        return False  # a text link is no logo
    box = link
    for _ in range(3):
        box = box.getparent()
        if box is None or box.tag in ("body", "html"):
            return False
        links = _LOGO_LINKS(box)
        if len(links) > 400:
            return False
        sites = set()
        for a in links:
            href = href_of(a, page.base)
            host = outbound(href, page.base_site)
            if host:
                sites.add(grid_site(href, host))
        if enough_grid_sites(sites):  # the same rule as extract/sections.logo_grids
            return True
    return False


_HOLDS_LOGO = etree.XPath("boolean(.//img or .//svg or .//*[contains(@style, 'url(')])")
_LOGOS_IN = etree.XPath("count(.//img | .//svg)")


def _beside_logo(el: etree._Element) -> bool:
    """The element is part of one card or entry with its own logo (a small box holding exactly one logo), not a
    line of text in a list of several logos."""
    if el.tag in ("img", "svg"):
        return True
    box = el
    for _ in range(2):
        box = box.getparent()
        if box is None or box.tag in SECTIONING_TAGS:
            return False
        logos = _LOGOS_IN(box)
        if logos == 1:
            return True
        if logos > 1:
            return False
    return False


_LOGO_LINKS = etree.XPath(".//a[@href][.//img or .//svg or .//*[contains(@style, 'url(')]]")


def _non_sponsorship_use(hit: _Hit, page: Page) -> str | None:
    """A recognised use that is not sponsorship: shop or affiliate link, stream link or player, a person's
    employer, a prize description."""
    sentence = f"{hit.before} {hit.name} {hit.after}"
    link = hit.element if hit.element.tag == "a" else next((a for a in hit.element.iterancestors("a")), None)
    href = hit.url if hit.kind == "link" else (href_of(link, page.base) if link is not None else "")
    if _shop(hit, page, sentence):
        return SHOP
    host = outbound(href, page.base_site) if href else None
    if hit.kind == "embed" or STREAM_RE.search(sentence):
        return STREAM
    if host and registrable_domain(host) in STREAM_PLATFORM_DOMAINS and _is_profile(host, href):
        return STREAM
    if hit.kind == "link" and _deep_link(hit):
        return DEEP_LINK
    if EMPLOYER_RE.search(hit.before) or (PERSON_BEFORE_RE.search(hit.before) and _under_people(hit, page)):
        return EMPLOYER_NOTE
    if PRIZE_RE.search(sentence):
        return PRIZE_NOTE
    return None


SHOP = SHOP_NOTE  # the same words the section walk uses for the same reason
STREAM = STREAM_NOTE


def _shop(hit: _Hit, page: Page, sentence: str, campaign_links: bool = False) -> bool:
    """A shop, affiliate or shopping-donation link: its words, the paragraph explaining a bare logo, or an
    affiliate parameter (under a sponsor tier such a parameter is the sponsor's own campaign link)."""
    if SHOP_RE.search(sentence) or SHOP_DONATION_RE.search(sentence):
        return True
    # A link inside running text: its sentence starts before it ("Buy the album on <a>Amazon</a>."), and a shop
    # verb phrase must end right at the link, so a list of names beside it never reads as a shop.
    lead = sentence_lead(hit.element)
    if lead and (found := SHOP_RE.search(lead + " ")) is not None and not lead[found.end() :].strip(" :"):
        return True
    unit = _unit_of(hit.element)
    block = page.once("block", hit.element, lambda: _block_text(hit.element))
    following = page.once("next", unit, lambda: _with_next(unit))
    if SHOP_DONATION_RE.search(block) or SHOP_DONATION_RE.search(following):
        return True  # the box it stands in explains a shopping-donation programme ("… while you shop …")
    explained = explanation_after(unit if unit.getparent() is None or len(unit.getparent()) > 1 else unit.getparent())
    if explained:
        return True
    link = unit if unit.tag == "a" else None
    return not campaign_links and link is not None and _affiliate(href_of(link, page.base))


DEEP_LINK = DEEP_LINK_NOTE


def _deep_link(hit: _Hit) -> bool:
    """A text link whose words do not name the entity, to a page deep inside its site: a book, a product or an
    article the page refers to, not the company named as anyone's partner."""
    if hit.element.tag != "a" or _HOLDS_LOGO(hit.element):
        return False
    try:
        parts = urlsplit(hit.url)
    except ValueError:
        return False
    segments = [seg for seg in parts.path.split("/") if seg]
    if len(segments) < 2:
        return False
    return not any(normalize_name(hit.match.matched) in normalize_name(w) for w in [hit.after] if w)


def _block_text(el: etree._Element) -> str:
    """The text of the smallest box around the element that says something (a card, a paragraph with its
    heading), at most BLOCK_CHARS characters; "" when even the closest box says more than that."""
    for anc in (el, *el.iterancestors()):
        if anc.tag in ("body", "html"):
            break
        text = text_of(anc)
        if len(text) > BLOCK_CHARS * 2:
            break
        cleaned = clean(text)
        if len(cleaned) > BLOCK_CHARS:
            break
        if len(cleaned) >= BLOCK_MIN_CHARS:
            return cleaned
    return ""


def _with_next(unit: etree._Element) -> str:
    """A heading-like entry with the block right after it ("AmazonSmile" over "Support us while you shop…")."""
    nxt = unit.getnext()
    if nxt is None or not isinstance(nxt.tag, str):
        return ""
    text = text_of(nxt)
    return f"{clean(text_of(unit))} {clean(text)}" if len(text) <= BLOCK_CHARS * 2 else ""


def _affiliate(href: str) -> bool:
    try:
        return any(k.lower() in AFFILIATE_PARAMS for k, _ in parse_qsl(urlsplit(href).query))
    except ValueError:
        return False


def _nearest_heading(el: etree._Element, page: Page) -> str:
    """The text of the last heading before the element: by source line, and by the tree when they share one."""
    line = el.sourceline or 0
    best = ""
    same_line = False
    for heading_line, text, heading in page.headings():
        if heading_line > line:
            break
        if heading is el:
            continue
        if heading_line < line:
            best = text
        else:
            same_line = True
    if same_line or not line:
        before = el.xpath(_PRECEDING_HEADING)
        if before:
            return next((t for _l, t, h in page.headings() if h is before[0]), best)
    return best


_PRECEDING_HEADING = "preceding::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6][1]"


def _under_people(hit: _Hit, page: Page) -> bool:
    cls = " ".join(f"{a.get('class', '')}" for a in (hit.element, *hit.element.iterancestors()))
    label = hit.before.split(":", 1)[0] if ":" in hit.before else ""  # "Keynote: Sam Rivera, Amazon"
    return bool(
        PEOPLE_HEADING_RE.search(_nearest_heading(hit.element, page))
        or PEOPLE_HEADING_RE.search(cls)
        or PEOPLE_HEADING_RE.search(label)
        or any(PEOPLE_HEADING_RE.search(t) for t in _outline_above(hit.element, page))
    )


def _outline_above(el: etree._Element, page: Page) -> list[str]:
    """The texts of the headings the element stands under, each of higher rank than the next, by source line
    ("Panel" over a person card whose own heading is the person's name): with classes hashed, the title of the
    section says people."""
    line = el.sourceline or 0
    chain: list[tuple[int, str]] = []
    for heading_line, text, heading in page.headings():
        if heading_line >= line:
            break
        rank = HEADING_RANK.get(heading.tag, PSEUDO_HEADING_RANK) if isinstance(heading.tag, str) else 0
        while chain and chain[-1][0] >= rank:
            chain.pop()
        chain.append((rank, text))
    # The page's h1 is the event's title ("Artist Showcase 2025"), over every part of the page: it says nothing.
    return [t for r, t in chain if r > 1]


_KIND_WORDS = {
    "text": "in the text",
    "page-title": "in the page title",
    "img-alt": "in an image's alt text",
    "img-file": "in a logo's file name",
    "css-bg": "in a background image's file name",
    "title": "in a title attribute",
    "aria-label": "in an aria-label",
    "data-attr": "in a data attribute",
    "link": "as a link",
    "embed": "as an embedded player",
    "form": "as a form's address",
    "meta": "in the page's metadata",
    "jsonld": "in the page's JSON-LD",
}


def _where(hit: _Hit, page: Page, tier: str | None) -> str:
    """Where on the page, in words a person can follow: what kind of signal, under which heading, in which part,
    and whether a click is needed to see it."""
    el = hit.element
    parts = [_KIND_WORDS.get(hit.kind, hit.kind)]
    if hit.kind == "jsonld" and hit.jsonld_key:
        parts[0] += f" ({hit.jsonld_key})"
    if tier:
        parts.append(f"under {tier!r}")
    elif hit.kind not in ("page-title", "meta", "jsonld"):
        if _inside(el, "h1"):
            parts.append("in the page's main heading")
        else:
            heading = _nearest_heading(el, page)
            if heading:
                parts.append(f"under the heading {heading!r}")
        if _inside(el, "footer"):
            parts.append("in the page footer")
        elif _inside(el, "header"):
            parts.append("in the page header")
    if page.once("hidden", el, lambda: _hidden(el)):
        parts.append("(in a hidden tab or slide)")
    return " ".join(parts)


def _hidden(el: etree._Element) -> bool:
    """Inside an element a visitor reaches with a click: hidden, aria-hidden, display:none, a hiding class."""
    for anc in (el, *el.iterancestors()):
        if anc.get("hidden") is not None or (anc.get("aria-hidden") or "").strip().lower() == "true":
            return True
        style = (anc.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            return True
        if HIDDEN_CLASSES.intersection((anc.get("class") or "").split()):
            return True
    return False
