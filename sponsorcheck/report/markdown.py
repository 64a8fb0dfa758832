"""The Markdown report of `batch`: a table to paste into an e-mail."""

from __future__ import annotations

from collections.abc import Sequence

from sponsorcheck.models import Result
from sponsorcheck.report.common import summary_fields

# The report's own columns in the e-mail table (the CSV has them all): sponsors with their entity,
# the why of each row, what the allowlist let through, and errors.
MARKDOWN_COLUMNS = ("verdict", "matched_sponsors", "why", "allowed", "mentions")


def to_markdown(results: Sequence[Result], input_columns: Sequence[str]) -> str:
    """A Markdown table to paste into an e-mail: the input columns, the verdict, each sponsor beside its
    entity, the row's why (reason, hint or error), allowed findings with their reason, and mentions."""
    cols = [*input_columns, *(c for c in MARKDOWN_COLUMNS if c not in input_columns)]
    if any(r.notes for r in results) and "address_note" not in cols:
        cols.append("address_note")  # only when an address was changed (its scheme added, say)

    def cell(v: str) -> str:
        return " ".join(v.replace("|", "\\|").split())

    lines = ["| " + " | ".join(cell(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        row = {**dict(r.row), **summary_fields(r)}
        lines.append("| " + " | ".join(cell(row.get(c, "")) for c in cols) + " |")
    return "\n".join(lines) + "\n"
