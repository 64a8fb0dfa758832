"""Extraction: find sponsor candidates, with evidence, in a page's HTML (or a saved template/markdown page).

The page is parsed once with lxml's HTML parser (BeautifulSoup's tree building costs 10× more, and
lxml.html's element classes are looked up in Python per element: batch mode cannot afford either)
and walked once in document order. The walk keeps a stack of the sections it is in: real headings
(h1–h6), pseudo-headings (`<p><b>Gold Sponsors</b></p>`, `<div class="…-ttl">`, a lone "Presented
by" label) and elements whose id/class says sponsors. A heading's scope ends at the next heading of the
same or higher rank, or at the end of its section (`<section>`, `<article>`, `<footer>`, a `section-*`
div…). Outside sponsor scopes the walk skips whole subtrees; a footer with a run of outbound logo links
is a sponsor strip. Inside sponsor scopes every logo, link, data attribute and list item becomes a
signal; signals are grouped per logo/organisation ("unit"), named the way a person would write them
(the link decides identity when an alt text disagrees), classified as sponsor or mere mention (prize,
shop/donation or stream link, hosted asset, technology badge, user group), and merged (a logo repeated
for responsive layouts counts once). Hidden content (comments, <template>, template-language comment
blocks, hidden/aria-hidden/display:none, classes that always hide) is removed before the walk.

Performance: attribute XPath, str.find over joined attribute values and text, and subtree skipping
keep Python work proportional to the sponsor sections, not to the page (about 7–8 ms CPU for extract
plus match on the batch benchmark's 300 KB pages, of which parsing is 2 ms).

All keywords, in every language read, live in the constants below; nothing here names a company.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from lxml import etree

from sponsorcheck.models import Candidate, Evidence, Extraction, Page, Role
from sponsorcheck.normalize import LEGAL_FORMS, fold, host_of, is_hosting_domain, normalize_name, registrable_domain
from sponsorcheck.parse import drop_unparsable, parse_html, strip_template_comments

# --------------------------------------------------------------------------------------------------
# Keywords (folded: lower case, accents removed). One place for every language: en, de, fr, es, pt, it, nl.
# --------------------------------------------------------------------------------------------------

# A word containing one of these stems makes a heading, id/class or link a sponsor one
# ("Hauptsponsor", "Medienpartner", "Partenaires", "Patrocinadores", "Apoiadoras", "Auspician").
SPONSOR_STEMS = (
    "sponsor",  # en, de, it, nl, fr: sponsors, sponsoren, hauptsponsor
    "partner",  # en, de, it, nl: partners, medienpartner
    "partenaire",  # fr
    "patrocin",  # es, pt: patrocinadores, patrocinio, patrocínio
    "parceir",  # pt: parceiros
    "apoiador",  # pt: apoiadores, apoiadoras
    "auspicia",  # es: auspician, auspiciantes
    "supporter",  # en
    "unterstutzer",  # de: Unterstützer
    "forderer",  # de: Förderer
    "mecene",  # fr: mécènes
    "mecenat",  # fr
    "sostenitor",  # it
    "funder",  # en
    "underwriter",  # en
    "colaborador",  # es, pt
    "benefactor",  # en, es
)
# Whole words that are sponsor headings on their own.
SPONSOR_WORDS = frozenset(
    {
        "backers",
        "patrons",
        "soutiens",
        "parrains",
        "apoio",
        "apoyan",
        "socios",
        "donors",
        "geldgeber",
    }
)
# Phrases that make a heading a sponsor heading.
SPONSOR_PHRASES = (
    "presented by",
    "powered by",
    "supported by",
    "funded by",
    "made possible by",
    "brought to you by",
    "in partnership with",
    "in collaboration with",
    "thanks to",
    "special thanks",
    "thank you to",
    "with the support of",
    "with support from",
    "prasentiert von",
    "unterstutzt von",
    "gefordert von",
    "mit freundlicher unterstutzung",
    "presente par",
    "avec le soutien",
    "grace a",
    "presentado por",
    "con el apoyo",
    "apresentado por",
    "com o apoio",
    "presentato da",
    "con il supporto",
    "con il sostegno",
    "mogelijk gemaakt door",
    "ondersteund door",
    "gesponsord door",
)
# A heading made only of these words is a sponsor tier ("Gold", "Platinum Level", "Ouro").
TIER_WORDS = frozenset(
    {
        "diamond",
        "platinum",
        "gold",
        "silver",
        "bronze",
        "copper",
        "titanium",
        "champion",
        "champions",
        "ouro",
        "prata",
        "platina",
        "diamante",
        "oro",
        "plata",
        "bronce",
        "argento",
        "bronzo",
        "platin",
        "silber",
        "level",
        "tier",
        "sponsor",
        "sponsors",
        "partner",
        "partners",
    }
)
# A sponsor heading that is really a call for sponsors ("Want to be a sponsor?", "Devenir partenaire ?").
CALL_WORDS = (
    "become",
    "becoming",
    "interested",
    "want to",
    "would you like",
    "opportunit",
    "sponsorship",
    "prospectus",
    "package",
    "how to",
    "join us",
    "contact us",
    "apply",
    "devenir",
    "werden sie",
    "werde ",
    "hazte",
    "seja ",
    "quer ser",
    "diventa",
    "word partner",
    "word sponsor",
)
# Headings that end a sponsor scope: other topics of an event page (people, programme, logistics).
BREAK_WORDS = (
    "speaker",
    "keynote",
    "lineup",
    "line-up",
    "line up",
    "artists",
    "schedule",
    "agenda",
    "programme",
    "program ",
    "timetable",
    "team",
    "organizer",
    "organiser",
    "organizador",
    "organisateur",
    "veranstalter",
    "organizzator",
    "organisator",
    "committee",
    "board of",
    "jury",
    "judges",
    "mentors",
    "volunteer",
    "faq",
    "contact",
    "venue",
    "tickets",
    "location",
    "hotel",
    "travel",
    "code of conduct",
    "register",
    "registration",
    "palestrante",
    "ponente",
    "intervenant",
    "referent",
    "sprecher",
    "relator",
    "spreker",
    "equipe",
    "equipo",
)
# Headings whose entries are prizes, not sponsors ("Sponsored Prizes", "Best use of …").
PRIZE_WORDS = ("prize", "prizes", "award", "awards", "challenge", "premios", "prix", "preise", "premi ")
# Headings or tiers that list former sponsors.
PAST_WORDS = (
    "past",
    "previous",
    "former",
    "earlier",
    "anciens",
    "precedents",
    "anteriores",
    "pasados",
    "passados",
    "vorherige",
    "bisherige",
    "ehemalige",
    "precedenti",
    "passati",
    "vorige",
    "eerdere",
)
# id/class fragments that mark a sponsor block (matched inside the lower-cased attribute).
SECTION_ID_CLASS_HINTS = (
    "sponsor",
    "partner",
    "supporter",
    "patrocin",
    "partenaire",
    "parceir",
    "apoiador",
    "funder",
    "backer",
)
HINT_RE = re.compile("|".join(SECTION_ID_CLASS_HINTS))
# Elements whose end also ends the scope of the headings inside them.
SECTIONING_TAGS = frozenset({"section", "article", "aside", "nav", "footer", "main", "body", "html"})
HEADING_RANK = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
PSEUDO_HEADING_RANK = 7
# Classes that make a short block a heading ("section-ttl", "sponsor-title", "tier-heading").
TITLE_CLASS_FRAGMENTS = ("ttl", "title", "heading", "headline", "header", "tier", "level")
TITLE_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:ttl|title|heading|headline|header|tier|level)(?:$|[\s_-])", re.I)
BLOCK_TAGS = frozenset(
    {"div", "p", "ul", "ol", "li", "section", "article", "table", "figure", "header"} | set(HEADING_RANK)
)
INLINE_EMPHASIS = frozenset({"b", "strong"})
INLINE_TAGS = frozenset({"b", "strong", "em", "i", "br", "span", "small", "u", "font"})
# Elements that are (part of) one logo or entry: an id/class hint on them marks the entry, not a section.
UNIT_TAGS = frozenset({"a", "img", "li", "svg", "span", "i", "picture", "source"})
PSEUDO_HEADING_TAGS = frozenset({"p", "div", "span", "dt", "strong", "b", "header"})
TEXT_ITEM_TAGS = frozenset({"li", "dd", "dt", "td", "p", "div", "span"})
LIST_ITEM_TAGS = frozenset({"li", "dd", "dt", "td"})
# Classes that hide an element everywhere, unless a responsive class shows it on some screens.
HIDDEN_CLASSES = frozenset({"hidden", "d-none", "is-hidden", "invisible"})
RESPONSIVE_SHOW_RE = re.compile(r"(?:^|[:-])(?:block|flex|inline|inline-block|grid|table|visible|show)$")
# Elements whose content is never shown. (<noscript> is shown without JavaScript, so it stays.)
INVISIBLE_TAGS = ("script", "style", "template", "head", "iframe", "object", "embed")
# XPath unions ("//@class|//@id") are quadratic in libxml2: 20,000 class and 20,000 id attributes took
# 3.5 s, 20,000 <h2> and <h3> 27 s. So no XPath here uses "|": attribute sets are read with one path
# per name and joined in Python (their users do not depend on document order), element sets with a
# predicate (".//*[self::img or self::svg]").
_CLASS_VALUES = etree.XPath("//@class")
_ID_VALUES = etree.XPath("//@id")
_HIDDEN_VALUES = etree.XPath("//@hidden")
_ARIA_HIDDEN_VALUES = etree.XPath("//@aria-hidden")


def _class_id_values(root: etree._Element) -> list[Any]:
    """Every class and id attribute value of the tree (classes first), in linear time."""
    return _CLASS_VALUES(root) + _ID_VALUES(root)


# A quick test for template comments (kinds in parse.TEMPLATE_COMMENTS) before stripping them.
TEMPLATE_BRACE_MARKER_RE = re.compile(r"\{(?:%-?\s*comment|\{!|\*|#)", re.IGNORECASE)
# A value written by a template, not by a person ("{{ sponsor.name }}", "<?= $name ?>").
TEMPLATE_VALUE_RE = re.compile(r"\{\{|\{%|<\?|<%|\$\{|\{\$")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
FRONT_MATTER_RE = re.compile(r"\A\ufeff?(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.DOTALL)
FRONT_MATTER_TITLE_RE = re.compile(r"^\s*title\s*[:=]\s*[\"']?(.+?)[\"']?\s*$", re.MULTILINE | re.IGNORECASE)
# Pelican-style metadata lines at the top of a markdown page ("Title: …").
PELICAN_META_RE = re.compile(r"\A(?:[A-Z][A-Za-z_]*:[^\n]*\n)+")

# File-name parts that are not a name: sizes, retina suffixes, versions, hashes, generic words.
# Sizes, retina suffixes, years, versions and hashes ("300x150", "@2x", "v2.1", "a3f9c01").
_SIZE_OR_HASH = r"(?:\d+x\d+|@?\d(?:\.\d)?x|\d+px|(?:19|20)\d\d|\d{1,2}|\d{6,}|v\d+(?:\.\d+)*|(?=[a-f]*\d)[0-9a-f]{7,})"
FILENAME_NOISE_RE = re.compile(
    r"^(?:" + _SIZE_OR_HASH + "|"
    r"logo|logos|logotype|logotipo|sponsor|sponsors|partner|partners|img|image|images|pic|photo|color|colour|"
    r"colored|white|black|dark|light|small|large|big|medium|thumb|thumbnail|new|final|web|transparent|trans|"
    r"horizontal|vertical|horiz|vert|rgb|cmyk|main|icon|full|min|retina|hd|hires|lores|mono|grey|gray|"
    r"positive|negative|inverse|inverted|bw|copy|original|resized|scaled|cropped|crop|default|primary|alt|"
    r"stacked|wide|square|round|rect|banner|badge|lg|sm|md|xs|xl|alpha|flat|rev|only|text|wordmark|mark|"
    r"screenshot|screen|shot|unnamed|download|untitled|file|upload|"
    # the same colour words in the other languages we read: es, pt, fr, de, it, nl
    # (not "blanc", "noir", "nero" or "wit": they end real names such as Mont Blanc)
    r"blanco|negro|branco|preto|couleur|weiss|schwarz|farbe|bianco|colore|zwart)$",
    re.IGNORECASE,
)
SIZE_OR_HASH_RE = re.compile("^" + _SIZE_OR_HASH + "$", re.IGNORECASE)
# Noise words glued to a name inside one file-name token ("amoebamusiclogotransparent").
GLUED_NOISE_RE = re.compile(
    r"(?:logo|logos|transparent|trans|white|black|color|colour|small|large|final|web|retina|hd|icon|horizontal|"
    r"vertical|full|dark|light|mono|rgb|cmyk)+$",
    re.IGNORECASE,
)
GLUED_PREFIX_RE = re.compile(r"^(?:logo|sponsor|partner)", re.IGNORECASE)
# Directory names that say nothing about whose logo it is.
GENERIC_DIRS = frozenset(
    {
        "img",
        "imgs",
        "image",
        "images",
        "assets",
        "static",
        "media",
        "uploads",
        "files",
        "logos",
        "logo",
        "sponsors",
        "sponsor",
        "partners",
        "partner",
        "content",
        "wp-content",
        "public",
        "dist",
        "build",
        "resources",
        "res",
        "pics",
        "pictures",
        "graphics",
        "site",
        "www",
        "cdn",
        "supporters",
    }
)
ALT_NOISE_RE = re.compile(
    r"\b(?:logo|logos|logotype|logotipo|sponsor|sponsors|partner logo|image|icon|banner|picture|graphic)\b"
    r"|^\s*(?:the\s+)?(?:logo\s+(?:of|for|de|du|von|di)|logo:)\s*"
    r"|^\s*(?:visit|go to|link to|open)\s+|\s*(?:website|homepage|home page|web site)\s*$"
    r"|\(?opens? in (?:a )?new (?:tab|window)\)?",
    re.IGNORECASE,
)
IMAGE_EXTENSIONS_RE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|avif|bmp|ico|tiff?)$", re.IGNORECASE)
# Lazy-loading attributes that hold the real image URL.
LAZY_SRC_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-srcset", "data-bg", "data-image")
# data-* attribute names that hold an organisation's name ("data-name", "data-fname"/"data-lname", "data-company").
DATA_NAME_KEY_RE = re.compile(r"^data-(?:[\w-]*(?:name|title|company|sponsor|partner|brand|organi[sz]ation|org)\b)")
CSS_URL_RE = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.IGNORECASE)
# Social networks whose logo on an event page is a "follow us" icon wherever it stands (unlike a streaming
# platform's logo under a sponsor tier, which may be the platform as a partner).
SOCIAL_ICON_DOMAINS = frozenset(
    {"twitter.com", "x.com", "facebook.com", "fb.com", "instagram.com", "linkedin.com", "youtube.com", "youtu.be"}
    | {"tiktok.com", "threads.net", "mastodon.social", "pinterest.com", "tumblr.com", "t.me", "flickr.com"}
    | {"discord.gg", "discord.com", "bsky.app", "snapchat.com", "whatsapp.com"}
)
# Platforms where a link with a path is someone's profile or channel, not the platform as a sponsor.
PLATFORM_DOMAINS = frozenset(
    {
        "twitter.com",
        "x.com",
        "facebook.com",
        "fb.com",
        "instagram.com",
        "linkedin.com",
        "youtube.com",
        "youtu.be",
        "tiktok.com",
        "meetup.com",
        "github.com",
        "gitlab.com",
        "medium.com",
        "t.me",
        "discord.gg",
        "discord.com",
        "twitch.tv",
        "soundcloud.com",
        "spotify.com",
        "bandcamp.com",
        "mixcloud.com",
        "vimeo.com",
        "flickr.com",
        "pinterest.com",
        "threads.net",
        "mastodon.social",
        "tumblr.com",
        "wordpress.com",
        "blogspot.com",
        "patreon.com",
        "linktr.ee",
    }
)
# Link shorteners name no one: the logo's other signals must.
SHORTENER_DOMAINS = frozenset(
    {"bit.ly", "goo.gl", "t.co", "ow.ly", "tinyurl.com", "buff.ly", "lnkd.in", "rebrand.ly", "cutt.ly", "is.gd"}
    | {"smarturl.it", "shorturl.at", "tiny.cc", "rb.gy", "s.id", "t.ly", "bl.ink", "short.io"}
)
# Query parameters of redirect and tracking links that hold the real destination.
REDIRECT_PARAMS = frozenset({"u", "url", "q", "target", "dest", "destination", "redirect", "redirect_uri", "to"})
# Unit text that makes a link a mention, not sponsorship: listening/streaming, shopping/donation, prizes.
STREAM_RE = re.compile(
    r"\b(?:listen|stream(?:ing|ed)?|watch|broadcast|escucha\w*|[ée]coute\w*|anh[öo]ren|ouvir|ou[çc]a|ascolta)\b"
    r"[^.]{0,20}?\b(?:on|at|via|auf|sur|en|em|no|na|su)\b|\blive on\b|\bhosted live\b|\bstreamed live\b",
    re.IGNORECASE,
)
SHOP_RE = re.compile(
    r"\b(?:shop|buy|order|purchase)\s+(?:\w+\s+){0,2}?(?:at|on|from|via|through|with)\b"
    r"|\b(?:shopping|shoppers?|purchases|affiliate|rebate|gift card|wish ?list)\b"
    r"|\b(?:comprar|compre|comprez|acheter|achetez|kaufen|kaufe|acquista)\b",
    re.IGNORECASE,
)
# A paragraph that explains a shopping-donation programme: shopping words and giving words together.
SHOP_DONATION_RE = re.compile(
    r"\b(?:shop\w*|purchases?|buy\w*)\b.{0,120}\b(?:donat\w*|support\w*|portion|percent|charity|rebate)\b"
    r"|\b(?:donat\w*|support\w*|charity)\b.{0,120}\b(?:shop\w*|purchases?)\b",
    re.IGNORECASE | re.DOTALL,
)
AFFILIATE_PARAMS = frozenset({"aff", "aff_id", "affid", "affiliate", "tag", "ref_id", "associate"})
PRIZE_RE = re.compile(r"\b(?:best use of|best [\w ]{0,30}hack|prize|award(?:ed)?|winner|gift card|credits?)\b", re.I)
# Badges that credit a technology or host ("Powered by …", "Hosted on …"), not a sponsor.
TECH_CREDIT_RE = re.compile(
    r"\b(?:powered by|hosted (?:by|on|with)|built with|made with|deployed (?:on|with)|served by|runs on|cdn by)\b",
    re.IGNORECASE,
)
# Community groups named after a product are not the company ("AWS User Group", "Grupo de Usuários").
COMMUNITY_GROUP_RE = re.compile(
    r"\b(?:users?\s*groups?|usergroups?|developers?\s*groups?|meetups?|user\s*community|fan\s*club|"
    r"grupo de usu[aá]rios|groupe d.utilisateurs|benutzergruppe|gebruikersgroep)\b",
    re.IGNORECASE,
)
# Texts in a sponsor section that are not names.
NON_NAME_RE = re.compile(
    r"^(?:coming soon|tba|tbd|to be announced|more (?:to come|soon)|and (?:many )?more|your (?:logo|company) here|"
    r"bientot|proximamente|em breve|demnachst|prossimamente|binnenkort|read more|more|learn more|website|"
    r"visit|home|back|menu|close|next|previous|view all|see all|\W*)$",
    re.IGNORECASE,
)
# "Presented by X" in running text names a sponsor outside any section.
PRESENTED_BY_PHRASES = (
    "presented by",
    "sponsored by",
    "in partnership with",
    "brought to you by",
    "präsentiert von",
    "présenté par",
    "presentado por",
    "apresentado por",
    "presentato da",
    "gesponsord door",
)
PRESENTED_BY_RE = re.compile(
    r"(?:[Pp]resented by|[Ss]ponsored by|[Ii]n partnership with|[Bb]rought to you by|[Pp]räsentiert von|"
    r"[Pp]résenté par|[Pp]resentado por|[Aa]presentado por|[Pp]resentato da|[Gg]esponsord door)\s+"
    r"((?:[A-Z0-9][\w&.'’-]*)(?:\s+(?:[A-Z0-9&][\w&.'’-]*|of|and|the|de|du|des|der|la|le)){0,5})"
)
TITLE_SEPARATORS_RE = re.compile(r"\s[|\-–—:·•]\s|\s*[|·•]\s*")
# A short element whose whole text is one of these is a label over the logos that follow in its box.
LABEL_PHRASES = (
    "presented by",
    "sponsored by",
    "powered by",
    "supported by",
    "in partnership with",
    "in collaboration with",
    "brought to you by",
    "made possible by",
    "präsentiert von",
    "unterstützt von",
    "présenté par",
    "avec le soutien",
    "presentado por",
    "patrocinado por",
    "apresentado por",
    "patrocinado por",
    "presentato da",
    "mogelijk gemaakt door",
)
LABEL_TAGS = frozenset({"p", "div", "span", "small", "em", "i", "label", "figcaption", "td", "strong", "b", "li"})
# Fragments that preselect links that may lead to a sponsors page (checked on all hrefs at once).
DISCOVERY_FRAGMENTS = (
    "sponsor",
    "partner",
    "partenaire",
    "patrocin",
    "parceir",
    "apoiador",
    "auspici",
    "supporter",
    "unterst",
    "förder",
    "forder",
    "mécène",
    "mecene",
    "sostenitor",
    "funder",
    "backer",
    "patron",
)
MAX_NAME_CHARS = 80
MAX_NAME_WORDS = 8
MAX_UNIT_CLIMB = 4
# Distinct candidates matched per page. Matching is cheap; the cap only bounds a hostile page, and a
# page that exceeds it is marked truncated so it is never called clear (cutting before merging made
# a 5,000-logo wall with Amazon at #2,500 'clear').
MAX_CANDIDATES = 5_000
JS_HINT = "the page builds its content with JavaScript; save the rendered page or give its sponsors page URL"
NO_SECTION_HINT = "no sponsor or partner section was found on the page"


# --------------------------------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_CAMEL_RE = re.compile(r"(?<=[a-z]{2})(?=[A-Z])")
_SPLIT_RE = re.compile(r"[-_.\s@+,]+")


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _compact(text: str) -> str:
    return normalize_name(text).replace(" ", "")


def _alternation(words: Iterable[str], before: str = "", after: str = "") -> re.Pattern[str]:
    return re.compile(before + "(?:" + "|".join(re.escape(w) for w in words) + ")" + after)


# Compiled once from the keyword lists above; matched on the folded heading padded with spaces.
_STEM_RE = _alternation(SPONSOR_STEMS)
_SPONSOR_WORD_RE = _alternation(SPONSOR_WORDS, " ", " ")
_PHRASE_RE = _alternation(SPONSOR_PHRASES, " ", " ")
_CALL_RE = _alternation(CALL_WORDS)
_PRIZE_HEADING_RE = _alternation(PRIZE_WORDS, " ")
_BREAK_RE = _alternation(BREAK_WORDS)
_PAST_RE = _alternation(PAST_WORDS, " ", " ")


@lru_cache(maxsize=4096)
def _classify_heading(text: str) -> tuple[str, bool]:
    """('sponsor' | 'call' | 'break' | 'prize' | 'neutral', past) for a heading's text."""
    words = _WORD_RE.findall(fold(text))
    if not words:
        return "neutral", False
    padded = f" {' '.join(words)} "
    past = bool(_PAST_RE.search(padded))
    sponsorish = bool(_STEM_RE.search(padded) or _SPONSOR_WORD_RE.search(padded) or _PHRASE_RE.search(padded))
    if sponsorish or all(w in TIER_WORDS or w.isdigit() for w in words):
        if text.rstrip().endswith("?") or _CALL_RE.search(padded):
            return "call", past
        if _PRIZE_HEADING_RE.search(padded):
            return "prize", past
        return "sponsor", past
    if _PRIZE_HEADING_RE.search(padded):
        return "prize", past
    if _BREAK_RE.search(padded):
        return "break", past
    return "neutral", past


