"""Records shared by crawler, indexer and command line.

Standard library only: every other module imports this one, so it must stay cheap and
free of Scrapy, Twisted and Whoosh.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

# "binary": an image or other file served as HTML; never parsed.
PageKind = Literal["post", "page", "listing", "other", "binary"]
CommentType = Literal["comment", "pingback", "trackback"]
# Where a post's image sits: in its text, as its featured image, or in a comment.
MediaRole = Literal["body", "featured", "comment"]


def post_id(url: str) -> str:
    """Stable id of a post: a short hash of its canonical URL, scheme and `www.` ignored.

    >>> post_id("https://www.blog.example/a/") == post_id("http://blog.example/a/")
    True
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port else ""
    key = f"{host}{port}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with an offset; a date the page gave without one is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    text: str
    parent_id: str | None = None
    author: str | None = None
    author_url: str | None = None
    published: datetime | None = None
    type: CommentType = "comment"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "parent_id": self.parent_id,
            "author": self.author,
            "author_url": self.author_url,
            "published": iso(self.published),
            "text": self.text,
            "type": self.type,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Comment:
        return cls(
            id=d["id"],
            text=d["text"],
            parent_id=d.get("parent_id"),
            author=d.get("author"),
            author_url=d.get("author_url"),
            published=parse_iso(d.get("published")),
            type=d.get("type") or "comment",
        )


def thread_order(
    comments: tuple[Comment, ...] | list[Comment], *, replies_by_date: bool = False
) -> tuple[Comment, ...]:
    """Comments as a thread reads: top comments by date, each followed by its replies.

    One order whatever the blog's settings (newest page first, newest comment first), so an
    archive of the same discussion is the same record. Replies keep the page's order: a
    theme that shows threads only so deep puts deeper replies after their own parent at the
    last level, which their dates would scramble (`replies_by_date` for sources with no page
    order, such as export files). Where one of the siblings has no date, the page's order
    stands; a reply whose parent is not among them is a top comment, and comments caught in
    a cycle of parents (a hostile page) come last, as found.
    """
    ids = {c.id for c in comments}
    children: dict[str | None, list[tuple[int, Comment]]] = {}
    for index, c in enumerate(comments):
        parent = c.parent_id if c.parent_id in ids and c.parent_id != c.id else None
        children.setdefault(parent, []).append((index, c))

    def ordered(
        siblings: list[tuple[int, Comment]], by_date: bool = True
    ) -> list[tuple[int, Comment]]:
        if by_date and all(c.published for _, c in siblings):
            # Comments written in the same second: engines number them as they come.
            return sorted(
                siblings,
                key=lambda ic: (
                    _stamp(ic[1].published),
                    int(ic[1].id) if ic[1].id.isdigit() and len(ic[1].id) < 19 else -1,
                    ic[0],
                ),
            )
        return siblings

    out: list[Comment] = []
    placed: set[int] = set()  # by position: ids are other people's data and may repeat
    stack = list(reversed(ordered(children.get(None, []))))
    while stack:
        index, c = stack.pop()
        if index in placed:
            continue
        placed.add(index)
        out.append(c)
        stack.extend(reversed(ordered(children.get(c.id, []), replies_by_date)))
    out.extend(c for index, c in enumerate(comments) if index not in placed)
    return tuple(out)


def _stamp(at: datetime | None) -> float:
    if at is None:
        return 0.0
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True, slots=True)
class MediaRef:
    """An image that belongs to a post: the file the archive keeps for it (`picture`)."""

    url: str
    role: MediaRole = "body"


