"""Where a sponsor section is recognised: headings, labels, id/class hints, where a scope ends, logo strips.

The walk goes once over the tree in document order and keeps a stack of the sections it is in: real
headings (h1–h6), pseudo-headings (`<p><b>Gold Sponsors</b></p>`, `<div class="…-ttl">`, a lone
"Presented by" label) and elements whose id/class says sponsors. A heading's scope ends at the next
heading of the same or higher rank, or at the end of its section (`<section>`, `<article>`, `<footer>`,
a `section-*` div…). Outside sponsor scopes the walk skips whole subtrees; a footer with a run of
outbound logo links to distinct sites is a sponsor strip (`footer_strip`). Inside sponsor scopes every
logo, link, data attribute and list item becomes a signal, with its context (`State`: sponsor or prize,
tier, past).

Performance: attribute XPath, str.find over joined attribute values and text, and subtree skipping keep
Python work proportional to the sponsor sections, not to the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from sponsorcheck.extract.document import (
    BodyText,
    class_id_values,
    clean,
    document_iter,
    links_with_logo,
    text_of,
    values_containing,
)
from sponsorcheck.extract.links import (
    enough_grid_sites,
    grid_site,
    href_of,
    is_anchor,
    is_one_entry,
    is_platform_profile,
    outbound,
    site_of,
)
from sponsorcheck.extract.names import agrees_with_link, file_words, is_name_like, name_from_filename, proxied_image
from sponsorcheck.extract.vocabulary import (
    BADGE_LEAD_RE,
    BLOCK_TAGS,
    BREAK_RE,
    CALL_RE,
    FILED_GRID_TIER,
    FILED_LOGO_FRAGMENTS,
    FOOTER_STRIP_TIER,
    GRID_DEPTH,
    GRID_MAX_DEPTH,
    GRID_TIER,
    GRID_TIERS,
    HEADING_DECORATION,
    HEADING_RANK,
    HINT_RE,
    IMAGE_TITLE_MAX_CHARS,
    INLINE_EMPHASIS,
    LABEL_PHRASES,
    LABEL_TAGS,
    LAZY_SRC_ATTRS,
    LEAD_IN_LIST_TAGS,
    LEAD_IN_MAX_CHARS,
    LEAN_ENTRY_CHARS,
    LIST_ITEM_TAGS,
    MENU_LABEL_MAX_CHARS,
    MIN_PAIR_SITES,
    MIN_STRIP_SITES,
    MIN_TIER_LABELS,
    MIN_TIER_LIST_ENTRIES,
    PAGE_REGION_TAGS,
    PAIR_MAX_PATH_SEGMENTS,
    PAIR_TIER,
    PAST_RE,
    PHRASE_RE,
    PLATFORM_DOMAINS,
    PORTRAIT_FILE_RE,
    PRIZE_HEADING_RE,
    PSEUDO_HEADING_RANK,
    PSEUDO_HEADING_TAGS,
    RANK_TIER_WORDS,
    SECTION_ID_CLASS_HINTS,
    SECTIONING_TAGS,
    SHARE_LINK_RE,
    SOCIAL_ICON_DOMAINS,
    SPONSOR_WORD_RE,
    STEM_RE,
    TECH_CREDIT_RE,
    TEXT_ITEM_TAGS,
    TIER_LABEL_MAX_CHARS,
    TIER_LABEL_WORDS,
    TIER_ONLY_WORDS,
    TIER_WORDS,
    TITLE_CLASS_FRAGMENTS,
    TITLE_CLASS_RE,
    TITLE_FILLER_WORDS,
    TITLE_SEPARATORS_RE,
    TITLED_GRID_TIER,
    TRACKING_QUERY_PREFIXES,
    UNIT_TAGS,
    WORD_RE,
)
from sponsorcheck.normalize import fold, registrable_domain


@lru_cache(maxsize=4096)
def classify_heading(text: str) -> tuple[str, bool]:
    """('sponsor' | 'tier' | 'call' | 'break' | 'prize' | 'neutral', past) for a heading's text. 'tier' is a
    heading made of tier names only ("Media", "Hospitality"): a sponsor tier after a sponsor heading."""
    words = WORD_RE.findall(fold(text))
    if not words:
        return "neutral", False
    padded = f" {' '.join(words)} "
    past = bool(PAST_RE.search(padded))
    sponsorish = bool(STEM_RE.search(padded) or SPONSOR_WORD_RE.search(padded) or PHRASE_RE.search(padded))
    if sponsorish or all(w in TIER_WORDS or w.isdigit() for w in words):
        if text.rstrip().endswith("?") or CALL_RE.search(padded):
            return "call", past
        if PRIZE_HEADING_RE.search(padded):
            return "prize", past
        return "sponsor", past
    if PRIZE_HEADING_RE.search(padded):
        return "prize", past
    if all(w in TIER_ONLY_WORDS or w in TIER_WORDS for w in words) and len(words) <= 3:
        return "tier", past
    if BREAK_RE.search(padded):
        return "break", past
    return "neutral", past


def is_sponsor_text(text: str) -> bool:
    """True when a short text (heading, link text, URL path words) says sponsors/partners in any language read."""
    return classify_heading(text)[0] == "sponsor"


_HOLDS_LOGO_OR_LINK = etree.XPath("boolean(.//*[self::img or self::svg or self::a])")
_FOOTER_LOGO_LINKS = etree.XPath(".//a[@href][.//img or .//svg]")


@dataclass
class Scope:
    """One open section on the walk's stack: what its heading says, its rank and the element that bounds it."""

    kind: str  # sponsor | break | prize | neutral
    rank: int | None  # heading rank; None for an id/class-marked block (only its end closes it)
    text: str
    container: etree._Element
    past: bool = False
    element: etree._Element | None = None  # the heading itself


