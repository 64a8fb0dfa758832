"""Links: resolving an href against the page, the host it leaves to, redirect wrappers, platform profiles,
and which elements stand for one logo or organisation (anchors).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree

from sponsorcheck.extract.vocabulary import (
    DATA_NAME_KEY_RE,
    MIN_GRID_OWN_SITES,
    MIN_STRIP_SITES,
    PLATFORM_DOMAINS,
    REDIRECT_PARAMS,
    SHARE_LINK_RE,
    SHORTENER_DOMAINS,
    STREAM_PLATFORM_DOMAINS,
)
from sponsorcheck.normalize import host_of, registrable_domain


def site_of(url: str) -> str | None:
    """The registrable domain of an http(s) URL (the event's own site), None for files and stdin."""
    host = host_of(url) if url.startswith(("http://", "https://")) else None
    return registrable_domain(host) if host else None


def href_of(el: etree._Element, base: str) -> str:
    """The element's href made absolute against the page URL when the page has one."""
    href = (el.get("href") or "").strip()
    if href.startswith("www."):
        href = "http://" + href
    if href.startswith(("http://", "https://")):
        return href
    if base.startswith(("http://", "https://")):
        try:
            return urljoin(base, href)
        except ValueError:
            return href
    return href


def outbound(href: str, base_site: str | None) -> str | None:
    """The link's host when it leaves the site (None for in-site, mailto:, javascript:, relative links)."""
    if not href.startswith(("http://", "https://", "//")):
        return None
    host = host_of(href if not href.startswith("//") else "http:" + href)
    if not host or (base_site and registrable_domain(host) == base_site):
        return None
    return host


def is_platform_profile(host: str, path: str) -> bool:
    """A link to someone's page on a platform (twitter.com/acme), which names the platform, not the sponsor."""
    return registrable_domain(host) in PLATFORM_DOMAINS and bool(path.strip("/"))


def is_stream_profile(href: str) -> bool:
    """A link to an artist's, channel's or show's page on a streaming service ("music.amazon.com/artists/…",
    "open.spotify.com/artist/…", "twitch.tv/channel"): where to listen or watch, not the service's own site."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    host = (parts.hostname or "").removeprefix("www.")
    if not host or not parts.path.strip("/"):
        return False
    return host in STREAM_PLATFORM_DOMAINS or registrable_domain(host) in STREAM_PLATFORM_DOMAINS


def link_target(href: str) -> str:
    """An href as the place it leads to, for telling two links apart: no scheme, fragment or trailing slash."""
    href = href.strip().split("#", 1)[0]
    href = href.split("://", 1)[-1].removeprefix("//").removeprefix("www.")
    return href.rstrip("/").lower()


_UNLINKED_LOGOS = etree.XPath("count(.//*[self::img or self::svg][not(ancestor::a)])")
_HREFS = etree.XPath(".//a/@href")
_ABSOLUTE = ("http://", "https://", "//", "www.")


def is_one_entry(box: etree._Element) -> bool:
    """True for a box that stands for one organisation: at most one logo outside links and every link off the
    site to one place ("<div><img><h3>Acme</h3><a href=acme>Visit website</a></div>": a card, logo and link)."""
    # A relative link ("Learn more" → /partners/acme) stays on the site: it is no second entry.
    targets = {link_target(h) for h in _HREFS(box) if h.strip().startswith(_ABSOLUTE)}
    logos = _UNLINKED_LOGOS(box)
    return len(targets) <= 1 and logos <= 1 and bool(targets or logos)


def is_anchor(el: etree._Element, base_site: str | None) -> bool:
    """Elements that stand for one logo/organisation: a logo, an outbound link, an element with a data name."""
    tag = el.tag
    if tag in ("img", "svg", "picture"):
        return True
    if tag == "a":
        href = (el.get("href") or "").strip()
        if href.startswith("www."):
            href = "http://" + href
        return outbound(href, base_site) is not None and not SHARE_LINK_RE.search(href)
    if any(DATA_NAME_KEY_RE.match(k) for k in el.attrib):
        return True
    style = el.get("style")
    return bool(style and "url(" in style)


# --------------------------------------------------------------------------------------------------
# Units: every signal of one logo/organisation, a readable name, sponsor or mention
# --------------------------------------------------------------------------------------------------


def unwrap_redirect(href: str) -> str:
    """The target of a redirect or tracking link ("…/url?q=https://acme.example/" → the Acme address)."""
    if "?" not in href or "http" not in href.split("?", 1)[1]:
        return href
    try:
        params = parse_qsl(urlsplit(href).query)
    except ValueError:
        return href
    for key, value in params:
        if key.lower() in REDIRECT_PARAMS and value.startswith(("http://", "https://")):
            return value
    return href


def grid_site(href: str, host: str) -> str:
    """The site a logo link stands for in a grid: its registrable domain, or the whole link for a shortener
    (bit.ly/x and bit.ly/y lead to two sites, as far as anyone reading the page can tell)."""
    site = registrable_domain(host)
    return href.strip() if site in SHORTENER_DOMAINS else site


def is_shortener(host: str) -> bool:
    """True for a link shortener's host: the link hides where it leads."""
    return registrable_domain(host) in SHORTENER_DOMAINS


def enough_grid_sites(sites: Iterable[str]) -> bool:
    """Distinct sites enough for a logo grid: MIN_STRIP_SITES in all, and MIN_GRID_OWN_SITES of them not
    platforms (a "Follow us on Twitch" icon counts beside two sponsor logos, a row of platform icons is none)."""
    distinct = set(sites)
    own = [s for s in distinct if s not in PLATFORM_DOMAINS]
    return len(distinct) >= MIN_STRIP_SITES and len(own) >= MIN_GRID_OWN_SITES
