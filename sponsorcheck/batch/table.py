"""Input tables: a tour spreadsheet read into rows, and the URL each row names.

Reading: CSV/TSV with a header row (delimiter and encoding sniffed) or .xlsx through openpyxl; the
URL column found by name; every other column carried through unchanged.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sponsorcheck.address import Address, web_address
from sponsorcheck.errors import InputFileError
from sponsorcheck.files import check_user_file, read_user_file

# Header names that mean "the event's web address", compared after casefolding and squeezing
# punctuation to single spaces; earlier names win when a sheet has several. Multilingual on purpose.
URL_COLUMN_NAMES = (
    "url",
    "event url",
    "event link",
    "festival url",
    "venue url",
    "link",
    "website",
    "web site",
    "homepage",
    "web",
    "site",
    "page",
    "event page",
    "webseite",
    "internetseite",
    "site web",
    "site internet",
    "lien",
    "sitio web",
    "enlace",
    "página web",
    "pagina web",
    "sito web",
    "sito",
    "link evento",
)
# Words that make a header a URL column when no exact name matched ("Festival website", "Ticket link").
URL_COLUMN_WORDS = ("url", "website", "link", "homepage", "webseite", "lien", "enlace")
DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 50  # rows read to choose the delimiter
XLSX_SUFFIXES = (".xlsx", ".xlsm")
MAX_INPUT_BYTES = 50_000_000  # far beyond any tour; a bigger file is a mistake


@dataclass(frozen=True)
class InputRow:
    """One data row of the input: its cells in column order, and the raw URL cell."""

    index: int  # 0-based among data rows (the journal's key, with the URL)
    line: int  # 1-based row number in the spreadsheet, header included (for messages)
    cells: tuple[tuple[str, str], ...]
    url: str


@dataclass(frozen=True)
class Table:
    """A parsed input file."""

    path: str
    columns: tuple[str, ...]
    rows: tuple[InputRow, ...]
    url_column: str
    encoding: str = "utf-8"
    delimiter: str = ","


def _squeeze(name: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", name.casefold()).split())


def find_url_column(columns: Sequence[str], wanted: str | None = None) -> str:
    """The column holding URLs: `wanted` if given (any case), else by name; raise InputFileError if none."""
    squeezed = {c: _squeeze(c) for c in columns}
    if wanted is not None:
        for column in columns:
            if column == wanted or squeezed[column] == _squeeze(wanted):
                return column
        raise InputFileError(f"no column named {wanted!r}; the columns are: {', '.join(columns)}")
    for name in URL_COLUMN_NAMES:
        for column in columns:
            if squeezed[column] == name:
                return column
    for word in URL_COLUMN_WORDS:
        for column in columns:
            if word in squeezed[column].split():
                return column
    raise InputFileError(
        f"cannot tell which column holds the URLs (columns: {', '.join(columns)}); say it with --url-column NAME"
    )


def decode_input(data: bytes) -> tuple[str, str]:
    """Decode a text table: UTF-8 with or without BOM, UTF-16 with BOM, else windows-1252; (text, encoding)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputFileError(f"the file starts with a {encoding} mark but is not {encoding}: {exc}") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # What Excel writes on Western-European Windows; every byte decodes, undefined ones replaced.
        return data.decode("windows-1252", errors="replace"), "windows-1252"


def sniff_delimiter(text: str, prefer_tab: bool = False) -> str:
    """The delimiter among , ; tab | that splits the header into most columns and the rows consistently."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    best, best_score = "\t" if prefer_tab else ",", (-1, -1.0, 0)
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(c.strip() for c in r)]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows[1:] if len(r) == width) / max(1, len(rows) - 1)
        score = (int(width > 1), consistent, width)
        if score > best_score or (score == best_score and prefer_tab and delimiter == "\t"):
            best, best_score = delimiter, score
    return best


def _unique_columns(header: Sequence[str]) -> tuple[str, ...]:
    """Header cells made usable as keys: blanks named 'column N', duplicates suffixed ' (2)'."""
    seen: dict[str, int] = {}
    columns = []
    for i, raw in enumerate(header, 1):
        name = raw.strip() or f"column {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        columns.append(name)
    return tuple(columns)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table_from_rows(
    path: str,
    raw_rows: Iterable[Sequence[str]],
    url_column: str | None,
    encoding: str,
    delimiter: str,
    links: Sequence[Sequence[str | None]] = (),
) -> Table:
    """Rows after the first non-blank one (the header); `links[i][j]`, when given, is the web address
    behind cell j of raw row i (a spreadsheet hyperlink), used as the row's URL instead of its text."""
    rows_iter = iter(raw_rows)
    header: Sequence[str] | None = None
    line = 0
    for candidate in rows_iter:
        line += 1
        if any(c.strip() for c in candidate):
            header = candidate
            break
    if header is None:
        raise InputFileError(f"{path}: the file is empty (it needs a header row and one row per event)")
    columns = list(_unique_columns(header))
    column = find_url_column(columns, url_column)
    rows: list[InputRow] = []
    for raw in rows_iter:
        line += 1
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue  # blank lines at the end of a spreadsheet are not events
        while len(cells) > len(columns):
            columns.append(f"column {len(columns) + 1}")
        cells += [""] * (len(columns) - len(cells))
        pairs = tuple(zip(columns, cells, strict=True))
        link_row = links[line - 1] if line - 1 < len(links) else ()
        at = columns.index(column)
        link = link_row[at] if at < len(link_row) else None
        rows.append(InputRow(len(rows), line, pairs, link or dict(pairs)[column]))
    # Rows read before a wider row was seen get the extra (empty) columns too.
    width = len(columns)
    rows = [
        r if len(r.cells) == width else replace(r, cells=r.cells + tuple((c, "") for c in columns[len(r.cells) :]))
        for r in rows
    ]
    return Table(path, tuple(columns), tuple(rows), column, encoding, delimiter)


