"""Batch progress drawn on stderr with rich (the batch core reports to it as its observer).

The line reads "checking ━━━━━ 12/40 · 1 conflict · 2 errors · 0:00:14 elapsed · about 0:00:31 left":
counts start from the rows a --resume took from the journal, and the time left is estimated from the
rows checked in this run only (rows taken from the journal cost no time).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console

from sponsorcheck.models import Result, Verdict
from sponsorcheck.report.batch_summary import plural

if TYPE_CHECKING:
    from sponsorcheck.batch import InputRow


def counts_text(conflicts: int, errors: int) -> str:
    """ "1 conflict · 2 errors" with the plural right (rich markup)."""
    return f"[red]{plural(conflicts, 'conflict')}[/] · [magenta]{plural(errors, 'error')}[/]"


def eta_text(remaining: float | None) -> str:
    """ "about 0:01:05 left", or "estimating…" until a row of this run has finished."""
    if remaining is None:
        return "estimating time left…"
    seconds = int(remaining + 0.5)
    return f"about {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d} left"


def _eta_column() -> object:
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class EtaColumn(ProgressColumn):
        """Time left, from the speed of the rows finished in this run (rich's own estimate, in words)."""

        max_refresh = 0.5

        def render(self, task: Task) -> Text:
            if task.finished:
                return Text("")
            return Text(eta_text(task.time_remaining), style="progress.remaining")

    return EtaColumn()


class ProgressObserver:
    """Draws batch progress on stderr with rich: rows done, conflicts and errors so far, time left."""

    def __init__(self, console: Console, done: Iterable[Result] = (), total: int | None = None) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        taken = list(done)  # rows a --resume took from the journal count from the start
        self.conflicts = sum(r.verdict is Verdict.CONFLICT for r in taken)
        self.errors = sum(r.verdict is Verdict.ERROR for r in taken)
        self.progress = Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("· {task.fields[counts]} ·"),
            TimeElapsedColumn(),
            _eta_column(),  # type: ignore[arg-type]
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task(
            "batch", total=total, completed=len(taken), counts=counts_text(self.conflicts, self.errors)
        )

    def __enter__(self) -> ProgressObserver:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def started(self, total: int, already_done: int) -> None:
        # reset, not update: the rows taken from the journal must not count as speed for the estimate.
        self.progress.reset(
            self.task, total=total, completed=already_done, counts=counts_text(self.conflicts, self.errors)
        )

    def row_done(self, row: InputRow, result: Result) -> None:
        self.conflicts += result.verdict is Verdict.CONFLICT
        self.errors += result.verdict is Verdict.ERROR
        self.progress.update(self.task, advance=1, counts=counts_text(self.conflicts, self.errors))
