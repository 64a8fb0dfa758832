"""The user's path for the quality benchmarks: `sponsorcheck check` run in-process, and the name-matching rule.

`run_check` invokes the real command-line interface (typer's CliRunner over `sponsorcheck.cli.app`) with
`check TARGET --format json --no-follow --no-cache`, exactly the options a user types, and reads the JSON
document it prints. Nothing below the CLI is called, so option parsing, file reading, extraction,
matching, the verdict and the JSON report are all measured together. The benchmarks (corpus_eval.py,
robustness.py, eval_gate.py) share it so their figures come from one path.

`same_sponsor` is the rule by which a name the tool found and a name a person labelled count as the same
sponsor: after `sponsorcheck.normalize.normalize_name` with spaces removed they are equal, or one contains
the other (the shorter at least 3 characters: "amoeba" ↔ "Amoeba Music"), or their rapidfuzz ratio is at
least 85 (spelling variants), or one (3+ characters) is an acronym inside the initials of the other
("MLH" ↔ "Major League Hacking").
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from typer.testing import CliRunner  # noqa: E402

from sponsorcheck.cli import app  # noqa: E402
from sponsorcheck.normalize import normalize_name  # noqa: E402

# The options every benchmark check runs with: the JSON report, only the given page, no page cache
# (a benchmark must neither read stale pages nor write into the user's cache directory).
CHECK_OPTIONS = ("--format", "json", "--no-follow", "--no-cache")
FUZZY_SAME = 85
MIN_CONTAINED = 3
ACRONYM_SKIP = frozenset({"of", "and", "the", "for", "de", "du", "des", "la", "le", "der", "und"})

_RUNNER = CliRunner()


class CheckFailed(RuntimeError):
    """`check` did not print a JSON document (bad watchlist, crash): the benchmark cannot measure."""


@dataclass(frozen=True)
class Checked:
    """What `check` answered for one target: its exit code and the one result of its JSON document."""

    exit_code: int
    result: dict[str, Any]

    @property
    def verdict(self) -> str:
        return str(self.result.get("verdict", ""))

    def found_names(self) -> list[str]:
        """Names the tool lists as the page's sponsors: sponsors, plus mentions inside a sponsor section.

        Community groups are listed as mentions, yet they are on the sponsor list a person reads.
        """
        names = [str(c["name"]) for c in self.result.get("sponsors", []) if c.get("role") == "sponsor"]
        names += [str(c["name"]) for c in self.result.get("mentions", []) if c.get("in_sponsor_context")]
        return list(dict.fromkeys(names))

    def entities(self) -> set[str]:
        """Entity ids the result names at all: in a finding (any level) or on a mention."""
        named = {str(f.get("entity")) for f in self.result.get("findings", [])}
        named |= {str(m["entity"]) for m in self.result.get("mentions", []) if m.get("entity")}
        return named


def run_check(target: str, watchlists: Sequence[str] = ()) -> Checked:
    """Run `sponsorcheck check TARGET` like a user; CheckFailed when no JSON document comes back."""
    args = ["check", target, *CHECK_OPTIONS]
    for path in watchlists:
        args += ["--watchlist", path]
    outcome = _RUNNER.invoke(app, args)
    try:
        document = json.loads(outcome.stdout)
        result = document["results"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        stderr = outcome.stderr.strip()
        raise CheckFailed(
            f"check {target} printed no JSON (exit {outcome.exit_code}): {stderr or outcome.stdout[:300]}"
        ) from outcome.exception
    return Checked(outcome.exit_code, result)


def run_names(names: Sequence[str], watchlists: Sequence[str] = ()) -> str:
    """The verdict of `sponsorcheck names NAME... --format json` (the matcher alone), or "error"."""
    args = ["names", *names, "--format", "json"]
    for path in watchlists:
        args += ["--watchlist", path]
    outcome = _RUNNER.invoke(app, args)
    try:
        return str(json.loads(outcome.stdout)["results"][0]["verdict"])
    except (ValueError, KeyError, IndexError, TypeError):
        return "error"


def same_sponsor(a: str, b: str) -> bool:
    """The documented matching rule: equal, containment, fuzzy-equal or acronym after normalize_name."""
    ca, cb = normalize_name(a).replace(" ", ""), normalize_name(b).replace(" ", "")
    if not ca or not cb:
        return False
    if ca == cb:
        return True
    short, long_ = sorted((ca, cb), key=len)
    if len(short) >= MIN_CONTAINED and short in long_:
        return True
    if fuzz.ratio(ca, cb) >= FUZZY_SAME:
        return True
    for acronym, full in ((ca, b), (cb, a)):
        words = [w for w in normalize_name(full).split() if w not in ACRONYM_SKIP]
        initials = "".join(w[0] for w in words)
        if len(words) >= 2 and len(acronym) >= MIN_CONTAINED and acronym in initials:
            return True
    return False


def matched(reference: Sequence[str], found: Sequence[str]) -> tuple[list[str], list[str]]:
    """(reference names found, found names that are on the reference list) under `same_sponsor`."""
    hits = [name for name in reference if any(same_sponsor(name, g) for g in found)]
    good = [g for g in found if any(same_sponsor(name, g) for name in reference)]
    return hits, good
