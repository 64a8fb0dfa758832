"""Metamorphic robustness benchmark: do verdicts and sponsors survive the changes real sites make?

    python benchmarks/robustness.py [CORPUS_DIR] [-v]

Pages: every labelled html/template page of the corpus (default ../shared/corpus; skipped with a note
when absent) and every test page of the project (tests/pages/**, html and Markdown). Markdown pages are
measured in their published form: front matter dropped, rendered to HTML with markdown-it-py.

Each page is parsed with lxml and one change is applied at a time:
  * headings removed (a logo inside a heading stays), or replaced by the neutral text "Thank you";
  * every id and class replaced by hashed utility classes (CSS modules, Tailwind, styled-components);
  * alt texts removed;
  * the sponsor block moved into the footer, into the header, into a carousel with cloned aria-hidden
    slides, into tabs whose inactive panels are display:none, into a table, into cards, and under
    twenty extra wrapper divs;
  * src moved to data-src lazy loading (srcset to data-srcset, a placeholder src);
  * sponsor headings translated — ten languages (da, sv, nb, fi, pl, cs, tr, ja, ko, zh), each page
    gets one, picked from its id.
The sponsor block is located from what `check` read in a sponsor list on the unchanged page (context
section, grid or phrase; a name it found outside any list is not part of the block): the elements
carrying those sponsors' evidence (alt, src, href, text), their lowest common ancestor, and the run of
that ancestor's children that holds them — widened to the whole table, list or figure those rows or
items belong to, with the heading or short label line ("Thanks to our sponsors!") before it, over
comments and unrendered template placeholders. A restructured block (carousel, tabs, table, cards)
keeps every logo or link entry of its row, listed as a sponsor or not, its title (the heading before it, or
the first heading inside it) and its tier labels (headings, and lead-in lines before a list); paragraphs of
prose are not entries. Evidence that the result gives for several sponsors (a placeholder alt on every logo),
or that stands in several places (a name in the menu and the footer), locates no one. The heading changes keep a
heading that is itself a sponsor's name ("<h3>IMDb</h3>" on a card; given as evidence, or the words of a name
the result found) as plain text: they measure the
loss of section titles, not the deletion of the sponsors; what a broken page nested inside a heading (an
unclosed <h1> around the list) stays too. A page where `check` read no sponsor list
has no block, so block moves do not apply to it.

Every page, changed or not, goes through the user's path: `sponsorcheck check FILE --format json
--no-follow --no-cache`, the real CLI in-process (benchmarks/user_check.py). The unchanged page is the
lxml round trip of the file (parsed and serialised, nothing changed), so serialisation itself is not
counted against a change; the first row shows what the round trip alone does to the original files.

Per change it prints: pages the change applies to; verdicts kept (the same verdict as the unchanged
page); conflicts lost (a conflict turned into clear or unknown — the worst outcome); sponsor recall on
the unchanged and the changed pages and the drop. Recall pools corpus pages against their labelled
sponsors and project test pages against the names `check` found on their unchanged page (they have no
labels), matched under user_check.same_sponsor. A lost conflict is also marked when the change removed
every trace of the entity (no matched name or domain of a conflict finding is left anywhere in the
changed HTML: alt texts off a banner whose file name says nothing) — still counted, so a reader sees
which losses no reading of the page could avoid. Likewise a verdict not kept on a page where the change left
nothing that says sponsor (no sponsor word in its text, alts, titles, ids or classes, no image filed under a
sponsors folder) and that became review or unknown (a conflict: review) is marked and counted apart, still
counted as not kept. Targets (issue 10): no change loses a conflict; at
least 98% of verdicts kept over all changes; recall drops by at most 0.05 for any change. It exits 0
whatever the figures say (benchmarks/eval_gate.py holds the floors); 2 when `check` cannot run.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_eval import DEFAULT_CORPUS, PAGE_KINDS, held_back, load_labels
from user_check import ROOT, Checked, CheckFailed, matched, run_check, same_sponsor

from sponsorcheck.extract.vocabulary import FILED_LOGO_FRAGMENTS, PHRASE_RE, SPONSOR_WORD_RE, STEM_RE, WORD_RE
from sponsorcheck.normalize import fold

TEST_PAGES = ROOT / "tests" / "pages"
TEST_PAGE_SUFFIXES = (".html", ".htm", ".md", ".markdown")
MARKDOWN_SUFFIXES = (".md", ".markdown")

NEUTRAL_HEADING = "Thank you"
WRAPPER_DEPTH = 20
VISIBLE_SLIDES = 3
CLONED_SLIDES = 2
TABLE_COLUMNS = 3
PROSE_CHARS = 200  # a unit with more words than this is a paragraph of prose, not a list entry
PLACEHOLDER_SRC = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
UTILITY_CLASSES = ("flex", "grid", "items-center", "gap-4", "p-4", "mx-auto", "w-full", "text-sm")
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
LANDMARK_TAGS = frozenset({"html", "body", "main", "header", "footer", "article", "nav", "aside"})
BLOCK_LEVEL_TAGS = frozenset(
    {"div", "section", "article", "aside", "nav", "header", "footer", "ul", "ol", "dl", "li", "table", "figure", "p"}
)
REGION_TAGS = frozenset({"header", "footer", "nav"})  # page regions apart from the main content
MEDIA_TAGS = frozenset({"a", "img", "picture", "svg", "figure", "object"})
# Elements whose parts (rows, items) are not a block on their own: a block move takes the whole of them.
WHOLE_TAGS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "ul", "ol", "dl", "picture", "figure"})
# Short label lines a reader takes as a block's title when they stand just before it.
LABEL_TAGS = frozenset({"p", "div", "span", "strong", "b", "dt", "header"})
TEMPLATE_RE = re.compile(r"\{\{|\{%|<\?|\$\{")
TEMPLATE_EXPR_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|<\?.*?\?>|\$\{.*?\}", re.S)
NOT_WORD_RE = re.compile(r"[\W_]+")
# Evidence kinds that carry a name as the page writes it (a link or file name counts only when it holds the name).
NAMING_EVIDENCE = frozenset({"img-alt", "text", "title", "aria-label", "data-attr"})
# The contexts of a sponsor `check` read in a sponsor list (not "outside" or "identity").
LIST_CONTEXTS = frozenset({"section", "grid", "phrase"})

# Targets from issue 10, item 4.
TARGET_KEPT = 0.98
TARGET_CONFLICTS_LOST = 0
TARGET_RECALL_DROP = 0.05

# -- translations of sponsor headings ------------------------------------------------------------------
LANGUAGES = ("da", "sv", "nb", "fi", "pl", "cs", "tr", "ja", "ko", "zh")
# Concept → one phrase per language, in LANGUAGES order.
HEADING_WORDS: dict[str, tuple[str, ...]] = {
    "sponsors": (
        "Sponsorer",
        "Sponsorer",
        "Sponsorer",
        "Sponsorit",
        "Sponsorzy",
        "Sponzoři",
        "Sponsorlar",
        "スポンサー",
        "스폰서",
        "赞助商",
    ),
    "partners": (
        "Samarbejdspartnere",
        "Samarbetspartners",
        "Samarbeidspartnere",
        "Yhteistyökumppanit",
        "Partnerzy",
        "Partneři",
        "İş ortaklarımız",
        "パートナー",
        "파트너",
        "合作伙伴",
    ),
    "supporters": (
        "Støttet af",
        "Med stöd av",
        "Støttet av",
        "Tukijat",
        "Wspierają nas",
        "Podporují nás",
        "Destekçilerimiz",
        "協賛",
        "후원",
        "支持单位",
    ),
    "media": (
        "Mediepartnere",
        "Mediepartners",
        "Mediepartnere",
        "Mediakumppanit",
        "Patroni medialni",
        "Mediální partneři",
        "Medya sponsorları",
        "メディアパートナー",
        "미디어 파트너",
        "媒体合作伙伴",
    ),
    "past": (
        "Tidligere sponsorer",
        "Tidigare sponsorer",
        "Tidligere sponsorer",
        "Aiemmat sponsorit",
        "Dotychczasowi sponsorzy",
        "Dřívější sponzoři",
        "Geçmiş sponsorlarımız",
        "過去のスポンサー",
        "이전 스폰서",
        "往届赞助商",
    ),
}
TIER_NAMES: dict[str, tuple[str, ...]] = {
    "platinum": (
        "Platin",
        "Platina",
        "Platina",
        "Platina",
        "Platynowi",
        "Platinoví",
        "Platin",
        "プラチナ",
        "플래티넘",
        "白金",
    ),
    "gold": ("Guld", "Guld", "Gull", "Kulta", "Złoci", "Zlatí", "Altın", "ゴールド", "골드", "金牌"),
    "silver": ("Sølv", "Silver", "Sølv", "Hopea", "Srebrni", "Stříbrní", "Gümüş", "シルバー", "실버", "银牌"),
    "bronze": ("Bronze", "Brons", "Bronse", "Pronssi", "Brązowi", "Bronzoví", "Bronz", "ブロンズ", "브론즈", "铜牌"),
}
NO_SPACE_LANGUAGES = frozenset({"ja", "zh"})
# Which concept an English (or already-localised) heading stands for, tried in this order.
CONCEPT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("past", re.compile(r"\b(past|previous|former|earlier)\b", re.I)),
    ("media", re.compile(r"\bmedia\b", re.I)),
    ("partners", re.compile(r"partner|parceir|partenaire", re.I)),
    ("supporters", re.compile(r"support|thank|friend|fund|backer|patron|donor|apoi|possible", re.I)),
    ("sponsors", re.compile(r"sponsor|patrocin|presented|powered", re.I)),
)
TIER_PATTERN = re.compile(r"\b(platinum|gold|silver|bronze)\b", re.I)


def translate_heading(text: str, language: str) -> str | None:
    """The heading in `language` when it is a sponsor or tier heading, else None (left as it is)."""
    index = LANGUAGES.index(language)
    tier = TIER_PATTERN.search(text)
    concept = next((name for name, pattern in CONCEPT_PATTERNS if pattern.search(text)), None)
    if tier:
        word = HEADING_WORDS["sponsors"][index]
        tier_word = TIER_NAMES[tier.group(1).lower()][index]
        return f"{tier_word}{'' if language in NO_SPACE_LANGUAGES else ' '}{word}"
    if concept is None:
        return None
    return HEADING_WORDS[concept][index]


# -- pages ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourcePage:
    """One page to change: its id, HTML text, the suffix `check` sees, and labelled sponsors (corpus only)."""

    id: str
    html: str
    suffix: str
    labelled: tuple[str, ...] | None  # None for project test pages


FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
PELICAN_META_RE = re.compile(r"\A(?:[A-Za-z][\w -]*:[^\n]*\n)+\n")
TITLE_RE = re.compile(r"^title\s*[:=]\s*['\"]?(.*?)['\"]?\s*$", re.I | re.M)


def markdown_page(text: str) -> str:
    """A Markdown page as its site publishes it: front matter dropped (title kept), body rendered to HTML."""
    from html import escape

    from markdown_it import MarkdownIt

    title = ""
    for pattern in (FRONT_MATTER_RE, PELICAN_META_RE):
        head = pattern.match(text)
        if head:
            found = TITLE_RE.search(head.group(0))
            title = found.group(1) if found else title
            text = text[head.end() :]
    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    head_html = f"<head><meta charset='utf-8'><title>{escape(title)}</title></head>"
    return f"<!doctype html>\n<html>{head_html}<body>\n{body}</body></html>\n"


def source_page(page_id: str, path: Path, labelled: tuple[str, ...] | None) -> SourcePage:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        return SourcePage(page_id, markdown_page(text), ".html", labelled)
    return SourcePage(page_id, text, path.suffix.lower() or ".html", labelled)


def corpus_pages(corpus: Path) -> list[SourcePage]:
    """Every labelled html/template page of the corpus (none when there is no corpus)."""
    if not (corpus / "labels.yaml").is_file():
        return []
    pages = []
    for entry in load_labels(corpus):
        if entry.get("kind", "html") in PAGE_KINDS:
            labelled = tuple(str(s) for s in entry.get("sponsors") or [])
            pages.append(source_page(str(entry["id"]), corpus / entry["file"], labelled))
    return pages


def project_pages(root: Path = TEST_PAGES) -> list[SourcePage]:
    """Every html and Markdown test page of the project."""
    return [
        source_page(f"tests/{p.relative_to(root).as_posix()}", p, None)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix.lower() in TEST_PAGE_SUFFIXES
    ]


# -- the tree and the sponsor block ---------------------------------------------------------------------


def parse(html: str) -> etree._Element:
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=False)
    return lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)


def serialise(doc: etree._Element) -> str:
    return "<!doctype html>\n" + lxml.html.tostring(doc, encoding="unicode", method="html")


def body_of(doc: etree._Element) -> etree._Element:
    body = doc.find("body")
    if body is None:
        body = etree.SubElement(doc, "body")
    return body


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Block:
    """The run of sibling elements holding the sponsors `check` found, and the logo units in it."""

    parent: etree._Element
    nodes: list[etree._Element]  # consecutive children of parent (a heading first, when there is one)
    heading: etree._Element | None
    units: list[etree._Element]  # one element per sponsor (or group of names sharing an element)
    unit_labels: list[str]  # the tier heading text in force before each unit ("" when none)
    title: etree._Element | None = None  # what a restructured block keeps above it: the heading, or one inside


def evidence_elements(
    doc: etree._Element, sponsors: Sequence[dict], locate: bool = True
) -> dict[etree._Element, set[int]]:
    """Elements of the body that carry a found sponsor's evidence, with the sponsors each carries. With `locate`
    (finding the block), evidence shared by several sponsors or found in several places locates no one."""
    body = body_of(doc)
    wanted: dict[tuple[str, str], set[int]] = {}
    for index, sponsor in enumerate(sponsors):
        for ev in sponsor.get("evidence", []):
            kind, text = ev.get("kind", ""), _norm(str(ev.get("text", "")))
            if text:
                wanted.setdefault((kind, text), set()).add(index)
    # A text the result gives as evidence of several sponsors (a placeholder alt "alt text" copied onto every logo)
    # locates none of them: each one's own evidence (its file, its link) does.
    if locate:
        wanted = {key: who for key, who in wanted.items() if len(who) == 1}
    texts = {text for kind, text in wanted if kind == "text"}
    files = [(key, who) for key, who in wanted.items() if key[0] in ("img-file", "css-bg")]
    attr_kinds = {"href": "link", "alt": "img-alt", "title": "title", "aria-label": "aria-label"}
    keys_of: dict[etree._Element, set[tuple[str, str]]] = {}
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        keys: set[tuple[str, str]] = set()
        for attr, kind in attr_kinds.items():
            value = el.get(attr)
            if value and (kind, _norm(value)) in wanted:
                keys.add((kind, _norm(value)))
        for attr in ("src", "data-src", "srcset", "data-srcset", "style", "data-lazy-src"):
            value = el.get(attr)
            if value:
                keys.update(key for key, _ in files if key[1] in value)
        for attr, value in el.attrib.items():
            if attr.startswith("data-") and ("data-attr", _norm(value)) in wanted:
                keys.add(("data-attr", _norm(value)))
        if texts and len(el) <= 3 and _norm(el.text_content()) in texts:
            keys.add(("text", _norm(el.text_content())))
        if keys:
            keys_of[el] = keys
    # A text match on an element and on its own child: keep the innermost one.
    for el in list(keys_of):
        if any(d in keys_of and keys_of[d] >= keys_of[el] for d in el.iterdescendants()):
            del keys_of[el]
    # A key found on several elements (a name in the menu, the footer and the list) does not say where its sponsor
    # stands: such a sponsor is located only when nothing else locates the others.
    places: dict[tuple[str, str], int] = {}
    for keys in keys_of.values():
        for key in keys:
            places[key] = places.get(key, 0) + 1
    located = {i for keys in keys_of.values() for key in keys if places[key] == 1 for i in wanted[key]}
    if not locate:
        located = set()
    found: dict[etree._Element, set[int]] = {}
    for el, keys in keys_of.items():
        owners = {i for key in keys for i in wanted[key] if places[key] == 1 or i in located or not located}
        if not located or owners:
            found[el] = owners or {i for key in keys for i in wanted[key]}
    return found


def _ancestors(el: etree._Element) -> list[etree._Element]:
    chain = [el]
    while chain[-1].getparent() is not None:
        chain.append(chain[-1].getparent())
    return chain


def _is_heading(el: etree._Element) -> bool:
    """A heading, a box holding only a heading, or a short label line ("<p><b>Thanks to our sponsors!</b></p>"):
    what a reader takes as the block's title, so a block move takes it along."""
    if not isinstance(el.tag, str):
        return False
    if el.tag in HEADING_TAGS:
        return True
    text = _norm(el.text_content())
    if el.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"):
        # …as long as it holds nothing but headings: a box with the heading and the logos is the block itself.
        return len(text) <= 80 and not _media_outside_headings(el)
    return _is_label_line(el)


