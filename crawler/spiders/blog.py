"""The `blog` spider: discovers a blog's posts, hands each page to the parsers, yields posts.

Run it with `blogarchive crawl URL`, or `scrapy crawl blog -a url=URL` from the project root.

A crawl goes in phases, each starting when the previous one has gone quiet:
1. discovery: the home page, robots.txt, sitemaps, the feed and (on WordPress) the REST API;
2. posts: every post a source names that is new or changed since the last crawl. When the
   complete sources (sitemap, REST API) agree with the feed, listing pages are never
   fetched; otherwise the crawl follows links from every page, as a last resort;
3. known posts that no source named any more are asked for again: 404 or 410 marks them gone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from crawler import discovery, redis_codec
from crawler.archive_run import ArchiveRun
from crawler.discovery import LISTING_SITEMAP, Lead
from crawler.middlewares import OFF_LIMITS, Refused
from crawler.model import post_id
from crawler.pages import handle_page
from crawler.parsers.urls import canonical, check_url, comment_page, is_trap, same_site
from crawler.plan import decide, signals_of
from crawler.store import KnownPost

if TYPE_CHECKING:  # scrapy-redis is imported only by distributed crawls
    from crawler.shared_frontier import Coordination

MAX_SITEMAPS = 1000
MAX_FEED_PAGES = 1000
# Where sitemaps live when robots.txt names none: WordPress core, Yoast and most others.
SITEMAP_GUESSES = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")
REST_FIELDS = "per_page=100&_fields=id,link,modified_gmt"
# Listing pages that offer at most this many new links (next, previous) are barren; a chain
# of more than MAX_BARREN of them is endless pagination or a calendar, not the blog.
BARREN_LINKS = 2
MAX_BARREN = 5
PAGE_STATUSES = [304, 404, 410]
PUMP_INTERVAL = 0.1  # seconds between reads of the workers' findings


class BlogSpider(Spider):
    name = "blog"

    def __init__(
        self,
        url: str | None = None,
        *args: Any,
        coordination: Coordination | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.site = check_url(url)
        # Set when the crawl is distributed: workers fetch pages too and report here.
        self.coordination = coordination
        self._pump: LoopingCall | None = None
        self._closing = False
        host = urlsplit(self.site).hostname or ""
        # Scrapy's offsite filter also stops redirects that leave the blog.
        self.allowed_domains = [host.removeprefix("www.")]
        self.phase = "discover"
        self.follow_links = False  # follow links from every page (no complete source to trust)
        self.leads: dict[str, list[Lead]] = defaultdict(list)
        self.complete: set[str] = set()  # URLs named by a complete source
        self.feed_urls: set[str] = set()
        self.feed: tuple[str, str] | None = None  # (first page URL, how it pages)
        self.feed_paged = False
        self.rest_root: str | None = None
        self.wp_ids: dict[int, str] = {}
        self.commented: set[int] = set()  # WordPress post ids with new comments
        self.deferred: list[str] = []
        self.seen: set[str] = set()
        self.sitemaps_seen: set[str] = set()
        self.known: dict[str, KnownPost] = {}
        self.stored_validators: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.stop_pump, signal=signals.spider_closed)
        return spider

    @property
    def run(self) -> ArchiveRun:
        return ArchiveRun.of(self.crawler)

    # --- phase 1: discovery ------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        run = self.run
        self.known = {post_id(k.url): k for k in run.store.known_posts(self.site).values()}
        self.stored_validators = run.store.validators()
        self.seen |= run.done
        self.seen.add(self.site)
        if run.resumed_from is not None:
            self.logger.info("resuming the interrupted crawl %s", run.resumed_from)
        if self.coordination is not None:
            self._pump = LoopingCall(self.pump)
            self._pump.start(PUMP_INTERVAL, now=False)
        for url in run.todo:  # what the killed crawl had found but not yet fetched
            if request := self.page_request(url):
                yield request
        yield Request(
            self.site,
            callback=self.parse_home,
            errback=self.failed,
            priority=20,
            headers=self.conditional(self.site),
            meta={"handle_httpstatus_list": [304]},
        )
        root = "/".join(self.site.split("/", 3)[:3])
        yield Request(
            root + "/robots.txt",
            callback=self.parse_robots,
            errback=self.ignore,
            dont_filter=True,
            priority=10,
            meta={"handle_httpstatus_all": True},
        )

    def parse_robots(self, response: Response) -> Iterator[Request]:
        body = response.body if response.status == 200 else b""
        sitemaps = list(sitemap_urls_from_robots(body, base_url=response.url))
        if not sitemaps:
            sitemaps = [response.urljoin(path) for path in SITEMAP_GUESSES]
        for url in sitemaps:
            yield from self.sitemap_request(url)

    def sitemap_request(self, url: str) -> Iterator[Request]:
        if (
            not same_site(url, self.site)
            or url in self.sitemaps_seen
            or len(self.sitemaps_seen) >= MAX_SITEMAPS
            or LISTING_SITEMAP.search(url)
        ):
            return
        self.sitemaps_seen.add(url)
        yield Request(url, callback=self.parse_sitemap, errback=self.ignore, priority=10)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            from scrapy.utils.gz import gunzip

            try:
                body = gunzip(body, max_size=50 * 1024 * 1024)
            except OSError:
                body = b""
        sitemap = discovery.read_sitemap(body)
        if sitemap is None:
            if response.status == 200 and response.url.endswith((".xml", ".xml.gz")):
                self.count("broken sitemap")
            return
        if sitemap.is_index:
            for loc, _ in sitemap.entries:
                yield from self.sitemap_request(loc)
            return
        for lead in discovery.sitemap_leads(sitemap):
            if same_site(lead.url, self.site) and not is_trap(lead.url):
                self.add_lead(lead, complete=True)

    async def parse_home(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        if isinstance(response, HtmlResponse):
            root = discovery.rest_root(response.body, response.headers.get("Link"))
            if root and same_site(response.urljoin(root), self.site):
                self.rest_root = response.urljoin(root)
                for kind in ("posts", "pages"):
                    yield self.rest_request(kind, 1)
                since = self.run.store.last_finished_start(self.site)
                if since and self.known:
                    yield self.rest_comments_request(since, 1)
            for href in discovery.feed_links(response.body)[:1]:
                url = response.urljoin(href)
                if same_site(url, self.site):
                    yield Request(url, callback=self.parse_feed, errback=self.ignore, priority=10)
        async for out in self.parse(response):
            yield out

    def rest_url(self, route: str, query: str) -> str:
        assert self.rest_root is not None
        joiner = "&" if "?" in self.rest_root else "?"
        return f"{self.rest_root}{route}{joiner}{query}"

    def rest_request(self, kind: str, page: int) -> Request:
        return Request(
            self.rest_url(f"wp/v2/{kind}", f"{REST_FIELDS}&page={page}"),
            callback=self.parse_rest,
            errback=self.ignore,
            priority=10,
            cb_kwargs={"kind": kind, "page": page},
        )

    def rest_comments_request(self, since: str, page: int) -> Request:
        # A margin for the site's time zone and for comments approved late.
        after = (datetime.fromisoformat(since) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
        return Request(
            self.rest_url("wp/v2/comments", f"per_page=100&_fields=post&after={after}&page={page}"),
            callback=self.parse_rest_comments,
            errback=self.ignore,
            priority=10,
            cb_kwargs={"since": since, "page": page},
        )

    def parse_rest(self, response: Response, kind: str, page: int) -> Iterator[Request]:
        leads = discovery.read_rest_posts(response.body)
        for lead in leads:
            if same_site(lead.url, self.site):
                self.add_lead(lead, complete=True)
                if lead.wp_id is not None:
                    self.wp_ids[lead.wp_id] = lead.url
        if page == 1:
            for more in range(2, _total_pages(response) + 1):
                yield self.rest_request(kind, more)

    def parse_rest_comments(self, response: Response, since: str, page: int) -> Iterator[Request]:
        self.commented |= discovery.read_rest_comment_posts(response.body)
        if page == 1:
            for more in range(2, _total_pages(response) + 1):
                yield self.rest_comments_request(since, more)

    def parse_feed(self, response: Response, page: int = 1) -> Iterator[Request]:
        fresh = 0
        leads = discovery.read_feed(response.body, response.url)
        if leads is None:
            if response.status == 200:
                self.count("broken feed")
            return
        for lead in leads:
            if same_site(lead.url, self.site):
                fresh += lead.url not in self.leads
                self.add_lead(lead, complete=False)
                self.feed_urls.add(lead.url)
        if page == 1:
            if pager := discovery.feed_pager(response.url, response.body):
                self.feed = (response.url, pager)
        elif fresh and self.feed and page < MAX_FEED_PAGES:
            yield self.feed_request(page + 1)

    def feed_request(self, page: int) -> Request:
        assert self.feed is not None
        return Request(
            discovery.feed_page(*self.feed, page),
            callback=self.parse_feed,
            errback=self.ignore,
            priority=10,
            cb_kwargs={"page": page},
        )

    def add_lead(self, lead: Lead, *, complete: bool) -> None:
        self.leads[lead.url].append(lead)
        if complete:
            self.complete.add(lead.url)

    # --- phases 2 and 3: planned by the spider going idle ------------------------------------

    def idle(self) -> None:
        if self.coordination is not None:
            self.drain()
            if not self.coordination.quiet(self.site):
                raise DontCloseSpider  # workers are still at it
        requests: list[Request] = []
        if self.phase == "discover" and not self.complete and self.feed and not self.feed_paged:
            # No sitemap, no REST API: page back through the feed before following links.
            self.feed_paged = True
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(self.feed_request(2))
            raise DontCloseSpider
        with self.run.store.transaction():  # many "seen, unchanged" notes: one commit
            if self.phase == "discover":
                self.phase = "posts"
                requests = self.plan()
            if not requests and self.phase == "posts":
                self.phase = "gone"
                requests = self.recheck_unlisted()
            self.remember(requests)
        if requests:
            assert self.crawler.engine is not None
            for request in requests:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider

    def plan(self) -> list[Request]:
        missing = self.feed_urls - self.complete
        self.follow_links = not self.complete or bool(missing)
        if self.complete:
            self.logger.info(
                "%d posts listed by sitemaps or the REST API; %s",
                len(self.complete),
                f"{len(missing)} feed items missing there: following links too"
                if missing
                else "the feed agrees: no listing pages needed",
            )
        commented = {self.wp_ids[i] for i in self.commented if i in self.wp_ids}
        requests = []
        for url, leads in self.leads.items():
            if request := self.page_request(url, leads, comments_changed=url in commented):
                requests.append(request)
        if self.follow_links:
            requests += filter(None, (self.page_request(url) for url in self.deferred))
            self.deferred.clear()
        return requests

    def recheck_unlisted(self) -> list[Request]:
        """Known posts nobody named this time: gone, or only out of the lists?"""
        unlisted = [k.url for k in self.known.values() if k.status == "live"]
        return [r for r in map(self.page_request, unlisted) if r is not None]

    def page_request(
        self,
        url: str,
        leads: Iterable[Lead] = (),
        *,
        comments_changed: bool = False,
    ) -> Request | None:
        """The request for a page, or None: already seen, or a source vouches it is unchanged."""
        url = canonical(url)
        if url in self.seen:
            return None
        self.seen.add(url)
        leads = list(leads)
        known = self.known.get(post_id(url))
        decision = decide(leads, known, comments_changed=comments_changed)
        if decision == "skip":
            self.run.store.touch(url)
            return None
        return Request(
            url,
            callback=self.parse,
            errback=self.failed,
            headers=self.conditional(url) if decision == "check" else None,
            meta={
                "requested": url,
                "signals": tuple(signals_of(leads).items()),
                "handle_httpstatus_list": PAGE_STATUSES if known is not None else [304],
            },
        )

    def conditional(self, url: str) -> dict[str, str] | None:
        """If-None-Match / If-Modified-Since from the page's last fetch, where it had them."""
        etag, modified = self.stored_validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return headers or None

    # --- pages ------------------------------------------------------------------------------

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        requested = response.meta.get("requested", "")
        try:
            async for out in handle_page(self.crawler, response, self):
                yield out
        finally:
            if requested and response.status != 200:
                self.done(requested)

    # --- what a page leads to (`pages.PageSink`): the archive and the frontier ---------------

    def unchanged(self, url: str) -> None:
        self.run.store.touch(url)

    def gone(self, url: str) -> None:
        if self.run.store.mark_gone(url):
            self.run.report.posts_gone += 1

    def done(self, url: str) -> None:
        if url:
            self.run.finished(url)

    def validators(self, url: str, status: int, etag: str | None, modified: str | None) -> None:
        """A listing's ETag or Last-Modified, so the next crawl can ask "changed since?"."""
        headers = {"etag": etag or "", "last-modified": modified or ""}
        self.run.store.record_fetch(canonical(url), status, headers)

    def revisit(self, url: str) -> list[Request]:
        """A comment page reached through a link: archive it through its post instead."""
        request = self.page_request(url)
        if request is None:
            return []
        self.remember([request])
        return [request]

    def follow(self, links: Iterable[str], barren: int, *, is_post: bool) -> list[Request]:
        if not self.follow_links and self.phase != "discover":
            return []  # the sources named every post: links are not needed
        wanted = [
            link
            for link in links
            if same_site(link, self.site) and not is_trap(link) and not comment_page(link)
        ]
        if not self.follow_links:  # kept until we know whether to follow links
            self.deferred += wanted
            return []
        fresh = [link for link in wanted if link not in self.seen]  # page links are canonical
        chain = barren + 1 if not is_post and len(fresh) <= BARREN_LINKS else 0
        if chain > MAX_BARREN:
            self.count("endless listing (pagination or calendar) not followed")
            return []
        requests = []
        for link in fresh:
            if request := self.page_request(link):
                request.meta["barren"] = chain
                requests.append(request)
        self.remember(requests)
        return requests

    def remember(self, requests: list[Request]) -> None:
        """Put requests in the stored frontier (one commit), so a killed crawl resumes them."""
        with self.run.store.transaction():
            self.run.planned([r.meta["requested"] for r in requests])

    # --- a distributed crawl: what the workers found ------------------------------------------

    def pump(self) -> None:
        """Apply the workers' findings, as if this process had fetched those pages."""
        assert self.coordination is not None
        engine = self.crawler.engine
        try:
            if self.drain():
                return
            if engine is not None and engine.spider_is_idle() and not self._closing:
                # Scrapy looks at an idle spider only every 5 s; a distributed crawl's phases
                # end when the workers fall quiet, so look now.
                try:
                    self.idle()
                except DontCloseSpider:
                    return
                self._closing = True
                deferred_from_coro(engine.close_spider_async(reason="finished"))
        except Exception:  # the pump must keep running; the error is worth a line
            self.logger.exception("could not apply a worker's findings")

    def drain(self) -> int:
        """Apply what the workers have sent so far; returns how many answers there were."""
        assert self.coordination is not None
        messages = self.coordination.inbox(self.site)
        if messages:
            with self.run.store.transaction():
                for message in messages:
                    self.apply(message)
        return len(messages)

    def apply(self, message: dict[str, Any]) -> None:
        stats = self.crawler.stats
        assert stats is not None
        assert self.crawler.engine is not None
        counts = message.get("stats", {})
        stats.inc_value("response_received_count", counts.get("pages", 0))
        stats.inc_value("downloader/request_count", counts.get("requests", 0))
        stats.inc_value("downloader/response_bytes", counts.get("bytes", 0))
        requests: list[Request] = []
        for kind, *args in message.get("events", []):
            if kind == "post":
                self.run.pipeline.process_item(redis_codec.item_from_dict(args[0]))
            elif kind == "follow":
                requests += self.follow(args[0], args[1], is_post=args[2])
            elif kind == "revisit":
                requests += self.revisit(args[0])
            elif kind in ("unchanged", "gone", "done", "count", "validators"):
                getattr(self, kind)(*args)
        for request in requests:
            self.crawler.engine.crawl(request)
        cap = self.crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if cap and (stats.get_value("response_received_count") or 0) >= cap and not self._closing:
            # Scrapy counts only this process's pages against --max-pages; add the workers'.
            self._closing = True
            deferred_from_coro(
                self.crawler.engine.close_spider_async(reason="closespider_pagecount")
            )

    def stop_pump(self) -> None:
        if self._pump is not None and self._pump.running:
            self._pump.stop()

    def count(self, reason: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"blogarchive/errors/{reason}")

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None and request.meta.get("requested"):
            self.run.finished(request.meta["requested"])
        self.count(failure_reason(failure))

    def ignore(self, failure: Failure) -> None:
        """Optional discovery sources (robots.txt, sitemaps, feeds, the API) may be missing."""


def failure_reason(failure: Failure) -> str:
    """Why a download failed, in words a crawl report can count."""
    exc = failure.value
    response = getattr(exc, "response", None)
    if response is not None:
        return OFF_LIMITS if 300 <= response.status < 400 else f"HTTP {response.status}"
    if isinstance(exc, Refused):
        return exc.reason
    name = type(exc).__name__
    message = str(exc)
    if isinstance(exc, IgnoreRequest):  # Scrapy's own refusals say why only in words
        if "max redirections" in message:
            return "too many redirects"
        if "decompression" in message:
            return "larger than the size cap once decompressed"
        return "ignored: " + message.split(":")[0][:60]
    if "Cancelled" in name:
        return "larger than the size cap"
    if "Timeout" in name or "TimedOut" in name:
        return "timeout"
    if "DNS" in name:
        return "host not found"
    if isinstance(exc, ConnectionError) or "Connect" in name or "Connection" in name:
        return "connection failed"
    if "ResponseFailed" in name or "ResponseNeverReceived" in name or "DataLoss" in name:
        return "connection broken off"
    return name or "download error"


def _total_pages(response: Response) -> int:
    try:
        return min(int(response.headers.get("X-WP-TotalPages") or 1), 1000)
    except ValueError:
        return 1
