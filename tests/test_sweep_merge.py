"""Merging a target's pages (home page + followed sponsor pages): no sighting and no flag may be lost.

Class of page: an event home page that names a brand in passing (a stream link, a shop link) and links to
its own sponsors page, where the same brand is listed as a sponsor; and a sponsor wall too large to be
checked in full, reached through a link on the home page.
"""

from __future__ import annotations

from sponsorcheck.models import Role, Verdict
from sponsorcheck.pipeline import CheckOptions, check_target

# Class: a home page whose only sign of a brand is a prize it donated, linking to its sponsors page.
HOME_WITH_PRIZE = """<!doctype html><html><head><title>Harbour Lights Hack</title></head><body>
<header><nav><a href="/">Home</a> <a href="/sponsors/">Sponsors</a></nav></header>
<main><h1>Harbour Lights Hack</h1>
<section><h2>Prizes</h2>
<div class="prize"><img src="/img/amazon.png" alt="Amazon"><p>Gift cards for every member of the winning team</p></div>
</section></main></body></html>"""

# Class: the event's own sponsors page, listing the brand among its sponsors with a logo and a link.
SPONSORS_PAGE = """<!doctype html><html><head><title>Sponsors - Harbour Lights Festival</title></head><body>
<h1>Our sponsors</h1>
<ul class="logos">
<li><a href="https://www.amazon.com/"><img src="/img/amazon.png" alt="Amazon"></a></li>
<li><a href="https://harbour-brewing.example/"><img src="/img/harbour-brewing.png" alt="Harbour Brewing"></a></li>
</ul></body></html>"""


def _serve(httpserver, path: str, html: str) -> None:
    httpserver.expect_request(path).respond_with_data(html, content_type="text/html; charset=utf-8")


def test_a_mention_on_the_home_page_does_not_hide_the_sponsor_on_the_followed_page(httpserver, fetcher, watchlist):
    _serve(httpserver, "/", HOME_WITH_PRIZE)
    _serve(httpserver, "/sponsors/", SPONSORS_PAGE)
    url = httpserver.url_for("/")
    alone = check_target(httpserver.url_for("/sponsors/"), fetcher, [watchlist], CheckOptions(follow=0))
    assert alone.verdict is Verdict.CONFLICT  # the sponsors page on its own
    result = check_target(url, fetcher, [watchlist])
    assert httpserver.url_for("/sponsors/") in result.pages_read
    assert result.verdict is Verdict.CONFLICT
    amazon = [f for f in result.findings if f.entity == "amazon"]
    assert amazon and amazon[0].role is Role.SPONSOR
    assert any(httpserver.url_for("/sponsors/") in e.where for e in amazon[0].evidence)


def _wall(count: int) -> str:
    logos = "\n".join(
        f'<a href="https://brand-{i}.example/"><img src="/logos/brand-{i}.png" alt="Brand Number {i}"></a>'
        for i in range(count)
    )
    return f"<html><body><h2>Our supporters</h2>\n{logos}\n</body></html>"


# Class: a home page that links to a sponsor wall with more names than one check examines.
HOME_LINKING_TO_WALL = """<html><head><title>Wall Fest</title></head><body><h1>Wall Fest</h1>
<p>Thank you to <a href="/supporters">all our supporters</a>.</p></body></html>"""


def test_a_truncated_followed_page_keeps_the_result_from_reading_clear(httpserver, fetcher, watchlist):
    _serve(httpserver, "/", HOME_LINKING_TO_WALL)
    _serve(httpserver, "/supporters", _wall(5_050))
    alone = check_target(httpserver.url_for("/supporters"), fetcher, [watchlist], CheckOptions(follow=0))
    assert alone.verdict is Verdict.REVIEW  # too many names to check them all: never clear
    followed = check_target(httpserver.url_for("/"), fetcher, [watchlist])
    assert httpserver.url_for("/supporters") in followed.pages_read
    assert followed.verdict is Verdict.REVIEW
    assert any("5,000" in h for h in followed.hints)
