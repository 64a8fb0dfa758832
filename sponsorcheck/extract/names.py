"""Names: a readable organisation name from an alt text, a logo file name, a domain or a data-* attribute.

`choose_name` decides between the signals of one logo unit the way a person would (the link decides
identity when an alt text disagrees); `agrees_with_link` says whether a name and a link denote the same
organisation.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice
from urllib.parse import parse_qsl, unquote, urlsplit

from lxml import etree

from sponsorcheck.extract.document import TEMPLATE_VALUE_RE, clean, text_of
from sponsorcheck.extract.vocabulary import (
    ALT_NOISE_RE,
    ALT_SPONSOR_PHRASE_RE,
    BADGE_LEAD_RE,
    FILENAME_NOISE_RE,
    GENERIC_DIRS,
    GLUED_NOISE_RE,
    GLUED_PREFIX_RE,
    IMAGE_EXTENSIONS_RE,
    IMAGE_PROXY_PARAMS,
    LIST_CONNECTORS,
    MAX_ABBREVIATED_WORDS,
    MAX_NAME_CHARS,
    MAX_NAME_WORDS,
    MIN_ABBREVIATION_CHARS,
    MIN_STEM_CHARS,
    NON_NAME_RE,
    PAGE_FILE_RE,
    SIZE_OR_HASH_RE,
    STREAM_RE,
    TIER_LABEL_WORDS,
    TIER_ONLY_WORDS,
    TIER_WORDS,
    TRAILING_COLOUR_RE,
    WORD_RE,
)
from sponsorcheck.normalize import LEGAL_FORMS, fold, normalize_name, registrable_domain

CAMEL_RE = re.compile(r"(?<=[a-z]{2})(?=[A-Z])")
SPLIT_RE = re.compile(r"[-_.\s@+,]+")


def compact_name(text: str) -> str:
    """The normalised name without spaces: the key two spellings of one name share."""
    return normalize_name(text).replace(" ", "")


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
    src = _proxied_image(src)
    try:
        path = unquote(urlsplit(src).path) if "://" in src or src.startswith("//") else unquote(src.split("?")[0])
    except ValueError:
        return ""
    segments = [s for s in path.replace("\\", "/").split("/") if s]
    if not segments:
        return ""
    stem = IMAGE_EXTENSIONS_RE.sub("", segments[-1])
    name = _name_from_stem(stem)
    numbered = bool(re.search(r"\d$", stem))  # "logo3.png": one of many files in a shared directory
    if not name and len(segments) > 1 and not numbered:
        # A generic file name ("logo.png") in a directory named after its owner ("acme/logo.png").
        directory = segments[-2]
        if directory.lower() not in GENERIC_DIRS and not TEMPLATE_VALUE_RE.search(directory):
            name = _name_from_stem(directory)
    return name


def proxied_image(src: str) -> str:
    """The address of the image itself: an image proxy's inner address, else `src` unchanged."""
    return _proxied_image(src)


def _proxied_image(src: str) -> str:
    """The image an image proxy serves ("/_next/image?url=%2Fimg%2Facme.png&w=256" → "/img/acme.png")."""
    if "?" not in src:
        return src
    path, query = src.split("?", 1)
    if IMAGE_EXTENSIONS_RE.search(path):
        return src
    for key, value in parse_qsl(query):
        if key.lower() in IMAGE_PROXY_PARAMS and IMAGE_EXTENSIONS_RE.search(value.split("?")[0]):
            return value
    return src


def _name_from_stem(stem: str) -> str:
    stem = CAMEL_RE.sub(" ", stem)
    parts = []
    for part in SPLIT_RE.split(stem):
        if not part or SIZE_OR_HASH_RE.match(part):
            continue  # sizes, versions, years and hashes go wherever they are
        if part[-1].isdigit() and FILENAME_NOISE_RE.match(part.rstrip("0123456789")):
            continue  # a numbered generic file ("logo-partners3", "Logo2") names no one
        if len(part) > 5 and not FILENAME_NOISE_RE.match(part):
            trimmed = GLUED_NOISE_RE.sub("", part)
            trimmed = GLUED_PREFIX_RE.sub("", trimmed) if len(trimmed) > 7 else trimmed
            if not trimmed:
                continue  # all noise ("padded402x")
            part = trimmed if len(trimmed) >= 2 else part
        parts.append(part)
    # Generic words ("logo", "white", "small") go only from the ends: "amazon-web-services" keeps "web".
    while parts and (FILENAME_NOISE_RE.match(parts[-1]) or (len(parts) > 1 and TRAILING_COLOUR_RE.match(parts[-1]))):
        parts.pop()
    while parts and FILENAME_NOISE_RE.match(parts[0]):
        parts.pop(0)
    return readable(" ".join(parts)) if parts else ""


