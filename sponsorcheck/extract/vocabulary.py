"""Every keyword, phrase, selector and threshold extraction uses, in every language it reads.

One named constant per concept; the other modules of this package hold no literal keyword. Words are
folded (lower case, accents removed) unless a constant says otherwise. Languages read: en, de, fr, es,
pt, it, nl. Nothing here names a company.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sponsorcheck.normalize import fold

# --------------------------------------------------------------------------------------------------
# Sponsorship vocabulary. Languages: en, de, fr, es, pt, it, nl, da, sv, nb, fi, pl, cs, tr, ja, ko, zh.
# Stems and words are folded (normalize.fold: lower case, accents removed, ø→o, ł→l); phrases are written
# as people write them and folded where a heading is compared.
# --------------------------------------------------------------------------------------------------

# A word containing one of these stems makes a heading, label, id/class or link a sponsor one. Three
# classes, every language in each: sponsors, partners, supporters/funders/donors.
SPONSOR_STEMS = (
    # sponsors: en, de, it, nl, fr, da, sv, nb, fi ("sponsorit"), pl ("sponsorzy"), tr ("sponsorlar")
    "sponsor",
    "sponzor",  # cs: sponzoři, sponzorováno
    "patrocin",  # es, pt: patrocinadores, patrocinio, patrocínio
    "auspicia",  # es: auspician, auspiciantes
    "スポンサー",  # ja
    "協賛",  # ja: kyōsan, sponsorship
    "스폰서",  # ko
    "협찬",  # ko: sponsorship
    "赞助",  # zh (simplified): sponsors
    "贊助",  # zh (traditional)
    # partners: en, de, it, nl, da, sv, nb, pl ("partnerzy"), cs ("partneři"); compounds ("Medienpartner")
    "partner",
    "partenaire",  # fr
    "parceir",  # pt: parceiros
    "colaborador",  # es, pt
    "kumppan",  # fi: kumppanit, yhteistyökumppanit
    "yhteistyo",  # fi: yhteistyössä, yhteistyökumppanit
    "wspolprac",  # pl: we współpracy
    "spolupra",  # cs: ve spolupráci
    "is ortak",  # tr: iş ortakları
    "isbirlig",  # tr: işbirliğiyle
    "パートナー",  # ja
    "協力",  # ja: kyōryoku, cooperation
    "파트너",  # ko
    "협력",  # ko: cooperation
    "合作伙伴",  # zh (simplified)
    "合作夥伴",  # zh (traditional)
    # supporters, funders, donors, patrons
    "supporter",  # en
    "funder",  # en
    "underwriter",  # en
    "benefactor",  # en, es
    "unterstutzer",  # de: Unterstützer
    "forderer",  # de: Förderer
    "mecene",  # fr: mécènes
    "mecenat",  # fr
    "mecenas",  # pl, cs, es
    "sostenitor",  # it
    "apoiador",  # pt: apoiadores, apoiadoras
    "financiador",  # es, pt: financiadores
    "financiamento",  # pt: funding
    "financement",  # fr
    "finanziator",  # it
    "stotte",  # da, nb: støtte, støttet af, støttespillere
    "tukija",  # fi: tukijat
    "rahoitta",  # fi: rahoittajat, rahoittaa
    "wspier",  # pl: wspierają, wspierający
    "wsparc",  # pl: wsparcie
    "darczyn",  # pl: darczyńcy
    "podporovatel",  # cs
    "podporou",  # cs: s podporou
    "destekc",  # tr: destekçiler
    "destekley",  # tr: destekleyenler
    "destegi",  # tr: desteğiyle
    "後援",  # ja, zh (traditional): patronage
    "后援",  # zh (simplified)
    "支援",  # ja: support
    "후원",  # ko: sponsorship, support
    "协办",  # zh (simplified): co-organised by
    "協辦",  # zh (traditional)
    "鸣谢",  # zh (simplified): acknowledgements
    "支持单位",  # zh (simplified): supporting organisations (not bare 支持: "技术支持" is technical support)
    "支持單位",  # zh (traditional)
    "媒体支持",  # zh (simplified): media support
    "媒體支持",  # zh (traditional)
    "鳴謝",  # zh (traditional)
)
# Whole words that are sponsor headings on their own (too short or too common to be stems).
SPONSOR_WORDS = frozenset(
    {
        "backers",  # en
        "patrons",  # en
        "donors",  # en
        "funding",  # en
        "soutiens",  # fr
        "parrains",  # fr
        "apoio",  # pt
        "apoyan",  # es
        "socios",  # es
        "geldgeber",  # de
        "forderung",  # de: Förderung
        "foerderer",  # de, transliterated
        "sponsrar",  # sv
        "stod",  # sv: stöd
        "bidragsgivere",  # da, nb
        "tuki",  # fi
        "tukena",  # fi
        "patroni",  # pl: patroni medialni
        "darci",  # cs: dárci
        "podpora",  # cs
        "destek",  # tr
    }
)
# Phrases that say sponsorship wherever they stand: in a heading, a label over logos, an alt text, a
# sentence ("… presented by Acme"). As written; matched case-insensitively, folded for headings.
SPONSORSHIP_PHRASES = (
    # en
    "presented by",
    "sponsored by",
    "supported by",
    "funded by",
    "made possible by",
    "brought to you by",
    "in partnership with",
    "in collaboration with",
    "in association with",
    "with the support of",
    "with support from",
    "with the generous support of",
    "funding from",
    "grants from",
    # de
    "präsentiert von",
    "präsentiert durch",
    "unterstützt von",
    "unterstützt durch",
    "gefördert von",
    "gefördert durch",
    "gesponsert von",
    "mit freundlicher unterstützung",
    "in zusammenarbeit mit",
    # fr
    "présenté par",
    "présentée par",
    "soutenu par",
    "parrainé par",
    "financé par",
    "avec le soutien",
    "en partenariat avec",
    # es
    "presentado por",
    "patrocinado por",
    "apoyado por",
    "financiado por",
    "con el apoyo",
    "en colaboración con",
    # pt
    "apresentado por",
    "apoiado por",
    "com o apoio",
    "em parceria com",
    # it
    "presentato da",
    "sponsorizzato da",
    "finanziato da",
    "con il supporto",
    "con il sostegno",
    "in collaborazione con",
    # nl
    "mogelijk gemaakt door",
    "ondersteund door",
    "gesponsord door",
    "gepresenteerd door",
    "in samenwerking met",
    # da
    "støttet af",
    "præsenteret af",
    "sponsoreret af",
    "i samarbejde med",
    "med støtte fra",
    # sv
    "med stöd av",
    "med stöd från",
    "stöds av",
    "presenteras av",
    "sponsrad av",
    "i samarbete med",
    # nb
    "støttet av",
    "presentert av",
    "sponset av",
    "i samarbeid med",
    # fi
    "yhteistyössä",
    "tuella",
    # pl
    "przy wsparciu",
    "dzięki wsparciu",
    "sponsorowane przez",
    "we współpracy z",
    # cs
    "s podporou",
    "za podpory",
    "ve spolupráci s",
    # tr
    "katkılarıyla",
    "desteğiyle",
    "sponsorluğunda",
)
# Phrases that credit whoever makes or runs something. Under a sponsor heading they are sponsor phrasing
# ("Title partner — powered by Acme"); elsewhere a badge for a technology or host, not a sponsor.
CREDIT_PHRASES = (
    "powered by",
    "hosted by",
    "hosted on",
    "hosted with",
    "built with",
    "made with",
    "deployed on",
    "deployed with",
    "served by",
    "runs on",
    "cdn by",
)
# Headings and labels that thank or befriend ("Special thanks", "Friends of the festival"): sponsor
# sections when they head a list, but not sponsorship inside a sentence ("thanks to the rain").
ACKNOWLEDGEMENT_PHRASES = (
    "thanks to",
    "special thanks",
    "thank you to",
    "thanks go to",
    "friends of",
    "our friends",
    "grâce à",
    "merci à",
    "amis du",
    "amis de",
    "danke an",
    "freunde des",
    "freunde der",
    "gracias a",
    "amigos de",
    "obrigado a",
    "agradecimentos",
    "grazie a",
    "amici del",
    "amici di",
    "met dank aan",
    "vrienden van",
    "tak til",
    "tack till",
    "takk til",
    "kiitos",
    "podziękowania",
    "poděkování",
    "teşekkürler",
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
# Tier names that say nothing on their own ("Media", "Hospitality", "Community") but, as a heading of the
# same rank after a sponsor heading (or inside its section), name the next tier of the same list.
# Words that, beside tier words, still make a label and not a name ("Gold level", "Tier 1").
TIER_LABEL_WORDS = frozenset({"level", "tier", "class", "niveau", "nivel", "stufe"})
TIER_ONLY_WORDS = frozenset(
    {
        "media",
        "press",
        "hospitality",
        "community",
        "food",
        "drink",
        "drinks",
        "beverage",
        "beverages",
        "catering",
        "venue",
        "travel",
        "technology",
        "tech",
        "education",
        "educational",
        "academic",
        "government",
        "institutional",
        "official",
        "founding",
        "premier",
        "presenting",
        "title",
        "host",
        "hosting",
        "supporting",
        "associate",
        "major",
        "principal",
        "local",
        "regional",
        "national",
        "international",
        "in-kind",
        "kind",
        "startup",
        "startups",
        "and",
        "&",
        # de, fr, es, pt, it, nl, da, sv, nb, fi, pl, cs, tr
        "medien",
        "presse",
        "gastronomie",
        "medios",
        "midia",
        "imprensa",
        "prensa",
        "stampa",
        "hoofd",
        "medier",
        "mediat",
        "media-",
        "medialni",
        "medialny",
        "medya",
    }
)
# Tier names that rank sponsors (metals and their translations, "Champion"): a table's first column or a
# definition list's <dt> with at least MIN_TIER_LABELS distinct tier labels, one of them a rank, is a sponsor list
# even without a heading ("Gold | Acme", "Silver level | …", "Community | …") — when its entries are at least
# MIN_TIER_LIST_ENTRIES organisations (links to distinct sites, or logos): a ticket table whose "Gold pass" and
# "Silver pass" rows all link to one ticket shop is none.
RANK_TIER_WORDS = TIER_WORDS - TIER_LABEL_WORDS - {"sponsor", "sponsors", "partner", "partners"}
MIN_TIER_LABELS = 2
MIN_TIER_LIST_ENTRIES = 2
TIER_LABEL_MAX_CHARS = 40
# The longest menu link text read as the name of the section it jumps to ("<a href="#s4">Partners</a>").
MENU_LABEL_MAX_CHARS = 40
# Words an image title ("<img alt="Thanks to our sponsors">" above the logos) may hold besides sponsor words and
# tier names: an image whose alt has any other word names someone ("IMDb sponsor logo") and is a logo, not a title.
TITLE_FILLER_WORDS = frozenset(
    {"our", "the", "thanks", "thank", "you", "to", "and", "of", "with", "for", "by", "all", "special", "proud"}
    | {"proudly", "many", "this", "year", "s", "meet", "a", "made", "possible", "who", "make", "it", "us"}
    | {"nos", "nossos", "nuestros", "unsere", "unseren", "nostri", "onze", "vores", "vare", "vara", "meie"}
)
# The longest alt text read as an image title.
IMAGE_TITLE_MAX_CHARS = 60
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
    # article navigation after the content ("Related", "Recent posts", "Read next")
    "related",
    "recent posts",
    "latest posts",
    "read next",
    "more posts",
    "you may also like",
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
# What evidence found in hidden content says (it counts: a visitor opens it with one click).
HIDDEN_NOTE = "in a hidden tab, slide or collapsed block"
RESPONSIVE_SHOW_RE = re.compile(r"(?:^|[:-])(?:block|flex|inline|inline-block|grid|table|visible|show)$")
# Elements whose content is never shown. (<noscript> is shown without JavaScript, so it stays.)
INVISIBLE_TAGS = ("script", "style", "template", "head", "iframe", "object", "embed")
EMBED_TAGS = frozenset({"iframe", "object", "embed"})  # their address is content (a player), their inside is not


# File-name parts that are not a name: sizes, retina suffixes, versions, hashes, generic words.
# Sizes, retina suffixes, years, versions and hashes ("300x150", "@2x", "v2.1", "a3f9c01").
_SIZE_OR_HASH = (
    r"(?:\d+x\d+|\d+x|\d+w|\d+dpi|@?\d(?:\.\d)?x|\d+px|(?:19|20)\d\d|\d{1,2}|\d{6,}|v\d+(?:\.\d+)*"
    r"|(?=[a-f]*\d)[0-9a-f]{7,})"
)
FILENAME_NOISE_RE = re.compile(
    r"^(?:" + _SIZE_OR_HASH + "|"
    r"logo|logos|logotype|logotipo|sponsor|sponsors|partner|partners|img|image|images|pic|photo|color|colour|"
    r"colored|white|black|dark|light|small|large|big|medium|thumb|thumbnail|new|final|web|transparent|trans|"
    r"horizontal|vertical|horiz|vert|rgb|cmyk|main|icon|full|min|retina|hd|hires|lores|mono|grey|gray|"
    r"positive|negative|inverse|inverted|bw|copy|original|resized|scaled|cropped|crop|default|primary|alt|"
    r"stacked|wide|square|round|rect|banner|badge|lg|sm|md|xs|xl|alpha|flat|rev|only|text|wordmark|mark|"
    r"screenshot|screen|shot|unnamed|download|untitled|file|upload|padded|padding|"
    # a lazy loader's placeholder in src ("blank.gif", "spacer.png", "placeholder.svg")
    r"blank|spacer|placeholder|lazyload|lazy|loading|dummy|"
    # markers image pipelines add before their hash: Hugo "_hu_<hash>", "-resized-", "-optimized"
    r"hu|optimized|optimised|compressed|processed|"
    # the same colour words in the other languages we read: es, pt, fr, de, it, nl
    # (not "blanc", "noir", "nero" or "wit": they end real names such as Mont Blanc)
    r"blanco|negro|branco|preto|couleur|weiss|schwarz|farbe|bianco|colore|zwart)$",
    re.IGNORECASE,
)
# Colour words that end a file name ("mongodb-forestgreen", "acme_blue"); only at the end, because they also
# begin real names ("Blue Bottle", "Red Bull", "Orange").
TRAILING_COLOUR_RE = re.compile(
    r"^(?:red|green|blue|orange|yellow|purple|violet|pink|navy|teal|cyan|magenta|gold|silver|beige|brown|"
    r"forestgreen|darkgreen|darkblue|lightblue|navyblue|offwhite|fullcolou?r|multicolou?r|colou?rs)$",
    re.IGNORECASE,
)
# Image proxies and CDNs that carry the real image in a query parameter ("/_next/image?url=%2Fimg%2Facme.png").
IMAGE_PROXY_PARAMS = ("url", "src", "image", "img", "u")
SIZE_OR_HASH_RE = re.compile("^" + _SIZE_OR_HASH + "$", re.IGNORECASE)
# Noise words glued to a name inside one file-name token ("amoebamusiclogotransparent").
GLUED_NOISE_RE = re.compile(
    r"(?:logo|logos|transparent|trans|white|black|color|colour|small|large|final|web|retina|hd|icon|horizontal|"
    r"vertical|full|dark|light|mono|rgb|cmyk|padded|\d+x)+$",
    re.IGNORECASE,
)
GLUED_PREFIX_RE = re.compile(r"^(?:logos?|sponsors?|partners?)", re.IGNORECASE)
# Words in an image's file name that say it is a photo of a person ("portrait2.jpg", "headshot-jane.png"): a
# contact's or speaker's photo inside a partner card is not another logo, and never a sponsor of its own.
PORTRAIT_FILE_RE = re.compile(
    r"(?:^|[^a-z])(?:portraits?|headshots?|avatars?|mugshots?|faces?)(?:\d*)(?:$|[^a-z])", re.IGNORECASE
)
# A name and a link's host agree when the host holds a word's first MIN_STEM_CHARS letters ("consulate" →
# consulfrance) or abbreviates the name's words in order (at least MIN_ABBREVIATION_CHARS letters, a name of
# at most MAX_ABBREVIATED_WORDS words: a long sentence abbreviates almost anything).
MIN_STEM_CHARS = 5
MIN_ABBREVIATION_CHARS = 4
MAX_ABBREVIATED_WORDS = 8
# A link path that is a script or page ("profile.php"), not a profile handle.
PAGE_FILE_RE = re.compile(r"\.(?:php|html?|aspx?|jsp|cgi)$", re.IGNORECASE)
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
# Generic words go from the ends of an alt text only: inside a name they are the name's ("… Short Image and
# Film Festival").
_ALT_NOISE_WORD = r"(?:logo|logos|logotype|logotipo|sponsor|sponsors|partner logo|image|icon|banner|picture|graphic)"
ALT_NOISE_RE = re.compile(
    r"^(?:\W*" + _ALT_NOISE_WORD + r"\b)+|(?:\b" + _ALT_NOISE_WORD + r"\W*)+$"
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
# Link shorteners (SHORTENER_DOMAINS, one list, below with the grid thresholds) name no one: the logo's other
# signals must.
# Query parameters of redirect and tracking links that hold the real destination.
REDIRECT_PARAMS = frozenset({"u", "url", "q", "target", "dest", "destination", "redirect", "redirect_uri", "to"})
# Why a name is a mention, not sponsorship. Every report writes a mention as "<name> → <owner>: <note>, not
# counted", so a note is a short noun phrase that reads well there ("Amazon → Amazon.com, Inc.: shop or
# donation link, not counted"), never a sentence of its own.
PRIZE_NOTE = "prize"
CREDIT_NOTE = "technology or hosting credit"
STREAM_NOTE = "listen/stream link"
SHOP_NOTE = "shop or donation link"
HOSTED_ASSET_NOTE = "image or file hosted on its servers"
COMMUNITY_GROUP_NOTE = "user group named after its product"
DEEP_LINK_NOTE = "link to one of its product or article pages"
EMPLOYER_NOTE = "a person's employer"
# Text after an inline element continues that element's sentence ("<a>Buy the album</a> on Amazon."): the
# element's last characters are read as the start of it (the sweep's sentence of a name).
SENTENCE_INLINE_TAGS = frozenset(
    {"a", "b", "strong", "em", "i", "span", "small", "u", "font", "abbr", "cite", "q", "mark", "time"}
)
SENTENCE_LEAD_CHARS = 120
# Unit text that makes a link a mention, not sponsorship: listening/streaming, shopping/donation, prizes.
STREAM_RE = re.compile(
    r"\b(?:listen|stream(?:ing|ed)?|watch|broadcast|escucha\w*|[ée]coute\w*|anh[öo]ren|ouvir|ou[çc]a|ascolta)\b"
    r"[^.]{0,20}?\b(?:on|at|via|auf|sur|en|em|no|na|su)\b|\blive on\b|\bhosted live\b|\bstreamed live\b",
    re.IGNORECASE,
)
SHOP_RE = re.compile(
    # "Buy the album on", "Buy the festival album: on", "Pre-order the record from"
    r"\b(?:shop|buy|order|pre-?order|purchase)\s+(?:[\w'’-]+[\s:,–—-]+){0,3}?(?:at|on|from|via|through|with)\b"
    # "Get the festival album on", "Grab your copy at": looser verbs, so only the prepositions of a store
    r"|\b(?:get|grab)\s+(?:[\w'’-]+[\s:,–—-]+){1,3}?(?:at|on|from)\b"
    r"|\b(?:shopping|shoppers?|purchases|affiliate|rebate|gift card|wish ?list)\b"
    r"|\b(?:comprar|compre|comprez|acheter|achetez|kaufen|kaufe|acquista)\b",
    re.IGNORECASE,
)
# Where a sentence ends, for reading the words just before an inline link ("Get the album on <a>Amazon</a>.").
SENTENCE_END_CHARS = ".!?;|•·\n"
# A paragraph that explains a shopping-donation programme: shopping words and giving words together.
SHOP_DONATION_RE = re.compile(
    r"\b(?:shop\w*|purchases?|buy\w*)\b.{0,120}\b(?:donat\w*|support\w*|portion|percent|charity|rebate)\b"
    r"|\b(?:donat\w*|support\w*|charity)\b.{0,120}\b(?:shop\w*|purchases?)\b",
    re.IGNORECASE | re.DOTALL,
)
AFFILIATE_PARAMS = frozenset({"aff", "aff_id", "affid", "affiliate", "tag", "ref_id", "associate"})
PRIZE_RE = re.compile(r"\b(?:best use of|best [\w ]{0,30}hack|prize|award(?:ed)?|winner|gift card|credits?)\b", re.I)
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
    r"visit|home|back|menu|close|next|previous|view all|see all|alt text|image|\W*|"
    # amounts and ranges ("$500 – $999", "€1.000 and up", "100-199 €"): donation levels, not donors
    r"\W*[$€£¥]\s?\d.*|\d[\d.,]*\s?[$€£¥].*|"
    # share buttons ("Share on LinkedIn", "Send via email", "Post on Bluesky")
    r"(?:share|send|post|tweet|pin|email|submit)(?: (?:on|via|to|by) .*)?)$",
    re.IGNORECASE,
)
TITLE_SEPARATORS_RE = re.compile(r"\s[|\-–—:·•]\s|\s*[|·•]\s*")
# A lead-in line ("We are thankful for our current sponsors:") ending in a colon, straight before a list, is that
# list's label when it says sponsors and is at most this long: the list is its scope.
LEAD_IN_MAX_CHARS = 100
LEAD_IN_LIST_TAGS = ("ul", "ol", "dl", "table")
LABEL_TAGS = frozenset({"p", "div", "span", "small", "em", "i", "label", "figcaption", "td", "strong", "b", "li"})
MAX_NAME_CHARS = 80
MAX_NAME_WORDS = 8
MAX_UNIT_CLIMB = 4
# Share and compose links ("…/sharer.php?u=", "twitter.com/intent/tweet", "api.whatsapp.com/send") carry the
# page's own address to a network: they name no sponsor.
SHARE_LINK_RE = re.compile(
    r"^(?:mailto:|sms:|tel:)|/(?:share|sharer|shareArticle|intent|send|submit|compose|pin/create)\b|[?&](?:share|text|body)=",
    re.IGNORECASE,
)
# Symbols a heading carries around its words (a permalink "#", "¶", an anchor icon): not part of its text.
HEADING_DECORATION = " \t\n#¶§🔗⚓*|-–—:·•"
# An alt or title text written on logos of this many different image files names none of them ("logo",
# the event's own name, one alt copied onto every logo of a grid): the file, link or caption names each.
MIN_SHARED_ALT_FILES = 2
# A one-letter slip in a copied alt this long is still that alt (shorter alts are often real short names).
MIN_SHARED_ALT_SLIP_CHARS = 6
SHARED_ALT_NOTE = "the same alt text is on several different logos: it names none of them"
# Distinct candidates matched per page. Matching is cheap; the cap only bounds a hostile page, and a
# page that exceeds it is marked truncated so it is never called clear (cutting before merging made
# a 5,000-logo wall with Amazon at #2,500 'clear').
MAX_CANDIDATES = 5_000
JS_HINT = "the page builds its content with JavaScript; save the rendered page or give its sponsors page URL"
NO_SECTION_HINT = "no sponsor or partner section was found on the page"
# A logo inside a sponsor section or grid that names no one (no alt, title or data name, no link that names anyone,
# a file name with no name in it). Behind a short link the page does say who it is, in a link nobody read: a
# person must look (review). Without any link nothing on the page ties it to anyone: the answer stands and
# lists the logo, so a person sees what was not read.
UNNAMED_LOGO_HINT = "a sponsor logo we could not name"
UNNAMED_SHORT_LINK_HINT = "a sponsor logo behind a short link we could not follow"
# A name read from a logo's file name alone this short ("pv.png" → "PV") is an abbreviation no one can check
# against the watchlist: the logo counts as unnamed. A link, an alt or the text beside it names such a logo.
MAX_UNREADABLE_FILE_NAME_CHARS = 2
# An image this small (its width or height attribute, in px) is an icon (an arrow, a bullet), not a logo.
MAX_ICON_PX = 24


def _alternation(words: Iterable[str], before: str = "", after: str = "") -> re.Pattern[str]:
    return re.compile(before + "(?:" + "|".join(re.escape(w) for w in words) + ")" + after)


# Compiled once from the heading keyword lists; matched on the folded heading padded with spaces.
CALL_RE = _alternation(CALL_WORDS)
PRIZE_HEADING_RE = _alternation(PRIZE_WORDS, " ")
BREAK_RE = _alternation(BREAK_WORDS)
PAST_RE = _alternation(PAST_WORDS, " ", " ")


# --------------------------------------------------------------------------------------------------
# Derived from the lists above (compiled once; nothing here adds a keyword).
# --------------------------------------------------------------------------------------------------


def _folded_words(phrase: str) -> str:
    return " ".join(WORD_RE.findall(fold(phrase)))


# Words of a heading, as the classifier splits them (letters and digits, inner hyphens and apostrophes).
WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
STEM_RE = _alternation(fold(s) for s in SPONSOR_STEMS)
SPONSOR_WORD_RE = _alternation((fold(w) for w in SPONSOR_WORDS), " ", " ")
# Phrases in a heading: matched on its folded words padded with spaces.
PHRASE_RE = _alternation(
    (_folded_words(p) for p in (*SPONSORSHIP_PHRASES, *CREDIT_PHRASES, *ACKNOWLEDGEMENT_PHRASES)), " ", " "
)
# A short element whose whole text is one of these (and says sponsors) is a label over the logos in its box.
LABEL_PHRASES = tuple(
    dict.fromkeys(p.lower() for p in (*SPONSORSHIP_PHRASES, *CREDIT_PHRASES, *ACKNOWLEDGEMENT_PHRASES))
)
# Sponsorship phrases in running text, searched in the page's own spelling (lower-cased).
PRESENTED_BY_PHRASES = tuple(dict.fromkeys(p.lower() for p in SPONSORSHIP_PHRASES))
# "… presented by Acme Corp": the phrase (any case), then up to six capitalised words (a leading "the" skipped).
PRESENTED_BY_RE = re.compile(
    "(?i:" + "|".join(re.escape(p) for p in PRESENTED_BY_PHRASES) + r")\s+(?:[Tt]he\s+)?"
    r"((?:[A-Z0-9][\w&.'’-]*)(?:\s+(?:[A-Z0-9&][\w&.'’-]*|of|and|the|de|du|des|der|la|le)){0,5})"
)
# The rest of a sponsorship sentence as a list of names: "… grants from organizations like Acme (a gloss), the
# Northwind Trust, and Contoso." — an optional "organisations like", names apart by commas, "and" or ";".
LIST_INTRO_RE = re.compile(
    r"\s*(?:(?:other\s+)?(?:organi[sz]ations|companies|foundations|institutions|businesses|bodies|partners|sponsors|"
    r"funders)\s+(?:like|such as|including)\s+)?"
)
# A sponsorship phrase followed by a list's introduction ("grants from organisations like …").
PHRASE_THEN_LIST_RE = re.compile(
    "(?i:" + "|".join(re.escape(p) for p in PRESENTED_BY_PHRASES) + r")" + LIST_INTRO_RE.pattern
)
LIST_NAME_RE = re.compile(
    r"(?:[Tt]he\s+)?((?:[A-Z0-9][\w&.'’+-]*)(?:\s+(?:[A-Z0-9&][\w&.'’+-]*|of|for|the|de|du|des|der|la|le)){0,6})"
)
LIST_GLOSS_RE = re.compile(r"\s*\([^()]{0,120}\)")
LIST_SEPARATOR_RE = re.compile(r"\s*(?:[,;]\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+)")
LIST_CONNECTORS = frozenset({"of", "for", "the", "de", "du", "des", "der", "la", "le"})
# "Powered by Amazon Music" / "Presented by Acme" as an alt text: the phrase says sponsor, the rest is the name.
ALT_SPONSOR_PHRASE_RE = re.compile(
    "^(?:" + "|".join(re.escape(p) for p in (*SPONSORSHIP_PHRASES, *CREDIT_PHRASES)) + r")\s+", re.IGNORECASE
)
# A listen, watch or download badge's own words before the service it names ("Listen on Amazon Music",
# "Écouter sur Deezer", "Get it on Google Play"): the badge names the service, so the name is what follows.
BADGE_LEAD_RE = re.compile(
    r"^\s*(?:listen|stream|watch|escucha\w*|[ée]coute\w*|anh[öo]ren|h[öo]ren|ouvir|ou[çc]a|ascolta\w*"
    r"|available|download|get it)\b[^.]{0,12}?\b(?:on|at|via|auf|sur|en|em|no|na|su)\s+",
    re.IGNORECASE,
)
# Badges that credit a technology or host ("Powered by …", "Hosted on …"), not a sponsor.
TECH_CREDIT_RE = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in CREDIT_PHRASES) + r")\b", re.IGNORECASE)
# Link spellings of the stems that URLs write without accents or with ASCII transliterations.
URL_SPELLINGS = ("unterst", "foerder", "förder", "mécène", "backer", "patron", "auspici")
# Fragments that preselect links that may lead to a sponsors page (checked on all hrefs at once).
DISCOVERY_FRAGMENTS = tuple(dict.fromkeys((*(s for s in SPONSOR_STEMS if s.isascii()), *URL_SPELLINGS)))


# The tier given to a run of outbound logos in a footer that has no heading of its own.
FOOTER_STRIP_TIER = "logos in the page footer"
# Outbound logo links to at least this many distinct sites make a footer a sponsor strip, and sibling
# entries of one box a logo grid anywhere on the page.
MIN_STRIP_SITES = 3
# Link shorteners: the link hides its destination, so two short links are two sites as far as a grid goes, and
# a logo's name never "disagrees" with a short link (amzn.to, Amazon's own, is matched by the watchlist first).
SHORTENER_DOMAINS = frozenset(
    {"bit.ly", "j.mp", "goo.gl", "tinyurl.com", "ow.ly", "buff.ly", "is.gd", "t.co", "rebrand.ly", "lnkd.in"}
    | {"cutt.ly", "shorturl.at", "tiny.cc", "bl.ink", "short.io", "rb.gy", "s.id", "v.gd", "soo.gd", "clck.ru"}
    | {"smarturl.it", "t.ly"}
)
# In a grid, platform links (the event's channel, a partner's profile) count as entries only beside at least
# this many logos of other sites: a row of social icons alone is no grid.
MIN_GRID_OWN_SITES = 2
# The tier given to a grid of outbound logo links outside any sponsor section.
GRID_TIER = "a grid of logos linking to other sites"
# The tier given to a grid of logo images the site files as sponsors' logos ("/img/partners/acme.png"), linked
# or not, outside any sponsor section.
FILED_GRID_TIER = "a grid of logos filed under sponsors or partners"
# The page's only list, when nothing else on it marks one: a row of at least MIN_PAIR_SITES sibling logo links
# to distinct organisations' own sites, each logo named (alt or file) for the site it links to ("Quay Coffee" →
# quay-coffee.example). Logos the site files under a sponsors or partners folder form a grid from MIN_PAIR_SITES
# on, anywhere on the page. Two are what a small event's sponsor row often holds.
MIN_PAIR_SITES = 2
PAIR_TIER = "a row of logos of other organisations, with no heading"
# A pair's logo links to its organisation's front door: at most this many path segments ("acme.example/",
# "acme.example/en"), no query but tracking parameters. An app-store badge or a link to an article goes deeper.
PAIR_MAX_PATH_SEGMENTS = 1
TRACKING_QUERY_PREFIXES = ("utm_", "ref", "mtm_", "pk_", "fbclid", "gclid")
# Tiers that are no heading of the page's: a strip or grid the page's shape says is a sponsor list.
# The site's own sponsors page (its <title> says so) with nothing else on it marking a sponsor list: a grid of
# logos of one shape in its content (header, menu and footer apart) is its list.
TITLED_GRID_TIER = "a grid of logos on the site's sponsors page"
GRID_TIERS = (FOOTER_STRIP_TIER, GRID_TIER, FILED_GRID_TIER, TITLED_GRID_TIER, PAIR_TIER)
# Page regions apart from the content: the site's logo and menu, not a sponsors page's list.
PAGE_REGION_TAGS = frozenset({"header", "nav", "footer"})
# Words in an image's folder or file name that file it as a sponsor's logo, found by substring first (cheap),
# then confirmed as a sponsor word of the folder or file name (`sections.is_sponsor_text`).
FILED_LOGO_FRAGMENTS = ("sponsor", "sponzor", "partner", "patrocin", "parceir", "partenaire", "supporter")
# How far above a logo link the box of a grid may be (a > img, li > a > img, div > div > a > img).
GRID_DEPTH = 3
# …and how far when every entry on the way is a lean wrapper around its logo (a page builder's row > column >
# figure > a, one row per logo, or a grid under a few more layout boxes).
GRID_MAX_DEPTH = 6
# The most text a lean wrapper holds (a short caption; an entry with a paragraph in it is a card, not a wrapper).
LEAN_ENTRY_CHARS = 40


# --------------------------------------------------------------------------------------------------
# The whole-page sweep (extract/sweep.py): how an occurrence of a watchlisted name is read in context
# --------------------------------------------------------------------------------------------------

# The name followed by one of these presents the event ("Amazon Music presents: Summer Sessions").
PRESENTS_RE = re.compile(
    r"^\W{0,3}(?:presents?|pr[äa]sentiert|pr[ée]sente|presenta|apresenta|presenteert)\b", re.IGNORECASE
)
# Words right before a name that make it the event's venue ("Live at …", "Venue: …", "Lieu : …").
VENUE_RE = re.compile(
    r"(?:\b(?:live at|live from|held at|takes place at|taking place at|happening at|hosted at|doors at|"
    r"en vivo desde|ao vivo n[oa]|en direct de|live aus)"
    r"|\b(?:venue|location|where|place|lugar|local|ort|veranstaltungsort|lieu|salle|luogo|locatie|sede)\s*:)"
    r"\s*(?:the\s+)?$",
    re.IGNORECASE,
)
# Words before a name that make it a person's employer ("Jane Doe, engineer at AWS", "works at Amazon Music").
EMPLOYER_RE = re.compile(
    r"\b(?:works?|working|worked|employed|engineer(?:ing)?|developer|manager|director|scientist|designer|"
    r"evangelist|advocate|architect|researcher|lead|head of [\w ]{1,30}|ceo|cto|cfo|coo|founder|co-founder|vp|"
    r"president|intern|staff|arbeitet|travaille|trabaja|trabalha|lavora|werkt)\b[^.]{0,30}?"
    r"\b(?:at|for|bei|chez|en|em|na|no|presso|bij)\s*$|@\s*$",
    re.IGNORECASE,
)
# "Jane Doe, " or "Jane Doe (" right before the name: a person and their affiliation, when under a people heading.
PERSON_BEFORE_RE = re.compile(r"(?:^|[\s(])[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}\s*[,(–—-]\s*$")
# Headings (or classes) of parts of a page about people: speakers, team, jury, line-up.
PEOPLE_HEADING_RE = re.compile(
    r"\b(?:speakers?|keynotes?|talks?|sessions?|presenters?|team|jury|judges?|mentors?|committee|board|organi[sz]ers?|hosts?|panel(?:ists)?|"
    r"staff|crew|volunteers?|line-?up|line up|artists?|performers?|djs|people|person|bio|member|profile|author|"
    r"palestrantes?|ponentes?|intervenants?|referenten|sprecher|sprekers?|equipe|equipo)\b",
    re.IGNORECASE,
)
# id/class words of the page's own hero or header block (a brand's logo there is the event's banner).
HERO_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:hero|masthead|jumbotron|splash|site-header|page-header|header-image|keyvisual|key-visual)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
# Platforms where a link to a channel is where the event streams (a stream link, not a sponsor), outside a list.
STREAM_PLATFORM_DOMAINS = frozenset(
    {"twitch.tv", "youtube.com", "youtu.be", "vimeo.com", "mixcloud.com", "soundcloud.com", "spotify.com"}
    | {"bandcamp.com", "music.amazon.com", "music.apple.com", "deezer.com", "tidal.com", "dailymotion.com"}
)
SWEEP_WINDOW_WORDS = 4  # words either side of a name that the matcher weighs (look-alike words refuse it)
SWEEP_MAX_SPELLINGS = 256  # distinct places (text spellings, attribute values) located per page
SWEEP_MAX_OCCURRENCES = 20_000  # occurrences read from one page's scan (a hostile page repeats a name endlessly)
BLOCK_CHARS = 600  # a box read as one card or paragraph (around a name outside any sponsor list)
BLOCK_MIN_CHARS = 80  # …once it says this much
SWEEP_MAX_HITS = 2_000  # text nodes and attributes read per page
