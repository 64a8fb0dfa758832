"""The quality benchmarks score what `check` answers, keep data files apart and split tune from held-back.

A tiny labelled corpus is written into tmp_path (pages written here, not taken from ../shared/corpus)
and benchmarks/corpus_eval.py is run on it as a script, the way the README says.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS_EVAL = ROOT / "benchmarks" / "corpus_eval.py"

# "alpha" is held back under the team's rule (sha256 % 4 == 0); "beta" and "gamma" are tune pages.
CONFLICT_PAGE = """<!doctype html><html><head><title>Riverside Folk Weekend</title></head><body>
<h2>Our sponsors</h2>
<ul class="sponsors">
  <li><a href="https://www.twitch.tv/"><img src="/img/twitch.svg" alt="Twitch"></a></li>
  <li><a href="https://harbourbrewing.example/"><img src="/img/harbour.png" alt="Harbour Brewing"></a></li>
</ul></body></html>
"""
CLEAR_PAGE = """<!doctype html><html><head><title>Lakeside Jazz Nights</title></head><body>
<h2>Partners</h2>
<ul>
  <li><a href="https://northbank.example/"><img src="/img/northbank.png" alt="Northbank Credit Union"></a></li>
  <li><a href="https://citylibrary.example/"><img src="/img/library.png" alt="City Library"></a></li>
</ul></body></html>
"""
DATA_FILE = "sponsors:\n  - name: Audible\n  - name: Pine Street Bakery\n"


def write_corpus(root: Path) -> Path:
    pages = root / "pages"
    pages.mkdir(parents=True)
    (pages / "alpha.html").write_text(CONFLICT_PAGE, encoding="utf-8")
    (pages / "beta.html").write_text(CLEAR_PAGE, encoding="utf-8")
    (pages / "gamma.yml").write_text(DATA_FILE, encoding="utf-8")
    labels = {
        "pages": [
            {
                "id": "alpha",
                "kind": "html",
                "file": "pages/alpha.html",
                "sponsors": ["Twitch", "Harbour Brewing"],
                "expected": "conflict",
            },
            {
                "id": "beta",
                "kind": "html",
                "file": "pages/beta.html",
                "sponsors": ["Northbank Credit Union", "City Library"],
                "expected": "clear",
            },
            {
                "id": "gamma",
                "kind": "data",
                "file": "pages/gamma.yml",
                "sponsors": ["Audible", "Pine Street Bakery"],
                "expected": "conflict",
            },
        ]
    }
    (root / "labels.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")
    return root


def run_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CORPUS_EVAL), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_corpus_eval_splits_sets_and_keeps_data_files_apart(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    done = run_eval(str(corpus))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # Both html pages are right; the data file (a conflict `check` does not read) is not counted as right or wrong.
    assert "verdicts right (html+template): 2/2, false conflicts: 0" in out
    assert "tune      pages  1: verdicts right 1/1" in out
    assert "held-back pages  1: verdicts right 1/1" in out
    assert "sponsor recall (html+template): 1.000 (4/4)" in out
    data_line = next(line for line in out.splitlines() if line.strip().startswith("gamma"))
    assert "names on the labelled list said conflict" in data_line
    assert "NOT counted" in out


def test_corpus_eval_fails_under_recall_and_skips_missing_corpus(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    assert run_eval(str(corpus), "--fail-under-recall", "1.01").returncode == 1
    missing = run_eval(str(tmp_path / "nowhere"))
    assert missing.returncode == 0
    assert "no corpus" in missing.stdout


def test_corpus_eval_bad_watchlist_is_one_error_line(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    done = run_eval(str(corpus), "--watchlist", str(tmp_path / "absent.yaml"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_eval_gate_names_each_regressed_floor_on_one_line(tmp_path: Path) -> None:
    # The tiny corpus has 2 right verdicts, far below the pinned floors for the 42-page dev corpus.
    corpus = write_corpus(tmp_path / "corpus")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "eval_gate.py"), str(corpus)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    reasons = done.stderr.strip().splitlines()
    assert reasons, done.stdout
    assert all(line.startswith("eval gate: ") and "regressed" in line for line in reasons)
    assert any("verdicts right (html+template, all) regressed to 2" in line for line in reasons)
    assert not any("false conflicts" in line for line in reasons)  # that figure held


def test_eval_gate_without_corpus_says_so(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "eval_gate.py"), str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "skipped" in done.stdout


def _robustness():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import robustness

    return robustness


BLOCK_PAGE = """<!doctype html><html><head><title>Harbour Fair</title></head><body>
<header><a href="/"><img src="/logo.svg" alt="Harbour Fair"></a></header>
<main><h1>Harbour Fair</h1><p>Music on the quay.</p>
<section class="sponsors"><h2>Our sponsors</h2>
  <div class="row">
    <a href="https://www.twitch.tv/"><img src="/s/twitch.png" alt="Twitch"></a>
    <a href="https://quay-bakery.example/"><img src="/s/bakery.png" alt="Quay Bakery"></a>
    <a href="https://harbour-radio.example/"><img src="/s/radio.png" alt="Harbour Radio"></a>
    <a href="https://pier-hotel.example/"><img src="/s/hotel.png" alt="Pier Hotel"></a>
  </div>
