"""Page parsers: pure functions from (url, bytes) to a ParsedPage, one module per platform.

Example: parse_page("https://blog.example/2010/10/post/", body).post.title
"""

from __future__ import annotations

from datetime import datetime
from types import ModuleType

from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

from crawler.archive.errors import ParseError
from crawler.archive.model import ParsedPage, Post, thread_order
from crawler.parsers import (
    blogger,
    generic,
    ghost,
    hexo,
    hugo,
    jekyll,
    medium,
    nikola,
    pelican,
    serendipity,
    wordpress,
)
from crawler.parsers.decode import decode_html, looks_binary
from crawler.parsers.extract import Extractor
from crawler.parsers.meta import PageMeta, page_meta

# Tried in order; generic matches everything and comes last.
PLATFORMS: dict[str, ModuleType] = {
    "wordpress": wordpress,
    "blogger": blogger,
    "medium": medium,
    "ghost": ghost,
    "serendipity": serendipity,
    "jekyll": jekyll,
    "hugo": hugo,
    "pelican": pelican,
    "hexo": hexo,
    "nikola": nikola,
    "generic": generic,
}


# Comments and processing instructions are never content; libxml2 drops them while parsing.
_PARSER = HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def detect(doc: HtmlElement, meta: PageMeta) -> str:
    return next(name for name, module in PLATFORMS.items() if module.detect(doc, meta))


# Void elements libxml2's HTML parser does not know as void: it nests whatever follows them
# inside them ("Kunden<wbr>bindung" would swallow the rest of the post).
_VOID = ("wbr", "embed", "source", "track", "keygen")


def parse_html(body: bytes | str, content_type: str | None = None) -> HtmlElement:
    """The page as an lxml tree, decoded the way a browser would (see decode.py)."""
    text = decode_html(body, content_type)
    try:
        doc = document_fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (etree.ParserError, ValueError):  # empty or unparseable: an empty document
        return document_fromstring(b"<html><body></body></html>", parser=_PARSER)
    for el in list(doc.iter(_VOID)):
        if len(el) or el.text:
            _unnest(el)
    return doc


def _unnest(el: HtmlElement) -> None:
    """Move what the parser put inside a void element back after it, in order."""
    parent = el.getparent()
    if parent is None:
        return
    children, text, tail = list(el), el.text, el.tail
    el.text = None
    el.tail = text
    at = parent.index(el)
    for offset, child in enumerate(children, 1):
        parent.insert(at + offset, child)
    last = children[-1] if children else el
    last.tail = (last.tail or "") + (tail or "") or None


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
    if isinstance(body, bytes) and looks_binary(body):
        return ParsedPage(kind="binary")
    doc = parse_html(body, content_type)
    meta = page_meta(doc)
    name = platform if platform in PLATFORMS else detect(doc, meta)
    return Extractor(url, doc, meta, PLATFORMS[name].SELECTORS, name, date).run()


def parse_post(url: str, body: bytes | str, **kwargs: object) -> Post:
    """Like parse_page, but insists on a post (or page) and returns it."""
    page = parse_page(url, body, **kwargs)  # type: ignore[arg-type]
    if page.post is None:
        raise ParseError(f"{url}: no post found; the page looks like a {page.kind} page")
    return page.post


def merge_comment_pages(post: Post, pages: list[tuple[int, Post]], first_no: int = 0) -> Post:
    """The post with the comments of its other comment pages, in page order, each once.

    `first_no` is the number of the comment page the post's own page shows: WordPress shows
    the newest (the last) there by default, so its comments may come after the others.
    """
    if not pages:
        return post
    seen: set[str] = set()
    comments = []
    media = {ref.url: ref for ref in post.media}
    for _, other in sorted([(first_no, post), *pages], key=lambda item: item[0]):
        for c in other.comments:
            if c.id not in seen:
                seen.add(c.id)
                comments.append(c)
        for ref in other.media:  # images in the comments of other comment pages
            if ref.role == "comment":
                media.setdefault(ref.url, ref)
    return post.with_(comments=thread_order(comments), media=tuple(media.values()))