def _is_label_line(el: etree._Element) -> bool:
    """A short line of words with no link or logo ("<p><b>Thanks to our sponsors!</b></p>")."""
    if not isinstance(el.tag, str) or el.tag not in LABEL_TAGS:
        return False
    text = _norm(el.text_content())
    return 0 < len(text) <= 80 and not el.xpath(".//a|.//img|.//svg|.//picture")


def _media_outside_headings(el: etree._Element) -> bool:
    return bool(
        el.xpath(
            ".//*[self::a or self::img or self::svg or self::picture]"
            "[not(ancestor::h1 or ancestor::h2 or ancestor::h3 or ancestor::h4 or ancestor::h5 or ancestor::h6)]"
        )
    )


def _is_noise(el: etree._Element) -> bool:
    """A sibling a reader does not see as content between a heading and its logos: a comment, an empty box, an
    unrendered template placeholder (`<a href="{{ s.url }}"><img alt="{{ s.name }}"></a>`)."""
    if not isinstance(el.tag, str):
        return True
    if TEMPLATE_EXPR_RE.sub("", el.text_content()).strip():
        return False
    return all(
        not (value := (node.get(attr) or "").strip()) or TEMPLATE_RE.search(value)
        for node in el.iter()
        if isinstance(node.tag, str)
        for attr in ("href", "src", "alt")
    )


