"""The `blog` spider: discovers a blog's posts, hands each page to the parsers, yields posts.

Run it with `blogarchive crawl URL`, or `scrapy crawl blog -a url=URL` from the project root.

A crawl goes in phases, each starting when the previous one has gone quiet:
1. discovery (`crawler.discovery`): the home page, robots.txt, sitemaps, the feed and (on
   WordPress) the REST API;
2. posts: every post a source names that is new or changed since the last crawl. When the
   complete sources (sitemap, REST API) agree with the feed, listing pages are never
   fetched; otherwise the crawl follows links from every page, as a last resort;
3. known posts that no source named any more are asked for again: 404 or 410 marks them gone.

The spider owns the frontier (what to fetch next, what was seen) and follows; discovery has
its own object, the archive writes go to the run (`ArchiveRun`, the page sink), and in a
distributed crawl the workers' findings come in through `crawler.distributed.inbox`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.archive.model import MediaRef, post_id
from crawler.archive.store import KnownPost
from crawler.archive_run import ArchiveRun
from crawler.discovery import Discovery
from crawler.failures import failure_reason
from crawler.media import Fetched, failed_answer, judge, media_request
from crawler.middlewares import CapReached
from crawler.pages import handle_page
from crawler.parsers.urls import canonical, check_url, comment_page, is_trap, same_site
from crawler.plan import decide, signals_of
from crawler.sources import Lead

if TYPE_CHECKING:  # scrapy-redis is imported only by distributed crawls
    from crawler.distributed.frontier import Coordination
    from crawler.distributed.inbox import Inbox

# Listing pages that offer at most this many new links (next, previous) are barren; a chain
# of more than MAX_BARREN of them is endless pagination or a calendar, not the blog.
BARREN_LINKS = 2
MAX_BARREN = 5
PAGE_STATUSES = [304, 404, 410]


class BlogSpider(Spider):
    name = "blog"

    def __init__(
        self,
        url: str | None = None,
        *args: Any,
        coordination: Coordination | None = None,
        only: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.site = check_url(url)
        # `crawl URL --only`: that one page (a post with all its comment pages), no discovery.
        self.only = check_url(only) if only else None
        # Set when the crawl is distributed: workers fetch pages too and report here.
        self.coordination = coordination
        self.inbox: Inbox | None = None
        host = urlsplit(self.site).hostname or ""
        # Scrapy's offsite filter also stops redirects that leave the blog.
        self.allowed_domains = [host.removeprefix("www.")]
        self.discovery = Discovery(self.site, self.count)
        self.phase = "discover"
        self.follow_links = False  # follow links from every page (no complete source to trust)
        self.deferred: list[str] = []  # links kept until we know whether to follow them
        self.seen: set[str] = set()
        self.known: dict[str, KnownPost] = {}
        self.stored_validators: dict[str, tuple[str | None, str | None]] = {}
        self.skipped = 0  # posts a source vouched unchanged: not fetched (for progress)
        self.media_asked: set[str] = set()  # image URLs requested in this crawl

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.closed_inbox, signal=signals.spider_closed)
        return spider

    @property
    def run(self) -> ArchiveRun:
        return ArchiveRun.of(self.crawler)

    # --- phase 1: discovery ------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        run = self.run
        self.known = {post_id(k.url): k for k in run.store.known_posts(self.site).values()}
        self.stored_validators = run.store.validators()
        self.seen |= run.fetched
        self.seen.add(self.site)
        if run.resumed_from is not None:
            self.logger.info("resuming the interrupted crawl %s", run.resumed_from)
        if self.coordination is not None:
            from crawler.distributed.inbox import Inbox

            self.inbox = Inbox(self, self.coordination)
            self.inbox.start()
        if self.only is not None:
            self.phase = "gone"  # nothing to plan after it
            if request := self.page_request(self.only):
                self.remember([request])
                yield request
            return
        for url in run.todo:  # what the killed crawl had found but not yet fetched
            if request := self.page_request(url):
                yield request
        # Images of archived posts that an ended-short crawl did not get to (or that failed
        # in a way that may pass): fetched now.
        for request in self.media_requests(run.store.media.pending(self.site)):
            yield request
        yield Request(
            self.site,
            callback=self.parse_home,
            errback=self.failed,
            priority=20,
            # The home page's links were not all followed when the last crawl ended short:
            # a 304 would hide them.
            headers=self.conditional(self.site) if run.resumed_from is None else None,
            meta={"handle_httpstatus_list": [304], "page": True},
        )
        yield self.discovery.robots_request()

    async def parse_home(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        since = self.run.store.last_finished_start(self.site) if self.known else None
        for request in self.discovery.from_home(response, since):
            yield request
        async for out in self.parse(response):
            yield out

    # --- phases 2 and 3: planned by the spider going idle ------------------------------------

    def idle(self) -> None:
        if self.inbox is not None:
            self.inbox.drain()
            if not self.inbox.coordination.quiet(self.site):
                raise DontCloseSpider  # workers are still at it
        requests: list[Request] = []
        if self.phase == "discover" and (feed := self.discovery.page_back_through_feed()):
            # No sitemap, no REST API: page back through the feed before following links.
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(feed)
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
        found = self.discovery
        missing = found.missing_from_complete()
        self.follow_links = not found.complete or bool(missing)
        if found.complete:
            self.logger.info(
                "%d posts listed by sitemaps or the REST API; %s",
                len(found.complete),
                f"{len(missing)} feed items missing there: following links too"
                if missing
                else "the feed agrees: no listing pages needed",
            )
        commented = found.commented_urls()
        requests = []
        for url, leads in found.leads.items():
            if request := self.page_request(url, leads, comments_changed=url in commented):
                requests.append(request)
        if self.follow_links:
            requests += filter(None, (self.page_request(url) for url in self.deferred))
            self.deferred.clear()
        return requests

    def recheck_unlisted(self) -> list[Request]:
        """Known posts nobody named this time: gone, or only out of the lists?"""
        if self.only is not None:
            return []
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
            self.skipped += 1
            self.run.unchanged(url)
            return None
        return Request(
            url,
            callback=self.parse,
            errback=self.failed,
            headers=self.conditional(url) if decision == "check" else None,
            meta={
                "requested": url,
                "page": True,  # counted against --max-pages
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
            async for out in handle_page(self.crawler, response, self.run, self):
                yield out
        finally:
            if requested and response.status != 200:
                self.run.done(requested)

    # --- a post's images --------------------------------------------------------------------

    def media_requests(self, refs: Iterable[MediaRef], *, changed: bool = False) -> list[Request]:
        """Requests for the images of an archived post that the archive lacks. An image kept
        before is asked for again only when its post changed, and then conditionally."""
        policy, shelf = self.run.media_policy, self.run.store.media
        requests = []
        for ref in refs:
            if ref.url in self.media_asked or not policy.wants(ref, self.site):
                continue
            state = shelf.url_state(ref.url)
            validators: tuple[str | None, str | None] = (None, None)
            if state is not None and not state.retry:
                if not changed:
                    continue  # kept (or refused for good) and the post is as it was
                if state.sha256 is not None:
                    validators = (state.etag, state.last_modified)
            self.media_asked.add(ref.url)
            requests.append(
                media_request(
                    ref.url,
                    policy,
                    validators=validators,
                    callback=self.parse_media,
                    errback=self.media_failed,
                )
            )
        return requests

    async def parse_media(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        self.crawler.stats.inc_value("blogarchive/media_responses")  # not pages, for the report
        self.run.media_answer(judge(Fetched.of(response), self.run.media_policy, self.site))
        return
        yield  # an async generator, like every callback of ours

    def media_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None:
            self.run.media_answer(failed_answer(request.meta.get("media", request.url), failure))

    # --- where a page leads (`pages.Frontier`) -------------------------------------------

    def revisit(self, url: str) -> list[Request]:
        """A comment page reached through a link: archive it through its post instead."""
        request = self.page_request(url)
        if request is None:
            return []
        self.remember([request])
        return [request]

    def follow(self, links: Iterable[str], barren: int, *, is_post: bool) -> list[Request]:
        if self.only is not None:
            return []
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

    def closed_inbox(self) -> None:
        if self.inbox is not None:
            self.inbox.stop()

    def count(self, reason: str) -> None:
        self.run.count(reason)

    def failed(self, failure: Failure) -> None:
        if failure.check(CapReached):
            return  # not fetched: it stays in the frontier for the next crawl
        request = getattr(failure, "request", None)
        if request is not None and request.meta.get("requested"):
            self.run.finished(request.meta["requested"])
        self.count(failure_reason(failure))