</section></main>
<footer><p>© Harbour Fair</p></footer>
</body></html>"""
BLOCK_SPONSORS = [
    {"name": name, "role": "sponsor", "evidence": [{"kind": "img-alt", "text": name}]}
    for name in ("Twitch", "Quay Bakery", "Harbour Radio", "Pier Hotel")
]


def _changed(name: str) -> str:
    r = _robustness()
    change = dict(r.CHANGES)[name]
    doc = r.parse(BLOCK_PAGE)
    ctx = r.PageContext(r.SourcePage("harbour-fair", BLOCK_PAGE, ".html", None), BLOCK_SPONSORS)
    assert change(doc, ctx)
    return r.serialise(doc)


def test_robustness_finds_the_sponsor_block_with_its_heading() -> None:
    r = _robustness()
    block = r.find_block(r.parse(BLOCK_PAGE), BLOCK_SPONSORS)
    assert block is not None
    assert block.heading is not None and block.heading.text_content() == "Our sponsors"
    assert [u.get("href") for u in block.units] == [
        "https://www.twitch.tv/",
        "https://quay-bakery.example/",
        "https://harbour-radio.example/",
        "https://pier-hotel.example/",
    ]


def test_robustness_changes_do_what_their_names_say() -> None:
    footer = _changed("sponsor block into the footer")
    assert footer.index("<footer>") < footer.index("Our sponsors") < footer.index('alt="Twitch"')
    carousel = _changed("sponsor block into a carousel")
    # 4 slides (the 4th off screen) between 2 cloned slides on each side: 5 of 8 are aria-hidden.
    assert carousel.count("aria-hidden=") == 8 and carousel.count('aria-hidden="true"') == 5
    assert 'slick-cloned" aria-hidden="true"' in carousel
    tabs = _changed("sponsor block into tabs")
    assert tabs.count('style="display:none"') == 1 and tabs.count('role="tabpanel"') == 2
    table = _changed("sponsor block into a table")
    assert "<table>" in table and table.count("<td>") == 4
    wrapped = _changed("sponsor block under 20 wrappers")
    assert "<div>" * 20 in wrapped
    hashed = _changed("ids and classes hashed")
    assert "sponsors" not in hashed.split("<body>")[1].replace("Our sponsors", "")
    lazy = _changed("src moved to data-src")
    assert 'data-src="/s/twitch.png"' in lazy and 'src="/s/twitch.png"' not in lazy.replace("data-src", "")
    assert 'alt="' not in _changed("alt texts removed")
    assert "Our sponsors" not in _changed("headings removed")
    assert "Thank you" in _changed('headings replaced by "Thank you"')
    translated = _changed("headings translated (10 languages)")
    assert "Our sponsors" not in translated and "Harbour Fair</h1>" in translated


def test_robustness_measures_a_corpus_through_check(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    result = _robustness().measure(corpus, include_tests=False)
    figures = result.figures(corpus=True)
    assert result.corpus_pages == 2 and result.test_pages == 0
    moved = next(r for r in figures.rows if r.name == "sponsor block under 20 wrappers")
    assert moved.pages == 2 and moved.kept == 2  # twenty wrappers change nothing a reader sees
    assert all(r.conflicts <= r.pages for r in figures.rows)


def test_robustness_marks_a_lost_conflict_whose_evidence_the_change_removed() -> None:
    r = _robustness()
    from user_check import Checked

    before = Checked(
        1,
        {
            "verdict": "conflict",
            "findings": [
                {
                    "level": "conflict",
                    "matched": "Whole Foods Market",
                    "evidence": [
                        {"kind": "img-alt", "text": "Presented by Whole Foods Market"},
                        {"kind": "img-file", "text": "/img/banner-top.jpg"},
                    ],
                }
            ],
        },
    )
    stripped = '<html><body><img src="/img/banner-top.jpg"></body></html>'
    assert r._evidence_gone(before, stripped)  # a file name that does not hold the name is no trace of it
    kept = "<html><body><p>Presented by: whole-foods market</p></body></html>"
    assert not r._evidence_gone(before, kept)  # case and punctuation do not hide the name


def _without_aiohttp(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import aiohttp` fails, as on an install without the bench extra."""
    shadow = tmp_path / "no-bench-extra" / "aiohttp"
    shadow.mkdir(parents=True, exist_ok=True)
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'aiohttp'\")\n", encoding="utf-8")
    import os

    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow.parent), str(ROOT)])}


