"""The page generator: a deterministic synthetic tour of festival sites (pages on disk, a tour CSV).

Row shapes (``plan_tour``): most rows are a festival *home page* whose sponsors are one link away (a
"Sponsors" link in the navigation to a sponsors page on the same site); some are two links away
(home → "Partners" page → "Sponsors 2026" page); the rest are today's single event pages that carry
their own sponsor logo grid (or none). Every page a row leads to is known here, so the floor can
fetch exactly the pages batch has to read.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import random
import re
import string
from dataclasses import dataclass
from html import escape
from pathlib import Path

# Loopback addresses 127.0.0.2 ... 127.0.0.254 are available; 127.0.0.1 is left alone.
FIRST_HOST_OCTET = 2
MAX_HOSTS = 254 - FIRST_HOST_OCTET + 1
STATS_HOST = f"127.0.0.{FIRST_HOST_OCTET}"

# Page sizes: log-normal with these parameters has a mean of about 150 KB once clipped.
KB = 1024
MIN_PAGE_BYTES = 30 * KB
MAX_PAGE_BYTES = 600 * KB
PAGE_SIZE_MU = 11.65
PAGE_SIZE_SIGMA = 0.72
MICRO_PAGE_BYTES = 300 * KB

AMAZON_SHARE = 0.10  # pages carrying an Amazon-family logo
NO_SPONSORS_SHARE = 0.15  # of the remaining pages: no sponsor section at all
# /events/K.html is row K's page; /events/K/NAME.html the pages it links to.
PAGE_PATH_RE = re.compile(r"/events/(\d{1,7})(?:/([a-z0-9-]{1,40}))?\.html")

# Row shapes. A real tour lists festival home pages, and a home page usually links to its sponsors.
EVENT = "event"  # today's shape: one event page carrying its own sponsor grid (or none)
HOME = "home"  # a home page whose "Sponsors" link leads to the sponsors page
HOME2 = "home2"  # a home page → a "Partners" page → the "Sponsors 2026" page
HOME_SHARE = 0.55
HOME2_SHARE = 0.10
# Linked pages are smaller than home pages: chrome, a heading, the logo grid (mean about 50 KB).
LINKED_SIZE_MU = 10.7
LINKED_SIZE_SIGMA = 0.45
MIN_LINKED_BYTES = 20 * KB
MAX_LINKED_BYTES = 160 * KB

# Amazon-family sponsors: (display name, link, logo file stem). Every page carrying one of
# these must come out as a conflict.
AMAZON_SPONSORS: tuple[tuple[str, str, str], ...] = (
    ("Amazon", "https://www.amazon.com/", "amazon"),
    ("Amazon Music", "https://music.amazon.com/", "amazon-music"),
    ("AWS", "https://aws.amazon.com/", "aws"),
    ("Amazon Web Services", "https://aws.amazon.com/", "aws"),
    ("Twitch", "https://www.twitch.tv/", "twitch"),
)

# Invented brands for clean sponsors. Chosen so no word is an alias of a watchlist entity
# (no "prime", "ring", "fire", "echo", "ice", ...), so every clean page stays clean.
BRAND_STEMS = (
    "Vellora",
    "Quillfern",
    "Bramblecrest",
    "Tidewick",
    "Marlowen",
    "Saffrane",
    "Cobbleworth",
    "Fennick",
    "Halvarra",
    "Lunetto",
    "Brisko",
    "Kalvendt",
    "Pellucid",
    "Stonebarrow",
    "Wrenfield",
    "Oakhollow",
    "Dapplegate",
    "Silvaro",
    "Tessaline",
    "Corvanne",
    "Glimmerholt",
    "Yarrowby",
    "Zephyrine",
    "Hollinsworth",
    "Quenby",
    "Ravelstone",
    "Sundrift",
    "Thistlewood",
    "Merrowgate",
    "Blauwkamp",
    "Østerlund",
    "Caldéra",
    "Nordvik",
    "Peregrin",
    "Lindqvale",
)
BRAND_KINDS = (
    "Cider",
    "Brewing",
    "Coffee Roasters",
    "Outdoor",
    "Audio",
    "Bank",
    "Mobile",
    "Energy",
    "Bikes",
    "Rail",
    "Insurance",
    "Mineral Water",
    "Headphones",
    "Radio",
    "Bakery",
    "Spirits",
    "Kombucha",
    "Hotels",
    "Credit Union",
    "Records",
    "Guitars",
    "Lemonade",
    "Apparel",
)
LEGAL_FORMS = ("", "", "", "", " GmbH", " Ltd", " AG", " B.V.", " & Co.", " Inc.")
SPONSOR_TIERS = (
    ("presenting", "Presented by"),
    ("main", "Main partners"),
    ("partners", "Partners"),
    ("supporters", "Supported by"),
    ("media", "Media partners"),
    ("food", "Food & drink partners"),
)
SPONSOR_HEADINGS = ("Sponsors", "Sponsors", "Sponsors", "Sponsors & Partners", "Partners")

CITIES: tuple[tuple[str, str], ...] = (
    ("Berlin", "DE"),
    ("München", "DE"),
    ("Hamburg", "DE"),
    ("Köln", "DE"),
    ("Leipzig", "DE"),
    ("Wien", "AT"),
    ("Graz", "AT"),
    ("Zürich", "CH"),
    ("Basel", "CH"),
    ("Amsterdam", "NL"),
    ("Utrecht", "NL"),
    ("Rotterdam", "NL"),
    ("Antwerpen", "BE"),
    ("Gent", "BE"),
    ("Paris", "FR"),
    ("Lyon", "FR"),
    ("Nantes", "FR"),
    ("Barcelona", "ES"),
    ("Madrid", "ES"),
    ("València", "ES"),
    ("Lisboa", "PT"),
    ("Porto", "PT"),
    ("Milano", "IT"),
    ("Bologna", "IT"),
    ("København", "DK"),
    ("Aarhus", "DK"),
    ("Malmö", "SE"),
    ("Stockholm", "SE"),
    ("Oslo", "NO"),
    ("Helsinki", "FI"),
    ("Kraków", "PL"),
    ("Warszawa", "PL"),
    ("Praha", "CZ"),
    ("Budapest", "HU"),
    ("Ljubljana", "SI"),
    ("Dublin", "IE"),
    ("Glasgow", "GB"),
    ("Manchester", "GB"),
    ("Bristol", "GB"),
    ("London", "GB"),
    ("Reykjavík", "IS"),
)
FESTIVAL_WORDS = (
    "Saltmarsh",
    "Harbourlight",
    "Meadowlark",
    "Stonebridge",
    "Riverbend",
    "Nightjar",
    "Lakeside",
    "Highfield",
    "Wildflower",
    "Foxglove",
    "Moorland",
    "Sunset",
    "Dockside",
    "Greenhill",
    "Starling",
    "Kestrel",
    "Blue Lagoon",
    "Cloudberry",
    "Northern Lights",
)
FESTIVAL_KINDS = ("Festival", "Open Air", "Weekender", "Fest", "Sessions", "Days")
VENUE_WORDS = (
    "Old",
    "Grand",
    "Royal",
    "Lantern",
    "Harbour",
    "Mill",
    "Foundry",
    "Garden",
    "Union",
    "Canal",
    "Brick",
    "Station",
)
VENUE_KINDS = (
    "Hall",
    "Arena",
    "Park",
    "Works",
    "Theatre",
    "Ballroom",
    "Warehouse",
    "Club",
    "Pavilion",
    "Yard",
    "Meadow",
)
FIRST_NAMES = (
    "Mira",
    "Jonas",
    "Zoë",
    "Élodie",
    "Kasimir",
    "Ines",
    "Tove",
    "Ravi",
    "Lena",
    "Oskar",
    "Amara",
    "Nils",
    "Sunniva",
    "Matteo",
    "Ayla",
    "Björn",
    "Chiara",
    "Dario",
    "Freya",
    "Hugo",
    "Noor",
    "Teodor",
    "Yara",
    "Luca",
)
LAST_NAMES = (
    "Solen",
    "Árnadóttir",
    "Marchand",
    "Lindqvist",
    "Okafor",
    "Brandt",
    "Castellano",
    "Nyberg",
    "Wójcik",
    "Devereux",
    "Halloran",
    "Kovač",
    "Moreau",
    "Strand",
    "Vidal",
)
BAND_ADJ = (
    "Velvet",
    "Northern",
    "Paper",
    "Hollow",
    "Golden",
    "Quiet",
    "Electric",
    "Glass",
    "Wild",
    "Static",
    "Midnight",
    "Copper",
    "Lunar",
    "Restless",
    "Silver",
    "Crooked",
)
BAND_NOUN = (
    "Owls",
    "Harbours",
    "Lanterns",
    "Tides",
    "Foxes",
    "Satellites",
    "Orchards",
    "Ghosts",
    "Rivers",
    "Magpies",
    "Canyons",
    "Engines",
    "Pilots",
    "Choir",
    "Moths",
)
GENRES = (
    "indie rock",
    "techno",
    "jazz",
    "folk",
    "hip-hop",
    "ambient",
    "post-punk",
    "afrobeat",
    "electronic",
    "singer-songwriter",
    "dream pop",
    "drum & bass",
    "soul",
)
STAGES = ("Main Stage", "Forest Stage", "The Tent", "Harbour Stage", "Late Night Club", "Garden Stage", "Warehouse")
NAV_ITEMS = (
    "Line-up",
    "Timetable",
    "Tickets",
    "Travel",
    "Camping",
    "FAQ",
    "Accessibility",
    "Sustainability",
    "Press",
    "Jobs",
    "Shop",
    "Contact",
    "Volunteers",
    "News",
)
SOCIAL = (
    ("Instagram", "https://www.instagram.com/"),
    ("Facebook", "https://www.facebook.com/"),
    ("YouTube", "https://www.youtube.com/"),
    ("TikTok", "https://www.tiktok.com/"),
    ("Mastodon", "https://mastodon.social/"),
    ("Spotify", "https://open.spotify.com/"),
)
FAQ_QUESTIONS = (
    "When do the gates open?",
    "Can I bring my own food and drinks?",
    "Is there camping?",
    "Are children allowed?",
    "How do I get there by public transport?",
    "Is the site accessible?",
    "Can I resell my ticket?",
    "Is the festival cash free?",
    "What happens if it rains?",
    "Are dogs allowed?",
    "Where can I charge my phone?",
    "Is there a cloakroom?",
)
# Filler vocabulary: everyday festival words only, again avoiding any watchlist alias.
_WORDS_TEXT = """gates open early this year with three stages a new food market local crafts and family
area tickets include camping showers free water refill points shuttle buses from the central
station our team works with neighbours to keep noise low after midnight and every set starts on
time the programme mixes emerging artists headliners workshops talks late night dance floor
forest stage bring reusable cups leave no trace recycling stations accessible viewing platforms
quiet room first aid weekend pass day ticket sold out waiting list resale official merchandise
lockers cash free payment cards phones wristband exchange box office opening hours lost found
volunteers crew stewards sound check line up announcement coming soon stay tuned sign up
newsletter follow updates weather rain sunshine boots sunscreen hats blankets chairs picnic
kids under twelve enter free with adult"""
WORDS = tuple(_WORDS_TEXT.split())
CSS_CLASSES = (
    "site-header",
    "nav__item",
    "lineup-grid",
    "artist-card",
    "btn",
    "btn--primary",
    "hero",
    "hero__title",
    "timetable",
    "slot",
    "stage-filter",
    "ticket-tier",
    "faq__item",
    "footer",
    "newsletter",
    "cookie-banner",
    "logo-grid",
    "tier",
    "container",
    "row",
    "col-md-4",
    "visually-hidden",
    "icon",
    "card__meta",
)
CSS_PROPS = (
    "display:flex",
    "display:grid",
    "display:none",
    "margin:{n}px {m}px",
    "padding:{n}px {m}px",
    "color:#{hex}",
    "background:#{hex}",
    "font-size:{r}rem",
    "line-height:{r}",
    "gap:{n}px",
    "border-radius:{n}px",
    "opacity:.{d}",
    "transition:all .{d}s ease-in-out",
    "transform:translateY(-{n}px)",
    "box-shadow:0 {n}px {m}px rgba(0,0,0,.{d})",
    "grid-template-columns:repeat({d},1fr)",
    "max-width:{w}px",
    "font-weight:{f}00",
    "letter-spacing:.0{d}em",
    "text-transform:uppercase",
    "position:relative",
    "z-index:{n}",
)

_JS_TEMPLATES = (
    string.Template(
        "(function(){var $a=document.querySelectorAll('.$cls');for(var $b=0;$b<$a.length;$b++)"
        "{$a[$b].addEventListener('click',function($c){window.dataLayer=window.dataLayer||[];"
        "window.dataLayer.push({event:'$ev',index:$b,target:$c.currentTarget.dataset.id||null})"
        "})}})();"
    ),
    string.Template(
        '$n1:function(e,t,n){"use strict";n.r(t);n.d(t,{default:function(){return $a}});'
        "var r=n($n2),o=n.n(r);function $a(e){var $b=e.$c||[];return o()($b).filter(function($d)"
        "{return $d.visible!==!1}).map(function($d){return{id:$d.id,label:$d.$c||'$word',"
        "slot:$d.slot,stage:$d.stage}})}},"
    ),
    string.Template("window.__I18N__=window.__I18N__||{};window.__I18N__['$lang']={$pairs};"),
    string.Template('var $a="data:font/woff2;base64,$blob";'),
    string.Template(
        "window.__APP_CONFIG__=Object.assign(window.__APP_CONFIG__||{},{$a:{endpoint:"
        "'/api/v$n1/$b',retry:$d,timeout:$n2,features:['$word','$cls'],locale:'$lang'}});"
    ),
    string.Template(
        "function $a($b,$c){if(!$b)return $c;var $d=Object.keys($b);for(var i=0;i<$d.length;i++)"
        "{var k=$d[i];if(typeof $b[k]==='object'&&$b[k]!==null){$c[k]=$a($b[k],$c[k]||{})}"
        "else{$c[k]=$b[k]}}return $c}"
    ),
)


@dataclass(frozen=True)
class TourRow:
    """One tour date: which page (k) lives on which loopback host, and its CSV columns."""

    k: int
    host: int
    date: str
    city: str
    country: str
    venue: str
    festival: str
    shape: str = EVENT  # EVENT, HOME (sponsors one link away) or HOME2 (two links away)


@dataclass(frozen=True)
class PageInfo:
    """What was generated for one page: its size and the sponsor facts the verdict depends on."""

    k: int
    size: int
    amazon: str | None
    has_sponsors: bool
    linked: tuple[str, ...] = ()  # paths of the further pages the row leads to, in link order


@dataclass(frozen=True)
class Pools:
    """Pre-generated snippets that page filler is drawn from (keeps generation fast)."""

    sentences: tuple[str, ...]
    css: tuple[str, ...]
    js: tuple[str, ...]
    svg: tuple[str, ...]
    cards: tuple[str, ...]
    links: tuple[str, ...]
    brands: tuple[str, ...]


# ----------------------------------------------------------------------------- generation


def _ident(rng: random.Random) -> str:
    """Return a short minified-looking JavaScript identifier."""
    return rng.choice(string.ascii_letters) + "".join(
        rng.choices(string.ascii_letters + string.digits, k=rng.randint(0, 5))
    )


def _sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    """Return one filler sentence from the festival vocabulary."""
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _css_rule(rng: random.Random) -> str:
    """Return one CSS rule, sometimes wrapped in a media query."""
    selector = (
        "."
        + rng.choice(CSS_CLASSES)
        + rng.choice(
            (
                "",
                " ." + rng.choice(CSS_CLASSES),
                ":hover",
                " > a",
                "__" + _ident(rng).lower(),
                ":not(:last-child)",
                "::before",
            )
        )
    )
    values = {
        "n": rng.randint(0, 64),
        "m": rng.randint(0, 64),
        "hex": f"{rng.randrange(16**6):06x}",
        "r": round(rng.uniform(0.7, 3.2), 3),
        "d": rng.randint(1, 9),
        "w": rng.choice((480, 720, 960, 1140, 1320)),
        "f": rng.randint(3, 8),
    }
    props = ";".join(p.format(**values) for p in rng.sample(CSS_PROPS, k=rng.randint(2, 8)))
    rule = f"{selector}{{{props}}}"
    if rng.random() < 0.15:
        rule = f"@media (min-width:{rng.choice((576, 768, 992, 1200))}px){{{rule}}}"
    return rule


def _js_snippet(rng: random.Random) -> str:
    """Return one chunk of minified-looking JavaScript (handlers, modules, i18n, font blobs)."""
    template = rng.choice(_JS_TEMPLATES)
    pairs = ",".join(f"'{_ident(rng)}':'{_sentence(rng, 2, 7)}'" for _ in range(rng.randint(5, 20)))
    blob = base64.b64encode(rng.randbytes(rng.randint(200, 2500))).decode("ascii")
    return template.substitute(
        a=_ident(rng),
        b=_ident(rng),
        c=_ident(rng),
        d=_ident(rng),
        cls=rng.choice(CSS_CLASSES),
        ev=rng.choice(("lineup_click", "ticket_cta", "stage_filter", "newsletter_submit")),
        n1=rng.randint(100, 99999),
        n2=rng.randint(100, 99999),
        word=rng.choice(WORDS),
        lang=rng.choice(("de", "fr", "nl", "es", "it", "da", "sv", "pl")),
        pairs=pairs,
        blob=blob,
    )


def _svg_symbol(rng: random.Random) -> str:
    """Return one icon symbol with a long path, as in inline SVG sprites."""
    parts = [f"M{rng.uniform(0, 24):.3f} {rng.uniform(0, 24):.3f}"]
    for _ in range(rng.randint(20, 160)):
        cmd = rng.choice("LCQSTlcqst")
        coords = " ".join(f"{rng.uniform(-24, 24):.3f}" for _ in range(rng.choice((2, 4, 6))))
        parts.append(cmd + coords)
    return f'<symbol id="icon-{_ident(rng).lower()}" viewBox="0 0 24 24"><path d="{"".join(parts)}z"/></symbol>'


def _news_card(rng: random.Random) -> str:
    """Return one news teaser card: deeply nested markup, as CMS templates produce."""
    title = _sentence(rng, 4, 10)
    slug = _slug(title)[:60]
    day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(500))
    return (
        f'<article class="card card--news"><a class="card__link" href="/news/{slug}">'
        f'<div class="card__media"><picture><source type="image/webp" srcset="/img/news/{slug}-400.webp 400w, '
        f'/img/news/{slug}-800.webp 800w"><img src="/img/news/{slug}-400.jpg" alt="" loading="lazy" '
        f'width="400" height="225"></picture></div><div class="card__body"><span class="card__meta">'
        f'<time datetime="{day.isoformat()}">{day:%d %b %Y}</time> · <span class="tag">News</span></span>'
        f'<h3 class="card__title">{escape(title)}</h3><p class="card__excerpt">{escape(_sentence(rng))}</p>'
        '<span class="btn btn--link">Read more<svg class="icon" aria-hidden="true">'
        '<use href="#icon-arrow"></use></svg></span></div></a></article>'
    )


def _link_item(rng: random.Random) -> str:
    """Return one list item of a mega menu or footer sitemap."""
    words = rng.choices(WORDS, k=rng.randint(1, 4))
    return (
        f'<li class="menu__item"><a class="menu__link" href="/{"/".join(_slug(w) for w in words)}">'
        f"{escape(' '.join(words).capitalize())}</a></li>"
    )


def build_pools(seed: int) -> Pools:
    """Build the deterministic snippet pools every page draws its filler from."""
    rng = random.Random(f"{seed}:pools")
    brands = sorted({f"{s} {kind}" for s in BRAND_STEMS for kind in BRAND_KINDS})
    return Pools(
        sentences=tuple(_sentence(rng) for _ in range(3000)),
        css=tuple(_css_rule(rng) for _ in range(800)),
        js=tuple(_js_snippet(rng) for _ in range(800)),
        svg=tuple(_svg_symbol(rng) for _ in range(120)),
        cards=tuple(_news_card(rng) for _ in range(600)),
        links=tuple(_link_item(rng) for _ in range(800)),
        brands=tuple(brands),
    )


def _fill(rng: random.Random, pool: tuple[str, ...], nbytes: int) -> str:
    """Return pool snippets joined until they reach about nbytes (pools are ASCII)."""
    out: list[str] = []
    size = 0
    while size < nbytes:
        snippet = rng.choice(pool)
        out.append(snippet)
        size += len(snippet) + 1
    return "\n".join(out)


def _slug(text: str) -> str:
    """Return a lowercase URL slug (ASCII letters and digits, hyphen-separated)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _artist(rng: random.Random) -> str:
    """Return an invented artist or band name."""
    if rng.random() < 0.5:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return (
        f"The {rng.choice(BAND_ADJ)} {rng.choice(BAND_NOUN)}"
        if rng.random() < 0.5
        else f"{rng.choice(BAND_ADJ)} {rng.choice(BAND_NOUN)}"
    )


