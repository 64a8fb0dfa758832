"""The faster paths of extraction give what the plain ones gave (issue 9, speed): a page parsed from its UTF-8
bytes is the tree the str parse gives, a phrase's spellings find its text nodes, and a page that cannot take
the fast path (a NUL, a lone surrogate) is read as before. sweep_bench.py's --baseline runs.

Each page here is written from scratch for a class of page, named in the test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lxml import etree

from sponsorcheck.extract import extract
from sponsorcheck.extract.document import BodyText, parse_page, text_of
from sponsorcheck.extract.sweep import scan, terms_for
from sponsorcheck.models import Page, Verdict
from sponsorcheck.parse import parse_html
from sponsorcheck.pipeline import analyse_html, matcher_for

ROOT = Path(__file__).resolve().parent.parent
URL = "https://lantern-nights.example/"

# Class: a European festival page saved with a legacy charset declaration, accents, a euro sign, emoji and a
# CJK sponsor name, a byte-order-mark-like character and control characters in the text.
MIXED_PAGE = (
    '<!doctype html><html><head><meta charset="iso-8859-1"><title>Lantern Nights – Fête 2026 €</title></head>'
    "<body><h2>Unsere Sponsoren 🎉</h2><ul class='sponsors'>"
    "<li><a href='https://www.amazon.de/'><img src='/s/amazon.png' alt='Amazon'></a></li>"
    "<li><a href='https://bäckerei.example/'><img src='/s/b.png' alt='Bäckerei Müller'></a></li>"
    "<li>東京ラジオ\ufeff</li></ul><p>Presented by the city\x0b of Lantern\x01 Bay.</p></body></html>"
)


def test_a_page_parsed_from_its_bytes_is_the_tree_the_str_gives():
    encoded = MIXED_PAGE.encode("utf-8")
    from_bytes = etree.tostring(parse_html(MIXED_PAGE, encoded), encoding="unicode")
    from_str = etree.tostring(parse_html(MIXED_PAGE), encoding="unicode")
    assert from_bytes == from_str
    assert "Bäckerei Müller" in from_bytes and "東京ラジオ" in from_bytes  # read as UTF-8, whatever <meta> says


def test_the_sweep_scans_the_bytes_the_parse_read(watchlist):
    parsed = parse_page(MIXED_PAGE, URL)
    assert parsed is not None and parsed.encoded == MIXED_PAGE.encode("utf-8")
    terms = terms_for(matcher_for([watchlist]))
    assert scan(MIXED_PAGE, terms, parsed.encoded) == scan(MIXED_PAGE, terms)
    assert analyse_html(MIXED_PAGE, URL, [watchlist]).verdict is Verdict.CONFLICT


def test_a_preprocessed_page_is_parsed_from_its_text():
    # Class: a Markdown sponsors page (turned into HTML before the parse: its bytes are not the page's).
    parsed = parse_page("# Sponsors\n\n![Amazon](amazon.png)\n", "sponsors.md", "text/markdown")
    assert parsed is not None and parsed.encoded is None
    assert parsed.root.find(".//img").get("alt") == "Amazon"


def test_a_page_the_fast_path_cannot_take_is_still_read(watchlist):
    # Class: a saved page with a lone surrogate from a broken decoder, and one with a NUL byte in its text.
    matcher = matcher_for([watchlist])
    surrogate = MIXED_PAGE.replace("the city", "the \udcff city")
    result = extract(Page(URL, URL, surrogate), matcher)
    assert any(c.name == "Amazon" for c in result.candidates)
    assert parse_page(surrogate, URL).encoded is None
    with_nul = MIXED_PAGE.replace("the city", "the \x00 city")
    # A str holding NUL is parsed as a str, as before (its bytes would reach libxml2 with the NUL in them).
    from_str = etree.tostring(parse_html(with_nul), encoding="unicode")
    assert etree.tostring(parse_html(with_nul, with_nul.encode()), encoding="unicode") == from_str
    assert any(c.name == "Amazon" for c in extract(Page(URL, URL, with_nul), matcher).candidates)


def test_the_page_spellings_of_a_phrase_find_its_text_nodes():
    # Class: a page whose phrase stands in element text, in a tail after a child, in two letter cases, and in
    # a node holding two phrases.
    html = (
        "<html><body><p>Presented by <b>Acme</b> and presented by the Harbour</p><div><span>x</span>"
        "Supported by the Fund, Presented by Nobody</div><p>PRESENTED BY</p></body></html>"
    )
    root = parse_page(html, URL).root
    body = BodyText(root, text_of(root.find("body")))
    spellings = body.spellings(("presented by", "supported by"))
    assert spellings == ["PRESENTED BY", "Presented by", "Supported by", "presented by"]
    expected = [t for s in spellings for t in root.xpath("//text()[contains(., $p)]", p=s)]
    assert body.nodes(("presented by", "supported by")) == expected
    assert body.spellings(("nowhere to be found",)) == [] and body.nodes(("nowhere to be found",)) == []


def test_the_sweep_benchmark_times_a_baseline_beside_today(tmp_path):
    options = ("--runs", "1", "--no-scanners", "--baseline", "HEAD")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "sweep_bench.py"), *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "HEAD" in done.stdout and "today" in done.stdout and "clean sponsors" in done.stdout


def _same_nodes(got, expected):
    """Smart strings equal as text and standing at the same place (parent, text or tail)."""
    return [(str(n), n.getparent(), n.is_text, n.is_tail) for n in got] == [
        (str(n), n.getparent(), n.is_text, n.is_tail) for n in expected
    ]


def test_text_nodes_located_by_position_are_the_nodes_the_xpath_selects():
    # Class: a page naming a phrase once in the title, once in a sponsor label, in three tails of a list, and in
    # content written after </html> (libxml2 puts it beside the root).
    html = (
        "<html><head><title>Presented by Acme</title></head><body><p>Presented by</p><ul>"
        "<li><b>A</b> Presented by x</li><li><b>B</b> Presented by y</li><li><b>C</b> Presented by z</li></ul>"
        "<p>Supported by the Fund</p></body></html><div>Supported by the Harbour</div>"
    )
    root = parse_page(html, URL).root
    for phrase in ("presented by", "supported by", "the harbour", "nowhere"):
        body = BodyText(root, text_of(root.find("body")) + " the harbour")
        for spelling in body.spellings((phrase,)):
            assert _same_nodes(body._containing(spelling), root.xpath("//text()[contains(., $p)]", p=spelling))


def test_the_links_read_once_are_the_links_each_stage_read():
    # Class: a page with logo links, text links, a link without href and a logo link written after </html>.
    from sponsorcheck.extract.document import document_iter, links_with_logo, page_links

    html = (
        "<html><body><a href='https://a.example/'><img src='a.png'></a><a name='top'>top</a>"
        "<a href='/news'>News</a><a href='https://b.example/'><svg></svg></a></body></html>"
        "<a href='https://c.example/'><img src='c.png'></a>"
    )
    for page in (html, html.split("</html>")[0] + "</html>"):
        root = parse_page(page, URL).root
        links = page_links(root)
        assert links == [(a, a.get("href")) for a in document_iter(root, "a") if a.get("href") is not None]
        for prefixes in (None, ("http",)):
            logos = ("img", "svg")
            assert links_with_logo(root, logos, prefixes, links) == links_with_logo(root, logos, prefixes)


def test_a_name_looked_for_in_the_lower_cased_text_is_found_where_the_text_holds_it(watchlist):
    # Class: a line-up page whose text names a watchlisted studio across a line break, in capitals, and written
    # with characters that only case-insensitive matching pairs with ASCII letters (long s, dotless i).
    from sponsorcheck.extract.sweep import _located_texts

    terms = terms_for(matcher_for([watchlist]))
    for words in ("United\n  Artists", "UNITED ARTISTS", "United Artiſts", "Unıted Artists", "İnited", "Artists"):
        html = f"<html><body><h2>Artists</h2><p>Film night with {words} classics.</p></body></html>"
        root = parse_page(html, URL).root
        text = text_of(root.find("body"))
        spellings = {"Artists", "ARTISTS", "Artiſts"}
        fast = _located_texts(root, spellings, text, terms, text.lower())
        assert _same_nodes(fast, _located_texts(root, spellings, text, terms)), words
