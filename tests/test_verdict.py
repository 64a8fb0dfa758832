"""Verdicts from candidates: sponsors, the event's own identity, mentions, weak names, the allowlist."""

from __future__ import annotations

from datetime import date

import pytest

from sponsorcheck.allow import parse_allowlist
from sponsorcheck.models import Candidate, Evidence, Extraction, Level, Role, Verdict
from sponsorcheck.pipeline import check_names, result_from

from .small_watchlist import small_matcher

M = small_matcher()


def sponsor(name: str, **kw) -> Candidate:
    kw.setdefault("in_sponsor_context", True)
    return Candidate(name=name, evidence=kw.pop("evidence", (Evidence("img-alt", name),)), **kw)


def verdict_of(*candidates: Candidate, allow=None):
    extraction = Extraction(tuple(candidates), any(c.in_sponsor_context for c in candidates))
    return result_from("t", "t", extraction, M, allow)


def test_strong_sponsor_in_sponsor_list_is_conflict_with_chain_and_demands():
    r = verdict_of(sponsor("Twitch"), sponsor("Red Bull"))
    assert r.verdict is Verdict.CONFLICT
    f = r.findings[0]
    assert (f.level, f.entity, f.brand, f.sponsor) == (Level.CONFLICT, "amazon", "twitch", "Twitch")
    assert "2014" in f.chain and f.demands == ("d1", "d2") and f.pledge == "test-pledge"


def test_clear_when_sponsor_list_has_no_match_and_unknown_without_sponsor_list():
    assert verdict_of(sponsor("Red Bull"), sponsor("Heineken")).verdict is Verdict.CLEAR
    assert verdict_of().verdict is Verdict.UNKNOWN


def test_weak_alias_alone_is_review_and_corroborated_weak_alias_is_conflict():
    assert verdict_of(sponsor("Ring")).verdict is Verdict.REVIEW
    linked = sponsor("Ring", domains=("ring.com",))
    assert verdict_of(linked).verdict is Verdict.CONFLICT


def test_lookalikes_stay_clear():
    r = verdict_of(sponsor("Rock am Ring"), sponsor("Amazon Watch"), sponsor("Immigrant Defense Project"))
    assert r.verdict is Verdict.CLEAR and not r.findings


def test_low_fuzzy_is_review_high_fuzzy_is_conflict():
    high = verdict_of(sponsor("Amazon Web Service"))
    assert high.verdict is Verdict.CONFLICT and high.findings[0].method == "fuzzy"
    low = verdict_of(sponsor("Amazonsmyl"))  # two edits in eleven letters: possible, not certain
    assert low.verdict is Verdict.REVIEW
    assert (low.findings[0].method, low.findings[0].brand) == ("fuzzy", "amazonsmile")
    assert low.findings[0].score < 83


def test_match_outside_sponsor_context_is_review():
    r = verdict_of(sponsor("Amazon", in_sponsor_context=False), sponsor("Red Bull"))
    assert r.verdict is Verdict.REVIEW


@pytest.mark.parametrize(
    ("candidate", "phrase"),
    [
        (
            Candidate(
                name="aws.amazon.com",
                evidence=(Evidence("page-url", "https://aws.amazon.com/events/play"),),
                domains=("aws.amazon.com",),
                role=Role.IDENTITY,
            ),
            "served from",
        ),
        (
            Candidate(
                name="Amazon Web Services",
                evidence=(Evidence("jsonld", "organizer: Amazon Web Services"),),
                role=Role.IDENTITY,
            ),
            "organised or hosted by",
        ),
        (
            Candidate(
                name="Climate Pledge Arena",
                evidence=(Evidence("text", "Venue: Climate Pledge Arena"),),
                role=Role.IDENTITY,
            ),
            "organiser, host or venue",
        ),
    ],
)
def test_event_identity_is_a_conflict_even_outside_any_sponsor_list(candidate, phrase):
    r = verdict_of(candidate)
    assert r.verdict is Verdict.CONFLICT
    f = r.findings[0]
    assert f.role is Role.IDENTITY and f.entity == "amazon" and phrase in f.why
    assert candidate.name in {s.name for s in r.sponsors}  # a matched identity is shown with the sponsors


def test_page_under_an_entity_path_is_identity_but_the_rest_of_the_host_is_not():
    def page(url: str) -> Candidate:
        return Candidate(
            name="www.acf.hhs.gov",
            evidence=(Evidence("page-url", url),),
            domains=("www.acf.hhs.gov",),
            role=Role.IDENTITY,
        )

    assert verdict_of(page("https://www.acf.hhs.gov/orr/grants")).findings[0].entity == "orr"
    assert not verdict_of(page("https://www.acf.hhs.gov/ofa/programs")).findings


def test_weak_alias_identity_is_review():
    host = Candidate(name="Foundry", evidence=(Evidence("jsonld", "organizer: Foundry"),), role=Role.IDENTITY)
    assert verdict_of(host).verdict is Verdict.REVIEW


def test_page_on_shared_hosting_is_not_identity():
    host = Candidate(
        name="fest.s3.amazonaws.com",
        evidence=(Evidence("page-url", "https://fest.s3.amazonaws.com/index.html"),),
        domains=("fest.s3.amazonaws.com",),
        role=Role.IDENTITY,
    )
    assert verdict_of(host, sponsor("Red Bull")).verdict is Verdict.CLEAR


def test_mentions_never_make_findings():
    shop = Candidate(name="Amazon", evidence=(Evidence("link", "https://amazon.com/shop"),), role=Role.MENTION)
    assert not verdict_of(shop, sponsor("Red Bull")).findings


def test_allowlist_turns_finding_into_allowed_and_verdict_ignores_it():
    allow, warnings = parse_allowlist(
        "allow:\n  - {sponsor: Twitch, entity: amazon, reason: stream only, expires: 2999-01-01}\n",
        "a.yaml",
        date(2026, 11, 24),
    )
    assert not warnings
    r = verdict_of(sponsor("Twitch"), sponsor("Red Bull"), allow=allow)
    assert r.verdict is Verdict.CLEAR
    assert r.findings[0].level is Level.ALLOWED and r.findings[0].allowed_reason == "stream only"
    assert "stream only" in r.findings[0].why
    # Another Amazon brand on the same page still counts.
    assert verdict_of(sponsor("Twitch"), sponsor("AWS"), allow=allow).verdict is Verdict.CONFLICT


def test_allowlist_by_domain():
    allow, _ = parse_allowlist("- {domain: twitch.tv, entity: amazon, reason: checked}\n", "a.yaml", date(2026, 11, 24))
    linked = sponsor("Twitch Rivals", domains=("www.twitch.tv",))
    r = verdict_of(linked, allow=allow)
    assert r.findings and all(f.level is Level.ALLOWED for f in r.findings)
    assert r.verdict is Verdict.CLEAR


def test_several_pledges_each_finding_names_its_pledge():
    from sponsorcheck.match import Matcher
    from sponsorcheck.watchlist import parse_watchlist

    from .small_watchlist import OTHER, small_watchlist

    both = Matcher([small_watchlist(), parse_watchlist(OTHER, "other.yaml")])
    r = check_names(["Twitch", "OilCo plc"], both)
    assert {(f.pledge, f.entity) for f in r.findings} == {("test-pledge", "amazon"), ("other-pledge", "oilco")}
