"""Allowlist files: validated with one-line messages; expired entries warn and no longer apply."""

from __future__ import annotations

from datetime import date

import pytest

from sponsorcheck.allow import DEFAULT_ALLOW_FILE, allowlist_paths, load_allowlists, parse_allowlist
from sponsorcheck.errors import WatchlistError

from .small_watchlist import small_watchlist

TODAY = date(2026, 11, 24)
GOOD = """
allow:
  - sponsor: Twitch
    entity: amazon
    reason: the festival only streams on Twitch; the organiser confirmed no money changes hands
    expires: 2027-06-30
  - domain: ring.com
    entity: amazon
    reason: a door-prize donated by a local shop, not sponsorship
  - sponsor: AWS
    entity: amazon
    reason: old decision
    expires: 2025-01-01
"""


def test_valid_file_keeps_live_entries_and_warns_about_expired_ones():
    allow, warnings = parse_allowlist(GOOD, "allow.yaml", TODAY)
    assert [e.sponsor or e.domain for e in allow.entries] == ["Twitch", "ring.com"]
    assert len(warnings) == 1
    assert "allow.yaml" in warnings[0] and "AWS" in warnings[0] and "expired on 2025-01-01" in warnings[0]


def test_matching_by_normalised_sponsor_and_by_domain_or_subdomain():
    allow, _ = parse_allowlist(GOOD, "allow.yaml", TODAY)
    assert allow.reason_for("p", "amazon", "TWITCH Inc.") is not None
    assert allow.reason_for("p", "palantir", "Twitch") is None  # the entity must match too
    assert allow.reason_for("p", "amazon", "Blink", ["shop.ring.com"]) is not None
    assert allow.reason_for("p", "amazon", "Blink", ["notring.com"]) is None
    assert allow.reason_for("p", "amazon", "AWS") is None  # expired


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("allow: [unclosed", "YAML syntax error"),
        ("just a string", "expected a list"),
        ("- {entity: amazon, reason: r}", "exactly one of 'sponsor' or 'domain'"),
        ("- {sponsor: A, domain: a.com, entity: amazon, reason: r}", "exactly one of"),
        ("- {sponsor: Twitch, reason: r}", "missing required key 'entity'"),
        ("- {sponsor: Twitch, entity: amazon}", "missing required key 'reason'"),
        ("- {sponsor: Twitch, entity: amazon, reason: r, colour: red}", "unknown key 'colour'"),
        ("- {sponsor: Twitch, entity: amazon, reason: r, expires: soon}", "expires"),
        ("- {domain: 'https://twitch.tv/', entity: amazon, reason: r}", "domain"),
    ],
)
def test_invalid_files_give_one_line_naming_file_and_fault(text, message):
    with pytest.raises(WatchlistError) as info:
        parse_allowlist(text, "bad-allow.yaml", TODAY)
    text_ = str(info.value)
    assert "bad-allow.yaml" in text_ and message in text_ and "\n" not in text_


def test_entry_for_unknown_entity_is_an_error():
    allow, _ = parse_allowlist("- {sponsor: X, entity: amazn, reason: typo}", "a.yaml", TODAY)
    with pytest.raises(WatchlistError, match="unknown entity 'amazn'"):
        allow.check_entities([small_watchlist()])


def test_files_from_option_and_working_directory(tmp_path):
    given = tmp_path / "mine.yaml"
    given.write_text("- {sponsor: Twitch, entity: amazon, reason: r}\n")
    assert allowlist_paths([given], tmp_path) == [given]
    (tmp_path / DEFAULT_ALLOW_FILE).write_text("- {domain: ring.com, entity: amazon, reason: r}\n")
    paths = allowlist_paths([given], tmp_path)
    assert paths == [given, tmp_path / DEFAULT_ALLOW_FILE]
    allow, warnings = load_allowlists(paths, TODAY)
    assert len(allow.entries) == 2 and not warnings


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(WatchlistError, match="no such file"):
        load_allowlists([tmp_path / "nope.yaml"], TODAY)


def test_empty_file_allows_nothing():
    allow, warnings = parse_allowlist("", "empty.yaml", TODAY)
    assert allow.entries == () and warnings == ()


def test_an_allowlist_expansion_bomb_is_refused_like_a_watchlist_one():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("allow: *i")
    with pytest.raises(WatchlistError, match="expansion bomb"):
        parse_allowlist("\n".join(lines), "bomb-allow.yaml", date(2026, 11, 24))
