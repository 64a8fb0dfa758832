"""The whole-page sweep: what it reads, what it leaves out, and the JSON it adds (issue 9).

Each page here is written from scratch for a class of page, named in the test; the class pages of
tests/pages/classes (test_page_classes.py) cover the shapes listed in the issue through the CLI.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sponsorcheck.cli import app
from sponsorcheck.extract import extract
from sponsorcheck.extract.sweep import scan, terms_for
from sponsorcheck.match import Matcher
from sponsorcheck.models import Page, Verdict
from sponsorcheck.pipeline import analyse_html, matcher_for

URL = "https://winter-lights.example/"


def _check(html: str, watchlist):
    return analyse_html(html, URL, [watchlist])


def test_the_compiled_terms_are_built_once_per_matcher(watchlist):
    matcher = matcher_for([watchlist])
    assert terms_for(matcher) is terms_for(matcher)
    assert terms_for(Matcher([watchlist])) is not terms_for(matcher)  # another set of watchlists, its own


def test_the_scan_reads_whole_words_and_skips_scripts_and_styles(watchlist):
    # Class: a page whose scripts and styles mention a brand, and whose words contain a brand's letters.
    html = (
        "<html><head><style>.aws-logo{color:red}</style><script>var twitch = 1;</script></head>"
        "<body><p>Lawsuits, drawstrings and a Palantir reference.</p></body></html>"
    )
    found = scan(html, terms_for(matcher_for([watchlist])))
    assert found.texts == {"Palantir"} and not found.attributes


def test_a_look_alike_around_the_name_keeps_it_unnamed(watchlist):
    # Class: an event page about the rainforest (a river and a region share the entity's name).
    html = (
        "<html><body><h2>Sponsors</h2><a href='https://bank.example/'><img src='/i/bank.png' alt='Lakeside Bank'>"
        "</a><p>Photographs from an Amazon rainforest expedition.</p></body></html>"
    )
    result = _check(html, watchlist)
    assert result.verdict is Verdict.CLEAR and not result.findings and not result.mentions


def test_a_user_group_is_shown_as_a_mention_of_the_entity(watchlist):
    # Class: a meetup page that thanks a volunteer user group named after a product.
    html = (
        "<html><body><h2>Sponsors</h2><a href='https://bank.example/'><img src='/i/bank.png' alt='Lakeside Bank'>"
        "</a><h2>Community</h2><p>Co-hosted with the AWS User Group Springfield.</p></body></html>"
    )
    result = _check(html, watchlist)
    assert result.verdict is Verdict.CLEAR
    assert any(m.entity == "amazon" and "group" in (m.note or "") for m in result.mentions)


def test_an_embedded_player_is_a_stream_mention(watchlist):
    # Class: a festival page with an embedded livestream player from a watchlisted platform.
    html = (
        "<html><body><h2>Sponsors</h2><a href='https://bank.example/'><img src='/i/bank.png' alt='Lakeside Bank'>"
        "</a><h2>Watch</h2><iframe src='https://player.twitch.tv/?channel=winterlights'></iframe></body></html>"
    )
    result = _check(html, watchlist)
    assert result.verdict is Verdict.CLEAR
    assert any(m.entity == "amazon" and m.note == "listen/stream link" for m in result.mentions)


def test_responsive_copies_of_one_logo_count_once(watchlist):
    # Class: a hero banner repeated for wide and narrow screens.
    logo = "<img src='/img/twitch-logo.png' alt='Twitch'>"
    html = f"<html><body><header><div class='d-none d-md-block'>{logo}</div><div class='d-md-none'>{logo}</div>"
    html += "</header><h1>Winter Lights</h1></body></html>"
    result = _check(html, watchlist)
    assert result.verdict is Verdict.CONFLICT
    assert len(result.findings) == 1 and result.findings[0].context == "identity"


def test_a_logo_whose_alt_disagrees_with_its_link_outside_a_list_is_a_mention(watchlist):
    # Class: an "about us" page whose funder logo carries another organisation's alt text (a copy-paste slip).
    html = (
        "<html><body><h2>About us</h2><a href='https://arts-trust.example/'><img src='/i/trust.png' "
        "alt='Audible'></a><p>The chorus has sung since 1988.</p></body></html>"
    )
    result = _check(html, watchlist)
    assert result.verdict is Verdict.UNKNOWN and not result.findings
    assert any(m.entity == "amazon" and "link another site" in (m.note or "") for m in result.mentions)


def test_without_a_matcher_extraction_is_the_section_walk_alone(watchlist):
    # A name in a sentence that says nothing of sponsorship: only the sweep sees it, and only with a matcher.
    html = "<html><body><p>We had a great time with friends from Amazon Music.</p></body></html>"
    assert not any(c.swept for c in extract(Page(URL, URL, html)).candidates)
    assert any(c.swept for c in extract(Page(URL, URL, html), matcher_for([watchlist])).candidates)


def test_json_gives_each_finding_its_context_and_each_mention_its_entity(tmp_path):
    # Class: an event page with a sponsor named in a sentence and a shop link for the album.
    page = tmp_path / "gala.html"
    page.write_text(
        "<html><head><title>Gala</title></head><body><h1>Gala</h1>"
        "<p>This year's gala is supported by Whole Foods Market.</p>"
        "<p><a href='https://www.amazon.com/dp/B000000000'>Buy the album on Amazon</a></p></body></html>",
        encoding="utf-8",
    )
    run = CliRunner().invoke(app, ["check", str(page), "--format", "json", "--no-follow", "--no-cache"])
    doc = json.loads(run.stdout)
    result = doc["results"][0]
    assert result["verdict"] == "conflict"
    assert [f["context"] for f in result["findings"]] == ["phrase"]
    assert [(m["entity"], m["note"]) for m in result["mentions"]] == [("amazon", "shop or donation link")]


def test_markup_named_after_a_brand_never_crowds_out_a_real_sighting(watchlist):
    # Class: a page built with a theme whose class names carry a brand's name, and one real partner logo row.
    cells = "".join(f"<div class='aws-cell aws-cell-{i}' id='twitch-{i}'>{i}</div>" for i in range(400))
    row = "".join(
        f"<a href='https://{host}/'><img src='/i/{i}.png' alt='{name}'></a>"
        for i, (host, name) in enumerate(
            [("bank.example", "Lakeside Bank"), ("brew.example", "Pier Brewing"), ("www.palantir.com", "Palantir")]
        )
    )
    result = _check(f"<html><body><main>{cells}<div class='row'>{row}</div></main></body></html>", watchlist)
    assert result.verdict is Verdict.CONFLICT
    assert [(f.entity, f.context) for f in result.findings] == [("palantir", "grid")]
