"""Reports: one module per format (json, table, csv, markdown, xlsx) plus the terminal presentations
of explain, watchlist show, batch progress and the batch summary, and `console`: the consoles and every
short line a command says (notes, warnings, errors, the allowlists read, cache and validate answers).

This package imports only the formats; `progress` and `batch_summary` depend on the batch module and
are imported from where they are used, so `sponsorcheck.batch` can import the formats without a cycle.
"""

from sponsorcheck.report.common import (
    CSV_COLUMNS,
    EVIDENCE_WORDS,
    VERDICT_STYLE,
    VERDICT_WORDS,
    evidence_line,
    spreadsheet_safe,
    summary_fields,
)
from sponsorcheck.report.csv import to_csv
from sponsorcheck.report.json import (
    candidate_dict,
    document,
    evidence_dict,
    finding_dict,
    result_dict,
    result_from_dict,
    to_json,
)
from sponsorcheck.report.markdown import to_markdown
from sponsorcheck.report.table import LEGEND, print_table
from sponsorcheck.report.xlsx import to_xlsx

__all__ = [
    "CSV_COLUMNS",
    "EVIDENCE_WORDS",
    "LEGEND",
    "VERDICT_STYLE",
    "VERDICT_WORDS",
    "candidate_dict",
    "document",
    "evidence_dict",
    "evidence_line",
    "finding_dict",
    "print_table",
    "result_dict",
    "result_from_dict",
    "spreadsheet_safe",
    "summary_fields",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_xlsx",
]
