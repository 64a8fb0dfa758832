"""Alt texts copied onto several logos, inside a sponsor or supporters list (issue 9).

A page template often writes one alt text on every logo of a row. When that text names a watchlisted brand
while each logo links to its own, other organisation, it names none of them (the section walk's rule for
copied alt texts): the links say who the supporters are, and the sighting is shown as a mention, not counted.
A single logo whose alt names the brand while its link leads elsewhere stays for a person to review.
"""

from __future__ import annotations

from sponsorcheck.models import Verdict
from sponsorcheck.pipeline import analyse_html

URL = "https://harbour-choir.example/support/"


def _page(logos: str) -> str:
    # Class: a community choir's "support us" page: a heading and a row of funder logos, each linking to its site.
    return (
        "<html><head><title>Support the Harbour Choir</title></head><body><h1>Support us</h1>"
        f"<section><h2>Our supporters</h2><div class='row'>{logos}</div></section>"
        "<p>Thank you to everyone who makes our concerts possible.</p></body></html>"
    )


def _logo(site: str, file: str, alt: str) -> str:
    return f"<div class='col'><a href='https://{site}/'><img src='/img/{file}' alt='{alt}'></a></div>"


def test_an_alt_copied_onto_every_logo_names_none_of_them(watchlist):
    html = _page(
        _logo("harbour-arts-council.example", "arts-council.png", "Audible logo")
        + _logo("seaside-printers.example", "printers.png", "Audible logo")
        + _logo("lighthouse-trust.example", "lighthouse.png", "Audible logo")
    )
    result = analyse_html(html, URL, [watchlist])
    assert result.verdict is Verdict.CLEAR and not result.findings
    assert any(m.entity == "amazon" and "several different logos" in (m.note or "") for m in result.mentions)


def test_one_logo_whose_alt_names_the_brand_while_it_links_elsewhere_is_for_review(watchlist):
    html = _page(
        _logo("harbour-arts-council.example", "arts-council.png", "Harbour Arts Council")
        + _logo("seaside-printers.example", "printers.png", "Audible")
        + _logo("lighthouse-trust.example", "lighthouse.png", "Lighthouse Trust")
    )
    result = analyse_html(html, URL, [watchlist])
    assert result.verdict is Verdict.REVIEW
    assert any(f.entity == "amazon" for f in result.findings)


def test_the_brand_own_logo_in_the_row_still_counts(watchlist):
    html = _page(
        _logo("harbour-arts-council.example", "arts-council.png", "Audible logo")
        + _logo("www.audible.com", "audible.png", "Audible logo")
        + _logo("lighthouse-trust.example", "lighthouse.png", "Audible logo")
    )
    result = analyse_html(html, URL, [watchlist])
    assert result.verdict is Verdict.CONFLICT
    assert any(f.entity == "amazon" for f in result.findings)