def file_words(src: str) -> str:
    """The words of an image's file name, noise words kept: '/img/our-sponsors_2x.png' → 'our sponsors'
    (an image used as a heading says its heading in its file name)."""
    stem = IMAGE_EXTENSIONS_RE.sub("", unquote(src.split("?")[0]).rstrip("/").rsplit("/", 1)[-1])
    return " ".join(p for p in SPLIT_RE.split(CAMEL_RE.sub(" ", stem)) if p and not SIZE_OR_HASH_RE.match(p))


def name_from_domain(host: str) -> str:
    """A readable name from a host: 'www.twitch.tv' → 'Twitch', 'berlin-partner.de' → 'Berlin Partner'."""
    label = registrable_domain(host).split(".")[0]
    return readable(label.replace("-", " "))


@lru_cache(maxsize=8192)
def name_from_alt(alt: str) -> str:
    """The name an alt/title/aria text gives, without 'logo', 'visit … website' or a leading sponsor phrase."""
    if not alt or TEMPLATE_VALUE_RE.search(alt):
        return ""
    if IMAGE_EXTENSIONS_RE.search(alt.strip()):
        return name_from_filename(alt.strip())
    name = alt
    for _ in range(3):  # noise at the ends can stand behind other noise ("Acme logo (opens in a new tab)")
        name = clean(ALT_NOISE_RE.sub(" ", name)).strip(" -–—|:,.")
    # "Powered by Amazon Music" / "Presented by Acme": the phrase says it is a sponsor, the rest is the name.
    # "Listen on Amazon Music": a badge names the service it links to.
    name = BADGE_LEAD_RE.sub("", name).strip(" -–—|:,.") or name
    return ALT_SPONSOR_PHRASE_RE.sub("", name).strip(" -–—|:,.") or name


def name_from_profile(href: str) -> str:
    """A readable name from a profile link's handle: 'facebook.com/NorthwindRail' → 'Northwind Rail'; '' for a
    path that is no handle (a numeric id, a query, a nested page)."""
    try:
        segments = [s for s in urlsplit(href).path.split("/") if s]
    except ValueError:
        return ""
    if len(segments) != 1 or not re.fullmatch(r"@?[A-Za-z][\w.-]{2,}", segments[0]) or PAGE_FILE_RE.search(segments[0]):
        return ""
    name = readable(" ".join(p for p in SPLIT_RE.split(CAMEL_RE.sub(" ", segments[0].lstrip("@"))) if p))
    return name if is_name_like(name) else ""


def is_tier_label(text: str) -> bool:
    """True for a text made only of tier words ("Gold", "Media", "Silver level"): a tier's label, never a name."""
    words = WORD_RE.findall(fold(text))
    return bool(words) and all(w in TIER_WORDS or w in TIER_ONLY_WORDS or w in TIER_LABEL_WORDS for w in words)


def is_name_like(text: str) -> bool:
    """True for a short text that can be an organisation's name (not a sentence, question or placeholder)."""
    if not text or len(text) > MAX_NAME_CHARS or len(text.split()) > MAX_NAME_WORDS:
        return False
    if TEMPLATE_VALUE_RE.search(text) or NON_NAME_RE.match(fold(text)):
        return False
    if is_tier_label(text):
        return False  # "Gold", "Silver" in a table's first column or a <dt>: the tier, not a sponsor
    if "?" in text or "!" in text or text.endswith(":"):
        return False
    if text.endswith(".") and normalize_name(text.rsplit(" ", 1)[-1]) not in LEGAL_FORMS:
        return False  # a sentence, not a name (but "Acme Inc." is a name)
    return sum(c.isalnum() for c in text) >= 2  # one letter ("p-01.png" → "P") names no one


@lru_cache(maxsize=8192)
def agrees_with_link(name: str, host: str, path: str = "") -> bool:
    """True when a name and a link plausibly denote the same organisation (shared word, initials, path)."""
    compact = compact_name(name)
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
    if len(tokens) >= 2 and any(len(lab) >= 2 and initials.startswith(lab) for lab in labels):
        return True
    segments = {fold(seg) for seg in unquote(path).split("/") if seg}
    if len(tokens) >= 2 and initials in segments:
        return True  # the owner's page for one of its products ("Internet Explorer" → example.com/ie)
    # A word's stem in the host ("French Consulate" → consulfrance-…), or the host an abbreviation of the
    # name's words taken in order ("Standard Library" → stdlib, "Seoul … Short … Film Festival" → sesiff).
    stems = [t[:MIN_STEM_CHARS] for t in tokens if len(t) >= MIN_STEM_CHARS and t.isalpha()]
    if any(stem in lab for stem in stems for lab in labels):
        return True
    words = re.findall(r"[a-z0-9]+", fold(name))  # as written: normalising drops words ("Image") abbreviated too
    return 2 <= len(words) <= MAX_ABBREVIATED_WORDS and any(
        len(lab) >= MIN_ABBREVIATION_CHARS and _abbreviates(lab, tuple(words)) for lab in labels
    )