def is_sponsor_text(text: str) -> bool:
    """True when a short text (heading, link text, URL path words) says sponsors/partners in any language read."""
    return _classify_heading(text)[0] == "sponsor"


def readable(name: str) -> str:
    """A person-readable form of a name derived from a file or domain: 'aws' → 'AWS', 'red bull' → 'Red Bull'."""
    words = []
    single = len(name.split()) == 1
    for word in name.split():
        if single and word.islower() and word.isalpha() and len(word) <= 3:
            words.append(word.upper())
        elif word.islower():
            words.append(word[:1].upper() + word[1:])
        else:
            words.append(word)
    return " ".join(words)


@lru_cache(maxsize=8192)
def name_from_filename(src: str) -> str:
    """A readable name from a logo path: 'img/sponsors/amazon-web-services_logo@2x.png' → 'Amazon Web Services'."""
    if not src or (TEMPLATE_VALUE_RE.search(src) and not re.search(r"[\w-]+\.\w{3,4}\s*$", src)):
        return ""
    src = src.strip().split()[0] if src.strip() else ""
    try:
        path = unquote(urlsplit(src).path) if "://" in src or src.startswith("//") else unquote(src.split("?")[0])
    except ValueError:
        return ""
    segments = [s for s in path.replace("\\", "/").split("/") if s]
    if not segments:
        return ""
    stem = IMAGE_EXTENSIONS_RE.sub("", segments[-1])
    name = _name_from_stem(stem)
    if not name and len(segments) > 1:
        # A generic file name ("logo.png") in a directory named after its owner ("acme/logo.png").
        directory = segments[-2]
        if directory.lower() not in GENERIC_DIRS and not TEMPLATE_VALUE_RE.search(directory):
            name = _name_from_stem(directory)
    return name


