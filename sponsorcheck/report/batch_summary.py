"""The batch run on a terminal: the report table without --output, and the closing summary."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from sponsorcheck.batch import BatchOutcome, Table, verdict_counts
from sponsorcheck.models import Result, Verdict
from sponsorcheck.report.common import VERDICT_STYLE, age_words, summary_fields


def table_detail(r: Result) -> str:
    """A row's "why" in the terminal table, as the report files give it: a conflict's sponsors with their
    company, a review's reason, an unknown's hint, an error's message; then what is allowed
    (with the allowlist's reason) and the mentions that were not counted."""
    fields = summary_fields(r)
    # A conflict's sponsor and company say it all; a review's reason names the sponsor and says what to check.
    parts = [fields["matched_sponsors"] if r.verdict is Verdict.CONFLICT else fields["why"]]
    if fields["allowed"]:
        parts.append(f"allowed: {fields['allowed']}")
    if fields["mentions"]:
        parts.append(fields["mentions"])
    return "; ".join(p for p in parts if p)


def print_batch_table(results: Sequence[Result], table: Table, console: Console) -> None:
    """The batch report as a terminal table: row, the first other columns, URL, verdict, findings or error."""
    from rich.table import Table as RichTable

    others = [c for c in table.columns if c != table.url_column][:2]
    grid = RichTable(show_lines=False)
    for name in ["#", *others, table.url_column, "verdict", "watchlisted sponsors / why"]:
        grid.add_column(name, overflow="fold")
    for number, r in enumerate(results, 1):
        row = dict(r.row)
        detail = table_detail(r)
        grid.add_row(
            str(number),
            *(escape(row.get(c, "")) for c in others),
            escape(row.get(table.url_column, r.target)),
            f"[{VERDICT_STYLE[r.verdict]}]{r.verdict.value}[/]",
            escape(detail),
        )
    console.print(grid)


# The rows a person must chase, in the order to chase them, and what each group asks of them.
CHASE_ORDER = (Verdict.CONFLICT, Verdict.REVIEW, Verdict.UNKNOWN, Verdict.ERROR)
CHASE_WORDS = {
    Verdict.CONFLICT: "a watchlisted company sponsors or runs the event",
    Verdict.REVIEW: "a possible match: look at the page",
    Verdict.UNKNOWN: "no sponsor information found: ask the organiser",
    Verdict.ERROR: "not checked: fix the address or try again",
}
LABEL_WIDTH = 40  # characters of a row's own columns shown beside its number
DETAIL_WIDTH = 160  # characters of a row's sponsors or why


def cut_at_word(text: str, width: int) -> str:
    """The text, cut at the last word boundary within `width` characters, with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space > width // 3:  # a boundary not too far back; else one long word is cut where it must be
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


# Verdict words that are nouns and take a plural ("2 conflicts"); the others are adjectives ("3 clear").
COUNTED_NOUNS = ("conflict", "error", "row")


def plural(n: int, word: str) -> str:
    """ "1 conflict", "2 conflicts", "3 clear" — a count with its word, plural only for nouns."""
    return f"{n} {word}s" if n != 1 and word in COUNTED_NOUNS else f"{n} {word}"


def _row_label(number: int, r: Result) -> str:
    context = ", ".join(v for _, v in r.row if v and v != r.target)
    label = cut_at_word(context, LABEL_WIDTH)
    return f"row {number}" + (f" ({label})" if label else "")


def print_batch_summary(
    outcome: BatchOutcome,
    console: Console,
    *,
    output: str | None = None,
    max_age: float | None = None,
) -> None:
    """Counts per verdict; every row to chase (conflict, review, unknown, error), grouped, with its why;
    where the report was written; and whether cached copies answered (and how old they may be)."""
    counts = verdict_counts(outcome.results)
    done = len(outcome.results)
    head = f"{done} of {outcome.total} rows checked" if outcome.interrupted else f"{done} rows checked"
    if outcome.resumed:
        head += f" ({outcome.resumed} taken from the journal of the interrupted run)"
    console.print(escape(head + ": " + ", ".join(plural(n, v.value) for v, n in counts.items() if n)), soft_wrap=True)
    for verdict in CHASE_ORDER:
        rows = [(n, r) for n, r in enumerate(outcome.results, 1) if r.verdict is verdict]
        if not rows:
            continue
        style = VERDICT_STYLE[verdict]
        console.print(f"[{style}]{verdict.value}[/] ({len(rows)}) — {escape(CHASE_WORDS[verdict])}:", soft_wrap=True)
        for number, r in rows:
            fields = summary_fields(r)
            detail = fields["matched_sponsors"] if verdict is Verdict.CONFLICT else fields["why"]
            for prefix in (f"{r.target}: ", f"{r.url}: "):  # an error message often starts with the address
                detail = detail.removeprefix(prefix)
            line = f"  {_row_label(number, r)} {r.target}"
            if detail:
                line += f": {cut_at_word(detail, DETAIL_WIDTH)}"
            console.print(escape(line), soft_wrap=True)
    if output is not None:
        console.print(escape(f"report written to {output}"), soft_wrap=True)
    cached = sum(1 for r in outcome.results if r.from_cache)
    if cached:
        age = f"up to {age_words(max_age)} old (--max-age {max_age:g})" if max_age is not None else "cached"
        console.print(
            escape(
                f"{plural(cached, 'row')} answered from cached copies {age}, not re-checked with the sites; "
                "--max-age 0 fetches every page again"
            ),
            soft_wrap=True,
        )