@dataclass(frozen=True)
class State:
    """The context of a signal: sponsor or prize section, its tier heading, past sponsors, enclosing headings."""

    kind: str  # sponsor | prize | none
    tier: str | None
    past: bool
    headings: tuple[tuple[etree._Element, str], ...] = ()  # enclosing headings, innermost first


NO_STATE = State("none", None, False)


def _own_text(el: etree._Element) -> str:
    """A heading's text without the block content a broken page nested inside it."""
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag in BLOCK_TAGS and (len(child) or clean(child.text)):
            break
        if child.tag == "img":  # an image heading: its alt, or the words of its file name when it has none
            parts.append(child.get("alt") or file_words(child.get("src") or ""))
        else:
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return clean(" ".join(parts)).strip(HEADING_DECORATION)


def heading_of(el: etree._Element) -> tuple[int, str] | None:
    """(rank, text) when the element is a heading or a pseudo-heading; None otherwise."""
    tag = el.tag
    rank = HEADING_RANK.get(tag)
    if rank is not None:
        text = _own_text(el)
        return (rank, text) if text and len(text) <= 120 else None
    if tag in PSEUDO_HEADING_TAGS:
        attrs = f"{el.get('class', '')} {el.get('id', '')}"
        titled = bool(TITLE_CLASS_RE.search(attrs))
        emphasis = tag in ("p", "div") and len(el) == 1 and el[0].tag in INLINE_EMPHASIS and not clean(el.text)
        # An unclosed <p><b> before a section makes the parser nest the whole section (logos and all)
        # inside it: a pseudo-heading holds words, never logos or links.
        if emphasis and _HOLDS_LOGO_OR_LINK(el):
            emphasis = False
        if (titled or emphasis) and len(el) <= 3:
            text = _own_text(el) if titled else clean(text_of(el))
            if text and len(text) <= 80:
                kind, _ = classify_heading(text)
                # A pseudo-heading counts only when it says something (keeps card titles from becoming tiers).
                if kind != "neutral":
                    return PSEUDO_HEADING_RANK, text
    return None


def _section_container(heading: etree._Element) -> etree._Element:
    for anc in heading.iterancestors():
        tag = anc.tag
        if tag in SECTIONING_TAGS:
            return anc
        attrs = f"{anc.get('class', '')} {anc.get('id', '')}".lower()
        if re.search(r"(?:^|\s)section", attrs):
            return anc
    return heading.getroottree().getroot()


@dataclass
class Signals:
    """What the walk collected: anchors (one per logo/organisation) and name-only text items, with context."""

    anchors: list[tuple[etree._Element, State]] = field(default_factory=list)
    texts: list[tuple[etree._Element, State]] = field(default_factory=list)
    footer_anchors: list[etree._Element] = field(default_factory=list)
    sponsor_scopes: int = 0
    # Every element the walk visited, with the scope it was in (NO_STATE outside): the sweep asks `scope_of`.
    scoped: dict[etree._Element, State] = field(default_factory=dict)
    structure: Structure | None = None


OPENING_KINDS = ("sponsor", "prize")  # heading kinds that open a section whose entries are read


@dataclass
class Structure:
    """Elements that shape sections, found with C-speed iteration and attribute XPath (no per-element Python)."""

    headings: dict[etree._Element, tuple[int, str]]
    hints: set[etree._Element]  # id/class says sponsors: a section
    unit_hints: set[etree._Element]  # <img class="sponsor-logo">: one entry
    footers: set[etree._Element]
    ancestors: set[etree._Element]  # every ancestor of the above: the walk descends only into these
    label_scopes: dict[etree._Element, etree._Element] = field(default_factory=dict)  # label → its box


def _labels(body: BodyText, headings: dict) -> dict[etree._Element, etree._Element]:
    """Short labels that are a sponsor phrase on their own ("<p>Presented by</p>" over a logo): headings whose
    scope is their own box. Found from the page's own spellings of the phrases, then one XPath per spelling."""
    found: dict[etree._Element, etree._Element] = {}
    for text in body.nodes(LABEL_PHRASES):
        el = text.getparent()
        if not text.is_text or el is None or el in headings or el.tag not in LABEL_TAGS:
            continue
        label = clean(text_of(el))
        parent = el.getparent()
        if len(label) <= 40 and parent is not None and classify_heading(label)[0] == "sponsor":
            headings[el] = (PSEUDO_HEADING_RANK, label.rstrip(" :"))
            found[el] = parent
    return found


def _lead_ins(
    root: etree._Element, headings: dict, labels: dict[etree._Element, etree._Element]
) -> dict[etree._Element, etree._Element]:
    """Lead-in lines that label the list straight after them ("<p>We are thankful for our current sponsors:</p>
    <ul>…</ul>"): headings whose scope is that list (a label phrase line's box narrows to it). One C-speed
    pass over the page's lists; only the short line just before each is read."""
    found: dict[etree._Element, etree._Element] = {}
    for listing in root.iter(*LEAD_IN_LIST_TAGS):
        line = listing.getprevious()
        if line is None or not isinstance(line.tag, str) or line.tag not in LABEL_TAGS:
            continue
        if line in headings and line not in labels:  # a label line's scope narrows to its list; a heading stays
            continue
        if len(line) > 3 or _HOLDS_LOGO_OR_LINK(line):
            continue
        text = clean(text_of(line))
        if not text.endswith(":") or len(text) > LEAD_IN_MAX_CHARS:
            continue
        if classify_heading(text)[0] == "sponsor":
            headings[line] = (PSEUDO_HEADING_RANK, text.rstrip(" :"))
            found[line] = listing
    return found