def _name_from_stem(stem: str) -> str:
    stem = _CAMEL_RE.sub(" ", stem)
    parts = []
    for part in _SPLIT_RE.split(stem):
        if not part or SIZE_OR_HASH_RE.match(part):
            continue  # sizes, versions, years and hashes go wherever they are
        if len(part) > 5 and not FILENAME_NOISE_RE.match(part):
            trimmed = GLUED_NOISE_RE.sub("", part)
            trimmed = GLUED_PREFIX_RE.sub("", trimmed) if len(trimmed) > 7 else trimmed
            part = trimmed if len(trimmed) >= 2 else part
        parts.append(part)
    # Generic words ("logo", "white", "small") go only from the ends: "amazon-web-services" keeps "web".
    while parts and FILENAME_NOISE_RE.match(parts[-1]):
        parts.pop()
    while parts and FILENAME_NOISE_RE.match(parts[0]):
        parts.pop(0)
    return readable(" ".join(parts)) if parts else ""


def name_from_domain(host: str) -> str:
    """A readable name from a host: 'www.twitch.tv' → 'Twitch', 'berlin-partner.de' → 'Berlin Partner'."""
    label = registrable_domain(host).split(".")[0]
    return readable(label.replace("-", " "))


ALT_SPONSOR_PHRASE_RE = re.compile(
    r"^(?:presented by|powered by|sponsored by|supported by|in partnership with|brought to you by|"
    r"präsentiert von|unterstützt von|présenté par|presentado por|patrocinado por|apresentado por|"
    r"presentato da)\s+",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def _name_from_alt(alt: str) -> str:
    if not alt or TEMPLATE_VALUE_RE.search(alt):
        return ""
    if IMAGE_EXTENSIONS_RE.search(alt.strip()):
        return name_from_filename(alt.strip())
    name = _clean(ALT_NOISE_RE.sub(" ", alt)).strip(" -–—|:,.")
    # "Powered by Amazon Music" / "Presented by Acme": the phrase says it is a sponsor, the rest is the name.
    return ALT_SPONSOR_PHRASE_RE.sub("", name).strip(" -–—|:,.") or name


def _is_name_like(text: str) -> bool:
    if not text or len(text) > MAX_NAME_CHARS or len(text.split()) > MAX_NAME_WORDS:
        return False
    if TEMPLATE_VALUE_RE.search(text) or NON_NAME_RE.match(fold(text)):
        return False
    if "?" in text or "!" in text or text.endswith(":"):
        return False
    if text.endswith(".") and normalize_name(text.rsplit(" ", 1)[-1]) not in LEGAL_FORMS:
        return False  # a sentence, not a name (but "Acme Inc." is a name)
    return any(c.isalnum() for c in text)


@lru_cache(maxsize=8192)
def agrees_with_link(name: str, host: str, path: str = "") -> bool:
    """True when a name and a link plausibly denote the same organisation (shared word, initials, path)."""
    compact = _compact(name)
    if len(compact) < 2:
        return False
    labels = [lab for lab in host.lower().split(".") if lab not in ("www", "com", "org", "net")]
    labels = [lab.replace("-", "") for lab in labels]
    path_compact = re.sub(r"[^a-z0-9]", "", fold(unquote(path)))
    for label in labels:
        if len(label) >= 3 and (label in compact or (len(compact) >= 3 and compact in label)):
            return True
    if len(compact) >= 4 and compact in path_compact:
        return True
    tokens = normalize_name(name).split()
    if any(len(t) >= 4 and (any(t in lab for lab in labels) or t in path_compact) for t in tokens):
        return True
    initials = "".join(t[0] for t in tokens if t)
    return len(tokens) >= 2 and any(len(lab) >= 2 and initials.startswith(lab) for lab in labels)


# --------------------------------------------------------------------------------------------------
# Parsing: one lxml parse, hidden content removed
# --------------------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    root: etree._Element
    jsonld: list[str]
    script_chars: int
    script_count: int
    attrs: list[Any] = field(default_factory=list)  # every class/id value (smart strings: .getparent())


def _markdown_to_html(text: str) -> str:
    """Just enough markdown for sponsor pages: headings, images, links, bold, list items; HTML passes through."""
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.lstrip()
        heading = re.match(r"^(#{1,6})\s*(.+?)\s*#*\s*$", stripped)
        if heading and not stripped.startswith("#{"):
            level = len(heading.group(1))
            line = f"<h{level}>{heading.group(2)}</h{level}>"
        else:
            item = re.match(r"^\s*(?:[-*+]|\d+\.)\s+(.+)$", line)
            if item and not stripped.startswith("<"):
                line = f"<li>{item.group(1)}</li>"
            elif stripped and not stripped.startswith("<"):
                line = f"<p>{line}</p>"
        line = re.sub(r"!\[([^\]]*)\]\(\s*([^)\s]+)[^)]*\)(?:\{[^}]*\})?", r'<img alt="\1" src="\2">', line)
        line = re.sub(r"\[([^\]]*)\]\(\s*([^)\s]+)[^)]*\)", r'<a href="\2">\1</a>', line)
        line = re.sub(r"\*\*([^*]+)\*\*|__([^_]+)__", lambda m: f"<b>{m.group(1) or m.group(2)}</b>", line)
        out.append(line)
    return "\n".join(out)


def _preprocess(text: str, url: str, content_type: str = "text/html") -> str:
    """Template comments removed; front matter reduced to its title; markdown pages turned into HTML."""
    # A regex that starts with a literal "{" is scanned at C speed; one alternation over "{" and "<" is not.
    if TEMPLATE_BRACE_MARKER_RE.search(text) or "<%#" in text:
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


def _parse(text: str, url: str = "", content_type: str = "text/html") -> _Parsed | None:
    html = _preprocess(text, url, content_type)
    if not html or html.isspace():
        return None
    try:
        root = parse_html(html)  # huge_tree, deep nesting flattened, control characters dropped
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
    for el in list(root.iter(*INVISIBLE_TAGS)):
        if el.tag != "head":
            _drop(el)
    # Attribute XPath is C-speed; a predicate over every element (contains(@style, …)) costs milliseconds.
    hidden = {value.getparent() for value in (*_HIDDEN_VALUES(root), *_ARIA_HIDDEN_VALUES(root))}
    if any("none" in v or "hidden" in v for v in _PLAIN_STYLES(root)):
        hidden.update(v.getparent() for v in _values_containing(root.xpath("//@style"), ("none", "hidden")))
    # Every class/id value, read once and reused by _structure. The list also keeps those elements'
    # Python proxies alive for the whole extraction, so the walk does not pay to re-create them.
    attrs = _class_id_values(root)
    for value in _values_containing(attrs, ("hidden", "d-none", "invisible")):
        if value.attrname == "class" and _hidden_by_class(value):
            hidden.add(value.getparent())
    dropped = False
    for el in hidden:
        if (el.get("class") and _hidden_by_class(el.get("class", ""))) or _is_hidden(el):
            _drop(el)
            dropped = True
    if dropped:
        attrs = _class_id_values(root)  # some were in what was dropped
    return _Parsed(root, jsonld, script_chars, script_count, attrs)


_PLAIN_STYLES = etree.XPath("//@style", smart_strings=False)
_HOLDS_LOGO_OR_LINK = etree.XPath("boolean(.//*[self::img or self::svg or self::a])")
_FOOTER_LOGO_LINKS = etree.XPath(".//a[@href][.//img or .//svg]")


def prepare_tree(html: str) -> etree._Element | None:
    """Parse HTML into an lxml tree with comments, scripts, templates and hidden elements removed."""
    parsed = _parse(html)
    return parsed.root if parsed else None


_text_of = etree.XPath("string()", smart_strings=False)  # an element's text content, like lxml.html's text_content()


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


# --------------------------------------------------------------------------------------------------
# The walk: sections, context, signals
# --------------------------------------------------------------------------------------------------


@dataclass
class _Scope:
    kind: str  # sponsor | break | prize | neutral
    rank: int | None  # heading rank; None for an id/class-marked block (only its end closes it)
    text: str
    container: etree._Element
    past: bool = False
    element: etree._Element | None = None  # the heading itself


@dataclass(frozen=True)
class _State:
    kind: str  # sponsor | prize | none
    tier: str | None
    past: bool
    headings: tuple[tuple[etree._Element, str], ...] = ()  # enclosing headings, innermost first


_NO_STATE = _State("none", None, False)
# The tier given to a run of outbound logos in a footer that has no heading of its own.
FOOTER_STRIP_TIER = "logos in the page footer"


def _own_text(el: etree._Element) -> str:
    """A heading's text without the block content a broken page nested inside it."""
    parts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag in BLOCK_TAGS and (len(child) or _clean(child.text)):
            break
        parts.append(_text_of(child) if child.tag != "img" else child.get("alt") or "")
        parts.append(child.tail or "")
    return _clean(" ".join(parts))


def _heading_of(el: etree._Element) -> tuple[int, str] | None:
    """(rank, text) when the element is a heading or a pseudo-heading; None otherwise."""
    tag = el.tag
    rank = HEADING_RANK.get(tag)
    if rank is not None:
        text = _own_text(el)
        return (rank, text) if text and len(text) <= 120 else None
    if tag in PSEUDO_HEADING_TAGS:
        attrs = f"{el.get('class', '')} {el.get('id', '')}"
        titled = bool(TITLE_CLASS_RE.search(attrs))
        emphasis = tag in ("p", "div") and len(el) == 1 and el[0].tag in INLINE_EMPHASIS and not _clean(el.text)
        # An unclosed <p><b> before a section makes the parser nest the whole section (logos and all)
        # inside it: a pseudo-heading holds words, never logos or links.
        if emphasis and _HOLDS_LOGO_OR_LINK(el):
            emphasis = False
        if (titled or emphasis) and len(el) <= 3:
            text = _own_text(el) if titled else _clean(_text_of(el))
            if text and len(text) <= 80:
                kind, _ = _classify_heading(text)
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
class _Signals:
    """What the walk collected: anchors (one per logo/organisation) and name-only text items, with context."""

    anchors: list[tuple[etree._Element, _State]] = field(default_factory=list)
    texts: list[tuple[etree._Element, _State]] = field(default_factory=list)
    footer_anchors: list[etree._Element] = field(default_factory=list)
    links: list[etree._Element] = field(default_factory=list)  # <a> that may lead to a sponsors page
    sponsor_scopes: int = 0
    structure: _Structure | None = None


OPENING_KINDS = ("sponsor", "prize")  # heading kinds that open a section whose entries are read


@dataclass
class _Structure:
    """Elements that shape sections, found with C-speed iteration and attribute XPath (no per-element Python)."""

    headings: dict[etree._Element, tuple[int, str]]
    hints: set[etree._Element]  # id/class says sponsors: a section
    unit_hints: set[etree._Element]  # <img class="sponsor-logo">: one entry
    footers: set[etree._Element]
    ancestors: set[etree._Element]  # every ancestor of the above: the walk descends only into these
    label_scopes: dict[etree._Element, etree._Element] = field(default_factory=dict)  # label → its box


def _values_containing(values: list[Any], fragments: Iterable[str]) -> list[Any]:
    """The values (lower-cased match) holding any fragment, found with str.find on one joined blob."""
    blob = "\n".join(values).lower()
    ends: list[int] | None = None
    hits: dict[int, None] = {}
    for fragment in fragments:
        for pos in _occurrences(blob, fragment, 100_000):
            ends = ends or list(accumulate(len(v) + 1 for v in values))
            hits.setdefault(bisect_right(ends, pos), None)
    return [values[i] for i in sorted(hits)]


class _BodyText:
    """The page's visible text, lower-cased once, and the text nodes holding a phrase (queried once each)."""

    def __init__(self, root: etree._Element, text: str) -> None:
        self.root = root
        self.text = text
        self.lowered = text.lower()
        self._nodes: dict[str, list[Any]] = {}

    def spellings(self, phrases: Iterable[str], limit: int = 4) -> list[str]:
        """How the page itself writes these phrases ("Presented by", "PRESENTED BY"), for exact XPath queries."""
        if len(self.lowered) != len(self.text):
            return []
        found = {self.text[pos : pos + len(p)] for p in phrases for pos in _occurrences(self.lowered, p, 20)}
        return sorted(found)[:limit]

    def nodes(self, phrases: Iterable[str]) -> list[Any]:
        """Text nodes (smart strings: .getparent(), .is_text) that contain one of the phrases."""
        out: list[Any] = []
        for spelling in self.spellings(phrases):
            if spelling not in self._nodes:
                self._nodes[spelling] = _TEXT_CONTAINING(self.root, p=spelling)
            out.extend(self._nodes[spelling])
        return out


_TEXT_CONTAINING = etree.XPath("//text()[contains(., $p)]")


def _labels(body: _BodyText, headings: dict) -> dict[etree._Element, etree._Element]:
    """Short labels that are a sponsor phrase on their own ("<p>Presented by</p>" over a logo): headings whose
    scope is their own box. Found from the page's own spellings of the phrases, then one XPath per spelling."""
    found: dict[etree._Element, etree._Element] = {}
    for text in body.nodes(LABEL_PHRASES):
        el = text.getparent()
        if not text.is_text or el is None or el in headings or el.tag not in LABEL_TAGS:
            continue
        label = _clean(_text_of(el))
        parent = el.getparent()
        if len(label) <= 40 and parent is not None and _classify_heading(label)[0] == "sponsor":
            headings[el] = (PSEUDO_HEADING_RANK, label.rstrip(" :"))
            found[el] = parent
    return found


def _structure(root: etree._Element, attrs: list[Any] | None = None, body: _BodyText | None = None) -> _Structure:
    headings: dict[etree._Element, tuple[int, str]] = {}
    for el in root.iter(*HEADING_RANK):
        found = _heading_of(el)
        if found:
            headings[el] = found
    for emph in root.iter(*INLINE_EMPHASIS):
        parent = emph.getparent()
        if parent is not None and parent.tag in ("p", "div") and len(parent) == 1 and parent not in headings:
            found = _heading_of(parent)
            if found:
                headings[parent] = found
    label_scopes = _labels(body, headings) if body is not None else {}
    hints: set[etree._Element] = set()
    unit_hints: set[etree._Element] = set()
    footers: set[etree._Element] = set(root.iter("footer"))
    # Thousands of class/id values: find the few that matter with str.find on all of them joined.
    values = attrs if attrs is not None else _class_id_values(root)
    for value in _values_containing(values, (*SECTION_ID_CLASS_HINTS, "footer", *TITLE_CLASS_FRAGMENTS)):
        el = value.getparent()
        lowered = value.lower()
        if HINT_RE.search(lowered):
            (unit_hints if el.tag in UNIT_TAGS else hints).add(el)
        if "footer" in lowered:
            footers.add(el)
        if TITLE_CLASS_RE.search(value) and el.tag in PSEUDO_HEADING_TAGS and el not in headings:
            found = _heading_of(el)
            if found:
                headings[el] = found
    # A footer inside a footer ("footer__links" in <footer>) is read with the outer one.
    footers = {f for f in footers if not any(anc in footers for anc in f.iterancestors())}
    ancestors: set[etree._Element] = set()
    # Only headings that can open a section need their ancestors walked: the others matter only inside an
    # open sponsor section, where the walk descends into everything anyway.
    openers = [el for el, (_, text) in headings.items() if _classify_heading(text)[0] in OPENING_KINDS]
    for el in (*openers, *hints, *unit_hints, *footers):
        for anc in el.iterancestors():
            if anc in ancestors:
                break
            ancestors.add(anc)
    return _Structure(headings, hints, unit_hints, footers, ancestors, label_scopes)


def _occurrences(haystack: str, needle: str, limit: int = 50) -> Iterator[int]:
    start = haystack.find(needle)
    while start != -1 and limit > 0:
        yield start
        limit -= 1
        start = haystack.find(needle, start + 1)


def _discovery_links(root: etree._Element, body: _BodyText) -> list[etree._Element]:
    """Links whose href or text holds a sponsor word.

    str.find on all hrefs joined (C speed), never a Python loop or a regex per link: a page can have
    thousands of links and only a handful matter.
    """
    hrefs = root.xpath("//a/@href")
    lowered = "\n".join(hrefs).lower()
    found: dict[etree._Element, None] = {}
    ends: list[int] | None = None
    for fragment in DISCOVERY_FRAGMENTS:
        for pos in _occurrences(lowered, fragment):
            ends = ends or list(accumulate(len(h) + 1 for h in hrefs))
            found.setdefault(hrefs[bisect_right(ends, pos)].getparent(), None)
    if found:
        return list(found)
    # Links whose text (not href) says sponsors: query with the page's own spellings, found in its text.
    for spelling in body.spellings(DISCOVERY_FRAGMENTS):
        for a in root.xpath("//a[@href][contains(text(), $f) or contains(*/text(), $f)]", f=spelling):
            found.setdefault(a, None)
    return list(found)


def _walk(root: etree._Element, base: str, body: _BodyText, attrs: list[Any] | None = None) -> _Signals:
    """One pass in document order: scopes from headings and id/class hints, signals with their context.

    Outside sponsor scopes the walk skips every subtree that holds no heading, hint or footer, so a
    300 KB page costs a few hundred visited elements, not its thousands.
    """
    out = _Signals()
    st = out.structure = _structure(root, attrs, body)
    out.links = _discovery_links(root, body)
    stack: list[_Scope] = []
    containers: dict[etree._Element, int] = {}  # container → open scopes using it
    state = _NO_STATE
    dirty = True
    anchor_end: etree._Element | None = None  # inside an anchor, its descendants are part of it
    footer_open: list[etree._Element] = []
    text_end: etree._Element | None = None
    base_site = _site_of(base)

    def recompute() -> _State:
        # The innermost scope that is not neutral decides; the innermost heading text is the tier.
        kind = next((s.kind for s in reversed(stack) if s.kind != "neutral"), "none")
        if kind not in ("sponsor", "prize"):
            return _NO_STATE
        headings = tuple((s.element, s.text) for s in reversed(stack) if s.text and s.element is not None)
        tier = headings[0][1] if headings else None
        past = any(s.past for s in stack if s.kind != "break")
        return _State(kind, tier, past, headings)

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
            kind, past = _classify_heading(text)
            if kind != "call":  # a call for sponsors neither opens nor closes a section
                while stack and stack[-1].rank is not None and stack[-1].rank >= rank:
                    gone = stack.pop()
                    _release(containers, gone.container)
                container = st.label_scopes.get(el)
                container = container if container is not None else _section_container(el)
                stack.append(_Scope(kind, rank, text[:120], container, past, el))
                containers[container] = containers.get(container, 0) + 1
                out.sponsor_scopes += kind == "sponsor"
                dirty = True
            if kind != "neutral" and not any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el):
                walker.skip_subtree()  # an image in a "Sponsors" heading is the heading, not a logo
            # (a broken page may nest its content inside a heading: then the walk keeps descending)
            continue
        if el in st.hints and (not stack or stack[-1].container is not el):
            stack.append(_Scope("sponsor", None, "", el))
            containers[el] = containers.get(el, 0) + 1
            out.sponsor_scopes += 1
            dirty = True
        if dirty:
            state = recompute()
            dirty = False
        if el in st.footers and anchor_end is None:
            if state.kind == "none" and el not in st.ancestors and not footer_open:
                # A footer outside any sponsor section: only its logo links matter, found by XPath at C speed.
                out.footer_anchors.extend(_FOOTER_LOGO_LINKS(el))
                walker.skip_subtree()
                continue
            footer_open.append(el)
        if anchor_end is not None:
            continue
        local = state
        if local.kind == "none":
            if el in st.unit_hints and tag in ("img", "a"):
                local = _State("sponsor", None, False)  # <img class="sponsor-logo"> outside any section
            elif not footer_open and el not in st.ancestors and not any(s.kind in OPENING_KINDS for s in stack):
                walker.skip_subtree()  # nothing below can be in (or re-open) a sponsor section
                continue
        if _is_anchor(el, base_site):
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


