"""Downloader middleware for politeness: Scrapy retries 429 and 503 but ignores Retry-After."""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
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
            if slot is not None:
                slot.delay = min(max(slot.delay * 2, 1.0), 60.0)
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
