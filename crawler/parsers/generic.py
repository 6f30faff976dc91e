"""Any blog: microformats2 (h-entry, p-comment), schema.org, common theme classes, then density."""

from __future__ import annotations

from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node

NAME = "generic"

SELECTORS = PostSelectors(
    entry=".h-entry, .hentry, [itemtype$=BlogPosting], [itemtype$=Article], article.post, article",
    title=(
        "h1.p-name, .p-name h1, h1.entry-title, .entry-title, h1.post-title, .post-title,"
        " [itemprop=headline], h1, h2.p-name, h2.entry-title, h2"
    ),
    content=(
        ".e-content, .entry-content, .post-content, .post-body, [itemprop=articleBody],"
        " .article-content, .article-body, .entry-body, .post-entry, .blog-post-content,"
        " .entrytext, .entry-text, .the-content, .post-text, .story-content, #story,"
        " .et_pb_post_content, .elementor-widget-theme-post-content, #mvp-content-main,"
        " .td-post-content, .entry, td.eMessage, .elementor-text-editor,"
        # the same names spelt with underscores, and a theme's prefix before them
        " .post_content, .entry_content, .article_content, [class*=-entry-content]"
    ),
    author=(
        ".p-author .p-name, .p-author, [rel=author], .author .fn, .byline .author,"
        " .entry-author, [itemprop=author] [itemprop=name], [itemprop=author], .author"
    ),
    published=(
        ".dt-published, time.published, time[itemprop=datePublished], [itemprop=datePublished],"
        " time.entry-date, .entry-date, .post-date, .published, time[datetime], .date"
    ),
    updated=".dt-updated, time.updated, [itemprop=dateModified]",
    categories="a[rel~=category], .cat-links a, .categories a, .post-categories a",
    tags="a[rel=tag], .tags-links a, .tag-links a, .post-tags a, .tags a",
    boilerplate=BOILERPLATE,
    body_kinds=(("single-post", "post"), ("single", "post")),
)


def detect(doc: Node, meta: PageMeta) -> bool:
    return True
