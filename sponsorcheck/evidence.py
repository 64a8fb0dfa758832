"""Evidence: what a page showed, and when, for every conflict or review (`--evidence DIR`).

A musician who turns down a gig over a sponsor may say so in public; this keeps the record. One
folder per checked target, named from its host, path and URL hash plus the UTC time, holding:
  fetched.html    the page's bytes exactly as the server sent them (from the cache: its decoded text)
  rendered.html   the DOM the browser built, when the page was rendered
  screenshot.png  a full-page screenshot, when the page was rendered
  record.json     URL, final URL, UTC time, HTTP status, verdict, findings with their evidence, the
                  tool's and watchlists' versions, and each file's size and sha256
  SHA256SUMS      the same hashes in `sha256sum -c` form
Pages followed from the first one get the same files numbered (fetched-2.html …).

Guarantees: nothing outside DIR is written; DIR must be empty, new, or already one of ours (it holds
the marker file); a folder or file is created only if it does not exist, so no file is ever overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sponsorcheck import __version__
from sponsorcheck.errors import OutputError
from sponsorcheck.models import Result
from sponsorcheck.watchlist import Watchlist

if TYPE_CHECKING:
    from sponsorcheck.pipeline import PageRead

MARKER = ".sponsorcheck-evidence"
MARKER_TEXT = "This folder holds evidence saved by sponsorcheck (--evidence). sponsorcheck only adds to it.\n"
RECORD_NAME = "record.json"
SUMS_NAME = "SHA256SUMS"
MAX_SLUG = 60  # characters of host and path in a folder name
_UNSAFE_HOST = re.compile(r"[^a-z0-9.-]+")
_DOTS = re.compile(r"\.{2,}")
_WORD = re.compile(r"[a-z0-9]+")
UTC_STAMP = "%Y%m%dT%H%M%SZ"
MAX_SUFFIX = 1000


def _now() -> datetime:
    return datetime.now(timezone.utc)


def folder_name(url: str, when: datetime) -> str:
    """A safe, predictable folder name: host and path words in [a-z0-9.-], 8 hex of the URL's sha256, UTC time."""
    try:
        parts = urlsplit(url)
        host, path = (parts.hostname or "", parts.path) if parts.scheme in ("http", "https") else ("", url)
    except ValueError:
        host, path = "", ""
    host = _DOTS.sub(".", _UNSAFE_HOST.sub("-", host.lower())).strip("-.")
    words = "-".join(_WORD.findall(path.lower()))
    slug = "-".join(p for p in (host, words) if p)[:MAX_SLUG].strip("-.") or "page"
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug}-{digest}-{when.strftime(UTC_STAMP)}"


class EvidenceStore:
    """Writes one evidence folder per conflict or review under `root` (safe to use from several threads)."""

    def __init__(self, root: str | Path, watchlists: Sequence[Watchlist], clock: Callable[[], datetime] = _now) -> None:
        """Open (or create) DIR; raise OutputError if it is a file or a folder of the user's own."""
        self.root = Path(root)
        self.watchlists = tuple(watchlists)
        self._clock = clock
        self._lock = threading.Lock()
        marker = self.root / MARKER
        try:
            if self.root.exists() and not self.root.is_dir():
                raise OutputError(f"--evidence {root}: is a file, not a folder; give a new or empty folder")
            if self.root.is_dir() and not marker.is_file() and any(self.root.iterdir()):
                raise OutputError(
                    f"--evidence {root}: the folder has files that are not sponsorcheck's evidence; "
                    "give a new or empty folder (nothing in it was changed)"
                )
            self.root.mkdir(parents=True, exist_ok=True)
            if not marker.is_file():
                with open(marker, "x", encoding="utf-8") as out:
                    out.write(MARKER_TEXT)
        except OSError as exc:
            why = exc.strerror or exc
            raise OutputError(f"--evidence {root}: cannot write there ({why}); choose another folder") from None

    def save(self, result: Result, reads: Sequence[PageRead]) -> str:
        """Write the evidence folder for one result; return its path. Raises OutputError if the disk refuses."""
        when = self._clock()
        try:
            folder = self._new_folder(result.url or result.target, when)
            files: dict[str, dict[str, Any]] = {}
            pages: list[dict[str, Any]] = []
            for n, read in enumerate(reads, start=1):
                suffix = "" if n == 1 else f"-{n}"
                page = read.page
                fetched = page.body if page.body is not None else page.text.encode("utf-8")
                entry: dict[str, Any] = {
                    "url": page.target if n == 1 and page.target != page.url else page.url,
                    "final_url": page.url,
                    "http_status": page.status,
                    "from_cache": page.from_cache,
                    "fetched": self._write(folder, f"fetched{suffix}.html", fetched, files),
                    "fetched_is": "bytes as sent by the server"
                    if page.body is not None
                    else "decoded text (UTF-8) from the page cache or a file",
                    "rendered": read.rendered is not None,
                }
                if read.rendered is not None:
                    r = read.rendered
                    entry["rendered_url"] = r.url
                    entry["rendered_dom"] = self._write(folder, f"rendered{suffix}.html", r.html.encode(), files)
                    if r.screenshot:
                        entry["screenshot"] = self._write(folder, f"screenshot{suffix}.png", r.screenshot, files)
                    entry["render"] = {
                        "seconds": round(r.seconds, 2),
                        "network_quiet": r.quiet,
                        "scroll_steps": r.scroll_steps,
                        "requests_blocked": r.blocked,
                    }
                if read.render_error:
                    entry["render_error"] = read.render_error
                pages.append(entry)
            record = {
                "tool": {"name": "sponsorcheck", "version": __version__},
                "watchlists": [{"id": w.id, "name": w.name, "version": w.version} for w in self.watchlists],
                "checked_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "target": result.target,
                "url": result.target,
                "final_url": result.url,
                "http_status": reads[0].page.status if reads else None,
                "verdict": result.verdict.value,
                "pages": pages,
                "findings": [_finding(f) for f in result.findings],
                "files": files,
            }
            self._write(folder, RECORD_NAME, json.dumps(record, indent=2, ensure_ascii=False).encode() + b"\n", None)
            sums = "".join(f"{meta['sha256']}  {name}\n" for name, meta in files.items())
            self._write(folder, SUMS_NAME, sums.encode(), None)
        except OSError as exc:
            why = exc.strerror or exc
            raise OutputError(f"--evidence {self.root}: cannot write ({why}); choose another folder") from None
        return str(folder)

    def _new_folder(self, url: str, when: datetime) -> Path:
        base = folder_name(url, when)
        with self._lock:
            for n in range(1, MAX_SUFFIX):
                folder = self.root / (base if n == 1 else f"{base}-{n}")
                try:
                    folder.mkdir()  # never an existing folder: what is there stays as it is
                except FileExistsError:
                    continue
                return folder
        raise OutputError(f"--evidence {self.root}: too many folders named {base}; choose another folder")

    @staticmethod
    def _write(folder: Path, name: str, data: bytes, files: dict[str, dict[str, Any]] | None) -> str:
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)  # never over an existing file
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if files is not None:
            files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        return name


def _finding(f: Any) -> dict[str, Any]:
    """A finding as the JSON report shows it (imported late: report imports the pipeline's types)."""
    from sponsorcheck.report import finding_dict

    return finding_dict(f)
