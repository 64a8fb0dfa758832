"""The Scrapy baseline: a spider with batch's politeness and discovery, run as a child in the same run.

Politeness as batch's defaults: robots.txt obeyed, 16 requests at once, 2 per host, 0.5 s between
requests to one host (not randomised), 30 s per page, no cookies, no cache. Scrapy's "broad crawl"
settings are used (its DownloaderAwarePriorityQueue), as its documentation recommends for many
hosts at once. Discovery as batch's: from each row page, same-site links whose address or text holds
a sponsor word (sponsorcheck's own DISCOVERY_FRAGMENTS) are followed breadth first, up to 3 pages
per row (the default --follow). The spider parses every page (parsel/lxml, to find the links) but
matches nothing: it is the cost of a polite crawl of the same pages, which batch must beat while
also checking them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FOLLOW_BUDGET = 3
SCRAPY_SETTINGS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0.5,
    "RANDOMIZE_DOWNLOAD_DELAY": False,
    "DOWNLOAD_TIMEOUT": 30,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "ERROR",
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
    "USER_AGENT": "sponsorcheck-bench-scrapy",
}


def crawl(url_list: Path, workers: int, per_host: int, delay: float, fragments: tuple[str, ...]) -> int:
    """Child entry point: crawl the row URLs of the list with discovery; print a JSON summary."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = [line.strip() for line in url_list.read_text(encoding="utf-8").splitlines() if line.strip()]
    counts = {"pages": 0, "rows": 0, "followed": 0, "errors": 0}

    def sponsor_link(href: str, text: str) -> bool:
        lowered = (href + " " + text).lower()
        return any(f in lowered for f in fragments)

    class TourSpider(scrapy.Spider):
        name = "tour"

        async def start(self) -> Any:
            for n, url in enumerate(urls):
                yield scrapy.Request(url, callback=self.parse_row, errback=self.failed, cb_kwargs={"row": n})

        def start_requests(self) -> Any:  # Scrapy before 2.13
            for n, url in enumerate(urls):
                yield scrapy.Request(url, callback=self.parse_row, errback=self.failed, cb_kwargs={"row": n})

        def parse_row(self, response: Any, row: int) -> Any:
            counts["pages"] += 1
            counts["rows"] += 1
            state = {"budget": FOLLOW_BUDGET, "seen": {response.url}, "queue": []}
            yield from self.follow(response, state)

        def parse_linked(self, response: Any, state: dict[str, Any]) -> Any:
            counts["pages"] += 1
            yield from self.follow(response, state)

        def follow(self, response: Any, state: dict[str, Any]) -> Any:
            if not isinstance(response, scrapy.http.TextResponse):
                return
            host = urlsplit(response.url).netloc
            for a in response.css("a[href]"):
                href = response.urljoin(a.attrib["href"]).split("#")[0]
                text = " ".join(a.css("::text").getall())[:80]
                if urlsplit(href).netloc == host and href not in state["seen"] and sponsor_link(href, text):
                    state["seen"].add(href)
                    state["queue"].append(href)
            while state["queue"] and state["budget"] > 0:
                state["budget"] -= 1
                counts["followed"] += 1
                yield scrapy.Request(
                    state["queue"].pop(0),
                    callback=self.parse_linked,
                    errback=self.failed,
                    cb_kwargs={"state": state},
                    dont_filter=True,
                )

        def failed(self, failure: Any) -> None:
            counts["errors"] += 1

    settings = dict(SCRAPY_SETTINGS)
    settings.update(
        {"CONCURRENT_REQUESTS": workers, "CONCURRENT_REQUESTS_PER_DOMAIN": per_host, "DOWNLOAD_DELAY": delay}
    )
    process = CrawlerProcess(settings=settings)
    process.crawl(TourSpider)
    process.start()
    print(json.dumps(counts))
    return 0
