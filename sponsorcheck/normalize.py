"""Name and domain normalisation: the one place that decides when two spellings are the same.

`normalize_name` is applied once to every alias (when the matcher is built) and once to every
sponsor name, so both sides are compared in the same form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

# Legal forms dropped from the end of a name ("Amazon.com, Inc." → "amazon com").
LEGAL_FORMS = (
    "inc",
    "incorporated",
    "llc",
    "l l c",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "plc",
    "llp",
    "lp",
    "gmbh",
    "ag",
    "kg",
    "ug",
    "se",
    "sa",
    "s a",
    "sas",
    "sarl",
    "s a r l",
    "srl",
    "s r l",
    "spa",
    "s p a",
    "bv",
    "b v",
    "nv",
    "n v",
    "ab",
    "as",
    "a s",
    "oy",
    "oyj",
    "aps",
    "pty",
    "pty ltd",
    "kk",
    "sl",
    "s l",
    "ltda",
    "me",
    "eireli",
    "sdn bhd",
    "bhd",
    "pvt",
    "pvt ltd",
    "private limited",
)
# Words around a name that say it is a logo or a sponsor, not part of the name.
NOISE_WORDS = ("logo", "logotype", "logotipo", "icon", "image", "img", "banner", "sponsor logo")
# Sponsor phrasing before a name ("Presented by Amazon Music" → "amazon music"); multilingual lists
# of section keywords live in extract/vocabulary.py, these are only the phrases that prefix a single name.
SPONSOR_PREFIXES = (
    "proudly presented by",
    "proudly sponsored by",
    "proudly supported by",
    "proudly powered by",
    "courtesy of",
    "in collaboration with",
    "hosted by",
    "thank you to",
    "presented by",
    "powered by",
    "sponsored by",
    "supported by",
    "in partnership with",
    "in association with",
    "brought to you by",
    "thanks to",
    "with support from",
    "with the support of",
    "official partner",
    "gold sponsor",
    "silver sponsor",
    "bronze sponsor",
    "platinum sponsor",
    "diamond sponsor",
    "title sponsor",
    "premier sponsor",
    "headline sponsor",
    "media partner",
    "community partner",
    "partner",
    "sponsor",
    "präsentiert von",
    "gesponsert von",
    "mit unterstützung von",
    "mit freundlicher unterstützung von",
    "sponsorisé par",
    "avec le soutien de",
    "en partenariat avec",
    "con el apoyo de",
    "en colaboración con",
    "com o apoio de",
    "sponsorizzato da",
    "in collaborazione con",
    "gesponsord door",
    "in samenwerking met",
    "unterstützt von",
    "présenté par",
    "presentado por",
    "patrocinado por",
    "apresentado por",
    "con il supporto di",
    "mogelijk gemaakt door",
)

# Letters that Unicode does not decompose into a base letter plus accent; transliterated by hand
# (why: "Øresund" and "Oresund", "Amazon Łódź" and "Amazon Lodz" must meet). Cyrillic and Greek
# cover the scripts sponsor names from Europe are most often written in.
TRANSLITERATION = {
    "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i", "ħ": "h",
    "ŧ": "t", "ŋ": "ng", "ĸ": "k", "ſ": "s", "ß": "ss",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "є": "ye", "і": "i", "ї": "yi",
    "α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
_TRANSLIT_TABLE = str.maketrans(TRANSLITERATION)

_PSL_ICANN = PublicSuffixList(only_icann=True)
_PSL_ALL = PublicSuffixList()

# "A.W.S." and "U.S." (letters each followed by a dot) are one word; Unicode letters too ("S.à.r.l.").
_DOTTED_INITIALS = re.compile(r"(?<!\w)(?:[^\W\d_]\.){2,}(?![^\W\d_])")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
# A plus sign closing a brand word is read "plus" ("MGM+", "Kids+", "Disney+" = "… Plus"), so the
# name does not collapse onto the bare word ("MGM+" is not MGM).
_TRAILING_PLUS = re.compile(r"(?<=\w)\+(?!\w)")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# Legal forms compared with their spaces removed, so "S.à r.l.", "s a r l" and "SARL" are one form.
_LEGAL_COMPACT = frozenset(f.replace(" ", "") for f in LEGAL_FORMS)
_MAX_LEGAL_TOKENS = 4
_PREFIX = re.compile(
    r"^(?:" + "|".join(sorted((re.escape(p) for p in SPONSOR_PREFIXES), key=len, reverse=True)) + r")\b\s*"
)
_NOISE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in NOISE_WORDS) + r")\b")


def fold(text: str) -> str:
    """NFKC, casefold, strip accents, transliterate ("Zürich" → "zurich", "Øresund" → "oresund"); keeps punctuation."""
    if text.isascii():
        return text.lower()  # the common case: nothing to fold beyond case
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_TRANSLIT_TABLE)


def _strip_legal_tail(toks: list[str]) -> list[str]:
    """Drop trailing legal forms, however they are spaced ("amazon eu s a r l" → "amazon eu")."""
    changed = True
    while changed and len(toks) > 1:
        changed = False
        for k in range(min(_MAX_LEGAL_TOKENS, len(toks) - 1), 0, -1):
            if "".join(toks[-k:]) in _LEGAL_COMPACT:
                toks = toks[:-k]
                changed = True
                break
    return toks


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Canonical form of an organisation name: folded, initials joined, punctuation, legal forms and noise removed."""
    text = _DOTTED_INITIALS.sub(lambda m: m.group(0).replace(".", "") + " ", name[:500])
    text = _POSSESSIVE.sub("", text)
    text = _TRAILING_PLUS.sub(" plus", text)
    text = fold(text).replace("&", " and ").replace("@", " at ")
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    text = _NOISE.sub(" ", text)
    text = " ".join(text.split())
    text = _PREFIX.sub("", text)
    return " ".join(_strip_legal_tail(text.split()))


