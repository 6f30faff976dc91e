"""The archive's images: every file once, by its SHA-256, and which post version shows it.

Three tables in the store's database:
- `media`: one row per distinct file (type, size, width × height when the header says) and
  `media_blobs` its bytes. Blobs, not files beside the database: measured on 10,000 images
  (bench/media_store.py), SQLite wrote them faster than files made durable one by one, read
  them as fast, and a file commits in the same transaction as the rows that point at it, so
  a killed crawl can leave neither a row without its bytes nor bytes without a row.
- `media_urls`: what each image URL gave when last asked (its file, HTTP status, validators
  for a conditional request), so no URL is fetched twice and a later failure never loses
  the copy already kept.
- `post_media`: the images of each post version with their URLs, role and the file they
  showed when that version was archived (NULL until fetched).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from crawler.archive.mediatype import MediaFile
from crawler.archive.model import MediaRef

SCHEMA = """
CREATE TABLE IF NOT EXISTS media (
    sha256 TEXT PRIMARY KEY, type TEXT NOT NULL, size INTEGER NOT NULL, width INTEGER,
    height INTEGER, stored_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS media_blobs (
    sha256 TEXT PRIMARY KEY REFERENCES media(sha256), body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS media_urls (
    url TEXT PRIMARY KEY, sha256 TEXT REFERENCES media(sha256), status INTEGER, error TEXT,
    etag TEXT, last_modified TEXT, fetched_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS post_media (
    post_id TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL,
    url TEXT NOT NULL, role TEXT NOT NULL, sha256 TEXT,
    PRIMARY KEY (post_id, version, position));
CREATE INDEX IF NOT EXISTS post_media_url ON post_media(url);
"""
# Answers after which asking again soon may bring the image: tried again by the next crawl.
TRANSIENT = frozenset((408, 425, 429, 500, 502, 503, 504))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class UrlState:
    """What an image URL gave when last fetched."""

    sha256: str | None  # the file kept for it, whatever happened since
    # The last HTTP status; 0 when no answer came, -1 when refused for good without an
    # HTTP error (not an image, too large, too many redirects).
    status: int | None
    error: str | None
    etag: str | None
    last_modified: str | None

    @property
    def retry(self) -> bool:
        """No file yet, and the last failure may pass (a 503, a timeout)."""
        return self.sha256 is None and (self.status in TRANSIENT or self.status == 0)


@dataclass(frozen=True, slots=True)
class PostImage:
    """One image of a post version, with its archived file's facts when there is one."""

    url: str
    role: str
    sha256: str | None
    type: str | None = None
    size: int | None = None
    width: int | None = None
    height: int | None = None
    error: str | None = None  # why the URL gave no file, when it gave none

    def to_dict(self) -> dict[str, object]:
        """The export schema's `media` entry."""
        return {
            "url": self.url,
            "role": self.role,
            "sha256": self.sha256,
            "type": self.type,
            "size": self.size,
            "width": self.width,
            "height": self.height,
        }


class MediaShelf:
    """The media tables of one store (it shares the store's connection and transactions)."""

    def __init__(self, db: sqlite3.Connection, *, create: bool = True) -> None:
        self.db = db
        if create:
            db.executescript(SCHEMA)
        # An archive from before images, opened to read only: it has none to tell of.
        self.present = create or bool(
            db.execute("SELECT 1 FROM sqlite_master WHERE name = 'post_media'").fetchone()
        )

    # --- what the crawl asks -------------------------------------------------------------

    def url_state(self, url: str) -> UrlState | None:
        if not self.present:
            return None
        row = self.db.execute(
            "SELECT sha256, status, error, etag, last_modified FROM media_urls WHERE url = ?",
            (url,),
        ).fetchone()
        return UrlState(*row) if row else None

    def link(self, pid: str, version: int, refs: Iterable[MediaRef]) -> None:
        """The images of a post version, each with the file its URL holds now (if any)."""
        self.db.executemany(
            "INSERT OR IGNORE INTO post_media (post_id, version, position, url, role, sha256)"
            " VALUES (?, ?, ?, ?, ?, (SELECT sha256 FROM media_urls WHERE url = ?))",
            [(pid, version, i, ref.url, ref.role, ref.url) for i, ref in enumerate(refs)],
        )

    def linked(self, pid: str, version: int) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM post_media WHERE post_id = ? AND version = ? LIMIT 1", (pid, version)
        ).fetchone()
        return row is not None

    def pending(self, site: str) -> list[MediaRef]:
        """Images of the blog's current post versions that have no file yet and were never
        asked for, or failed in a way that may pass: what an ended-short crawl left."""
        rows = self.db.execute(
            "SELECT DISTINCT m.url, m.role FROM post_media m"
            " JOIN posts p ON p.id = m.post_id AND p.version = m.version"
            " JOIN sites s ON s.id = p.site_id"
            " LEFT JOIN media_urls u ON u.url = m.url"
            " WHERE s.url = ? AND m.sha256 IS NULL AND u.sha256 IS NULL"
            f" AND (u.url IS NULL OR u.status = 0 OR u.status IN ({','.join(map(str, TRANSIENT))}))"
            " ORDER BY m.post_id, m.position",
            (site,),
        )
        return [MediaRef(url, role) for url, role in rows]

    def save(
        self, url: str, file: MediaFile, status: int, etag: str | None, modified: str | None
    ) -> bool:
        """Keep the file (once, whatever URL brought it) and point the URL and the current
        versions of the posts showing it at it. True when the file was new to the archive."""
        sha = file.sha256
        before = self.db.total_changes
        self.db.execute(
            "INSERT OR IGNORE INTO media VALUES (?, ?, ?, ?, ?, ?)",
            (sha, file.type, file.size, file.width, file.height, _now()),
        )
        new = self.db.total_changes > before
        if new:
            self.db.execute("INSERT OR IGNORE INTO media_blobs VALUES (?, ?)", (sha, file.body))
        self.db.execute(
            "INSERT OR REPLACE INTO media_urls VALUES (?, ?, ?, NULL, ?, ?, ?)",
            (url, sha, status, etag, modified, _now()),
        )
        # Older versions keep the file they showed; the current ones show what the URL holds.
        self.db.execute(
            "UPDATE post_media SET sha256 = ? WHERE url = ? AND sha256 IS NOT ?"
            " AND version = (SELECT version FROM posts WHERE id = post_media.post_id)",
            (sha, url, sha),
        )
        return new

    def failed(self, url: str, status: int, error: str) -> None:
        """The URL did not give an image this time; a file it gave before stays."""
        self.db.execute(
            "INSERT INTO media_urls (url, status, error, fetched_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET status = excluded.status,"
            " error = excluded.error, fetched_at = excluded.fetched_at",
            (url, status, error, _now()),
        )

    def unchanged(self, url: str) -> None:
        """A conditional request answered 304: the file kept is still the image."""
        self.db.execute(
            "UPDATE media_urls SET status = 304, error = NULL, fetched_at = ? WHERE url = ?",
            (_now(), url),
        )

    def forget_unused(self) -> None:
        """Files no post version shows any more (their blog was removed): gone, with the
        fetch state of their URLs."""
        self.db.execute("DELETE FROM media_urls WHERE url NOT IN (SELECT url FROM post_media)")
        unused = "SELECT sha256 FROM media WHERE sha256 NOT IN"
        unused += " (SELECT sha256 FROM post_media WHERE sha256 IS NOT NULL)"
        unused += " AND sha256 NOT IN (SELECT sha256 FROM media_urls WHERE sha256 IS NOT NULL)"
        self.db.execute(f"DELETE FROM media_blobs WHERE sha256 IN ({unused})")
        self.db.execute(f"DELETE FROM media WHERE sha256 IN ({unused})")

    # --- what readers ask ----------------------------------------------------------------

    def of_post(self, pid: str, version: int) -> list[PostImage]:
        if not self.present:
            return []
        rows = self.db.execute(
            "SELECT pm.url, pm.role, pm.sha256, m.type, m.size, m.width, m.height,"
            " CASE WHEN pm.sha256 IS NULL THEN u.error END"
            " FROM post_media pm LEFT JOIN media m ON m.sha256 = pm.sha256"
            " LEFT JOIN media_urls u ON u.url = pm.url"
            " WHERE pm.post_id = ? AND pm.version = ? ORDER BY pm.position",
            (pid, version),
        ).fetchall()
        return [PostImage(*row) for row in rows]

    def file(self, sha: str) -> tuple[str, bytes] | None:
        """The type and bytes of an archived file."""
        if not self.present:
            return None
        row = self.db.execute(
            "SELECT m.type, b.body FROM media m JOIN media_blobs b ON b.sha256 = m.sha256"
            " WHERE m.sha256 = ?",
            (sha,),
        ).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def per_site(self) -> dict[str, tuple[int, int]]:
        """Blog → (distinct files its current posts show, their bytes)."""
        if not self.present:
            return {}
        rows = self.db.execute(
            "SELECT s.url, count(*), coalesce(sum(m.size), 0) FROM sites s"
            " JOIN (SELECT DISTINCT p.site_id, pm.sha256 FROM post_media pm"
            "       JOIN posts p ON p.id = pm.post_id WHERE pm.sha256 IS NOT NULL) f"
            " ON f.site_id = s.id JOIN media m ON m.sha256 = f.sha256 GROUP BY s.url"
        )
        return {url: (files, size) for url, files, size in rows}

    def totals(self) -> tuple[int, int]:
        if not self.present:
            return 0, 0
        row = self.db.execute("SELECT count(*), coalesce(sum(size), 0) FROM media").fetchone()
        return int(row[0]), int(row[1])

    def problems(self) -> Iterator[str]:
        """Every referenced file that is missing or does not match its hash, in words."""
        if not self.present:
            return
        missing = self.db.execute(
            "SELECT DISTINCT pm.sha256 FROM post_media pm"
            " LEFT JOIN media_blobs b ON b.sha256 = pm.sha256"
            " WHERE pm.sha256 IS NOT NULL AND b.sha256 IS NULL"
        )
        for (sha,) in missing:
            yield f"media file {sha[:16]}… is referenced but not in the archive"
        rows = self.db.execute(
            "SELECT m.sha256, m.size, b.body FROM media m"
            " LEFT JOIN media_blobs b ON b.sha256 = m.sha256"
        )
        for sha, size, body in rows:
            if body is None:
                yield f"media file {sha[:16]}… has no bytes"
            elif hashlib.sha256(body).hexdigest() != sha or len(body) != size:
                yield f"media file {sha[:16]}… does not match its hash (damaged)"