@lru_cache(maxsize=4096)
def _is_tier_label(text: str) -> tuple[bool, bool]:
    """(a tier label, a ranking one) for a short label cell: "Gold", "Silver level", "Platinum" rank;
    "Community", "Media" are tier labels that do not rank."""
    words = WORD_RE.findall(fold(text))
    if not words or len(text) > TIER_LABEL_MAX_CHARS:
        return False, False
    vocabulary = (TIER_WORDS, TIER_ONLY_WORDS, TIER_LABEL_WORDS)
    if not all(w.isdigit() or any(w in v for v in vocabulary) for w in words):
        return False, False
    return True, any(w in RANK_TIER_WORDS for w in words)


def _column_says_sponsor(text: str) -> bool:
    """A table's column header naming its cells sponsors or partners ("Partner", "Sponsored by"); "Level" or
    "Gold" alone is a tier, which `_is_tier_label` reads."""
    words = WORD_RE.findall(fold(text))
    return (
        0 < len(text) <= TIER_LABEL_MAX_CHARS
        and classify_heading(text)[0] == "sponsor"
        and any(w not in TIER_LABEL_WORDS and w not in RANK_TIER_WORDS and not w.isdigit() for w in words)
    )


def _list_entries(listing: etree._Element) -> int:
    """Organisations a table or list can name: distinct sites its absolute links lead to, and its unlinked logos."""
    sites = set()
    logos = 0
    for el in listing.iter("a", "img", "svg"):
        if el.tag == "a":
            href = (el.get("href") or "").strip()
            host = outbound(href, None)
            if host:
                sites.add(registrable_domain(host))
        elif not any(anc.tag == "a" for anc in el.iterancestors("a")):
            logos += 1
    return len(sites) + logos


def _short_text(cell: etree._Element) -> str:
    """A label cell's text; a cell longer than a label is read no further ("" then)."""
    text = clean(cell.text or "") if not len(cell) else clean(text_of(cell))
    return text if len(text) <= TIER_LABEL_MAX_CHARS else ""


def _labelled_lists(root: etree._Element) -> set[etree._Element]:
    """Tables and definition lists that say they list sponsors by their own labels, without a heading: tier
    labels in the first column or the <dt> (two distinct ones, one a rank: "Gold", "Community") mark the whole
    list; a column header that says partners ("<th>Partner</th>") marks the cells of its column. Only with enough
    organisations in the list (see RANK_TIER_WORDS)."""
    found: set[etree._Element] = set()
    for listing in root.iter("table", "dl"):
        if listing.tag == "dl":
            cells = [c for c in listing if c.tag == "dt"]
            headers: list[etree._Element] = []
        else:
            cells = [row[0] for row in listing.iter("tr") if len(row) and row[0].tag in ("td", "th")]
            headers = list(listing.iter("th"))
        labels: set[str] = set()
        ranked = False
        for cell in cells:
            text = _short_text(cell)
            label, rank = _is_tier_label(text)
            if label:
                labels.add(fold(text))
                ranked = ranked or rank
                if ranked and len(labels) >= MIN_TIER_LABELS:
                    break
        tiered = len(labels) >= MIN_TIER_LABELS and ranked
        columns = [th for th in headers if _column_says_sponsor(_short_text(th))] if not tiered else []
        if not (tiered or columns) or _list_entries(listing) < MIN_TIER_LIST_ENTRIES:
            continue
        if tiered:
            found.add(listing)  # the tier labels themselves are tiers, never names (units)
            continue
        for th in columns:
            row = th.getparent()
            if row is None:
                continue
            # Only that column's cells: the others ("Friday", "Saturday") are what the partner is partner of.
            column = list(row).index(th)
            found.update(r[column] for r in listing.iter("tr") if r is not row and len(r) > column)
    return found


_TITLE_WORDS = TIER_WORDS | TIER_ONLY_WORDS | TIER_LABEL_WORDS | TITLE_FILLER_WORDS


def says_only_sponsors(text: str) -> bool:
    """True for a text that says sponsors and nothing else ("Our sponsors", "Thanks to our partners", "Gold
    sponsors"): no word in it names anyone ("IMDb sponsor logo" names IMDb)."""
    if classify_heading(text)[0] != "sponsor":
        return False
    padded = f" {' '.join(WORD_RE.findall(fold(text)))} "
    rest = PHRASE_RE.sub("  ", padded)
    return all(
        w in _TITLE_WORDS or w.isdigit() or STEM_RE.search(w) or SPONSOR_WORD_RE.search(f" {w} ") for w in rest.split()
    )


_UNLINKED_ALTS = etree.XPath("//img[@alt][not(ancestor::a)]")


