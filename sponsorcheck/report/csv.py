"""The CSV report of `batch`: the input columns unchanged, then the summary columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sponsorcheck.models import Result
from sponsorcheck.report.common import CSV_COLUMNS, spreadsheet_safe, summary_fields


def to_csv(results: Sequence[Result], input_columns: Sequence[str]) -> str:
    """CSV text: the input columns unchanged, then verdict, entities, sponsors, evidence, error, pages read."""
    out = io.StringIO()
    extra = [c for c in CSV_COLUMNS if c not in input_columns]
    writer = csv.DictWriter(out, fieldnames=[*input_columns, *extra], extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in results:
        added = {k: spreadsheet_safe(v) for k, v in summary_fields(r).items()}
        writer.writerow({**dict(r.row), **added})
    return out.getvalue()
