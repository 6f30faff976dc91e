"""Blogger / Blogspot: the classic and the current layouts (post-outer, post-body, labels)."""

from __future__ import annotations

from crawler.parsers.comments import CommentSelectors
from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node, first_match

NAME = "blogger"

SELECTORS = PostSelectors(
    entry=".post-outer, .post.hentry, article.post, .post",
    title="h3.post-title, h1.post-title, .post-title, .entry-title, h1",
    content=".post-body, .entry-content",
    author=".post-author .fn, .post-author-name, .post-author .g-profile, .post-author, .g-profile",
    published=(
        "abbr.published, time.published, .post-timestamp time, .published, .date-header span,"
        " .date-header"
    ),
    updated="abbr.updated, time.updated",
    categories="",  # Blogger has labels only; they are its tags
    tags=".post-labels a, .labels a, .post-footer-line a[rel=tag]",
    boilerplate=BOILERPLATE + ", .post-share-buttons, .post-footer, .blog-pager",
    comments=CommentSelectors(
        item="li.comment, .comment-thread li[id^=c]",
        author="cite.user, .comment-author, .user a, .user",
        text="p.comment-content, .comment-content, .comment-body",
        date=".datetime a, .comment-timestamp a, .comment-timestamp, time[datetime]",
        chrome=".comment-actions, .comment-replies, .comment-reply, .item-control, .thread-toggle",
        children=".comment-replies, .comment-thread .comment-thread",
    ),
)


def detect(doc: Node, meta: PageMeta) -> bool:
    if meta.generator.lower().startswith("blogger"):
        return True
    return (
        first_match(doc, 'link[href*="blogger.com/feeds"], link[href*=".blogspot.com/feeds"]')
        is not None
    )