@dataclass(frozen=True, slots=True)
class Post:
    url: str
    title: str
    text: str  # field names follow shared/schema/post.schema.json
    kind: Literal["post", "page"] = "post"
    author: str | None = None
    published: datetime | None = None  # tz-aware where the page states an offset
    updated: datetime | None = None
    language: str | None = None
    categories: tuple[str, ...] = ()  # display names, de-duplicated, page order
    tags: tuple[str, ...] = ()
    summary: str | None = None
    html: str | None = None
    comments: tuple[Comment, ...] = ()
    comments_status: str | None = None
    site: str = ""
    fetched_at: datetime | None = None
    platform: str | None = None  # which parser produced it; not part of the content
    # The images that belong to it, in page order. Kept beside the version, not in it: the
    # bytes they stand for live in the store's media tables, and the export adds them.
    media: tuple[MediaRef, ...] = ()

    @property
    def id(self) -> str:
        return post_id(self.url)

    @property
    def content_hash(self) -> str:
        """Changes exactly when title, text or comments change (not on a mere refetch)."""
        payload = json.dumps(
            [self.title, self.text, [c.to_dict() for c in self.comments]],
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]

    def with_(self, **changes: Any) -> Post:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The post as the export schema describes it."""
        return {
            "id": self.id,
            "url": self.url,
            "site": self.site,
            "kind": self.kind,
            "title": self.title,
            "author": self.author,
            "published": iso(self.published),
            "updated": iso(self.updated),
            "language": self.language,
            "categories": list(self.categories),
            "tags": list(self.tags),
            "summary": self.summary,
            "text": self.text,
            "html": self.html,
            "comments": [c.to_dict() for c in self.comments],
            "comments_status": self.comments_status,
            "fetched_at": iso(self.fetched_at or datetime.now(UTC)),
            "content_hash": self.content_hash,
            "platform": self.platform,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Post:
        return cls(
            url=d["url"],
            title=d["title"],
            text=d["text"],
            kind=d.get("kind") or "post",
            author=d.get("author"),
            published=parse_iso(d.get("published")),
            updated=parse_iso(d.get("updated")),
            language=d.get("language"),
            categories=tuple(d.get("categories") or ()),
            tags=tuple(d.get("tags") or ()),
            summary=d.get("summary"),
            html=d.get("html"),
            comments=tuple(Comment.from_dict(c) for c in d.get("comments") or ()),
            comments_status=d.get("comments_status"),
            site=d.get("site") or "",
            fetched_at=parse_iso(d.get("fetched_at")),
            platform=d.get("platform"),
        )


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """What a parser makes of one fetched page: maybe a post, and links to go on with."""

    kind: PageKind
    post: Post | None = None
    links: tuple[str, ...] = ()  # same-site links worth following (listings, pagination)
    comment_pages: tuple[str, ...] = ()  # further pages of this post's comments
    comment_page_of: str | None = None  # set when the page is comment page N of a post
    comment_page_no: int = 0  # which comment page this shows (WordPress may show the last)
    notes: tuple[str, ...] = ()  # how the parser decided (which date source), for --debug


@dataclass(frozen=True, slots=True)
class RawPage:
    """The bytes of one fetched page of a post, kept so parsers can be re-run offline."""

    url: str
    page_no: int  # 0 is the post's own page, N its comment page N
    body: bytes = field(repr=False)  # other people's bytes: never in a log line
    content_type: str | None = None
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None

    def __repr__(self) -> str:
        # Scrapy's debug log prints every item: say what the page is, not what it holds.
        return (
            f"RawPage(url={self.url!r}, page_no={self.page_no}, {len(self.body)} bytes"
            f" of {self.content_type or 'unknown type'}, status={self.status})"
        )


@dataclass(frozen=True, slots=True)
class PostItem:
    """What the spider hands the archive pipeline: the post and the pages it came from."""

    post: Post
    pages: tuple[RawPage, ...] = ()
    requested: str = ""  # the frontier URL that led to it, marked done once archived
    signals: tuple[tuple[str, str], ...] = ()  # discovery sources' say, kept for next crawl


WRITE_FAILED = "archive write failed: "


@dataclass(slots=True)
class CrawlReport:
    """What one crawl did; the CLI prints it and the store keeps it."""

    site: str
    run_id: int = 0
    pages: int = 0
    posts_new: int = 0
    posts_updated: int = 0
    comments_new: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    finish_reason: str = ""
    changed_ids: list[str] = field(default_factory=list)  # filled by Store.last_report
    posts_gone: int = 0
    requests: int = 0
    bytes: int = 0  # downloaded, as received
    resumed_from: int | None = None  # the killed run this one continued
    # finished, interrupted (Ctrl-C, SIGTERM, killed), capped (--max-pages, --max-depth) or
    # failed; all but finished leave a frontier that the next crawl of the blog resumes.
    outcome: str = "interrupted"
    reason: str = ""  # why it ended short, in words
    left: int = 0  # pages known but not fetched when it ended
    stopped_by: str | None = None  # the signal that interrupted it (SIGINT, SIGTERM)
    # Images: fetched, new (files the archive did not hold), bytes, unchanged (304), failed.
    media: dict[str, int] = field(default_factory=dict)

    def count_error(self, reason: str) -> None:
        self.errors[reason] = self.errors.get(reason, 0) + 1

    def write_failed(self, why: str) -> None:
        """The archive could not be written (a full disk, say): the crawl stopped there."""
        self.count_error(WRITE_FAILED + why)

    def to_dict(self) -> dict[str, Any]:
        """The report as `crawl --json` writes it (the command adds what it did after)."""
        return {
            "site": self.site,
            "pages": self.pages,
            "posts_new": self.posts_new,
            "posts_updated": self.posts_updated,
            "comments_new": self.comments_new,
            "posts_gone": self.posts_gone,
            "changed": self.changed_ids,
            "requests": self.requests,
            "bytes": self.bytes,
            "resumed": self.resumed_from is not None,
            "errors": self.errors,
            "finish_reason": self.finish_reason,
            "outcome": self.outcome,
            "reason": self.reason,
            "left": self.left,
            "stopped_by": self.stopped_by,
            "media": self.media,
        }

    @property
    def write_failure(self) -> str | None:
        """Why the archive could not be written, if it could not."""
        return next(
            (e.removeprefix(WRITE_FAILED) for e in self.errors if e.startswith(WRITE_FAILED)), None
        )
