"""robots.txt: fetched once per host (itself a polite request) and parsed with protego.

RFC 9309's rules for a robots.txt that cannot be read: 4xx allows everything, 5xx refuses the host.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from protego import Protego

from sponsorcheck.fetch import deadline

# A robots.txt Crawl-delay is honoured up to this many seconds (a site asking for an hour is ignored).
MAX_CRAWL_DELAY = 10.0
ROBOTS_MAX_BYTES = 500_000  # RFC 9309 lets crawlers stop at 500 KiB
ROBOTS_TIMEOUT = (5.0, 10.0)
ROBOTS_DEADLINE = 15.0  # total seconds for one robots.txt, however slowly it arrives (never above --timeout)


@dataclass(frozen=True)
class RobotsRules:
    """What one host's robots.txt says for our user agent; `parser` None means everything is allowed."""

    parser: Protego | None = None
    crawl_delay: float = 0.0
    refusal: str | None = None  # set when the whole host must be treated as disallowed

    def allows(self, url: str, user_agent: str) -> bool:
        """True when this URL may be fetched."""
        if self.refusal:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)


def fetch_robots(
    session: requests.Session, origin: str, user_agent: str, seconds: float = ROBOTS_DEADLINE
) -> RobotsRules:
    """Fetch and parse origin/robots.txt within `seconds` (RFC 9309: 4xx → allow all, 5xx → disallow all).

    Never raises. Socket timeouts bound silences only, so a server dripping robots.txt a byte a
    second held a worker for ever (the whole batch, measured); fetch.deadline cuts it, and the page
    fetch that follows reports the slow server.
    """
    with deadline(seconds) as watchdog:
        try:
            response = session.get(origin + "/robots.txt", timeout=ROBOTS_TIMEOUT, stream=True, allow_redirects=True)
        except Exception:  # requests' family, and urllib3/idna surprises on odd host names
            # The page fetch will fail too and say why more usefully than a robots message would.
            return RobotsRules()
        with response:
            if response.status_code >= 500:
                status = response.status_code
                return RobotsRules(refusal=f"robots.txt answered HTTP {status}, so the site is off-limits")
            if response.status_code >= 400:
                return RobotsRules()
            try:
                data = response.raw.read(ROBOTS_MAX_BYTES, decode_content=True)
            except Exception:
                return RobotsRules()
        if watchdog.fired:  # cut short: what arrived is not the whole file
            return RobotsRules()
    text = data.decode("utf-8", errors="replace")
    try:
        parser = Protego.parse(text)
        delay = parser.crawl_delay(user_agent) or 0.0
    except Exception:  # a robots.txt protego cannot read is treated as absent
        return RobotsRules()
    return RobotsRules(parser, min(float(delay), MAX_CRAWL_DELAY))
