"""One crawl's hold on the archive: the lock, the store, the run record and its frontier.

The spider (which plans requests) and the pipeline (which saves posts) share it through
`ArchiveRun.of(crawler)`, whichever Scrapy opens first. It is also the `crawler.pages.PageSink`
of a local crawl: what a page says about the archive (unchanged, gone, done) is written here.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import AbstractContextManager
from typing import Any

from scrapy import signals

from crawler.archive.errors import StoreError
from crawler.archive.lock import crawl_lock
from crawler.archive.model import CrawlReport
from crawler.archive.paths import archive_dir
from crawler.archive.store import Store
from crawler.media import MediaAnswer, MediaPolicy
from crawler.middlewares import CAPPED_STAT
from crawler.parsers.urls import canonical

logger = logging.getLogger(__name__)


class ArchiveRun:
    def __init__(self, crawler: Any, site: str) -> None:
        self.crawler = crawler
        self.archive = archive_dir(crawler.settings.get("ARCHIVE_DIR"))
        # `scrapy crawl` comes without the command line's lock; take it (or share it).
        self._lock: AbstractContextManager[None] = crawl_lock(self.archive)
        self._lock.__enter__()
        try:
            self.store = Store(self.archive)
            killed = self.store.interrupted_run(site)
            self.todo: list[str] = []
            self.fetched: set[str] = set()  # what the killed crawl had fetched
            if killed is not None:
                # The lock is ours, so no live process owns that run: its process was killed.
                self.todo, self.fetched = self.store.frontier(killed)
                self.store.abandon_run(killed)
            self.resumed_from = killed
            self.report = CrawlReport(
                site=site, run_id=self.store.start_run(site, killed), resumed_from=killed
            )
            if killed is not None:
                self.store.frontier_add(self.report.run_id, self.todo)
                for url in self.fetched:
                    self.store.frontier_done(self.report.run_id, url)
                self.store.frontier_clear([killed])
        except sqlite3.Error as exc:
            self._lock.__exit__(None, None, None)
            raise StoreError(f"Cannot start a crawl in {self.archive}: {exc}") from exc
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        self.closed = False
        self.media_policy = MediaPolicy.from_settings(crawler.settings)
        # The archive pipeline, for posts that distributed workers send in.
        self.pipeline: Any = None

    @classmethod
    def of(cls, crawler: Any) -> ArchiveRun:
        run: ArchiveRun | None = getattr(crawler, "_blogarchive_run", None)
        if run is None:
            site = getattr(crawler.spider, "site", "")
            run = cls(crawler, site)
            crawler._blogarchive_run = run
            # The reason a crawl ended comes with this signal only (Scrapy's stats learn it
            # after the pipelines have closed).
            crawler.signals.connect(run.close, signal=signals.spider_closed)
        return run

    @property
    def run_id(self) -> int:
        return self.report.run_id

    def planned(self, urls: list[str]) -> None:
        """Requests about to be scheduled: remembered until done, so a killed crawl resumes."""
        self.store.frontier_add(self.run_id, urls)

    def finished(self, url: str) -> None:
        self.store.frontier_done(self.run_id, url)

    # --- what a page says about the archive (`crawler.pages.PageSink`) -----------------

    def unchanged(self, url: str) -> None:
        self.store.touch(url)

    def gone(self, url: str) -> None:
        if self.store.mark_gone(url):
            self.report.posts_gone += 1

    def done(self, url: str) -> None:
        if url:
            self.finished(url)

    def count(self, reason: str) -> None:
        self.crawler.stats.inc_value(f"blogarchive/errors/{reason}")

    def validators(self, url: str, status: int, etag: str | None, modified: str | None) -> None:
        """A listing's ETag or Last-Modified, so the next crawl can ask "changed since?"."""
        headers = {"etag": etag or "", "last-modified": modified or ""}
        self.store.record_fetch(canonical(url), status, headers)

    def media_answer(self, answer: MediaAnswer) -> None:
        """Keep what an image request brought (a file once, however many URLs give it)."""
        stats, shelf = self.crawler.stats, self.store.media
        try:
            with self.store.transaction():
                if answer.file is not None:
                    new = shelf.save(
                        answer.url, answer.file, answer.status, answer.etag, answer.last_modified
                    )
                    stats.inc_value("blogarchive/media/fetched")
                    if new:
                        stats.inc_value("blogarchive/media/new")
                        stats.inc_value("blogarchive/media/bytes", answer.file.size)
                elif answer.unchanged:
                    shelf.unchanged(answer.url)
                    stats.inc_value("blogarchive/media/unchanged")
                else:
                    shelf.failed(answer.url, answer.status, answer.error or "failed")
                    stats.inc_value("blogarchive/media/failed")
                    self.count(f"image: {answer.error}")
        except sqlite3.Error as exc:
            logger.error("Cannot keep the image %s in the archive (%s).", answer.url, exc)
            self.count(f"image not kept: {exc}")

    def close(self, reason: str = "finished") -> None:
        """Record how the crawl ended; keep its frontier unless it finished, so that the next
        crawl of the blog resumes until the archive is complete."""
        if self.closed:
            return
        self.closed = True
        report = self.report
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        report.pages = int(stats.get("response_received_count", 0)) - int(
            stats.get("blogarchive/media_responses", 0)
        )
        report.requests = int(stats.get("downloader/request_count", 0))
        report.bytes = int(stats.get("downloader/response_bytes", 0))
        prefix = "blogarchive/errors/"
        for key, value in stats.items():
            if key.startswith(prefix):
                report.errors[key.removeprefix(prefix)] = int(value)
            elif key.startswith("blogarchive/media/"):
                report.media[key.removeprefix("blogarchive/media/")] = int(value)
        if stats.get("depth/request_ignored_count"):
            report.errors["depth cap reached"] = int(stats["depth/request_ignored_count"])
        report.finish_reason = reason
        try:
            report.left = len(self.store.frontier(report.run_id)[0])
            report.outcome, report.reason = self._outcome(reason, stats)
            self.store.finish_run(report)
            if report.outcome == "finished":
                self.store.frontier_clear([report.run_id])
        except sqlite3.Error as exc:  # a full disk must not hide the report
            logger.error("Cannot record the end of the crawl in the archive (%s).", exc)
        self.store.close()
        self._lock.__exit__(None, None, None)

    def _outcome(self, reason: str, stats: dict[str, Any]) -> tuple[str, str]:
        """finished, interrupted, capped or failed, and why, in words."""
        report = self.report
        if report.write_failure is not None:
            return "failed", f"the archive could not be written ({report.write_failure})"
        if reason == "shutdown":
            return "interrupted", "stopped before the end"
        if (cap := stats.get(CAPPED_STAT)) is not None or reason == "closespider_pagecount":
            cap = cap or self.crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
            return "capped", f"capped at {cap} pages"
        if stats.get("depth/request_ignored_count"):
            depth = self.crawler.settings.getint("DEPTH_LIMIT")
            return "capped", f"capped at a link depth of {depth}"
        if reason != "finished":
            return "failed", reason
        if not self.store.site_post_count(report.site):
            errors = ", ".join(report.errors) or "no post or page in what it served"
            return "failed", f"no posts found at {report.site}: {errors}"
        return "finished", ""
