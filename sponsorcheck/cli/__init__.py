"""Command-line interface: thin commands that parse options, wire the stages and exit.

One module per command group (check + names, batch, explain, watchlist, cache); what they share (the
Typer app, option types, error handling, exit status) is in `common`. Every word a person reads is
written by `sponsorcheck.report` (`report.console` for notes, errors and short answers).
`main` is the console script's entry point (`sponsorcheck.cli:main`).
"""

import sys

# Importing the command modules registers their commands on `app`, in the order `--help` lists them.
# isort: off
from sponsorcheck.cli import check as _check
from sponsorcheck.cli import batch as _batch
from sponsorcheck.cli import explain as _explain
from sponsorcheck.cli import watchlist as _watchlist
from sponsorcheck.cli import cache as _cache

# isort: on
from sponsorcheck.cli.common import app, exit_status_for
from sponsorcheck.errors import ExitStatus

__all__ = ["app", "exit_status_for", "main"]

_COMMAND_MODULES = (_check, _batch, _explain, _watchlist, _cache)


def main() -> None:
    """Console-script entry point. A closed stdout while Typer itself writes (`--help | head -1`) ends
    with the broken-pipe status too: Typer exits 1 there, which would read as "conflict"."""
    try:
        app()
    except SystemExit as exc:
        # Typer swaps stdout for its "pacify flush" wrapper exactly when it met a closed pipe.
        if exc.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            raise SystemExit(int(ExitStatus.BROKEN_PIPE)) from None
        raise