def _release(containers: dict[etree._Element, int], container: etree._Element) -> None:
    count = containers.get(container, 0) - 1
    if count <= 0:
        containers.pop(container, None)
    else:
        containers[container] = count


def _site_of(url: str) -> str | None:
    host = host_of(url) if url.startswith(("http://", "https://")) else None
    return registrable_domain(host) if host else None


def _href_of(el: etree._Element, base: str) -> str:
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


def _outbound(href: str, base_site: str | None) -> str | None:
    """The link's host when it leaves the site (None for in-site, mailto:, javascript:, relative links)."""
    if not href.startswith(("http://", "https://", "//")):
        return None
    host = host_of(href if not href.startswith("//") else "http:" + href)
    if not host or (base_site and registrable_domain(host) == base_site):
        return None
    return host


def _is_platform_profile(host: str, path: str) -> bool:
    """A link to someone's page on a platform (twitter.com/acme), which names the platform, not the sponsor."""
    return registrable_domain(host) in PLATFORM_DOMAINS and bool(path.strip("/"))


def _is_anchor(el: etree._Element, base_site: str | None) -> bool:
    """Elements that stand for one logo/organisation: a logo, an outbound link, an element with a data name."""
    tag = el.tag
    if tag in ("img", "svg", "picture"):
        return True
    if tag == "a":
        href = (el.get("href") or "").strip()
        if href.startswith("www."):
            href = "http://" + href
        return _outbound(href, base_site) is not None
    if any(DATA_NAME_KEY_RE.match(k) for k in el.attrib):
        return True
    style = el.get("style")
    return bool(style and "url(" in style)


