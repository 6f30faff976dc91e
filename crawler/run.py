"""Run crawls in this process (Scrapy's CrawlerProcess) and return their reports.

Imported only by the `crawl`, `worker` and `demo` commands: it pulls in Scrapy and Twisted.
"""

from __future__ import annotations

import logging
import signal
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import Settings

from crawler.archive.errors import ArchiveError
from crawler.archive.lock import crawl_lock
from crawler.archive.model import CrawlReport
from crawler.archive.store import Store
from crawler.parsers.urls import check_url
from crawler.sites import SiteSpec, resolve_site, site_key
from crawler.sites import crawl_settings as option_settings
from crawler.spiders.blog import BlogSpider

# Downloads over HTTP(S) wait for a slot of their host shared in Redis.
POLITENESS = {
    scheme: "crawler.distributed.politeness.PoliteDownloadHandler" for scheme in ("http", "https")
}


class _Process(CrawlerProcess):
    """Scrapy's process, saying at once when a signal stops it and remembering which."""

    signal: int | None = None

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self.signal = signum
        super()._signal_shutdown(signum, frame)

    @staticmethod
    def _log_shutdown(signum: int) -> None:
        # Called in the reactor's thread, where writing is safe (not in the handler).
        name = signal.Signals(signum).name
        sys.stderr.write(
            f"{name}: stopping once the pages in flight are in; what was archived stays, and"
            " the next crawl resumes. Press Ctrl-C again to stop at once.\n"
        )
        sys.stderr.flush()

    @staticmethod
    def _log_kill(signum: int) -> None:
        sys.stderr.write("Stopping at once; the next crawl resumes from the last saved page.\n")
        sys.stderr.flush()


def _project() -> Settings:
    """blogarchive's Scrapy settings (crawler/settings.py), at the project's priority."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def crawl_settings(archive: Path, *, progress: bool, log_level: str, **extra: object) -> Settings:
    settings = _project()
    settings.set("ARCHIVE_DIR", str(archive), priority="cmdline")
    settings.set("ARCHIVE_PROGRESS", progress, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for key, value in extra.items():
        settings.set(key, value, priority="cmdline")
    if contact := settings.get("CONTACT"):
        agent = settings.get("USER_AGENT").rstrip(")")
        settings.set("USER_AGENT", f"{agent}; contact: {contact})", priority="cmdline")
    return settings


def _quiet(log_level: str) -> None:
    # scrapy-redis 0.9 passes `spider=` to the stats collector, which Scrapy 2.19 deprecates.
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
    if log_level != "DEBUG":
        # Download failures are counted in the crawl report; Scrapy's own error lines
        # (tracebacks for an unreachable host) would bury the one-line summary.
        logging.getLogger("scrapy").setLevel(logging.CRITICAL)
        # A failed archive write ends the crawl; the command says so itself, once.
        logging.getLogger("crawler.pipelines").setLevel(logging.CRITICAL)


def crawl_blog(
    url: str,
    archive: Path,
    *,
    progress: bool = False,
    log_level: str = "WARNING",
    **settings: object,
) -> CrawlReport:
    """Crawl one blog into the archive. Ctrl-C stops it cleanly; what was archived stays."""
    return crawl_blogs(
        [SiteSpec(url)], archive, progress=progress, log_level=log_level, **settings
    )[0]


def crawl_blogs(
    sites: Sequence[SiteSpec],
    archive: Path,
    *,
    progress: bool = False,
    log_level: str = "WARNING",
    redis_url: str | None = None,
    only: bool = False,
    **settings: object,
) -> list[CrawlReport]:
    """Crawl blogs side by side into the archive, one report each; with `only`, just the
    page each URL names (a post with its comment pages), filed under its blog.

    With `redis_url`, page requests go to a frontier in Redis that `blogarchive worker`
    processes share; this process plans, writes the archive and fetches pages too.
    """
    specs = _blogs_of(sites, archive, only=only)
    coordination = None
    if redis_url is not None:
        from crawler.distributed.frontier import Coordination, connect

        coordination = Coordination(connect(redis_url), [s.url for s in specs])
    try:
        with crawl_lock(archive):
            process = _Process(crawl_settings(archive, progress=progress, log_level=log_level))
            _quiet(log_level)
            for given, spec in zip(sites, specs, strict=True):
                extra = {**settings, **option_settings(spec.options)}
                kwargs: dict[str, Any] = {"url": spec.url, "only": given.url if only else None}
                if coordination is not None:
                    extra |= _distributed(redis_url or "", spec.url, extra, coordination)
                    kwargs["coordination"] = coordination
                process.crawl(_spider_for(extra), **kwargs)
            process.start()
    finally:
        if coordination is not None:
            coordination.close()
    return _reports(archive, specs, process.signal)


def _blogs_of(sites: Sequence[SiteSpec], archive: Path, *, only: bool) -> list[SiteSpec]:
    """The blog each URL belongs to: a URL inside a blog crawls that blog (one blog is one
    site, see sites.resolve_site); an archive that cannot be opened fails here, in one line."""
    with Store(archive) as store:
        known = store.site_urls()
    specs = [SiteSpec(resolve_site(check_url(s.url), known), s.options) for s in sites]
    for given, spec in zip(sites, specs, strict=True):
        if site_key(check_url(given.url)) != site_key(spec.url):
            doing = "archiving that page alone, under it" if only else "crawling that"
            sys.stderr.write(f"{given.url} is part of the blog {spec.url}: {doing}.\n")
    if len({s.url for s in specs}) != len(specs):
        raise ArchiveError("A blog is named twice; each is crawled once per run.")
    return specs


def _reports(archive: Path, specs: list[SiteSpec], stopped_by: int | None) -> list[CrawlReport]:
    """Each blog's report as its run recorded it, with the signal that stopped it."""
    reports = []
    with Store(archive) as store:
        for spec in specs:
            report = store.last_report(spec.url)
            if report is None:
                raise ArchiveError(
                    f"The crawl of {spec.url} did not start; see the messages above."
                )
            if stopped_by is not None and report.outcome == "interrupted":
                report.stopped_by = signal.Signals(stopped_by).name
            reports.append(report)
    return reports


