"""Benchmark the whole-page watchlist sweep (issue 9): which scanner, and what the sweep costs per page.

This is a benchmark, not a test: it prints figures and exits 0 unless it broke.

1. Scanner: the three ways of finding every watchlist term in a page in one pass, timed on the batch
   benchmark's generated ~300 KB event pages (one with clean sponsors, one with an Amazon logo):
   * ``ahocorasick-rs``: one Aho-Corasick DFA over the page's lower-cased UTF-8 bytes (what the sweep uses),
   * ``pyahocorasick``: one Aho-Corasick automaton over the lower-cased str (skipped when not installed),
   * ``regex``: one compiled alternation of every term, whole-word, case-insensitive, over the str.
   All three get the same terms (`sweep.terms_for`) and report the same whole-word hits; the figure is the
   median CPU ms (``time.process_time``) of a full scan including lower-casing.
2. Cost of the sweep: median CPU ms of extract + match + verdict for the same pages without the sweep
   (``extract(page)``) and with it (``extract(page, matcher)``), runs interleaved so machine load hits both
   alike; target: with the sweep <= 8 ms (the batch benchmark's figure, issue 5).

Usage (from the repository root)::

    python benchmarks/sweep_bench.py [--runs 50]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from batchbench import pages as batch_pages  # noqa: E402  the generator of realistic event pages lives there

from sponsorcheck.extract import extract  # noqa: E402
from sponsorcheck.extract.sweep import spellings, terms_for  # noqa: E402
from sponsorcheck.models import Page  # noqa: E402
from sponsorcheck.pipeline import matcher_for, result_from  # noqa: E402
from sponsorcheck.watchlist import load_default  # noqa: E402

TARGET_MS = 8.0
URL = "https://meadowlark-festival.example/events/2026.html"


def median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def pages() -> list[tuple[str, str]]:
    pools = batch_pages.build_pools(5)
    row = batch_pages.TourRow(10**6, 0, "2026-07-10", "Utrecht", "NL", "Canal Works", "Meadowlark Festival")
    out = []
    for label, amazon in (("clean sponsors", False), ("with an Amazon logo", True)):
        page, _info = batch_pages.generate_page(row, pools, 5, size=batch_pages.MICRO_PAGE_BYTES, amazon=amazon)
        out.append((label, page.decode("utf-8")))
    return out


def scanners(terms) -> dict[str, object]:
    words = [t.decode() for t in (*terms.lowered_terms, *terms.cased_terms)]
    found: dict[str, object] = {"ahocorasick-rs (used)": lambda html: spellings(html, terms)}
    try:
        import ahocorasick  # type: ignore[import-not-found]

        automaton = ahocorasick.Automaton()
        for w in words:
            automaton.add_word(w.lower(), w)
        automaton.make_automaton()

        def pyaho(html: str) -> list[str]:
            low = html.lower()
            out = []
            for end, w in automaton.iter(low):
                start = end - len(w) + 1
                if (start == 0 or not low[start - 1].isalnum()) and (end + 1 >= len(low) or not low[end + 1].isalnum()):
                    out.append(html[start : end + 1])
            return out

        found["pyahocorasick"] = pyaho
    except ImportError:
        print("pyahocorasick not installed: `pip install pyahocorasick` to compare it")
    pattern = re.compile(
        r"(?<![^\W_])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![^\W_])",
        re.IGNORECASE,
    )
    found["one compiled regex"] = pattern.findall
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per figure (default 50)")
    args = parser.parse_args(argv)
    watchlists = (load_default(),)
    matcher = matcher_for(watchlists)
    terms = terms_for(matcher)
    generated = pages()
    print(
        f"scanner: one pass over the page for {len(terms.lowered_terms) + len(terms.cased_terms)} terms, median CPU ms"
    )
    for name, scan in scanners(terms).items():
        runs = max(3, args.runs // 10) if name == "one compiled regex" else args.runs
        figures = [f"{label}: {median_ms(lambda h=html, f=scan: f(h), runs):7.2f}" for label, html in generated]
        print(f"  {name:24} " + "   ".join(figures))
    print(
        f"extract + match + verdict, median CPU ms over {args.runs} interleaved runs (target with sweep <= {TARGET_MS})"
    )
    for label, html in generated:
        page = Page(URL, URL, html)
        for _ in range(5):  # warm-up: compiles the matcher and the sweep's automata once
            result_from(URL, URL, extract(page, matcher), matcher)
        without, with_sweep = [], []
        for _ in range(args.runs):
            start = time.process_time()
            result_from(URL, URL, extract(page), matcher)
            middle = time.process_time()
            result_from(URL, URL, extract(page, matcher), matcher)
            without.append((middle - start) * 1000)
            with_sweep.append((time.process_time() - middle) * 1000)
        a, b = statistics.median(without), statistics.median(with_sweep)
        verdict = "PASS" if b <= TARGET_MS else "FAIL"
        print(f"  {label:22} without sweep {a:6.2f}   with sweep {b:6.2f}   (+{b - a:.2f})   {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
