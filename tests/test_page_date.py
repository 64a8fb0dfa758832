"""A page's own date decides whether a brand bought or sold by its owner counts, and the finding says which date.

Pages here are written from scratch for the class "an event's sponsor page that carries a date": in its
JSON-LD event, a publication <meta>, a <time> element, or a year in its title. The watchlist is a small one
written here (a brand bought in 2020, one sold in 2018), plus the default one for Whole Foods Market (2017).
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from sponsorcheck.extract.dates import page_date, year_of
from sponsorcheck.match import NO_DATE_NOTE, UNDATED_RECENT_YEARS, Matcher
from sponsorcheck.models import Level
from sponsorcheck.pipeline import analyse_html
from sponsorcheck.watchlist import load_default, parse_watchlist

LIFECYCLE = """
schema: 1
id: t
name: T
version: "1"
pledge: {name: T, organiser: O, url: "https://example.org", date: "2019", summary: S, demands: [{id: d1, text: D}]}
entities:
  - id: acme
    name: Acme Corp
    reason: R
    demands: [d1]
    sources: [{url: "https://example.org/acme", verified: 2026-11-24, claim: "exists"}]
    aliases: [Acme Corp]
    brands:
      - id: bought
        name: Boughtco
        relation: "maker bought by Acme"
        since: 2020
        aliases: [Boughtco]
        sources: [{url: "https://example.org/b", verified: 2026-12-02, claim: "bought in 2020"}]
      - id: sold
        name: Soldco
        relation: "maker Acme once owned"
        since: 2010
        until: 2018
        status: sold
        successor: Other Corp
        aliases: [Soldco]
        sources: [{url: "https://example.org/s", verified: 2026-12-02, claim: "sold in 2018"}]
"""
LIFE = parse_watchlist(LIFECYCLE, "t.yaml")
SMALL = Matcher([LIFE])
URL = "https://riverfest.example.org/sponsors"


def sponsor_page(head: str, sponsor: str, body: str = "") -> str:
    """A small festival's sponsor page (class: dated sponsor page) with one watchlisted sponsor among others."""
    return f"""<!doctype html><html><head><meta charset="utf-8">{head}</head><body>
    <header><a href="/">Riverfest</a></header>{body}
    <section id="sponsors"><h2>Our sponsors</h2>
      <ul><li>{sponsor}</li><li>Millbrook Bakery</li><li>Harbour Print Shop</li></ul></section>
    <footer>Riverfest volunteers</footer></body></html>"""


def finding(html: str, matcher=SMALL):
    result = analyse_html(html, URL, matcher)
    return result, (result.findings[0] if result.findings else None)


JSONLD_2019 = (
    '<script type="application/ld+json">{"@context":"https://schema.org","@type":"MusicEvent",'
    '"name":"Riverfest","startDate":"2019-06-01T12:00:00-07:00","datePublished":"2018-11-02"}</script>'
)


@pytest.mark.parametrize(
    ("head", "body", "year", "said"),
    [
        (JSONLD_2019, "", 2019, "JSON-LD MusicEvent startDate 2019-06-01"),  # the event's date beats publication
        (
            '<script type="application/ld+json">{"@type":"WebPage","datePublished":"2021-03-04"}</script>',
            "",
            2021,
            "JSON-LD datePublished 2021-03-04",
        ),
        ('<meta property="article:published_time" content="2016-05-01T09:00:00Z">', "", 2016, "article:published_time"),
        ("", '<p>Posted <time datetime="2023-02-10">10 February</time></p>', 2023, '<time datetime="2023-02-10">'),
        ("<title>Riverfest 2022 | Sponsors</title>", "", 2022, "a year in its title 'Riverfest 2022 | Sponsors'"),
        ("<title>Sponsors</title>", "<h1>Riverfest 2017</h1>", 2017, "a year in its main heading"),
    ],
)
def test_the_page_date_is_read_from_the_page_and_said(head, body, year, said):
    root = lxml_html.fromstring(sponsor_page(head, "Acme Corp", body))
    jsonld = [s.text or "" for s in root.iter("script")]
    found = page_date(root, jsonld)
    assert found is not None and found.year == year and said in found.source


@pytest.mark.parametrize(
    "title",
    [
        "Riverfest — Sponsors",  # no year
        "Riverfest 2019–2020 sponsors",  # a range: which year is not said
        "Riverfest 2019-2020 sponsors",
        "Call 555-2019 for tickets",  # part of a phone number
        "Stage plan 1920x1080",  # a size
    ],
)
def test_no_single_year_in_the_title_is_no_date(title):
    root = lxml_html.fromstring(sponsor_page(f"<title>{title}</title>", "Acme Corp"))
    assert page_date(root, []) is None


def test_a_modification_date_is_not_the_page_date():
    head = '<script type="application/ld+json">{"@type":"WebPage","dateModified":"2024-01-01"}</script>'
    root = lxml_html.fromstring(sponsor_page(head, "Acme Corp"))
    assert page_date(root, [s.text or "" for s in root.iter("script")]) is None


def test_year_of_reads_iso_dates_only_in_a_plausible_range():
    assert year_of("2019-12-06T18:00:00-08:00") == 2019
    assert year_of("2019") == 2019
    assert year_of("1066-10-14") is None
    assert year_of("06/12/2019") is None  # not ISO: the year is not where ISO puts it
    assert year_of(2019) is None


def test_a_brand_bought_later_on_a_page_dated_after_the_purchase_is_a_conflict_saying_the_date():
    result, f = finding(sponsor_page(JSONLD_2019.replace("2019-06-01", "2021-06-01"), "Boughtco"))
    assert result.verdict.value == "conflict" and f.level is Level.CONFLICT
    assert "dated 2021 (its JSON-LD MusicEvent startDate 2021-06-01T12:00" in f.why and "since 2020" in f.why


