"""The journal: each finished row appended as one JSON line as it completes, so --resume loses nothing.

Format 2 (JOURNAL_FORMAT) starts with a header line naming the run it belongs to: the input's path and
sha256 and the settings that change answers (watchlists, allowlists, follow, min-score, render,
robots.txt, the URL column). A resume whose input or settings differ is refused with one line saying
what differs, and a fresh run never replaces the unfinished journal of another tour. Row lines are
unchanged from format 1 ({"row", "url", "result"}); a format-1 journal (no header) is still resumed,
matched row by row as before. Fields are only ever added. A header naming any other format (a newer
release's journal, or a damaged one) is refused with one line: its rows may not mean the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from sponsorcheck.batch.table import InputRow, Table
from sponsorcheck.errors import InputFileError, OutputError, UsageError
from sponsorcheck.models import Result
from sponsorcheck.report import result_dict, result_from_dict

JOURNAL_SUFFIX = ".journal.jsonl"
JOURNAL_FORMAT = 2  # 2: a header line with the input's sha256 and the settings (see the module docstring)
HEADER_KEY = "journal"  # the header line's marker (its value is the format number)
# How each recorded setting is named when a resume differs (the option a person would change).
SETTING_WORDS = {
    "watchlists": "--watchlist",
    "allowlists": "--allow (or .sponsorcheck-allow.yaml)",
    "follow": "--follow/--no-follow",
    "min_score": "--min-score",
    "render": "--render",
    "robots": "--ignore-robots",
    "url_column": "--url-column",
}


def file_sha256(path: str | Path) -> str:
    """The file's sha256 (hex); "" when it cannot be read (a missing file differs from any real one)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def run_settings(
    *,
    watchlists: Sequence[Any],
    allowlists: Sequence[Any],
    follow: int,
    min_score: int,
    render: str,
    robots: bool,
    url_column: str,
) -> dict[str, Any]:
    """The settings that change a row's answer, as the journal records them (file contents by sha256)."""
    return {
        "watchlists": [f"{w.id} {w.version} {file_sha256(w.path)[:16] if w.path else ''}".strip() for w in watchlists],
        "allowlists": [f"{a.path} {file_sha256(a.path)[:16]}" for a in allowlists],
        "follow": follow,
        "min_score": min_score,
        "render": render,
        "robots": robots,
        "url_column": url_column,
    }


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v).split(" ")[0] for v in value) or "none"
    return str(value)


