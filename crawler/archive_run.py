"""One crawl's hold on the archive: the lock, the store, the run record and its frontier.

The spider (which plans requests) and the pipeline (which saves posts) share it through
`ArchiveRun.of(crawler)`, whichever Scrapy opens first.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import AbstractContextManager
from typing import Any

from crawler.errors import StoreError
from crawler.lock import crawl_lock
from crawler.model import CrawlReport
from crawler.paths import archive_dir
from crawler.store import Store

logger = logging.getLogger(__name__)


class ArchiveRun:
    def __init__(self, crawler: Any, site: str) -> None:
        self.archive = archive_dir(crawler.settings.get("ARCHIVE_DIR"))
        # `scrapy crawl` comes without the command line's lock; take it (or share it).
        self._lock: AbstractContextManager[None] = crawl_lock(self.archive)
        self._lock.__enter__()
        try:
            self.store = Store(self.archive)
            killed = self.store.interrupted_run(site)
            self.todo: list[str] = []
            self.done: set[str] = set()
            if killed is not None:
                # The lock is ours, so no live process owns that run: its process was killed.
                self.todo, self.done = self.store.frontier(killed)
                self.store.abandon_run(killed)
            self.resumed_from = killed
            self.report = CrawlReport(
                site=site, run_id=self.store.start_run(site, killed), resumed_from=killed
            )
            if killed is not None:
                self.store.frontier_add(self.report.run_id, self.todo)
                for url in self.done:
                    self.store.frontier_done(self.report.run_id, url)
                self.store.frontier_clear([killed])
        except sqlite3.Error as exc:
            self._lock.__exit__(None, None, None)
            raise StoreError(f"Cannot start a crawl in {self.archive}: {exc}") from exc
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        self.closed = False
        # The archive pipeline, for posts that distributed workers send in.
        self.pipeline: Any = None

    @classmethod
    def of(cls, crawler: Any) -> ArchiveRun:
        run: ArchiveRun | None = getattr(crawler, "_blogarchive_run", None)
        if run is None:
            site = getattr(crawler.spider, "site", "")
            run = cls(crawler, site)
            crawler._blogarchive_run = run
        return run

    @property
    def run_id(self) -> int:
        return self.report.run_id

    def planned(self, urls: list[str]) -> None:
        """Requests about to be scheduled: remembered until done, so a killed crawl resumes."""
        self.store.frontier_add(self.run_id, urls)

    def finished(self, url: str) -> None:
        self.store.frontier_done(self.run_id, url)

    def close(self, stats: dict[str, Any]) -> None:
        if self.closed:
            return
        self.closed = True
        report = self.report
        report.pages = int(stats.get("response_received_count", 0))
        report.requests = int(stats.get("downloader/request_count", 0))
        report.bytes = int(stats.get("downloader/response_bytes", 0))
        prefix = "blogarchive/errors/"
        for key, value in stats.items():
            if key.startswith(prefix):
                report.errors[key.removeprefix(prefix)] = int(value)
        if stats.get("depth/request_ignored_count"):
            report.errors["depth cap reached"] = int(stats["depth/request_ignored_count"])
        report.finish_reason = str(stats.get("finish_reason", "finished"))
        try:
            self.store.finish_run(report)
            if report.finish_reason != "shutdown":
                # A crawl stopped by Ctrl-C keeps its frontier: the next one resumes it.
                self.store.frontier_clear([report.run_id])
        except sqlite3.Error as exc:  # a full disk must not hide the report
            logger.error("Cannot record the end of the crawl in the archive (%s).", exc)
        self.store.close()
        self._lock.__exit__(None, None, None)
