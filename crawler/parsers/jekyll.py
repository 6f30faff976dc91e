"""Jekyll: minima and its many descendants (post-header, post-content, dt-published)."""

from __future__ import annotations

from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node

NAME = "jekyll"

SELECTORS = PostSelectors(
    entry="article.post, article.h-entry, .post, article",
    title="h1.post-title, .post-title, h1.p-name, h1",
    content=".post-content, .e-content, .entry-content, article .content",
    author=".p-author, [itemprop=author] [itemprop=name], .post-author, .author",
    published="time.dt-published, time[itemprop=datePublished], time.post-date, time[datetime]",
    updated="time.dt-updated, time[itemprop=dateModified]",
    categories=".post-categories a, .categories a",
    tags=".post-tags a, .tags a, a[rel=tag]",
    boilerplate=BOILERPLATE,
)


def detect(doc: Node, meta: PageMeta) -> bool:
    return meta.generator.lower().startswith("jekyll")
