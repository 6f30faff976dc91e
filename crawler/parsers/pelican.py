"""Pelican: the default theme (notmyidea) and themes that keep its markup."""

from __future__ import annotations

from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node, first_match

NAME = "pelican"

SELECTORS = PostSelectors(
    entry="article, .hentry, section#content",
    title="h1.entry-title, .entry-title, h1",
    content=".entry-content, .post-content",
    # The post-info footer sits inside the content: author, date and terms live there.
    author="address.vcard.author .fn, .author .fn, .post-info .author, a[rel=author]",
    published="abbr.published, time.published, .published",
    updated="abbr.modified, time.modified",
    categories='.post-info a[href*="/category/"], a[rel~=category]',
    tags='.post-info a[href*="/tag/"], .tags a, a[rel=tag]',
    boilerplate=BOILERPLATE,
    # Pages put their heading straight into the content section; articles wrap it.
    page_marker="section#content > h1.entry-title",
)


def detect(doc: Node, meta: PageMeta) -> bool:
    if meta.generator.lower().startswith("pelican"):
        return True
    return first_match(doc, 'a[href*="getpelican.com"]') is not None
