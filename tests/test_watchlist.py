"""Watchlist loading and validation: clear messages naming the file, the entry and the fault."""

from __future__ import annotations

import time

import pytest

from sponsorcheck.errors import WatchlistError
from sponsorcheck.watchlist import load_default, load_watchlist, load_watchlists, parse_watchlist

MINIMAL = """
id: test-pledge
name: Test pledge
pledge: {name: Test, demands: [{id: d1, text: Demand one}]}
entities:
  - id: acme
    name: Acme Corp
    reason: testing
    demands: [d1]
    sources: [{url: "https://example.org/acme", verified: 2026-11-24, claim: "Acme exists"}]
    aliases: [Acme]
"""


def test_default_watchlist_is_valid_and_sourced():
    wl = load_default()
    assert wl.id == "no-music-for-ice"
    ids = {e.id for e in wl.entities}
    assert {"amazon", "palantir", "ice", "cbp", "orr"} <= ids
    for entity in wl.entities:
        assert entity.sources, entity.id
        for brand in entity.brands:
            assert brand.sources, brand.id
    assert len(wl.pledge.demands) == 4


def test_minimal_watchlist_loads():
    wl = parse_watchlist(MINIMAL, "t.yaml")
    assert wl.entity("acme").aliases == ("Acme",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [unclosed", "YAML syntax error"),
        ("- a list", "expected a mapping"),
        (MINIMAL.replace("reason: testing", "reason: testing\n    colour: red"), 'entity "acme"'),
        (MINIMAL.replace("reason: testing", "reason: testing\n    colour: red"), "unknown key 'colour'"),
        (MINIMAL.replace("    reason: testing\n", ""), "missing required key 'reason'"),
        (
            MINIMAL.replace(
                'sources: [{url: "https://example.org/acme", verified: 2026-11-24, claim: "Acme exists"}]',
                "sources: []",
            ),
            "no sources",
        ),
        (MINIMAL + MINIMAL[MINIMAL.index("  - id: acme") :], "duplicate id"),
        (MINIMAL.replace("demands: [d1]", "demands: [d9]"), "unknown demand"),
        (MINIMAL.replace("aliases: [Acme]", "aliases: [Acme]\n    exclude: ['(?<=x)acme']"), "look-around"),
        (MINIMAL.replace("aliases: [Acme]", "aliases: [Acme]\n    exclude: ['(a)\\1']"), "back-references"),
        (MINIMAL.replace("aliases: [Acme]", "aliases: [Acme]\n    exclude: ['(unclosed']"), "not a valid regular"),
    ],
)
def test_invalid_watchlists_name_file_and_fault(text, message):
    with pytest.raises(WatchlistError) as info:
        parse_watchlist(text, "bad.yaml")
    assert "bad.yaml" in str(info.value)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_billion_laughs_is_refused_fast():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.process_time()
    with pytest.raises(WatchlistError, match="expansion bomb"):
        parse_watchlist("\n".join(lines) + MINIMAL.replace("aliases: [Acme]", "aliases: *i"), "bomb.yaml")
    assert time.process_time() - start < 5  # bound on a refusal, not a speed target


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(WatchlistError, match="no such file"):
        load_watchlist(tmp_path / "nope.yaml")
    with pytest.raises(WatchlistError, match="directory"):
        load_watchlist(tmp_path)


def test_given_watchlists_replace_default_and_need_distinct_ids(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text(MINIMAL)
    assert [w.id for w in load_watchlists([p])] == ["test-pledge"]
    with pytest.raises(WatchlistError, match="share the id"):
        load_watchlists([p, p])


def test_a_pattern_that_backtracks_in_re_is_accepted_and_runs_in_linear_time():
    # RE2 has no backtracking: (a+)+b$ against 'aaaa… c' fails in time proportional to the name
    # (Python's re would take exponential time on 400 letters).
    from sponsorcheck.match import Matcher

    wl = parse_watchlist(MINIMAL.replace("aliases: [Acme]", "aliases: [Acme]\n    exclude: ['(a+)+b$']"), "t.yaml")
    start = time.process_time()
    assert Matcher([wl]).match_name("Acme " + "a" * 400 + " c")
    assert time.process_time() - start < 5  # a bound on hanging, not a speed target


BRAND = """
    brands:
      - id: gizmo
        name: Gizmo
        sources: [{url: "https://example.org/gizmo", verified: 2026-12-02, claim: "bought in 2015"}]
        aliases: [Gizmo]
"""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("        until: 2020\n", "until: 2020 is set but status is operating"),
        ("        status: closed\n", "status closed needs `until`"),
        ("        status: sold\n        since: 2015\n        until: 2010\n", "until: 2010 is before since: 2015"),
        ("        status: renamed\n        until: 2021\n", "status renamed needs `successor`"),
        ("        status: merged\n", "status"),
        ("        since: 20\n", "since"),
        # The period is written after the relation ("..., since 2021"): a year inside it reads twice.
        ('        relation: "gadget maker, split in 2025"\n        since: 2021\n', "relation"),
    ],
)
def test_lifecycle_fields_are_validated_with_one_line(fields, message):
    text = MINIMAL + BRAND + fields
    with pytest.raises(WatchlistError) as info:
        parse_watchlist(text, "bad.yaml")
    assert message in str(info.value) and 'brand "gizmo"' in str(info.value)
    assert "\n" not in str(info.value)


