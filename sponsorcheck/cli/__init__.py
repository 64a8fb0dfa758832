"""Command-line interface: thin commands that parse options, wire the stages and exit.

One module per command group (check + names, batch, explain, watchlist, cache); what they share (the
Typer app, option types, error handling, exit status) is in `common`. Every word a person reads is
written by `sponsorcheck.report` (`report.console` for notes, errors and short answers).
`main` is the console script's entry point (`sponsorcheck.cli:main`).

This module itself imports nothing heavy: the commands (and Typer, rich, lxml behind them) are loaded
by `main` or on the first use of `app`, so a Ctrl-C while they load still ends with 130 and one line,
not a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sponsorcheck.cli.common import app, exit_status_for

__all__ = ["app", "exit_status_for", "main"]


def _commands() -> Any:
    """The Typer app with every command registered, in the order `--help` lists them."""
    # isort: off
    from sponsorcheck.cli import check as _check  # noqa: F401  importing a command module registers it
    from sponsorcheck.cli import batch as _batch  # noqa: F401
    from sponsorcheck.cli import explain as _explain  # noqa: F401
    from sponsorcheck.cli import watchlist as _watchlist  # noqa: F401
    from sponsorcheck.cli import cache as _cache  # noqa: F401

    # isort: on
    from sponsorcheck.cli.common import app

    return app


def __getattr__(name: str) -> Any:
    """`sponsorcheck.cli.app` (and `exit_status_for`), loaded on first use."""
    if name == "app":
        return _commands()
    if name == "exit_status_for":
        from sponsorcheck.cli.common import exit_status_for

        return exit_status_for
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point. A closed stdout while Typer itself writes (`--help | head -1`) ends
    with the broken-pipe status too: Typer exits 1 there, which would read as "conflict"."""
    from sponsorcheck.errors import ExitStatus

    try:
        app = _commands()
    except KeyboardInterrupt:  # Ctrl-C before the commands were loaded: as inside one
        from sponsorcheck.report.console import interrupted

        interrupted()
        raise SystemExit(int(ExitStatus.INTERRUPTED)) from None
    try:
        app()
    except SystemExit as exc:
        # Typer swaps stdout for its "pacify flush" wrapper exactly when it met a closed pipe.
        if exc.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            raise SystemExit(int(ExitStatus.BROKEN_PIPE)) from None
        raise
