"""Pages built to break a parser: absurd nesting, megabyte attributes and text, thousands of logos,
malformed JSON-LD, broken markup. Each is a saved file checked by `python -m sponsorcheck check`.

A hostile page that is still a page must not cost its verdict: the Amazon logo hidden in each one
is still found (exit 1), within the time bound and under the memory cap.
"""

from __future__ import annotations

import json

import pytest

from sponsorcheck.errors import ExitStatus

from .conftest import assert_handled, assert_refused, run_cli_many

LOGO = (
    '<section id="sponsors"><h2>Our sponsors</h2>'
    '<a href="https://www.amazon.com/"><img src="/img/amazon-logo.png" alt="Amazon"></a></section>'
)
MB = 1_000_000


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><title>Festival</title>{head}</head><body>{body}</body></html>"


def found_amazon(report: dict) -> bool:
    return any(f["entity"] == "amazon" and f["level"] == "conflict" for f in report["results"][0]["findings"])


def write(tmp_path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


NESTED = 200_000

CASES = {
    "200,000 nested divs around the logo": lambda: page("<div>" * NESTED + LOGO + "</div>" * NESTED),
    "200,000 nested divs, logo after them": lambda: page("<div>" * NESTED + "</div>" * NESTED + LOGO),
    "200,000 unclosed nested spans then the logo": lambda: page("<span>" * NESTED + LOGO),
    "200,000 nested list items": lambda: page("<ul><li>" * 20_000 + "</li></ul>" * 20_000 + LOGO),
    "1 MB alt text on another logo": lambda: page(
        LOGO.replace("</section>", f'<img src="x.png" alt="{"Sponsor " * (MB // 8)}"></section>')
    ),
    "1 MB href and 1 MB data: URI src": lambda: page(
        LOGO.replace(
            "</section>",
            f'<a href="https://example.org/?q={"a" * MB}"><img src="data:image/png;base64,{"A" * MB}"></a></section>',
        )
    ),
    "1 MB class attribute on the section": lambda: page(
        LOGO.replace('id="sponsors"', f'id="sponsors" class="{"c " * (MB // 2)}"')
    ),
    "1 MB text node in the section": lambda: page(LOGO.replace("</h2>", "</h2><p>" + "word " * (MB // 5) + "</p>")),
    "1 MB list item and 1 MB heading": lambda: page(
        f"<h3>{'Partners ' * (MB // 9)}</h3>" + LOGO.replace("</section>", f"<ul><li>{'x' * MB}</li></ul></section>")
    ),
    "2 MB of 'presented by' phrases": lambda: page("<p>" + "Presented by Nobody Special. " * 70_000 + "</p>" + LOGO),
    "5,000 images, the logo among them": lambda: page(
        '<section class="partners"><h2>Partners</h2>'
        + "".join(f'<img src="/logos/partner-{i}.png" alt="Partner Company {i}">' for i in range(2_500))
        + '<a href="https://www.amazon.com/"><img src="/logos/amazon.png" alt="Amazon"></a>'
        + "".join(f'<img src="/logos/other-{i}.png" alt="Other Company {i}">' for i in range(2_500))
        + "</section>"
    ),
    "malformed JSON-LD (truncated, nested 100,000 deep, wrong types)": lambda: page(
        LOGO,
        head='<script type="application/ld+json">{"@type": "Event", "sponsor": {"name": "Amaz</script>'
        + '<script type="application/ld+json">'
        + "[" * 100_000
        + "]" * 100_000
        + "</script>"
        + '<script type="application/ld+json">{"sponsor": [null, 3, {"name": {"x": 1}}, {"url": 5}], "funder": true}'
        + "</script>"
        + '<script type="application/ld+json">'
        + json.dumps({"sponsor": {"name": "y" * MB}})
        + "</script>",
    ),
    # Broken the way real pages are broken, yet a browser still shows the logo.
    "broken HTML (unclosed, stray closers, unquoted, <<>>)": lambda: (
        "<HTML><BODY></div></div></span><p><b><i>unclosed <table><tr><td>cell<p>para in table"
        "<<>> 1 < 2 > 0 & more &bogus; &#xFFFFFFF; &#0;<div class=a class=b id=x id=y>"
        + LOGO.replace('"', "").replace("</section>", "").replace("</a>", "")
        + "<li><li><dd><dt><option></select></form></html></html><img src="
    ),
    "20,000 sponsor headings in one container": lambda: page(
        '<h2>Sponsors</h2><img src="x.png" alt="Company">' * 20_000 + LOGO
    ),
    "100,000 nested sponsor sections, each its own class": lambda: page(
        "".join(f'<div class="sponsor-{i}">' for i in range(100_000)) + LOGO + "</div>" * 100_000
    ),
    "1,000 nested list items over 1 MB of text in the section": lambda: page(
        LOGO.replace("</section>", "<ul><li>" * 1_000 + "word " * 200_000 + "</li></ul>" * 1_000 + "</section>")
    ),
    "50,000 template comments that never close": lambda: page(LOGO + "<p>{* {# {{! <%# " * 50_000 + "</p>"),
    "NUL bytes and control characters inside the page": lambda: page(
        "\0\x01\x02" + LOGO.replace("Amazon", "Ama\0zon") + "\x0b\x0c"
    ),
    "a comment that never ends after the logo": lambda: page(LOGO + "<!-- " + "never closed " * 10_000),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, watchlist_path) -> dict:
    """Every page of CASES checked once, two children at a time."""
    folder = tmp_path_factory.mktemp("pages")
    jobs = {}
    for number, case in enumerate(CASES):
        html = CASES[case]()
        path = write(folder, f"{number}.html", html)
        args = ("check", path, "--format", "json", "--watchlist", watchlist_path, "--no-follow")
        jobs[case] = (args, {"label": f"page: {case} ({len(html.encode()) // 1000:,} KB)"})
    return run_cli_many(jobs)


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_pages_still_find_the_logo(runs, case):
    report = assert_handled(runs[case], ExitStatus.CONFLICT, 10)
    assert found_amazon(report), report["results"][0]


def test_150000_nested_identical_wrappers_with_attributes(check, tmp_path):
    nested = 150_000  # far past libxml2's depth limit, under the page-size limit with one attribute each
    html = page('<div class="wrap">' * nested + LOGO + "</div>" * nested)
    run = check(write(tmp_path, "deep.html", html), "--no-follow", label="page: 150,000 nested divs with classes")
    report = assert_handled(run, ExitStatus.CONFLICT, 10)
    assert found_amazon(report)


def test_more_logos_than_are_checked_is_review_never_clear(check, tmp_path):
    logos = "".join(f'<img src="/logos/company-{i}.png" alt="Company Number {i}">' for i in range(6_000))
    html = page(f'<section class="sponsors"><h2>Sponsors</h2>{logos}</section>')
    run = check(write(tmp_path, "wall.html", html), "--no-follow", label="page: 6,000 distinct logos")
    report = assert_handled(run, ExitStatus.REVIEW, 10)
    assert report["results"][0]["verdict"] == "review"
    assert any("only the first were checked" in hint for hint in report["results"][0]["hints"])


# --- size: memory follows tags, not bytes -----------------------------------------------------------

# 3 elements and 2 attributes: 4 tree nodes as fetch.MAX_PAGE_NODES weighs them.
DENSE_LINE = '<p class="c">Some text here and there <b>bold</b> <a href="/x">link</a></p>\n'


def test_a_dense_page_within_the_byte_cap_is_refused_by_its_element_count(check, httpserver):
    html = page(DENSE_LINE * 130_000 + LOGO)  # 9.9 MB, 390,000 elements: 600 MB of lxml tree
    httpserver.expect_request("/dense").respond_with_data(html, content_type="text/html")
    run = check(httpserver.url_for("/dense"), label="page: 9.9 MB with 390,000 elements over the wire")
    assert_refused(run, ExitStatus.TARGET_ERROR, 8, "390,0", "elements", "save just its sponsors section")


def test_an_attribute_heavy_page_within_the_byte_cap_is_refused(check, httpserver):
    attrs = " ".join(f'data-x{i}="1"' for i in range(30))
    html = page(f"<p {attrs}>t</p>" * 20_000 + LOGO)  # 9.3 MB, 600,000 attributes: 400 MB of tree
    httpserver.expect_request("/attrs").respond_with_data(html, content_type="text/html")
    run = check(httpserver.url_for("/attrs"), label="page: 9.3 MB with 600,000 attributes over the wire")
    assert_refused(run, ExitStatus.TARGET_ERROR, 8, "600,0", "attributes")


@pytest.mark.slow
def test_a_page_just_under_the_element_cap_is_checked(check, tmp_path):
    html = page(DENSE_LINE * 61_000 + LOGO)  # 183,000 elements and 122,000 attributes, 4.6 MB
    run = check(write(tmp_path, "dense.html", html), "--no-follow", label="page: 183,000 elements, 122,000 attributes")
    assert found_amazon(assert_handled(run, ExitStatus.CONFLICT, 10))


@pytest.mark.slow
def test_a_45_mb_saved_page_of_inline_images_is_checked(check, tmp_path):
    # "Save as a single file" inlines every image as a data: URI: huge in bytes, few tags.
    images = "".join(f'<img src="data:image/png;base64,{"QUJD" * 250_000}">' for _ in range(45))
    path = write(tmp_path, "single.html", page(images + LOGO))
    run = check(path, "--no-follow", label="page: 45 MB single-file save")
    assert found_amazon(assert_handled(run, ExitStatus.CONFLICT, 10))


def test_a_file_over_the_file_cap_is_refused_before_reading(check, tmp_path):
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.truncate(60_000_000)  # sparse: 60 MB on paper, nothing to read
    run = check(str(path), label="target: 60 MB file")
    assert_refused(run, ExitStatus.TARGET_ERROR, 2, "larger than 50 MB")


@pytest.mark.slow
def test_60_mb_on_stdin_is_refused_after_reading_at_most_the_cap(check):
    run = check("-", stdin=b"<p>" * 20_000_000, label="target: 60 MB on stdin")
    assert_refused(run, ExitStatus.TARGET_ERROR, 5, "larger than 50 MB")
