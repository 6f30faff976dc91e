"""Re-run the parsers over the raw pages in the store, without touching the network."""

from __future__ import annotations

from collections.abc import Callable

from crawler.archive.model import Post
from crawler.archive.store import Store, StoredPage
from crawler.parsers import merge_comment_pages, parse_page


def reparse_archive(store: Store, on_error: Callable[[str, Exception], None]) -> dict[str, int]:
    """Parse every archived post again; a post whose content changed gets a new version."""
    counts = {"posts": 0, "updated": 0, "unchanged": 0, "failed": 0}
    for pid, pages in store.pages_by_post():
        current = store.get_post(pid)
        if current is None:
            continue
        counts["posts"] += 1
        try:
            post = _parse_pages(pages)
        except Exception as exc:  # keep the stored version; report and go on
            counts["failed"] += 1
            on_error(pages[0].url, exc)
            continue
        if post is None:
            counts["failed"] += 1
            on_error(pages[0].url, ValueError("no longer recognised as a post"))
            continue
        post = post.with_(url=current.url, site=current.site, fetched_at=current.fetched_at)
        result, _ = store.save_post(post)
        counts["updated" if result != "unchanged" else "unchanged"] += 1
    return counts


def _parse_pages(pages: list[StoredPage]) -> Post | None:
    main = parse_page(pages[0].url, pages[0].body, content_type=pages[0].content_type)
    first = main.post
    if first is None:
        return None
    others = []
    for page in pages[1:]:
        parsed = parse_page(page.url, page.body, content_type=page.content_type).post
        if parsed is not None:
            others.append((page.page_no, parsed))
    return merge_comment_pages(first, others, main.comment_page_no)
