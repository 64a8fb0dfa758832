"""Matcher micro-benchmark: CPU microseconds per candidate for `Matcher.match_candidate`.

Two inputs, both measured with a fresh normalisation cache so nothing is remembered between names:

* the labelled names set (tests/data/names.yaml): nearly every name shares a word with an alias,
  so the exact, weak and fuzzy passes all run — the expensive case;
* ordinary sponsor names (made-up local businesses, each with a logo file, a link and a domain of
  its own): the common case on a real page, where most names match nothing.

Usage (from the repository root):  python benchmarks/match_bench.py [--repeat 5]
It is a benchmark, not a test: it prints figures and exits 0. The issue-5 budget is extract+match
<= 8 ms CPU for a 300 KB page with about 100 candidates.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from sponsorcheck.match import Matcher  # noqa: E402
from sponsorcheck.models import Candidate, Evidence  # noqa: E402
from sponsorcheck.normalize import normalize_name  # noqa: E402
from sponsorcheck.watchlist import load_default  # noqa: E402

_WORD_TEXT = (
    "red bull heineken city council arts fund brewing coffee radio studio music foundation bank credit union "
    "harbour north east media group festival hotel records press digital print local farm co op pizza energy "
    "solar green labs"
)
WORDS = tuple(_WORD_TEXT.split())


def candidate(name: str, slug: str) -> Candidate:
    """A sponsor logo as extraction emits it: alt text, logo file, link and its domain."""
    return Candidate(
        name=name,
        evidence=(
            Evidence("img-alt", name),
            Evidence("img-file", f"/img/sponsors/{slug}.png"),
            Evidence("link", f"https://{slug}.example/"),
        ),
        domains=(f"{slug}.example",),
        in_sponsor_context=True,
    )


def per_candidate_us(matcher: Matcher, candidates: list[Candidate], repeat: int) -> float:
    """Median over `repeat` runs of CPU microseconds per candidate, normalisation cache cleared each run."""
    runs = []
    for _ in range(repeat):
        normalize_name.cache_clear()
        matcher.clear_caches()
        start = time.process_time()
        for c in candidates:
            matcher.match_candidate(c)
        runs.append((time.process_time() - start) / len(candidates) * 1e6)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    start = time.process_time()
    matcher = Matcher([load_default()])
    build_ms = (time.process_time() - start) * 1000
    rows = yaml.safe_load((ROOT / "tests" / "data" / "names.yaml").read_text(encoding="utf-8"))
    labelled = [candidate(r["name"], f"s{i}") for i, r in enumerate(rows)]
    rng = random.Random(1)
    ordinary = []
    for i in range(1000):
        name = " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(1, 4)))
        ordinary.append(candidate(f"{name} {i}", f"{name.lower().replace(' ', '')}{i}"))
    print(f"matcher build: {build_ms:.1f} ms CPU (once per run)")
    for label, cands in (("labelled names set", labelled), ("ordinary sponsor names", ordinary)):
        us = per_candidate_us(matcher, cands, args.repeat)
        per_100 = us * 100 / 1000
        print(f"{label:24} {len(cands):5} candidates: {us:6.1f} µs CPU per candidate ({per_100:.2f} ms per 100)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
