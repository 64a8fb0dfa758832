"""Evaluation gate: fail when a quality figure falls below its pinned floor (CI runs it, see .ci/run).

    python benchmarks/eval_gate.py [CORPUS_DIR]

It runs the same evaluations as benchmarks/corpus_eval.py and benchmarks/robustness.py — every labelled
page, and every metamorphic change of it, through `sponsorcheck check FILE --format json --no-follow`,
the real CLI — and compares the figures with the floors pinned below. It prints one line per floor
(measured value, floor, ok/FAIL) and exits 1 when any figure regressed, with a one-line reason per
floor that failed; 0 when all hold. Without a corpus at
CORPUS_DIR (default ../shared/corpus beside the checkout) it says so plainly and exits 0; 2 when
`check` itself cannot run.

Floors are pinned at what main measured when the gate was merged. They only ever go up (and the
"at most" ceilings only ever go down): when your change improves a figure, raise its floor in the same
commit, so the next change cannot quietly give the gain back. Never lower a floor to make a change
pass — fix the change, or say in the commit why the figure had to move (a relabelled page, say).
Verdict and recall figures cover the corpus's html and template pages only (data files are not
pages `check` reads); "held-back" is the team's fixed held-back set — a page is held back when
int(sha256(page_id).hexdigest(), 16) % 4 == 0 — "tune" the rest, "all" is tune + held-back.
The robustness figures cover the same corpus pages only: the project's own test pages change with
every commit, the corpus does not, so a floor moves only when the tool does (robustness.py prints the
test pages' figures too).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_eval import DEFAULT_CORPUS, Evaluation, evaluate
from robustness import Figures, measure
from user_check import CheckFailed


@dataclass(frozen=True)
class Measured:
    """Both evaluations the floors read: the corpus evaluation and the robustness figures on its pages."""

    corpus: Evaluation
    robustness: Figures


@dataclass(frozen=True)
class Floor:
    """One pinned figure: `at_least` floors must not fall, `at_most` ceilings must not rise."""

    name: str
    bound: float
    measure: Callable[[Measured], float]
    at_most: bool = False
    ratio: bool = False  # printed with three decimals

    def holds(self, value: float) -> bool:
        return value <= self.bound if self.at_most else value >= self.bound

    def show(self, value: float) -> str:
        return f"{value:.3f}" if self.ratio else f"{value:g}"


# Pinned at main's figures when the extraction package landed (corpus: 42 html+template pages, 10 held back;
# robustness: 13 changes on those pages). The two verdict floors moved down once, from 42/10 to 40/9, and
# everything else up: two clear pages now read review (a logo whose alt text names a watchlisted brand while it
# links another site, inside a sponsor list; a watchlisted product named in a hidden tab's text outside any
# list). Issue 9's policy makes both a question for a person, never a silent clear; recall rose 0.850 → 0.927
# and the conflicts lost by the robustness changes fell 8 → 2 in the same change.
# Round 3 (recall): recall 0.927 → 0.956 and precision 0.722 → 0.739 raised their floors. The "largest recall
# drop" ceiling moved up once, 0.117 → 0.118, only because the unchanged recall rose: the drop is measured
# against it, and the recall after every change rose too (after "headings replaced by 'Thank you'", the largest
# drop, 372 → 383 of 501 labelled sponsors found). The names gained on card pages stand in the cards' own title
# headings, and a change that blanks every heading blanks those names with them.
# Round 3 (perf): verdicts right 40 → 41 (one alt text copied onto logos that link different sites names none
# of them), so that floor rose with it.
# Round 5 (recall): precision 0.739 → 0.745 (a logo that names no one is no longer listed as a sponsor under
# a two-letter or made-up name), so that floor rose with it.
FLOORS: tuple[Floor, ...] = (
    Floor("verdicts right (html+template, all)", 41, lambda m: m.corpus.by_set["all"].right),
    Floor("verdicts right (html+template, held-back)", 9, lambda m: m.corpus.by_set["held-back"].right),
    Floor("false conflicts (html+template, all)", 0, lambda m: m.corpus.by_set["all"].false_conflicts, at_most=True),
    Floor(
        "missed conflicts: conflict read clear/unknown (html+template, all)",
        0,
        lambda m: m.corpus.by_set["all"].missed_conflicts,
        at_most=True,
    ),
    # Round 4 (robust): recall 0.956 → 0.962 and held-back recall 0.885 → 0.908 (115 → 118 of 130) with grid
    # entries of one shape counting every logo they hold (rows of two logos are a grid).
    Floor("sponsor recall (html+template, all)", 0.961, lambda m: m.corpus.by_set["all"].recall, ratio=True),
    Floor(
        "sponsor recall (html+template, held-back)", 0.907, lambda m: m.corpus.by_set["held-back"].recall, ratio=True
    ),
    Floor("sponsor precision (html+template, all)", 0.744, lambda m: m.corpus.by_set["all"].precision, ratio=True),
    # Round 3: the robustness floors rose (0.932 → 0.957 kept, 2 → 0 conflicts lost, 0.135 → 0.117 largest drop)
    # with short links and platform channels in logo grids, footers as their own region, lead-in lines as list
    # labels, and block moves that take a block's label heading and whole table or list along (robustness.py).
    # Round 4 (robust): 0.957 → 0.965 kept and 0.118 → 0.095 largest drop, with grids of logos nested one per row,
    # grids of logos the site files under a partners folder, and block moves that keep the block's title and labels.
    # Round 5 (robust): 0.966 → 0.970 kept and 0.094 → 0.043 largest drop, with the sponsor list's other markers
    # read when its heading is gone (tier labels or a partner column, the menu link to it, an image title, the
    # sponsors page's own <title>, filed logos behind proxies and lazy loaders) and card titles kept as names.
    Floor("robustness: verdicts kept over all changes", 0.969, lambda m: m.robustness.kept_share, ratio=True),
    Floor(
        "robustness: conflicts lost (conflict → clear/unknown)",
        0,
        lambda m: m.robustness.conflicts_lost,
        at_most=True,
    ),
    Floor(
        "robustness: largest recall drop of one change",
        0.045,
        lambda m: m.robustness.max_drop,
        at_most=True,
        ratio=True,
    ),
)


def check_floors(measured: Measured, floors: tuple[Floor, ...] = FLOORS) -> list[str]:
    """Print one line per floor; return one reason line per floor that does not hold."""
    failures: list[str] = []
    for floor in floors:
        value = float(floor.measure(measured))
        ok = floor.holds(value)
        relation = "at most" if floor.at_most else "at least"
        print(f"  {'ok  ' if ok else 'FAIL'} {floor.name}: {floor.show(value)} ({relation} {floor.show(floor.bound)})")
        if not ok:
            failures.append(
                f"eval gate: {floor.name} regressed to {floor.show(value)}, "
                f"{'above the ceiling' if floor.at_most else 'below the floor'} {floor.show(floor.bound)}"
            )
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS), help="corpus directory (labels.yaml)")
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if not (corpus / "labels.yaml").is_file():
        print(f"eval gate: skipped — no labelled corpus at {corpus} (labels.yaml not found)")
        return 0
    try:
        evaluation = evaluate(corpus)
        robustness = measure(corpus, include_tests=False).figures(corpus=True)
    except CheckFailed as exc:
        print(f"eval gate: cannot run check: {exc}", file=sys.stderr)
        return 2
    print(
        f"eval gate: {len(evaluation.pages)} html+template pages of {corpus} through `check`, "
        f"and {sum(r.pages for r in robustness.rows)} changed versions of them"
    )
    failures = check_floors(Measured(evaluation, robustness))
    for reason in failures:
        print(reason, file=sys.stderr)
    print("eval gate: " + (f"FAILED ({len(failures)} figure(s) regressed)" if failures else "all floors hold"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
