"""Run a crawl in this process (Scrapy's CrawlerProcess) and return its report.

Imported only by the `crawl` and `demo` commands: it pulls in Scrapy and Twisted.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.errors import ArchiveError
from crawler.lock import crawl_lock
from crawler.model import CrawlReport
from crawler.parsers.urls import check_url
from crawler.spiders.blog import BlogSpider
from crawler.store import Store


def crawl_settings(archive: Path, *, progress: bool, log_level: str, **extra: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARCHIVE_DIR", str(archive), priority="cmdline")
    settings.set("ARCHIVE_PROGRESS", progress, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for key, value in extra.items():
        settings.set(key, value, priority="cmdline")
    if contact := settings.get("CONTACT"):
        agent = settings.get("USER_AGENT").rstrip(")")
        settings.set("USER_AGENT", f"{agent}; contact: {contact})", priority="cmdline")
    return settings


def crawl_blog(
    url: str,
    archive: Path,
    *,
    progress: bool = False,
    log_level: str = "WARNING",
    **settings: object,
) -> CrawlReport:
    """Crawl one blog into the archive. Ctrl-C stops it cleanly; what was archived stays."""
    site = check_url(url)
    with Store(archive):  # fail early, in one line, if the archive cannot be opened
        pass
    with crawl_lock(archive):
        process = CrawlerProcess(
            crawl_settings(archive, progress=progress, log_level=log_level, **settings)
        )
        if log_level != "DEBUG":
            # Download failures are counted in the crawl report; Scrapy's own error lines
            # (tracebacks for an unreachable host) would bury the one-line summary.
            logging.getLogger("scrapy").setLevel(logging.CRITICAL)
            # A failed archive write ends the crawl; the command says so itself, once.
            logging.getLogger("crawler.pipelines").setLevel(logging.CRITICAL)
        process.crawl(BlogSpider, url=site)
        process.start()
    with Store(archive) as store:
        report = store.last_report(site)
    if report is None:
        raise ArchiveError(f"The crawl of {site} did not start; see the messages above.")
    return report