def settings_difference(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """What differs between two runs' settings, one short phrase each ("--min-score 90 (was 85)")."""
    differences = []
    for key, now in current.items():
        if key not in recorded or recorded[key] == now:
            continue  # a setting an older journal did not record is not a difference
        was = recorded[key]
        word = SETTING_WORDS.get(key, key)
        if isinstance(now, list) and _shown(now) == _shown(was):
            differences.append(f"{word} {_shown(now)} (the file's content changed)")
        else:
            differences.append(f"{word} {_shown(now)} (was {_shown(was)})")
    return differences


def other_format(path: Path, version: object) -> str:
    """One line: the journal is in a format this release does not read, and what to do."""
    return (
        f"--resume: {path} is a journal in format {repr(version)[:40]}, which this sponsorcheck does not read "
        f"(it reads format {JOURNAL_FORMAT}, and format 1); run without --resume to check every row again"
    )


class Journal:
    """Finished rows, one JSON line each, appended and flushed as they complete (beside the output)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def path_for(output: str | Path) -> Path:
        """The journal's path for a report path: report.csv → report.csv.journal.jsonl."""
        p = Path(output)
        return p.with_name(p.name + JOURNAL_SUFFIX)

    def header(self) -> dict[str, Any] | None:
        """The journal's header line (format 2 and later); None for a missing, empty or format-1 journal."""
        try:
            with open(self.path, encoding="utf-8") as f:
                first = f.readline()
        except (OSError, UnicodeDecodeError):
            return None
        try:
            entry = json.loads(first)
        except ValueError:
            return None
        return entry if isinstance(entry, dict) and HEADER_KEY in entry else None

    def has_rows(self) -> bool:
        """True when the journal holds at least one finished row (an unfinished run worth keeping)."""
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                return any('"row"' in line for line in f)
        except OSError:
            return False

    def check_resume(self, input_path: str | Path, input_sha256: str, settings: Mapping[str, Any]) -> str:
        """Before a --resume: UsageError (one line) when the journal is another input's or other settings';
        "" when it matches, else a note to show (no journal to resume, or one too old to check)."""
        if not self.path.exists():
            return f"nothing to resume: {self.path} does not exist; checking every row"
        head = self.header()
        if head is None:
            if self.has_rows():
                return f"{self.path} was written by an older version: its settings cannot be compared"
            return ""
        if head.get(HEADER_KEY) != JOURNAL_FORMAT:
            raise UsageError(other_format(self.path, head.get(HEADER_KEY)))
        if head.get("input_sha256") and head["input_sha256"] != input_sha256:
            raise UsageError(
                f"--resume: {input_path} is not the tour the interrupted run read ({head.get('input', '?')}, "
                "since changed or another file); give that file, or run without --resume to start again"
            )
        differences = settings_difference(head.get("settings") or {}, settings)
        if differences:
            raise UsageError(
                "--resume: the interrupted run used other settings: "
                + "; ".join(differences)
                + "; run it with the same settings, or without --resume to start again"
            )
        return ""

    def check_fresh(self, input_path: str | Path, input_sha256: str) -> str:
        """Before a run without --resume: UsageError when the journal holds another tour's unfinished run
        (it is never replaced silently); a note when this tour's unfinished run is started again; else ""."""
        if not self.has_rows():
            return ""
        head = self.header()
        if head is None or head.get("input_sha256") != input_sha256:
            was = str(head.get("input") or "") if head else ""
            if was and Path(was).resolve() == Path(input_path).resolve():
                whose = f" of {was} as it was before it was edited"
            else:
                whose = f" of another tour ({was})" if was else " of another tour"
            raise UsageError(
                f"{self.path} holds the unfinished run{whose}; finish it with --resume, "
                "or give another --output (delete the journal to discard that run)"
            )
        return f"starting again: the unfinished run in {self.path} is replaced (--resume would have continued it)"

    def load(self, table: Table) -> dict[int, Result]:
        """Rows already finished for this input (same row position and URL); a torn last line is ignored."""
        done: dict[int, Result] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return done
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"{self.path}: cannot read the journal to resume: {exc}") from None
        rows = {r.index: r for r in table.rows}
        for line in lines:
            try:
                entry = json.loads(line)
                row = rows.get(entry["row"])
                if row is None or entry.get("url") != row.url:
                    continue  # the input changed since: check this row again
                done[row.index] = replace(result_from_dict(entry["result"]), row=row.cells)
            except (ValueError, KeyError, TypeError):
                continue  # the line being written when the last run was killed
        return done

    def open(self, fresh: bool, header: Mapping[str, Any] | None = None) -> None:
        """Open for appending (truncate when not resuming), starting a fresh journal with `header`
        (see `header_for`); raise OutputError if it cannot be written."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            starting = fresh or not self.path.exists() or self.path.stat().st_size == 0
            self._file = open(self.path, "w" if fresh else "a", encoding="utf-8")  # noqa: SIM115 — kept open
            if starting and header is not None:
                self._file.write(json.dumps(dict(header), ensure_ascii=False) + "\n")
                self._file.flush()
        except OSError as exc:
            raise OutputError(f"cannot write the journal {self.path}: {exc.strerror}") from None

    @staticmethod
    def header_for(input_path: str | Path, input_sha256: str, settings: Mapping[str, Any]) -> dict[str, Any]:
        """The header line of a format-2 journal: which input (path and sha256) and which settings."""
        return {
            HEADER_KEY: JOURNAL_FORMAT,
            "input": str(input_path),
            "input_sha256": input_sha256,
            "settings": dict(settings),
        }

    def append(self, row: InputRow, result: Result) -> None:
        """Append one finished row and flush it to the OS (survives Ctrl-C and a killed process)."""
        if self._file is None:
            return
        line = json.dumps({"row": row.index, "url": row.url, "result": result_dict(result)}, ensure_ascii=False)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self, remove: bool = False) -> None:
        """Close; remove the file when the report it protects has been written in full."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if remove:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