def _apart(owners: dict[etree._Element, set[int]]) -> dict[etree._Element, set[int]]:
    """Without the sponsors read only inside a page region (footer, header, nav) that holds none of the others:
    a name in the footer's "previous / next" links is not part of the list in the page's main content."""
    region: dict[int, set[etree._Element | None]] = {}
    for el, who in owners.items():
        box = next((a for a in el.iterancestors() if a.tag in REGION_TAGS), None)
        for index in who:
            region.setdefault(index, set()).add(box)
    main = {index for index, boxes in region.items() if None in boxes}
    if not main or len(main) == len(region):
        return owners
    kept = {el: who for el, who in owners.items() if who & main}
    return kept or owners


def find_block(doc: etree._Element, sponsors: Sequence[dict]) -> Block | None:
    """The sponsor block of a page, from the evidence of what `check` found there; None when nothing was."""
    owners = _apart(evidence_elements(doc, sponsors))
    if not owners:
        return None
    chains = [_ancestors(el) for el in owners]
    common = [a for a in chains[0] if all(a in chain for chain in chains[1:])]
    lca = common[0]
    if lca.tag in ("html", "head") or lca.getparent() is None:
        return None
    # The run of the common ancestor's children that hold evidence, with a heading just before it.
    children = list(lca)
    holding = [i for i, child in enumerate(children) if any(child in chain for chain in chains)]
    if lca in owners or not holding:  # one element carries everything: the block is that element
        parent = lca.getparent()
        nodes = [lca]
    else:
        parent, nodes = lca, children[holding[0] : holding[-1] + 1]
    # A container holding nothing but the block is the block (so the heading beside it comes along), and so
    # is the table, list or definition list the block's rows or items belong to (a <tbody> alone is no block).
    while parent.tag not in LANDMARK_TAGS and (
        [c for c in parent if isinstance(c.tag, str)] == nodes or parent.tag in WHOLE_TAGS
    ):
        nodes, parent = [parent], parent.getparent()
    siblings = list(parent)
    start = siblings.index(nodes[0])
    heading = None
    # The heading over the block: the nearest previous sibling that is one, over noise only (comments,
    # placeholders of an unrendered template).
    back = start - 1
    while back >= 0 and not _is_heading(siblings[back]) and _is_noise(siblings[back]):
        back -= 1
    if back >= 0 and _is_heading(siblings[back]):
        heading = siblings[back]
        nodes = [*siblings[back:start], *nodes]
    elif nodes and _is_heading(nodes[0]):
        heading = nodes[0]
    units = _entries(_units(owners, chains, set(nodes)), heading)
    labels = _labels(nodes, units, heading)
    title = heading if heading is not None else _inner_title(nodes, units)
    return Block(parent, nodes, heading, units, labels, title)