# --------------------------------------------------------------------------------------------------
# Units: every signal of one logo/organisation, a readable name, sponsor or mention
# --------------------------------------------------------------------------------------------------


@dataclass
class _Builder:
    """Accumulates signals per logo/organisation before they are frozen into Candidates."""

    name: str
    evidence: list[Evidence] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    in_context: bool = False
    tier: str | None = None
    role: Role = Role.SPONSOR
    past: bool = False
    note: str | None = None


def _unit_root(anchor: etree._Element, counts: dict[etree._Element, int], st: _Structure) -> etree._Element:
    """The largest ancestor (a few levels at most) that holds this anchor and no other, below any heading."""
    unit = anchor
    for _ in range(MAX_UNIT_CLIMB):
        parent = unit.getparent()
        if parent is None or parent.tag in SECTIONING_TAGS or parent.tag in HEADING_RANK or parent.tag == "header":
            break
        if counts.get(parent, 0) > 1 or parent in st.hints or parent in st.footers:
            break
        if any(c.tag == "header" or (c in st.headings and not _is_card_title(st.headings[c][1])) for c in parent):
            break  # the parent holds the section's heading: it is the section, not the entry
        unit = parent
    return unit


def _is_entry_heading(el: etree._Element, heading: tuple[int, str], stack: list[_Scope]) -> bool:
    """A neutral heading below the sponsor heading's rank that is one entry: it wraps a logo, or it sits in
    a box with exactly one logo or link ("<div class=card><img><h4>Acme</h4></div>")."""
    rank, text = heading
    outer = next((s for s in reversed(stack) if s.kind == "sponsor"), None)
    if outer is None or (outer.rank is not None and rank <= outer.rank) or not _is_card_title(text):
        return False
    if el.find(".//img") is not None or el.find(".//svg") is not None:
        return True
    parent = el.getparent()
    return parent is not None and len(parent.xpath(".//*[self::img or self::svg or (self::a and @href)]")) == 1


