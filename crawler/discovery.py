"""Discovery, the first phase of a crawl: what the blog itself says its posts are.

A `Discovery` owns the requests and callbacks of robots.txt, sitemaps, the feed and the
WordPress REST API, and what they named (`leads`). The spider asks it for its first requests,
hands it the home page, and reads the leads when discovery has gone quiet; the readers of
each source's bytes are pure functions in `crawler.sources`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler import sources
from crawler.parsers.urls import is_trap, same_site
from crawler.sources import LISTING_SITEMAP, Lead

MAX_SITEMAPS = 1000
MAX_FEED_PAGES = 1000
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # once decompressed
# Where sitemaps live when robots.txt names none: WordPress core, Yoast and most others.
SITEMAP_GUESSES = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")
REST_FIELDS = "per_page=100&_fields=id,link,modified_gmt"
PRIORITY = 10  # discovery before posts, after the home page


class Discovery:
    """The state and callbacks of one blog's discovery sources."""

    def __init__(self, site: str, count: Callable[[str], None]) -> None:
        self.site = site
        self.count = count  # an error of a source, by reason, for the crawl report
        self.leads: dict[str, list[Lead]] = defaultdict(list)
        self.complete: set[str] = set()  # URLs named by a complete source
        self.feed_urls: set[str] = set()
        self.feed: tuple[str, str] | None = None  # (first page URL, how it pages)
        self.feed_paged = False
        self.rest_root: str | None = None
        self.wp_ids: dict[int, str] = {}
        self.commented: set[int] = set()  # WordPress post ids with new comments
        self.sitemaps_seen: set[str] = set()

    # --- what the spider reads -----------------------------------------------------------

    def missing_from_complete(self) -> set[str]:
        """Feed items that no complete source (sitemap, REST API) named."""
        return self.feed_urls - self.complete

    def commented_urls(self) -> set[str]:
        """Posts the REST API says have comments since the last crawl."""
        return {self.wp_ids[i] for i in self.commented if i in self.wp_ids}

    def page_back_through_feed(self) -> Request | None:
        """Without a complete source, page back through the feed once before links are
        followed: the request for its second page, or None when that is done or impossible."""
        if self.complete or not self.feed or self.feed_paged:
            return None
        self.feed_paged = True
        return self.feed_request(2)

    # --- robots.txt and sitemaps ---------------------------------------------------------

    def robots_request(self) -> Request:
        root = "/".join(self.site.split("/", 3)[:3])
        return Request(
            root + "/robots.txt",
            callback=self.parse_robots,
            errback=self.ignore,
            dont_filter=True,
            priority=PRIORITY,
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
        yield Request(url, callback=self.parse_sitemap, errback=self.ignore, priority=PRIORITY)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        body = _gunzipped(response.body)
        sitemap = sources.read_sitemap(body)
        if sitemap is None:
            # The sitemaps protocol takes RSS and Atom feeds as sitemaps too (Nikola's index
            # names a feed per author and tag): their items are leads, not a complete list.
            feed = sources.read_feed(body, response.url) if response.status == 200 else None
            if feed is not None:
                for lead in feed:
                    if same_site(lead.url, self.site) and not is_trap(lead.url):
                        self.add_lead(lead, complete=False)
            elif response.status == 200 and response.url.endswith((".xml", ".xml.gz")):
                self.count("broken sitemap")
            return
        if sitemap.is_index:
            for loc, _ in sitemap.entries:
                yield from self.sitemap_request(loc)
            return
        for lead in sources.sitemap_leads(sitemap):
            if same_site(lead.url, self.site) and not is_trap(lead.url):
                self.add_lead(lead, complete=True)

    # --- the home page: the REST API and the feed it names -------------------------------

    def from_home(self, response: Response, since: str | None) -> Iterator[Request]:
        """The REST API and the feed the home page names; `since` is when the last finished
        crawl started, for the comments written since (None on a first crawl)."""
        if not isinstance(response, HtmlResponse):
            return
        root = sources.rest_root(response.body, response.headers.get("Link"))
        if root and same_site(response.urljoin(root), self.site):
            self.rest_root = response.urljoin(root)
            for kind in ("posts", "pages"):
                yield self.rest_request(kind, 1)
            if since:
                yield self.rest_comments_request(since, 1)
        for href in sources.feed_links(response.body)[:1]:
            url = response.urljoin(href)
            if same_site(url, self.site):
                yield Request(url, callback=self.parse_feed, errback=self.ignore, priority=PRIORITY)

    # --- the WordPress REST API ----------------------------------------------------------

    def rest_url(self, route: str, query: str) -> str:
        assert self.rest_root is not None
        joiner = "&" if "?" in self.rest_root else "?"
        return f"{self.rest_root}{route}{joiner}{query}"

    def rest_request(self, kind: str, page: int) -> Request:
        return Request(
            self.rest_url(f"wp/v2/{kind}", f"{REST_FIELDS}&page={page}"),
            callback=self.parse_rest,
            errback=self.ignore,
            priority=PRIORITY,
            cb_kwargs={"kind": kind, "page": page},
        )

    def rest_comments_request(self, since: str, page: int) -> Request:
        # A margin for the site's time zone and for comments approved late.
        after = (datetime.fromisoformat(since) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
        return Request(
            self.rest_url("wp/v2/comments", f"per_page=100&_fields=post&after={after}&page={page}"),
            callback=self.parse_rest_comments,
            errback=self.ignore,
            priority=PRIORITY,
            cb_kwargs={"since": since, "page": page},
        )

    def parse_rest(self, response: Response, kind: str, page: int) -> Iterator[Request]:
        for lead in sources.read_rest_posts(response.body):
            if same_site(lead.url, self.site):
                self.add_lead(lead, complete=True)
                if lead.wp_id is not None:
                    self.wp_ids[lead.wp_id] = lead.url
        if page == 1:
            for more in range(2, _total_pages(response) + 1):
                yield self.rest_request(kind, more)

    def parse_rest_comments(self, response: Response, since: str, page: int) -> Iterator[Request]:
        self.commented |= sources.read_rest_comment_posts(response.body)
        if page == 1:
            for more in range(2, _total_pages(response) + 1):
                yield self.rest_comments_request(since, more)

    # --- the feed ------------------------------------------------------------------------

    def parse_feed(self, response: Response, page: int = 1) -> Iterator[Request]:
        leads = sources.read_feed(response.body, response.url)
        if leads is None:
            if response.status == 200:
                self.count("broken feed")
            return
        fresh = 0
        for lead in leads:
            if same_site(lead.url, self.site):
                fresh += lead.url not in self.leads
                self.add_lead(lead, complete=False)
                self.feed_urls.add(lead.url)
        if page == 1:
            if pager := sources.feed_pager(response.url, response.body):
                self.feed = (response.url, pager)
        elif fresh and self.feed and page < MAX_FEED_PAGES:
            yield self.feed_request(page + 1)

    def feed_request(self, page: int) -> Request:
        assert self.feed is not None
        return Request(
            sources.feed_page(*self.feed, page),
            callback=self.parse_feed,
            errback=self.ignore,
            priority=PRIORITY,
            cb_kwargs={"page": page},
        )

    def add_lead(self, lead: Lead, *, complete: bool) -> None:
        self.leads[lead.url].append(lead)
        if complete:
            self.complete.add(lead.url)

    def ignore(self, failure: Failure) -> None:
        """Optional sources (robots.txt, sitemaps, feeds, the API) may be missing."""


def _gunzipped(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    from scrapy.utils.gz import gunzip

    try:
        return gunzip(body, max_size=MAX_SITEMAP_BYTES)
    except OSError:
        return b""


def _total_pages(response: Response) -> int:
    try:
        return min(int(response.headers.get("X-WP-TotalPages") or 1), 1000)
    except ValueError:
        return 1