def _image_titles(root: etree._Element) -> dict[etree._Element, tuple[str, etree._Element]]:
    """Images that title a section instead of a heading: unlinked, outside headings, their alt saying sponsors and
    nothing else ("Our sponsors"), an alt no other image shares (a placeholder "sponsor" on every logo is none). Each
    with its text and the box it titles: the nearest ancestor holding more than the image."""
    # What "//img/@alt" selects, read by lxml's C iteration by tag (the XPath builds a node set of every node).
    alts = [alt for img in document_iter(root, "img") if (alt := img.get("alt")) is not None]
    if not alts:
        return {}
    joined = fold(" \n ".join(alts))
    if not (STEM_RE.search(joined) or SPONSOR_WORD_RE.search(joined)):
        return {}  # no alt on the page says sponsors: nothing to look at image by image
    candidates = [(img, clean(img.get("alt") or "")) for img in _UNLINKED_ALTS(root)]
    counts: dict[str, int] = {}
    for _, alt in candidates:
        counts[alt] = counts.get(alt, 0) + 1
    found: dict[etree._Element, tuple[str, etree._Element]] = {}
    for img, alt in candidates:
        if not alt or len(alt) > IMAGE_TITLE_MAX_CHARS or counts[alt] > 1 or not says_only_sponsors(alt):
            continue
        if any(anc.tag in HEADING_RANK for anc in img.iterancestors()):
            continue
        box = img.getparent()
        while box is not None and box.tag not in SECTIONING_TAGS and len(box) == 1 and box.getparent() is not None:
            box = box.getparent()
        if box is not None:
            found[img] = (alt, box)
    return found


_BY_ID = etree.XPath("//*[@id=$id]")


def _menu_named(root: etree._Element, links: list[tuple[etree._Element, str]] | None = None) -> set[etree._Element]:
    """Sections the site's own in-page links name: "<a href="#s4">Partners</a>" in a menu says the element with
    id "s4" is the partners section, whatever its id or heading say (or when it has no heading). A target that
    is the whole page, a heading or an empty anchor, or that holds no logo or link, is not such a section."""
    found: set[etree._Element] = set()
    # `links`: the page's links with their hrefs, when already read (BodyText.links); else a tag iteration, which
    # is faster than an XPath predicate on @href.
    pairs = links if links is not None else ((a, a.get("href") or "") for a in root.iter("a"))
    for a, href in pairs:
        if href[:1] != "#" or not (target := href[1:].strip()):
            continue
        text = clean(a.text or "") if not len(a) else clean(text_of(a))
        if not text or len(text) > MENU_LABEL_MAX_CHARS or classify_heading(text)[0] != "sponsor":
            continue
        for el in _BY_ID(root, id=target):
            if el.tag not in ("body", "html") and el.tag not in HEADING_RANK and _HOLDS_LOGO_OR_LINK(el):
                found.add(el)
    return found


def find_structure(root: etree._Element, attrs: list[Any] | None = None, body: BodyText | None = None) -> Structure:
    """Headings, labels, id/class hints and footers of the tree, found at C speed, with every ancestor of them."""
    headings: dict[etree._Element, tuple[int, str]] = {}
    for el in root.iter(*HEADING_RANK):
        found = heading_of(el)
        if found:
            headings[el] = found
    for emph in root.iter(*INLINE_EMPHASIS):
        parent = emph.getparent()
        if parent is not None and parent.tag in ("p", "div") and len(parent) == 1 and parent not in headings:
            found = heading_of(parent)
            if found:
                headings[parent] = found
    label_scopes = _labels(body, headings) if body is not None else {}
    for img, (text, box) in _image_titles(root).items():
        headings[img] = (PSEUDO_HEADING_RANK, text)
        label_scopes[img] = box
    label_scopes.update(_lead_ins(root, headings, label_scopes))
    hints: set[etree._Element] = set()
    unit_hints: set[etree._Element] = set()
    footers: set[etree._Element] = set(root.iter("footer"))
    # Thousands of class/id values: find the few that matter with str.find on all of them joined.
    values = attrs if attrs is not None else class_id_values(root)
    # A page repeats its few class values hundreds of times ("card__title"): each is read once.
    read: dict[str, tuple[bool, bool, bool]] = {}
    for value in values_containing(values, (*SECTION_ID_CLASS_HINTS, "footer", *TITLE_CLASS_FRAGMENTS)):
        el = value.getparent()
        says = read.get(value)
        if says is None:
            lowered = value.lower()
            says = read[value] = (
                bool(HINT_RE.search(lowered)),
                "footer" in lowered,
                bool(TITLE_CLASS_RE.search(value)),
            )
        hint, footer, titled = says
        if hint:
            (unit_hints if el.tag in UNIT_TAGS else hints).add(el)
        if footer:
            footers.add(el)
        if titled and el.tag in PSEUDO_HEADING_TAGS and el not in headings:
            found = heading_of(el)
            if found:
                headings[el] = found
    hints |= _labelled_lists(root)
    hints |= _menu_named(root, body.links if body is not None else None)
    # A footer inside a footer ("footer__links" in <footer>) is read with the outer one.
    footers = {f for f in footers if not any(anc in footers for anc in f.iterancestors())}
    ancestors: set[etree._Element] = set()
    # Only headings that can open a section need their ancestors walked: the others matter only inside an
    # open sponsor section, where the walk descends into everything anyway.
    openers = [el for el, (_, text) in headings.items() if classify_heading(text)[0] in OPENING_KINDS]
    for el in (*openers, *hints, *unit_hints, *footers):
        for anc in el.iterancestors():
            if anc in ancestors:
                break
            ancestors.add(anc)
    return Structure(headings, hints, unit_hints, footers, ancestors, label_scopes)


