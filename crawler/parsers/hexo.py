"""Hexo: its default theme (landscape) and the themes built on Hexo's helpers (NexT and its
kind), which link a post's categories under /categories/ and its tags under /tags/."""

from __future__ import annotations

from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node

NAME = "hexo"

SELECTORS = PostSelectors(
    entry="article.article, .post-block article, article.post, article",
    title="h1.article-title, h1.post-title, h1.p-name, .post-title, h1",
    content=".article-entry, .post-body, .e-content, [itemprop=articleBody], .post-content",
    author=".p-author, [itemprop=author] [itemprop=name], .post-author, .author",
    published="time.dt-published, time[itemprop~=datePublished], time[datetime]",
    updated="time[itemprop~=dateModified], time.dt-updated",
    categories=".article-category a, .post-category a, a[href*='/categories/']",
    tags=".article-tag-list a, .post-tags a, a[rel=tag], a[href*='/tags/']",
    boilerplate=BOILERPLATE + ", .article-nav, .post-nav, .post-toc-wrap, .reward-container",
    # A page (about, impressum) is typed so by the theme; posts are "post".
    page_marker=".article-type-page, .main-inner.page",
)


def detect(doc: Node, meta: PageMeta) -> bool:
    return meta.generator.lower().startswith("hexo")