def _is_card_title(text: str) -> bool:
    """A short neutral heading inside one logo's box ("<h4>Acme</h4>") names the entry, not a section."""
    return _classify_heading(text)[0] == "neutral" and _is_name_like(text) and not re.search(r"\d", text)


def _emphasis_text(unit: etree._Element) -> str:
    for el in unit.iter("strong", "b", "h3", "h4", "h5", "h6", "figcaption", "dt"):
        text = _clean(_text_of(el))
        if _is_name_like(text):
            return text
    for el in unit.iter("p", "span", "div"):
        cls = el.get("class") or ""
        if re.search(r"name|title|caption", cls, re.I) and len(el) == 0:
            text = _clean(el.text)
            if _is_name_like(text):
                return text
    return ""


def _build_unit(unit: etree._Element, state: _State, base: str, base_site: str | None) -> _Builder | None:
    evidence: list[Evidence] = []
    alts: list[str] = []
    files: list[str] = []
    data_names: list[str] = []
    identity: tuple[str, str, str] | None = None  # (href, host, path) of the link that decides identity
    link_text = ""  # the visible text of that link, a name when the unit around it is a sentence
    profile_links: list[str] = []
    hosting: list[str] = []
    affiliate = False
    if state.headings and any(h is unit or unit in h.iterancestors() for h, _ in state.headings[:1]):
        # The unit holds the heading taken for its tier (a card title): the tier is the next one out.
        outer = state.headings[1:]
        state = _State(state.kind, outer[0][1] if outer else None, state.past, outer)
    where = state.tier or ""
    for el in unit.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        attrib = el.attrib
        names = [v for k, v in attrib.items() if DATA_NAME_KEY_RE.match(k) and v and not _looks_like_url(v)]
        if names:
            joined = _clean(" ".join(names).replace("\xa0", " "))
            if joined and not TEMPLATE_VALUE_RE.search(joined):
                data_names.append(joined)
                evidence.append(Evidence("data-attr", joined, where))
        for key, kind in (("title", "title"), ("aria-label", "aria-label")):
            value = _clean(attrib.get(key))
            # A link's title repeats its visible text; it is a name only on a link without text.
            if value and _name_from_alt(value) and (tag != "a" or not _clean(_text_of(el))):
                alts.append(_name_from_alt(value))
                evidence.append(Evidence(kind, value, where))
        if tag == "img" or tag == "source":
            alt = attrib.get("alt")
            if alt is not None and _name_from_alt(alt):
                alts.append(_name_from_alt(alt))
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
            text = _clean(el.text)
            if text:
                alts.append(_name_from_alt(text))
                evidence.append(Evidence("svg-title", text, where))
        elif tag == "a" and attrib.get("href"):
            href = _unwrap_redirect(_href_of(el, base))
            host = _outbound(href, base_site)
            if host:
                try:
                    parts = urlsplit(href)
                except ValueError:
                    continue
                if any(k.lower() in AFFILIATE_PARAMS for k, _ in parse_qsl(parts.query)):
                    affiliate = True
                if _is_platform_profile(host, parts.path):
                    profile_links.append(href)
                elif is_hosting_domain(host):
                    hosting.append(host)
                    evidence.append(Evidence("link", href, where))
                elif registrable_domain(host) in SHORTENER_DOMAINS:
                    evidence.append(Evidence("link", href, f"{where} (a short link: it names no one)".strip()))
                elif identity is None:
                    identity = (href, host, parts.path)
                    link_text = _clean(_text_of(el))
                    evidence.append(Evidence("link", href, where))
        style = attrib.get("style")
        if style and "url(" in style:
            for url in CSS_URL_RE.findall(style):
                name = name_from_filename(url)
                if name:
                    files.append(name)
                    evidence.append(Evidence("css-bg", url, where))
    text = _clean(" ".join(unit.itertext()))
    emphasis = _emphasis_text(unit)
    name = _choose_name(data_names, emphasis, alts, text, files, identity, link_text)
    if not name and profile_links and (STREAM_RE.search(text) or SHOP_RE.search(text)):
        name = name_from_domain(host_of(profile_links[0]) or "")  # "Hosted live on Twitch!" → Twitch, a mention
    if not name:
        return None
    if profile_links and not identity and not data_names and not (STREAM_RE.search(text) or SHOP_RE.search(text)):
        try:
            platform = host_of(profile_links[0]) or ""
        except ValueError:
            platform = ""
        # The event's own social-media icon ("twitter.png" → twitter.com/event) is not a sponsor — unless it
        # stands under a sponsor tier heading: a Twitch logo there, linking to the event's channel, is Twitch.
        social = registrable_domain(platform) in SOCIAL_ICON_DOMAINS
        if agrees_with_link(name, platform) and (social or not _under_sponsor_tier(state)):
            return None
    if text and _is_name_like(text) and not any(e.kind == "text" for e in evidence):
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
    b = _Builder(name=name, evidence=evidence, in_context=True, tier=state.tier, past=state.past)
    if identity:
        b.domains.append(identity[1])
    # A bare logo explained by the paragraph after it ("Amazon shoppers can support us…"): read that too.
    explained = text if text else _explanation_after(unit)
    _classify_mention(b, explained, state, affiliate, hosting and not identity, profile_links)
    return b


