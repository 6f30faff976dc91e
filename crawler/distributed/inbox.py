"""What a worker tells the coordinator about a page, and how the coordinator applies it.

Both sides of the protocol live here. A worker records what one page led to in an `Outbox`
(the same `PageSink` and `Frontier` a local crawl writes to directly) and sends it as one
message: `{"events": [[kind, *args], ...], "stats": {"pages", "bytes", "requests"}}`. The
coordinator's `Inbox` reads the messages from Redis and replays each event as if it had
fetched the page itself: posts into the archive pipeline, links into its own frontier.

The events:
    ["post", item]                         a post and its pages (`codec.item_to_dict`)
    ["follow", links, barren, is_post]     links seen on a page
    ["revisit", url]                       a comment page's post, to fetch through the post
    ["unchanged", url] ["gone", url] ["done", url]
    ["count", reason]                      an error, by reason, for the report
    ["validators", url, status, etag, last_modified]
    ["media", url, final_url, status, body, etag, last_modified]   an image as it came
    ["media-failed", url, status, error]   an image request that ended in an error
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from crawler.archive.model import PostItem
from crawler.distributed import codec
from crawler.media import Fetched, MediaAnswer, judge

if TYPE_CHECKING:
    from crawler.distributed.frontier import Coordination
    from crawler.spiders.blog import BlogSpider

PUMP_INTERVAL = 0.1  # seconds between reads of the workers' findings


class Outbox:
    """What one page led to, collected on a worker for the coordinator."""

    def __init__(self) -> None:
        self.events: list[list[Any]] = []
        self.pages = 0
        self.bytes = 0

    # a `crawler.pages.PageSink`
    def unchanged(self, url: str) -> None:
        self.events.append(["unchanged", url])

    def gone(self, url: str) -> None:
        self.events.append(["gone", url])

    def done(self, url: str) -> None:
        if url:
            self.events.append(["done", url])

    def count(self, reason: str) -> None:
        self.events.append(["count", reason])

    def validators(self, url: str, status: int, etag: str | None, modified: str | None) -> None:
        self.events.append(["validators", url, status, etag, modified])

    # a `crawler.pages.Frontier`: the coordinator alone plans requests
    def revisit(self, url: str) -> list[Request]:
        self.events.append(["revisit", url])
        return []

    def follow(self, links: Iterable[str], barren: int, *, is_post: bool) -> list[Request]:
        self.events.append(["follow", list(links), barren, is_post])
        return []

    def media(self, fetched: Fetched) -> None:
        self.events.append(["media", *astuple(fetched)])
        self.bytes += len(fetched.body)

    def media_failed(self, url: str, status: int, error: str) -> None:
        self.events.append(["media-failed", url, status, error])

    def post(self, item: PostItem) -> None:
        self.events.append(["post", codec.item_to_dict(item)])
        self.pages += len(item.pages)
        self.bytes += sum(len(raw.body) for raw in item.pages)

    def message(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "stats": {"pages": self.pages, "bytes": self.bytes, "requests": 1},
        }


class Inbox:
    """The coordinator's side: the workers' answers applied to the spider's crawl."""

    def __init__(self, spider: BlogSpider, coordination: Coordination) -> None:
        self.spider = spider
        self.coordination = coordination
        self.closing = False
        self._loop = LoopingCall(self.pump)

    def start(self) -> None:
        self._loop.start(PUMP_INTERVAL, now=False)

    def stop(self) -> None:
        if self._loop.running:
            self._loop.stop()

    def pump(self) -> None:
        """Apply the workers' findings; end the crawl when everyone has fallen quiet."""
        spider = self.spider
        engine = spider.crawler.engine
        try:
            if self.drain():
                return
            if engine is not None and engine.spider_is_idle() and not self.closing:
                # Scrapy looks at an idle spider only every 5 s; a distributed crawl's phases
                # end when the workers fall quiet, so look now.
                try:
                    spider.idle()
                except DontCloseSpider:
                    return
                self.close("finished")
        except Exception:  # the pump must keep running; the error is worth a line
            spider.logger.exception("could not apply a worker's findings")

    def drain(self) -> int:
        """Apply what the workers have sent so far; returns how many answers there were."""
        messages = self.coordination.inbox(self.spider.site)
        if messages:
            with self.spider.run.store.transaction():
                for message in messages:
                    self.apply(message)
        return len(messages)

    def apply(self, message: dict[str, Any]) -> None:
        spider = self.spider
        crawler, run = spider.crawler, spider.run
        stats, engine = crawler.stats, crawler.engine
        assert stats is not None
        assert engine is not None
        counts = message.get("stats", {})
        stats.inc_value("response_received_count", counts.get("pages", 0))
        stats.inc_value("downloader/request_count", counts.get("requests", 0))
        stats.inc_value("downloader/response_bytes", counts.get("bytes", 0))
        requests: list[Request] = []
        for event in message.get("events", []):
            match event:
                case ["post", item]:
                    run.pipeline.process_item(codec.item_from_dict(item))
                case ["follow", links, barren, is_post]:
                    requests += spider.follow(links, barren, is_post=is_post)
                case ["revisit", url]:
                    requests += spider.revisit(url)
                case ["unchanged", url]:
                    run.unchanged(url)
                case ["gone", url]:
                    run.gone(url)
                case ["done", url]:
                    run.done(url)
                case ["count", reason]:
                    run.count(reason)
                case ["validators", url, status, etag, modified]:
                    run.validators(url, status, etag, modified)
                case ["media", *fields]:
                    run.media_answer(judge(Fetched(*fields), run.media_policy, spider.site))
                case ["media-failed", url, status, error]:
                    run.media_answer(MediaAnswer(url, status, error=error))
        for request in requests:
            engine.crawl(request)
        cap = crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if cap and (stats.get_value("response_received_count") or 0) >= cap and not self.closing:
            # Scrapy counts only this process's pages against --max-pages; add the workers'.
            self.close("closespider_pagecount")

    def close(self, reason: str) -> None:
        self.closing = True
        engine = self.spider.crawler.engine
        assert engine is not None
        deferred_from_coro(engine.close_spider_async(reason=reason))