def _inner_title(nodes: list[etree._Element], units: list[etree._Element]) -> etree._Element | None:
    """The block's title when it stands inside the block's first node (a section with its own heading, or a broken
    page's unclosed heading around the logos): the first heading before the first unit."""
    if not units:
        return None
    root = nodes[0].getroottree().getroot()
    order = {el: i for i, el in enumerate(root.iter())}
    first = min(order.get(u, 0) for u in units)
    for node in nodes:
        for el in node.iter(*HEADING_TAGS):
            if order.get(el, 0) < first or any(el in _ancestors(u) for u in units):
                return el
    return None


def _units(owners: dict[etree._Element, set[int]], chains: list[list], roots: set) -> list[etree._Element]:
    """One element per sponsor: climb from each evidence element while the parent holds no other sponsor."""
    elements = list(owners)

    def sponsors_under(node: etree._Element) -> set[int]:
        out: set[int] = set()
        for el, chain in zip(elements, chains, strict=True):
            if node in chain:
                out |= owners[el]
        return out

    units: list[etree._Element] = []
    for el in elements:
        unit = el
        own = sponsors_under(el)
        while unit not in roots and unit.getparent() is not None and sponsors_under(unit.getparent()) == own:
            unit = unit.getparent()
            if unit in roots:
                break
        if not any(unit is u or unit in _ancestors(u)[1:] for u in units):
            units = [u for u in units if unit not in _ancestors(u)[1:]]
            units.append(unit)
    order = {el: i for i, el in enumerate(units[0].getroottree().getroot().iter())} if units else {}
    return sorted(units, key=lambda u: order.get(u, 0))


def _entries(units: list[etree._Element], heading: etree._Element | None) -> list[etree._Element]:
    """The units, and their sibling entries that hold a logo or a link `check` did not list as a sponsor (the
    event's own channel in a row of logos): a carousel or table of the row keeps every entry it had."""
    if len(units) < 2:
        return units
    parents = {u.getparent() for u in units}
    if len(parents) != 1 or None in parents:
        return units
    (parent,) = parents
    chosen = set(units)
    out = [
        child
        for child in parent
        if child in chosen
        or (
            isinstance(child.tag, str)
            and child is not heading
            and not _is_heading(child)
            and child.xpath("boolean(.//a[@href] or .//img or self::a[@href] or self::img)")
        )
    ]
    return out


def _labels(nodes: list[etree._Element], units: list[etree._Element], heading: etree._Element | None) -> list[str]:
    """The tier label in force before each unit: headings inside the block, and the short label line that leads a
    list or row of units ("<p>Extra special thanks to our sponsors:</p><ul>…"), in document order."""
    root = nodes[0].getroottree().getroot()
    holding = {a for u in units for a in _ancestors(u)}
    headings = [
        el
        for node in nodes
        for el in node.iter()
        if el is not heading
        and el not in holding
        and (el.tag in HEADING_TAGS or (_is_label_line(el) and _leads(el, holding)))
    ]
    order = {el: i for i, el in enumerate(root.iter())}
    labels = []
    for unit in units:
        before = [h for h in headings if order.get(h, 0) < order.get(unit, 0)]
        labels.append(_norm(before[-1].text_content()) if before else "")
    return labels


def _leads(line: etree._Element, holding: set[etree._Element]) -> bool:
    """The next element after a label line (over comments and empty boxes) holds units: the line leads them."""
    nxt = line.getnext()
    while nxt is not None and nxt not in holding and _is_noise(nxt) and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    return nxt is not None and nxt in holding


def _detach(nodes: Iterable[etree._Element]) -> None:
    """Remove nodes from the tree, keeping the text that follows each one."""
    for node in nodes:
        parent = node.getparent()
        if parent is None:
            continue
        if node.tail:
            prev = node.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + node.tail
            else:
                parent.text = (parent.text or "") + node.tail
        node.tail = None
        parent.remove(node)


def _replace_block(block: Block, new: list[etree._Element]) -> None:
    """Put `new` where the block's nodes were. An id the page's own links jump to ("<a href="#s4">Partners</a>")
    that was on a replaced node goes to the restructured block: a site that rebuilds its list keeps its menu
    working."""
    linked = {
        href[1:]
        for a in block.parent.getroottree().iter("a")
        if (href := a.get("href") or "").startswith("#") and len(href) > 1
    }
    kept = {el.get("id") for node in new for el in node.iter() if isinstance(el.tag, str) and el.get("id")}
    anchors = [
        el.get("id")
        for node in block.nodes
        for el in node.iter()
        if isinstance(el.tag, str) and el.get("id") in linked and el.get("id") not in kept
    ]
    if anchors and new and new[-1].get("id") is None:
        new[-1].set("id", anchors[0])
    index = list(block.parent).index(block.nodes[0])
    placeholder = etree.Element("span")
    block.parent.insert(index, placeholder)
    _detach(block.nodes)
    for offset, el in enumerate(new):
        block.parent.insert(index + offset, el)
    block.parent.remove(placeholder)


def _moved_nodes(block: Block) -> list[etree._Element]:
    """The block's nodes taken out of the tree, in order."""
    nodes = list(block.nodes)
    _detach(nodes)
    return nodes


