"""`blogarchive import-warc`: an archive from WARC files, without crawling.

Any capture of a blog (Heritrix, wget --warc-file, Browsertrix, `crawl --warc`) becomes
searchable: every HTML response is parsed as a crawl would parse it, a post's further comment
pages are found among the captured responses and merged into it, and the post is archived
with the pages it came from. When a URL was captured more than once, the newest capture wins.
The images a post shows are linked to it when the files hold them: their records are only
noted where they are on the first pass and read when a post names them, so a capture full
of pictures is not held in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.archive.errors import ArchiveError
from crawler.archive.mediatype import NotAnImage, identify
from crawler.archive.model import Post, RawPage
from crawler.archive.store import Store
from crawler.parsers import merge_comment_pages, parse_page
from crawler.parsers.urls import canonical, check_url

MAX_BODY = 20 * 1024 * 1024  # the crawler's own size cap: larger bodies are traps or files


@dataclass(slots=True)
class Capture:
    url: str
    date: datetime | None
    status: int
    content_type: str | None
    etag: str | None
    last_modified: str | None
    body: bytes


@dataclass
class WarcImport:
    responses: int = 0
    posts_new: int = 0
    posts_updated: int = 0
    posts_unchanged: int = 0
    comments_new: int = 0
    media_new: int = 0  # image files the archive did not hold
    media_linked: int = 0  # post images found among the captures
    skipped: dict[str, int] = field(default_factory=dict)
    # Where each non-HTML response is: (file, offset of its record), by its URL.
    located: dict[str, tuple[Path, int]] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def read_captures(paths: Iterable[Path], result: WarcImport) -> dict[str, Capture]:
    """The newest response captured for every URL of the files (canonical URLs as keys)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    captures: dict[str, Capture] = {}
    for path in paths:
        try:
            with path.open("rb") as f:
                records = ArchiveIterator(f)
                for record in records:
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    result.responses += 1
                    if _maybe_image(record):
                        url = record.rec_headers.get_header("WARC-Target-URI") or ""
                        result.located[url] = (path, records.get_record_offset())
                        continue
                    capture = _capture(record, result)
                    if capture is None:
                        continue
                    key = canonical(capture.url)
                    old = captures.get(key)
                    if old is None or (capture.date or datetime.min) >= (old.date or datetime.min):
                        captures[key] = capture
        except (OSError, ArchiveLoadFailed, ValueError, EOFError) as exc:
            raise ArchiveError(f"Cannot read {path} as WARC: {exc}") from exc
    return captures


def _maybe_image(record: Any) -> bool:
    """A 200 response that is no page: an image or another file, read only if a post names it."""
    kind = (record.http_headers.get_header("Content-Type") or "").lower()
    page = any(word in kind for word in ("html", "xml", "json", "text/", "javascript"))
    ok = record.http_headers.get_statuscode() == "200"
    return ok and (kind.startswith("image/") or (bool(kind) and not page))


def _read_located(where: tuple[Path, int]) -> bytes | None:
    from warcio.archiveiterator import ArchiveIterator

    path, offset = where
    with path.open("rb") as f:
        f.seek(offset)
        for record in ArchiveIterator(f):
            body: bytes = record.content_stream().read(MAX_BODY + 1)
            return body if len(body) <= MAX_BODY else None
    return None


def _link_media(store: Store, post: Post, result: WarcImport) -> None:
    """Keep the post's images that the files captured (each file once)."""
    for ref in post.media:
        where = result.located.get(ref.url)
        if where is None:
            continue
        state = store.media.url_state(ref.url)
        if state is not None and state.sha256 is not None:
            result.media_linked += 1
            continue
        body = _read_located(where)
        if body is None:
            result.skip("image larger than the size cap")
            continue
        try:
            file = identify(body)
        except NotAnImage:
            result.skip("captured image is not an image")
            continue
        result.media_new += store.media.save(ref.url, file, 200, None, None)
        result.media_linked += 1


def _capture(record: object, result: WarcImport) -> Capture | None:
    headers = record.rec_headers  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    url = headers.get_header("WARC-Target-URI") or ""
    if not url.startswith(("http://", "https://")):
        result.skip("not an http(s) URL")
        return None
    try:
        status = int(http.get_statuscode() or 0)
    except ValueError:
        status = 0
    # The body as the page had it: de-chunked and decompressed (Content-Encoding).
    body = record.content_stream().read(MAX_BODY + 1)  # type: ignore[attr-defined]
    if len(body) > MAX_BODY:
        result.skip("larger than the size cap")
        return None
    date = None
    if stamp := headers.get_header("WARC-Date"):
        try:
            date = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            date = None
    return Capture(
        url=url,
        date=date,
        status=status,
        content_type=http.get_header("Content-Type"),
        etag=http.get_header("ETag"),
        last_modified=http.get_header("Last-Modified"),
        body=body,
    )


def import_warcs(store: Store, paths: list[Path], site: str | None = None) -> WarcImport:
    """Archive every post the WARC files captured; returns what was done and skipped."""
    result = WarcImport()
    captures = read_captures(paths, result)
    fixed_site = check_url(site) if site else None
    parsed = {}
    for key, capture in captures.items():
        if capture.status != 200:
            result.skip(f"HTTP {capture.status}")
            continue
        if "html" not in (capture.content_type or "text/html").lower():
            continue  # sitemaps, feeds, robots.txt: the crawl's, not the archive's
        try:
            parsed[key] = parse_page(
                capture.url, capture.body, content_type=capture.content_type, date=capture.date
            )
        except Exception:  # one bad page must not end the import
            result.skip("parser error")
    for key, page in parsed.items():
        if page.post is None or page.comment_page_of or page.kind == "binary":
            continue
        capture = captures[key]
        raws = [_raw(capture, 0)]
        found: list[tuple[int, Post]] = []
        todo, seen = list(page.comment_pages), set(page.comment_pages)
        while todo:
            url = canonical(todo.pop(0))
            other = parsed.get(url)
            if other is None or other.post is None:
                result.skip("comment page not captured")
                continue
            found.append((other.comment_page_no, other.post))
            raws.append(_raw(captures[url], other.comment_page_no))
            for more in other.comment_pages:
                if more not in seen:
                    seen.add(more)
                    todo.append(more)
        post = merge_comment_pages(page.post, found, page.comment_page_no)
        home = fixed_site or check_url("/".join(post.url.split("/", 3)[:3]) + "/")
        post = post.with_(site=home, fetched_at=capture.date)
        with store.transaction():
            outcome, comments = store.save_post(post)
            for raw in raws:
                store.save_page(raw.url, post.id, raw.page_no, raw.body, raw.content_type)
            _link_media(store, post, result)
        result.comments_new += comments
        if outcome == "new":
            result.posts_new += 1
        elif outcome == "updated":
            result.posts_updated += 1
        else:
            result.posts_unchanged += 1
    return result


def _raw(capture: Capture, page_no: int) -> RawPage:
    return RawPage(
        url=capture.url,
        page_no=page_no,
        body=capture.body,
        content_type=capture.content_type,
        status=capture.status,
        etag=capture.etag,
        last_modified=capture.last_modified,
    )
