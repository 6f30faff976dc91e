"""Live crawl progress on stderr, one line a blog: pages, posts, comments, errors, rate and,
where a sitemap or the REST API said how many posts there are, posts done of known and an
estimate of the time left.

Every blog's crawl has a `Progress` extension of its own; they share one `Board`, the rich
`Live` display of all their lines, so that blogs crawled side by side each keep a line.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.archive.model import PostItem
from crawler.middlewares import CAPPED_STAT


class Board:
    """The lines of every crawl in this process, shown together while any runs."""

    def __init__(self) -> None:
        self.lines: list[Progress] = []
        self.live: Any = None

    def join(self, line: Progress) -> None:
        from rich.console import Console
        from rich.live import Live

        self.lines.append(line)
        if self.live is None:
            self.live = Live(self.render(), console=Console(file=sys.stderr), refresh_per_second=4)
            self.live.start()

    def render(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        return Group(*(Text(line.line()) for line in self.lines))

    def update(self) -> None:
        if self.live is not None:
            self.live.update(self.render())

    def leave(self, line: Progress) -> None:
        line.ended = True
        self.update()
        if all(other.ended for other in self.lines) and self.live is not None:
            self.live.stop()
            self.live = None
            self.lines.clear()


BOARD = Board()


class Progress:
    def __init__(self, crawler: Crawler, board: Board = BOARD) -> None:
        self.crawler = crawler
        self.board = board
        self.pages = self.posts = self.comments = self.errors = 0
        self.started = time.monotonic()
        self.ended = False
        self.reason = ""  # why the crawl ended, once it has

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
        spider = self.crawler.spider
        elapsed = max(time.monotonic() - self.started, 0.001)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        errors = sum(v for k, v in stats.items() if k.startswith("blogarchive/errors/"))
        known = len(getattr(getattr(spider, "discovery", None), "complete", ()))
        skipped = getattr(spider, "skipped", 0)  # vouched unchanged: nothing to fetch
        posts = f"{self.posts} posts"
        left = ""
        if known:
            posts = f"{self.posts + skipped}/{known} posts"
            remaining = known - self.posts - skipped
            if remaining > 0 and self.posts:
                left = f", about {_duration(remaining * elapsed / self.posts)} left"
        capped = stats.get(CAPPED_STAT) is not None
        ended = (
            "capped"
            if capped
            else {"finished": "done", "shutdown": "stopped"}.get(self.reason, self.reason)
        )
        state = ended if self.ended else getattr(spider, "phase", "crawling")
        return (
            f"{getattr(spider, 'site', '')} [{state}]: {self.pages} requests, {posts},"
            f" {self.comments} comments, {errors + self.errors} errors,"
            f" {self.pages / elapsed:.1f} requests/s{left}"
        )

    def opened(self) -> None:
        self.board.join(self)

    def response(self, **kwargs: Any) -> None:
        self.pages += 1
        self.board.update()

    def item(self, item: Any, **kwargs: Any) -> None:
        if isinstance(item, PostItem):
            self.posts += 1
            self.comments += len(item.post.comments)
        self.board.update()

    def error(self, **kwargs: Any) -> None:
        self.errors += 1
        self.board.update()

    def closed(self, reason: str = "finished") -> None:
        self.reason = reason
        self.board.leave(self)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
