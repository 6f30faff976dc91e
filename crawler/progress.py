"""Live crawl progress on stderr: pages, posts, comments, errors and rate."""

from __future__ import annotations

import sys
import time
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.archive.model import PostItem


class Progress:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pages = self.posts = self.comments = self.errors = 0
        self.started = time.monotonic()
        self.live: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response, signal=signals.response_received)
        crawler.signals.connect(ext.item, signal=signals.item_scraped)
        crawler.signals.connect(ext.error, signal=signals.spider_error)
        return ext

    def line(self) -> str:
        rate = self.pages / max(time.monotonic() - self.started, 0.001)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        errors = sum(v for k, v in stats.items() if k.startswith("blogarchive/errors/"))
        return (
            f"crawling: {self.pages} pages, {self.posts} posts, {self.comments} comments,"
            f" {errors + self.errors} errors, {rate:.1f} pages/s"
        )

    def opened(self) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text

        self.text = Text
        self.live = Live(
            Text(self.line()),
            console=Console(file=sys.stderr),
            refresh_per_second=4,
            transient=True,
        )
        self.live.start()

    def update(self) -> None:
        if self.live is not None:
            self.live.update(self.text(self.line()))

    def response(self, **kwargs: Any) -> None:
        self.pages += 1
        self.update()

    def item(self, item: Any, **kwargs: Any) -> None:
        if isinstance(item, PostItem):
            self.posts += 1
            self.comments += len(item.post.comments)
        self.update()

    def error(self, **kwargs: Any) -> None:
        self.errors += 1
        self.update()

    def closed(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