def test_a_brand_bought_later_on_a_page_dated_before_the_purchase_does_not_count_and_says_so():
    result, f = finding(sponsor_page("<title>Riverfest 2015 — Sponsors</title>", "Boughtco"))
    assert result.verdict.value == "review"  # not a conflict; a date read from a page may be wrong, so not clear
    assert f.level is Level.REVIEW
    assert "dated 2015 (a year in its title 'Riverfest 2015 — Sponsors')" in f.why
    assert "before Boughtco was Acme Corp's (since 2020)" in f.why and "would not count" in f.why


def test_a_sold_brand_counts_on_a_page_from_before_the_sale():
    result, f = finding(sponsor_page('<meta name="date" content="2014-04-01">', "Soldco"))
    assert result.verdict.value == "conflict" and "dated 2014" in f.why and "2010–2018, sold" in f.why


def test_a_sold_brand_on_a_page_from_after_the_sale_does_not_count_and_says_so():
    result, f = finding(sponsor_page('<meta name="date" content="2022-04-01">', "Soldco"))
    assert result.verdict.value == "review"
    assert "dated 2022" in f.why and "after Acme Corp sold Soldco" in f.why


def test_without_a_date_the_rule_is_said_plainly():
    # Two years after the purchase an undated page may well be from before it: the finding says how it was read.
    page = sponsor_page("<title>Riverfest — Sponsors</title>", "Boughtco")
    result, f = finding(page, Matcher([LIFE], this_year=2022))
    assert result.verdict.value == "conflict"
    assert "no page date found or given: read as of today" in f.why
    result, f = finding(sponsor_page("<title>Riverfest — Sponsors</title>", "Soldco"))
    assert result.verdict.value == "review" and "no date" in f.why and "sold" in f.why


def test_the_entity_itself_has_no_period_and_no_date_note():
    result, f = finding(sponsor_page("<title>Riverfest 2015 — Sponsors</title>", "Acme Corp"))
    assert result.verdict.value == "conflict" and "dated" not in f.why and "no date" not in f.why


def test_whole_foods_on_a_page_from_before_amazon_bought_it_is_review_with_the_date():
    default = Matcher([load_default()])
    result, f = finding(
        sponsor_page("<title>Harvest Fair 2015 — Thank you sponsors</title>", "Whole Foods Market"), default
    )
    assert result.verdict.value == "review"
    assert "before Whole Foods Market was" in f.why and "(since 2017)" in f.why
    result, f = finding(
        sponsor_page("<title>Harvest Fair 2019 — Thank you sponsors</title>", "Whole Foods Market"), default
    )
    assert result.verdict.value == "conflict" and "dated 2019" in f.why


def test_the_json_report_carries_the_page_date_of_each_sponsor_and_reads_it_back():
    from sponsorcheck.report.json import result_dict, result_from_dict

    result = analyse_html(sponsor_page("<title>Riverfest 2021 — Sponsors</title>", "Boughtco"), URL, SMALL)
    doc = result_dict(result)
    sponsor = next(s for s in doc["sponsors"] if s["name"] == "Boughtco")
    assert sponsor["year"] == 2021 and "its title" in sponsor["dated"]
    again = result_from_dict(doc)
    assert next(s for s in again.sponsors if s.name == "Boughtco").year == 2021


@pytest.mark.parametrize(
    ("title", "sponsor", "verdict"),
    [
        ("Health Fair 2022", "Amazon Clinic", "conflict"),  # Amazon's own from its 2022 launch, before One Medical
        ("Film Night 2019", "Epix", "review"),  # Epix came to Amazon with MGM in 2022
        ("Film Night 2023", "Epix", "conflict"),
        ("Comic Days 2015", "ComiXology", "conflict"),  # closed in 2023, Amazon's from 2014: counts in 2015
    ],
)
def test_real_brands_count_by_the_page_year(title, sponsor, verdict):
    default = Matcher([load_default()])
    result, f = finding(sponsor_page(f"<title>{title} — Sponsors</title>", sponsor), default)
    assert result.verdict.value == verdict and "its title" in f.why


@pytest.mark.parametrize(
    ("this_year", "noted"),
    [
        (2020, True),  # bought this year: an undated page may be last year's
        (2020 + UNDATED_RECENT_YEARS, True),  # the last year the note is said
        (2021 + UNDATED_RECENT_YEARS, False),  # long the owner's: an undated page from before is unlikely
    ],
)
def test_the_no_date_note_is_said_only_while_the_purchase_is_recent(this_year, noted):
    page = sponsor_page("<title>Riverfest — Sponsors</title>", "Boughtco")
    result, f = finding(page, Matcher([LIFE], this_year=this_year))
    assert result.verdict.value == "conflict" and f.level is Level.CONFLICT
    assert (NO_DATE_NOTE in f.why) is noted
    # The JSON still says the page had no date, whether or not the sentence does.
    from sponsorcheck.report.json import result_dict

    sponsor = next(s for s in result_dict(result)["sponsors"] if s["name"] == "Boughtco")
    assert sponsor["year"] is None and sponsor["dated"] is None


def test_a_brand_bought_long_ago_reads_without_the_date_note_on_the_default_watchlist():
    # Whole Foods (Amazon's since 2017), read in 2026: the note was noise on every such finding.
    result, f = finding(
        sponsor_page("<title>Harvest Fair — Thank you sponsors</title>", "Whole Foods Market"),
        Matcher([load_default()], this_year=2026),
    )
    assert result.verdict.value == "conflict" and NO_DATE_NOTE not in f.why and "since 2017" in f.why
