"""Reading files people hand us (pages, watchlists, allowlists, tours) with one set of clear errors.

Each caller names what the file should be and which error family to raise, so a missing file, a
directory, a huge file or a permission problem reads the same everywhere and maps to the right exit
code.
"""

from __future__ import annotations

from pathlib import Path

from sponsorcheck.errors import SponsorcheckError


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
