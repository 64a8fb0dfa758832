"""Every keyword, phrase, selector and threshold extraction uses, in every language it reads.

One named constant per concept; the other modules of this package hold no literal keyword. Words are
folded (lower case, accents removed) unless a constant says otherwise. Languages read: en, de, fr, es,
pt, it, nl. Nothing here names a company.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
EMBED_TAGS = frozenset({"iframe", "object", "embed"})  # their address is content (a player), their inside is not


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


def _alternation(words: Iterable[str], before: str = "", after: str = "") -> re.Pattern[str]:
    return re.compile(before + "(?:" + "|".join(re.escape(w) for w in words) + ")" + after)


# Compiled once from the heading keyword lists; matched on the folded heading padded with spaces.
STEM_RE = _alternation(SPONSOR_STEMS)
SPONSOR_WORD_RE = _alternation(SPONSOR_WORDS, " ", " ")
PHRASE_RE = _alternation(SPONSOR_PHRASES, " ", " ")
CALL_RE = _alternation(CALL_WORDS)
PRIZE_HEADING_RE = _alternation(PRIZE_WORDS, " ")
BREAK_RE = _alternation(BREAK_WORDS)
PAST_RE = _alternation(PAST_WORDS, " ", " ")

ALT_SPONSOR_PHRASE_RE = re.compile(
    r"^(?:presented by|powered by|sponsored by|supported by|in partnership with|brought to you by|"
    r"präsentiert von|unterstützt von|présenté par|presentado por|patrocinado por|apresentado por|"
    r"presentato da)\s+",
    re.IGNORECASE,
)


# The tier given to a run of outbound logos in a footer that has no heading of its own.
FOOTER_STRIP_TIER = "logos in the page footer"
# Outbound logo links to at least this many distinct sites make a footer a sponsor strip.
MIN_STRIP_SITES = 3


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
