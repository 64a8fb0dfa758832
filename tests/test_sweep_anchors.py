"""The sweep on pages full of a common word that is part of a watchlisted name (issue 9).

A name of several words ("United Artists") may be split over lines in a page's source, so the sweep also scans
for one of its words ("artists"). That word is common on festival pages: a line-up links to hundreds of
/artists/… pages. Those places must neither cost the page its budget of places read (so a watchlisted logo
after the line-up would go unseen: a false clear) nor be read one by one when the name itself is not there.
"""

from __future__ import annotations

from sponsorcheck.extract.sweep import scan, terms_for
from sponsorcheck.extract.vocabulary import SWEEP_MAX_SPELLINGS
from sponsorcheck.models import Verdict
from sponsorcheck.pipeline import analyse_html, matcher_for

URL = "https://meadow-sounds.example/2026/"


def _lineup(count: int) -> str:
    # Class: a festival page whose line-up is a long grid of artist cards, each linking to the artist's page.
    cards = "\n".join(
        f'<li class="artist"><a href="/artists/act-{i}/"><img src="/media/artists/act-{i}.jpg" alt="Act {i}">'
        f"<span>Act {i}</span></a></li>"
        for i in range(count)
    )
    return f"<h2>Line-up</h2><p>All artists, day by day.</p><ul class='artists'>{cards}</ul>"


def test_the_word_is_scanned_for_as_part_of_a_name(watchlist):
    # The premise of this file: the default watchlist has a name whose scanned word is a common one.
    assert b"artists" in terms_for(matcher_for([watchlist])).lowered_terms


def test_a_logo_after_a_long_line_up_is_still_seen(watchlist):
    # A line-up of 300 cards holds 600 addresses with the word in them, more than the places read per page.
    assert SWEEP_MAX_SPELLINGS < 2 * 300
    html = (
        "<html><head><title>Meadow Sounds 2026</title></head><body><h1>Meadow Sounds</h1>"
        + _lineup(300)
        + "<div class='strip'><img src='/media/logos/aws.svg' alt='AWS'></div></body></html>"
    )
    result = analyse_html(html, URL, [watchlist])
    assert result.verdict is not Verdict.CLEAR
    assert any(f.entity == "amazon" for f in result.findings)


def test_the_word_alone_is_not_a_place_to_read(watchlist):
    terms = terms_for(matcher_for([watchlist]))
    found = scan("<html><body>" + _lineup(40) + "</body></html>", terms)
    assert not found.attributes  # /artists/act-1/ names no one


def test_the_name_split_over_lines_is_still_found(watchlist):
    # Class: a hand-written sponsor list whose names are wrapped over lines by the editor, in text and in a file name.
    html = (
        "<html><body><h2>Partners</h2><ul><li>United\n        Artists</li>"
        "<li><img src='/logos/united-artists.png'></li></ul></body></html>"
    )
    found = scan(html, terms_for(matcher_for([watchlist])))
    assert found.texts and found.attributes
    result = analyse_html(html, URL, [watchlist])
    assert result.verdict is Verdict.CONFLICT