def _unwrap_redirect(href: str) -> str:
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


def _explanation_after(unit: etree._Element) -> str:
    """The text of the paragraph right after a bare logo, when it explains a shopping-donation programme."""
    nxt = unit.getnext()
    if nxt is None or not isinstance(nxt.tag, str) or nxt.tag not in ("p", "div", "span"):
        return ""
    if nxt.find(".//img") is not None:
        return ""  # the next logo, not an explanation
    text = _clean(_text_of(nxt))[:400]
    return text if SHOP_DONATION_RE.search(text) else ""


def _looks_like_url(value: str) -> bool:
    return "/" in value or bool(IMAGE_EXTENSIONS_RE.search(value.strip()))


def _image_sources(el: etree._Element) -> list[str]:
    found: list[str] = []
    src = el.get("src")
    if src and not src.startswith("data:"):
        found.append(src)
    for attr in LAZY_SRC_ATTRS:
        value = el.get(attr)
        if value and not value.startswith("data:"):
            found.append(value.split(",")[0].strip().split(" ")[0])
    srcset = el.get("srcset")
    if srcset and not found:
        found.append(srcset.split(",")[0].strip().split(" ")[0])
    seen: dict[str, None] = {}
    for s in found:
        seen.setdefault(s, None)
    return list(seen)


def _choose_name(
    data_names: list[str],
    emphasis: str,
    alts: list[str],
    text: str,
    files: list[str],
    identity: tuple[str, str, str] | None,
    link_text: str = "",
) -> str:
    """Name priority: data attribute, emphasised visible text, alt that agrees with the link, short visible
    text, the link's own text when the entry is a sentence, file name that agrees with the link, the link's
    domain; disagreeing alt/file only as a last resort."""
    host, path = (identity[1], identity[2]) if identity else ("", "")

    def ok(candidate: str) -> bool:
        return not identity or agrees_with_link(candidate, host, path)

    for candidate in data_names:
        if _is_name_like(candidate):
            return candidate
    if emphasis:
        return emphasis
    for alt in alts:
        if _is_name_like(alt) and ok(alt):
            return alt
    if _is_name_like(text) and not STREAM_RE.search(text) and len(text) >= 2:
        return text
    if link_text and _is_name_like(link_text) and not STREAM_RE.search(link_text):
        return link_text  # "Drinks by <a>Ice House Cold Brew</a>, proudly local": the link names the sponsor
    for file_name in files:
        if ok(file_name):
            return file_name
    if identity:
        return name_from_domain(host)
    for candidate in [*alts, *files]:
        if _is_name_like(candidate):
            return candidate
    if _is_name_like(text):
        return text
    return ""


def _under_sponsor_tier(state: _State) -> bool:
    """True inside a sponsor section that has its own heading (a tier), not a bare footer strip."""
    return state.kind == "sponsor" and bool(state.tier) and state.tier != FOOTER_STRIP_TIER


def _classify_mention(
    b: _Builder, text: str, state: _State, affiliate: bool, hosted_only: object, profiles: list[str]
) -> None:
    """Mark what is named but not sponsorship: prizes, stream/listen links, shop/donation links, hosting, groups."""
    note = None
    # Under a sponsor tier heading ("Title Partner"), "Powered by X" is sponsor phrasing and a tracking
    # parameter is the sponsor's own campaign link: neither makes the logo a mere credit or shop link.
    tiered = _under_sponsor_tier(state)
    if state.kind == "prize" or (PRIZE_RE.search(text) and re.search(r"\bbest\b|\bprize\b", text, re.I)):
        note = "prize"
    elif not tiered and (
        TECH_CREDIT_RE.search(text) or any(TECH_CREDIT_RE.search(e.text) for e in b.evidence if e.kind == "img-alt")
    ):
        note = "technology or hosting credit"
    elif STREAM_RE.search(text):
        note = "listen/stream link"
    elif (affiliate and not tiered) or SHOP_RE.search(text) or SHOP_DONATION_RE.search(text):
        note = "shop or donation link"
    elif hosted_only and not b.domains and not any(e.kind in ("img-alt", "data-attr", "text") for e in b.evidence):
        note = "asset hosted on a provider"
    elif COMMUNITY_GROUP_RE.search(b.name):
        note = "community group named after a product, not the company"
    if note:
        b.role = Role.MENTION
        b.note = note


def _text_items(el: etree._Element, state: _State) -> list[_Builder]:
    """Names given as plain text (list item, table cell, short lines split at <br>) inside a sponsor section."""
    if el.tag in ("p", "div", "span") and any(isinstance(c.tag, str) and c.tag not in INLINE_TAGS for c in el):
        return []  # a container, not a line of text
    if _heading_of(el) is not None:
        return []
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = [_clean(line) for line in " ".join(el.itertext()).split("\n")]
    lines = [line for line in lines if line]
    if el.tag in LIST_ITEM_TAGS:
        lines = lines[:1]  # "<li><b>Acme</b><br>our printer</li>": the first line is the name
    out = []
    for text in lines:
        if not _is_name_like(text):
            continue
        b = _Builder(name=text, evidence=[Evidence("text", text, state.tier or "")], in_context=True)
        b.tier, b.past = state.tier, state.past
        _classify_mention(b, text, state, False, False, [])
        if state.kind == "prize":
            b.role, b.note = Role.MENTION, "prize"
        out.append(b)
    return out