def tokens(name: str) -> list[str]:
    """Tokens of the normalised name."""
    return normalize_name(name).split()


def host_of(url: str) -> str | None:
    """Lower-case host of a URL (None if it has none); tolerates garbage."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """The registrable domain of a host under the ICANN suffix list ("aws.amazon.co.uk" → "amazon.co.uk")."""
    host = host.lower().rstrip(".")
    return _PSL_ICANN.privatesuffix(host) or host


@lru_cache(maxsize=65536)
def public_suffix(host: str) -> str:
    """The ICANN public suffix of a host ("amazon.co.uk" → "co.uk", "x.aws" → "aws")."""
    return _PSL_ICANN.publicsuffix(host.lower().rstrip(".")) or host.rsplit(".", 1)[-1]


@lru_cache(maxsize=65536)
def is_hosting_domain(host: str) -> bool:
    """True for hosts under a shared-hosting suffix (s3.amazonaws.com, x.cloudfront.net, x.github.io).

    Such a host serves anyone's files, so an asset there says nothing about who sponsors the page.
    """
    host = host.lower().rstrip(".")
    return _PSL_ALL.publicsuffix(host) != _PSL_ICANN.publicsuffix(host)


# A comma does not end a name when what follows is the name's legal form ("Amazon.com, Inc."), a
# generational suffix ("Ring Lardner, Jr.") or an apposition saying whose it is ("Ring, an Amazon
# company", "Zoox, a subsidiary of Amazon").
NAME_SUFFIXES = ("jr", "sr", "ii", "iii", "iv")
APPOSITION = re.compile(
    r"^(?:(?:an?|the)\s+(?:\S+\s+){0,4}?(?:company|subsidiary|division|brand|affiliate|business|unit|"
    r"service|partner)(?:\s+of\s+.+)?|(?:a\s+)?(?:part|member|subsidiary|division|unit|brand|affiliate)\s+of\s+.+|"
    r"(?:owned|operated|run)\s+by\s+.+)\s*$",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_AFFILIATES = re.compile(r"\s+or\s+its\s+affiliates\s*$", re.IGNORECASE)
_OPENERS, _CLOSERS = '([{"“', ')]}"”'


def _continues_name(segment: str) -> bool:
    """True when a comma-separated segment belongs to the name before it (legal form, suffix, apposition)."""
    text = _AFFILIATES.sub("", segment.strip())
    if not text:
        return False
    if APPOSITION.match(text):
        return True
    # "Inc.", "L.P.", "S.à r.l.", "Ltd." — the whole segment, bar a bracket such as "(NASDAQ: AMZN)".
    bare = _DOTTED_INITIALS.sub(lambda m: m.group(0).replace(".", ""), _BRACKETED.sub(" ", text))
    words = _NON_WORD.sub(" ", fold(bare)).split()
    if not words:
        return False
    if len(words) == 1 and words[0] in NAME_SUFFIXES:
        return True
    return _strip_legal_tail(["name", *words]) == ["name"]


def split_names(text: str) -> list[str]:
    """Names in a comma-separated list, keeping "Amazon.com, Inc." and "Ring, an Amazon company" whole.

    Commas inside brackets or quotes and between digits ("1,000") never split; a segment that is a legal
    form, a suffix such as "Jr." or an apposition joins the name before it.
    """
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in _OPENERS and not (ch == '"' and depth):
            depth += 1
        elif ch in _CLOSERS and depth:
            depth -= 1
        elif ch == "," and depth == 0:
            if 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
                continue
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    names: list[str] = []
    for part in parts:
        if names and _continues_name(part):
            names[-1] = f"{names[-1]},{part}"
        elif part.strip():
            names.append(part)
    return [" ".join(n.split()) for n in names if n.strip()]
