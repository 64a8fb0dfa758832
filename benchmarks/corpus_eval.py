"""Measure verdicts and sponsor extraction on a labelled corpus (labels.yaml + pages/, see ../shared/corpus/README.md).

    python benchmarks/corpus_eval.py [CORPUS_DIR] [--watchlist PATH]... [--fail-under-recall X] [-v]

Every page goes through the path a user gets: `sponsorcheck check FILE --format json --no-follow
--no-cache`, invoked through the real command-line interface in-process (benchmarks/user_check.py), and
the JSON it prints is scored. Nothing below the CLI is called.

Which pages each figure covers:
  * html and template pages (`kind: html|template`) are the pages `check` is for. The verdict,
    false-conflict, missed-conflict, recall and precision figures cover these only.
  * data files (`kind: data`: YAML/JSON/TOML sponsor lists) are not pages `check` reads as sponsor lists.
    They are reported separately and never counted as verdicts right: what `check` answered on the file,
    and — a matcher-only reference figure — what `sponsorcheck names` answers for the labelled names.

Each figure is printed for the tune set, the HELD-BACK set and both together. Held-back rule (fixed for
the team, BRIEF.md): a page is held back when int(sha256(page_id).hexdigest(), 16) % 4 == 0. Do not
open held-back pages while changing rules; their figure is the honest one.

A labelled-clear page read as "unknown" counts as right (the corpus conventions: unknown is never a
false clear); how many such pages there are is printed too. A labelled-clear page read as "conflict" is
a false conflict; a labelled-conflict page read as "clear" or "unknown" is a missed conflict (the worst
answer). Recall and precision compare the names the tool lists (its sponsors, plus mentions inside a
sponsor section) with the labelled sponsors under the rule in user_check.same_sponsor.

Exits 0 with a note when the corpus directory does not exist; 1 when --fail-under-recall is given and
the recall over all html+template pages is below it; 2 when `check` cannot run (bad watchlist).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from user_check import ROOT, CheckFailed, matched, run_check, run_names

# ../shared/corpus beside the checkout (CI, /work/main); a worktree one level deeper finds the same corpus.
CORPUS_CANDIDATES = (ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus")
DEFAULT_CORPUS = next((c for c in CORPUS_CANDIDATES if (c / "labels.yaml").is_file()), CORPUS_CANDIDATES[0])
PAGE_KINDS = ("html", "template")  # what `check` reads as a page
DATA_KIND = "data"
HELD_BACK_MODULUS = 4
SETS = ("tune", "held-back", "all")


def held_back(page_id: str) -> bool:
    """The team's fixed held-back rule: int(sha256(page_id).hexdigest(), 16) % 4 == 0."""
    return int(hashlib.sha256(page_id.encode("utf-8")).hexdigest(), 16) % HELD_BACK_MODULUS == 0


def load_labels(corpus: Path) -> list[dict[str, Any]]:
    """The `pages:` entries of CORPUS/labels.yaml (FileNotFoundError when there is none)."""
    data = yaml.safe_load((corpus / "labels.yaml").read_text(encoding="utf-8")) or {}
    return list(data.get("pages") or [])


@dataclass(frozen=True)
class PageOutcome:
    """One labelled page scored against what `check` answered."""

    id: str
    kind: str
    held_back: bool
    expected: str
    verdict: str
    labelled: tuple[str, ...]
    found: tuple[str, ...]
    hits: tuple[str, ...]  # labelled names the tool found
    good: tuple[str, ...]  # found names that are labelled
    findings: tuple[dict[str, Any], ...] = ()
    names_verdict: str = ""  # data files only: `sponsorcheck names` over the labelled list

    @property
    def right(self) -> bool:
        if self.expected == "conflict":
            return self.verdict == "conflict"
        return self.verdict in ("clear", "unknown")

    @property
    def false_conflict(self) -> bool:
        return self.expected != "conflict" and self.verdict == "conflict"

    @property
    def missed_conflict(self) -> bool:
        return self.expected == "conflict" and self.verdict in ("clear", "unknown")

    @property
    def subset(self) -> str:
        return "held-back" if self.held_back else "tune"


@dataclass(frozen=True)
class Figures:
    """Totals over one set of html+template pages."""

    pages: int = 0
    right: int = 0
    clear_as_unknown: int = 0
    false_conflicts: int = 0
    missed_conflicts: int = 0
    conflicts: int = 0
    hits: int = 0
    labelled: int = 0
    good: int = 0
    found: int = 0

    @property
    def recall(self) -> float:
        return self.hits / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.good / self.found if self.found else 1.0


def figures(outcomes: Iterable[PageOutcome]) -> Figures:
    """The totals over these outcomes (give only html+template pages)."""
    items = list(outcomes)
    return Figures(
        pages=len(items),
        right=sum(o.right for o in items),
        clear_as_unknown=sum(o.expected != "conflict" and o.verdict == "unknown" for o in items),
        false_conflicts=sum(o.false_conflict for o in items),
        missed_conflicts=sum(o.missed_conflict for o in items),
        conflicts=sum(o.expected == "conflict" for o in items),
        hits=sum(len(o.hits) for o in items),
        labelled=sum(len(o.labelled) for o in items),
        good=sum(len(o.good) for o in items),
        found=sum(len(o.found) for o in items),
    )


@dataclass(frozen=True)
class Evaluation:
    """Every labelled page's outcome, and the figures per set (tune, held-back, all) over html+template pages."""

    outcomes: tuple[PageOutcome, ...]
    by_set: dict[str, Figures] = field(default_factory=dict)

    @property
    def pages(self) -> list[PageOutcome]:
        return [o for o in self.outcomes if o.kind in PAGE_KINDS]

    @property
    def data_files(self) -> list[PageOutcome]:
        return [o for o in self.outcomes if o.kind == DATA_KIND]


