"""Run a crawl in this process (Scrapy's CrawlerProcess) and return its report.

Imported only by the `crawl` and `demo` commands: it pulls in Scrapy and Twisted.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.errors import ArchiveError
from crawler.model import CrawlReport
from crawler.spiders.blog import BlogSpider, check_url
from crawler.store import Store


def crawl_settings(archive: Path, *, progress: bool, log_level: str, **extra: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARCHIVE_DIR", str(archive), priority="cmdline")
    settings.set("ARCHIVE_PROGRESS", progress, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for key, value in extra.items():
        settings.set(key, value, priority="cmdline")
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
    process = CrawlerProcess(
        crawl_settings(archive, progress=progress, log_level=log_level, **settings)
    )
    process.crawl(BlogSpider, url=site)
    process.start()
    with Store(archive) as store:
        report = store.last_report(site)
    if report is None:
        raise ArchiveError(f"The crawl of {site} did not start; see the messages above.")
    return report
