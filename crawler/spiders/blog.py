"""The `blog` spider: discovers a blog's pages, hands each page to the parsers, yields posts.

Run it with `blogarchive crawl URL`, or `scrapy crawl blog -a url=URL` from the project root.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.errors import ArchiveError
from crawler.model import ParsedPage, Post, PostItem, RawPage
from crawler.parsers import merge_comment_pages, parse_page
from crawler.parsers.urls import canonical, comment_page, is_trap, same_site

MAX_COMMENT_PAGES = 500


def check_url(url: str | None) -> str:
    """The site URL a crawl starts from, or a one-line error."""
    if not url or not url.strip():
        raise ArchiveError("No blog URL given. Example: blogarchive crawl https://blog.example/")
    url = url.strip()
    scheme = re.match(r"([a-zA-Z][\w+.-]*):(?!\d)", url)
    # javascript:, ftp:, mailto: … (but "blog.example:8080" is a host and port)
    name = scheme.group(1).lower() if scheme else ""
    if "://" not in url and name and "." not in name and name not in ("http", "https"):
        raise ArchiveError(f"Only http and https blogs can be crawled, not {url}")
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ArchiveError(f"{url} is not a valid URL ({exc}).") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ArchiveError(f"Only http and https blogs can be crawled, not {url}")
    if not parts.hostname:
        raise ArchiveError(f"{url} names no host. Example: blogarchive crawl https://blog.example/")
    return canonical(url)


def _raw(response: Response, page_no: int) -> RawPage:
    header = response.headers.get
    return RawPage(
        url=response.url,
        page_no=page_no,
        body=response.body,
        content_type=(header("Content-Type") or b"").decode("latin-1") or None,
        status=response.status,
        etag=(header("ETag") or b"").decode("latin-1") or None,
        last_modified=(header("Last-Modified") or b"").decode("latin-1") or None,
    )


def _parse(response: Response) -> ParsedPage:
    date = None
    if raw := response.headers.get("Date"):
        try:
            date = parsedate_to_datetime(raw.decode("latin-1"))
        except (TypeError, ValueError):
            date = None
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
    return parse_page(response.url, response.body, content_type=content_type, date=date)


class BlogSpider(Spider):
    name = "blog"

    def __init__(self, url: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = check_url(url)

    async def start(self) -> AsyncIterator[Any]:
        yield Request(self.site, callback=self.parse, errback=self.failed)
        # Sitemaps list posts that no listing links to any more; robots.txt names them.
        robots = self.site.split("/", 3)[:3]
        yield Request(
            "/".join(robots) + "/robots.txt",
            callback=self.parse_robots,
            errback=self.ignore,
            dont_filter=True,
            priority=10,
        )

    def parse_robots(self, response: Response) -> Iterator[Request]:
        body = response.body if response.status == 200 else b""
        sitemaps = list(sitemap_urls_from_robots(body, base_url=response.url))
        if not sitemaps:
            sitemaps = [response.urljoin("/sitemap.xml")]
        for url in sitemaps:
            if same_site(url, self.site):
                yield Request(url, callback=self.parse_sitemap, errback=self.ignore, priority=10)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # a broken sitemap only costs us a discovery source
            self.count("broken sitemap")
            return
        for entry in sitemap:
            url = entry.get("loc", "")
            if not url or not same_site(url, self.site):
                continue
            if sitemap.type == "sitemapindex":
                yield Request(url, callback=self.parse_sitemap, errback=self.ignore)
            elif not is_trap(url):
                yield Request(canonical(url), callback=self.parse, errback=self.failed)

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        if not isinstance(response, HtmlResponse):
            self.count("not html")
            return
        try:
            page = _parse(response)
        except Exception as exc:  # one bad page must not end the crawl or lose the others
            self.logger.warning(
                "%s: could not parse (%s: %s)", response.url, type(exc).__name__, exc
            )
            self.count(f"parser error: {type(exc).__name__}")
            return
        if page.comment_page_of:
            # Reached a comment page through a link: archive it through its post instead.
            yield Request(page.comment_page_of, callback=self.parse, errback=self.failed)
            return
        if page.post is not None:
            post, pages = await self._with_comment_pages(page, response)
            yield PostItem(post=post, pages=tuple(pages))
        for link in page.links:
            if same_site(link, self.site) and not is_trap(link) and not comment_page(link):
                yield Request(link, callback=self.parse, errback=self.failed)

    async def _with_comment_pages(
        self, page: ParsedPage, response: Response
    ) -> tuple[Post, list[RawPage]]:
        """Fetch every further comment page of a post, so the post is archived whole."""
        assert page.post is not None
        raws = [_raw(response, 0)]
        todo = list(page.comment_pages)
        seen = set(todo)
        found: list[tuple[int, Post]] = []
        assert self.crawler.engine is not None
        while todo and len(raws) <= MAX_COMMENT_PAGES:
            url = todo.pop(0)
            number = (comment_page(url) or ("", 0))[1]
            try:
                reply = await self.crawler.engine.download_async(Request(url))
            except Exception as exc:
                self.count(f"comment page failed: {type(exc).__name__}")
                continue
            if reply.status != 200 or not isinstance(reply, HtmlResponse):
                self.count(f"comment page HTTP {reply.status}")
                continue
            try:
                other = _parse(reply)
            except Exception as exc:
                self.count(f"parser error: {type(exc).__name__}")
                continue
            raws.append(_raw(reply, number))
            if other.post is not None:
                found.append((number, other.post))
            for more in other.comment_pages:
                if more not in seen:
                    seen.add(more)
                    todo.append(more)
        return merge_comment_pages(page.post, found), raws

    def count(self, reason: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"blogarchive/errors/{reason}")

    def failed(self, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.count(f"HTTP {response.status}")
        else:
            self.count(failure.type.__name__ if failure.type else "download error")

    def ignore(self, failure: Failure) -> None:
        """Optional discovery sources (robots.txt, sitemaps) may be missing."""
