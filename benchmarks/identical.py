"""Do speed changes keep every result byte-identical? Digests of `check --json` over many pages, saved and compared.

A speed-up must not change what a user reads. This runs the pipeline `check` runs for a saved page
(`read_file` → `extract(page, matcher)` → `result_from` → the JSON report) over:

* every file under tests/pages (html, templates, Markdown, data files alike);
* every file under ../shared/corpus/pages, when present (digests only: no page is described);
* the batch benchmark's generated pages: the two 300 KB pages of sweep_bench.py and the row pages (and the
  pages they link to) of the first ``--rows`` rows of its 1000-row tour (seed 5, 200 hosts);
* unless ``--no-robustness``: every changed version robustness.py makes of the corpus and test pages
  (headings removed, classes hashed, blocks moved…), which reach code paths the plain pages do not.

For each input it keeps the sha256 of the JSON document and of the `Extraction` with and without the
sweep (so a change that moves a candidate the report does not show is caught too).

    python benchmarks/identical.py --save /tmp/digests.json      # before a change
    python benchmarks/identical.py --compare /tmp/digests.json   # after it: exit 1 and the inputs that differ

The run is in-process and single-threaded, PYTHONHASHSEED fixed (the script re-executes itself with 0).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "benchmarks"
TEST_PAGES = REPO_ROOT / "tests" / "pages"
CORPUS_PAGES = tuple(root / "shared" / "corpus" / "pages" for root in (REPO_ROOT.parent, REPO_ROOT.parent.parent))
TOUR_ROWS, TOUR_HOSTS, TOUR_SEED = 1000, 200, 5


def _inputs(rows: int, robustness: bool, workdir: Path) -> Iterator[tuple[str, object]]:
    """(label, Page or path) of every input, in a fixed order."""
    from batchbench import pages as batch_pages  # type: ignore[import-not-found]

    from sponsorcheck.models import Page

    for path in sorted(p for p in TEST_PAGES.rglob("*") if p.is_file()):
        yield f"tests/{path.relative_to(TEST_PAGES).as_posix()}", path
    corpus = next((c for c in CORPUS_PAGES if c.is_dir()), None)
    if corpus is not None:
        for path in sorted(p for p in corpus.iterdir() if p.is_file()):
            yield f"corpus/{path.name}", path
    pools = batch_pages.build_pools(TOUR_SEED)
    micro = batch_pages.TourRow(10**6, 0, "2026-07-10", "Utrecht", "NL", "Canal Works", "Meadowlark Festival")
    for amazon in (False, True):
        page, _ = batch_pages.generate_page(micro, pools, TOUR_SEED, size=batch_pages.MICRO_PAGE_BYTES, amazon=amazon)
        url = "https://meadowlark-festival.example/events/2026.html"
        yield f"micro/amazon={amazon}", Page(url, url, page.decode("utf-8"))
    plan = batch_pages.plan_tour(TOUR_ROWS, TOUR_HOSTS, TOUR_SEED)
    for row in plan[:rows]:
        host = f"http://{batch_pages.host_address(row.host)}:8000"
        page, info = batch_pages.generate_page(row, pools, TOUR_SEED)
        url = f"{host}/events/{row.k}.html"
        yield f"tour/{row.k}", Page(url, url, page.decode("utf-8"), "text/html")
        amazon = next((a for a in batch_pages.AMAZON_SPONSORS if a[0] == info.amazon), None)
        for path in info.linked:
            linked = batch_pages.generate_linked_page(row, pools, TOUR_SEED, path, amazon)
            yield f"tour/{row.k}{path}", Page(host + path, host + path, linked.decode("utf-8"), "text/html")
    if robustness:
        yield from _variants(workdir)


def _variants(workdir: Path) -> Iterator[tuple[str, object]]:
    """robustness.py's changed versions of every corpus and test page (its round trip included), as files."""
    import robustness as rb  # type: ignore[import-not-found]

    corpus = next((c.parent for c in CORPUS_PAGES if c.is_dir()), None)
    sources = [*(rb.corpus_pages(corpus) if corpus is not None else []), *rb.project_pages()]
    for number, page in enumerate(sources):
        unchanged_html = rb.serialise(rb.parse(page.html))
        path = workdir / f"v{number}{page.suffix}"
        path.write_text(unchanged_html, encoding="utf-8")
        yield f"robust/{number}/round-trip", path
        result = json.loads(_check(path)[0])["results"][0]
        ctx = rb.PageContext(page, rb._found_sponsors(rb.Checked(0, result)))
        for change_number, (_name, change) in enumerate(rb.CHANGES):
            doc = rb.parse(unchanged_html)
            if not change(doc, ctx):
                continue
            changed = workdir / f"v{number}-{change_number}{page.suffix}"
            changed.write_text(rb.serialise(doc), encoding="utf-8")
            yield f"robust/{number}/{change_number}", changed