def test_a_benchmark_whose_server_needs_the_bench_extra_says_so_in_one_line(tmp_path: Path) -> None:
    # README: "without it a benchmark says so in one line" — the loopback servers of the batch and render
    # benchmarks are aiohttp, which only the bench extra installs.
    for script, args in (("batch_bench.py", ["--rows", "5", "--no-micro"]), ("render_bench.py", ["--batch-only"])):
        run = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / script), *args],
            capture_output=True,
            text=True,
            env=_without_aiohttp(tmp_path),
            cwd=tmp_path,
            timeout=120,
        )
        said = (run.stdout + run.stderr).strip()
        assert "Traceback" not in said, script
        assert run.returncode == 2, (script, said)
        assert len(said.splitlines()) == 1 and "pip install -e '.[bench]'" in said, (script, said)


ANCHORED_PAGE = """<!doctype html><html><head><title>Quay Nights</title></head><body>
<nav><a href="#s4">Partners</a></nav>
<main><h1>Quay Nights</h1>
<div id="s4"><div class="row">
  <a href="https://quay-bakery.example/"><img src="/s/bakery.png" alt=""><h2>Quay Bakery</h2></a>
  <a href="https://harbour-radio.example/"><img src="/s/radio.png" alt=""><h2>Harbour Radio</h2></a>
  <a href="https://pier-hotel.example/"><img src="/s/hotel.png" alt=""><h2>Pier Hotel</h2></a>
</div></div></main></body></html>"""
# The result cites each card's link, not its <h2> title, as evidence.
ANCHORED_SPONSORS = [
    {"name": name, "role": "sponsor", "evidence": [{"kind": "link", "text": href}]}
    for name, href in (
        ("Quay Bakery", "https://quay-bakery.example/"),
        ("Harbour Radio", "https://harbour-radio.example/"),
        ("Pier Hotel", "https://pier-hotel.example/"),
    )
]


def test_robustness_changes_keep_card_titles_and_the_menus_anchor() -> None:
    r = _robustness()
    changes = dict(r.CHANGES)

    def changed(name: str) -> Any:
        doc = r.parse(ANCHORED_PAGE)
        ctx = r.PageContext(r.SourcePage("quay-nights", ANCHORED_PAGE, ".html", None), ANCHORED_SPONSORS)
        assert changes[name](doc, ctx)
        return doc

    # A card title that is a found sponsor's name stays as text when headings go, even when not cited as evidence.
    removed = r.serialise(changed("headings removed"))
    assert "Quay Nights" not in removed.split("<body>")[1] and all(
        n in removed for n in ("Quay Bakery", "Harbour Radio", "Pier Hotel")
    )
    # A rebuilt block keeps the id the menu jumps to; hashed ids keep their links pointing at them.
    for name in ("sponsor block into a carousel", "sponsor block into tabs", "sponsor block into cards"):
        doc = changed(name)
        (link,) = doc.xpath("//nav/a")
        assert doc.xpath("//*[@id=$id]//img", id=link.get("href")[1:]), name
    hashed = changed("ids and classes hashed")
    (link,) = hashed.xpath("//nav/a")
    assert link.get("href") != "#s4" and hashed.xpath("//*[@id=$id]", id=link.get("href")[1:])
