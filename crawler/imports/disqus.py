"""`blogarchive import-disqus`: the comments a crawl could not see, from the blog's Disqus
export (Disqus admin → Moderation → Export: `<disqus>` with its `<thread>`s, then its
`<post>`s naming their thread and the post they answer).

A thread is joined to the archived post at its link, canonicalised as a crawl would (so
tracking parameters, `www.` and the scheme do not matter); several threads of one post
(Disqus makes one per variant of a URL) are merged. That post gets a new version with
the Disqus comments, threaded, ids prefixed `disqus-` so they never meet the blog's own
(which it keeps; those of an earlier import are replaced), and `comments_status`
`complete`: a thread with no comments left says there are none. Deleted and spam
comments stay out; a reply to one is kept at the top level. Threads of posts not in the
archive are reported, not archived (crawl those posts first).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.archive.model import Comment, MediaRef, Post, post_id
from crawler.archive.store import Store
from crawler.imports.wp_content import html_and_text
from crawler.imports.wxr import threads
from crawler.imports.xmlfile import elements, local, text
from crawler.parsers.text import clean_text
from crawler.parsers.urls import canonical, same_site

DISQUS = "{http://disqus.com}"
INTERNALS = "{http://disqus.com/disqus-internals}"
PREFIX = "disqus-"


@dataclass
class DisqusResult:
    threads: int = 0
    posts_updated: int = 0
    posts_unchanged: int = 0
    comments: int = 0
    dropped: int = 0  # deleted or spam
    not_archived: list[str] = field(default_factory=list)  # thread links without a post


def import_disqus(store: Store, path: Path, site: str | None = None) -> DisqusResult:
    """Give the archived posts their Disqus comments, in one transaction (a bad file leaves
    the archive as it was: `BadExport`). `site` is the blog the threads belong to."""
    result = DisqusResult()
    links: dict[str, str] = {}  # thread id → its canonical link
    found: dict[str, list[Comment]] = {}  # a thread's link → its comments
    for el in elements(path, f"{DISQUS}disqus", "Disqus export", depth=1):
        name = local(el.tag)
        if name == "thread":
            if link := _thread(el, links, result):
                found.setdefault(link, [])
        elif name == "post":
            thread = el.find(f"{DISQUS}thread")
            link = links.get(thread.get(f"{INTERNALS}id") or "") if thread is not None else None
            comment = _comment(el)
            if comment is None:
                result.dropped += 1
            elif link is not None:
                found.setdefault(link, []).append(comment)
    merged: dict[str, tuple[Post, list[Comment]]] = {}  # post id → post, all its threads' comments
    for link, comments in found.items():
        post = _archived(store, link, site)
        if post is None:
            result.not_archived.append(link)
        else:
            merged.setdefault(post.id, (post, []))[1].extend(comments)
    with store.transaction():
        for post, comments in merged.values():
            _save(store, post, comments, result)
    return result


def _thread(el: etree._Element, links: dict[str, str], result: DisqusResult) -> str | None:
    """The thread's canonical link, noted under its id; None for a deleted thread."""
    result.threads += 1
    if text(el.find(f"{DISQUS}isDeleted")).strip() == "true":
        return None
    link = text(el.find(f"{DISQUS}link")).strip()
    thread_id = el.get(f"{INTERNALS}id")
    if not link.startswith(("http://", "https://")) or not thread_id:
        return None
    links[thread_id] = canonical(link)
    return links[thread_id]


def _comment(el: etree._Element) -> Comment | None:
    if any(text(el.find(f"{DISQUS}{flag}")).strip() == "true" for flag in ("isDeleted", "isSpam")):
        return None
    dsq_id = el.get(f"{INTERNALS}id") or ""
    if not dsq_id:
        return None
    author = el.find(f"{DISQUS}author")
    name = ""
    if author is not None:
        name = text(author.find(f"{DISQUS}name")) or text(author.find(f"{DISQUS}username"))
    parent = el.find(f"{DISQUS}parent")
    parent_id = parent.get(f"{INTERNALS}id") if parent is not None else None
    _, words = html_and_text(text(el.find(f"{DISQUS}message")))
    return Comment(
        id=PREFIX + dsq_id,
        text=words,
        parent_id=PREFIX + parent_id if parent_id else None,
        author=clean_text(name) or None,
        published=_date(text(el.find(f"{DISQUS}createdAt"))),
    )


def _date(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _archived(store: Store, link: str, site: str | None) -> Post | None:
    """The archived post of a thread's link; a link on another host (the blog's old domain,
    its author's test server) is also tried on `site`, at the same path."""
    post = store.get_post(post_id(link))
    if post is None and site and not same_site(link, site):
        parts = urlsplit(link)
        moved = urljoin(site, parts.path + (f"?{parts.query}" if parts.query else ""))
        post = store.get_post(post_id(canonical(moved)))
    return post


def _save(store: Store, post: Post, comments: list[Comment], result: DisqusResult) -> None:
    ids = {c.id for c in comments}
    comments = [c if c.parent_id in ids else replace(c, parent_id=None) for c in comments]
    # The blog's own comments stay beside them; Disqus ones of an earlier import are replaced.
    own = tuple(c for c in post.comments if not c.id.startswith(PREFIX))
    version = store.current_versions([post.id]).get(post.id)
    images = store.media.of_post(post.id, version) if version else []
    new = post.with_(
        comments=own + tuple(threads(comments)),
        comments_status="complete",
        media=tuple(MediaRef(url=image.url, role=image.role) for image in images),  # type: ignore[arg-type]
    )
    outcome, _ = store.save_post(new)
    if outcome == "unchanged":
        result.posts_unchanged += 1
    else:
        result.posts_updated += 1
    result.comments += len(comments)