@lru_cache(maxsize=8192)
def _abbreviates(label: str, words: tuple[str, ...]) -> bool:
    """True when the label is pieces of the words in order, each piece starting a word and read in order from
    it ("stdlib" = st(an)d(ard) + lib(rary)); words may be skipped, but the first word is used."""

    def fits(pos: int, index: int) -> bool:
        if pos == len(label):
            return True
        for k in range(index, len(words)):
            word = words[k]
            if word[0] != label[pos] or (index == 0 and k > 0):
                continue
            # take 1..n letters of this word as a subsequence starting at its first letter
            i, j = pos + 1, 1
            if fits(i, k + 1):
                return True
            while i < len(label) and j < len(word):
                if word[j] == label[i]:
                    i += 1
                    if fits(i, k + 1):
                        return True
                j += 1
        return False

    return fits(0, 0)


# --------------------------------------------------------------------------------------------------
# Parsing: one lxml parse, hidden content removed
# --------------------------------------------------------------------------------------------------


def emphasis_text(unit: etree._Element) -> str:
    """The first name-like emphasised text (strong, b, h3–h6, figcaption, dt, a name/title class) in a unit."""
    for el in unit.iter("strong", "b", "h3", "h4", "h5", "h6", "figcaption", "dt"):
        text = clean(text_of(el))
        if is_name_like(text):
            return text
    for el in unit.iter("p", "span", "div"):
        cls = el.get("class") or ""
        if re.search(r"name|title|caption", cls, re.I) and len(el) == 0:
            text = clean(el.text)
            if is_name_like(text):
                return text
    return ""


def looks_like_url(value: str) -> bool:
    """True when a data-* value is a path or an image file, not a name."""
    return "/" in value or bool(IMAGE_EXTENSIONS_RE.search(value.strip()))


def choose_name(
    data_names: list[str],
    emphasis: str,
    alts: list[str],
    text: str,
    files: list[str],
    identity: tuple[str, str, str] | None,
    link_text: str = "",
    profile: str = "",
) -> str:
    """Name priority: data attribute, emphasised visible text, alt that agrees with the link, short visible
    text, the link's own text when the entry is a sentence, file name that agrees with the link, the link's
    domain; disagreeing alt/file only as a last resort."""
    host, path = (identity[1], identity[2]) if identity else ("", "")

    def ok(candidate: str) -> bool:
        return not identity or agrees_with_link(candidate, host, path)

    for candidate in data_names:
        if is_name_like(candidate):
            return candidate
    if emphasis:
        return emphasis
    for alt in alts:
        if is_name_like(alt) and ok(alt):
            return alt
    if is_name_like(text) and not STREAM_RE.search(text) and len(text) >= 2:
        return text
    if link_text and is_name_like(link_text) and not STREAM_RE.search(link_text):
        return link_text  # "Drinks by <a>Ice House Cold Brew</a>, proudly local": the link names the sponsor
    # A logo file whose name disagrees with the profile it links to: the sponsor's own page names it (a bare
    # icon linking to a profile is the event's own social link, never named after the handle).
    handle = name_from_profile(profile) if files and not identity else ""
    if handle and any(agrees_with_link(f, urlsplit(profile).hostname or "") for f in files):
        handle = ""  # the platform's own icon ("twitter.png"): the event's social link
    for file_name in files:
        if ok(file_name) and (not handle or agrees_with_link(file_name, "", handle)):
            return file_name
    if handle:
        return handle  # the sponsor's own page on a platform names it when the logo file disagrees
    if identity:
        return name_from_domain(host)
    for candidate in [*alts, *files]:
        if is_name_like(candidate):
            return candidate
    if is_name_like(text):
        return text
    return ""


# --------------------------------------------------------------------------------------------------
# A glued name as the page writes it
# --------------------------------------------------------------------------------------------------

# A name read from a domain or a file name is glued ("calderbrewing.com" → "Calderbrewing"); the page may
# write the same letters as a name elsewhere ("Calder Brewing" in a sentence, an alt, a title, a link).
MIN_GLUED_CHARS = 5  # shorter glued names ("Acme", "AWS") are read as they are
# What may stand between the words of a glued name where the page writes it ("Calder Brewing", "Calder-Brewing").
WRITTEN_SEPARATORS = r"[\s\-.&'’+·]+"
WRITTEN_SPLIT_RE = re.compile(WRITTEN_SEPARATORS)
MAX_WRITTEN_WORDS = 4  # a glued name is looked for as at most this many of the page's words
MAX_SPLITS = 4  # ways of cutting one glued name into the page's words that are looked for
MAX_SPELLED_NAMES = 1_000  # glued names looked up on one page: a bound for hostile pages
MAX_SPELLING_HITS = 50  # places read per way of writing one name
# Where a name is written on a page besides its visible text (which includes link texts).
NAME_ATTRIBUTES_XPATH = "//@alt|//@title|//@aria-label"
GLUED_KEY_RE = re.compile(r"[\W_]+")
_ASCII_PUNCTUATION = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_PUNCTUATION_TO_SPACE = bytes.maketrans(_ASCII_PUNCTUATION, b" " * len(_ASCII_PUNCTUATION))