def _logo(name: str, href: str, stem: str, rng: random.Random) -> str:
    """Return one sponsor logo item in the usual logo-grid markup."""
    alt = rng.choice((name, f"{name} logo", f"Logo {name}"))
    return (
        f'<li class="logo-grid__item"><a href="{href}" target="_blank" rel="noopener sponsored">'
        f'<img src="img/sponsors/{stem}-logo@2x.png" srcset="img/sponsors/{stem}-logo.png 1x, '
        f'img/sponsors/{stem}-logo@2x.png 2x" alt="{escape(alt)}" width="240" height="120" '
        f'loading="lazy"></a></li>'
    )


def _sponsor_section(rng: random.Random, pools: Pools, amazon: tuple[str, str, str] | None) -> str:
    """Return a tiered sponsor logo grid, with the Amazon-family logo placed if given."""
    tier_count = rng.randint(1, 4)
    tiers = sorted(rng.sample(range(len(SPONSOR_TIERS)), k=tier_count))
    blocks: list[list[str]] = []
    for index in tiers:
        size = rng.randint(1, 2) if SPONSOR_TIERS[index][0] == "presenting" else rng.randint(2, 9)
        items = []
        for _ in range(size):
            brand = rng.choice(pools.brands)
            name = brand + rng.choice(LEGAL_FORMS)
            items.append(_logo(name, f"https://{_slug(brand)}.example/", _slug(brand), rng))
        blocks.append(items)
    if amazon is not None:
        target = rng.randrange(len(blocks))
        blocks[target].insert(rng.randint(0, len(blocks[target])), _logo(*amazon, rng))
    html_tiers = []
    for index, items in zip(tiers, blocks, strict=True):
        key, label = SPONSOR_TIERS[index]
        html_tiers.append(
            f'<div class="tier tier--{key}"><h3>{escape(label)}</h3>'
            f'<ul class="logo-grid">\n' + "\n".join(items) + "\n</ul></div>"
        )
    heading = rng.choice(SPONSOR_HEADINGS)
    return (
        f'<section id="sponsors" class="sponsors"><div class="container">'
        f"<h2>{escape(heading)}</h2>\n"
        + "\n".join(html_tiers)
        + f'\n<p class="sponsors__cta">{escape(rng.choice(pools.sentences))} '
        f'<a href="/partners/become-a-partner">Become a partner</a></p></div></section>'
    )


