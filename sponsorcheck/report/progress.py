"""Batch progress drawn on stderr with rich (the batch core reports to it as its observer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console

from sponsorcheck.models import Result, Verdict

if TYPE_CHECKING:
    from sponsorcheck.batch import InputRow


class ProgressObserver:
    """Draws batch progress on stderr with rich: rows done, conflicts so far, errors."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[conflicts]} conflicts[/] · [magenta]{task.fields[errors]} errors[/]"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("batch", total=None, conflicts=0, errors=0)
        self.conflicts = 0
        self.errors = 0

    def __enter__(self) -> ProgressObserver:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def started(self, total: int, already_done: int) -> None:
        self.progress.update(self.task, total=total, completed=already_done)

    def row_done(self, row: InputRow, result: Result) -> None:
        self.conflicts += result.verdict is Verdict.CONFLICT
        self.errors += result.verdict is Verdict.ERROR
        self.progress.update(self.task, advance=1, conflicts=self.conflicts, errors=self.errors)
