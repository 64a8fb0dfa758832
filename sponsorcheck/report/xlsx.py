"""The .xlsx report of `batch` (needs openpyxl): the CSV report's columns in a workbook."""

from __future__ import annotations

import io
from collections.abc import Sequence

from sponsorcheck.models import Result, Verdict
from sponsorcheck.report.common import CSV_COLUMNS, summary_fields

# Fill colours per verdict (spreadsheet conventions: red bad, yellow look, green good), RGB hex.
VERDICT_FILLS = {
    Verdict.CONFLICT: "FFC7CE",
    Verdict.REVIEW: "FFEB9C",
    Verdict.CLEAR: "C6EFCE",
    Verdict.UNKNOWN: "DDEBF7",
    Verdict.ERROR: "E4DFEC",
}
# Column widths in characters: fitted to the longest value, between these bounds; longer text wraps.
MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60


def to_xlsx(results: Sequence[Result], input_columns: Sequence[str]) -> bytes:
    """An .xlsx workbook (needs openpyxl): the CSV report's columns, a frozen header row with a filter,
    columns as wide as their content (up to a bound, then wrapped) and the verdict cell coloured."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "sponsorcheck"
    extra = [c for c in CSV_COLUMNS if c not in input_columns]
    columns = [*input_columns, *extra]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(c) for c in columns]
    verdict_at = columns.index("verdict") + 1 if "verdict" in columns else None
    for r in results:
        row = {**dict(r.row), **summary_fields(r)}
        values = [row.get(c, "") for c in columns]
        sheet.append(values)
        widths = [max(w, len(v)) for w, v in zip(widths, values, strict=True)]
        for cell in sheet[sheet.max_row]:
            # openpyxl stores a string starting with "=" as a formula; a page's text must stay text.
            if cell.data_type == "f":
                cell.data_type = "s"
            if isinstance(cell.value, str) and len(cell.value) > MAX_COLUMN_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if verdict_at is not None:
            colour = VERDICT_FILLS[r.verdict]
            sheet.cell(sheet.max_row, verdict_at).fill = PatternFill("solid", start_color=colour, end_color=colour)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
