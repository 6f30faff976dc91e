"""Ghost: Casper and the themes built on its class names (gh-content, post-full-*)."""

from __future__ import annotations

from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node

NAME = "ghost"

SELECTORS = PostSelectors(
    entry="article.post, article.article, article.gh-article, article",
    title="h1.post-full-title, h1.article-title, h1.gh-article-title, .post-title, h1",
    content=".gh-content, .post-full-content, .post-content, .article-content, .kg-card-markdown",
    author=".author-name a, .author-name, .post-full-byline-meta h4 a, .byline-meta-author a",
    published="time.post-full-meta-date, time.byline-meta-date, time[datetime]",
    updated="",
    categories="",
    tags=".post-full-tags a, .article-tag a, .post-card-primary-tag a, a[href*='/tag/']",
    boilerplate=BOILERPLATE + ", .post-full-footer, .gh-article-footer, .read-next",
)


def detect(doc: Node, meta: PageMeta) -> bool:
    return meta.generator.lower().startswith("ghost")