def walk(root: etree._Element, base: str, body: BodyText, attrs: list[Any] | None = None) -> Signals:
    """One pass in document order: scopes from headings and id/class hints, signals with their context.

    Outside sponsor scopes the walk skips every subtree that holds no heading, hint or footer, so a
    300 KB page costs a few hundred visited elements, not its thousands.
    """
    out = Signals()
    st = out.structure = find_structure(root, attrs, body)
    stack: list[Scope] = []
    containers: dict[etree._Element, int] = {}  # container → open scopes using it
    state = NO_STATE
    dirty = True
    anchor_end: etree._Element | None = None  # inside an anchor, its descendants are part of it
    footer_open: list[etree._Element] = []
    text_end: etree._Element | None = None
    base_site = site_of(base)

    def recompute() -> State:
        # The innermost scope that is not neutral decides; the innermost heading text is the tier.
        kind = next((s.kind for s in reversed(stack) if s.kind != "neutral"), "none")
        if kind not in ("sponsor", "prize"):
            return NO_STATE
        headings = tuple((s.element, s.text) for s in reversed(stack) if s.text and s.element is not None)
        tier = headings[0][1] if headings else None
        past = any(s.past for s in stack if s.kind != "break")
        return State(kind, tier, past, headings)

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if event == "end":
            if el in containers:
                stack[:] = [s for s in stack if s.container is not el]
                del containers[el]
                dirty = True
            if el is anchor_end:
                anchor_end = None
            if el is text_end:
                text_end = None
            if footer_open and footer_open[-1] is el:
                footer_open.pop()
            continue
        # -- start --
        heading = st.headings.get(el) if anchor_end is None else None
        if heading is not None and state.kind == "sponsor" and _is_entry_heading(el, heading, stack):
            heading = None  # "<h4>Acme</h4>" beside one logo, or a logo wrapped in <h4>: an entry, not a tier
        if heading is not None:
            rank, text = heading
            kind, past = classify_heading(text)
            if kind == "tier":
                # "<h2>Sponsors</h2>…<h2>Media</h2>": the next tier of the same list, inside or after it.
                kind = "sponsor" if any(s.kind == "sponsor" for s in stack) else "neutral"
            if kind != "call":  # a call for sponsors neither opens nor closes a section
                while stack and stack[-1].rank is not None and stack[-1].rank >= rank:
                    gone = stack.pop()
                    _release(containers, gone.container)
                container = st.label_scopes.get(el)
                if container is None and kind == "neutral" and any(s.kind == "sponsor" for s in stack):
                    container = _own_box(el)  # a card's title names its card, never the next card's tier
                container = container if container is not None else _section_container(el)
                stack.append(Scope(kind, rank, text[:120], container, past, el))
                containers[container] = containers.get(container, 0) + 1
                out.sponsor_scopes += kind == "sponsor"
                dirty = True
            if kind != "neutral" and not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el):
                out.scoped[el] = recompute()  # what stands in the heading is under it
                walker.skip_subtree()  # an image in a "Sponsors" heading is the heading, not a logo
            # (a broken page may nest its content inside a heading: then the walk keeps descending)
            continue
        if el in st.hints and (not stack or stack[-1].container is not el):
            stack.append(Scope("sponsor", None, "", el))
            containers[el] = containers.get(el, 0) + 1
            out.sponsor_scopes += 1
            dirty = True
        if dirty:
            state = recompute()
            dirty = False
        if el in st.footers and anchor_end is None and state.kind != "none" and _page_wide(stack, el):
            # A heading with no section of its own ("<h2>Sponsors</h2>" straight in <body>) does not reach into
            # the page footer after it: the footer is its own region (its social icons are not the list's end).
            stack.append(Scope("break", None, "", el))
            containers[el] = containers.get(el, 0) + 1
            state = recompute()
        if el in st.footers and anchor_end is None:
            if state.kind == "none" and el not in st.ancestors and not footer_open:
                # A footer outside any sponsor section: only its logo links matter, found by XPath at C speed.
                out.scoped[el] = NO_STATE
                out.footer_anchors.extend(_FOOTER_LOGO_LINKS(el))
                walker.skip_subtree()
                continue
            footer_open.append(el)
        if anchor_end is not None:
            continue
        local = state
        if local.kind == "none":
            if el in st.unit_hints and tag in ("img", "a"):
                local = State("sponsor", None, False)  # <img class="sponsor-logo"> outside any section
            elif not footer_open and el not in st.ancestors and not any(s.kind in OPENING_KINDS for s in stack):
                out.scoped[el] = NO_STATE
                walker.skip_subtree()  # nothing below can be in (or re-open) a sponsor section
                continue
        out.scoped[el] = local
        if is_anchor(el, base_site):
            if local.kind != "none":
                out.anchors.append((el, local))
            elif tag == "a":
                out.footer_anchors.append(el)
            anchor_end = el
        elif local.kind != "none" and text_end is None and tag in TEXT_ITEM_TAGS:
            out.texts.append((el, local))
            if tag in LIST_ITEM_TAGS:
                text_end = el
    return out


def _own_box(heading: etree._Element) -> etree._Element | None:
    """The box a neutral heading inside a sponsor section titles, when it has one: the nearest ancestor (two
    levels at most, never a section) holding a logo or a link besides the heading's own branch (a card, or a
    group with its logos); None otherwise."""
    branch = heading
    for _ in range(2):
        parent = branch.getparent()
        if parent is None or parent.tag in SECTIONING_TAGS or parent.tag in ("body", "html"):
            return None
        for child in parent:
            if child is not branch and isinstance(child.tag, str) and _HOLDS_LOGO_OR_LINK_OR_SELF(child):
                return parent
        branch = parent
    return None


_HOLDS_LOGO_OR_LINK_OR_SELF = etree.XPath(
    "boolean(self::img or self::svg or self::a or .//*[self::img or self::svg or self::a])"
)


def _page_wide(stack: list[Scope], footer: etree._Element) -> bool:
    """Every open scope is a heading's whose section is the whole page (its container is <body> or <html>) and
    the footer is not inside a sponsor-marked block."""
    return all(s.rank is not None and s.container.tag in ("body", "html") for s in stack if s.kind != "neutral")


