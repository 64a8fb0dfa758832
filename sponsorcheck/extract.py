"""Extraction: find sponsor candidates, with evidence, in a page's HTML.

The page is parsed once with lxml.html (BeautifulSoup's tree building costs 10× more, which batch
mode cannot afford). Where a sponsor section is recognised is decided here: `SECTION_KEYWORDS`
(multilingual), `SECTION_ID_CLASS_HINTS`, and the heading tags in `HEADING_XPATH`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from sponsorcheck.models import Candidate, Evidence, Extraction, Page, Role
from sponsorcheck.normalize import host_of, is_hosting_domain, registrable_domain
from sponsorcheck.parse import parse_html, strip_template_comments

# Words that make a heading, id or class a sponsor section, in every language we read.
SECTION_KEYWORDS = {
    "en": (
        "sponsor",
        "sponsors",
        "sponsored by",
        "partner",
        "partners",
        "supporters",
        "supported by",
        "presented by",
        "powered by",
        "in partnership with",
        "thanks to",
        "special thanks",
        "funders",
        "funded by",
        "backers",
        "patrons",
        "underwriters",
    ),
    "de": (
        "sponsoren",
        "hauptsponsor",
        "partner",
        "förderer",
        "unterstützer",
        "präsentiert von",
        "mit freundlicher unterstützung",
    ),
    "fr": ("partenaires", "mécènes", "parrains", "soutiens", "présenté par", "avec le soutien"),
    "es": (
        "patrocinadores",
        "patrocinador",
        "auspician",
        "auspiciantes",
        "socios",
        "colaboradores",
        "apoyan",
        "presentado por",
    ),
    "pt": ("patrocinadores", "patrocínio", "apoiadores", "apoio", "parceiros", "apresentado por"),
    "it": ("sponsor", "partner", "sostenitori", "con il supporto di", "presentato da"),
    "nl": ("sponsoren", "partners", "mogelijk gemaakt door", "ondersteund door"),
}
ALL_SECTION_KEYWORDS = tuple(sorted({k for words in SECTION_KEYWORDS.values() for k in words}, key=len, reverse=True))
SECTION_WORD_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(re.escape(k) for k in ALL_SECTION_KEYWORDS) + r")(?![\w])", re.IGNORECASE
)
# id/class fragments (matched as substrings of the lower-cased attribute) that mark a sponsor block.
SECTION_ID_CLASS_HINTS = (
    "sponsor",
    "partner",
    "supporter",
    "patrocin",
    "sponsoren",
    "partenaire",
    "parceiro",
    "apoiador",
    "funder",
    "backer",
)
# "Presented by X" anywhere on the page names a sponsor even outside a section.
PRESENTED_BY_RE = re.compile(
    r"\b(?:presented by|powered by|sponsored by|in partnership with|brought to you by)\s+"
    r"([A-Z0-9][\w&.'’-]*(?:\s+(?:[A-Z0-9&][\w&.'’-]*|of|and|the|de|du))*)"
)
HEADING_XPATH = "//h1|//h2|//h3|//h4|//h5|//h6"
# Elements whose content is never shown.
INVISIBLE_TAGS = ("script", "style", "template", "noscript", "head")
# File-name parts that are not a name: sizes, retina suffixes, versions, hashes, generic words.
FILENAME_NOISE_RE = re.compile(
    r"^(?:\d+x\d+|@?\d+x|\d+|v\d+|[0-9a-f]{8,}|logo|logos|sponsor|sponsors|img|image|color|colour|white|black|"
    r"dark|light|small|large|big|thumb|new|final|web|transparent|horizontal|vertical|rgb|cmyk|main|icon|full|min)$",
    re.IGNORECASE,
)
ALT_NOISE_RE = re.compile(r"\b(?:logo|logotype|sponsor|image|icon)\b", re.IGNORECASE)
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif")
# Distinct candidates matched per page. Matching is cheap (~10 µs each); the cap only bounds a hostile page,
# and a page that exceeds it is marked truncated so it can never be called clear.
MAX_CANDIDATES = 5_000
# A page can hold JSON-LD only if it names the type somewhere (cheap test before a second parse).
JSONLD_HINT_RE = re.compile(r"ld\+json", re.IGNORECASE)


@dataclass
class _Builder:
    """Accumulates signals per logo/organisation before they are frozen into Candidates."""

    name: str
    evidence: list[Evidence] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    in_context: bool = False
    tier: str | None = None
    role: Role = Role.SPONSOR


def _clean_text(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def name_from_filename(src: str) -> str:
    """A readable name from a logo path: 'img/sponsors/amazon-web-services_logo@2x.png' → 'amazon web services'."""
    path = unquote(urlsplit(src).path if "://" in src else src.split("?")[0])
    stem = path.rstrip("/").rsplit("/", 1)[-1]
    stem = re.sub(r"\.(?:png|jpe?g|gif|svg|webp|avif)$", "", stem, flags=re.I)
    parts = [p for p in re.split(r"[-_.\s@+]+", stem) if p and not FILENAME_NOISE_RE.match(p)]
    return " ".join(parts)


def _name_from_alt(alt: str) -> str:
    return _clean_text(ALT_NOISE_RE.sub(" ", alt)).strip(" -–|:")


def _name_from_domain(host: str) -> str:
    return registrable_domain(host).split(".")[0]


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def prepare_tree(html: str) -> etree._Element | None:
    """Parse HTML into an lxml tree with comments, scripts, templates and hidden elements removed."""
    html = strip_template_comments(html)  # linear: a lazy regex was quadratic on unclosed openings
    if not html.strip():
        return None
    try:
        root = parse_html(html)
    except (etree.ParserError, ValueError):
        return None
    for el in root.iter(etree.Comment, etree.ProcessingInstruction):
        _drop(el)
    for el in root.xpath("//" + " | //".join(INVISIBLE_TAGS)):
        if el.tag != "head":
            _drop(el)
    for el in root.xpath("//*[@hidden or @aria-hidden='true' or contains(@style,'none') or contains(@style,'hidden')]"):
        if _is_hidden(el):
            _drop(el)
    return root


def _drop(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is not None:
        el.drop_tree() if hasattr(el, "drop_tree") else parent.remove(el)


def _heading_text(el: etree._Element) -> str:
    return _clean_text(el.text_content())[:120]


def _section_roots(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """Containers that are sponsor sections, with their heading (tier) text."""
    found: list[tuple[etree._Element, str]] = []
    for heading in root.xpath(HEADING_XPATH):
        text = _heading_text(heading)
        if text and len(text) < 80 and SECTION_WORD_RE.search(text):
            container = heading.getparent()
            if container is not None:
                found.append((container, text))
    for el in root.xpath("//*[@id or @class]"):
        attrs = f"{el.get('id', '')} {el.get('class', '')}".lower()
        if any(h in attrs for h in SECTION_ID_CLASS_HINTS) and el.tag not in ("img", "a"):
            heading = el.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")
            found.append((el, _heading_text(heading[0]) if heading else ""))
    # One entry per container: many sponsor headings in one parent (a hostile page had 20,000) would
    # otherwise have the same section read once per heading, quadratic in the page.
    unique: dict[int, tuple[etree._Element, str]] = {}
    for el, tier in found:
        unique.setdefault(id(el), (el, tier))
    found = list(unique.values())
    # Keep outermost containers only.
    roots: list[tuple[etree._Element, str]] = []
    elements = {id(el) for el, _ in found}
    for el, tier in found:
        if not any(id(anc) in elements for anc in el.iterancestors()):
            roots.append((el, tier))
    return roots


def _logos(section: etree._Element, base: str) -> Iterator[_Builder]:
    """One builder per logo/link/list entry inside a sponsor section."""
    seen: set[etree._Element] = set()
    for img in section.iter("img"):
        link = next((a for a in img.iterancestors("a")), None)
        b = _Builder(name="")
        alt = _name_from_alt(img.get("alt") or img.get("title") or "")
        if alt:
            b.evidence.append(Evidence("img-alt", img.get("alt") or img.get("title") or ""))
        src = img.get("src") or img.get("data-src") or ""
        file_name = name_from_filename(src) if src else ""
        if file_name:
            b.evidence.append(Evidence("img-file", src))
        link_host = None
        if link is not None and link.get("href"):
            seen.add(link)
            href = urljoin(base, link.get("href", "")) if base.startswith("http") else link.get("href", "")
            link_host = host_of(href)
            if link_host and not is_hosting_domain(link_host):
                b.evidence.append(Evidence("link", href))
                b.domains.append(link_host)
        b.name = alt or file_name or (_name_from_domain(link_host) if link_host else "")
        if b.name:
            yield b
    for a in section.iter("a"):
        if a in seen:
            continue
        text = _clean_text(a.text_content())
        href = a.get("href") or ""
        host = host_of(urljoin(base, href)) if href else None
        base_host = host_of(base) if base.startswith("http") else None
        if host and base_host and registrable_domain(host) == registrable_domain(base_host):
            continue  # a link within the site is navigation, not a sponsor
        if not text and not host:
            continue
        b = _Builder(name=text or (_name_from_domain(host) if host else ""))
        if text:
            b.evidence.append(Evidence("text", text[:200]))
        if host:
            b.evidence.append(Evidence("link", urljoin(base, href) if base.startswith("http") else href))
            b.domains.append(host)
        yield b
    for li in section.iter("li"):
        # A list item holding another list is a container, not a name; reading its text anyway made
        # nested lists quadratic (1,000 nested items over 1 MB of text took 28 s).
        if li.xpath(".//a|.//img|.//li"):
            continue
        text = _clean_text(li.text_content())
        if 1 < len(text) < 80:
            yield _Builder(name=text, evidence=[Evidence("text", text)])


def _jsonld(root: etree._Element) -> Iterator[_Builder]:
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        yield from _jsonld_walk(data, 0)


def _jsonld_walk(data: object, depth: int) -> Iterator[_Builder]:
    if depth > 20:
        return
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_walk(item, depth + 1)
    elif isinstance(data, dict):
        for key, role in (("sponsor", Role.SPONSOR), ("funder", Role.SPONSOR), ("organizer", Role.IDENTITY)):
            for org in data.get(key) if isinstance(data.get(key), list) else [data.get(key)]:
                name = org.get("name") if isinstance(org, dict) else org if isinstance(org, str) else None
                if isinstance(name, str) and name.strip():
                    b = _Builder(name=_clean_text(name), in_context=True, role=role, tier=f"JSON-LD {key}")
                    b.evidence.append(Evidence("jsonld", f"{key}: {name}"))
                    url = org.get("url") if isinstance(org, dict) else None
                    if isinstance(url, str) and host_of(url):
                        b.domains.append(host_of(url) or "")
                        b.evidence.append(Evidence("link", url))
                    yield b
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _jsonld_walk(value, depth + 1)


def extract(page: Page) -> Extraction:
    """Sponsor candidates of one page, merged per organisation, with evidence; never raises on bad HTML."""
    raw_root = None
    try:
        # The unpruned tree is only needed for JSON-LD; not building it otherwise halves peak memory.
        raw_root = parse_html(page.text) if page.text.strip() and JSONLD_HINT_RE.search(page.text) else None
    except (etree.ParserError, ValueError):
        raw_root = None
    builders: list[_Builder] = list(_jsonld(raw_root)) if raw_root is not None else []
    root = prepare_tree(page.text)
    if root is None:
        return Extraction((), False, (page.url,), ("the page is empty or not HTML",))
    sections = _section_roots(root)
    for section, tier in sections:
        for b in _logos(section, page.url):
            b.in_context = True
            b.tier = tier or None
            builders.append(b)
    body_text = _clean_text(root.text_content())
    for match in PRESENTED_BY_RE.finditer(body_text):
        name = match.group(1).strip(" .")
        builders.append(
            _Builder(name=name, evidence=[Evidence("text", match.group(0)[:200])], in_context=True, tier="presented by")
        )
    host = host_of(page.url) if page.url.startswith("http") else None
    if host:
        builders.append(
            _Builder(
                name=host,
                evidence=[Evidence("page-url", page.url)],
                domains=[host],
                role=Role.IDENTITY,
                tier="the page's own site",
            )
        )
    candidates = _merge(builders, page.url)
    hints: list[str] = []
    truncated = len(candidates) > MAX_CANDIDATES
    if truncated:
        candidates = candidates[:MAX_CANDIDATES]
        hints.append(f"the page names more than {MAX_CANDIDATES:,} possible sponsors; only the first were checked")
    if not sections and not any(c.in_sponsor_context for c in candidates):
        hints.append("no sponsor or partner section was found on the page")
    return Extraction(
        candidates,
        bool(sections) or any(c.in_sponsor_context for c in candidates),
        (page.url,),
        tuple(hints),
        truncated=truncated,
    )


def _merge(builders: list[_Builder], page_url: str) -> tuple[Candidate, ...]:
    """Merge builders that denote the same organisation (same name or same link domain): a logo counts once."""
    merged: dict[str, _Builder] = {}
    for b in builders:
        key = (registrable_domain(b.domains[0]) if b.domains else "") or b.name.casefold()
        if not key:
            continue
        if key in merged:
            m = merged[key]
            m.evidence.extend(e for e in b.evidence if e not in m.evidence)
            m.domains.extend(d for d in b.domains if d not in m.domains)
            m.in_context = m.in_context or b.in_context
        else:
            merged[key] = b
    return tuple(
        Candidate(
            name=b.name,
            evidence=tuple(b.evidence),
            domains=tuple(b.domains),
            role=b.role,
            in_sponsor_context=b.in_context,
            tier=b.tier,
            page=page_url,
        )
        for b in merged.values()
    )
