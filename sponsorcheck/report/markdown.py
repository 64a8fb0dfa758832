"""The Markdown report of `batch`: a table to paste into an e-mail."""

from __future__ import annotations

from collections.abc import Sequence

from sponsorcheck.models import Result
from sponsorcheck.report.common import summary_fields


def to_markdown(results: Sequence[Result], input_columns: Sequence[str]) -> str:
    """A Markdown table to paste into an e-mail."""
    cols = [*input_columns, "verdict", "matched_sponsors", "error"]

    def cell(v: str) -> str:
        return v.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        row = {**dict(r.row), **summary_fields(r)}
        lines.append("| " + " | ".join(cell(row.get(c, "")) for c in cols) + " |")
    return "\n".join(lines) + "\n"
