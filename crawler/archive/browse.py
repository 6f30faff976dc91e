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
    # Each from an index: posts and years by `posts_site`, comments by the posts' ids.
    rows = store.db.execute(
        "SELECT s.id, s.url, (SELECT count(*) FROM posts p WHERE p.site_id = s.id),"
        " (SELECT min(published) FROM posts p WHERE p.site_id = s.id),"
        " (SELECT max(published) FROM posts p WHERE p.site_id = s.id) FROM sites s"
    ).fetchall()
    summaries = {row["url"]: row for row in store.site_summaries(comments=len(rows) > 1)}
    total_comments = (
        int(store.db.execute("SELECT count(*) FROM comments").fetchone()[0])
        if len(rows) == 1
        else 0
    )
    out = []
    for sid, url, posts, first, last in rows:
        summary = summaries.get(url, {})
        first, last = (first or "")[:4], (last or "")[:4]
        out.append(
            {
                "id": sid,
                "url": url,
                "posts": posts,
                "comments": summary.get("comments") or total_comments,
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


def _chosen(site_id: int, listing: Listing, leave_out: str | None = None) -> tuple[str, list[Any]]:
    """A subquery of the ids of the blog's posts that the listing's filters choose, or ""
    when nothing is filtered; `leave_out` drops that facet's own filter, so that a facet
    counts what choosing another of its values would show.

    Each filter is answered by an index (terms by `post_terms_site`, the year by
    `posts_site`), and the sets are intersected: a blog of 100,000 posts is never joined
    row by row."""
    parts: list[str] = []
    args: list[Any] = []
    if listing.year and leave_out != "year":
        parts.append(
            "SELECT id AS pid FROM posts WHERE site_id = ? AND published >= ? AND published < ?"
        )
        args += [site_id, listing.year, str(int(listing.year) + 1)]
    for taxonomy, name in listing.terms:
        if taxonomy != leave_out:
            parts.append(
                "SELECT post_id AS pid FROM post_terms"
                " WHERE site_id = ? AND taxonomy = ? AND name = ?"
            )
            args += [site_id, taxonomy, name]
    return " INTERSECT ".join(parts), args


def site_posts(store: Store, site_id: int, listing: Listing, *, facets: bool = True) -> ListingPage:
    """A page of the blog's posts, newest first (undated last), with the total and, when
    asked, the facet counts of the filtered set."""
    chosen, args = _chosen(site_id, listing)
    # Filtered: from the chosen ids (they are the blog's already) by the primary key;
    # the whole blog: along the `posts_site` index.
    where = f"p.id IN ({chosen})" if chosen else "p.site_id = ?"
    args = args if chosen else [site_id]
    q = store.db.execute
    total = int(q(f"SELECT count(*) FROM posts p WHERE {where}", args).fetchone()[0])
    offset = (max(listing.page, 1) - 1) * listing.per_page
    # The page's rows are picked in the order of the `posts_site` index (undated posts sort
    # last in descending order), and only those 20 have their comments counted.
    rows = q(
        "SELECT p.id, p.url, p.title, p.kind, p.status, p.published, p.version,"
        " (SELECT count(*) FROM comments c WHERE c.post_id = p.id),"
        " (SELECT name FROM post_terms a WHERE a.post_id = p.id AND a.taxonomy = 'author')"
        f" FROM (SELECT p.rowid AS r FROM posts p WHERE {where}"
        "  ORDER BY p.published DESC, p.rowid DESC LIMIT ? OFFSET ?) AS pick"
        " JOIN posts p ON p.rowid = pick.r ORDER BY p.published DESC, p.rowid DESC",
        [*args, listing.per_page, offset],
    ).fetchall()
    page = ListingPage(total, [ListedPost(*row) for row in rows])
    if facets:
        page.facets = facet_counts(store, site_id, listing)
    return page


def facet_counts(store: Store, site_id: int, listing: Listing) -> dict[str, list[tuple[str, int]]]:
    """Per facet, its values with how many posts of the listing each would show."""
    out: dict[str, list[tuple[str, int]]] = {}
    chosen, args = _chosen(site_id, listing, leave_out="year")
    where = f"id IN ({chosen})" if chosen else "site_id = ?"
    out["year"] = [
        (str(y), int(n))
        for y, n in store.db.execute(
            "SELECT substr(published, 1, 4) AS y, count(*) FROM posts"
            f" WHERE {where} AND published IS NOT NULL GROUP BY y ORDER BY y DESC",
            args if chosen else [site_id],
        )
    ]
    for taxonomy in TAXONOMIES:
        chosen, args = _chosen(site_id, listing, leave_out=taxonomy)
        if chosen:  # from the chosen posts to their terms (CROSS JOIN keeps that order)
            sql = (
                f"SELECT t.name, count(*) AS n FROM ({chosen}) AS f CROSS JOIN post_terms t"
                " ON t.post_id = f.pid AND t.taxonomy = ? GROUP BY t.name"
            )
            args = [*args, taxonomy]
        else:  # the whole blog: one range of the `post_terms_site` index
            sql = (
                "SELECT name, count(*) AS n FROM post_terms WHERE site_id = ? AND taxonomy = ?"
                " GROUP BY name"
            )
            args = [site_id, taxonomy]
        rows = store.db.execute(f"{sql} ORDER BY n DESC, 1 LIMIT ?", [*args, FACET_LIMIT])
        out[taxonomy] = [(str(name), int(n)) for name, n in rows]
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
