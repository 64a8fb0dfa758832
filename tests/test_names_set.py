"""The labelled name set (tests/data/names.yaml) against the default watchlist.

Every positive must be found with the right entity (and brand, where labelled) at the labelled
level; no look-alike may ever be a conflict. `test_summary` prints precision and recall:
    python -m pytest -q -s tests/test_names_set.py -k summary
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sponsorcheck.match import Matcher
from sponsorcheck.models import Level, Verdict
from sponsorcheck.pipeline import check_names
from sponsorcheck.watchlist import load_default

NAMES = Path(__file__).resolve().parent / "data" / "names.yaml"
ROWS = yaml.safe_load(NAMES.read_text(encoding="utf-8")) if NAMES.exists() else []


@pytest.fixture(scope="module")
def default_matcher():
    return Matcher([load_default()])


def test_the_set_is_large_and_covers_every_class():
    assert len(ROWS) >= 150
    classes = {r["class"] for r in ROWS}
    needed = {"typo", "legal-form", "weak-alone", "weak-corroborated", "lookalike-river", "lookalike-acronym"}
    needed |= {"lookalike-ice-word", "lookalike-immigrant-rights", "lookalike-brand-word", "lookalike-tolkien"}
    assert needed <= classes, needed - classes


def _judge(matcher: Matcher, row: dict):
    result = check_names([row["name"]], matcher)
    counted = [f for f in result.findings if f.level is not Level.ALLOWED]
    return result.verdict, (counted[0] if counted else None)


@pytest.mark.parametrize("row", ROWS, ids=[f"{i}:{r['name']}" for i, r in enumerate(ROWS)])
def test_labelled_name(default_matcher, row):
    verdict, finding = _judge(default_matcher, row)
    if row.get("entity"):
        assert finding is not None, f"{row['name']!r} not found ({row['class']})"
        assert finding.entity == row["entity"], (row["name"], finding.entity)
        if row.get("brand"):
            assert finding.brand == row["brand"], (row["name"], finding.brand, finding.matched)
    else:
        assert verdict is not Verdict.CONFLICT, f"look-alike {row['name']!r} became a conflict: {finding}"
    assert verdict.value == row["expect"], (row["name"], verdict.value, finding and finding.why)


def test_summary(default_matcher):
    positives = [r for r in ROWS if r.get("entity")]
    flagged = tp = conflicts = true_conflicts = found = exact = 0
    for row in ROWS:
        verdict, finding = _judge(default_matcher, row)
        right = finding is not None and finding.entity == row.get("entity")
        exact += verdict.value == row["expect"]
        if finding is not None:
            flagged += 1
            tp += right
        if verdict is Verdict.CONFLICT:
            conflicts += 1
            true_conflicts += right
        if row.get("entity") and right:
            found += 1
    precision = tp / flagged if flagged else 1.0
    recall = found / len(positives) if positives else 1.0
    conflict_precision = true_conflicts / conflicts if conflicts else 1.0
    print(
        f"\nnames set: {len(ROWS)} names, {len(positives)} positives; "
        f"precision {precision:.3f} (flagged {flagged}), recall {recall:.3f}, "
        f"conflict precision {conflict_precision:.3f} ({conflicts} conflicts), "
        f"labelled verdict agreement {exact}/{len(ROWS)}"
    )
    assert recall == 1.0 and conflict_precision == 1.0
