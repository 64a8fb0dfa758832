"""A small watchlist written for the matcher tests, so they do not depend on the default list's content."""

from __future__ import annotations

from pathlib import Path

from sponsorcheck.match import Matcher
from sponsorcheck.watchlist import Watchlist, parse_watchlist

# One entity under a made-up name, for tests of batch, cache and CLI plumbing that must not depend on the
# shipped watchlist's content.
ACME_WATCHLIST = """
id: test-pledge
name: Test pledge
pledge: {name: Test, demands: [{id: d1, text: Demand one}]}
entities:
  - id: acme
    name: Acme Corp
    reason: testing
    demands: [d1]
    sources: [{url: "https://example.org/acme", verified: 2026-11-24, claim: "exists"}]
    aliases: [Acme Corp]
    domains: [acme.example]
"""


SMALL = """
id: test-pledge
name: Test pledge
version: "1"
pledge:
  name: Test pledge
  organiser: Test organiser
  url: https://pledge.example/
  demands:
    - {id: d1, text: End the contracts}
    - {id: d2, text: Stop the cloud}
entities:
  - id: amazon
    name: Amazon.com, Inc.
    reason: the pledge names it
    demands: [d1, d2]
    sources: [{url: "https://example.org/amazon", verified: 2026-11-24, claim: "exists"}]
    aliases: [Amazon, Amazon.com, AMZN]
    domains: ["amazon.com", "amazon.*"]
    tlds: [aws, amazon, prime]
    context: ["an Amazon company"]
    exclude: ['\\bamazon (river|watch)\\b']
    brands:
      - id: aws
        name: Amazon Web Services
        kind: subsidiary
        relation: "Amazon's cloud subsidiary"
        since: 2006
        aliases: [AWS]
        domains: ["aws.amazon.com", "awsstatic.com"]
        sources: [{url: "https://example.org/aws"}]
      - id: twitch
        name: Twitch
        kind: subsidiary
        relation: owned by Amazon
        since: 2014
        domains: ["twitch.tv"]
        sources: [{url: "https://example.org/twitch"}]
      - id: ring
        name: Ring
        kind: subsidiary
        relation: doorbell maker owned by Amazon
        since: 2018
        aliases: [Ring Video Doorbell]
        weak_aliases: [Ring]
        domains: ["ring.com"]
        context: ["doorbell"]
        exclude: ['\\brock am ring\\b']
        sources: [{url: "https://example.org/ring"}]
      - id: echo
        name: Amazon Echo
        kind: brand
        weak_aliases: [Echo]
        sources: [{url: "https://example.org/echo"}]
      - id: amazonsmile
        name: AmazonSmile
        kind: program
        aliases: [Amazon Smile]
        sources: [{url: "https://example.org/smile"}]
      - id: whole-foods
        name: Whole Foods Market
        kind: subsidiary
        since: 2017
        aliases: [Whole Foods]
        domains: ["wholefoodsmarket.com"]
        sources: [{url: "https://example.org/wfm"}]
      - id: eero
        name: eero
        kind: subsidiary
        since: 2019
        aliases: [eero]
        domains: ["eero.com"]
        sources: [{url: "https://example.org/eero"}]
      - id: reinvent
        name: AWS re:Invent
        kind: event
        weak_aliases: ["re:Invent"]
        context: ["AWS"]
        sources: [{url: "https://example.org/reinvent"}]
      - id: climate-pledge-arena
        name: Climate Pledge Arena
        kind: venue
        relation: Seattle arena named by Amazon
        domains: ["climatepledgearena.com"]
        sources: [{url: "https://example.org/cpa"}]
  - id: palantir
    name: Palantir Technologies Inc.
    reason: the pledge names it
    demands: [d2]
    sources: [{url: "https://example.org/palantir"}]
    aliases: [Palantir, Palantir Technologies]
    domains: ["palantir.com"]
    brands:
      - id: foundry
        name: Palantir Foundry
        weak_aliases: [Foundry]
        context: ["Palantir"]
        sources: [{url: "https://example.org/foundry"}]
  - id: ice
    name: U.S. Immigration and Customs Enforcement
    reason: the pledge names it
    demands: [d1]
    sources: [{url: "https://example.org/ice"}]
    aliases: [Immigration and Customs Enforcement, U.S. Immigration and Customs Enforcement]
    weak_aliases: [ICE]
    domains: ["ice.gov"]
    context: ["Homeland Security"]
    brands:
      - id: hsi
        name: Homeland Security Investigations
        kind: program
        weak_aliases: [HSI]
        context: [ICE]
        sources: [{url: "https://example.org/hsi"}]
  - id: cbp
    name: U.S. Customs and Border Protection
    reason: the pledge names it
    demands: [d1]
    sources: [{url: "https://example.org/cbp"}]
    aliases: [Customs and Border Protection, U.S. Border Patrol]
    weak_aliases: [CBP]
    domains: ["cbp.gov"]
  - id: orr
    name: Office of Refugee Resettlement
    reason: the pledge names it
    demands: [d1]
    sources: [{url: "https://example.org/orr"}]
    weak_aliases: [ORR]
    domains: ["acf.hhs.gov/orr"]
"""

OTHER = """
id: other-pledge
name: Other pledge
pledge: {name: Other, demands: [{id: x, text: No oil}]}
entities:
  - id: oilco
    name: OilCo plc
    reason: fossil fuels
    demands: [x]
    sources: [{url: "https://example.org/oilco"}]
    aliases: [OilCo, Oil Company of Nowhere]
    domains: ["oilco.example"]
"""


def small_watchlist() -> Watchlist:
    """The small test watchlist, parsed and validated."""
    return parse_watchlist(SMALL, "small.yaml")


def small_matcher(min_score: int | None = None) -> Matcher:
    """A Matcher over the small test watchlist."""
    wl = small_watchlist()
    return Matcher([wl]) if min_score is None else Matcher([wl], min_score=min_score)


def write_small(directory: Path, text: str = SMALL, name: str = "small.yaml") -> Path:
    """Write a watchlist file for CLI tests and return its path."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# Page class: a festival sponsor section with a watchlisted (Acme) and a local sponsor: a conflict under
# ACME_WATCHLIST. Shared by the batch and tour tests.
CONFLICT_PAGE = (
    "<html><body><section id='sponsors'><h2>Our sponsors</h2>"
    "<img src='/logos/acme.png' alt='Acme Corp'><img src='/logos/bakery.png' alt='Harbour Bakery'>"
    "</section></body></html>"
)
# Page class: a sponsor section naming only local businesses (clear).
CLEAR_PAGE = (
    "<html><body><section id='sponsors'><h2>Our sponsors</h2>"
    "<img src='/logos/bakery.png' alt='Harbour Bakery'></section></body></html>"
)
HTML = "text/html; charset=utf-8"
