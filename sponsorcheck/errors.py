"""One error family and one exit-status enum.

The core raises only `SponsorcheckError` subclasses, each carrying a one-line, readable message
that tells the user what to do. Only the commands in `cli/` turn them into a line on stderr and an exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Exit codes: a contract documented in `--help` and the README."""

    CLEAR = 0  # every target clear
    CONFLICT = 1  # at least one conflict
    USAGE = 2  # bad arguments, unreadable watchlist or input file
    REVIEW = 3  # a person should look: review or unknown
    TARGET_ERROR = 4  # a target could not be fetched or read
    INTERNAL_ERROR = 70  # a bug in sponsorcheck (sysexits' EX_SOFTWARE); --debug shows the traceback
    INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, the shell's convention)
    BROKEN_PIPE = 141  # the reader of stdout went away (`| head`): 128 + SIGPIPE, as other tools end


class SponsorcheckError(Exception):
    """Base of every error the core raises; `kind` is a stable machine-readable tag."""

    kind = "error"
    exit_status = ExitStatus.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(SponsorcheckError):
    """The user asked for something that cannot work (bad option, unsupported URL scheme)."""

    kind = "usage"


class WatchlistError(SponsorcheckError):
    """A watchlist or allowlist file is missing, malformed or invalid."""

    kind = "watchlist"


class InputFileError(SponsorcheckError):
    """A batch input or names file cannot be read or understood."""

    kind = "input"


class OutputError(SponsorcheckError):
    """A report cannot be written where the user asked."""

    kind = "output"


class TargetError(SponsorcheckError):
    """One target (URL, file, stdin) could not be fetched or read; the run goes on with the others."""

    kind = "target"
    exit_status = ExitStatus.TARGET_ERROR


class FetchError(TargetError):
    """The page could not be fetched: network failure, HTTP error, too large, too slow, not HTML."""

    kind = "fetch"

    def __init__(self, message: str, *, kind: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        if kind:
            self.kind = kind
        self.status = status


class RobotsDisallowed(FetchError):
    """robots.txt forbids fetching this page."""

    kind = "robots"
