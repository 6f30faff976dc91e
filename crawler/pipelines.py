"""The archive pipeline: every post the spider yields goes into the store, one transaction each."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self

from scrapy.crawler import Crawler

from crawler.model import CrawlReport, PostItem
from crawler.paths import archive_dir
from crawler.store import Store

ERROR_PREFIX = "blogarchive/errors/"


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
        self.store = Store(self.archive)
        self.report = CrawlReport(site=site, run_id=self.store.start_run(site))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem) or self.store is None:
            return item
        now = datetime.now(UTC).replace(microsecond=0)
        post = item.post.with_(site=self.report.site, fetched_at=now)
        result, new_comments = self.store.save_post(post)
        for raw in item.pages:
            self.store.save_page(raw.url, post.id, raw.page_no, raw.body, raw.content_type)
            self.store.record_fetch(
                raw.url,
                raw.status,
                {"etag": raw.etag or "", "last-modified": raw.last_modified or ""},
                raw.body,
            )
        self.report.comments_new += new_comments
        if result == "new":
            self.report.posts_new += 1
        elif result == "updated":
            self.report.posts_updated += 1
        else:
            self.report.posts_unchanged += 1
        if result != "unchanged":
            self.report.changed_ids.append(post.id)
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
        self.store.finish_run(self.report)
        self.store.close()
        self.store = None
