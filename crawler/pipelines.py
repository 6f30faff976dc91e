"""The archive pipeline: every post the spider yields goes into the store, one transaction each."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro

from crawler.errors import StoreError
from crawler.lock import crawl_lock
from crawler.model import CrawlReport, PostItem
from crawler.paths import archive_dir
from crawler.store import Store

ERROR_PREFIX = "blogarchive/errors/"
logger = logging.getLogger(__name__)


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.archive = archive_dir(crawler.settings.get("ARCHIVE_DIR"))
        self.store: Store | None = None
        self.report = CrawlReport(site="")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        site = getattr(spider, "site", "")
        # `scrapy crawl` comes here without the command line's lock; take it (or share it).
        self.lock = crawl_lock(self.archive)
        try:
            self.lock.__enter__()
        except StoreError as exc:
            logger.error("%s", exc)
            raise CloseSpider("archive busy") from exc
        self.store = Store(self.archive)
        self.report = CrawlReport(site=site, run_id=self.store.start_run(site))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem) or self.store is None:
            return item
        now = datetime.now(UTC).replace(microsecond=0)
        post = item.post.with_(site=self.report.site, fetched_at=now)
        try:
            result, new_comments = self.store.save_post(post)
            for raw in item.pages:
                self.store.save_page(raw.url, post.id, raw.page_no, raw.body, raw.content_type)
                self.store.record_fetch(
                    raw.url,
                    raw.status,
                    {"etag": raw.etag or "", "last-modified": raw.last_modified or ""},
                    raw.body,
                )
        except sqlite3.Error as exc:
            # A full disk or a damaged database: stop, keep what is committed, say why.
            logger.error("Cannot write to the archive (%s); stopping the crawl.", exc)
            self.report.count_error("archive write failed")
            assert self.crawler.engine is not None
            deferred_from_coro(
                self.crawler.engine.close_spider_async(reason="archive write failed")
            )
            return item
        self.report.comments_new += new_comments
        if result == "new":
            self.report.posts_new += 1
        elif result == "updated":
            self.report.posts_updated += 1
        return item

    def close_spider(self) -> None:
        if self.store is None:
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        self.report.pages = int(stats.get("response_received_count", 0))
        for key, value in stats.items():
            if key.startswith(ERROR_PREFIX):
                self.report.errors[key.removeprefix(ERROR_PREFIX)] = int(value)
        self.report.finish_reason = str(stats.get("finish_reason", "finished"))
        try:
            self.store.finish_run(self.report)
        except sqlite3.Error as exc:
            logger.error("Cannot record the end of the crawl in the archive (%s).", exc)
        self.store.close()
        self.store = None
        self.lock.__exit__(None, None, None)