def _spider_for(extra: dict[str, object]) -> type[BlogSpider]:
    """The blog spider with one blog's own settings (Scrapy applies them per crawler)."""
    settings = crawl_settings(Path("."), progress=False, log_level="INFO", **extra)
    custom = {key: settings[key] for key in [*extra, "USER_AGENT"]}
    return type("BlogSpider", (BlogSpider,), {"custom_settings": custom})


def _distributed(
    redis_url: str, site: str, extra: dict[str, object], coordination: Any
) -> dict[str, object]:
    from crawler.distributed.frontier import redis_settings

    chosen = _project()
    chosen.setdict(extra, priority="cmdline")
    coordination.set_policy(
        site,
        delay=chosen.getfloat("DOWNLOAD_DELAY"),
        per_host=chosen.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
    )
    return {
        **redis_settings(redis_url, site),
        "DOWNLOAD_HANDLERS": dict(chosen.getdict("DOWNLOAD_HANDLERS")) | POLITENESS,
        "DOWNLOAD_DELAY": 0,  # the delay is kept across processes, in Redis
    }


def run_worker(
    redis_url: str,
    *,
    once: bool = False,
    warc_dir: Path | None = None,
    log_level: str = "WARNING",
    max_media_size: int | None = None,
) -> int:
    """Fetch and parse pages for whatever crawl the Redis database holds, until stopped
    (Ctrl-C) or, with `once`, until the crawl it served has ended. Returns the number of
    pages it answered for."""
    from crawler.distributed.frontier import connect
    from crawler.distributed.worker import WorkerSpider

    connect(redis_url)  # a wrong address fails here, in one line
    settings = _project()
    settings.setdict(
        {
            "REDIS_URL": redis_url,
            "LOG_LEVEL": log_level,
            "ITEM_PIPELINES": {},
            "EXTENSIONS": {"crawler.warc.writer.WarcRecorder": 600},
            "WARC_DIR": str(warc_dir) if warc_dir else None,
            "DOWNLOAD_DELAY": 0,
            "CLOSESPIDER_PAGECOUNT": 0,
            "DOWNLOAD_HANDLERS": dict(settings.getdict("DOWNLOAD_HANDLERS")) | POLITENESS,
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings)
    _quiet(log_level)
    crawler = process.create_crawler(WorkerSpider)
    process.crawl(crawler, redis_url=redis_url, once=once, max_media_size=max_media_size or 0)
    process.start()
    spider = crawler.spider
    if not isinstance(spider, WorkerSpider):
        return 0
    if spider.failure:
        raise ArchiveError(f"{spider.failure} The worker answered {spider.answered} pages.")
    return spider.answered
