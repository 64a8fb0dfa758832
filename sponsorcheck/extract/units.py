"""Units: anchor → logo unit → evidence → candidate.

Each anchor the walk collected is climbed to the entry it belongs to (its "unit": the largest ancestor
holding no other anchor); the unit's signals (alt, title, aria-label, file names, srcset, lazy-load
attributes, CSS backgrounds, SVG titles, data-* names, links, visible text) become evidence and one
readable name. The unit is classified as sponsor or mere mention (prize, shop/donation or stream link,
hosted asset, technology badge, user group). Name-only text items, "presented by X" in running text and
the page's own identity are added here too, and everything is merged per organisation (a logo repeated
for responsive layouts counts once).
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from lxml import etree
from rapidfuzz.distance import Levenshtein

from sponsorcheck.extract.document import TEMPLATE_VALUE_RE, BodyText, clean, text_of
from sponsorcheck.extract.links import (
    href_of,
    is_platform_profile,
    is_stream_profile,
    link_target,
    outbound,
    unwrap_redirect,
)
from sponsorcheck.extract.names import (
    agrees_with_link,
    choose_name,
    compact_name,
    emphasis_text,
    is_name_like,
    looks_like_url,
    name_from_alt,
    name_from_domain,
    name_from_filename,
)
from sponsorcheck.extract.sections import State, Structure, heading_of, is_card_title, under_sponsor_tier
from sponsorcheck.extract.vocabulary import (
    AFFILIATE_PARAMS,
    BLOCK_CHARS,
    COMMUNITY_GROUP_NOTE,
    COMMUNITY_GROUP_RE,
    CREDIT_NOTE,
    CSS_URL_RE,
    DATA_NAME_KEY_RE,
    DEEP_LINK_NOTE,
    GRID_TIERS,
    HEADING_RANK,
    HIDDEN_NOTE,
    HOSTED_ASSET_NOTE,
    INLINE_TAGS,
    LAZY_SRC_ATTRS,
    LIST_CONNECTORS,
    LIST_GLOSS_RE,
    LIST_ITEM_TAGS,
    LIST_NAME_RE,
    LIST_SEPARATOR_RE,
    MAX_ICON_PX,
    MAX_UNIT_CLIMB,
    MAX_UNREADABLE_FILE_NAME_CHARS,
    MIN_SHARED_ALT_FILES,
    MIN_SHARED_ALT_SLIP_CHARS,
    PHRASE_RE,
    PHRASE_THEN_LIST_RE,
    PORTRAIT_FILE_RE,
    PRESENTED_BY_PHRASES,
    PRESENTED_BY_RE,
    PRIZE_NOTE,
    PRIZE_RE,
    SECTIONING_TAGS,
    SENTENCE_END_CHARS,
    SENTENCE_INLINE_TAGS,
    SENTENCE_LEAD_CHARS,
    SHARE_LINK_RE,
    SHARED_ALT_NOTE,
    SHOP_DONATION_RE,
    SHOP_NOTE,
    SHOP_RE,
    SHORTENER_DOMAINS,
    SOCIAL_ICON_DOMAINS,
    SPONSOR_WORD_RE,
    STREAM_NOTE,
    STREAM_RE,
    TECH_CREDIT_RE,
    TITLE_SEPARATORS_RE,
    UNNAMED_LOGO_HINT,
    UNNAMED_SHORT_LINK_HINT,
    WORD_RE,
)
from sponsorcheck.models import GRID, IDENTITY, PHRASE, SECTION, Candidate, Evidence, Role
from sponsorcheck.normalize import LEGAL_FORMS, fold, host_of, is_hosting_domain, normalize_name, registrable_domain


@dataclass
class Builder:
    """Accumulates signals per logo/organisation before they are frozen into Candidates."""

    name: str
    evidence: list[Evidence] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    in_context: bool = False
    tier: str | None = None
    role: Role = Role.SPONSOR
    past: bool = False
    note: str | None = None
    context: str = ""  # section | grid | phrase | identity | outside ("" until known: decided in verdict)
    swept: bool = False  # found by the whole-page sweep, not by the section walk


def unit_root(anchor: etree._Element, counts: dict[etree._Element, int], st: Structure) -> etree._Element:
    """The largest ancestor (a few levels at most) that holds this anchor and no other, below any heading."""
    unit = anchor
    for _ in range(MAX_UNIT_CLIMB):
        parent = unit.getparent()
        if parent is None or parent.tag in HEADING_RANK or parent.tag == "header":
            break
        if parent.tag in SECTIONING_TAGS and (parent.tag != "article" or counts.get(parent, 0) > 1):
            break  # a section ends the climb; an <article> holding one logo is a card, the entry itself
        if counts.get(parent, 0) > 1 or parent in st.footers:
            break
        if unit.tag in LIST_ITEM_TAGS and any(c is not unit and c.tag == unit.tag for c in parent):
            break  # a list item is its own entry: the list's other items (plain names) are other sponsors
        if parent in st.hints and not any(c in st.headings and is_card_title(st.headings[c][1]) for c in parent):
            break  # a sponsor-hinted box is the section, unless it is one logo's card with its own title
        if any(c.tag == "header" or (c in st.headings and not is_card_title(st.headings[c][1])) for c in parent):
            break  # the parent holds the section's heading: it is the section, not the entry
        unit = parent
    return unit


def build_unit(
    unit: etree._Element, state: State, base: str, base_site: str | None, shared: frozenset[str] = frozenset()
) -> Builder | None:
    """One logo unit's evidence, readable name and role (sponsor or mention with its reason), or None.

    Alt/title texts in `shared` are written on several different logos ("logo", the event's name, a
    copied alt): they stay evidence but never name the unit."""
    evidence: list[Evidence] = []
    alts: list[str] = []
    files: list[str] = []
    data_names: list[str] = []
    identity: tuple[str, str, str] | None = None  # (href, host, path) of the link that decides identity
    link_text = ""  # the visible text of that link, a name when the unit around it is a sentence
    profile_links: list[str] = []
    short_links: list[str] = []  # links through a shortener: they lead somewhere, but do not say where
    cited = False  # the identity link is a title cited in a sentence, to a page deep inside another site
    hosting: list[str] = []
    affiliate = False
    if state.headings and any(h is unit or unit in h.iterancestors() for h, _ in state.headings[:1]):
        # The unit holds the heading taken for its tier (a card title): the tier is the next one out.
        outer = state.headings[1:]
        state = State(state.kind, outer[0][1] if outer else None, state.past, outer)
    where = state.tier or ""
    for el in unit.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        attrib = el.attrib
        for key, value in attrib.items():
            if DATA_NAME_KEY_RE.match(key) and value and not looks_like_url(value):
                value = clean(value.replace("\xa0", " "))
                if value and not TEMPLATE_VALUE_RE.search(value):
                    data_names.append(value)
                    evidence.append(Evidence("data-attr", value, where))
        for key, kind in (("title", "title"), ("aria-label", "aria-label")):
            value = clean(attrib.get(key))
            # A link's title repeats its visible text; it is a name only on a link without text.
            if value and name_from_alt(value) and (tag != "a" or not clean(text_of(el))):
                if value.casefold() in shared:
                    evidence.append(Evidence(kind, value, SHARED_ALT_NOTE))
                    continue
                alts.append(name_from_alt(value))
                evidence.append(Evidence(kind, value, where))
        if tag == "img" and is_portrait(el):
            continue  # a contact's photo in the card says nothing about whose logo it is
        if tag == "img" or tag == "source":
            alt = attrib.get("alt")
            if alt is not None and clean(alt).casefold() in shared:
                evidence.append(Evidence("img-alt", alt, SHARED_ALT_NOTE))
            elif alt is not None and name_from_alt(alt):
                alts.append(name_from_alt(alt))
                evidence.append(Evidence("img-alt", alt, where))
            for src in _image_sources(el):
                name = name_from_filename(src)
                if name:
                    files.append(name)
                    evidence.append(Evidence("img-file", src, where))
                host = host_of(src) if "://" in src else None
                if host and is_hosting_domain(host):
                    hosting.append(host)
        elif tag == "title" and el.getparent() is not None:  # inline <svg><title>
            text = clean(el.text)
            if text:
                alts.append(name_from_alt(text))
                evidence.append(Evidence("svg-title", text, where))
        elif tag == "a" and attrib.get("href"):
            raw = href_of(el, base)
            href = unwrap_redirect(raw)
            host = outbound(href, base_site) if not SHARE_LINK_RE.search(raw) else None
            if host:
                try:
                    parts = urlsplit(href)
                except ValueError:
                    continue
                if any(k.lower() in AFFILIATE_PARAMS for k, _ in parse_qsl(parts.query)):
                    affiliate = True
                if is_platform_profile(host, parts.path):
                    profile_links.append(href)
                elif is_hosting_domain(host):
                    hosting.append(host)
                    evidence.append(Evidence("link", href, where))
                elif registrable_domain(host) in SHORTENER_DOMAINS:
                    evidence.append(Evidence("link", href, f"{where} (a short link: it names no one)".strip()))
                    short_links.append(href)
                elif identity is None:
                    identity = (href, host, parts.path)
                    link_text = clean(text_of(el))
                    evidence.append(Evidence("link", href, where))
                    cited = cited_in_prose(el, link_text, host, parts.path)
        style = attrib.get("style")
        if style and "url(" in style:
            for url in CSS_URL_RE.findall(style):
                name = name_from_filename(url)
                if name:
                    files.append(name)
                    evidence.append(Evidence("css-bg", url, where))
    text = clean(" ".join(unit.itertext()))
    emphasis = emphasis_text(unit)
    if emphasis.casefold() in shared:
        emphasis = ""
    if text.casefold() in shared:
        text = ""
    name = choose_name(data_names, emphasis, alts, text, files, identity, link_text, next(iter(profile_links), ""))
    if (
        name in files
        and len(compact_name(name)) <= MAX_UNREADABLE_FILE_NAME_CHARS
        and not (data_names or emphasis or alts or identity or profile_links or link_text)
    ):
        name = ""  # "pv.png" alone: an abbreviation no one can check, so the logo names no one
    if not name and profile_links and (STREAM_RE.search(text) or SHOP_RE.search(text)):
        name = name_from_domain(host_of(profile_links[0]) or "")  # "Hosted live on Twitch!" → Twitch, a mention
    if not name:
        return unnamed_logo(unit, state, where, short_links)
    if profile_links and not identity and not data_names and not (STREAM_RE.search(text) or SHOP_RE.search(text)):
        try:
            platform = host_of(profile_links[0]) or ""
        except ValueError:
            platform = ""
        # The event's own social-media icon ("twitter.png" → twitter.com/event) is not a sponsor — unless it
        # stands under a sponsor tier heading: a Twitch logo there, linking to the event's channel, is Twitch.
        social = registrable_domain(platform) in SOCIAL_ICON_DOMAINS
        if agrees_with_link(name, platform) and (social or not under_sponsor_tier(state)):
            return None
    if text and is_name_like(text) and not any(e.kind == "text" for e in evidence):
        evidence.append(Evidence("text", text[:200], where))
    elif emphasis:
        evidence.append(Evidence("text", emphasis, where))
    for href in profile_links[:1]:
        evidence.append(Evidence("link", href, f"{where} (a profile on a platform)".strip()))
    if identity and alts and not any(agrees_with_link(a, identity[1], identity[2]) for a in alts):
        # The alt text names someone else than the link (copy-paste errors happen): keep both, the link decides.
        evidence[:] = [
            Evidence(e.kind, e.text, "alt text disagrees with the link") if e.kind == "img-alt" else e for e in evidence
        ]
    b = Builder(name=name, evidence=evidence, in_context=True, tier=state.tier, past=state.past)
    b.context = _context_of_state(state)
    if identity:
        b.domains.append(identity[1])
    # A bare logo explained by the paragraph after it ("Amazon shoppers can support us…"): read that too.
    explained = f"{text} {explanation_after(unit, identity[1] if identity else None)}".strip()
    _classify_mention(b, explained, state, affiliate, hosting and not identity, profile_links)
    if cited and b.role is Role.SPONSOR and not any(e.kind in ("img-file", "img-alt", "css-bg") for e in evidence):
        b.role, b.note = Role.MENTION, DEEP_LINK_NOTE  # "Her memoir, <a href=amazon…/dp/…>Winter Tales</a>, …"
    return b


def cited_in_prose(link: etree._Element, text: str, host: str, path: str) -> bool:
    """A link in the middle of a sentence ("Her memoir, <a>Winter Hearth Tales</a>, came out…") whose words do
    not name the site it leads to, to a page deep inside that site: a book, product or article the sentence
    cites, not a sponsor (a sponsor list's own entry is a list item or a line, not words inside a sentence)."""
    if not text or len([seg for seg in path.split("/") if seg]) < 2:
        return False
    before, parent = link.getprevious(), link.getparent()
    lead = (before.tail if before is not None else parent.text if parent is not None else "") or ""
    lead = " ".join(lead.split())  # a line break in the source is no sentence end here
    if not re.search(r"\w[^.!?]*$", lead) or not re.match(r"\s*[,;:]?\s*\w", link.tail or ""):
        return False  # words of its own sentence on both sides of it, or it is an entry of its own
    words = f" {' '.join(WORD_RE.findall(fold(lead)))} "
    if PHRASE_RE.search(words) or SPONSOR_WORD_RE.search(words):
        return False  # "… supported by <a>the Open Source Fund</a>, …": the sentence names a sponsor
    return not agrees_with_link(text, host)  # the words name the site itself, not merely the page


def unnamed_logo(unit: etree._Element, state: State, where: str, short_links: Sequence[str] = ()) -> Builder | None:
    """A logo in a sponsor section or grid that names no one, as a nameless builder carrying one piece of evidence:
    its short link when it has one (the page says who it is, behind a link nobody read: never "clear"), else its
    file (nothing on the page ties it to anyone: listed beside the answer). None for an icon, a photo, a prize."""
    if state.kind != "sponsor":
        return None
    for el in unit.iter("img", "source"):
        if is_portrait(el) or _icon_sized(el):
            continue
        for src in _image_sources(el):
            shown = Evidence("link", short_links[0], where) if short_links else Evidence("img-file", src, where)
            b = Builder(name="", evidence=[shown], in_context=True, tier=state.tier)
            b.past, b.context = state.past, _context_of_state(state)
            return b
    return None


def _icon_sized(img: etree._Element) -> bool:
    """An image whose width or height attribute says it is icon-sized (an arrow, a bullet), not a logo."""
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= MAX_ICON_PX:
            return True
    return False


def unnamed_hint(logos: Sequence[Evidence]) -> str:
    """What the answer says about logos that name no one: "a sponsor logo we could not name: /img/pv.png
    (Partners)", "… behind a short link we could not follow: https://bit.ly/x (Partners)"."""
    parts = []
    for kind, words in (("link", UNNAMED_SHORT_LINK_HINT), ("img-file", UNNAMED_LOGO_HINT)):
        shown = [f"{e.text} ({e.where})" if e.where else e.text for e in logos if e.kind == kind]
        if shown:
            head = words if len(shown) == 1 else f"{len(shown)} {words.replace('a sponsor logo', 'sponsor logos', 1)}"
            parts.append(f"{head}: {', '.join(shown[:5])}{' …' if len(shown) > 5 else ''}")
    return "; ".join(parts)


def hides_a_sponsor(logos: Iterable[Evidence]) -> bool:
    """True when a logo that names no one links through a shortener: someone is named, behind a link not read."""
    return any(e.kind == "link" for e in logos)


def sentence_lead(el: etree._Element) -> str:
    """The words of an inline element's own sentence just before it ("Get the festival album on" before
    <a>Amazon</a>); "" when nothing in its sentence stands before it."""
    if el.tag not in SENTENCE_INLINE_TAGS:
        return ""
    before, parent = el.getprevious(), el.getparent()
    text = before.tail if before is not None else (parent.text if parent is not None else "")
    lead = (text or "")[-SENTENCE_LEAD_CHARS:]
    cut = max(lead.rfind(c) for c in SENTENCE_END_CHARS)
    return clean(lead[cut + 1 :])


def explanation_after(unit: etree._Element, host: str | None = None) -> str:
    """The text of the block right after a logo or name, when it explains a shopping-donation programme
    ("<h2>Acme</h2><div><p>Shop through our link and Acme donates…</p></div>"). A block that links elsewhere
    or holds another logo without links is the next entry, not an explanation."""
    nxt = unit.getnext()
    if nxt is None or not isinstance(nxt.tag, str) or nxt.tag not in ("p", "div", "span"):
        return ""
    hosts = {h for a in nxt.iter("a") if (h := host_of(a.get("href") or ""))}
    if (hosts and hosts != {host}) or (not hosts and nxt.find(".//img") is not None):
        return ""
    text = clean(text_of(nxt))[:400]
    return text if SHOP_DONATION_RE.search(text) else ""


def _image_sources(el: etree._Element) -> list[str]:
    found: list[str] = []
    # A lazy-loading attribute holds the real image; src then holds the loader's placeholder: lazy first.
    for attr in LAZY_SRC_ATTRS:
        value = el.get(attr)
        if value and not value.startswith("data:"):
            found.append(value.split(",")[0].strip().split(" ")[0])
    src = el.get("src")
    if src and not src.startswith("data:"):
        found.append(src)
    srcset = el.get("srcset")
    if srcset and not found:
        found.append(srcset.split(",")[0].strip().split(" ")[0])
    seen: dict[str, None] = {}
    for s in found:
        seen.setdefault(s, None)
    return list(seen)


def _classify_mention(
    b: Builder, text: str, state: State, affiliate: bool, hosted_only: object, profiles: list[str]
) -> None:
    """Mark what is named but not sponsorship: prizes, stream/listen links, shop/donation links, hosting, groups."""
    note = None
    # Under a sponsor tier heading ("Title Partner"), "Powered by X" is sponsor phrasing and a tracking
    # parameter is the sponsor's own campaign link: neither makes the logo a mere credit or shop link.
    tiered = under_sponsor_tier(state)
    if state.kind == "prize" or (PRIZE_RE.search(text) and re.search(r"\bbest\b|\bprize\b", text, re.I)):
        note = PRIZE_NOTE
    elif _credit(text, b, tiered):
        note = CREDIT_NOTE
    elif STREAM_RE.search(text) or (not tiered and _says_stream(b)):
        note = STREAM_NOTE
    elif (affiliate and not tiered) or SHOP_RE.search(text) or SHOP_DONATION_RE.search(text):
        note = SHOP_NOTE
    elif hosted_only and not b.domains and not any(e.kind in ("img-alt", "data-attr", "text") for e in b.evidence):
        note = HOSTED_ASSET_NOTE
    elif COMMUNITY_GROUP_RE.search(b.name):
        note = COMMUNITY_GROUP_NOTE
    if note:
        b.role = Role.MENTION
        b.note = note


def _says_stream(b: Builder) -> bool:
    """The logo says itself that it is a listen or watch badge ("Listen on Amazon Music" as its alt text), or it
    links to an artist's or channel's page on a streaming service: where no sponsor tier stands over it (a
    headingless grid, a footer strip), a listen link, not a partner's logo."""
    return any(
        STREAM_RE.search(e.text) if e.kind in ("img-alt", "title", "aria-label") else is_stream_profile(e.text)
        for e in b.evidence
        if e.kind in ("img-alt", "title", "aria-label", "link")
    )


def _credit(text: str, b: Builder, tiered: bool) -> bool:
    """A hosting or technology credit: "Website hosted on AWS" even under a sponsor heading ("Supported by");
    "Powered by X" only where no sponsor tier stands over it (under one it is sponsor phrasing)."""
    found = TECH_CREDIT_RE.search(text)
    if found is not None and found.group(0).lower() != "powered by":
        return True
    if tiered:
        return False
    return found is not None or any(TECH_CREDIT_RE.search(e.text) for e in b.evidence if e.kind == "img-alt")


def _context_of_state(state: State) -> str:
    """A sponsor section's entries are 'section' (a footer strip's 'grid'); a prize section's have none yet."""
    if state.kind != "sponsor":
        return ""
    return GRID if state.tier in GRID_TIERS else SECTION


def text_items(el: etree._Element, state: State) -> list[Builder]:
    """Names given as plain text (list item, table cell, short lines split at <br>) inside a sponsor section."""
    if el.tag in ("p", "div", "span") and any(isinstance(c.tag, str) and c.tag not in INLINE_TAGS for c in el):
        return []  # a container, not a line of text
    if heading_of(el) is not None:
        return []
    if any((a.get("href") or "").startswith("#") for a in el.iter("a")) and not clean(el.text):
        return []  # an in-page link ("<li><a href='#gold'>Gold</a></li>"): a table of contents, not a name
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = [clean(line) for line in " ".join(el.itertext()).split("\n")]
    lines = [line for line in lines if line]
    if el.tag in LIST_ITEM_TAGS:
        lines = lines[:1]  # "<li><b>Acme</b><br>our printer</li>": the first line is the name
    out = []
    for text in lines:
        if not is_name_like(text):
            continue
        b = Builder(name=text, evidence=[Evidence("text", text, state.tier or "")], in_context=True)
        b.tier, b.past, b.context = state.tier, state.past, _context_of_state(state)
        _classify_mention(b, text, state, False, False, [])
        if state.kind == "prize":
            b.role, b.note = Role.MENTION, PRIZE_NOTE
        out.append(b)
    return out


def phrase_blocks(body: BodyText) -> Iterator[str]:
    """The text of each element (not a heading, at most a paragraph long) holding a sponsorship phrase."""
    for text in body.nodes(PRESENTED_BY_PHRASES):
        el = text.getparent()
        if el is None:
            continue
        owner = el if text.is_text else el.getparent()
        if owner is None or owner.tag in HEADING_RANK:
            continue
        block = clean(text_of(owner))
        if len(block) <= BLOCK_CHARS:
            yield block


def presented_by(body: BodyText) -> Iterator[re.Match[str]]:
    """'Presented by X' inside one element's text ("<p>…, presented by <b>Acme</b>, …</p>"); never across
    elements, where a label and the next link's text would run together."""
    for block in phrase_blocks(body):
        yield from PRESENTED_BY_RE.finditer(block)


def own_names(root: etree._Element) -> tuple[str, ...]:
    """The site's own name(s): the parts of <title> and og:site_name, compacted, without digits (years)."""
    head = root.find("head")
    if head is None:
        return ()
    parts = [head.findtext("title") or ""]
    parts += [m.get("content", "") for m in head.iter("meta") if m.get("property") == "og:site_name"]
    segments = (seg for part in parts for seg in TITLE_SEPARATORS_RE.split(part))
    return tuple(c for c in (re.sub(r"\d", "", compact_name(seg)) for seg in segments) if c)


def is_own_name(name: str, own: tuple[str, ...]) -> bool:
    """The name is most of a title segment ("Hackfest" in "Hackfest 2026"), not a word in it ("Google" in
    "Sponsors | Google Developer Group Berlin" stays a sponsor)."""
    compact = re.sub(r"\d", "", compact_name(name))
    return len(compact) >= 4 and any(compact in seg and len(compact) >= 0.6 * len(seg) for seg in own)


def merge(builders: list[Builder], page_url: str) -> tuple[Candidate, ...]:
    """Merge builders that denote the same organisation (same link host or same name): a logo counts once."""
    merged: list[Builder] = []
    index: dict[str, Builder] = {}
    for b in builders:
        keys = [f"host:{d.removeprefix('www.')}" for d in b.domains[:1]]
        name_key = compact_name(b.name)
        if name_key:
            keys.append(f"name:{name_key}")
        if not keys:
            continue
        target = next((index[k] for k in keys if k in index and not _distinct_on_one_host(index[k], b)), None)
        if target is None:
            merged.append(b)
            target = b
        elif target is not b:
            target.evidence.extend(e for e in b.evidence if e not in target.evidence)
            target.domains.extend(d for d in b.domains if d not in target.domains)
            if target.role is Role.MENTION and b.role is Role.SPONSOR:
                # A name seen once as a sponsor stays a sponsor, in the context of that sighting (a prize's
                # mention and the same name unexplained elsewhere is that unexplained sighting, not a sponsor list).
                target.role, target.note = Role.SPONSOR, None
                target.in_context, target.tier, target.context = b.in_context, b.tier, b.context
            elif b.in_context and not target.in_context and b.role is not Role.MENTION:
                target.in_context, target.tier, target.context = True, b.tier, b.context
            # The past flag holds only if every sighting is past.
            target.past = target.past and b.past
            target.swept = target.swept and b.swept
        for k in keys:
            index.setdefault(k, target)
    return tuple(
        Candidate(
            name=b.name,
            evidence=tuple(b.evidence),
            domains=tuple(b.domains),
            role=b.role,
            in_sponsor_context=b.in_context,
            tier=b.tier,
            past=b.past,
            note=b.note,
            page=page_url,
            context=b.context,
            swept=b.swept,
        )
        for b in merged
    )


def _link_path(b: Builder) -> str:
    href = next((e.text for e in b.evidence if e.kind == "link" and "://" in e.text), "")
    try:
        return urlsplit(href).path
    except ValueError:
        return ""


def _distinct_on_one_host(a: Builder, b: Builder) -> bool:
    """Two differently named logos linking to different pages of one site, each page named after its logo
    (a hotel group's hotels, a university's departments): two organisations, not one logo twice."""
    if not a.name or not b.name or compact_name(a.name) == compact_name(b.name):
        return False
    pa, pb = _link_path(a), _link_path(b)
    if not pa.strip("/") or not pb.strip("/") or pa == pb:
        return False
    ha, hb = (a.domains or [""])[0], (b.domains or [""])[0]
    return agrees_with_link(a.name, "", pa) and agrees_with_link(b.name, "", pb) and ha == hb


def shared_alts(units: Iterable[etree._Element]) -> frozenset[str]:
    """Alt and title texts (case-folded) written on logos of at least MIN_SHARED_ALT_FILES different files that
    do not all link to one place."""
    files: dict[str, set[str]] = {}
    links: dict[str, set[str | None]] = {}
    for unit in units:
        link = next((a.get("href") for a in unit.iter("a") if a.get("href")), None)
        for img in unit.iter("img", "source"):
            # The real file, not a lazy loader's placeholder: one placeholder in every src is no shared file.
            src = next(iter(_image_sources(img)), "")
            for value in (img.get("alt"), img.get("title")):
                text = clean(value).casefold()
                if text and src:
                    files.setdefault(text, set()).add(src)
                    links.setdefault(text, set()).add(link)
    # Copies of one logo for wide and narrow screens share their alt and their link: they are one sponsor.
    shared = {
        text
        for text, srcs in files.items()
        if len(srcs) >= MIN_SHARED_ALT_FILES and (len(links[text]) > 1 or None in links[text])
    }
    # A slip in a copied placeholder ("alt tex" beside "alt text" on other logos) is the same placeholder.
    slips = {
        text
        for text in files
        if text not in shared
        and len(text) >= MIN_SHARED_ALT_SLIP_CHARS
        and any(Levenshtein.distance(text, s, score_cutoff=1) <= 1 for s in shared)
    }
    return frozenset(shared | slips)


def units_of(
    anchors: list[tuple[etree._Element, State]],
    texts: list[tuple[etree._Element, State]],
    structure: Structure,
    base: str,
    base_site: str | None,
    hidden: Container[etree._Element] = frozenset(),
) -> tuple[list[Builder], list[Evidence]]:
    """One builder per logo unit (an anchor climbed to its entry) and per name-only text item, in page order,
    and the file of every logo in a sponsor list that names no one (`unnamed_logo`), each once.
    Evidence from hidden content (a tab, slide or collapsed block) says so."""
    builders: list[Builder] = []
    unnamed: dict[str, Evidence] = {}
    anchors = [(a, s) for a, s in anchors if not is_portrait(a)]
    # Keyed by the element objects themselves: lxml reuses the id() of proxies it has freed.
    keys: dict[etree._Element, set[object]] = {}
    for anchor, _ in anchors:
        key = _entry_key(anchor, base)
        for anc in anchor.iterancestors():
            keys.setdefault(anc, set()).add(key)
    counts = {anc: _entries(found) for anc, found in keys.items()}
    units: dict[etree._Element, State] = {}
    for anchor, state in anchors:
        units.setdefault(unit_root(anchor, counts, structure), state)
    shared = shared_alts(units)
    built: set[etree._Element] = set()
    for unit, state in units.items():
        b = build_unit(unit, state, base, base_site, shared)
        if b is not None:
            if hidden and (unit in hidden or any(a in hidden for a in unit.iterancestors())):
                b.evidence = [Evidence(e.kind, e.text, f"{e.where} ({HIDDEN_NOTE})".lstrip()) for e in b.evidence]
            if not b.name:  # a copy of one logo (a responsive twin, a cloned slide) is one logo
                unnamed.setdefault(b.evidence[0].text, b.evidence[0])
                continue
            builders.append(b)
            built.add(unit)
    for el, state in texts:
        if el in built or any(a in built for a in el.iterancestors()):
            continue  # part of a logo unit
        if el in counts and any(u in built for u in el.iter()):
            continue  # holds a logo unit: its text is that unit's
        builders.extend(text_items(el, state))
    return builders, list(unnamed.values())


def _entry_key(anchor: etree._Element, base: str) -> object:
    """What an anchor stands for when counting a box's entries: a link its target, a logo without a link what
    its alt or file name says ("" when it names no one), anything else itself."""
    if anchor.tag == "a":
        return ("link", link_target(unwrap_redirect(href_of(anchor, base))))
    if anchor.tag in ("img", "svg", "picture"):
        img = anchor if anchor.tag != "picture" else next(anchor.iter("img", "source"), anchor)
        alt = name_from_alt(img.get("alt") or "")
        named = alt or next((n for src in _image_sources(img) if (n := name_from_filename(src))), "")
        return ("logo", anchor, named)
    return ("other", anchor)


def _entries(keys: set[object]) -> int:
    """How many organisations a box's anchors stand for. A card's logo without a link beside links to one place
    is one entry when the logo names no one or names that place ("<img src=acme.png><h3>Acme</h3><a
    href=acme.example>Visit website</a>"); anything else counts each anchor."""
    links = [k for k in keys if isinstance(k, tuple) and k[0] == "link"]
    logos = [k for k in keys if isinstance(k, tuple) and k[0] == "logo"]
    if len(links) == 1 and len(logos) == 1 and len(keys) == 2:
        target, named = str(links[0][1]), str(logos[0][2])
        host, _, path = target.partition("/")
        if not named or agrees_with_link(named, host, "/" + path):
            return 1
    return len(keys)


def is_portrait(anchor: etree._Element) -> bool:
    """True for a bare photo of a person (its file says "portrait", "headshot", "avatar"): not a logo."""
    if anchor.tag != "img":
        return False
    sources = _image_sources(anchor)
    return bool(sources) and all(PORTRAIT_FILE_RE.search(src.rsplit("/", 1)[-1]) for src in sources)


def running_text(body: BodyText) -> list[Builder]:
    """Sponsors named in running text ("… presented by Acme", "grants from Acme, Contoso and Fabrikam"), wherever
    the sentence stands."""
    builders: list[Builder] = []
    for block in phrase_blocks(body):
        for match in PHRASE_THEN_LIST_RE.finditer(block):
            names = listed_names(block, match.end())
            sentence = block[match.start() : match.start() + 200]
            builders.extend(
                Builder(name, [Evidence("text", sentence)], in_context=True, tier="presented by", context=PHRASE)
                for name in names
                if is_name_like(name)
            )
    for match in presented_by(body):
        names = [match.group(1).strip(" .")]
        sentence = match.string[match.start() : match.start() + 300]
        for name in names:
            if is_name_like(name):
                builders.append(
                    Builder(
                        name=name,
                        evidence=[Evidence("text", (sentence if len(names) > 1 else match.group(0))[:200])],
                        in_context=True,
                        tier="presented by",
                        context=PHRASE,
                    )
                )
    return builders


def listed_names(text: str, start: int) -> list[str]:
    """The names a sponsorship sentence lists after its phrase ("grants from Acme (a gloss), the Northwind
    Trust, and Contoso"), in order; [] unless it lists at least two."""
    pos = start
    names: list[str] = []
    while (m := LIST_NAME_RE.match(text, pos)) is not None:
        words = m.group(1).split()
        # A word ending in a full stop ends the sentence ("… Foundation. Donations"), unless it is a legal form.
        cut = next(
            (i for i, w in enumerate(words[:-1]) if w.endswith(".") and normalize_name(w) not in LEGAL_FORMS), None
        )
        words = words[: cut + 1] if cut is not None else words
        if words and normalize_name(words[-1]) not in LEGAL_FORMS:
            words[-1] = words[-1].rstrip(".")  # the sentence's full stop, not part of the name
        while words and words[-1] in LIST_CONNECTORS:
            words.pop()
        if not words:
            break
        names.append(" ".join(w for w in words if w))
        if cut is not None:
            break
        pos = m.end()
        gloss = LIST_GLOSS_RE.match(text, pos)
        pos = gloss.end() if gloss else pos
        sep = LIST_SEPARATOR_RE.match(text, pos)
        if sep is None:
            break
        pos = sep.end()
    return names if len(names) >= 2 else []


def own_site(page_url: str) -> list[Builder]:
    """The page's own host as the event's identity (a watchlisted host is the event itself)."""
    host = host_of(page_url) if page_url.startswith(("http://", "https://")) else None
    if not host:
        return []
    return [
        Builder(
            name=host,
            evidence=[Evidence("page-url", page_url)],
            domains=[host],
            role=Role.IDENTITY,
            tier="the page's own site",
            context=IDENTITY,
        )
    ]


def mark_own_logos(builders: list[Builder], root: etree._Element) -> None:
    """The event's own logo shown among its sponsors becomes its identity, not a sponsor (JSON-LD sponsors stay)."""
    own = own_names(root)
    for b in builders:
        if b.role is Role.SPONSOR and b.tier != "JSON-LD sponsor" and is_own_name(b.name, own):
            b.role, b.tier, b.context = Role.IDENTITY, "the event's own logo", IDENTITY
