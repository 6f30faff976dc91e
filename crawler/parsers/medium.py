"""Medium: posts render into <article>; responses load by script from Medium's API."""

from __future__ import annotations

from crawler.parsers.comments import CommentSelectors
from crawler.parsers.extract import BOILERPLATE, PostSelectors
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node

NAME = "medium"

SELECTORS = PostSelectors(
    entry="article",
    title="h1[data-testid=storyTitle], h1.graf--title, article h1, h1",
    content=".postArticle-content, article",
    author='a[data-testid=authorName], meta[name=author], a[rel="author"]',
    published="time[datetime], [data-testid=storyPublishDate]",
    updated="",
    categories="",
    tags='a[href*="/tag/"], .tags a',
    boilerplate=BOILERPLATE + ", [data-testid=headerClapButton], .pw-multi-vote-count",
    comments=CommentSelectors(item="[data-testid=response]"),
    external_comments=True,
)


def detect(doc: Node, meta: PageMeta) -> bool:
    return (meta.site_name or "").lower() == "medium" or meta.first("al:ios:app_name") == "Medium"