def score_page(corpus: Path, entry: dict[str, Any], watchlists: Sequence[str] = ()) -> PageOutcome:
    """Run `check` on one labelled page and score it (raises CheckFailed when check cannot run)."""
    kind = str(entry.get("kind", "html"))
    labelled = tuple(str(s) for s in entry.get("sponsors") or [])
    checked = run_check(str(corpus / entry["file"]), watchlists)
    found = tuple(checked.found_names())
    hits, good = matched(labelled, found)
    names_verdict = run_names(labelled, watchlists) if kind == DATA_KIND and labelled else ""
    return PageOutcome(
        id=str(entry["id"]),
        kind=kind,
        held_back=held_back(str(entry["id"])),
        expected=str(entry.get("expected", "clear")),
        verdict=checked.verdict,
        labelled=labelled,
        found=found,
        hits=tuple(hits),
        good=tuple(good),
        findings=tuple(checked.result.get("findings", [])),
        names_verdict=names_verdict,
    )


def evaluate(corpus: Path, watchlists: Sequence[str] = ()) -> Evaluation:
    """Score every labelled page of the corpus through `check`; figures per set over html+template pages."""
    outcomes = tuple(score_page(corpus, entry, watchlists) for entry in load_labels(corpus))
    pages = [o for o in outcomes if o.kind in PAGE_KINDS]
    by_set = {
        "tune": figures(o for o in pages if not o.held_back),
        "held-back": figures(o for o in pages if o.held_back),
        "all": figures(pages),
    }
    return Evaluation(outcomes, by_set)


def _ratio(a: int, b: int) -> str:
    return f"{a}/{b}"


def print_report(evaluation: Evaluation, verbose: bool = False) -> None:
    """One line per page, then the data files apart, then the totals per set."""
    print("html and template pages (what `check` reads), through `check FILE --format json --no-follow`:")
    for o in evaluation.pages:
        print(
            f"  {o.id:<32} {o.kind:<8} {o.subset:<9} expected {o.expected:<8} got {o.verdict:<8} "
            f"{'OK' if o.right else 'WRONG':<5} recall {_ratio(len(o.hits), len(o.labelled)):<7} "
            f"precision {_ratio(len(o.good), len(o.found))}"
        )
        if verbose:
            missed = [n for n in o.labelled if n not in o.hits]
            extra = [g for g in o.found if g not in o.good]
            if missed:
                print(f"      missed: {missed}")
            if extra:
                print(f"      extra:  {extra}")
            for f in o.findings:
                print(
                    f"      finding: {f.get('level')} {f.get('entity')} {f.get('sponsor')!r} "
                    f"via {f.get('method')} {f.get('matched')!r}"
                )
    data = evaluation.data_files
    if data:
        print()
        print(
            "data files (kind: data — sponsor lists in YAML/JSON/TOML that `check` does not read as pages; "
            "NOT counted in any figure below):"
        )
        for o in data:
            print(
                f"  {o.id:<32} {o.subset:<9} expected {o.expected:<8} check said {o.verdict:<8} "
                f"names on the labelled list said {o.names_verdict or '-'}"
            )
        conflicts = [o for o in data if o.expected == "conflict"]
        print(
            f"  data files: {len(data)}; labelled conflicts {len(conflicts)}, of which `check` on the file "
            f"said conflict {sum(o.verdict == 'conflict' for o in conflicts)}, `names` on the labelled list "
            f"(matcher only) said conflict {sum(o.names_verdict == 'conflict' for o in conflicts)}; "
            f"`names` right on {sum(_names_right(o) for o in data)}/{len(data)}"
        )
    print()
    print("figures over html+template pages only (data files excluded), tune / held-back / all:")
    for name in SETS:
        f = evaluation.by_set[name]
        print(
            f"  {name:<9} pages {f.pages:>2}: verdicts right {_ratio(f.right, f.pages)} "
            f"(clear read as unknown: {f.clear_as_unknown}), false conflicts {f.false_conflicts}, "
            f"missed conflicts {f.missed_conflicts}/{f.conflicts}, "
            f"recall {f.recall:.3f} ({_ratio(f.hits, f.labelled)}), "
            f"precision {f.precision:.3f} ({_ratio(f.good, f.found)})"
        )
    both = evaluation.by_set["all"]
    print(f"verdicts right (html+template): {_ratio(both.right, both.pages)}, false conflicts: {both.false_conflicts}")
    print(f"sponsor recall (html+template): {both.recall:.3f} ({_ratio(both.hits, both.labelled)})")
    print(f"sponsor precision (html+template): {both.precision:.3f} ({_ratio(both.good, both.found)})")


def _names_right(o: PageOutcome) -> bool:
    if o.expected == "conflict":
        return o.names_verdict == "conflict"
    return o.names_verdict in ("clear", "unknown")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS), help="corpus directory (labels.yaml)")
    parser.add_argument("--watchlist", action="append", default=[], help="watchlist file(s) instead of the default")
    parser.add_argument("--fail-under-recall", type=float, default=None, help="exit 1 when recall is below this")
    parser.add_argument("--verbose", "-v", action="store_true", help="list missed and extra names per page")
    args = parser.parse_args(argv)

    corpus = Path(args.corpus)
    if not (corpus / "labels.yaml").is_file():
        print(f"note: no corpus at {corpus} (labels.yaml not found); nothing to measure")
        return 0
    try:
        evaluation = evaluate(corpus, args.watchlist)
    except CheckFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_report(evaluation, args.verbose)
    if args.fail_under_recall is not None and evaluation.by_set["all"].recall < args.fail_under_recall:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