def _el(tag: str, children: Iterable[etree._Element] = (), text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    el.text = text
    for child in children:
        el.append(child)
    return el


def _is_prose(unit: etree._Element) -> bool:
    """A paragraph of running text (a sponsor's biography with a link in it): not an entry of a list or row."""
    return len(_norm(unit.text_content())) > PROSE_CHARS


def _entry_units(block: Block) -> list[tuple[str, etree._Element]]:
    """(label, unit) of the block's entries: a carousel, tabs, a table or cards hold logos and names, not the
    paragraphs of prose beside them (unless the block is nothing but prose)."""
    pairs = list(zip(block.unit_labels, block.units, strict=True))
    entries = [(label, unit) for label, unit in pairs if not _is_prose(unit)]
    return entries or pairs


def _unit_copies(block: Block) -> list[etree._Element]:
    copies = []
    for _, unit in _entry_units(block):
        clone = copy.deepcopy(unit)
        clone.tail = None
        copies.append(clone)
    return copies


def _groups(block: Block, halves: bool = False) -> list[tuple[str, list[etree._Element]]]:
    """Units grouped by the tier heading before them; without tiers and with `halves`, split in two."""
    copies = _unit_copies(block)
    groups: list[tuple[str, list[etree._Element]]] = []
    for (label, _), unit in zip(_entry_units(block), copies, strict=True):
        if groups and groups[-1][0] == label:
            groups[-1][1].append(unit)
        else:
            groups.append((label, [unit]))
    if halves and len(groups) == 1 and len(copies) >= 2:
        half = (len(copies) + 1) // 2
        groups = [(groups[0][0], copies[:half]), ("", copies[half:])]
    return groups


def _leading(block: Block) -> list[etree._Element]:
    """A copy of the block's title with its words only (a heading around the logos does not bring them along)."""
    if block.title is None:
        return []
    heading = copy.deepcopy(block.title)
    heading.tail = None
    _detach([c for c in heading if isinstance(c.tag, str) and c.tag in BLOCK_LEVEL_TAGS and _media_outside_headings(c)])
    return [heading]


# -- the changes -----------------------------------------------------------------------------------------

Change = Callable[[etree._Element, "PageContext"], bool]  # changes the tree in place; False: does not apply


@dataclass
class PageContext:
    page: SourcePage
    sponsors: list[dict]  # what `check` found on the unchanged page


def _media_of(heading: etree._Element) -> list[etree._Element]:
    """What a heading holds besides its words: its images and links, and the content a broken page nested
    inside it (an unclosed <h1> around the whole list) — a change to the heading's words keeps all of it."""
    kept: list[etree._Element] = []
    for el in heading.iterdescendants():
        if not isinstance(el.tag, str) or any(m in _ancestors(el) for m in kept):
            continue
        nested = el.tag in BLOCK_LEVEL_TAGS and el.xpath(
            "boolean(.//a or .//img or .//svg or .//picture or .//h1 or .//h2 or .//h3 or .//h4 or .//h5 or .//h6)"
        )
        if el.tag in MEDIA_TAGS or nested:
            kept.append(el)
    return kept


def _entry_headings(doc: etree._Element, ctx: PageContext) -> set[etree._Element]:
    """Headings that are a sponsor's own name ("<h3>IMDb</h3>" on a card): the sponsor, not a section title. The
    heading changes keep their words (a site without headings still names its sponsors), so they measure the loss
    of section titles, not the deletion of the sponsors themselves."""
    owners = evidence_elements(doc, ctx.sponsors, locate=False)
    names = {_norm(str(s.get("name") or "")).casefold() for s in ctx.sponsors} - {""}
    entries = set()
    for heading in body_of(doc).iter(*HEADING_TAGS):
        named = heading in owners or any(d in owners for d in heading.iterdescendants())
        # A card title the result read its name from without giving the title as evidence ("<a><img alt=…>
        # <h2>Acme Bank</h2></a>", evidence: the link and the logo) is that sponsor's name all the same.
        named = named or _norm(heading.text_content()).casefold() in names
        if named and not _media_of(heading):  # a logo in a heading stays anyway; its heading text is a title
            entries.add(heading)
    return entries


def headings_removed(doc: etree._Element, ctx: PageContext) -> bool:
    entries = _entry_headings(doc, ctx)
    headings = [h for h in body_of(doc).iter(*HEADING_TAGS) if h not in entries]
    for heading in entries:
        heading.tag = "p"  # the name stays, as plain text
    for heading in headings:
        media = _media_of(heading)
        parent = heading.getparent()
        if parent is None:
            continue
        index = list(parent).index(heading)
        for offset, el in enumerate(media):
            el.tail = None
            parent.insert(index + 1 + offset, el)
        _detach([heading])
    return bool(headings)


def headings_neutral(doc: etree._Element, ctx: PageContext) -> bool:
    entries = _entry_headings(doc, ctx)
    headings = [h for h in body_of(doc).iter(*HEADING_TAGS) if h not in entries]
    for heading in headings:
        _retitle(heading, NEUTRAL_HEADING)
    return bool(headings)


def _retitle(heading: etree._Element, text: str) -> None:
    """Give a heading new words, keeping its images (an image heading stays an image heading)."""
    media = _media_of(heading)
    for child in list(heading):
        heading.remove(child)
    heading.text = text
    for el in media:
        el.tail = None
        heading.append(el)


def _hashed(value: str, salt: str) -> str:
    return hashlib.sha1(f"{salt}:{value}".encode()).hexdigest()[:6]


def hashed_classes(doc: etree._Element, ctx: PageContext) -> bool:
    changed = False
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("class") is not None:
            h = _hashed(el.get("class", ""), "class")
            util = UTILITY_CLASSES[int(h, 16) % len(UTILITY_CLASSES)]
            el.set("class", f"css-{h} {util}")
            changed = True
        if el.get("id") is not None:
            el.set("id", f"r{_hashed(el.get('id', ''), 'id')}")
            changed = True
        href = el.get("href") or ""
        if el.tag == "a" and href.startswith("#") and len(href) > 1:
            el.set("href", f"#r{_hashed(href[1:], 'id')}")  # a build that renames ids renames the links to them
    return changed


def alt_removed(doc: etree._Element, ctx: PageContext) -> bool:
    changed = False
    for el in doc.iter("img", "area", "input"):
        if "alt" in el.attrib:
            del el.attrib["alt"]
            changed = True
    return changed


def lazy_loading(doc: etree._Element, ctx: PageContext) -> bool:
    changed = False
    for el in doc.iter("img", "source"):
        if el.get("src") and not el.get("src", "").startswith("data:"):
            el.set("data-src", el.get("src", ""))
            el.set("src", PLACEHOLDER_SRC)
            changed = True
        if el.get("srcset"):
            el.set("data-srcset", el.get("srcset", ""))
            del el.attrib["srcset"]
            changed = True
        if changed:
            el.set("class", (el.get("class", "") + " lazyload").strip())
    return changed


def translated(doc: etree._Element, ctx: PageContext) -> bool:
    language = LANGUAGES[int(hashlib.sha256(ctx.page.id.encode()).hexdigest(), 16) % len(LANGUAGES)]
    changed = False
    for heading in body_of(doc).iter(*HEADING_TAGS):
        text = translate_heading(_norm(heading.text_content()), language)
        if text is None:
            continue
        _retitle(heading, text)
        changed = True
    html = doc if doc.tag == "html" else doc.getroottree().getroot()
    html.set("lang", language)
    return changed


def _block(doc: etree._Element, ctx: PageContext) -> Block | None:
    return find_block(doc, ctx.sponsors)


def into_footer(doc: etree._Element, ctx: PageContext) -> bool:
    block = _block(doc, ctx)
    if block is None:
        return False
    nodes = _moved_nodes(block)
    footers = body_of(doc).findall(".//footer")
    footer = footers[-1] if footers else etree.SubElement(body_of(doc), "footer")
    footer.append(_el("div", nodes))
    return True


def into_header(doc: etree._Element, ctx: PageContext) -> bool:
    block = _block(doc, ctx)
    if block is None:
        return False
    nodes = _moved_nodes(block)
    headers = body_of(doc).findall(".//header")
    if headers:
        header = headers[0]
    else:
        header = etree.Element("header")
        body_of(doc).insert(0, header)
    header.append(_el("div", nodes))
    return True


def into_carousel(doc: etree._Element, ctx: PageContext) -> bool:
    block = _block(doc, ctx)
    if block is None or not block.units:
        return False
    units = _unit_copies(block)
    slides: list[etree._Element] = []

    def slide(unit: etree._Element, hidden: bool, cloned: bool = False) -> etree._Element:
        classes = "slick-slide" + (" slick-cloned" if cloned else "") + ("" if hidden else " slick-active")
        attrs = {"class": classes, "aria-hidden": "true" if hidden else "false"}
        if hidden:
            attrs["tabindex"] = "-1"
        return _el("div", [unit], **attrs)

    for unit in units[-CLONED_SLIDES:]:
        slides.append(slide(copy.deepcopy(unit), True, cloned=True))
    for i, unit in enumerate(units):
        slides.append(slide(unit, i >= VISIBLE_SLIDES))
    for unit in units[:CLONED_SLIDES]:
        slides.append(slide(copy.deepcopy(unit), True, cloned=True))
    carousel = _el("div", [_el("div", [_el("div", slides, class_="slick-track")], class_="slick-list")])
    carousel.set("class", "carousel slick-slider")
    _replace_block(block, [*_leading(block), carousel])
    return True


def into_tabs(doc: etree._Element, ctx: PageContext) -> bool:
    block = _block(doc, ctx)
    if block is None or not block.units:
        return False
    groups = _groups(block, halves=True)
    tabs = _el("ul", [], role="tablist")
    panels = []
    for i, (label, units) in enumerate(groups):
        tab_id = f"tab-panel-{i}"
        tabs.append(
            _el(
                "li",
                [_el("button", text=label or f"Group {i + 1}", role="tab", aria_controls=tab_id)],
            )
        )
        panel = _el("div", units, id=tab_id, role="tabpanel")
        if i > 0:
            panel.set("style", "display:none")
        panels.append(panel)
    _replace_block(block, [*_leading(block), _el("div", [tabs, *panels], class_="tabs")])
    return True


def into_table(doc: etree._Element, ctx: PageContext) -> bool:
    block = _block(doc, ctx)
    if block is None or not block.units:
        return False
    body = _el("tbody")
    for label, units in _groups(block):
        if label:
            body.append(_el("tr", [_el("th", text=label, colspan=str(TABLE_COLUMNS))]))
        for start in range(0, len(units), TABLE_COLUMNS):
            body.append(_el("tr", [_el("td", [u]) for u in units[start : start + TABLE_COLUMNS]]))
    _replace_block(block, [*_leading(block), _el("table", [body])])
    return True


def into_cards(doc: etree._Element, ctx: PageContext) -> bool:
    block = _block(doc, ctx)
    if block is None or not block.units:
        return False
    cards: list[etree._Element] = []
    for label, units in _groups(block):
        if label:
            cards.append(_el("h3", text=label))
        cards.append(
            _el(
                "div", [_el("div", [_el("div", [u], class_="card-body")], class_="card") for u in units], class_="cards"
            )
        )
    _replace_block(block, [*_leading(block), *cards])
    return True


def under_wrappers(doc: etree._Element, ctx: PageContext) -> bool:
    block = _block(doc, ctx)
    if block is None:
        return False
    index = list(block.parent).index(block.nodes[0])
    parent = block.parent
    nodes = _moved_nodes(block)
    inner = _el("div", nodes)
    outer = inner
    for _ in range(WRAPPER_DEPTH - 1):
        outer = _el("div", [outer])
    parent.insert(index, outer)
    return True


CHANGES: tuple[tuple[str, Change], ...] = (
    ("headings removed", headings_removed),
    ('headings replaced by "Thank you"', headings_neutral),
    ("ids and classes hashed", hashed_classes),
    ("alt texts removed", alt_removed),
    ("sponsor block into the footer", into_footer),
    ("sponsor block into the header", into_header),
    ("sponsor block into a carousel", into_carousel),
    ("sponsor block into tabs", into_tabs),
    ("sponsor block into a table", into_table),
    ("sponsor block into cards", into_cards),
    (f"sponsor block under {WRAPPER_DEPTH} wrappers", under_wrappers),
    ("src moved to data-src", lazy_loading),
    ("headings translated (10 languages)", translated),
)
ROUND_TRIP = "round trip only (vs the original file)"


# -- measuring -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One change on one page: the verdict and the sponsors found before and after."""

    change: str
    page: str
    corpus: bool  # a labelled corpus page (else a project test page)
    before: str
    after: str
    reference: int  # labelled sponsors (corpus) or names found on the unchanged page (test pages)
    hits_before: int
    hits_after: int
    # A conflict whose every matched name or domain no longer occurs anywhere in the changed page's HTML: the
    # change removed what the verdict rested on (alt texts off a logo-only banner). Still counted as lost.
    evidence_gone: bool = False
    # The changed page holds nothing that says sponsor: no sponsor word in its visible text, alt texts, titles,
    # ids or classes, no image filed under a sponsors folder (the heading was the list's only marker).
    unmarked: bool = False
    held_back: bool = False  # a held-back corpus page: counted, never described (--diagnose)
    # For --diagnose: each reference name found on the unchanged page and not on the changed one, with what the
    # unchanged page read for it ("Acme: section 'Gold', img-alt 'Acme', link 'acme.example'") and what the
    # changed page still says about it ("read as a mention", "nothing").
    lost_names: tuple[str, ...] = ()


@dataclass
class Row:
    """One change over every page it applies to."""

    name: str
    pages: int = 0
    kept: int = 0
    conflicts: int = 0  # unchanged pages that read conflict
    conflicts_lost: int = 0
    lost_evidence_gone: int = 0  # of conflicts_lost: the changed page no longer names the entity at all
    hits_before: int = 0
    hits_after: int = 0
    reference: int = 0
    lost: list[str] = field(default_factory=list)  # "page: before → after"
    # Of the verdicts not kept: the change left nothing that says sponsor and the answer became an honest one
    # (a conflict → review, anything → unknown or review, never clear).
    honest: int = 0

    def add(self, o: Outcome) -> None:
        self.pages += 1
        self.kept += o.before == o.after
        if o.before == "conflict":
            self.conflicts += 1
            self.conflicts_lost += o.after in ("clear", "unknown")
            self.lost_evidence_gone += o.after in ("clear", "unknown") and o.evidence_gone
        if o.before != o.after:
            self.honest += (
                o.unmarked
                and o.after in ("review", "unknown")
                and not (o.before == "conflict" and o.after == "unknown")
            )
            lost = o.before == "conflict" and o.after in ("clear", "unknown")
            gone = " (the change removed every trace of the entity)" if lost and o.evidence_gone else ""
            gone += " (nothing left says sponsor)" if o.unmarked else ""
            self.lost.append(f"{o.page}: {o.before} → {o.after}{gone}")
        self.reference += o.reference
        self.hits_before += o.hits_before
        self.hits_after += o.hits_after

    @property
    def kept_share(self) -> float:
        return self.kept / self.pages if self.pages else 1.0

    @property
    def recall_before(self) -> float:
        return self.hits_before / self.reference if self.reference else 1.0

    @property
    def recall_after(self) -> float:
        return self.hits_after / self.reference if self.reference else 1.0

    @property
    def drop(self) -> float:
        return self.recall_before - self.recall_after


@dataclass(frozen=True)
class Figures:
    """The overall figures over a set of pages (what the gate pins)."""

    pages: int
    rows: tuple[Row, ...]
    round_trip: Row

    @property
    def kept_share(self) -> float:
        pages = sum(r.pages for r in self.rows)
        return sum(r.kept for r in self.rows) / pages if pages else 1.0

    @property
    def conflicts_lost(self) -> int:
        return sum(r.conflicts_lost for r in self.rows)

    @property
    def lost_evidence_gone(self) -> int:
        return sum(r.lost_evidence_gone for r in self.rows)

    @property
    def honest(self) -> int:
        return sum(r.honest for r in self.rows)

    @property
    def max_drop(self) -> float:
        return max((r.drop for r in self.rows), default=0.0)

    @property
    def worst(self) -> Row | None:
        return max(self.rows, key=lambda r: r.drop, default=None)


@dataclass(frozen=True)
class Robustness:
    """Every change's outcome on every page; figures for all pages, corpus pages or test pages."""

    outcomes: tuple[Outcome, ...]
    corpus_pages: int
    test_pages: int

    def figures(self, corpus: bool | None = None) -> Figures:
        """Figures over all pages (None), the corpus pages only (True) or the project test pages (False)."""
        chosen = [o for o in self.outcomes if corpus is None or o.corpus == corpus]
        rows = {name: Row(name) for name in (ROUND_TRIP, *(n for n, _ in CHANGES))}
        for o in chosen:
            rows[o.change].add(o)
        pages = {None: self.corpus_pages + self.test_pages, True: self.corpus_pages, False: self.test_pages}[corpus]
        return Figures(pages, tuple(rows[n] for n, _ in CHANGES), rows[ROUND_TRIP])


def _check_html(html: str, suffix: str, workdir: Path, name: str) -> Checked:
    path = workdir / f"{name}{suffix}"
    path.write_text(html, encoding="utf-8")
    try:
        return run_check(str(path))
    finally:
        path.unlink()


def _found_sponsors(checked: Checked) -> list[dict]:
    """The sponsors `check` read in a sponsor list: what the block moves move. A name it found outside any
    list (a banner under "Getting there") is not part of the block, and moving it along would put it in one."""
    return [
        c
        for c in checked.result.get("sponsors", [])
        if c.get("role") == "sponsor"
        and ((c.get("context") or ("section" if c.get("in_sponsor_context") else "outside")) in LIST_CONTEXTS)
    ]


def _squash(text: str) -> str:
    return NOT_WORD_RE.sub("", text.casefold())


def _says_sponsor(text: str) -> bool:
    padded = f" {' '.join(WORD_RE.findall(fold(text)))} "
    return bool(STEM_RE.search(padded) or SPONSOR_WORD_RE.search(padded) or PHRASE_RE.search(padded))


def _unmarked(changed_html: str) -> bool:
    """True when nothing on the changed page says sponsor: not its visible text, nor an alt text, title,
    aria-label, id or class, nor an image's folder or file name (see FILED_LOGO_FRAGMENTS)."""
    body = body_of(parse(changed_html))
    unseen = [el for el in body.iter(etree.Comment, etree.ProcessingInstruction, "script", "style", "template")]
    for el in unseen:
        _detach([el])
    if _says_sponsor(body.text_content()):
        return False
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("alt", "title", "aria-label"):
            if el.get(attr) and _says_sponsor(el.get(attr) or ""):
                return False
        for attr in ("id", "class"):
            if el.get(attr) and _says_sponsor(re.sub(r"[-_]", " ", el.get(attr) or "")):
                return False
        for attr in ("src", "data-src", "srcset", "href"):
            value = (el.get(attr) or "").lower()
            if value and el.tag in ("img", "source") and any(f in value for f in FILED_LOGO_FRAGMENTS):
                return False
    return True


def _evidence_gone(before: Checked, changed_html: str) -> bool:
    """True when nothing a conflict finding rested on is left in the changed page: neither the matched name
    nor any of its evidence that names (alt, text, title, aria-label, data attribute; a link or file name only
    when it holds the matched name), compared case- and punctuation-blind."""
    conflicts = [f for f in before.result.get("findings", []) if f.get("level") == "conflict"]
    page = _squash(changed_html)
    for finding in conflicts:
        matched = _squash(str(finding.get("matched") or ""))
        if matched and matched in page:
            return False
        for ev in finding.get("evidence", []):
            text = _squash(str(ev.get("text") or ""))
            naming = ev.get("kind") in NAMING_EVIDENCE or (matched and matched in text)
            if text and naming and text in page:
                return False
    return bool(conflicts)


def _describe(checked: Checked, name: str) -> str:
    """What a result read for a reference name: context, tier and evidence of its sponsor entry, else where else
    the name stands (a mention, a finding); "nothing" when the result does not name it."""
    for c in checked.result.get("sponsors", []):
        if same_sponsor(name, str(c.get("name", ""))):
            evidence = ", ".join(
                f"{ev.get('kind')} {str(ev.get('text', ''))[:60]!r}" for ev in c.get("evidence", [])[:4]
            )
            context = c.get("context") or ("section" if c.get("in_sponsor_context") else "outside")
            return f"{c.get('role')} in {context} {str(c.get('tier') or '')[:40]!r}: {evidence}"
    for m in checked.result.get("mentions", []):
        if same_sponsor(name, str(m.get("name", ""))):
            return f"mention ({'in' if m.get('in_sponsor_context') else 'outside'} a sponsor context)"
    return "nothing"


def _lost_names(reference: Sequence[str], before: Checked, after: Checked) -> tuple[str, ...]:
    hits_before = matched(reference, before.found_names())[0]
    hits_after = set(matched(reference, after.found_names())[0])
    return tuple(
        f"{name}: before {_describe(before, name)} | after {_describe(after, name)}"
        for name in hits_before
        if name not in hits_after
    )


def _outcome(
    change: str, page: SourcePage, reference: Sequence[str], before: Checked, after: Checked, changed_html: str = ""
) -> Outcome:
    return Outcome(
        change=change,
        page=page.id,
        corpus=page.labelled is not None,
        before=before.verdict,
        after=after.verdict,
        reference=len(reference),
        hits_before=len(matched(reference, before.found_names())[0]),
        hits_after=len(matched(reference, after.found_names())[0]),
        evidence_gone=bool(changed_html) and before.verdict == "conflict" and _evidence_gone(before, changed_html),
        unmarked=bool(changed_html) and before.verdict != after.verdict and _unmarked(changed_html),
        held_back=page.labelled is not None and held_back(page.id),
        lost_names=_lost_names(reference, before, after),
    )


def measure(
    corpus: Path | None = DEFAULT_CORPUS, include_tests: bool = True, only_change: str = "", only_page: str = ""
) -> Robustness:
    """Run every change on every page through `check` (raises CheckFailed when check cannot run). `only_change` and
    `only_page` (substrings) narrow the run while working on one class; the figures then cover only that part."""
    from_corpus = corpus_pages(corpus) if corpus is not None else []
    from_tests = project_pages() if include_tests else []
    if only_page:
        from_corpus = [p for p in from_corpus if only_page in p.id]
        from_tests = [p for p in from_tests if only_page in p.id]
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="sponsorcheck-robustness-") as tmp:
        workdir = Path(tmp)
        for number, page in enumerate([*from_corpus, *from_tests]):
            stem = f"p{number}"
            original = _check_html(page.html, page.suffix, workdir, stem)
            unchanged_html = serialise(parse(page.html))
            unchanged = _check_html(unchanged_html, page.suffix, workdir, stem)
            reference = list(page.labelled) if page.labelled is not None else unchanged.found_names()
            outcomes.append(_outcome(ROUND_TRIP, page, reference, original, unchanged))
            ctx = PageContext(page, _found_sponsors(unchanged))
            for name, change in CHANGES:
                if only_change and only_change not in name:
                    continue
                doc = parse(unchanged_html)
                if not change(doc, ctx):
                    continue
                changed_html = serialise(doc)
                after = _check_html(changed_html, page.suffix, workdir, stem)
                outcomes.append(_outcome(name, page, reference, unchanged, after, changed_html))
    return Robustness(tuple(outcomes), len(from_corpus), len(from_tests))


