"""Parse HTML with lxml so that hostile nesting cannot hide a page's content.

libxml2's HTML parser stops at a fixed nesting depth (256 elements, 2048 with XML_PARSE_HUGE) and
silently drops everything after that point: a page wrapped in 200,000 `<div>`s would lose its
sponsor section and look sponsor-free. `parse_html` parses with the larger limit and, only when
the parser reports that it hit it, parses again after `flatten_deep_nesting` has removed, below
`MAX_NESTING`, wrapper tags without attributes and runs of identical wrappers. Ordinary pages pay
nothing extra.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

# Nesting kept as written; deeper bare wrappers are dropped (their content is kept).
MAX_NESTING = 1000
# Below MAX_NESTING, tags that may carry meaning for extraction are kept, up to this many more levels.
MAX_MEANINGFUL_NESTING = 800
# Tags kept even without attributes below MAX_NESTING: links, logos' neighbours, headings, lists, raw text.
MEANINGFUL_TAGS = frozenset(
    {"a", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "p", "script", "style", "template", "noscript"}
)
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# A tag, approximately: good enough to count nesting on the rare page that needs flattening. Linear:
# `[^>]*` cannot backtrack into itself.
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)([^>]*)>")
_DEPTH_ERROR = "Excessive depth"
# C0 controls (other than tab, newlines) that libxml2 parses into text but lxml then refuses to write
# back ("All strings must be XML compatible"): fetch drops them from every page it reads, extraction
# where it writes text back.
_UNPARSABLE_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UNPARSABLE_CHARS = tuple(chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)))

# Template-language comments left in saved pages, as (opening, closing) patterns: Liquid/Django
# {% comment %}, Handlebars {{!-- --}} and {{! }}, ERB/ASP <%# %>, Smarty {* *}, Jinja/Twig {# #}.
TEMPLATE_COMMENTS = (
    (r"\{%-?\s*comment\s*-?%\}", r"\{%-?\s*endcomment\s*-?%\}"),
    (r"\{\{!--", r"--\}\}"),
    (r"\{\{!", r"\}\}"),
    (r"<%#", r"%>"),
    (r"\{\*", r"\*\}"),
    (r"\{#", r"#\}"),
)
_TEMPLATE_COMMENT_RES = tuple(
    (re.compile(f"{opening}.*?{closing}", re.DOTALL | re.IGNORECASE), re.compile(closing, re.IGNORECASE))
    for opening, closing in TEMPLATE_COMMENTS
)

_local = threading.local()  # one parser per thread: a parser's error log belongs to its last parse


def _parser() -> etree.HTMLParser:
    # lxml's plain HTML parser: lxml.html's element classes are looked up in Python for every element
    # object created, which costs more than the rest of a page's extraction walk.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.HTMLParser(huge_tree=True)
    return parser


def _utf8_parser() -> etree.HTMLParser:
    parser = getattr(_local, "utf8_parser", None)
    if parser is None:
        parser = _local.utf8_parser = etree.HTMLParser(huge_tree=True, encoding="utf-8")
    return parser


def parse_html(html: str, encoded: bytes | None = None) -> etree._Element | None:
    """The document tree of `html` (plain lxml elements), content below absurd nesting kept; raises what lxml raises.

    `encoded`, when given, is `html` encoded as UTF-8: libxml2 reads those bytes as they are, where a str is
    handed over in Python's own layout (often UTF-16) and converted first (0.2 ms on a 300 KB page); the tree
    is the same. lxml refuses a str holding NUL (ValueError): pages read by fetch have had such characters
    dropped, and a str holding one is never parsed from bytes.
    """
    if encoded is not None and "\x00" not in html:
        parser = _utf8_parser()
        root = etree.fromstring(encoded, parser)
    else:
        parser = _parser()
        root = etree.fromstring(html, parser)
    if any(_DEPTH_ERROR in entry.message for entry in parser.error_log):
        root = etree.fromstring(flatten_deep_nesting(html), _parser())
    return root


def flatten_deep_nesting(html: str, limit: int = MAX_NESTING) -> str:
    """`html` with wrapper tags nested deeper than `limit` removed (and their end tags); text and other tags kept."""
    kept_stack: list[bool] = []  # one entry per open non-void tag: was it kept?
    kept_below = 0  # kept tags currently open below the limit
    previous_open = ""  # the last start tag, as written: a run of identical wrappers is one wrapper
    parts: list[str] = []
    last = 0
    for match in _TAG_RE.finditer(html):
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if name in VOID_TAGS or attrs.rstrip().endswith("/"):
            continue
        if closing:
            if not kept_stack:
                continue
            kept = kept_stack.pop()
            if len(kept_stack) >= limit and kept:
                kept_below -= 1
        else:
            depth = len(kept_stack)
            tag = match.group(0)
            meaningful = (name in MEANINGFUL_TAGS or bool(attrs.strip())) and tag != previous_open
            previous_open = tag
            kept = depth < limit or (meaningful and kept_below < MAX_MEANINGFUL_NESTING)
            if depth >= limit and kept:
                kept_below += 1
            kept_stack.append(kept)
        if not kept:
            parts.append(html[last : match.start()])
            last = match.end()
    parts.append(html[last:])
    return "".join(parts)


def strip_template_comments(text: str) -> str:
    """`text` with template-language comments replaced by a space, in time linear in the text.

    A lazy `open.*?close` regex rescans to the end of the text from every opening that is never
    closed: 50,000 stray "{*" in a 350 KB page took 47 s. Each kind is therefore applied only up
    to its last closing, where every opening has a closing ahead and each scan is consumed once.
    """
    for comment_re, closing_re in _TEMPLATE_COMMENT_RES:
        last = None
        for last in closing_re.finditer(text):  # noqa: B007 - only the last closing matters
            pass
        if last is None:
            continue
        end = last.end()
        text = comment_re.sub(" ", text[:end]) + text[end:]
    return text


def drop_unparsable(text: str) -> str:
    """`text` without the C0 control characters (other than tab and newlines) that lxml cannot hold."""
    # Present in almost no page: 27 memchr-speed scans cost a third of one regex search over the text.
    if any(char in text for char in _UNPARSABLE_CHARS):
        return _UNPARSABLE_CHARS_RE.sub("", text)
    return text