def plan_tour(rows: int, hosts: int, seed: int, linked: bool = True) -> list[TourRow]:
    """Return the tour: rows spread evenly over hosts, hosts interleaved, dates ascending.

    With `linked`, most rows are home pages whose sponsors are one or two links away; without, every
    row is today's single event page (the same tour as before the shapes were added, for comparison).
    """
    rng = random.Random(f"{seed}:tour")
    shapes = random.Random(f"{seed}:shapes")
    sites = []
    for _ in range(hosts):
        city, country = rng.choice(CITIES)
        festival = f"{rng.choice(FESTIVAL_WORDS)} {rng.choice(FESTIVAL_KINDS)}"
        venue = f"{rng.choice(VENUE_WORDS)} {rng.choice(VENUE_KINDS)}"
        sites.append((festival, city, country, venue))
    host_of = [i % hosts for i in range(rows)]
    rng.shuffle(host_of)
    day = dt.date(2026, 4, 3)
    plan = []
    for k, host in enumerate(host_of):
        day += dt.timedelta(days=rng.choice((0, 1, 1, 1, 2, 3)))
        festival, city, country, venue = sites[host]
        draw = shapes.random() if linked else 1.0
        shape = HOME if draw < HOME_SHARE else HOME2 if draw < HOME_SHARE + HOME2_SHARE else EVENT
        plan.append(TourRow(k, host, day.isoformat(), city, country, venue, festival, shape))
    return plan


