"""Nikola: its bundled themes (bootblog4, bootstrap4, base) mark a post with h-entry, a page
with "storypage" and an archive's lists with "listpage"; tags live under /categories/ (the
default tag path) marked rel=tag, and a post's category is not shown on its page."""

from __future__ import annotations

from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node

NAME = "nikola"

SELECTORS = PostSelectors(
    entry="article.h-entry, article.post-text, article",
    title="h1.p-name, h1.entry-title, h1",
    content=".e-content, .entry-content, [itemprop~=articleBody]",
    author=".p-author .p-name, .byline-name, .p-author, [itemprop=author]",
    published="time.dt-published, time.published, time[datetime]",
    updated="time.dt-updated, time.updated",
    categories="a.category, .category a",
    tags="a[rel=tag], .tags a",
    boilerplate=BOILERPLATE + ", .postpromonav, .sourceline, .commentline",
    page_marker="article.storypage",
    listing_marker="article.listpage, .postindex, .tagindex",
)


def detect(doc: Node, meta: PageMeta) -> bool:
    return meta.generator.lower().startswith("nikola")