def read_table(path: str | Path, url_column: str | None = None) -> Table:
    """Read a CSV/TSV (sniffed) or .xlsx tour; raise InputFileError with a readable reason if it cannot."""
    what = "a tour spreadsheet (CSV, TSV or .xlsx)"
    p = check_user_file(path, error=InputFileError, what=what, max_bytes=MAX_INPUT_BYTES)
    if p.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(p, url_column)
    data = read_user_file(p, error=InputFileError, what=what, max_bytes=MAX_INPUT_BYTES)
    text, encoding = decode_input(data)
    # csv refuses cells over 131,072 characters by default, which lost the whole tour to one pasted
    # cell ("internal error"); a cell may be as large as the file, itself capped by MAX_INPUT_BYTES.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_INPUT_BYTES))
    try:
        delimiter = sniff_delimiter(text, prefer_tab=p.suffix.lower() in (".tsv", ".tab"))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _table_from_rows(str(path), list(reader), url_column, encoding, delimiter)
    except csv.Error as exc:
        raise InputFileError(f"{path}: not a readable CSV/TSV file: {exc}") from None


def _read_xlsx(path: Path, url_column: str | None) -> Table:
    try:
        import openpyxl
    except ImportError:
        raise InputFileError(
            f"{path}: reading .xlsx needs openpyxl (pip install 'sponsorcheck[xlsx]'), or save the sheet as CSV"
        ) from None
    try:
        # Not read-only: only a fully loaded sheet carries its cells' hyperlinks ("Clean fest" → https://…).
        workbook = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise InputFileError(f"{path}: not a readable .xlsx workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        formula_links = {
            (cell.row, cell.column): m.group(1)
            for row in formulas.worksheets[0].iter_rows()
            for cell in row
            if isinstance(getattr(cell, "value", None), str) and (m := HYPERLINK_FORMULA.match(cell.value))
        }
        rows: list[list[str]] = []
        links: list[list[str | None]] = []
        for cells in sheet.iter_rows():
            rows.append([_cell_text(c.value) for c in cells])
            links.append([_hyperlink(c, formula_links.get((c.row, c.column))) for c in cells])
    finally:
        workbook.close()
        formulas.close()
    return _table_from_rows(str(path), rows, url_column, "xlsx", "", links)


# =HYPERLINK("https://…", "Clean fest"): the address is the formula's first argument.
HYPERLINK_FORMULA = re.compile(r'^=\s*HYPERLINK\(\s*"([^"]+)"', re.IGNORECASE)
LINK_SCHEMES = ("http://", "https://")


def _hyperlink(cell: Any, formula_target: str | None) -> str | None:
    """The web address a cell links to (an inserted hyperlink or a HYPERLINK formula), else None."""
    link = getattr(cell, "hyperlink", None)
    target = (getattr(link, "target", None) if link is not None else None) or formula_target
    if isinstance(target, str) and target.strip().lower().startswith(LINK_SCHEMES):
        return target.strip()
    return None  # mailto:, a link inside the workbook, or none


def target_address(cell: str) -> Address:
    """The URL to fetch for a cell and what was added to it (see `address.web_address`); else UsageError."""
    return web_address(cell)


def target_url(cell: str) -> str:
    """The URL to fetch for a cell: http(s) URLs as they are, 'www.fest.example/x' given https://; else UsageError."""
    return web_address(cell).url


def dedup_key(url: str) -> str:
    """URLs that fetch the same page: scheme and host case-folded, fragment dropped."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def origin_of(url: str) -> str:
    """scheme://host[:port], the unit of politeness and of robots.txt."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
