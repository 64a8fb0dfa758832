"""Writing the batch report: the format chosen by the output's extension, written atomically."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from sponsorcheck.allow import AllowlistFile
from sponsorcheck.batch.table import Table
from sponsorcheck.errors import OutputError, UsageError
from sponsorcheck.models import Result, Verdict
from sponsorcheck.report import document, to_csv, to_markdown
from sponsorcheck.watchlist import Watchlist

OUTPUT_SUFFIXES = (".csv", ".json", ".md", ".xlsx")


def output_format(path: str | Path) -> str:
    """The report format for an output path by its extension; raise UsageError for an unknown one."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise UsageError(f"{path}: cannot tell the report format; end the name in {', '.join(OUTPUT_SUFFIXES)}")
    if suffix == ".xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise UsageError("writing .xlsx needs openpyxl: pip install 'sponsorcheck[xlsx]' (or use .csv)") from None
    return suffix[1:]


def check_writable(path: str | Path) -> None:
    """Raise OutputError now if a report cannot be written at `path` (before any work is done)."""
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name such as report.csv")
    output_format(p)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{path}: the folder {parent} does not exist")
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputError(f"{path}: the file is not writable")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{p.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {parent}: {exc.strerror}") from None


def render_report(
    results: Sequence[Result],
    table: Table,
    watchlists: Sequence[Watchlist],
    fmt: str,
    allowlists: Sequence[AllowlistFile] = (),
) -> bytes:
    """The report bytes in one of the formats: csv, json (naming every allowlist file read), md, xlsx."""
    if fmt == "csv":
        return to_csv(results, table.columns).encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    if fmt == "json":
        doc = document(results, watchlists, allowlists)
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "md":
        return to_markdown(results, table.columns).encode("utf-8")
    if fmt == "xlsx":
        from sponsorcheck.report import to_xlsx

        return to_xlsx(results, table.columns)
    raise UsageError(f"unknown report format {fmt!r}")


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write the file through a temporary file in the same folder and a rename: never half a report."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); a report gets the mode of the file it replaces, or
        # the usual mode for a new file (0666 less the umask).
        try:
            mode = p.stat().st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"{path}: cannot write the report: {exc.strerror}") from None


def write_report(
    path: str | Path,
    results: Sequence[Result],
    table: Table,
    watchlists: Sequence[Watchlist],
    allowlists: Sequence[AllowlistFile] = (),
) -> None:
    """Write the report in the format its extension names, atomically."""
    write_atomic(path, render_report(results, table, watchlists, output_format(path), allowlists))


def verdict_counts(results: Iterable[Result]) -> dict[Verdict, int]:
    """How many rows got each verdict (every verdict listed, zeros included)."""
    counts = dict.fromkeys(Verdict, 0)
    for r in results:
        counts[r.verdict] += 1
    return counts
