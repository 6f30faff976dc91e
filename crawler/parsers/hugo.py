"""Hugo: no fixed markup, but common theme class names (post-title, post-content, tags)."""

from __future__ import annotations

from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node

NAME = "hugo"

SELECTORS = PostSelectors(
    entry="article.post, article.h-entry, main article, article",
    title="h1.post-title, h1.article-title, .post-title, .entry-title, h1",
    content=".post-content, .article-content, .entry-content, .content, .post-body",
    author=".post-author, .author, .p-author, [rel=author]",
    published="time.post-date, time.dt-published, time[datetime], .post-date, .date",
    updated="time.dt-updated, .lastmod time",
    categories=".post-categories a, .categories a, a[href*='/categories/']",
    tags=".post-tags a, .tags a, a[href*='/tags/']",
    boilerplate=BOILERPLATE + ", .post-nav, .pagination",
)


def detect(doc: Node, meta: PageMeta) -> bool:
    return meta.generator.lower().startswith("hugo")