def scope_of(scoped: dict[etree._Element, State], el: etree._Element) -> State | None:
    """The sponsor or prize scope the element stands in; None outside any.

    The walk visits every element in document order except the subtrees it skips — outside any scope, or
    inside an anchor or a heading — so the element's own visit, else its nearest visited ancestor's, tells."""
    state = scoped.get(el)
    if state is None:
        state = next((scoped[anc] for anc in el.iterancestors() if anc in scoped), NO_STATE)
    return state if state.kind != "none" else None


def _release(containers: dict[etree._Element, int], container: etree._Element) -> None:
    count = containers.get(container, 0) - 1
    if count <= 0:
        containers.pop(container, None)
    else:
        containers[container] = count


def _is_entry_heading(el: etree._Element, heading: tuple[int, str], stack: list[Scope]) -> bool:
    """A neutral heading below the sponsor heading's rank that is one entry: it wraps a logo, or it sits in
    a box with exactly one logo or link ("<div class=card><img><h4>Acme</h4></div>")."""
    rank, text = heading
    outer = next((s for s in reversed(stack) if s.kind == "sponsor"), None)
    if outer is None or (outer.rank is not None and rank <= outer.rank) or not is_card_title(text):
        return False
    if el.find(".//img") is not None or el.find(".//svg") is not None:
        return True
    parent = el.getparent()
    return parent is not None and is_one_entry(parent)  # its logo and its links to one place: one card


def is_card_title(text: str) -> bool:
    """A short neutral heading inside one logo's box ("<h4>Acme</h4>") names the entry, not a section."""
    return classify_heading(text)[0] == "neutral" and is_name_like(text) and not re.search(r"\d", text)


def under_sponsor_tier(state: State) -> bool:
    """True inside a sponsor section that has its own heading (a tier), not a bare footer strip."""
    return state.kind == "sponsor" and bool(state.tier) and state.tier not in GRID_TIERS


def footer_strip(
    footer_anchors: list[etree._Element], base: str, base_site: str | None
) -> list[tuple[etree._Element, State]]:
    """The footer's outbound links as sponsors when they form a logo strip (logo links to enough distinct sites);
    nothing otherwise."""
    footer_hosts = {
        grid_site(href, h)
        for a in footer_anchors
        if a.xpath(".//*[self::img or self::svg]")
        and (h := outbound(href := href_of(a, base), base_site))
        and registrable_domain(h) not in PLATFORM_DOMAINS  # the event's own social icons are no sponsor strip
    }
    if len(footer_hosts) < MIN_STRIP_SITES:
        return []
    # A run of outbound logo links in the footer is a sponsor strip even without a heading.
    return [(a, State("sponsor", FOOTER_STRIP_TIER, False)) for a in footer_anchors]


def _box_sites(entries: dict[etree._Element, list[str]]) -> set[str]:
    """The sites (or names) a grid box's entries stand for. Entries of one shape — the same markup (tag and
    class) and as many logos each (rows of two) — are a grid's cells: every site of every entry counts.
    Entries of different shapes (a pair of partner logos in one section, a pair of app badges in another) are
    different blocks: each counts once, by its first site."""
    shapes = {(child.tag, child.get("class"), len(sites)) for child, sites in entries.items()}
    if len(shapes) == 1:
        return {site for sites in entries.values() for site in sites}
    return {sites[0] for sites in entries.values()}


class _Lean:
    """Whether an element is a lean wrapper around a logo (LEAN_ENTRY_CHARS of text at most), remembered per
    element: the grids ask for the same row and column boxes once per logo they hold."""

    def __init__(self) -> None:
        self.known: dict[etree._Element, bool] = {}

    def __call__(self, el: etree._Element) -> bool:
        found = self.known.get(el)
        if found is None:
            found = self.known[el] = len(clean(text_of(el))) <= LEAN_ENTRY_CHARS
        return found


# Absolute links only (an outbound link is absolute): relative ones never leave the site.
_ABSOLUTE_HREF = ("http", "//", "www.")


def _logo_links(root: etree._Element, links: list[tuple[etree._Element, str]] | None = None) -> list[etree._Element]:
    return links_with_logo(root, ("img", "svg", "picture"), _ABSOLUTE_HREF, links)


def logo_grids(
    root: etree._Element,
    base: str,
    base_site: str | None,
    seen: set[etree._Element],
    hrefs: list[tuple[etree._Element, str]] | None = None,
) -> list[tuple[etree._Element, State]]:
    """Logo links that form a grid anywhere on the page: at least MIN_STRIP_SITES sibling entries (the
    children of one box, up to GRID_DEPTH levels above the link) whose logos link to distinct other sites.
    A grid is sponsorship-shaped even without a heading, whatever its classes say; links in `seen` are
    already read (inside a sponsor section or a footer strip). Layouts nest each logo in rows and columns
    ("div.columns > div.column > figure > a > img", one row per logo): up to GRID_MAX_DEPTH levels, an entry
    deeper than GRID_DEPTH counts while it is a lean wrapper (LEAN_ENTRY_CHARS of text at most). Entries of
    one shape count every site they hold (rows of two logos are a grid), see `_box_sites`."""
    rows: dict[etree._Element, dict[etree._Element, list[str]]] = {}
    links: list[tuple[etree._Element, list[etree._Element]]] = []
    lean = _Lean()
    for a in _logo_links(root, hrefs):  # `hrefs`: the page's links with their hrefs, when already read
        if a in seen:
            continue
        href = (a.get("href") or "").strip()
        host = outbound(href if not href.startswith("www.") else "http://" + href, base_site)
        if not host or SHARE_LINK_RE.search(href):
            continue
        if registrable_domain(host) in SOCIAL_ICON_DOMAINS:
            continue  # the event's own social icons are no grid
        site = grid_site(href, host)
        child, boxes = a, []
        for depth in range(GRID_MAX_DEPTH):
            box = child.getparent()
            if box is None or box.tag in HEADING_RANK:
                break
            if depth >= GRID_DEPTH and not lean(child):
                break  # deeper than a plain grid, an entry is a wrapper around its logo or it is no entry
            sites = rows.setdefault(box, {}).setdefault(child, [])
            if site not in sites:
                sites.append(site)
            boxes.append(box)
            child = box
        if not is_platform_profile(host, urlsplit(href).path if "://" in href else ""):
            # A link to a channel or profile on a platform (twitch.tv/<event>) helps make a grid but is no grid
            # entry itself: the sweep reads it in its context, so a watchlisted platform there is a question for
            # a person. The platform's own site (twitch.tv/) is an entry like any other.
            links.append((a, boxes))
    state = State("sponsor", GRID_TIER, False)
    found = []
    for a, boxes in links:
        for box in boxes:  # the innermost box whose entries link to enough distinct sites
            if enough_grid_sites(_box_sites(rows[box])):
                found.append((a, state))
                break
    return found


