"""Normalisation: the one place that decides when two spellings of a name are the same."""

from __future__ import annotations

import pytest

from sponsorcheck.normalize import fold, normalize_name, public_suffix, registrable_domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Amazon", "amazon"),
        ("AMAZON", "amazon"),
        ("Amazon.com, Inc.", "amazon com"),
        ("Amazon Web Services, Inc.", "amazon web services"),
        ("Amazon EU S.à r.l.", "amazon eu"),
        ("Amazon EU S.à.r.l.", "amazon eu"),
        ("Amazon Web Services EMEA SARL", "amazon web services emea"),
        ("Amazon Deutschland Services GmbH", "amazon deutschland services"),
        ("Whole Foods Market Pty Ltd", "whole foods market"),
        ("A.W.S.", "aws"),
        ("U.S. Border Patrol", "us border patrol"),
        ("Presented by Amazon Music", "amazon music"),
        ("Sponsored by Twitch", "twitch"),
        ("Proudly supported by Twitch", "twitch"),
        ("Avec le soutien de Twitch", "twitch"),
        ("Amazon Music logo", "amazon music"),
        ("Amazon's", "amazon"),
        ("Amazon’s", "amazon"),
        ("Echo & the Bunnymen", "echo and the bunnymen"),
        ("Palantír", "palantir"),
        ("Zürich Café", "zurich cafe"),
        ("Øresund", "oresund"),
        ("Амазон", "amazon"),
        ("ＡＭＡＺＯＮ", "amazon"),  # full-width letters (NFKC)
        ("  Twitch\u00a0 ", "twitch"),
        ("AB", "ab"),  # a name that is only a legal form keeps it
    ],
)
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


def test_fold_keeps_punctuation_and_folds_case_and_accents():
    assert fold("Straße Zürich!") == "strasse zurich!"
    assert fold("plain ascii") == "plain ascii"


@pytest.mark.parametrize(
    ("host", "registrable", "suffix"),
    [
        ("aws.amazon.com", "amazon.com", "com"),
        ("www.amazon.co.uk", "amazon.co.uk", "co.uk"),
        ("reinvent.aws", "reinvent.aws", "aws"),
    ],
)
def test_domains(host, registrable, suffix):
    assert registrable_domain(host) == registrable
    assert public_suffix(host) == suffix