# --------------------------------------------------------------------------------------------------
# JSON-LD and running text
# --------------------------------------------------------------------------------------------------


def _jsonld(texts: Iterable[str]) -> Iterator[_Builder]:
    for text in texts:
        try:
            data = json.loads(text or "")
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
            value = data.get(key)
            for org in value if isinstance(value, list) else [value]:
                name = org.get("name") if isinstance(org, dict) else org if isinstance(org, str) else None
                if isinstance(name, str) and name.strip():
                    b = _Builder(name=_clean(name), in_context=True, role=role, tier=f"JSON-LD {key}")
                    b.evidence.append(Evidence("jsonld", f"{key}: {name}"))
                    url = org.get("url") if isinstance(org, dict) else None
                    if isinstance(url, str) and host_of(url):
                        b.domains.append(host_of(url) or "")
                        b.evidence.append(Evidence("link", url))
                    yield b
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _jsonld_walk(value, depth + 1)


def _sponsor_links(links: list[etree._Element], base: str, base_site: str | None) -> tuple[str, ...]:
    """Same-site links whose text or path says sponsors/partners: pages worth reading next."""
    if not base_site:
        return ()
    found: dict[str, None] = {}
    page = base.split("#")[0]
    for a in links:
        href = _href_of(a, base).split("#")[0]
        if not href.startswith(("http://", "https://")) or href == page:
            continue
        host = host_of(href)
        if not host or registrable_domain(host) != base_site:
            continue
        try:
            path = unquote(urlsplit(href).path)
        except ValueError:
            continue
        words = " ".join(_SPLIT_RE.split(path.replace("/", " ")))
        text = _clean(_text_of(a))[:80]
        if is_sponsor_text(words) or (text and is_sponsor_text(text)):
            found.setdefault(href, None)
    return tuple(found)


# --------------------------------------------------------------------------------------------------
# The public entry point
# --------------------------------------------------------------------------------------------------


def extract(page: Page) -> Extraction:
    """Sponsor candidates of one page, merged per organisation, with evidence; never raises on bad HTML."""
    parsed = _parse(page.text, page.url, page.content_type)
    if parsed is None:
        return Extraction((), False, (page.url,), ("the page is empty or not HTML",))
    root = parsed.root
    base = page.url
    base_site = _site_of(base)
    body = root.find("body")
    body_text = _text_of(body if body is not None else root)
    body = _BodyText(root, body_text)
    signals = _walk(root, base, body, parsed.attrs)
    builders: list[_Builder] = list(_jsonld(parsed.jsonld))

    anchors = list(signals.anchors)
    footer_hosts = {
        registrable_domain(h)
        for a in signals.footer_anchors
        if a.xpath(".//*[self::img or self::svg]")
        and (h := _outbound(_href_of(a, base), base_site))
        and registrable_domain(h) not in PLATFORM_DOMAINS  # the event's own social icons are no sponsor strip
    }
    if len(footer_hosts) >= 3:
        # A run of outbound logo links in the footer is a sponsor strip even without a heading.
        anchors += [(a, _State("sponsor", FOOTER_STRIP_TIER, False)) for a in signals.footer_anchors]

    # Keyed by the element objects themselves: lxml reuses the id() of proxies it has freed.
    counts: dict[etree._Element, int] = {}
    for anchor, _ in anchors:
        for anc in anchor.iterancestors():
            counts[anc] = counts.get(anc, 0) + 1
    seen_units: set[etree._Element] = set()
    structure = signals.structure or _structure(root)
    for anchor, state in anchors:
        unit = _unit_root(anchor, counts, structure)
        if unit in seen_units:
            continue
        seen_units.add(unit)
        b = _build_unit(unit, state, base, base_site)
        if b is not None:
            builders.append(b)
    for el, state in signals.texts:
        if el in seen_units or el in counts or any(a in seen_units for a in el.iterancestors()):
            continue  # part of a logo unit, or holds one
        builders.extend(_text_items(el, state))

    for match in _presented_by(body):
        name = match.group(1).strip(" .")
        if _is_name_like(name):
            builders.append(
                _Builder(
                    name=name, evidence=[Evidence("text", match.group(0)[:200])], in_context=True, tier="presented by"
                )
            )
    host = host_of(page.url) if page.url.startswith(("http://", "https://")) else None
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
    own = _own_names(root)
    for b in builders:
        if b.role is Role.SPONSOR and b.tier != "JSON-LD sponsor" and _is_own_name(b.name, own):
            # The event's own logo shown among its sponsors: it is the event, not a sponsor.
            b.role, b.tier = Role.IDENTITY, "the event's own logo"
    candidates = _merge(builders, page.url)
    truncated = len(candidates) > MAX_CANDIDATES
    candidates = candidates[:MAX_CANDIDATES]
    in_context = any(c.in_sponsor_context and c.role is Role.SPONSOR for c in candidates)
    sponsor_context = signals.sponsor_scopes > 0 or in_context
    hints: list[str] = []
    if truncated:
        hints.append(f"the page names more than {MAX_CANDIDATES:,} possible sponsors; only the first were checked")
    if not in_context:
        visible = len(_clean(body_text)) if len(body_text) < 4000 else 4000
        if visible < 400 and parsed.script_count and parsed.script_chars > visible:
            hints.append(JS_HINT)
        hints.append(NO_SECTION_HINT if not sponsor_context else "a sponsor section was found but lists no sponsors")
    return Extraction(
        candidates,
        sponsor_context,
        (page.url,),
        tuple(hints),
        _sponsor_links(signals.links, base, base_site),
        truncated=truncated,
    )


def _presented_by(body: _BodyText) -> Iterator[re.Match[str]]:
    """'Presented by X' inside one element's text ("<p>…, presented by <b>Acme</b>, …</p>"); never across
    elements, where a label and the next link's text would run together."""
    for text in body.nodes(PRESENTED_BY_PHRASES):
        el = text.getparent()
        if el is None:
            continue
        owner = el if text.is_text else el.getparent()
        if owner is None or owner.tag in HEADING_RANK:
            continue
        block = _clean(_text_of(owner))
        if len(block) > 600:
            continue
        yield from PRESENTED_BY_RE.finditer(block)


def _own_names(root: etree._Element) -> tuple[str, ...]:
    """The site's own name(s): the parts of <title> and og:site_name, compacted, without digits (years)."""
    head = root.find("head")
    if head is None:
        return ()
    parts = [head.findtext("title") or ""]
    parts += [m.get("content", "") for m in head.iter("meta") if m.get("property") == "og:site_name"]
    segments = (seg for part in parts for seg in TITLE_SEPARATORS_RE.split(part))
    return tuple(c for c in (re.sub(r"\d", "", _compact(seg)) for seg in segments) if c)


def _is_own_name(name: str, own: tuple[str, ...]) -> bool:
    """The name is most of a title segment ("Hackfest" in "Hackfest 2026"), not a word in it ("Google" in
    "Sponsors | Google Developer Group Berlin" stays a sponsor)."""
    compact = re.sub(r"\d", "", _compact(name))
    return len(compact) >= 4 and any(compact in seg and len(compact) >= 0.6 * len(seg) for seg in own)


def _merge(builders: list[_Builder], page_url: str) -> tuple[Candidate, ...]:
    """Merge builders that denote the same organisation (same link host or same name): a logo counts once."""
    merged: list[_Builder] = []
    index: dict[str, _Builder] = {}
    for b in builders:
        keys = [f"host:{d.removeprefix('www.')}" for d in b.domains[:1]]
        name_key = _compact(b.name)
        if name_key:
            keys.append(f"name:{name_key}")
        if not keys:
            continue
        target = next((index[k] for k in keys if k in index), None)
        if target is None:
            merged.append(b)
            target = b
        elif target is not b:
            target.evidence.extend(e for e in b.evidence if e not in target.evidence)
            target.domains.extend(d for d in b.domains if d not in target.domains)
            if b.in_context and not target.in_context:
                target.in_context, target.tier = True, b.tier
            # A name seen once as a sponsor stays a sponsor; the past flag holds only if every sighting is past.
            if target.role is Role.MENTION and b.role is Role.SPONSOR:
                target.role, target.note = Role.SPONSOR, None
            target.past = target.past and b.past
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
        )
        for b in merged
    )
