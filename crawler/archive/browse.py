"""Read-only queries for browsing an archive: its blogs, a blog's posts by page with facet
counts, a post's comment thread. The reading room and the CLI read through these; they
write nothing, so they run while a crawl writes the same archive (SQLite WAL).

This is the one place beside `store.py` that holds SQL: the read model of the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.archive.model import Comment
from crawler.archive.store import Store

# The filters of a blog's listing, each a post term (`year` is the publication year).
TAXONOMIES = ("category", "tag", "author", "language")
FACET_LIMIT = 25


@dataclass(frozen=True, slots=True)
class Listing:
    """Which of a blog's posts to list: filter values by facet, and the page."""

    year: str | None = None
    terms: tuple[tuple[str, str], ...] = ()  # (taxonomy, name), all must hold
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True, slots=True)
class ListedPost:
    id: str
    url: str
    title: str
    kind: str
    status: str
    published: str | None
    version: int
    comments: int
    author: str | None


@dataclass(slots=True)
class ListingPage:
    total: int
    posts: list[ListedPost]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def sites(store: Store) -> list[dict[str, Any]]:
    """Every blog with its id, posts, comments, years and its last crawl and how it ended."""
    rows = store.db.execute(
        "SELECT s.id, s.url, count(p.id), min(substr(p.published, 1, 4)),"
        " max(substr(p.published, 1, 4)) FROM sites s LEFT JOIN posts p ON p.site_id = s.id"
        " GROUP BY s.id"
    ).fetchall()
    summaries = {row["url"]: row for row in store.site_summaries()}
    out = []
    for sid, url, posts, first, last in rows:
        summary = summaries.get(url, {})
        out.append(
            {
                "id": sid,
                "url": url,
                "posts": posts,
                "comments": summary.get("comments", 0),
                "years": [first, last] if first else [],
                "last_crawl": summary.get("last_crawl"),
                "ended": summary.get("ended"),
                "outcome": summary.get("outcome"),
                "reason": summary.get("reason"),
            }
        )
    return sorted(out, key=lambda s: s["url"])


def site_url(store: Store, site_id: int) -> str | None:
    row = store.db.execute("SELECT url FROM sites WHERE id = ?", (site_id,)).fetchone()
    return str(row[0]) if row else None


def _where(site_id: int, listing: Listing, leave_out: str | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause over `posts p` for a listing; `leave_out` drops that facet's own
    filter, so a facet counts what choosing another of its values would show."""
    sql = ["p.site_id = ?"]
    args: list[Any] = [site_id]
    if listing.year and leave_out != "year":
        sql.append("p.published >= ? AND p.published < ?")
        args += [listing.year, str(int(listing.year) + 1)]
    for taxonomy, name in listing.terms:
        if taxonomy == leave_out:
            continue
        sql.append(
            "EXISTS (SELECT 1 FROM post_terms t WHERE t.post_id = p.id"
            " AND t.taxonomy = ? AND t.name = ?)"
        )
        args += [taxonomy, name]
    return " AND ".join(sql), args


def site_posts(store: Store, site_id: int, listing: Listing, *, facets: bool = True) -> ListingPage:
    """A page of the blog's posts, newest first (undated last), with the total and, when
    asked, the facet counts of the filtered set."""
    where, args = _where(site_id, listing)
    q = store.db.execute
    total = int(q(f"SELECT count(*) FROM posts p WHERE {where}", args).fetchone()[0])
    offset = (max(listing.page, 1) - 1) * listing.per_page
    rows = q(
        "SELECT p.id, p.url, p.title, p.kind, p.status, p.published, p.version,"
        " (SELECT count(*) FROM comments c WHERE c.post_id = p.id),"
        " (SELECT name FROM post_terms a WHERE a.post_id = p.id AND a.taxonomy = 'author')"
        f" FROM posts p WHERE {where}"
        " ORDER BY p.published IS NULL, p.published DESC, p.id LIMIT ? OFFSET ?",
        [*args, listing.per_page, offset],
    ).fetchall()
    page = ListingPage(total, [ListedPost(*row) for row in rows])
    if facets:
        page.facets = facet_counts(store, site_id, listing)
    return page


def facet_counts(store: Store, site_id: int, listing: Listing) -> dict[str, list[tuple[str, int]]]:
    """Per facet, its values with how many posts of the listing each would show."""
    out: dict[str, list[tuple[str, int]]] = {}
    where, args = _where(site_id, listing, leave_out="year")
    out["year"] = [
        (str(y), int(n))
        for y, n in store.db.execute(
            f"SELECT substr(p.published, 1, 4) AS y, count(*) FROM posts p WHERE {where}"
            " AND p.published IS NOT NULL GROUP BY y ORDER BY y DESC",
            args,
        )
    ]
    for taxonomy in TAXONOMIES:
        where, args = _where(site_id, listing, leave_out=taxonomy)
        out[taxonomy] = [
            (str(name), int(n))
            for name, n in store.db.execute(
                "SELECT t.name, count(*) AS n FROM post_terms t JOIN posts p ON p.id = t.post_id"
                f" WHERE t.taxonomy = ? AND {where} GROUP BY t.name ORDER BY n DESC, t.name"
                " LIMIT ?",
                [taxonomy, *args, FACET_LIMIT],
            )
        ]
    return out


def post_row(store: Store, pid: str) -> dict[str, Any] | None:
    """The archive's record of a post beside its content: status, versions, first and
    last seen, and the blog it is filed under."""
    row = store.db.execute(
        "SELECT p.id, p.url, p.status, p.version, p.first_seen, p.last_seen, s.id, s.url"
        " FROM posts p JOIN sites s ON s.id = p.site_id WHERE p.id = ?",
        (pid,),
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "url", "status", "version", "first_seen", "last_seen", "site_id", "site")
    return dict(zip(keys, row, strict=True))


@dataclass(frozen=True, slots=True)
class ThreadedComment:
    comment: Comment
    depth: int  # 0 for a comment on the post, 1 for a reply to it, …


def thread(comments: tuple[Comment, ...] | list[Comment]) -> list[ThreadedComment]:
    """Comments in reading order: each followed by its replies (depth first), siblings in
    the order the page gave them. A reply whose parent is not archived stands at depth 0."""
    ids = {c.id for c in comments}
    children: dict[str | None, list[Comment]] = {}
    for c in comments:
        parent = c.parent_id if c.parent_id in ids and c.parent_id != c.id else None
        children.setdefault(parent, []).append(c)
    out: list[ThreadedComment] = []
    seen: set[str] = set()
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        c, depth = stack.pop()
        if c.id in seen:  # a cycle of parents in a hostile page
            continue
        seen.add(c.id)
        out.append(ThreadedComment(c, depth))
        stack.extend((r, depth + 1) for r in reversed(children.get(c.id, [])))
    # Comments caught in a cycle of parents have no root: shown at the end, unthreaded.
    out.extend(ThreadedComment(c, 0) for c in comments if c.id not in seen)
    return out
