"""Scrapy settings for blogarchive crawls (`scrapy crawl blog -a url=URL` reads these too)."""

BOT_NAME = "blogarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Nothing listens that need not: the telnet console and Scrapy's remote-control server
# (which runs Python code sent to it) stay off.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

USER_AGENT = "blogarchive/0.1 (+https://pypi.org/project/blogarchive/; archiving crawler)"
# `blogarchive crawl --contact you@example.org` adds a way for site owners to reach you.
CONTACT = None
ROBOTSTXT_OBEY = True

# Politeness: a few requests at a time per host, slowed further when the server is slow.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_TIMES = 3
# 429 and 503 slow the host down as long as Retry-After asks, up to this many seconds;
# a redirect that is not http(s) or comes back to where it started fails at once.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.RetryAfterMiddleware": 560,
    "crawler.middlewares.RedirectGuardMiddleware": 610,
    "crawler.middlewares.PageCapMiddleware": 620,
}
RETRY_AFTER_MAX = 600
DOWNLOAD_TIMEOUT = 60
# A meta refresh that fires at once is a redirect (a moved post); one that waits shows the
# page first (a periodic reload, "you will be taken to…"), so the page itself is archived.
METAREFRESH_MAXDELAY = 1

# Blog pages are small; anything this large is a trap or a file.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024

# A post's images (crawler.media): `--media none|images|comments`, the hosts they may come
# from beyond the blog's own and the platforms' CDNs, and the largest file kept.
MEDIA = "images"
MEDIA_HOSTS: list[str] = []
MEDIA_MAXSIZE = 20 * 1024 * 1024

# Caps against endless sites; the crawl report says when one was reached.
# Deep enough for the pagination of a blog with thousands of posts when no sitemap lists
# them; endless listings are cut by the spider itself.
DEPTH_LIMIT = 500
# `--max-pages`: enforced before a page is fetched (crawler.middlewares.PageCapMiddleware);
# Scrapy's own CloseSpider, which counts responses after the fact, is off.
CLOSESPIDER_PAGECOUNT = 50_000

ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
EXTENSIONS = {
    "scrapy.extensions.closespider.CloseSpider": None,
    "crawler.progress.Progress": 500,
    "crawler.warc.writer.WarcRecorder": 600,
}

# `crawl --warc DIR`: every request and response also goes to WARC files there, rotated at
# WARC_MAX_SIZE bytes.
WARC_DIR = None
WARC_MAX_SIZE = 1_000_000_000

# None: the archive named by $BLOGARCHIVE_ARCHIVE, else the user data folder.
ARCHIVE_DIR = None
# Live progress on stderr; the CLI sets it when stderr is a terminal.
ARCHIVE_PROGRESS = False

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
