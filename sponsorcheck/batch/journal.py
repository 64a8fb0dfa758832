"""The journal: each finished row appended as one JSON line as it completes, so --resume loses nothing.

Every line carries the journal's format `version` (first key). A resumed run reads only its own
format: a journal written in another (an older sponsorcheck's unversioned lines, or a newer one's)
is refused with one line instead of being half-read, because its results may not mean the same.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import IO

from sponsorcheck.batch.table import InputRow, Table
from sponsorcheck.errors import InputFileError, OutputError
from sponsorcheck.models import Result
from sponsorcheck.report import result_dict, result_from_dict

JOURNAL_SUFFIX = ".journal.jsonl"
# Format of a journal line. 1: the unversioned lines of earlier releases; 2: the same fields plus `version`.
JOURNAL_FORMAT = 2


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
            except ValueError:
                continue  # the line being written when the last run was killed
            if isinstance(entry, dict) and entry.get("version", 1) != JOURNAL_FORMAT:
                raise InputFileError(_other_format(self.path, entry.get("version", 1)))
            try:
                row = rows.get(entry["row"])
                if row is None or entry.get("url") != row.url:
                    continue  # the input changed since: check this row again
                done[row.index] = replace(result_from_dict(entry["result"]), row=row.cells)
            except (ValueError, KeyError, TypeError):
                continue  # the line being written when the last run was killed
        return done

    def open(self, fresh: bool) -> None:
        """Open for appending (truncate when not resuming); raise OutputError if it cannot be written."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w" if fresh else "a", encoding="utf-8")  # noqa: SIM115 — kept open
        except OSError as exc:
            raise OutputError(f"cannot write the journal {self.path}: {exc.strerror}") from None

    def append(self, row: InputRow, result: Result) -> None:
        """Append one finished row and flush it to the OS (survives Ctrl-C and a killed process)."""
        if self._file is None:
            return
        entry = {"version": JOURNAL_FORMAT, "row": row.index, "url": row.url, "result": result_dict(result)}
        line = json.dumps(entry, ensure_ascii=False)
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


def _other_format(path: Path, version: object) -> str:
    """One line: the journal is in a format this release does not read, and what to do."""
    shown = repr(version)[:40]
    which = "an older" if isinstance(version, int) and version < JOURNAL_FORMAT else "another"
    return (
        f"{path}: journal format {shown} was written by {which} sponsorcheck (this one reads format "
        f"{JOURNAL_FORMAT}); run without --resume to check every row again"
    )
