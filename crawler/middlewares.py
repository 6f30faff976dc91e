"""Downloader middleware: politeness (Retry-After), redirects that must not be followed, and
the page cap of `--max-pages`."""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

logger = logging.getLogger(__name__)

BUSY = (429, 503)


def retry_after(value: bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


class RetryAfterMiddleware:
    """On 429 and 503, slow the whole host down (Retry-After if given, else doubling) and retry.

    The host's download slot gets the delay, so every request to it waits, not just the
    retried one. A Retry-After beyond RETRY_AFTER_MAX gives the page up instead of stalling.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX", 600.0)
        self.max_times = crawler.settings.getint("RETRY_TIMES", 3)
        self._doubled: dict[int, float] = {}  # slot -> when its delay last doubled

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if response.status not in BUSY or request.meta.get("dont_retry"):
            return response
        wait = retry_after(response.headers.get("Retry-After"))
        slot = self._slot(request)
        if wait is None:
            # No advice from the server: back off exponentially; RetryMiddleware retries.
            # Answers to requests already under way belong to the same busy spell: the
            # delay doubles at most once per delay, not once per answer.
            now = time.monotonic()
            if slot is not None and now - self._doubled.get(id(slot), -1e9) >= slot.delay:
                slot.delay = min(max(slot.delay * 2, 1.0), 60.0)
                self._doubled[id(slot)] = now
            return response
        if wait > self.max_wait:
            logger.warning(
                "%s asks to wait %.0f s (Retry-After); giving the page up", request.url, wait
            )
            return response
        if slot is not None:
            slot.delay = max(slot.delay, wait)
        assert self.crawler.spider is not None
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=f"HTTP {response.status}, Retry-After {wait:.0f} s",
            max_retry_times=self.max_times,
        )
        return retry or response

    def _slot(self, request: Request) -> Any:
        engine = self.crawler.engine
        if engine is None:
            return None
        downloader = engine.downloader
        return downloader.slots.get(downloader.get_slot_key(request))


class Refused(IgnoreRequest):
    """A request given up on purpose; `reason` is what the crawl report counts."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


OFF_LIMITS = "redirect not followed (not http, or off the blog)"


class RedirectGuardMiddleware:
    """Stops a redirect to a URL that is not http(s) or that the chain has already visited
    (/a → /b → /a), with a reason the crawl report counts.

    Scrapy's own redirect handling hands a repeated URL to its duplicate filter, which drops
    it without a word, and a `javascript:` target fails as a ValueError. This sits just
    below RedirectMiddleware (600), so it sees each redirect first.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        target = response.urljoin(response.headers["Location"].decode("latin-1")).split("#")[0]
        if urlsplit(target).scheme not in ("http", "https"):
            raise Refused(OFF_LIMITS, f"{target[:80]} is not http(s)")
        visited = {url.split("#")[0] for url in request.meta.get("redirect_urls", [])}
        if target in visited or target == request.url.split("#")[0]:
            raise Refused("circular redirect", f"{request.url} -> {target}")
        return response


CAPPED_STAT = "blogarchive/capped_at"


class CapReached(IgnoreRequest):
    """A page not fetched because the crawl's page cap was reached; it stays in the frontier
    for the next crawl."""


class PageCapMiddleware:
    """`--max-pages N` as a cap: at most N pages are fetched, and the rest wait in the frontier.

    A page is what the spider asks for as one (`meta["page"]`: the home page, posts, static
    pages, listings); the further comment pages of a post come with it, whole, and the
    discovery sources (robots.txt, sitemaps, feeds, the REST API) are not pages. Scrapy's own
    CLOSESPIDER_PAGECOUNT counts responses after the fact, so requests already on their way
    still came in (25 pages fetched for a cap of 10); this refuses the N+1st before it goes.
    """

    def __init__(self, crawler: Crawler, cap: int) -> None:
        self.crawler = crawler
        self.cap = cap
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        cap = crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if cap <= 0:
            raise NotConfigured
        return cls(crawler, cap)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if not request.meta.get("page"):
            return
        if self.sent >= self.cap:
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(CAPPED_STAT, self.cap)
            raise CapReached(f"the page cap of {self.cap} was reached")
        self.sent += 1
