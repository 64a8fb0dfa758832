"""Measure extraction and verdicts on a labelled corpus (labels.yaml + pages/, see ../shared/corpus/README.md).

    python benchmarks/corpus_eval.py [CORPUS_DIR] [--watchlist PATH]... [--fail-under-recall X]

For html and template pages it runs the check pipeline on the file without following links
(`pipeline.check_target`, default watchlist unless --watchlist is given); for `kind: data` pages it
runs `names` (`pipeline.check_names`) on the labelled sponsor list. Per page it prints the expected
and the actual verdict (OK/WRONG) and the sponsor recall and precision against the labelled sponsors;
the last three lines are the totals. A clear page read as "unknown" counts as right (the label
conventions say so); a clear page read as "conflict" is a false conflict.

Name matching rule (recall and precision): a found name and a labelled name are the same sponsor when,
after `sponsorcheck.normalize.normalize_name` and with spaces removed, they are equal, or one contains
the other (the shorter at least 3 characters: "amoeba" ↔ "Amoeba Music", "cms" ↔ "Caltech CMS"), or
their rapidfuzz ratio is at least 85 (spelling variants), or one (3+ characters) is an acronym inside the
initials of the other ("MLH" ↔ "Major League Hacking"). Found names are the result's sponsors plus its
mentions that sat inside a sponsor section (community groups are listed as mentions, yet they are on
the sponsor list a person reads).

Exits 0 quietly, with a note, when the corpus directory does not exist; 1 when --fail-under-recall is
given and the recall is below it; 2 when the watchlist cannot be loaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sponsorcheck.errors import SponsorcheckError  # noqa: E402
from sponsorcheck.fetch import Fetcher  # noqa: E402
from sponsorcheck.models import Result, Role, Verdict  # noqa: E402
from sponsorcheck.normalize import normalize_name  # noqa: E402
from sponsorcheck.pipeline import CheckOptions, check_names, check_target, matcher_for  # noqa: E402
from sponsorcheck.watchlist import load_watchlists  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
FUZZY_SAME = 85
MIN_CONTAINED = 3
ACRONYM_SKIP = frozenset({"of", "and", "the", "for", "de", "du", "des", "la", "le", "der", "und"})


def same_sponsor(a: str, b: str) -> bool:
    """The documented matching rule: equal, containment, or fuzzy-equal after normalize_name."""
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
    # An acronym of the other name ("MLH" ↔ "Major League Hacking", "ESC" ↔ "UVA Engineering Student Council").
    for acronym, full in ((ca, b), (cb, a)):
        words = [w for w in normalize_name(full).split() if w not in ACRONYM_SKIP]
        initials = "".join(w[0] for w in words)
        if len(words) >= 2 and len(acronym) >= MIN_CONTAINED and acronym in initials:
            return True
    return False


def found_names(result: Result) -> list[str]:
    """Names the tool lists for a page: sponsors, plus mentions found inside a sponsor section."""
    names = [c.name for c in result.sponsors if c.role is Role.SPONSOR]
    names += [c.name for c in result.mentions if c.in_sponsor_context]
    return list(dict.fromkeys(names))


def verdict_ok(expected: str, got: Verdict) -> bool:
    if expected == "conflict":
        return got is Verdict.CONFLICT
    return got in (Verdict.CLEAR, Verdict.UNKNOWN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS), help="corpus directory (labels.yaml)")
    parser.add_argument("--watchlist", action="append", default=[], help="watchlist file(s) instead of the default")
    parser.add_argument("--fail-under-recall", type=float, default=None, help="exit 1 when recall is below this")
    parser.add_argument("--verbose", "-v", action="store_true", help="list missed and extra names per page")
    args = parser.parse_args(argv)

    corpus = Path(args.corpus)
    labels_file = corpus / "labels.yaml"
    if not labels_file.is_file():
        print(f"note: no corpus at {corpus} (labels.yaml not found); nothing to measure")
        return 0
    try:
        watchlists = load_watchlists(args.watchlist)
    except SponsorcheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    matcher = matcher_for(watchlists)
    pages = (yaml.safe_load(labels_file.read_text(encoding="utf-8")) or {}).get("pages") or []
    fetcher = Fetcher(offline=True)
    options = CheckOptions(follow=0)

    right = false_conflicts = 0
    tp_recall = total_labelled = tp_precision = total_found = 0
    for entry in pages:
        kind = entry.get("kind", "html")
        labelled = [str(s) for s in entry.get("sponsors") or []]
        expected = entry.get("expected", "clear")
        if kind == "data":
            result = check_names(labelled, matcher, target=entry["id"])
        else:
            result = check_target(str(corpus / entry["file"]), fetcher, matcher, options)
        ok = verdict_ok(expected, result.verdict)
        right += ok
        false_conflicts += expected != "conflict" and result.verdict is Verdict.CONFLICT
        got = found_names(result)
        hits = [name for name in labelled if any(same_sponsor(name, g) for g in got)]
        good = [g for g in got if any(same_sponsor(name, g) for name in labelled)]
        recall = f"{len(hits)}/{len(labelled)}"
        precision = f"{len(good)}/{len(got)}"
        if kind != "data":
            tp_recall += len(hits)
            total_labelled += len(labelled)
            tp_precision += len(good)
            total_found += len(got)
        print(
            f"{entry['id']:<32} {kind:<8} expected {expected:<8} got {result.verdict.value:<8} "
            f"{'OK' if ok else 'WRONG':<5} recall {recall:<7} precision {precision}"
        )
        if args.verbose and kind != "data":
            missed = [n for n in labelled if n not in hits]
            extra = [g for g in got if g not in good]
            if missed:
                print(f"    missed: {missed}")
            if extra:
                print(f"    extra:  {extra}")
            for f in result.findings:
                print(f"    finding: {f.level.value} {f.entity} {f.sponsor!r} via {f.method} {f.matched!r}")
    recall_value = tp_recall / total_labelled if total_labelled else 1.0
    precision_value = tp_precision / total_found if total_found else 1.0
    print(f"verdicts right: {right}/{len(pages)}, false conflicts: {false_conflicts}")
    print(f"sponsor recall (html+template): {recall_value:.3f} ({tp_recall}/{total_labelled})")
    print(f"sponsor precision (html+template): {precision_value:.3f} ({tp_precision}/{total_found})")
    if args.fail_under_recall is not None and recall_value < args.fail_under_recall:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
