"""The labelled name set (tests/data/names.yaml) against the default watchlist.

HELD-BACK RULE (fixed before any issue-13 rule change): a row is held back when
    int(sha256(name.encode("utf-8")).hexdigest(), 16) % 10 < 3
(about 30% of the rows). Rules are tuned on the other rows only; the held-back rows are checked
only against the issue's targets (recall >= 0.97, no look-alike a conflict, at most 5% of look-alikes
review) and reported beside the tune figures:
    python -m pytest -q -s tests/test_names_set.py -k summary

On the tune rows every positive must be found with the right entity (and brand, where labelled) at
the labelled level, and no look-alike may be a conflict.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sponsorcheck.match import Matcher
from sponsorcheck.models import Level, Verdict
from sponsorcheck.pipeline import check_names
from sponsorcheck.watchlist import load_default

NAMES = Path(__file__).resolve().parent / "data" / "names.yaml"
ROWS = yaml.safe_load(NAMES.read_text(encoding="utf-8")) if NAMES.exists() else []
HELD_BACK_MODULUS = 10
HELD_BACK_BELOW = 3  # 3 in 10 rows held back
# Classes whose label is a floor: a weak alias followed by a product word must be at least review;
# listing the product as an alias (conflict) is also right.
AT_LEAST_CLASSES = frozenset({"weak-product"})
TARGET_RECALL = 0.97
TARGET_LOOKALIKE_REVIEW = 0.05


def is_held_back(name: str) -> bool:
    """The team's deterministic split: about 30% of names, chosen by hash, are never tuned on."""
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % HELD_BACK_MODULUS < HELD_BACK_BELOW


TUNE = [r for r in ROWS if not is_held_back(r["name"])]
HELD_BACK = [r for r in ROWS if is_held_back(r["name"])]


@pytest.fixture(scope="module")
def default_matcher():
    return Matcher([load_default()])


def test_the_set_is_large_and_covers_every_class():
    assert len(ROWS) >= 480
    classes = {r["class"] for r in ROWS}
    needed = {"typo", "legal-form", "weak-alone", "weak-corroborated", "lookalike-river", "lookalike-acronym"}
    needed |= {"lookalike-ice-word", "lookalike-immigrant-rights", "lookalike-brand-word", "lookalike-tolkien"}
    needed |= {"apposition", "weak-product", "listed-product", "missing-brand", "lookalike-coop"}
    needed |= {"lookalike-victims-group", "lookalike-trade", "lookalike-person", "lookalike-vocabulary"}
    assert needed <= classes, needed - classes
    assert 0.25 <= len(HELD_BACK) / len(ROWS) <= 0.35


def test_every_new_lookalike_names_its_real_owner():
    for row in ROWS[333:]:  # the issue-13 additions
        if not row.get("entity"):
            assert row.get("owner") and row.get("source"), row["name"]


def _judge(matcher: Matcher, row: dict):
    result = check_names([row["name"]], matcher)
    counted = [f for f in result.findings if f.level is not Level.ALLOWED]
    return result.verdict, (counted[0] if counted else None)


def _agrees(row: dict, verdict: Verdict) -> bool:
    if row["class"] in AT_LEAST_CLASSES and row["expect"] == "review":
        return verdict in (Verdict.REVIEW, Verdict.CONFLICT)
    return verdict.value == row["expect"]


def _param(row: dict):
    marks = [pytest.mark.xfail(reason=row["known_miss"], strict=True)] if row.get("known_miss") else []
    return pytest.param(row, id=row["name"], marks=marks)


@pytest.mark.parametrize("row", [_param(r) for r in TUNE])
def test_labelled_name(default_matcher, row):
    verdict, finding = _judge(default_matcher, row)
    if row.get("entity"):
        assert finding is not None, f"{row['name']!r} not found ({row['class']})"
        assert finding.entity == row["entity"], (row["name"], finding.entity)
        if row.get("brand"):
            assert finding.brand == row["brand"], (row["name"], finding.brand, finding.matched)
    else:
        assert verdict is not Verdict.CONFLICT, f"look-alike {row['name']!r} became a conflict: {finding}"
    assert _agrees(row, verdict), (row["name"], verdict.value, finding and finding.why)


@dataclass(frozen=True)
class Figures:
    names: int
    positives: int
    found: int
    lookalikes: int
    lookalike_conflicts: int
    lookalike_reviews: int
    flagged: int
    flagged_right: int
    agreement: int

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float:
        return self.flagged_right / self.flagged if self.flagged else 1.0

    @property
    def lookalike_review_rate(self) -> float:
        return self.lookalike_reviews / self.lookalikes if self.lookalikes else 0.0

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.names} names ({self.positives} positives, {self.lookalikes} look-alikes/ordinary); "
            f"recall {self.recall:.3f} ({self.found}/{self.positives}), precision {self.precision:.3f}, "
            f"look-alike conflicts {self.lookalike_conflicts}, look-alike review "
            f"{self.lookalike_review_rate:.1%} ({self.lookalike_reviews}), "
            f"labelled verdict agreement {self.agreement}/{self.names}"
        )


def measure(matcher: Matcher, rows: list[dict]) -> Figures:
    """Recall, look-alike conflicts and reviews, and label agreement over some rows, as `names` judges them."""
    found = conflicts = reviews = flagged = right_flags = agreement = 0
    for row in rows:
        verdict, finding = _judge(matcher, row)
        right = finding is not None and finding.entity == row.get("entity")
        agreement += _agrees(row, verdict)
        if finding is not None:
            flagged += 1
            right_flags += right
        if row.get("entity"):
            found += right
        else:
            conflicts += verdict is Verdict.CONFLICT
            reviews += verdict is Verdict.REVIEW
    positives = sum(1 for r in rows if r.get("entity"))
    lookalikes = len(rows) - positives
    return Figures(len(rows), positives, found, lookalikes, conflicts, reviews, flagged, right_flags, agreement)


def test_summary(default_matcher):
    tune, held = measure(default_matcher, TUNE), measure(default_matcher, HELD_BACK)
    print("\n" + tune.line("names set, tune") + "\n" + held.line("names set, held back"))
    known_misses = sum(1 for r in TUNE if r.get("known_miss") and r.get("entity"))
    assert tune.found + known_misses >= tune.positives and tune.lookalike_conflicts == 0


def test_held_back_targets(default_matcher):
    held = measure(default_matcher, HELD_BACK)
    assert held.recall >= TARGET_RECALL, held.line("held back")
    assert held.lookalike_conflicts == 0, held.line("held back")
    assert held.lookalike_review_rate <= TARGET_LOOKALIKE_REVIEW, held.line("held back")
