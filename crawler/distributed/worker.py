"""The `blog-worker` spider: fetches and parses pages from the shared Redis frontier.

Run it with `blogarchive worker --redis redis://HOST:PORT/N` on any number of machines. It
takes leased requests from every blog the coordinator is crawling, parses each page with the
same code as a local crawl (`crawler.pages`), and sends what it found back to the
coordinator, which alone plans requests and writes the archive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from redis import RedisError
from scrapy import Spider
from scrapy.http import Response
from scrapy.utils.request import request_from_dict
from twisted.python.failure import Failure

from crawler.archive import faults
from crawler.archive.model import PostItem
from crawler.distributed.frontier import WorkerLink, connect, prefetch
from crawler.distributed.inbox import Outbox
from crawler.failures import failure_reason
from crawler.media import Fetched, failed_answer
from crawler.pages import handle_page

IDLE_POLL = 0.1  # seconds between looks at an empty frontier
REDIS_PATIENCE = 10.0  # seconds a worker waits for an unreachable Redis before it stops


class WorkerSpider(Spider):
    name = "blog-worker"

    def __init__(
        self,
        redis_url: str = "",
        once: bool | str = False,
        max_media_size: int | str = 0,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_media_size = int(max_media_size or 0)
        self.link = WorkerLink(connect(redis_url))
        self.once = once in (True, "1", "true", "yes")
        self.held: set[str] = set()  # leases taken and not yet answered
        self.answered = 0
        self.prefetch = 8
        self.failure: str | None = None  # why the worker stopped, when it had to

    async def start(self) -> AsyncIterator[Any]:
        """Stream leased requests from Redis as long as there is work (or, without
        --once, for ever): Scrapy pulls from here only when it has room."""
        self.prefetch = prefetch(self.crawler.settings)
        served: str | None = None
        lost_since: float | None = None
        try:
            while True:
                try:
                    running = self.link.crawl_running()
                    taken = self.link.take() if running and len(self.held) < self.prefetch else None
                except RedisError as exc:
                    # A restarting Redis is waited for a little; a gone one ends the worker.
                    lost_since = lost_since or time.monotonic()
                    if time.monotonic() - lost_since > REDIS_PATIENCE:
                        self.failure = f"Lost the connection to Redis ({exc})."
                        return
                    await asyncio.sleep(1)
                    continue
                lost_since = None
                if running is None or running != served:
                    if served is not None and self.once and not self.held:
                        return  # the crawl this worker served has ended
                    if running is not None and not self.held:
                        served = running
                if len(self.held) >= self.prefetch:
                    await asyncio.sleep(0.02)
                    continue
                if taken is None:
                    await asyncio.sleep(IDLE_POLL)
                    continue
                queue, lease, data = taken
                request = request_from_dict(data, spider=self)
                request.meta["lease"] = (queue, lease)
                if "media" in request.meta and self.max_media_size:
                    # This machine's own cap (`worker --max-media-size`) where it is lower.
                    cap = request.meta.get("download_maxsize") or self.max_media_size
                    request.meta["download_maxsize"] = min(cap, self.max_media_size)
                request.dont_filter = True  # the shared filter has seen it already
                self.held.add(lease)
                yield request
        finally:
            if not self.held:
                self.link.close()

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        outbox = Outbox()
        requested = response.meta.get("requested", "")
        try:
            async for out in handle_page(self.crawler, response, outbox, outbox):
                if isinstance(out, PostItem):
                    outbox.post(out)
            if not outbox.pages:
                outbox.pages, outbox.bytes = 1, len(response.body)
        except Exception as exc:  # a bug must not lose the lease's answer
            outbox.count(f"parser error: {type(exc).__name__}")
            outbox.done(requested)
        finally:
            if requested and response.status != 200:
                outbox.done(requested)
            self._answer(response.meta, outbox)
        return
        yield  # an async generator, like every callback of ours

    # --- images: fetched here, judged and kept by the coordinator --------------------------

    async def parse_media(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        outbox = Outbox()
        outbox.media(Fetched.of(response))
        self._answer(response.meta, outbox)
        return
        yield  # an async generator, like every callback of ours

    def media_failed(self, failure: Failure) -> None:
        outbox = Outbox()
        request = getattr(failure, "request", None)
        meta = request.meta if request is not None else {}
        answer = failed_answer(meta.get("media", ""), failure)
        outbox.media_failed(answer.url, answer.status, answer.error or "failed")
        self._answer(meta, outbox)

    def failed(self, failure: Failure) -> None:
        outbox = Outbox()
        request = getattr(failure, "request", None)
        meta = request.meta if request is not None else {}
        outbox.count(failure_reason(failure))
        outbox.done(meta.get("requested", ""))
        self._answer(meta, outbox)

    def _answer(self, meta: dict[str, Any], outbox: Outbox) -> None:
        queue, lease = meta.get("lease", ("", ""))
        if not lease:
            return
        message = outbox.message()
        faults.reach("worker-answer")  # a worker killed holding a fetched page
        try:
            self.link.answer(queue, lease, message)
        except RedisError as exc:
            # The lease stays in Redis: once this worker's heartbeat lapses, the page is
            # given to another process. Nothing is lost; this worker cannot go on.
            self.failure = f"Lost the connection to Redis ({exc})."
            return
        self.held.discard(lease)
        self.answered += 1

    def closed(self, reason: str) -> None:
        self.link.close()