def _image_source(img: etree._Element) -> str:
    """The image's address: a lazy loader's real address first (src then holds its placeholder, "blank.gif"),
    else src, else the first srcset address (a data: placeholder is none)."""
    # Most images have no data-* attribute at all: one look at the keys spares the lazy-loader lookups.
    lazy = LAZY_SRC_ATTRS if any(k[:5] == "data-" for k in img.attrib) else ()
    for attr in (*lazy, "src", "srcset"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value.split(",")[0].strip().split(" ")[0]
    return ""


def filed_as_logo(src: str) -> bool:
    """The site files the image as a sponsor's or partner's logo: a folder or the file name says so
    ("/img/partners/acme.png", "/uploads/sponsor-acme.png")."""
    lowered = src.lower()
    if not any(f in lowered for f in FILED_LOGO_FRAGMENTS):
        return False
    # An image proxy carries the filed path URL-encoded in its query ("/_next/image?url=%2Fimg%2Fpartners%2F…").
    path = proxied_image(lowered).split("?")[0].split("#")[0]
    if "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
    *folders, name = path.strip("/").split("/") if path.strip("/") else [""]
    return any(is_sponsor_text(folder.replace("-", " ").replace("_", " ")) for folder in folders) or is_sponsor_text(
        file_words(name)
    )


_FILED_FRAGMENT_RE = re.compile("|".join(map(re.escape, FILED_LOGO_FRAGMENTS)))


def filed_logo_grids(root: etree._Element, seen: set[etree._Element]) -> list[tuple[etree._Element, State]]:
    """Logo images the site files as sponsors' logos ("/img/partners/acme.png") that form a grid anywhere on the
    page: at least MIN_PAIR_SITES sibling entries naming distinct organisations by their file names, linked or
    not (the site's own folder says partners, so a row of two is as much a list as a grid of three). The folder
    keeps saying "sponsors" when a redesign drops the heading, hashes the classes or moves the logos into the
    header; images in `seen` (or in a link there) are already read."""
    rows: dict[etree._Element, dict[etree._Element, list[str]]] = {}
    images: list[tuple[etree._Element, list[etree._Element]]] = []
    lean = _Lean()
    for img in root.iter("img"):
        if img in seen:
            continue
        parent = img.getparent()
        anchor = parent if parent is not None and parent.tag == "a" else None
        if anchor is not None and anchor in seen:
            continue
        # The address read is part of one attribute value: an image none of whose values holds a filing fragment
        # is no filed logo, and most images are none (one search over its values spares reading its address).
        if not _FILED_FRAGMENT_RE.search(" ".join(img.values()).lower()):
            continue
        src = _image_source(img)
        if not src or not filed_as_logo(src):
            continue
        # A numbered file ("partners/04.png") names no one; the alt beside it may ("Fenland Growers").
        alt = clean(img.get("alt") or "")
        name = name_from_filename(src) or (alt if is_name_like(alt) else "")
        if not name:
            continue
        child, boxes = anchor if anchor is not None else img, []
        entry = child
        for depth in range(GRID_MAX_DEPTH):
            box = child.getparent()
            if box is None or box.tag in HEADING_RANK:
                break
            if depth >= GRID_DEPTH and not lean(child):
                break
            names = rows.setdefault(box, {}).setdefault(child, [])
            if fold(name) not in names:
                names.append(fold(name))
            boxes.append(box)
            child = box
        images.append((entry, boxes))
    state = State("sponsor", FILED_GRID_TIER, False)
    found = []
    for entry, boxes in images:
        if any(len(_box_sites(rows[box])) >= MIN_PAIR_SITES for box in boxes):
            found.append((entry, state))
    return found


def is_sponsors_page(root: etree._Element) -> bool:
    """True when the page's own <title> says it is the site's sponsors page ("Sponsors · Monki Fair", "Our
    partners | …"): one part of the title says sponsors and nothing else."""
    title = root.find("head/title")
    text = clean(text_of(title)) if title is not None else ""
    return bool(text) and any(says_only_sponsors(part) for part in TITLE_SEPARATORS_RE.split(text) if part.strip())


def titled_page_logos(root: etree._Element, seen: set[etree._Element]) -> list[tuple[etree._Element, State]]:
    """The logos of the site's own sponsors page (`is_sponsors_page`), for a page where nothing else marks a
    sponsor list: images of the content (header, menu and footer apart; not a link within the site, not a
    portrait) that form a grid of one shape — at least MIN_STRIP_SITES sibling entries holding their image the
    same way ("p > figure > img"), naming distinct organisations by file name (or by an alt no other image
    shares). A photo set apart ("p > img" beside them) is not one of them."""
    alts: dict[str, int] = {}
    for img in root.iter("img"):
        alt = clean(img.get("alt") or "")
        alts[alt] = alts.get(alt, 0) + 1
    rows: dict[tuple[etree._Element, tuple[str, ...]], dict[etree._Element, list[str]]] = {}
    images: list[tuple[etree._Element, list[tuple[etree._Element, tuple[str, ...]]]]] = []
    lean = _Lean()
    for img in root.iter("img"):
        parent = img.getparent()
        anchor = parent if parent is not None and parent.tag == "a" else None
        if img in seen or (anchor is not None and (anchor in seen or not outbound(href_of(anchor, ""), None))):
            continue  # read already, or a link within the site (its logo, its menu)
        if any(anc.tag in PAGE_REGION_TAGS for anc in img.iterancestors()):
            continue
        src = _image_source(img)
        if not src or PORTRAIT_FILE_RE.search(src.rsplit("/", 1)[-1]):
            continue
        alt = clean(img.get("alt") or "")
        name = name_from_filename(src) or (alt if alts.get(alt) == 1 and is_name_like(alt) else "")
        if not name:
            continue
        child: etree._Element = anchor if anchor is not None else img
        entry = child
        shape: tuple[str, ...] = (child.tag,)
        keys: list[tuple[etree._Element, tuple[str, ...]]] = []
        for depth in range(GRID_MAX_DEPTH):
            box = child.getparent()
            if box is None or box.tag in HEADING_RANK or box.tag in ("body", "html"):
                break
            if depth >= GRID_DEPTH and not lean(child):
                break
            names = rows.setdefault((box, shape), {}).setdefault(child, [])
            if fold(name) not in names:
                names.append(fold(name))
            keys.append((box, shape))
            child = box
            shape = (box.tag, *shape)
        images.append((entry, keys))
    state = State("sponsor", TITLED_GRID_TIER, False)
    return [
        (entry, state)
        for entry, keys in images
        if any(len({n for names in rows[key].values() for n in names}) >= MIN_STRIP_SITES for key in keys)
    ]


def _pair_entry(a: etree._Element, base_site: str | None) -> str:
    """The site an outbound logo link stands for when its logo is named for that site ("Quay Coffee" →
    quay-coffee.example), outside the page's header and menu; "" otherwise (a platform, a social icon, a
    download badge, a technology credit, a logo that names someone else)."""
    href = (a.get("href") or "").strip()
    host = outbound(href if not href.startswith("www.") else "http://" + href, base_site)
    if not host or SHARE_LINK_RE.search(href) or registrable_domain(host) in SOCIAL_ICON_DOMAINS:
        return ""
    parts = urlsplit(href if "://" in href else "http://" + href.lstrip("/"))
    if is_platform_profile(host, parts.path):
        return ""  # the event's channel or a profile on a platform; the platform's own site is an entry
    queried = [kv.split("=", 1)[0] for kv in parts.query.split("&") if kv]
    if len([seg for seg in parts.path.split("/") if seg]) > PAIR_MAX_PATH_SEGMENTS or any(
        not key.lower().startswith(TRACKING_QUERY_PREFIXES) for key in queried
    ):
        return ""  # deep into a site (an app's store page, an article): no organisation's own front door
    if any(anc.tag in ("header", "nav") for anc in a.iterancestors()):
        return ""  # the site's own banner and menu: its organisers' logos, not a list
    for img in a.iter("img"):
        alt = clean(img.get("alt") or "")
        if alt and (BADGE_LEAD_RE.match(alt) or TECH_CREDIT_RE.search(alt)):
            return ""
        path = urlsplit(href).path if "://" in href else ""
        for name in (alt, name_from_filename(_image_source(img))):
            if name and is_name_like(name) and agrees_with_link(name, host, path):
                return grid_site(href, host)
    return ""


def logo_pairs(
    root: etree._Element, base_site: str | None, hrefs: list[tuple[etree._Element, str]] | None = None
) -> list[tuple[etree._Element, State]]:
    """For a page where nothing else marks a sponsor list: sibling entries of one shape (the children of one
    box, up to GRID_DEPTH levels above the link) holding at least MIN_PAIR_SITES logo links to distinct
    organisations' own sites, each logo named for the site it links to (`_pair_entry`). A row of two is what a
    small event's sponsor list often is; a grid of links needs three (`logo_grids`)."""
    rows: dict[etree._Element, dict[etree._Element, list[str]]] = {}
    entries: list[tuple[etree._Element, list[etree._Element]]] = []
    for a in _logo_links(root, hrefs):
        site = _pair_entry(a, base_site)
        if not site:
            continue
        child, boxes = a, []
        for _depth in range(GRID_DEPTH):
            box = child.getparent()
            if box is None or box.tag in HEADING_RANK or box.tag in ("body", "html"):
                break
            sites = rows.setdefault(box, {}).setdefault(child, [])
            if site not in sites:
                sites.append(site)
            boxes.append(box)
            child = box
        entries.append((a, boxes))
    state = State("sponsor", PAIR_TIER, False)
    return [
        (entry, state) for entry, boxes in entries if any(len(_box_sites(rows[box])) >= MIN_PAIR_SITES for box in boxes)
    ]
