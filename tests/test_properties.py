"""Property-based tests: whatever HTML, bytes, names, URLs or YAML arrive, the core answers or
raises its own readable error, never anything else."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sponsorcheck.errors import TargetError, UsageError, WatchlistError
from sponsorcheck.extract import extract, name_from_filename
from sponsorcheck.fetch import decode_html, looks_binary, page_text, validate_url
from sponsorcheck.models import Page, Verdict
from sponsorcheck.normalize import fold, host_of, normalize_name, registrable_domain, tokens
from sponsorcheck.parse import flatten_deep_nesting, parse_html
from sponsorcheck.pipeline import check_names, result_from
from sponsorcheck.watchlist import parse_watchlist

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TAGS = ["div", "section", "h2", "h3", "a", "img", "ul", "li", "p", "script", "template", "span", "table", "td"]
ATTRS = ["id", "class", "href", "src", "alt", "title", "style", "hidden", "aria-hidden", "type", "data-src"]
WORDS = ["Sponsors", "Partner", "Amazon", "AWS", "presented by", "Twitch", "ICE", "Palantir", "Partenaires", "x"]


@st.composite
def html_fragments(draw, depth: int = 0) -> str:
    """HTML-like text: real tags and sponsor words mixed with arbitrary text, often badly formed."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            parts.append(draw(st.text(max_size=30)))
        elif kind == 1:
            parts.append(draw(st.sampled_from(WORDS)))
        elif kind == 2 and depth < 4:
            tag = draw(st.sampled_from(TAGS))
            attrs = "".join(
                f' {draw(st.sampled_from(ATTRS))}="{draw(st.one_of(st.sampled_from(WORDS), st.text(max_size=20)))}"'
                for _ in range(draw(st.integers(0, 3)))
            )
            inner = draw(html_fragments(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}", "</>"]))
            parts.append(f"<{tag}{attrs}>{inner}{close}")
        elif kind == 3:
            parts.append(draw(st.sampled_from(["<!--", "-->", "<", ">", "&", "&amp;", "&#0;", "<![CDATA[", "\0"])))
        elif kind == 4:
            parts.append('<script type="application/ld+json">' + draw(st.text(max_size=60)) + "</script>")
        else:
            parts.append('{"sponsor": {"name": "' + draw(st.sampled_from(WORDS)) + '"}}')
    return "".join(parts)


@SETTINGS
@given(
    html=st.one_of(html_fragments(), st.text(max_size=300)),
    url=st.sampled_from(["https://fest.example/", "page.html", ""]),
)
def test_extraction_never_raises_on_any_html(html, url, matcher):
    extraction = extract(Page(url or "t", url, html))
    result = result_from("t", url, extraction, matcher)
    assert result.verdict in set(Verdict)


@SETTINGS
@given(html=html_fragments())
def test_parsing_and_flattening_never_raise(html):
    flat = flatten_deep_nesting(html, limit=2)
    assert len(flat) <= len(html)
    for text in (html, flat):
        # lxml refuses an empty document (ParserError), which every caller treats as "no page".
        with contextlib.suppress(etree.ParserError, ValueError):
            parse_html(decode_html(text.encode("utf-8", "surrogatepass")))


@SETTINGS
@given(data=st.binary(max_size=2000), charset=st.one_of(st.none(), st.sampled_from(["utf-8", "shift_jis", "bogus"])))
def test_decoding_any_bytes_never_raises(data, charset):
    text = decode_html(data, charset)
    assert "\0" not in text
    try:
        assert page_text(data, "t", charset) == text
    except TargetError as exc:
        assert "\n" not in exc.message
    if looks_binary(text):
        with pytest.raises(TargetError):
            page_text(data, "t", charset)


@SETTINGS
@given(name=st.text(max_size=200))
def test_normalising_and_matching_any_name_never_raises(name, matcher):
    norm = normalize_name(name)
    assert norm == norm.strip()
    assert len(norm) <= 2 * 500  # names are cut before normalising: a megabyte name costs no more than a long one
    tokens(name)
    fold(name)
    name_from_filename(name)
    matcher.match_name(name, context=name)
    result = check_names([name], matcher)
    assert result.verdict in set(Verdict)


@SETTINGS
@given(url=st.one_of(st.text(max_size=80), st.from_regex(r"https?://[^\s/]{0,20}(/.{0,20})?", fullmatch=True)))
def test_urls_are_accepted_or_refused_readably(url, matcher):
    host = host_of(url)
    if host:
        registrable_domain(host)
        matcher.match_url(url)
    try:
        assert validate_url(url) == url.strip()
    except UsageError as exc:
        assert "\n" not in exc.message


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_any_watchlist_text_is_loaded_or_refused_readably(text):
    try:
        parse_watchlist(text, "w.yaml")
    except WatchlistError as exc:
        assert exc.message.startswith("w.yaml")
