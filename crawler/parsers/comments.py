"""Comments: each one on its own, with author, date and the comment it replies to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from crawler.archive.model import Comment, CommentType
from crawler.parsers.dates import parse_date
from crawler.parsers.meta import PageMeta, ld_name
from crawler.parsers.select import (
    Node,
    TreeIndex,
    compiled,
    inside,
    select,
    selector_list,
    text_of,
)
from crawler.parsers.text import clean_text, html_to_text
from crawler.parsers.urls import resolve


@dataclass(frozen=True, slots=True)
class CommentSelectors:
    item: str = (
        "li.comment, li.pingback, li.trackback, article.comment, div.comment[id],"
        " .p-comment, .h-cite.comment, .wp-block-comment-template > li,"
        ' li[id^="comment-"], article[id^="comment-"], div[id^="comment-"],'
        # German themes name them for what they are: reader letters, reader comments
        " .leserbrief, .leserkommentar, div.kommentar[id], li.kommentar"
    )
    # Inside these, "comments" are teasers (recent-comments widgets), not this post's.
    not_in: str = ".widget_recent_comments, .recentcomments, .widget_recent_entries, #sidebar"
    author: str = (
        ".comment-author .fn, .comment-author cite, .p-author .p-name, .p-author,"
        " .wp-block-comment-author-name, .comment-author, cite.fn, .fn, .commentAuthor,"
        " .kommentar-autor, .autor"
    )
    text: str = (
        ".comment-content, .e-content, .comment-text, .wp-block-comment-content, .commentText,"
        " .kommentar-text"
    )
    date: str = (
        "time[datetime], .dt-published, .comment-metadata a, .comment-meta a,"
        " .wp-block-comment-date, .comment-date, .comment-time, .commentDate, [class$=_meta]"
    )
    chrome: str = (
        ".reply, .comment-reply-link, .comment-meta, .comment-metadata, .comment-author,"
        " .says, .comment-awaiting-moderation, .wp-block-comment-reply-link, .edit-link,"
        " .sharedaddy, .likes, .comment-likes, .wp-block-comment-edit-link, [class$=_meta]"
    )
    children: str = "ol.children, ul.children, .children, .comment-replies"
    # A comment's own parts, named for comments (never the post's `.e-content`): where no
    # item selector matches, each text with the author or date beside it is one comment.
    own_text: str = ".comment-text, .commentText, .comment-content, .kommentar-text"
    own_byline: str = (
        ".comment-author, .commentAuthor, .kommentar-autor, .comment-date, .commentDate"
    )


DEFAULT = CommentSelectors()
ID_DIGITS = re.compile(r"(?:comment|c)[-_]?(\d+)$")
COMMENT_ANCHOR = re.compile(r"#(?:comment|c)[-_]?(\d+)$")


def _comment_id(el: Node, index: int) -> str:
    raw = str(el.get("id") or "")
    if not raw:
        inner = next((n for n in el.iterdescendants() if ID_DIGITS.search(n.get("id") or "")), None)
        raw = str(inner.get("id")) if inner is not None else ""
    if m := ID_DIGITS.search(raw):
        return m.group(1)
    return raw or f"n{index}"


class _Scope:
    """Selects inside one comment without reaching into the replies nested below it."""

    def __init__(self, el: Node, members: set[Node]) -> None:
        self.el, self.members = el, members

    def own(self, node: Node) -> bool:
        for parent in node.iterancestors():
            if parent is self.el:
                return True
            if parent in self.members:
                return False
        return False

    def select(self, selector: str) -> Iterator[Node]:
        for one in selector_list(selector):
            for node in compiled(one)(self.el):
                if node is not self.el and self.own(node):
                    yield node

    def first(self, selector: str) -> Node | None:
        return next(self.select(selector), None)


def comment_items(
    doc: Node, sel: CommentSelectors = DEFAULT, index: TreeIndex | None = None
) -> list[Node]:
    """The page's comment elements: the item selectors' matches or, for markup none of them
    names (`div.commentsCon` around `p.commentAuthor` and `p.commentText`), the smallest
    element around each comment text that holds its author or date and no other text."""
    find = index.select if index is not None else select
    found = find(doc, sel.item)
    if found:
        return found
    texts = find(doc, sel.own_text)
    if not texts:
        return []
    bylines = set(find(doc, sel.own_byline))
    marked = set(texts)
    items: list[Node] = []
    for text in texts:
        for el in text.iterancestors():
            if el.tag in ("body", "html"):
                break
            inner = list(el.iterdescendants())
            if any(n in marked and n is not text for n in inner):
                break  # the list of comments, not one of them
            if any(n in bylines for n in inner):
                items.append(_whole_comment(el, marked))
                break
    return items


def _whole_comment(el: Node, texts: set[Node]) -> Node:
    """The comment's outer element: wrappers that add only a few characters (a like count,
    a reply button) and no other comment belong to it, and often carry its id."""
    size = len(el.text_content())
    parent = el.getparent()
    while (
        parent is not None
        and parent.tag not in ("body", "html")
        and len(parent.text_content()) <= size + 40
        and sum(1 for n in parent.iterdescendants() if n in texts) == 1
    ):
        el, parent = parent, parent.getparent()
    return el


def extract_comments(
    doc: Node,
    page_url: str,
    meta: PageMeta,
    sel: CommentSelectors = DEFAULT,
    relative_base: datetime | None = None,
    items: list[Node] | None = None,
) -> tuple[Comment, ...]:
    """Every comment in the page, in page order, threaded by nesting or reply links.

    `items`: the matches of `sel.item`, when the caller has them already.
    """
    found = select(doc, sel.item) if items is None else items
    teasers = set(select(doc, sel.not_in)) if found else set()
    items = [el for el in found if not (teasers and inside(el, teasers))]
    if not items:
        return _json_ld_comments(meta)
    ids = {el: _comment_id(el, i) for i, el in enumerate(items)}
    everything = set(items)
    # A wrapper and its inner element often both match (li#li-comment-5 > article#comment-5):
    # one comment, seen through the outermost match.
    inner = {
        el
        for el in items
        if next((ids[a] for a in el.iterancestors() if a in everything), None) == ids[el]
    }
    members = everything - inner
    out: dict[str, Comment] = {}
    last_at: dict[int, str] = {}  # the latest comment seen at each thread depth
    for el in items:
        cid = ids[el]
        if el in inner or cid in out:
            continue
        parent = next((ids[p] for p in el.iterancestors() if p in members), None)
        scope = _Scope(el, members)
        parent = parent or _reply_target(scope, page_url)
        depth = _depth(el)
        if parent is None and depth and depth > 1:
            # WordPress's comment_class says how deep a reply sits ("depth-2"): where the
            # markup's nesting got lost (a theme showing threads only so deep closes lists it
            # never opened), the reply answers the last comment one level up.
            parent = last_at.get(depth - 1)
        if depth:
            last_at[depth] = cid
        out[cid] = _one_comment(scope, cid, parent, sel, meta.lang, page_url, relative_base)
    return tuple(c for c in out.values() if c.text or c.author)


DEPTH_CLASS = re.compile(r"(?:^|\s)depth-(\d{1,2})(?:\s|$)")


def _depth(el: Node) -> int | None:
    m = DEPTH_CLASS.search(el.get("class") or "")
    return int(m.group(1)) if m else None


def _reply_target(scope: _Scope, page_url: str) -> str | None:
    link = scope.first("a.u-in-reply-to, a[rel~=in-reply-to]")
    if link is not None and (m := COMMENT_ANCHOR.search(str(link.get("href") or ""))):
        return m.group(1)
    return None


def _one_comment(
    scope: _Scope,
    cid: str,
    parent: str | None,
    sel: CommentSelectors,
    lang: str | None,
    page_url: str,
    relative_base: datetime | None,
) -> Comment:
    author_el = scope.first(sel.author)
    author = text_of(author_el) if author_el is not None else None
    if author:
        author = re.sub(r"\s+(sagt|says|schreibt|meint)\s*:?$", "", author, flags=re.I) or None
    link = None
    if author_el is not None:
        link = author_el if author_el.tag == "a" else author_el.find(".//a[@href]")
        wrapper = author_el.getparent()
        if link is None and wrapper is not None and wrapper.tag == "a":
            link = wrapper
    author_url = resolve(page_url, link.get("href")) if link is not None else None
    if author_url and "#comment" in author_url:
        author_url = None
    return Comment(
        id=cid,
        parent_id=parent,
        author=author,
        author_url=author_url,
        published=_comment_date(scope, sel, lang, relative_base),
        text=_comment_text(scope, sel),
        type=_comment_type(scope.el),
    )


def _comment_date(
    scope: _Scope, sel: CommentSelectors, lang: str | None, base: datetime | None
) -> datetime | None:
    for node in scope.select(sel.date):
        raw = node.get("datetime") or node.get("title") or " ".join(node.itertext())
        if when := parse_date(clean_text(str(raw)), lang, base):
            return when
    return None


def _comment_text(scope: _Scope, sel: CommentSelectors) -> str:
    body = scope.first(sel.text)
    if body is None:
        # No marked-up text: the comment's own markup minus author, date, buttons, replies.
        others = [d for d in scope.el.iterdescendants() if d in scope.members]
        return html_to_text(scope.el, [*select(scope.el, f"{sel.chrome}, {sel.children}"), *others])
    return html_to_text(body, select(body, sel.chrome))


def _comment_type(el: Node) -> CommentType:
    classes = set((el.get("class") or "").split())
    if "pingback" in classes:
        return "pingback"
    if "trackback" in classes:
        return "trackback"
    return "comment"


def _json_ld_comments(meta: PageMeta) -> tuple[Comment, ...]:
    out = []
    for index, node in enumerate(meta.ld_comments):
        text = clean_text(str(node.get("text") or node.get("description") or ""))
        if not text:
            continue
        raw_id = str(node.get("@id") or node.get("url") or f"ld{index}")
        m = COMMENT_ANCHOR.search(raw_id) or ID_DIGITS.search(raw_id)
        out.append(
            Comment(
                id=m.group(1) if m else raw_id,
                text=text,
                author=ld_name(node.get("author")),
                published=parse_date(
                    str(node.get("dateCreated") or node.get("datePublished") or "")
                ),
            )
        )
    return tuple(out)