def test_lifecycle_fields_load():
    text = MINIMAL + BRAND + "        status: renamed\n        since: 2015\n        until: 2021\n"
    text += "        successor: Gizmo Plus\n        former_names: [Old Gizmo]\n"
    brand = parse_watchlist(text, "t.yaml").entity("acme").brands[0]
    assert (brand.status, brand.since, brand.until, brand.successor) == ("renamed", 2015, 2021, "Gizmo Plus")
    assert brand.former_names == ("Old Gizmo",)
    assert brand.sources[0].claim == "bought in 2015"


def test_every_default_source_says_when_it_was_read():
    wl = load_default()
    for entity in wl.entities:
        for named in (entity, *entity.brands):
            for source in named.sources:
                assert source.url.startswith("https://") or source.url.startswith("http://"), named.id
                assert source.verified is not None, (named.id, source.url)


def test_a_source_someone_read_must_say_which_fact_it_supports():
    # One source per claim: a dated reading with no claim is the first round's bare stamp again.
    text = MINIMAL.replace(', claim: "Acme exists"', "")
    with pytest.raises(WatchlistError) as info:
        parse_watchlist(text, "bad.yaml")
    assert 'entity "acme"' in str(info.value) and "claim" in str(info.value) and "example.org/acme" in str(info.value)
    assert "\n" not in str(info.value)
    # A source nobody could read (no date) may stand without a claim, saying so.
    parse_watchlist(MINIMAL.replace(', verified: 2026-11-24, claim: "Acme exists"', ""), "t.yaml")


def test_no_default_source_carries_the_first_rounds_bare_stamp():
    wl = load_default()
    for named in (wl.pledge, *wl.entities, *(b for e in wl.entities for b in e.brands)):
        for source in named.sources:
            assert str(source.verified) != "2026-11-24", source.url
            assert source.claim, source.url
            if source.verified is not None:
                assert source.via, source.url  # every reading this round was of a stored copy


def test_default_domains_have_no_wildcard_where_the_real_domains_are_known():
    amazon = load_default().entity("amazon")
    assert not any(d.startswith("aboutamazon.") and d.endswith(".*") for d in amazon.domains)
    assert {"aboutamazon.com", "aboutamazon.co.uk", "aboutamazon.de"} <= set(amazon.domains)


def test_the_pledge_wording_comes_from_a_copy_of_the_letter():
    pledge = load_default().pledge
    assert pledge.holds_until.startswith("until Amazon publicly commits")
    assert {"Amazon Exclusives", "Amazon Originals"} <= set(pledge.partnerships)
    read = [s for s in pledge.sources if s.verified is not None]
    assert any("publicly commits" in s.claim for s in read) and any("Amazon Exclusives" in s.claim for s in read)


def test_the_bundled_watchlist_reads_the_same_with_either_yaml_parser():
    # The bundled file is read with libyaml's parser when PyYAML has it (start-up speed); user files with
    # the pure-Python one. Both must give the same watchlist, duplicate-key check included.
    from sponsorcheck.watchlist import default_watchlist_text, load_yaml, parse_watchlist

    text, origin = default_watchlist_text()
    assert parse_watchlist(text, origin, bundled=True) == parse_watchlist(text, origin)
    with pytest.raises(WatchlistError, match="duplicate key"):
        load_yaml("id: a\nid: b\n", "w.yaml", "a watchlist", bundled=True)
