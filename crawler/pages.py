"""What one fetched page leads to, the same in a local crawl and on a distributed worker.

`handle_page` parses a response, fetches a post's further comment pages, and tells a
`PageSink` what it found and a `Frontier` where it leads: in a local crawl the archive run
and the spider, which write that to the archive and the frontier at once; on a distributed
worker one `Outbox`, sent to the crawl's coordinator through Redis.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler.archive.model import ParsedPage, Post, PostItem, RawPage
from crawler.parsers import merge_comment_pages, parse_page
from crawler.parsers.urls import comment_page

MAX_COMMENT_PAGES = 500


class PageSink(Protocol):
    """Where what a page says about the archive goes."""

    def unchanged(self, url: str) -> None: ...
    def gone(self, url: str) -> None: ...
    def done(self, url: str) -> None: ...
    def count(self, reason: str) -> None: ...
    def validators(self, url: str, status: int, etag: str | None, modified: str | None) -> None: ...


class Frontier(Protocol):
    """Where the links a page leads to go; it answers with the requests to make."""

    def revisit(self, url: str) -> list[Request]: ...
    def follow(self, links: Iterable[str], barren: int, *, is_post: bool) -> list[Request]: ...


def raw_page(response: Response, page_no: int) -> RawPage:
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


def parse_response(response: Response) -> ParsedPage:
    date = None
    if raw := response.headers.get("Date"):
        try:
            date = parsedate_to_datetime(raw.decode("latin-1"))
        except (TypeError, ValueError):
            date = None
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
    return parse_page(response.url, response.body, content_type=content_type, date=date)


async def handle_page(
    crawler: Any, response: Response, sink: PageSink, frontier: Frontier
) -> AsyncIterator[Any]:
    """Parse a page; yield its post (a `PostItem`) and the requests it leads to."""
    requested = response.meta.get("requested", "")
    if response.status == 304:
        sink.unchanged(requested)
        return
    if response.status in (404, 410):
        sink.gone(requested)
        return
    if not isinstance(response, HtmlResponse):
        sink.count("not html")
        sink.done(requested)
        return
    try:
        page = parse_response(response)
    except Exception as exc:  # one bad page must not end the crawl or lose the others
        crawler.spider.logger.warning(
            "%s: could not parse (%s: %s)", response.url, type(exc).__name__, exc
        )
        sink.count(f"parser error: {type(exc).__name__}")
        sink.done(requested)
        return
    if page.kind == "binary":
        sink.count("binary file served as HTML")
        sink.done(requested)
        return
    if page.comment_page_of:
        sink.done(requested)
        for request in frontier.revisit(page.comment_page_of):
            yield request
        return
    links = frontier.follow(
        page.links, response.meta.get("barren", 0), is_post=page.post is not None
    )
    if page.post is None:
        raw = raw_page(response, 0)
        if raw.etag or raw.last_modified:
            sink.validators(response.url, raw.status, raw.etag, raw.last_modified)
        sink.done(requested)
    else:
        post, pages = await with_comment_pages(crawler, page, response, sink)
        yield PostItem(
            post=post,
            pages=tuple(pages),
            requested=requested,
            signals=response.meta.get("signals", ()),
        )
    for request in links:
        yield request


async def with_comment_pages(
    crawler: Any, page: ParsedPage, response: Response, sink: PageSink
) -> tuple[Post, list[RawPage]]:
    """Fetch every further comment page of a post, so the post is archived whole."""
    assert page.post is not None
    raws = [raw_page(response, 0)]
    todo = list(page.comment_pages)
    seen = set(todo)
    found: list[tuple[int, Post]] = []
    while todo and len(raws) <= MAX_COMMENT_PAGES:
        url = todo.pop(0)
        number = (comment_page(url) or ("", 0))[1]
        try:
            reply = await crawler.engine.download_async(Request(url))
        except Exception as exc:
            sink.count(f"comment page failed: {type(exc).__name__}")
            continue
        if reply.status != 200 or not isinstance(reply, HtmlResponse):
            sink.count(f"comment page HTTP {reply.status}")
            continue
        try:
            other = parse_response(reply)
        except Exception as exc:
            sink.count(f"parser error: {type(exc).__name__}")
            continue
        raws.append(raw_page(reply, number))
        if other.post is not None:
            found.append((number, other.post))
        for more in other.comment_pages:
            if more not in seen:
                seen.add(more)
                todo.append(more)
    return merge_comment_pages(page.post, found, page.comment_page_no), raws