def _summary(label: str, figures: Figures) -> str:
    pages = sum(r.pages for r in figures.rows)
    kept = sum(r.kept for r in figures.rows)
    worst = figures.worst
    return (
        f"{label}: verdicts kept {kept}/{pages} {figures.kept_share:.1%}, conflicts lost {figures.conflicts_lost}, "
        f"largest recall drop {figures.max_drop:+.3f}{f' ({worst.name})' if worst else ''}"
    )


def print_report(result: Robustness, verbose: bool = False) -> None:
    figures = result.figures()
    print(
        f"{figures.pages} pages ({result.corpus_pages} corpus html+template pages, {result.test_pages} project "
        "test pages), each change through `check FILE --format json --no-follow`"
    )
    header = f"{'change':<40} {'pages':>5} {'verdicts kept':>15} {'conflicts lost':>15} {'recall':>15} {'drop':>7}"
    print(header)
    print("-" * len(header))
    for row in [figures.round_trip, *figures.rows]:
        kept = f"{row.kept}/{row.pages} {row.kept_share:.1%}"
        lost = f"{row.conflicts_lost}/{row.conflicts}"
        recall = f"{row.recall_before:.3f}→{row.recall_after:.3f}"
        print(f"{row.name:<40} {row.pages:>5} {kept:>15} {lost:>15} {recall:>15} {row.drop:>+7.3f}")
        if verbose:
            for line in row.lost:
                print(f"      {line}")
        if row is figures.round_trip:
            print("-" * len(header))
    print("-" * len(header))
    print(_summary("corpus pages only", result.figures(corpus=True)))
    print(_summary("project test pages only", result.figures(corpus=False)))
    pages = sum(r.pages for r in figures.rows)
    kept = sum(r.kept for r in figures.rows)
    print(f"overall verdicts kept: {kept}/{pages} {figures.kept_share:.1%} (target ≥ {TARGET_KEPT:.0%})")
    print(
        f"  of the {pages - kept} verdicts not kept, {figures.honest} on pages where the change left nothing that "
        "says sponsor (no sponsor word in the text, alts, ids, classes or image folders) and the answer became "
        "review or unknown, never clear (a conflict: review)"
    )
    print(
        f"conflicts lost (conflict → clear/unknown): {figures.conflicts_lost} (target {TARGET_CONFLICTS_LOST}); "
        f"of them, the change removed every trace of the entity from the page: {figures.lost_evidence_gone}"
    )
    worst = figures.worst
    print(
        f"largest recall drop: {figures.max_drop:+.3f}"
        f"{f' ({worst.name})' if worst else ''} (target ≤ {TARGET_RECALL_DROP})"
    )
    met = (
        figures.kept_share >= TARGET_KEPT
        and figures.conflicts_lost <= TARGET_CONFLICTS_LOST
        and figures.max_drop <= TARGET_RECALL_DROP
    )
    print(f"robustness targets: {'met' if met else 'NOT met'}")


