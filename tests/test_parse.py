"""parse_html: deep nesting is flattened only when libxml2 hits its depth limit, and content survives."""

from __future__ import annotations

from sponsorcheck.parse import (
    MAX_NESTING,
    drop_unparsable,
    flatten_deep_nesting,
    parse_html,
    strip_template_comments,
)


def test_a_shallow_page_is_not_rewritten():
    html = "<html><body><div><section id='s'><h2>Sponsors</h2><img alt='Amazon'></section></div></body></html>"
    assert flatten_deep_nesting(html) == html
    root = parse_html(html)
    assert root is not None
    assert root.xpath("//img/@alt") == ["Amazon"]


def test_content_below_the_parser_depth_limit_survives():
    depth = 5_000  # libxml2 stops at 2,048 even with huge_tree
    html = "<html><body>" + "<div>" * depth + "<h2>Sponsors</h2><img alt='Amazon'>" + "</div>" * depth + "<p>after</p>"
    root = parse_html(html)
    assert root is not None
    assert root.xpath("//img/@alt") == ["Amazon"]
    assert root.xpath("//h2/text()") == ["Sponsors"]
    assert "after" in root.xpath("string()")


def test_flattening_drops_only_deep_bare_wrappers_and_their_end_tags():
    html = "<div>" * (MAX_NESTING + 3) + "<a href='x'>A</a>" + "</div>" * (MAX_NESTING + 3)
    flat = flatten_deep_nesting(html)
    assert flat.count("<div>") == MAX_NESTING
    assert flat.count("</div>") == MAX_NESTING
    assert "<a href='x'>A</a>" in flat


def test_runs_of_identical_wrappers_with_attributes_collapse():
    deep = MAX_NESTING + 50
    html = "<div class='w'>" * deep + "<section id='sponsors'>x</section>" + "</div>" * deep
    flat = flatten_deep_nesting(html)
    assert flat.count("<div class='w'>") == MAX_NESTING  # below the limit a repeated wrapper is dropped
    assert "<section id='sponsors'>x</section>" in flat


def test_control_characters_are_dropped_only_when_present():
    assert drop_unparsable("<p>a\x08b\x00c</p>\t\n") == "<p>abc</p>\t\n"
    text = "<p>plain</p>"
    assert drop_unparsable(text) is text


def test_template_comments_of_every_kind_are_removed():
    text = "a{% comment %}x{% endcomment %}b{{!-- y --}}c<%# z %>d{* w *}e{# v #}f{{! u }}g"
    assert strip_template_comments(text) == "a b c d e f g"


def test_unclosed_template_comments_are_left_and_cost_linear_time():
    text = "<p>{* " * 50_000 + "{# open"
    assert strip_template_comments(text) == text
    # With a closing at the very end, the first opening swallows everything up to it, as before.
    assert strip_template_comments("x{* a {* b *}y") == "x y"
