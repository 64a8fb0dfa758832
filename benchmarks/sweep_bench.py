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
3. With ``--baseline REF``: the same figure (with the sweep) for the code of git REF (``git archive`` of
   sponsorcheck/ and watchlist.yaml into a temporary directory) beside today's, each in a child process of
   its own, one run at a time, alternating which goes first, so a loaded machine slows both alike. The
   pages are generated once, by today's generator, for both; the corpus pages (../shared/corpus/pages,
   when present) are timed too, so a speed-up measured on one page shape is checked on real ones.

Usage (from the repository root)::

    python benchmarks/sweep_bench.py [--runs 50] [--baseline REF] [--no-scanners]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

from batchbench import pages as batch_pages  # noqa: E402  the generator of realistic event pages lives there
from batchbench.measure import baseline_code  # noqa: E402  one git-archive checkout for every --baseline

TARGET_MS = 8.0
URL = "https://meadowlark-festival.example/events/2026.html"
# ../shared/corpus beside the checkout, or beside a worktree one level deeper (as corpus_eval.py finds it).
CORPUS_PAGES = tuple(root / "shared" / "corpus" / "pages" for root in (REPO_ROOT.parent, REPO_ROOT.parent.parent))
CORPUS_SUFFIXES = (".html", ".htm", ".php", ".tpl", ".md", ".markdown")  # pages `check` reads (not data files)


def median_ms(fn: Callable[[], object], runs: int) -> float:
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


def corpus_files() -> list[Path]:
    """The corpus pages `check` reads as pages (html and templates, Markdown), [] without a corpus."""
    folder = next((c for c in CORPUS_PAGES if c.is_dir()), None)
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in CORPUS_SUFFIXES) if folder else []


def scanners(terms: Any) -> dict[str, Callable[[str], object]]:
    from sponsorcheck.extract.sweep import spellings

    words = [t.decode() for t in (*terms.lowered_terms, *terms.cased_terms)]
    found: dict[str, Callable[[str], object]] = {"ahocorasick-rs (used)": lambda html: spellings(html, terms)}
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


def in_process(args: argparse.Namespace) -> None:
    """Sections 1 and 2: the scanners, and extract + match + verdict without and with the sweep (today's code)."""
    sys.path.insert(0, str(REPO_ROOT))
    from sponsorcheck.extract import extract
    from sponsorcheck.extract.sweep import terms_for
    from sponsorcheck.models import Page
    from sponsorcheck.pipeline import matcher_for, result_from
    from sponsorcheck.watchlist import load_default

    matcher = matcher_for((load_default(),))
    terms = terms_for(matcher)
    generated = pages()
    if args.scanners:
        count = len(terms.lowered_terms) + len(terms.cased_terms)
        print(f"scanner: one pass over the page for {count} terms, median CPU ms")
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


# --------------------------------------------------------------------------------------------------
# --baseline: today's code and REF's, each in a child process, runs alternated
# --------------------------------------------------------------------------------------------------

WARM_UP_RUNS = 5


def worker(code: Path, warm_up: int = WARM_UP_RUNS) -> int:
    """Child: import the package from `code`, then answer one timed run per request line on stdin.

    A request is the index of an item (the generated pages, then "every corpus page once"); the answer is
    the CPU ms of extract + match + verdict with the sweep for it. The first line written says which
    package file was imported, so the parent can check it is the code it meant."""
    sys.path.insert(0, str(code))
    import sponsorcheck
    from sponsorcheck.extract import extract
    from sponsorcheck.fetch import read_file
    from sponsorcheck.models import Page
    from sponsorcheck.pipeline import matcher_for, result_from
    from sponsorcheck.watchlist import load_default

    matcher = matcher_for((load_default(),))
    items: list[list[Any]] = [[Page(URL, URL, html)] for _label, html in pages()]
    corpus = [read_file(str(path)) for path in corpus_files()]
    if corpus:
        items.append(corpus)

    def run(item: list[Any]) -> float:
        start = time.process_time()
        for page in item:
            result_from(page.url, page.url, extract(page, matcher), matcher)
        return (time.process_time() - start) * 1000

    for item in items:
        for _ in range(warm_up):
            run(item)
    print(json.dumps({"package": sponsorcheck.__file__, "items": len(items)}), flush=True)
    for line in sys.stdin:
        print(f"{run(items[int(line)]):.6f}", flush=True)
    return 0


class Child:
    """One worker process timing one version of the code."""

    def __init__(self, label: str, code: Path, warm_up: int) -> None:
        self.label = label
        env = {**os.environ, "PYTHONPATH": str(code), "PYTHONHASHSEED": "0"}
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(code), str(warm_up)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(REPO_ROOT),
        )
        hello = json.loads(self._line())
        if not Path(hello["package"]).resolve().is_relative_to(code.resolve()):
            raise SystemExit(f"{label}: the child imported {hello['package']}, not the code in {code}")
        self.items = int(hello["items"])
        self.samples: dict[int, list[float]] = {}

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"{self.label}: the timing child exited (code {self.proc.wait()})")
        return line

    def time(self, item: int) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{item}\n")
        self.proc.stdin.flush()
        self.samples.setdefault(item, []).append(float(self._line()))

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


def against_baseline(args: argparse.Namespace) -> None:
    """Section 3: REF's code and today's, one run at a time, alternating which goes first."""
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        warm_up = min(WARM_UP_RUNS, args.runs)  # (a single run is a smoke test: it needs no warm-up)
        children = [
            Child(args.baseline, baseline_code(args.baseline, Path(tmp)), warm_up),
            Child("today", REPO_ROOT, warm_up),
        ]
        try:
            items = min(c.items for c in children)
            for run in range(args.runs):
                for item in range(items):
                    for child in children if run % 2 == 0 else reversed(children):
                        child.time(item)
        finally:
            for child in children:
                child.close()
    labels = [label for label, _html in pages()]
    corpus = len(corpus_files())
    if items > len(labels):
        labels.append(f"{corpus} corpus pages (all)")
    base, today = children
    print(
        f"\nextract + match + verdict with the sweep, median CPU ms over {args.runs} alternated runs, "
        f"each version in its own process (target on the 300 KB pages <= {TARGET_MS})"
    )
    print(f"  {'':34} {args.baseline[:12]:>12} {'today':>9} {'ratio':>7}")
    for item, label in enumerate(labels[:items]):
        a, b = statistics.median(base.samples[item]), statistics.median(today.samples[item])
        verdict = "" if item >= 2 else ("PASS" if b <= TARGET_MS else "FAIL")
        print(f"  {label:34} {a:12.2f} {b:9.2f} {b / a:6.2f}x  {verdict}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"] and len(argv) == 3:
        return worker(Path(argv[1]), int(argv[2]))
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per figure (default 50)")
    parser.add_argument(
        "--baseline", metavar="REF", help="also time the code of git REF beside today's, in the same run"
    )
    parser.add_argument(
        "--no-scanners", dest="scanners", action="store_false", help="skip the scanner comparison (section 1)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        raise SystemExit("--runs must be >= 1")
    in_process(args)
    if args.baseline:
        against_baseline(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
