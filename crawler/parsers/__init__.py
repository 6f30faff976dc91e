"""Page parsers: pure functions from (url, bytes) to a ParsedPage, one module per platform.

Example: parse_page("https://blog.example/2010/10/post/", body).post.title
"""

from __future__ import annotations

import warnings
from datetime import datetime
from types import ModuleType

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

from crawler.errors import ParseError
from crawler.model import ParsedPage, Post
from crawler.parsers import generic, pelican, wordpress
from crawler.parsers.decode import decode_html
from crawler.parsers.extract import Extractor
from crawler.parsers.meta import PageMeta, page_meta

# Tried in order; generic matches everything and comes last.
PLATFORMS: dict[str, ModuleType] = {
    "wordpress": wordpress,
    "pelican": pelican,
    "generic": generic,
}


def detect(soup: BeautifulSoup, meta: PageMeta) -> str:
    return next(name for name, module in PLATFORMS.items() if module.detect(soup, meta))


def parse_page(
    url: str,
    body: bytes | str,
    *,
    content_type: str | None = None,
    date: datetime | None = None,
    platform: str | None = None,
) -> ParsedPage:
    """Classify a page and, for a post or static page, split it into its fields.

    `date` is the response's Date header: the base for relative dates like "vor 3 Tagen".
    """
    with warnings.catch_warnings():  # XHTML pages served as text/html are still HTML to us
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(decode_html(body, content_type), "lxml")
    meta = page_meta(soup)
    name = platform if platform in PLATFORMS else detect(soup, meta)
    return Extractor(url, soup, meta, PLATFORMS[name].SELECTORS, name, date).run()


def parse_post(url: str, body: bytes | str, **kwargs: object) -> Post:
    """Like parse_page, but insists on a post (or page) and returns it."""
    page = parse_page(url, body, **kwargs)  # type: ignore[arg-type]
    if page.post is None:
        raise ParseError(f"{url}: no post found; the page looks like a {page.kind} page")
    return page.post


def merge_comment_pages(post: Post, pages: list[tuple[int, Post]]) -> Post:
    """The post with the comments of its other comment pages, in page order, each once."""
    if not pages:
        return post
    seen = {c.id for c in post.comments}
    comments = list(post.comments)
    for _, other in sorted(pages, key=lambda item: item[0]):
        for c in other.comments:
            if c.id not in seen:
                seen.add(c.id)
                comments.append(c)
    return post.with_(comments=tuple(comments))