def generate_page(
    row: TourRow, pools: Pools, seed: int, size: int | None = None, amazon: bool | None = None
) -> tuple[bytes, PageInfo]:
    """Return one deterministic event page for a tour row (size and sponsors drawn unless given)."""
    rng = random.Random(f"{seed}:page:{row.k}")
    # The filler overshoots by up to one snippet, hence the small margin below the maximum.
    target = (
        size
        if size is not None
        else int(min(MAX_PAGE_BYTES - 4 * KB, max(MIN_PAGE_BYTES, rng.lognormvariate(PAGE_SIZE_MU, PAGE_SIZE_SIGMA))))
    )
    with_amazon = amazon if amazon is not None else rng.random() < AMAZON_SHARE
    has_sponsors = with_amazon or rng.random() >= NO_SPONSORS_SHARE or row.shape != EVENT
    linked = linked_paths(row)
    # A home page carries no sponsor grid: its navigation links to the page that does.
    on_page = has_sponsors and row.shape == EVENT
    amazon_sponsor = rng.choice(AMAZON_SPONSORS) if with_amazon else None

    festival, city, venue = escape(row.festival), escape(row.city), escape(row.venue)
    year = row.date[:4]
    artists = [_artist(rng) for _ in range(min(150, rng.randint(12, 30 + target // 6000)))]

    nav = "".join(
        f'<li class="nav__item"><a href="/{_slug(item)}">{escape(item)}</a></li>'
        for item in rng.sample(NAV_ITEMS, k=rng.randint(6, len(NAV_ITEMS)))
    )
    if linked:
        label = "Sponsors" if row.shape == HOME else "Partners"
        nav += f'<li class="nav__item"><a href="{linked[0]}">{label}</a></li>'

    header = (
        f'<header class="site-header"><div class="container"><a class="logo" href="/">'
        f'<img src="/img/logo.svg" alt="{festival}" width="180" height="48"></a>'
        f'<nav aria-label="Main"><ul class="nav">{nav}</ul></nav>'
        '<ul class="lang"><li><a href="/en/" aria-current="true">EN</a></li>'
        '<li><a href="/de/">DE</a></li><li><a href="/fr/">FR</a></li></ul>'
        '<a class="btn btn--primary" href="/tickets">Tickets</a></div></header>'
    )
    hero = (
        f'<section class="hero"><div class="container"><h1 class="hero__title">{festival} {year}</h1>'
        f'<p class="hero__when"><time datetime="{row.date}">{row.date}</time> · {venue}, {city}</p>'
        f'<p class="hero__lead">{escape(rng.choice(pools.sentences))}</p>'
        '<a class="btn btn--primary" href="/tickets">Buy tickets</a></div></section>'
    )
    lineup_items = "\n".join(
        f'<li class="artist-card" data-id="{rng.randint(1000, 99999)}"><a href="/artists/{_slug(a)}">'
        f'<img src="/img/artists/{_slug(a)}-400.webp" alt="" loading="lazy" width="400" height="400">'
        f'<span class="artist-card__name">{escape(a)}</span></a>'
        f'<span class="card__meta">{escape(rng.choice(GENRES))}</span></li>'
        for a in artists
    )
    lineup = f'<section id="lineup"><h2>Line-up</h2><ul class="lineup-grid">\n{lineup_items}\n</ul></section>'
    stages = rng.sample(STAGES, k=rng.randint(2, 5))
    slots = []
    for i, artist in enumerate(artists):
        hour, minute = 12 + (i * 7 // len(stages)) % 12, rng.choice(("00", "15", "30", "45"))
        slots.append(
            f'<tr class="slot"><td><time datetime="{row.date}T{hour:02d}:{minute}">'
            f"{hour:02d}:{minute}</time></td><td>{escape(rng.choice(stages))}</td>"
            f'<td><a href="/artists/{_slug(artist)}">{escape(artist)}</a></td></tr>'
        )
    timetable = (
        '<section id="timetable"><h2>Timetable</h2><table class="timetable"><thead><tr>'
        "<th>Time</th><th>Stage</th><th>Artist</th></tr></thead><tbody>\n"
        + "\n".join(slots)
        + "\n</tbody></table></section>"
    )
    tiers = "".join(
        f'<li class="ticket-tier"><h3>{name}</h3><p class="price">€ {price},00</p>'
        f"<p>{escape(rng.choice(pools.sentences))}</p></li>"
        for name, price in (
            ("Day ticket", rng.randint(39, 79)),
            ("Weekend pass", rng.randint(89, 189)),
            ("Camping add-on", rng.randint(20, 45)),
        )
    )
    tickets = f'<section id="tickets"><h2>Tickets</h2><ul class="tickets">{tiers}</ul></section>'
    paragraphs = "\n".join(
        "<p>" + escape(" ".join(rng.choices(pools.sentences, k=rng.randint(3, 8)))) + "</p>"
        for _ in range(rng.randint(2, 4 + target // 40000))
    )
    about = f'<section id="about"><h2>About {festival}</h2>\n{paragraphs}\n</section>'
    faq_items = "\n".join(
        f'<details class="faq__item"><summary>{escape(q)}</summary><p>'
        + escape(" ".join(rng.choices(pools.sentences, k=rng.randint(1, 4))))
        + "</p></details>"
        for q in rng.sample(FAQ_QUESTIONS, k=rng.randint(4, len(FAQ_QUESTIONS)))
    )
    faq = f'<section id="faq"><h2>FAQ</h2>\n{faq_items}\n</section>'
    news_open = '<section id="news" class="news"><h2>Latest news</h2><div class="news__grid">\n'
    news_close = "\n</div></section>"
    sections = [hero, lineup, timetable, tickets, about, faq, news_open + "\x00NEWS\x00" + news_close]
    if on_page:
        # Usually right before the footer, sometimes higher up the page.
        position = len(sections) if rng.random() < 0.7 else rng.randint(2, len(sections))
        sections.insert(position, _sponsor_section(rng, pools, amazon_sponsor))
    socials = "".join(
        f'<li><a href="{url}{_slug(row.festival)}" aria-label="{name}">'
        f'<svg class="icon"><use href="#icon-{name.lower()}"></use></svg></a></li>'
        for name, url in rng.sample(SOCIAL, k=rng.randint(2, len(SOCIAL)))
    )
    footer = (
        f'<footer class="footer"><div class="container"><div class="row">'
        f'<div class="col-md-4"><h4>{festival}</h4><address>{venue}<br>{city}, {row.country}'
        f'</address></div><div class="col-md-4"><h4>Newsletter</h4>'
        '<form class="newsletter" action="/newsletter" method="post">'
        '<label for="nl-email" class="visually-hidden">E-mail</label>'
        '<input id="nl-email" type="email" name="email" placeholder="you@example.org">'
        '<button class="btn">Sign up</button></form></div><div class="col-md-4">'
        f'<ul class="social">{socials}</ul></div></div>'
        '<ul class="footer__links"><li><a href="/privacy">Privacy</a></li>'
        '<li><a href="/imprint">Imprint</a></li><li><a href="/terms">Terms</a></li></ul>'
        '<nav class="footer__sitemap" aria-label="Sitemap"><ul class="menu">\n\x00SITEMAP\x00\n'
        "</ul></nav>"
        f'<p class="copyright">© {year} {festival}. All rights reserved.</p></div></footer>'
    )
    cookie = (
        '<div id="cookie-banner" class="cookie-banner" role="dialog" aria-live="polite">'
        f'<p>{escape(rng.choice(pools.sentences))}</p><button class="btn">Accept</button>'
        '<button class="btn">Settings</button></div>'
    )
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "MusicEvent",
            "name": f"{row.festival} {year}",
            "startDate": row.date,
            "location": {
                "@type": "Place",
                "name": row.venue,
                "address": {"@type": "PostalAddress", "addressLocality": row.city, "addressCountry": row.country},
            },
            "performer": [{"@type": "MusicGroup", "name": a} for a in artists[:25]],
            "offers": {"@type": "Offer", "priceCurrency": "EUR", "url": "/tickets"},
        },
        ensure_ascii=False,
    )

    head_open = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{festival} {year} · {city} · {row.date}</title>\n"
        f'<meta name="description" content="{escape(rng.choice(pools.sentences))}">\n'
        f'<meta property="og:title" content="{festival} {year}">\n'
        f'<link rel="stylesheet" href="/assets/css/main.{rng.randrange(16**8):08x}.css">\n'
        "<style>\n"
    )
    head_mid = "\n</style>\n<script>\n"
    head_close = (
        f'\n</script>\n<script type="application/ld+json">{ld}</script>\n</head>\n'
        '<body class="page-event">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" style="display:none">\n'
    )
    body = (
        "\n</svg>\n"
        + cookie
        + "\n"
        + header
        + '\n<main id="content">\n'
        + "\n".join(sections)
        + "\n</main>\n"
        + footer
        + "\n<script>\n"
    )
    tail = (
        f'\n</script>\n<script src="/assets/js/app.{rng.randrange(16**8):08x}.js" defer></script>\n</body>\n</html>\n'
    )
    fixed = sum(len(part.encode("utf-8")) for part in (head_open, head_mid, head_close, body, tail))
    pad = max(0, target - fixed)
    # Real pages of this size are roughly 40 % markup (CMS cards, menus) and 60 % inline
    # CSS/JS/SVG; parse and extraction cost follow the element count, so both are padded.
    markup_bytes = int(pad * rng.uniform(0.30, 0.50))
    news_bytes = int(markup_bytes * rng.uniform(0.55, 0.85))
    css_bytes = int(pad * rng.uniform(0.10, 0.20))
    head_js_bytes = int(pad * rng.uniform(0.08, 0.15))
    svg_bytes = int(pad * rng.uniform(0.03, 0.08))
    body_js_bytes = max(0, pad - markup_bytes - css_bytes - head_js_bytes - svg_bytes)
    body = body.replace("\x00NEWS\x00", _fill(rng, pools.cards, news_bytes)).replace(
        "\x00SITEMAP\x00", _fill(rng, pools.links, markup_bytes - news_bytes)
    )
    page = (
        head_open
        + _fill(rng, pools.css, css_bytes)
        + head_mid
        + _fill(rng, pools.js, head_js_bytes)
        + head_close
        + _fill(rng, pools.svg, svg_bytes)
        + body
        + _fill(rng, pools.js, body_js_bytes)
        + tail
    ).encode("utf-8")
    info = PageInfo(row.k, len(page), amazon_sponsor[0] if amazon_sponsor else None, has_sponsors, linked)
    return page, info


def linked_paths(row: TourRow) -> tuple[str, ...]:
    """The paths of the pages a row's page leads to (what batch must read beyond the row page)."""
    if row.shape == HOME:
        return (f"/events/{row.k}/sponsors.html",)
    if row.shape == HOME2:
        return (f"/events/{row.k}/partners.html", f"/events/{row.k}/sponsors-2026.html")
    return ()


def generate_linked_page(
    row: TourRow, pools: Pools, seed: int, path: str, amazon: tuple[str, str, str] | None
) -> bytes:
    """A page a home page links to: the partners page (linking on) or the sponsors page (the logo grid)."""
    rng = random.Random(f"{seed}:linked:{row.k}:{path}")
    target = int(min(MAX_LINKED_BYTES, max(MIN_LINKED_BYTES, rng.lognormvariate(LINKED_SIZE_MU, LINKED_SIZE_SIGMA))))
    festival, city = escape(row.festival), escape(row.city)
    year = row.date[:4]
    nav = "".join(
        f'<li class="nav__item"><a href="/{_slug(item)}">{escape(item)}</a></li>'
        for item in rng.sample(NAV_ITEMS, k=rng.randint(5, len(NAV_ITEMS)))
    )
    header = (
        f'<header class="site-header"><div class="container"><a class="logo" href="/events/{row.k}.html">'
        f'<img src="/img/logo.svg" alt="{festival}" width="180" height="48"></a>'
        f'<nav aria-label="Main"><ul class="nav">{nav}</ul></nav></div></header>'
    )
    if path.endswith("/partners.html"):
        paragraphs = "\n".join(
            "<p>" + escape(" ".join(rng.choices(pools.sentences, k=rng.randint(3, 7)))) + "</p>" for _ in range(6)
        )
        main = (
            f'<section class="intro"><h1>Partnering with {festival}</h1>\n{paragraphs}\n'
            f'<p><a class="btn" href="/events/{row.k}/sponsors-2026.html">Our sponsors {year}</a></p>'
            '<p><a href="mailto:partners@festival.example">Write to the partnership team</a></p></section>'
        )
    else:
        main = f'<section class="intro"><h1>Thank you</h1><p>{escape(rng.choice(pools.sentences))}</p></section>\n'
        main += _sponsor_section(rng, pools, amazon)
    footer = (
        f'<footer class="footer"><div class="container"><p>{festival} · {city}</p>'
        '<nav class="footer__sitemap" aria-label="Sitemap"><ul class="menu">\n\x00SITEMAP\x00\n</ul></nav>'
        f'<p class="copyright">© {year} {festival}.</p></div></footer>'
    )
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{festival} {year} · Sponsors</title>\n<style>\n\x00CSS\x00\n</style>\n"
        "<script>\n\x00JS\x00\n</script>\n</head>\n<body>\n"
    )
    page = head + header + '\n<main id="content">\n' + main + "\n</main>\n" + footer + "\n</body>\n</html>\n"
    pad = max(0, target - len(page.encode("utf-8")))
    page = (
        page.replace("\x00CSS\x00", _fill(rng, pools.css, int(pad * 0.35)))
        .replace("\x00JS\x00", _fill(rng, pools.js, int(pad * 0.35)))
        .replace("\x00SITEMAP\x00", _fill(rng, pools.links, int(pad * 0.30)))
    )
    return page.encode("utf-8")


def generate_pages(plan: list[TourRow], pools: Pools, seed: int, pages_dir: Path) -> list[PageInfo]:
    """Write one page file per tour row into pages_dir and return what was generated."""
    pages_dir.mkdir(parents=True, exist_ok=True)
    infos = []
    for row in plan:
        page, info = generate_page(row, pools, seed)
        (pages_dir / f"{row.k}.html").write_bytes(page)
        if info.linked:
            (pages_dir / str(row.k)).mkdir(exist_ok=True)
            amazon = next((a for a in AMAZON_SPONSORS if a[0] == info.amazon), None)
            for path in info.linked:
                name = path.rsplit("/", 1)[1]
                (pages_dir / str(row.k) / name).write_bytes(generate_linked_page(row, pools, seed, path, amazon))
        infos.append(info)
    return infos


def host_address(host: int) -> str:
    """Return the loopback address of host index 0, 1, ... (127.0.0.2, 127.0.0.3, ...)."""
    return f"127.0.0.{FIRST_HOST_OCTET + host}"


def write_tour(plan: list[TourRow], port: int, path: Path) -> list[str]:
    """Write the tour CSV (date, city, venue, url) and return its URLs in row order."""
    urls = [f"http://{host_address(row.host)}:{port}/events/{row.k}.html" for row in plan]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "city", "venue", "url"])
        for row, url in zip(plan, urls, strict=True):
            writer.writerow([row.date, row.city, row.venue, url])
    return urls