def print_diagnosis(result: Robustness) -> None:
    """Per change and page: the verdict change and every sponsor the changed page lost, with what the unchanged
    page read for it and what the changed one still says. Held-back corpus pages are counted, never described."""
    hidden = 0
    for name, _ in CHANGES:
        lines = []
        for o in result.outcomes:
            if o.change != name or (o.before == o.after and not o.lost_names):
                continue
            if o.held_back:
                hidden += 1
                continue
            note = " (nothing left says sponsor)" if o.unmarked else ""
            lines.append(f"  {o.page}: {o.before} → {o.after}{note}" if o.before != o.after else f"  {o.page}:")
            lines += [f"      lost {line}" for line in o.lost_names]
        if lines:
            print(f"== {name}")
            print("\n".join(lines))
    if hidden:
        print(f"({hidden} outcomes on held-back corpus pages changed and are not described)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS), help="corpus directory (labels.yaml)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every page whose verdict changed")
    parser.add_argument(
        "--diagnose", action="store_true", help="per change and page, the sponsors lost and what each page read"
    )
    parser.add_argument("--change", default="", help="only the changes whose name contains this")
    parser.add_argument("--page", default="", help="only the pages whose id contains this")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if not (corpus / "labels.yaml").is_file():
        print(f"note: no corpus at {corpus} (labels.yaml not found); measuring the project's test pages only")
    try:
        result = measure(corpus, only_change=args.change, only_page=args.page)
    except CheckFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.diagnose:
        print_diagnosis(result)
    print_report(result, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
