"""Reading files people hand us (pages, watchlists, allowlists, tours) with one set of clear errors.

Each caller names what the file should be and which error family to raise, so a missing file, a
directory, a huge file or a permission problem reads the same everywhere and maps to the right exit
code. `refuse_overwriting_input` keeps a report from replacing the file it was made from.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sponsorcheck.errors import OutputError, SponsorcheckError


def check_user_file(
    path: str | Path, *, error: type[SponsorcheckError], what: str, max_bytes: int, advice: str = ""
) -> Path:
    """The path, if it names a readable regular file of at most max_bytes; else `error` with one line."""
    p = Path(path)
    hint = f"; {advice}" if advice else ""
    try:
        if p.is_dir():
            raise error(f"{path}: is a directory, not {what}{hint}")
        size = p.stat().st_size
    except FileNotFoundError:
        raise error(f"{path}: no such file{hint}") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None
    if size > max_bytes:
        raise error(f"{path}: larger than {max_bytes // 1_000_000} MB; is it {what}?")
    return p


def read_user_file(
    path: str | Path, *, error: type[SponsorcheckError], what: str, max_bytes: int, advice: str = ""
) -> bytes:
    """The file's bytes, after check_user_file; any read failure is `error` with one line."""
    p = check_user_file(path, error=error, what=what, max_bytes=max_bytes, advice=advice)
    try:
        return p.read_bytes()
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None


def read_user_text(
    path: str | Path, *, error: type[SponsorcheckError], what: str, max_bytes: int, advice: str = ""
) -> str:
    """The file as UTF-8 text (a BOM is dropped); a file that is not UTF-8 is `error` with one line."""
    data = read_user_file(path, error=error, what=what, max_bytes=max_bytes, advice=advice)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{path}: not a UTF-8 text file") from None


def refuse_overwriting_input(output: str | Path, inputs: Sequence[str | Path], *, flag: str = "--output") -> None:
    """OutputError (exit 2) when `output` is one of `inputs` — the same file after resolving links,
    hard links and `..` — so a report never replaces the file it was made from. Call before any work."""
    out = Path(output)
    for given in inputs:
        source = Path(given)
        try:
            same = out.exists() and source.exists() and os.path.samefile(out, source)
        except OSError:
            same = False
        if same or _resolved(out) == _resolved(source):
            raise OutputError(
                f"{flag} {output} is the input file {given}; give the report another name "
                "(the input is never overwritten)"
            )


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare as given
        return path.absolute()