def _glued_key(name: str) -> str:
    """The letters and digits of a name, lower case: 'Calder Brewing' and 'calderbrewing' share 'calderbrewing'."""
    return GLUED_KEY_RE.sub("", fold(name))


def is_glued(name: str) -> bool:
    """True for a one-word name read from a domain or a file, as `readable` writes it ('Calderbrewing')."""
    # A name the page itself writes in lower case ("twitch" as a card's title) is the page's own spelling.
    return len(name) >= MIN_GLUED_CHARS and name.isalnum() and name[0].isupper() and name[1:] == name[1:].lower()


def _written_as_name(form: str) -> bool:
    """True when a string of the page is written as a name: every word capitalised (or a digit), connectives
    ("of", "de") aside — "Calder Brewing", not "the salt marsh" in a sentence."""
    words = [w for w in WRITTEN_SPLIT_RE.split(form) if w]
    if not words or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in LIST_CONNECTORS for w in words)


def _splits(key: str, words: set[bytes]) -> list[tuple[str, ...]]:
    """Ways of cutting a glued key into words the page has ('calderbrewing' → ('calder', 'brewing')), longest
    words first; a cut that cannot be finished is remembered, so a page of one-letter words costs little."""
    found: list[tuple[str, ...]] = []
    dead: set[tuple[int, int]] = set()

    def cut(pos: int, pieces: tuple[str, ...]) -> bool:
        if pos == len(key):
            found.append(pieces)
            return True
        if len(pieces) == MAX_WRITTEN_WORDS or (pos, len(pieces)) in dead:
            return False
        finished = False
        for end in range(len(key), pos, -1):
            if len(found) >= MAX_SPLITS:
                return True
            if key[pos:end].encode() in words and cut(end, (*pieces, key[pos:end])):
                finished = True
        if not finished:
            dead.add((pos, len(pieces)))
        return finished

    cut(0, ())
    return found


def page_spellings(names: list[str], texts: list[str]) -> dict[str, str]:
    """For each glued name, the page's own spacing and casing of it: a string of the texts equal to it once
    spaces and punctuation are removed, written as a name and not glued the same way ('Calderbrewing' →
    'Calder Brewing', 'Quillworks' → 'QuillWorks'). Names the page never writes otherwise are left out; a
    spelling in capitals only keeps its spacing ('CALDER BREWING' → 'Calder Brewing')."""
    keys: dict[str, str] = {}
    for name in names:
        key = _glued_key(name)
        if is_glued(name) and key.isascii() and len(keys) < MAX_SPELLED_NAMES:
            keys.setdefault(key, name)
    if not keys:
        return {}
    text = "\n".join(texts)
    lowered = text.lower()
    if len(lowered) != len(text):
        return {}  # a letter whose lower case is longer: positions would not line up (rare; names stay glued)
    words = set(lowered.encode("utf-8", "replace").translate(_PUNCTUATION_TO_SPACE).split())
    spelled: dict[str, str] = {}
    for key, name in keys.items():
        forms: list[str] = []
        for pieces in _splits(key, words):
            pattern = re.compile(WRITTEN_SEPARATORS.join(re.escape(p) for p in pieces))  # a literal start: fast
            for m in islice(pattern.finditer(lowered), MAX_SPELLING_HITS):
                start, end = m.span()
                if (start and lowered[start - 1].isalnum()) or (end < len(lowered) and lowered[end].isalnum()):
                    continue  # part of a longer word
                form = " ".join(text[start:end].split())
                if form == name or not _written_as_name(form):
                    continue
                if form.isupper():
                    if len(pieces) == 1:
                        continue  # "CALDERBREWING": the page adds nothing
                    form = readable(form.lower())
                forms.append(form)
        if forms:
            # The most frequent spelling, the first written on a tie.
            spelled[name] = max(forms, key=lambda f: (forms.count(f), -forms.index(f)))
    return spelled


def page_texts(root: etree._Element, body_text: str) -> list[str]:
    """Everywhere a page writes a name: its visible text (link texts included), title, alt, title and aria
    attributes."""
    texts = [body_text, root.findtext(".//title") or ""]
    texts.extend(str(v) for v in root.xpath(NAME_ATTRIBUTES_XPATH))
    return texts
