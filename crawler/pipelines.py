"""The archive pipeline: every post the spider yields goes into the store, one transaction each."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro

from crawler.archive import faults
from crawler.archive.errors import StoreError
from crawler.archive.model import Post, PostItem
from crawler.archive.store import Store
from crawler.archive_run import ArchiveRun

logger = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run: ArchiveRun | None = None
        self.broken = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.run = ArchiveRun.of(self.crawler)
            self.run.pipeline = self
        except StoreError as exc:
            logger.error("%s", exc)
            raise CloseSpider("archive busy") from exc

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem) or self.run is None:
            return item
        store, report = self.run.store, self.run.report
        now = datetime.now(UTC).replace(microsecond=0)
        post = item.post.with_(site=report.site, fetched_at=now)
        if self.broken:
            return item  # the archive cannot be written: the crawl is already stopping
        try:
            with store.transaction():  # the post, its pages and the crawl's note of it: one commit
                result, new_comments = self._save(store, post, item)
        except sqlite3.Error as exc:
            # A full disk or a damaged database: stop, keep what is committed, say why once.
            self.broken = True
            logger.error("Cannot write to the archive (%s); stopping the crawl.", exc)
            report.write_failed(str(exc))
            assert self.crawler.engine is not None
            deferred_from_coro(
                self.crawler.engine.close_spider_async(reason="archive write failed")
            )
            return item
        report.comments_new += new_comments
        self._fetch_media(post, changed=result == "updated")
        if result == "new":
            report.posts_new += 1
        elif result == "updated":
            report.posts_updated += 1
        return item

    def _save(self, store: Store, post: Post, item: PostItem) -> tuple[str, int]:
        assert self.run is not None
        result, new_comments = store.save_post(post)
        faults.reach("store-write")
        for raw in item.pages:
            store.save_page(raw.url, post.id, raw.page_no, raw.body, raw.content_type)
            validators = {"etag": raw.etag or "", "last-modified": raw.last_modified or ""}
            store.record_fetch(raw.url, raw.status, validators, raw.body)
            if raw.page_no == 0 and raw.url != post.url:
                # The next crawl asks for the post by its canonical URL.
                store.record_fetch(post.url, raw.status, validators, raw.body)
        store.save_signals(post.url, dict(item.signals))
        if item.requested:
            self.run.finished(item.requested)
        return result, new_comments

    def _fetch_media(self, post: Post, *, changed: bool) -> None:
        """Ask for the post's images the archive lacks (in a distributed crawl, the workers
        fetch them: the request goes to the shared frontier like a page)."""
        spider, engine = self.crawler.spider, self.crawler.engine
        if not post.media or engine is None or not hasattr(spider, "media_requests"):
            return
        for request in spider.media_requests(post.media, changed=changed):
            engine.crawl(request)

    def close_spider(self) -> None:
        self.run = None  # the run records how the crawl ended on spider_closed