_STATE: dict[str, object] = {}


def _check(source: object) -> tuple[str, str, str]:
    """(JSON document, repr of the extraction with the sweep, repr without) for one input."""
    from sponsorcheck.errors import SponsorcheckError
    from sponsorcheck.extract import extract
    from sponsorcheck.fetch import read_file
    from sponsorcheck.models import Page
    from sponsorcheck.pipeline import matcher_for, result_from
    from sponsorcheck.report.json import to_json
    from sponsorcheck.watchlist import load_default

    if "watchlist" not in _STATE:
        _STATE["watchlist"] = load_default()
    watchlist = _STATE["watchlist"]
    matcher = matcher_for((watchlist,))  # type: ignore[arg-type]
    if isinstance(source, Path):
        try:
            page = read_file(str(source))
        except SponsorcheckError as exc:
            return f"error: {exc}", "", ""
    else:
        assert isinstance(source, Page)
        page = source
    swept = extract(page, matcher)
    result = result_from(page.target, page.url, swept, matcher)
    return to_json([result], [watchlist]), repr(swept), repr(extract(page))  # type: ignore[list-item]


def digests(rows: int, robustness: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    corpus = next((c for c in CORPUS_PAGES if c.is_dir()), None)
    # A file's path is part of its result (target, url; the watchlist's path): where the checkout, the corpus and
    # the temporary directory are is not, so two checkouts of the code can be compared.
    places = [(str(corpus), "CORPUS")] if corpus is not None else []
    places.append((str(REPO_ROOT), "REPO"))
    with tempfile.TemporaryDirectory(prefix="sponsorcheck-identical-") as tmp:
        for label, source in _inputs(rows, robustness, Path(tmp)):
            texts = list(_check(source))
            for place, name in [(tmp, "TMP"), *places]:
                texts = [text.replace(place, name) for text in texts]
            document, with_sweep, without = texts
            out[label] = hashlib.sha256("\x00".join((document, with_sweep, without)).encode()).hexdigest()
    return out


def main(argv: list[str] | None = None) -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":  # set iteration order, hence reprs, must not vary between runs
        os.execve(sys.executable, [sys.executable, __file__, *sys.argv[1:]], {**os.environ, "PYTHONHASHSEED": "0"})
    sys.path[:0] = [str(REPO_ROOT), str(BENCH_DIR)]
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", metavar="FILE", help="write the digests to FILE")
    action.add_argument("--compare", metavar="FILE", help="compare with the digests in FILE; exit 1 on a difference")
    parser.add_argument("--rows", type=int, default=300, help=f"tour rows to generate, of {TOUR_ROWS} (default 300)")
    parser.add_argument("--no-robustness", dest="robustness", action="store_false", help="skip the changed pages")
    args = parser.parse_args(argv)
    start = time.monotonic()
    found = digests(args.rows, args.robustness)
    took = time.monotonic() - start
    if args.save:
        Path(args.save).write_text(json.dumps(found, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(found)} digests written to {args.save} ({took:.0f} s)")
        return 0
    saved = json.loads(Path(args.compare).read_text(encoding="utf-8"))
    changed = sorted(k for k in found.keys() & saved.keys() if found[k] != saved[k])
    missing, new = sorted(saved.keys() - found.keys()), sorted(found.keys() - saved.keys())
    for label in changed:
        print(f"DIFFERS  {label}")
    for label in missing:
        print(f"MISSING  {label}")
    for label in new:
        print(f"NEW      {label}")
    same = len(found) - len(changed) - len(new)
    print(f"{same} of {len(found)} inputs identical, {len(changed)} differ, {len(missing)} missing ({took:.0f} s)")
    return 1 if changed or missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
