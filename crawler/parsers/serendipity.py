"""Serendipity (s9y): serendipity_* classes in entries, footers and comments."""

from __future__ import annotations

from crawler.parsers.comments import CommentSelectors
from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node, first_match

NAME = "serendipity"

SELECTORS = PostSelectors(
    entry=".serendipity_entry, .serendipity_Entry_Date, article.post",
    title=".serendipity_title, h2.serendipity_title a, h1, h2",
    content=".serendipity_entry_body, .serendipity_entry_extended, .post_content",
    author='.serendipity_entryFooter a[href*="/authors/"], .serendipity_author',
    published=".serendipity_entryFooter time, time[datetime], .serendipity_date",
    updated="",
    categories='.serendipity_entryFooter a[href*="/categories/"], .serendipity_entryIcon a',
    tags=".serendipity_freeTag a, .post_tags a",
    boilerplate=BOILERPLATE + ", .serendipity_entryFooter, .serendipity_freeTag",
    comments=CommentSelectors(
        item=".serendipity_comment, li.comment, article.comment",
        author=".serendipity_comment_source a, .serendipity_commentAuthor, .comment_source_author",
        text=".serendipity_commentBody, .comment_content",
        date=".serendipity_comment_source time, time[datetime], .comment_source_date",
        chrome=".serendipity_comment_source, .comment_reply, .serendipity_comment_reply",
        children=".serendipity_comments_child",
    ),
)


def detect(doc: Node, meta: PageMeta) -> bool:
    if meta.generator.lower().startswith("serendipity"):
        return True
    return first_match(doc, ".serendipity_entry, .serendipity_title") is not None
