"""Discovery: same-site links worth following to a sponsors or partners page."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from urllib.parse import unquote, urlsplit

from lxml import etree

from sponsorcheck.extract.document import BodyText, clean, first_positions, page_links, text_of
from sponsorcheck.extract.links import href_of
from sponsorcheck.extract.names import SPLIT_RE
from sponsorcheck.extract.sections import is_sponsor_text
from sponsorcheck.extract.vocabulary import DISCOVERY_FRAGMENTS
from sponsorcheck.normalize import host_of, registrable_domain

DISCOVERY_HITS = 50  # occurrences read per fragment (a page can repeat "partner" in a thousand links)


def discovery_links(root: etree._Element, body: BodyText) -> list[etree._Element]:
    """Links whose href or text holds a sponsor word.

    One Aho-Corasick pass over all hrefs joined (C speed), never a Python loop or a regex per link: a page
    can have thousands of links and only a handful matter. Each fragment's first DISCOVERY_HITS occurrences
    count, links in the order of the fragments.
    """
    # lxml's C iteration by tag is several times cheaper than an XPath "//a/@href" over the whole tree.
    pairs = body.links if body.root is root else page_links(root)
    links = [a for a, _href in pairs]
    hrefs = [href for _a, href in pairs]
    lowered = "\n".join(hrefs).lower()
    found: dict[etree._Element, None] = {}
    positions = first_positions(DISCOVERY_FRAGMENTS, lowered, DISCOVERY_HITS)
    if any(positions.values()):
        ends = list(accumulate(len(h) + 1 for h in hrefs))
        for fragment in DISCOVERY_FRAGMENTS:
            for pos in positions.get(fragment, ()):
                found.setdefault(links[bisect_right(ends, pos)], None)
        return list(found)
    # Links whose text (not href) says sponsors: query with the page's own spellings, found in its text.
    for spelling in body.spellings(DISCOVERY_FRAGMENTS, whole_words=False):
        for a in root.xpath("//a[@href][contains(text(), $f) or contains(*/text(), $f)]", f=spelling):
            found.setdefault(a, None)
    return list(found)


def sponsor_links(links: list[etree._Element], base: str, base_site: str | None) -> tuple[str, ...]:
    """Same-site links whose text or path says sponsors/partners: pages worth reading next."""
    if not base_site:
        return ()
    found: dict[str, None] = {}
    page = base.split("#")[0]
    for a in links:
        href = href_of(a, base).split("#")[0]
        if not href.startswith(("http://", "https://")) or href == page:
            continue
        host = host_of(href)
        if not host or registrable_domain(host) != base_site:
            continue
        try:
            path = unquote(urlsplit(href).path)
        except ValueError:
            continue
        words = " ".join(SPLIT_RE.split(path.replace("/", " ")))
        text = clean(text_of(a))[:80]
        if is_sponsor_text(words) or (text and is_sponsor_text(text)):
            found.setdefault(href, None)
    return tuple(found)
