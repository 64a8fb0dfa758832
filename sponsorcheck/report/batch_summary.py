"""The batch run on a terminal: the report table without --output, and the closing summary."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from sponsorcheck.batch import BatchOutcome, Table, verdict_counts
from sponsorcheck.models import Result, Verdict
from sponsorcheck.report.common import VERDICT_STYLE, summary_fields


def print_batch_table(results: Sequence[Result], table: Table, console: Console) -> None:
    """The batch report as a terminal table: row, the first other columns, URL, verdict, findings or error."""
    from rich.table import Table as RichTable

    others = [c for c in table.columns if c != table.url_column][:2]
    grid = RichTable(show_lines=False)
    for name in ["#", *others, table.url_column, "verdict", "watchlisted sponsors / why"]:
        grid.add_column(name, overflow="fold")
    for number, r in enumerate(results, 1):
        row = dict(r.row)
        fields = summary_fields(r)
        detail = fields["matched_sponsors"] or fields["why"]
        grid.add_row(
            str(number),
            *(escape(row.get(c, "")) for c in others),
            escape(row.get(table.url_column, r.target)),
            f"[{VERDICT_STYLE[r.verdict]}]{r.verdict.value}[/]",
            escape(detail),
        )
    console.print(grid)


def print_batch_summary(outcome: BatchOutcome, console: Console) -> None:
    """Counts per verdict and the conflict rows with their sponsors."""
    counts = verdict_counts(outcome.results)
    done = len(outcome.results)
    head = f"{done} of {outcome.total} rows checked" if outcome.interrupted else f"{done} rows checked"
    console.print(head + ": " + ", ".join(f"{n} {v.value}" for v, n in counts.items() if n))
    for number, r in enumerate(outcome.results, 1):
        if r.verdict is Verdict.CONFLICT:
            sponsors = summary_fields(r)["matched_sponsors"]
            context = ", ".join(v for _, v in r.row if v and v != r.target)[:60]
            label = f"row {number}" + (f" ({context})" if context else "")
            console.print(f"  [red]conflict[/] {escape(label)} {escape(r.target)}: {escape(sponsors)}")
