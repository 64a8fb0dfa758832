"""The document: template comments, front matter, Markdown, the lxml parse, and what is content.

The page is parsed once with lxml's HTML parser (BeautifulSoup's tree building costs 10× more, and
lxml.html's element classes are looked up in Python per element: batch mode cannot afford either).
What is not content (comments, <template>, template-language comment blocks, <script>/<style> except
JSON-LD) is removed before the walk. Elements hidden by `hidden`, `aria-hidden`, display:none or a class
that always hides ARE content — tabs, carousel slides, accordions, "show more" blocks a visitor opens
with one click; they are only remembered (`Parsed.hidden`) so evidence can say so. Also the shared text
helpers: an element's text, whitespace cleaning, and the page's visible text with C-speed phrase lookups
(`BodyText`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any

import ahocorasick_rs
from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.token import Token

from sponsorcheck.extract.vocabulary import EMBED_TAGS, HIDDEN_CLASSES, INVISIBLE_TAGS, RESPONSIVE_SHOW_RE
from sponsorcheck.parse import drop_unparsable, parse_html, strip_template_comments

# XPath unions ("//@class|//@id") are quadratic in libxml2: 20,000 class and 20,000 id attributes took
# 3.5 s, 20,000 <h2> and <h3> 27 s. So no XPath here uses "|": attribute sets are read with one path
# per name and joined in Python (their users do not depend on document order), element sets with a
# predicate (".//*[self::img or self::svg]").
_CLASS_VALUES = etree.XPath("//@class")
# What "//@id" selects, in the same order, from a node set of the elements only ("//" collects every node, text
# nodes included, before asking each for the attribute): a page has few ids, and that pass was most of their cost.
_ID_VALUES = etree.XPath("/descendant::*/@id")


def class_id_values(root: etree._Element) -> list[Any]:
    """Every class and id attribute value of the tree (classes first), in linear time."""
    return _CLASS_VALUES(root) + _ID_VALUES(root)


# A quick test for template comments (kinds in parse.TEMPLATE_COMMENTS) before stripping them.
TEMPLATE_BRACE_MARKER_RE = re.compile(r"\{(?:%-?\s*comment|\{!|\*|#)", re.IGNORECASE)
ERB_COMMENT_MARKER_RE = re.compile(r"<%#")
# A value written by a template, not by a person ("{{ sponsor.name }}", "<?= $name ?>").
TEMPLATE_VALUE_RE = re.compile(r"\{\{|\{%|<\?|<%|\$\{|\{\$")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
FRONT_MATTER_RE = re.compile(r"\A\ufeff?(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.DOTALL)
FRONT_MATTER_TITLE_RE = re.compile(r"^\s*title\s*[:=]\s*[\"']?(.+?)[\"']?\s*$", re.MULTILINE | re.IGNORECASE)
# Pelican-style metadata lines at the top of a markdown page ("Title: …").
PELICAN_META_RE = re.compile(r"\A(?:[A-Z][A-Za-z_]*:[^\n]*\n)+")
# "#Sponsors": kramdown (Jekyll's renderer) reads a heading without the space CommonMark asks for ("#{" is a
# template's, "#1" starts with a digit).
ATX_NO_SPACE_RE = re.compile(r"^(#{1,6})(?=[^\s#{\d])", re.MULTILINE)
# A kramdown/Pandoc attribute list right after an image or link: styling, not words.
KRAMDOWN_ATTRS_RE = re.compile(r"(?<=\))\{:?[^{}\n]*\}")


def clean(text: str | None) -> str:
    """Whitespace runs collapsed to one space, ends stripped; '' for None."""
    return " ".join(text.split()) if text else ""


@dataclass
class Parsed:
    """A parsed page: its content tree, the JSON-LD blocks taken out of it, and script sizes (the JS hint)."""

    root: etree._Element
    jsonld: list[str]
    script_chars: int
    script_count: int
    attrs: list[Any] = field(default_factory=list)  # every class/id value (smart strings: .getparent())
    # Embedded players and objects, removed with their fallback content: (tag, address, the element they were in).
    embeds: list[tuple[str, str, etree._Element]] = field(default_factory=list)
    hidden: Container[etree._Element] = frozenset()  # hidden until a click (tab, slide, accordion): still content
    encoded: bytes | None = None  # the page text as UTF-8 when it was parsed as written (None when preprocessed)


def _markdown_to_html(text: str) -> str:
    """Markdown as CommonMark with tables (markdown-it-py): headings, paragraphs (wrapped lines continue their
    sentence), lists, links, images, emphasis and tables; HTML passes through as written. Attribute lists after
    an image or link ("![Acme](acme.png){: width=200}", kramdown) are not content."""
    text = ATX_NO_SPACE_RE.sub(r"\1 ", KRAMDOWN_ATTRS_RE.sub("", text))
    md = _markdown()
    return md.renderer.render(_logo_lines_apart(md.parse(text)), md.options, {})


def _logo_lines_apart(tokens: list[Token]) -> list[Token]:
    """Paragraphs holding a logo, each of their lines a paragraph of its own: a lead-in line ("Thanks to our
    sponsor"), the logo line and a line after it ("Hosted by the volunteers") are three things, not one sentence
    whose words all belong to the logo. Prose paragraphs keep their wrapped lines together."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        inline = tokens[i + 1] if token.type == "paragraph_open" and i + 2 < len(tokens) else None
        children = inline.children or [] if inline is not None else []
        split = any(_is_logo(c) for c in children) and any(c.type == "softbreak" for c in children)
        if inline is None or not split:
            out.append(token)
            i += 1
            continue
        lines: list[list[Token]] = [[]]
        for child in children:
            if child.type == "softbreak":
                lines.append([])
            else:
                lines[-1].append(child)
        for line in (line for line in lines if line):
            piece = Token("inline", "", 0, children=line, content="", map=inline.map, level=inline.level)
            out.extend([token, piece, tokens[i + 2]])
        i += 3
    return out


def _is_logo(token: Token) -> bool:
    return token.type == "image" or (token.type == "html_inline" and token.content.lower().startswith("<img"))


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # No indented code blocks: sponsor pages indent their HTML (a Jekyll include inside a <div>), and the site's
    # own renderer (kramdown) shows it as HTML; a code block would hide every logo in it.
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("code")


def _preprocess(text: str, url: str, content_type: str = "text/html") -> str:
    """Template comments removed; front matter reduced to its title; markdown pages turned into HTML."""
    # A regex that starts with a literal "{" is scanned at C speed; one alternation over "{" and "<" is not.
    # A one-character find runs at memchr speed; a longer one over a page that is not Latin-1 does not (0.3 ms).
    if TEMPLATE_BRACE_MARKER_RE.search(text) or ("%" in text and ERB_COMMENT_MARKER_RE.search(text)):
        text = strip_template_comments(text)  # linear: the lazy regex was quadratic on unclosed openings
    title = ""
    front = FRONT_MATTER_RE.match(text)
    if front:
        found = FRONT_MATTER_TITLE_RE.search(front.group(2))
        title = found.group(1) if found else ""
        text = text[front.end() :]
    is_markdown = url.lower().endswith(MARKDOWN_SUFFIXES) or "markdown" in content_type
    if is_markdown:
        meta = PELICAN_META_RE.match(text)
        if meta and not front:
            found = FRONT_MATTER_TITLE_RE.search(meta.group(0))
            title = found.group(1) if found else ""
            text = text[meta.end() :]
        text = _markdown_to_html(text)
    if title and not TEMPLATE_VALUE_RE.search(title):
        text = f"<h1>{_escape(title)}</h1>\n{text}"
    return text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _hidden_by_class(classes: str) -> bool:
    """A class that always hides ("hidden", "d-none") and no class that shows it on some screens
    ("hidden md:block", "d-none d-md-block" are responsive copies, which are shown)."""
    tokens = classes.split()
    return any(t in HIDDEN_CLASSES for t in tokens) and not any(RESPONSIVE_SHOW_RE.search(t) for t in tokens)


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def parse_page(text: str, url: str = "", content_type: str = "text/html") -> Parsed | None:
    """The page as a content tree (markup preprocessed, non-content removed), or None when it is not HTML."""
    html = _preprocess(text, url, content_type)
    if not html or html.isspace():
        return None
    encoded = None
    if html is text:  # nothing preprocessed: the page's UTF-8 bytes are parsed, and scanned by the sweep
        try:
            encoded = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the str is parsed (and the sweep encodes with "replace")
            encoded = None
    try:
        root = parse_html(html, encoded)  # huge_tree, deep nesting flattened, control characters dropped
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    jsonld: list[str] = []
    script_chars = 0
    script_count = 0
    for el in root.iter(etree.Comment, etree.ProcessingInstruction):
        _drop(el)
    for el in root.iter(*INVISIBLE_TAGS):
        if el.tag == "script":
            script_count += 1
            body = el.text or ""
            script_chars += len(body) + (2000 if el.get("src") else 0)
            if (el.get("type") or "").lower() == "application/ld+json":
                jsonld.append(body)
    embeds: list[tuple[str, str, etree._Element]] = []
    for el in list(root.iter(*INVISIBLE_TAGS)):
        if el.tag in EMBED_TAGS:
            address = el.get("src") or el.get("data") or ""
            parent = el.getparent()
            if address and parent is not None:
                embeds.append((el.tag, address, parent))  # a player's address is content the sweep reads
        if el.tag != "head":
            _drop(el)
    # Every class/id value, read once and reused by find_structure. The list also keeps those elements'
    # Python proxies alive for the whole extraction, so the walk does not pay to re-create them.
    attrs = class_id_values(root)
    # Hidden elements stay: a visitor reaches tabs, carousel slides, accordions and "show more" blocks with
    # one click. Which ones are hidden is asked only of the few elements evidence comes from (`Hidden`).
    return Parsed(root, jsonld, script_chars, script_count, attrs, embeds, Hidden(), encoded)


class Hidden:
    """`el in hidden`: the element itself is hidden until a click (`hidden`, aria-hidden="true", display:none or
    visibility:hidden, a class that always hides). Answered per element and remembered: finding every hidden
    element of a page up front costs five attribute queries over the whole tree, and evidence asks about a
    few dozen units and their ancestors."""

    def __init__(self) -> None:
        self._known: dict[etree._Element, bool] = {}

    def __contains__(self, el: object) -> bool:
        if not isinstance(el, etree._Element):
            return False
        known = self._known.get(el)
        if known is None:
            classes = el.get("class")
            known = self._known[el] = bool(classes and _hidden_by_class(classes)) or _is_hidden(el)
        return known


def prepare_tree(html: str) -> etree._Element | None:
    """Parse HTML into an lxml tree of its content: comments, scripts, styles and templates removed (hidden
    elements stay: they are content a visitor reaches with a click)."""
    parsed = parse_page(html)
    return parsed.root if parsed else None


_STRING_VALUE = etree.XPath("string()", smart_strings=False)


def text_of(el: etree._Element) -> str:
    """An element's text content (its string value, like lxml.html's text_content()).

    An element without children (len() counts elements, comments and processing instructions) holds text nodes
    only, whose content `.text` joins: read so, without the cost of an XPath evaluation (most elements asked
    are a link's or a heading's inner <span>)."""
    if not len(el):
        return el.text or ""
    return _STRING_VALUE(el)


def _drop(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if hasattr(el, "drop_tree"):
        el.drop_tree()  # keeps the tail text
    else:
        tail = el.tail
        prev = el.getprevious()
        parent.remove(el)
        if tail:
            joined = ((prev.tail if prev is not None else parent.text) or "") + tail
            try:
                _set_text(prev, parent, joined)
            except ValueError:  # lxml refuses control characters libxml2 let into the text (hypothesis)
                _set_text(prev, parent, drop_unparsable(joined))


def _set_text(prev: etree._Element | None, parent: etree._Element, text: str) -> None:
    if prev is not None:
        prev.tail = text
    else:
        parent.text = text


def document_iter(root: etree._Element, *tags: str) -> Iterator[etree._Element]:
    """Elements of the whole document in document order, as an absolute XPath ("//a") reads them: libxml2 puts
    content written after </html> into a second top-level element beside the root, which root.iter() misses."""
    for top in (*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()):
        if isinstance(top.tag, str):
            yield from top.iter(*tags)


def page_links(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """Every link of the whole document that has an href, with its href, in document order (what
    `document_iter(root, "a")` reads). Read once per page and shared: discovery, the logo grids and the sweep
    each needed every link's href, and reading an attribute costs more than the C iteration itself."""
    if root.getprevious() is None and root.getnext() is None:
        return [(a, href) for a in root.iter("a") if (href := a.get("href")) is not None]  # no generator per link
    return [(a, href) for a in document_iter(root, "a") if (href := a.get("href")) is not None]


def only_element(root: etree._Element) -> bool:
    """True when the document is the root element alone (nothing written after </html> beside it)."""
    return root.getparent() is None and root.getprevious() is None and root.getnext() is None


def links_with_logo(
    scope: etree._Element,
    logo_tags: tuple[str, ...],
    href_prefixes: tuple[str, ...] | None = None,
    links: list[tuple[etree._Element, str]] | None = None,
) -> list[etree._Element]:
    """The links (<a href>) below scope that hold one of logo_tags, and whose href starts with one of
    href_prefixes (any href when None), in document order — what ".//a[starts-with(@href, …)][.//img]" selects.
    lxml's C iteration by tag with the prefix test first: over a whole page, where most links are relative,
    libxml2 evaluates that predicate three times slower (0.4 ms against 0.15 on a 300 KB page)."""
    found = []
    # The document's root stands for the whole document (the root's top-level siblings included); `links`, when
    # given, are the document's (`page_links`).
    if links is None or scope.getparent() is not None:
        read = document_iter(scope, "a") if scope.getparent() is None else scope.iterdescendants("a")
        links = [(a, href) for a in read if (href := a.get("href")) is not None]
    for a, href in links:
        if href_prefixes is not None and not href.startswith(href_prefixes):
            continue
        for _logo in a.iterdescendants(*logo_tags):
            found.append(a)
            break
    return found


# --------------------------------------------------------------------------------------------------
# The walk: sections, context, signals
# --------------------------------------------------------------------------------------------------


def first_positions(phrases: tuple[str, ...], haystack: str, limit: int) -> dict[str, list[int]]:
    """For each phrase, the start positions of its first `limit` occurrences in haystack (overlapping ones
    included: what `occurrences` gives phrase by phrase), from one Aho-Corasick pass for all of them."""
    automaton, patterns = _phrase_automaton(phrases)
    found: dict[str, list[int]] = {p: [] for p in patterns}
    if automaton is None:
        return found
    for index, start, _end in automaton.find_matches_as_indexes(haystack, overlapping=True):
        positions = found[patterns[index]]
        if len(positions) < limit:
            positions.append(start)
    return found


def values_containing(values: list[Any], fragments: Iterable[str]) -> list[Any]:
    """The values (lower-cased match) holding any fragment, in their order, found with one Aho-Corasick pass
    over one joined blob (fragments are lower case)."""
    blob = "\n".join(values).lower()
    positions = first_positions(tuple(fragments), blob, VALUE_HITS)
    if not any(positions.values()):
        return []
    ends = list(accumulate(len(v) + 1 for v in values))
    hits = {bisect_right(ends, pos) for found in positions.values() for pos in found}
    return [values[i] for i in sorted(hits)]


VALUE_HITS = 100_000  # occurrences read per fragment: a bound for hostile pages, never reached by real ones


class BodyText:
    """The page's visible text, lower-cased once, and the text nodes holding a phrase (queried once each)."""

    def __init__(self, root: etree._Element, text: str) -> None:
        self.root = root
        self.text = text
        self.lowered = text.lower()
        self.ascii = text.isascii()
        self._nodes: dict[str, list[Any]] = {}
        self._hits: dict[str, list[int]] = {}  # phrase → where the lower-cased text holds it (first 20)
        self._words: set[bytes] | None = None
        self._links: list[tuple[etree._Element, str]] | None = None
        self._texts: list[str] | None = None

    @property
    def links(self) -> list[tuple[etree._Element, str]]:
        """The page's links with their hrefs (`page_links`), read on first use."""
        if self._links is None:
            self._links = page_links(self.root)
        return self._links

    def hits(self, phrase: str, whole_words: bool = True) -> list[int]:
        """Positions of a lower-case phrase in the lower-cased text (the first 20), searched once per page.
        With whole_words, a phrase whose words are not all words of the page is not searched (a stem such
        as "sponsor" inside "Sponsoren" needs whole_words=False)."""
        key = phrase if whole_words else "\0" + phrase
        found = self._hits.get(key)
        if found is None:
            may = self._may_hold(phrase) if whole_words else not (self.ascii and not phrase.isascii())
            found = list(occurrences(self.lowered, phrase, PHRASE_HITS)) if may else []
            self._hits[key] = found
        return found

    def _may_hold(self, phrase: str) -> bool:
        """False when the text cannot hold the phrase: one of its inner words is missing. Scanning the text once
        per phrase costs 30 µs on a large page and there are a hundred phrases; a set of the page's words (built
        once, at C speed, from bytes) rules many of them out in a lookup. Phrases are found as substrings, so
        their first and last words may be parts of longer words (the stem "sponsor" in "Sponsoren"): only the
        words between them must stand whole. Scripts written without spaces (CJK) are always searched."""
        if self.ascii and not phrase.isascii():
            return False  # an ASCII page cannot hold accents or another script
        if any(ord(c) >= CJK_START for c in phrase):
            return True
        inner = phrase.split()[1:-1]
        if not inner:
            return True
        if self._words is None:
            data = self.lowered.encode("utf-8", "replace")
            if not self.ascii:
                for mark in _WIDE_PUNCTUATION:
                    data = data.replace(mark, b" ")
            self._words = set(data.translate(_PUNCTUATION_TO_SPACE).split())
        return all(w.encode("utf-8") in self._words for w in inner)

    def search(self, phrases: tuple[str, ...], whole_words: bool = True) -> None:
        """Answer `hits` for every phrase of a set with one Aho-Corasick pass over the text (a hundred str.find
        scans of a large page cost 2-3 ms; one pass costs a tenth of that). The answers are those `hits` gives
        phrase by phrase: the first PHRASE_HITS positions, overlapping ones included, and none for a phrase
        `_may_hold` rules out."""
        prefix = "" if whole_words else "\0"
        if all(prefix + p in self._hits for p in phrases if p):
            return
        for phrase, positions in first_positions(phrases, self.lowered, PHRASE_HITS).items():
            if positions and whole_words and _needs_word_check(phrase) and not self._may_hold(phrase):
                positions = []  # as `hits` answers: an inner word written with punctuation is not a whole word
            self._hits.setdefault(prefix + phrase, positions)

    def spellings(self, phrases: Iterable[str], limit: int = 4, whole_words: bool = True) -> list[str]:
        """How the page itself writes these phrases ("Presented by", "PRESENTED BY"), for exact XPath queries."""
        if len(self.lowered) != len(self.text):
            return []
        phrases = tuple(phrases)
        self.search(phrases, whole_words)
        # `search` answered every non-empty phrase: read its answers directly (a hundred phrases, most absent).
        known, prefix = self._hits, "" if whole_words else "\0"
        found = {
            self.text[pos : pos + len(p)]
            for p in phrases
            for pos in (known[prefix + p] if prefix + p in known else self.hits(p, whole_words))
        }
        return sorted(found)[:limit]

    def nodes(self, phrases: Iterable[str]) -> list[Any]:
        """Text nodes (smart strings: .getparent(), .is_text) that contain one of the phrases."""
        out: list[Any] = []
        for spelling in self.spellings(phrases):
            if spelling not in self._nodes:
                self._nodes[spelling] = self._containing(spelling)
            out.extend(self._nodes[spelling])
        return out

    def _containing(self, spelling: str) -> list[Any]:
        """What `//text()[contains(., spelling)]` selects. libxml2 copies every text node to test it, so the
        document's text nodes are read once as plain strings, tested in Python, and only the few that hold the
        spelling are then asked for by position."""
        if self._texts is None:
            self._texts = _ALL_TEXT(self.root)
        found = [i for i, text in enumerate(self._texts, 1) if spelling in text]
        if len(found) > FEW_TEXT_NODES:
            return _TEXT_CONTAINING(self.root, p=spelling)  # one pass beats a pass per node
        return [node for i in found for node in _NTH_TEXT(self.root, n=i)]


_TEXT_CONTAINING = etree.XPath("//text()[contains(., $p)]")
_ALL_TEXT = etree.XPath("//text()", smart_strings=False)
_NTH_TEXT = etree.XPath("/descendant::text()[$n]")  # the n-th of "//text()"
FEW_TEXT_NODES = 2  # text nodes fetched one by one at most (each fetch is a pass over the tree's nodes)
PHRASE_HITS = 20  # positions kept per phrase: enough to learn how the page spells it


@lru_cache(maxsize=64)
def _phrase_automaton(phrases: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
    """One Aho-Corasick automaton (all matches, overlapping) over a set of lower-case phrases, built once per set."""
    patterns = tuple(dict.fromkeys(p for p in phrases if p))
    if not patterns:
        return None, ()
    # The DFA costs more to build (once per set) and scans several times faster than the default automaton.
    automaton = ahocorasick_rs.AhoCorasick(
        list(patterns), matchkind=ahocorasick_rs.MatchKind.Standard, implementation=ahocorasick_rs.Implementation.DFA
    )
    return automaton, patterns


def _needs_word_check(phrase: str) -> bool:
    """True when `_may_hold` can rule out a phrase the text holds as written: one of its inner words has
    punctuation in it (the page's words are split at punctuation). For every other phrase, holding it as a
    substring means its inner words stand whole, so the check would agree."""
    if any(ord(c) >= CJK_START for c in phrase):
        return False
    return any(c in _WORD_BREAKING for word in phrase.split()[1:-1] for c in word)


# ASCII punctuation becomes a space before the text is split into words ("(presented by:" → presented, by).
_PUNCTUATION = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
# Non-ASCII punctuation and spaces glued to words: quotes, guillemets, dashes, ellipsis, no-break space.
_WIDE_PUNCTUATION = tuple(c.encode("utf-8") for c in "“”„‘’‚«»‹›–—…\xa0\u202f·•")
_PUNCTUATION_TO_SPACE = bytes.maketrans(_PUNCTUATION, b" " * len(_PUNCTUATION))
# From here on (CJK radicals, kana, ideographs, Hangul) text is written without spaces between words.
CJK_START = 0x2E80
_WORD_BREAKING = frozenset(_PUNCTUATION.decode("ascii")) | frozenset(m.decode("utf-8") for m in _WIDE_PUNCTUATION)


def occurrences(haystack: str, needle: str, limit: int = 50) -> Iterator[int]:
    """Start positions of needle in haystack, at most limit of them, found with str.find."""
    start = haystack.find(needle)
    while start != -1 and limit > 0:
        yield start
        limit -= 1
        start = haystack.find(needle, start + 1)
