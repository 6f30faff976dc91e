"""WordPress: classic themes (twentytwentyone and kin), block themes, wordpress.com."""

from __future__ import annotations

from crawler.parsers.comments import CommentSelectors
from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node, first_match

NAME = "wordpress"

SELECTORS = PostSelectors(
    # Themes from before HTML5 wrap the post in `<div class="post" id="post-ID">` (WordPress's
    # post_class() and the_ID()), its title in .posttitle/.storytitle or a permalink h2, its text in
    # .postentry/.storycontent.
    entry=(
        "article.post, article.page, article.type-post, article.type-page, .hentry, main, article,"
        " div.post[id^=post-]"
    ),
    title=(
        "h1.entry-title, .entry-title, h1.wp-block-post-title, .wp-block-post-title,"
        " h1.post-title, .posttitle, .storytitle, h1, h2 a[rel=bookmark]"
    ),
    content=(
        ".et_pb_post_content, .elementor-widget-theme-post-content, #mvp-content-main,"
        " .td-post-content, .entry-content, .wp-block-post-content, .post-content, .entrytext,"
        " .the-content, .post-entry, .postentry, .storycontent, .entry, .post-body, #story,"
        " .elementor-text-editor,"
        # the same names spelt with underscores, and a theme's prefix before them
        " .post_content, .entry_content, [class*=-entry-content]"
    ),
    author=(
        ".byline .author a, .byline .fn, .author.vcard a, .entry-meta .author,"
        " .wp-block-post-author-name, .wp-block-post-author__name, a[rel=author], .author"
    ),
    published=(
        "time.entry-date.published, time.published, [itemprop=datePublished],"
        " .wp-block-post-date time,"
        " time.entry-date, .posted-on time, .entry-date, .post-date, time[datetime]"
    ),
    updated="time.updated, .wp-block-post-date.is-modified time",
    # Block themes mark both taxonomies rel="tag"; their wrappers tell them apart.
    categories=(
        ".taxonomy-category a, .cat-links a, .entry-categories a, a[rel~=category],"
        " .post-categories a"
    ),
    tags=".taxonomy-post_tag a, .tags-links a, .tag-links a, .entry-tags a, a[rel=tag]",
    boilerplate=BOILERPLATE + ", .wp-block-post-terms, .wp-block-comments, .post-nav-links",
    comments=CommentSelectors(),
    body_kinds=(
        ("single", "post"),
        ("single-post", "post"),
        ("page", "page"),
        ("home", "listing"),
        ("blog", "listing"),
        ("archive", "listing"),
        ("search", "listing"),
        ("error404", "other"),
    ),
    title_prefixes=("Protected: ", "Geschützt: ", "Private: ", "Privat: "),
)


def detect(doc: Node, meta: PageMeta) -> bool:
    if meta.generator.lower().startswith("wordpress"):
        return True
    return first_match(
        doc, 'link[rel="https://api.w.org/"], #wpadminbar, link[href*="/wp-content/"]'
    ) is not None or bool(meta.body_classes & {"wp-embed-responsive", "wordpress"})
