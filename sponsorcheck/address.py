"""Web addresses as people write them: one rule for `check` arguments and `batch` cells.

People paste addresses from e-mails (`<https://fest.example/>`), type them without a scheme
(`fest.example/sponsors`) or put two in one cell. `web_address` turns each into the URL to fetch and a
note saying what was added, or refuses it with one line (UsageError). Which scheme is added: https://
for every host, except local addresses (localhost, *.localhost, 127.0.0.0/8, ::1), where http:// is
added because a server on one's own machine (a test server, a preview) rarely speaks HTTPS.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sponsorcheck.errors import UsageError
from sponsorcheck.fetch import validate_url

# Wrappers a pasted address arrives in: e-mail angle brackets, quotes, brackets (outermost first).
WRAPPERS = (("<", ">"), ('"', '"'), ("'", "'"), ("“", "”"), ("‘", "’"), ("(", ")"), ("[", "]"))
# Punctuation a sentence leaves after an address ("see fest.example/sponsors.") that no URL ends in.
TRAILING_PUNCTUATION = ".,;:!?"
# Separators between several addresses in one cell: whitespace, and ; or , followed by whitespace.
SEPARATOR = re.compile(r"\s+|[;,](?=\s|$)|[,;|](?=<?https?://)", re.IGNORECASE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# A bare address: a dotted host name (or localhost / an IPv4 address), an optional port, then a path.
BARE_ADDRESS = re.compile(r"^(?:localhost|[\w-]+(?:\.[\w-]+)+)(?::\d{1,5})?(?:[/?#]\S*)?$", re.IGNORECASE)
DEFAULT_SCHEME = "https://"
LOCAL_SCHEME = "http://"
LOCAL_HOSTS = ("localhost",)
LOCAL_SUFFIX = ".localhost"


@dataclass(frozen=True)
class Address:
    """The URL to fetch for what a person wrote, and a note when it was changed ("" when taken as written)."""

    url: str
    note: str = ""

    @property
    def notes(self) -> tuple[str, ...]:
        """The note as a Result's `notes` (empty when the address was taken as written)."""
        return (self.note,) if self.note else ()


def _unwrap(text: str) -> str:
    changed = True
    while changed and len(text) > 2:
        changed = False
        for left, right in WRAPPERS:
            if text.startswith(left) and text.endswith(right):
                text, changed = text[1:-1].strip(), True
    if text.lower().startswith("url:"):  # "URL: https://…" from an e-mail signature or a form
        text = text[4:].strip()
    return text


def _looks_like_address(token: str) -> bool:
    token = _unwrap(token).rstrip(TRAILING_PUNCTUATION)
    return bool(SCHEME.match(token) or BARE_ADDRESS.match(token))


def is_local_host(host: str) -> bool:
    """True for this machine's names: localhost, *.localhost and loopback IP addresses."""
    host = host.lower().strip("[]")
    if host in LOCAL_HOSTS or host.endswith(LOCAL_SUFFIX):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def scheme_for(bare: str) -> str:
    """The scheme added to an address written without one: http:// for local hosts, else https://."""
    host = urlsplit("//" + bare).hostname or ""
    return LOCAL_SCHEME if is_local_host(host) else DEFAULT_SCHEME


def looks_like_address(text: str) -> bool:
    """True when the text is written like a web address (with or without a scheme, wrapped or not)."""
    return any(_looks_like_address(t) for t in SEPARATOR.split(text.strip()) if t)


def web_address(text: str, unit: str = "cell") -> Address:
    """The one http(s) URL the text names, and what was added to it; UsageError (one line) otherwise.

    Accepted: a URL; one wrapped in <>, quotes or brackets; one without a scheme (https:// added, or
    http:// for a local address — the note says which). Refused: no address, several addresses, a
    scheme other than http(s)."""
    raw = text.strip()
    if not raw:
        raise UsageError("no URL in this row")
    tokens = [t for t in SEPARATOR.split(raw) if t]
    addresses = [t for t in tokens if _looks_like_address(t)]
    if len(addresses) > 1:
        shown = ", ".join(_unwrap(a).rstrip(TRAILING_PUNCTUATION)[:80] for a in addresses[:3])
        more = f" and {len(addresses) - 3} more" if len(addresses) > 3 else ""
        one = "row" if unit == "cell" else unit
        raise UsageError(f"{len(addresses)} web addresses in one {unit} ({shown}{more}); give one address per {one}")
    candidate = _unwrap(raw)
    if candidate != raw:
        candidate = candidate.rstrip(TRAILING_PUNCTUATION) if not SCHEME.match(candidate) else candidate
    notes: list[str] = []
    if candidate != raw:
        notes.append(f"read {candidate!r} out of {raw[:200]!r}")
    if SCHEME.match(candidate):
        return Address(validate_url(candidate), "; ".join(notes))
    if BARE_ADDRESS.match(candidate):
        scheme = scheme_for(candidate)
        why = " (a local address: servers on this machine rarely speak HTTPS)" if scheme == LOCAL_SCHEME else ""
        notes.append(f"{scheme} was added to {candidate[:200]!r}{why}")
        return Address(validate_url(scheme + candidate), "; ".join(notes))
    raise UsageError(f"{raw[:200]!r} is not a web address")


# Host-like words that are file names when written without a path ("sponsors.html" is a saved page,
# not the host sponsors.html): the suffixes of the files `check` reads.
FILE_SUFFIXES = ("html", "htm", "xhtml", "shtml", "md", "markdown", "txt", "json", "jsonld", "xml", "yml", "yaml")
STDIN = "-"
ARGUMENT = "argument"


def target_address(target: str) -> Address:
    """A `check` TARGET as a URL to fetch (with the note of what was added) or as given (a file or "-").

    An existing file, "-" and a file-like name ("sponsors.html") stay as given; anything written like a
    web address is read by `web_address`, as batch reads a cell. UsageError for a bad address."""
    text = target.strip()
    if target == STDIN or SCHEME.match(text):
        return web_address(text, ARGUMENT) if target != STDIN else Address(target)
    try:
        if Path(target).exists():
            return Address(target)
    except OSError:
        pass
    if len([t for t in SEPARATOR.split(text) if _looks_like_address(t)]) > 1:
        return web_address(text, ARGUMENT)  # raises: several addresses in one argument
    bare = _unwrap(text)
    host_only = "/" not in bare and "?" not in bare and "#" not in bare
    if host_only and bare.rsplit(".", 1)[-1].lower() in FILE_SUFFIXES:
        return Address(target)  # a saved page's name: "no such file" says more than a DNS failure
    if _looks_like_address(text):
        return web_address(text, ARGUMENT)
    return Address(target)
