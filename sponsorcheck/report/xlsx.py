"""The .xlsx report of `batch` (needs openpyxl): the CSV report's columns in a workbook."""

from __future__ import annotations

import io
from collections.abc import Sequence

from sponsorcheck.models import Result
from sponsorcheck.report.common import CSV_COLUMNS, summary_fields


def to_xlsx(results: Sequence[Result], input_columns: Sequence[str]) -> bytes:
    """An .xlsx workbook (needs openpyxl): the same columns as the CSV report, header row frozen."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "sponsorcheck"
    extra = [c for c in CSV_COLUMNS if c not in input_columns]
    columns = [*input_columns, *extra]
    sheet.append(columns)
    for r in results:
        row = {**dict(r.row), **summary_fields(r)}
        sheet.append([row.get(c, "") for c in columns])
        for cell in sheet[sheet.max_row]:
            # openpyxl stores a string starting with "=" as a formula; a page's text must stay text.
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
