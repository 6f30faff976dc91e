"""The archive store: one SQLite database, the system of record. SQL lives here, in the
read model for browsing (`browse.py`) and in the images' tables (`media.py`), nowhere else.

Every post version is kept when its content hash changes; comments, the fetch state of each
URL, crawl runs and the raw bytes of every archived page (zlib) are kept beside them, the
pages of a superseded version too, so the parsers can be re-run, the search index rebuilt
and every version shown as it was fetched, without touching the network.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson

from crawler.archive.errors import StoreError
from crawler.archive.media import MediaShelf
from crawler.archive.model import CrawlReport, Post, iso, post_id
from crawler.archive.paths import store_path

SCHEMA_VERSION = 4  # 4: the images' tables (media.py)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sites (
    id INTEGER PRIMARY KEY, url TEXT UNIQUE NOT NULL, added_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posts (
    id TEXT PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id), url TEXT NOT NULL,
    kind TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'live', title TEXT NOT NULL,
    published TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    version INTEGER NOT NULL, content_hash TEXT NOT NULL,
    indexed_version INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS posts_pending ON posts(indexed_version, version);
CREATE TABLE IF NOT EXISTS post_versions (
    post_id TEXT NOT NULL REFERENCES posts(id), version INTEGER NOT NULL,
    fetched_at TEXT NOT NULL, saved_at TEXT NOT NULL, content_hash TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (post_id, version));
CREATE TABLE IF NOT EXISTS comments (
    post_id TEXT NOT NULL REFERENCES posts(id), id TEXT NOT NULL, parent_id TEXT,
    author TEXT, published TEXT, type TEXT NOT NULL, text TEXT NOT NULL,
    first_seen TEXT NOT NULL, PRIMARY KEY (post_id, id));
CREATE TABLE IF NOT EXISTS post_terms (
    post_id TEXT NOT NULL REFERENCES posts(id), taxonomy TEXT NOT NULL, name TEXT NOT NULL,
    site_id INTEGER, PRIMARY KEY (post_id, taxonomy, name));
CREATE TABLE IF NOT EXISTS fetches (
    url TEXT PRIMARY KEY, status INTEGER, etag TEXT, last_modified TEXT,
    fetched_at TEXT NOT NULL, content_hash TEXT);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, post_id TEXT NOT NULL, page_no INTEGER NOT NULL,
    fetched_at TEXT NOT NULL, content_type TEXT, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS pages_post ON pages(post_id, page_no);
CREATE TABLE IF NOT EXISTS page_versions (
    post_id TEXT NOT NULL REFERENCES posts(id), version INTEGER NOT NULL,
    page_no INTEGER NOT NULL, url TEXT NOT NULL, fetched_at TEXT NOT NULL, content_type TEXT,
    body BLOB NOT NULL, PRIMARY KEY (post_id, version, page_no));
CREATE INDEX IF NOT EXISTS posts_site ON posts(site_id, published, id);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id),
    started TEXT NOT NULL, ended TEXT, status TEXT NOT NULL DEFAULT 'running',
    pages INTEGER DEFAULT 0, posts_new INTEGER DEFAULT 0, posts_updated INTEGER DEFAULT 0,
    comments_new INTEGER DEFAULT 0, errors TEXT, posts_gone INTEGER DEFAULT 0,
    requests INTEGER DEFAULT 0, bytes INTEGER DEFAULT 0, resumed_from INTEGER,
    outcome TEXT, reason TEXT, left_todo INTEGER DEFAULT 0, media TEXT);
CREATE TABLE IF NOT EXISTS signals (
    url TEXT NOT NULL, source TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (url, source));
CREATE TABLE IF NOT EXISTS schedules (
    id INTEGER PRIMARY KEY, url TEXT UNIQUE NOT NULL, every_seconds INTEGER, cron TEXT,
    options TEXT NOT NULL DEFAULT '{}', added_at TEXT NOT NULL, next_run TEXT NOT NULL,
    last_run TEXT, last_result TEXT, failures INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS schedule_runs (
    id INTEGER PRIMARY KEY, schedule_id INTEGER NOT NULL, started TEXT NOT NULL,
    ended TEXT NOT NULL, ok INTEGER NOT NULL, result TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frontier (
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id), url TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (run_id, url));
"""
# Columns added after the first release, for archives made before them.
MIGRATIONS = {
    # The post's site beside each of its terms: a blog's facets are counted from one index.
    "post_terms": {"site_id": "INTEGER"},
    "crawl_runs": {
        "posts_gone": "INTEGER DEFAULT 0",
        "requests": "INTEGER DEFAULT 0",
        "bytes": "INTEGER DEFAULT 0",
        "resumed_from": "INTEGER",
        "outcome": "TEXT",
        "reason": "TEXT",
        "left_todo": "INTEGER DEFAULT 0",
        "media": "TEXT",
    },
}

SaveResult = Literal["new", "updated", "unchanged"]


def _rebase(url: str, old: str, new: str) -> str:
    """`url` moved from the blog root `old` to `new` (scheme and `www.` aside)."""
    bare = url.split("://", 1)[-1].removeprefix("www.")
    root = old.split("://", 1)[-1].removeprefix("www.")
    return new + bare[len(root) :] if bare.startswith(root) else url


def _digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class StoredPage:
    url: str
    page_no: int
    content_type: str | None
    body: bytes


@dataclass(frozen=True, slots=True)
class KnownPost:
    url: str
    status: str  # "live" or "gone"
    etag: str | None
    last_modified: str | None
    signals: dict[str, str]  # discovery source → what it said when the post was archived


@dataclass(frozen=True, slots=True)
class FetchState:
    status: int | None
    etag: str | None
    last_modified: str | None
    fetched_at: str
    content_hash: str | None


class Store:
    """A handle on one archive database. Use as a context manager."""

    def __init__(self, archive: Path, *, create: bool = True) -> None:
        path = store_path(archive)
        if not path.exists():
            if not create:
                raise StoreError(
                    f"No archive at {archive}.", hint="blogarchive crawl URL (or --archive DIR)"
                )
            # Archives hold other people's words and our users' research: user-only access.
            archive.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.touch(mode=0o600)
        self.archive = archive
        self._depth = 0  # open transaction blocks (see transaction())
        try:
            self.db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            if create:
                self.db.executescript(SCHEMA)
                self._migrate()
            self.media = MediaShelf(self.db, create=create)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Cannot open the archive database {path}: {exc}") from exc
        os.chmod(path, 0o600)

    def _migrate(self) -> None:
        for table, columns in MIGRATIONS.items():
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for name, decl in columns.items():
                if name not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and int(row[0]) < 3:
            self._add_language_terms()
            self.db.execute(
                "UPDATE post_terms SET site_id = (SELECT site_id FROM posts WHERE id = post_id)"
            )
        self.db.execute(
            "CREATE INDEX IF NOT EXISTS post_terms_site"
            " ON post_terms(site_id, taxonomy, name, post_id)"
        )
        self.db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
        )

    def _add_language_terms(self) -> None:
        """Archives before schema 3 kept a post's language only in its versions: file it
        among the post's terms, where the reading room counts and filters it."""
        with self.transaction():
            rows = self.db.execute(
                "SELECT p.id, p.site_id, v.data FROM posts p JOIN post_versions v"
                " ON v.post_id = p.id AND v.version = p.version"
            )
            for pid, site, data in rows.fetchall():
                if language := orjson.loads(zlib.decompress(data)).get("language"):
                    self.db.execute(
                        "INSERT OR IGNORE INTO post_terms (post_id, taxonomy, name, site_id)"
                        " VALUES (?, 'language', ?, ?)",
                        (pid, language, site),
                    )

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # --- sites and crawl runs -------------------------------------------------------------

    def site_urls(self) -> list[str]:
        """The blogs in the archive, as their roots were first recorded."""
        return [row[0] for row in self.db.execute("SELECT url FROM sites ORDER BY id")]

    def site_id(self, url: str) -> int:
        self.db.execute("INSERT OR IGNORE INTO sites (url, added_at) VALUES (?, ?)", (url, _now()))
        row = self.db.execute("SELECT id FROM sites WHERE url = ?", (url,)).fetchone()
        return int(row[0])

    def start_run(self, site: str, resumed_from: int | None = None) -> int:
        cur = self.db.execute(
            "INSERT INTO crawl_runs (site_id, started, resumed_from) VALUES (?, ?, ?)",
            (self.site_id(site), _now(), resumed_from),
        )
        return int(cur.lastrowid or 0)

    def interrupted_run(self, site: str) -> int | None:
        """The site's last run, if it ended short: killed, stopped (Ctrl-C, SIGTERM),
        capped or failed; its frontier is what the next crawl starts from.

        Only meaningful while holding the crawl lock: then no live process owns a run.
        """
        row = self.db.execute(
            "SELECT r.id, r.status, r.outcome FROM crawl_runs r JOIN sites s ON s.id = r.site_id"
            " WHERE s.url = ? ORDER BY r.id DESC LIMIT 1",
            (site,),
        ).fetchone()
        if row is None:
            return None
        run_id, status, outcome = row
        if outcome is None:  # a run recorded before outcomes were: killed or Ctrl-C
            return int(run_id) if status in ("running", "shutdown") else None
        return int(run_id) if outcome != "finished" else None

    def abandon_run(self, run_id: int) -> None:
        self.db.execute(
            "UPDATE crawl_runs SET status = CASE status WHEN 'running' THEN 'killed'"
            " ELSE status END, ended = coalesce(ended, ?) WHERE id = ?",
            (_now(), run_id),
        )

    def last_finished_start(self, site: str) -> str | None:
        """When the newest complete crawl of the site started (ISO 8601, UTC)."""
        row = self.db.execute(
            "SELECT r.started FROM crawl_runs r JOIN sites s ON s.id = r.site_id"
            " WHERE s.url = ? AND r.status = 'finished' ORDER BY r.id DESC LIMIT 1",
            (site,),
        ).fetchone()
        return str(row[0]) if row else None

    # --- the frontier: what a running crawl still has to fetch, for resuming it -------------

    def frontier_add(self, run_id: int, urls: Iterable[str]) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO frontier (run_id, url) VALUES (?, ?)",
            [(run_id, u) for u in urls],
        )

    def frontier_done(self, run_id: int, url: str) -> None:
        self.db.execute(
            "INSERT INTO frontier (run_id, url, done) VALUES (?, ?, 1)"
            " ON CONFLICT(run_id, url) DO UPDATE SET done = 1",
            (run_id, url),
        )

    def frontier(self, run_id: int) -> tuple[list[str], set[str]]:
        """The run's URLs still to fetch (in the order they were found) and those done."""
        todo: list[str] = []
        done: set[str] = set()
        for url, is_done in self.db.execute(
            "SELECT url, done FROM frontier WHERE run_id = ? ORDER BY rowid", (run_id,)
        ):
            (done.add(url) if is_done else todo.append(url))
        return todo, done

    def frontier_clear(self, run_ids: Iterable[int]) -> None:
        self.db.executemany("DELETE FROM frontier WHERE run_id = ?", [(r,) for r in run_ids])

    def finish_run(self, report: CrawlReport) -> None:
        self.db.execute(
            "UPDATE crawl_runs SET ended = ?, status = ?, pages = ?, posts_new = ?,"
            " posts_updated = ?, comments_new = ?, errors = ?, posts_gone = ?, requests = ?,"
            " bytes = ?, outcome = ?, reason = ?, left_todo = ?, media = ? WHERE id = ?",
            (
                _now(),
                report.finish_reason or "finished",
                report.pages,
                report.posts_new,
                report.posts_updated,
                report.comments_new,
                orjson.dumps(report.errors).decode(),
                report.posts_gone,
                report.requests,
                report.bytes,
                report.outcome,
                report.reason,
                report.left,
                orjson.dumps(report.media).decode(),
                report.run_id,
            ),
        )

    def last_report(self, site: str) -> CrawlReport | None:
        row = self.db.execute(
            "SELECT r.id, r.status, r.pages, r.posts_new, r.posts_updated, r.comments_new,"
            " r.errors, r.started, r.posts_gone, r.requests, r.bytes, r.resumed_from,"
            " r.outcome, r.reason, r.left_todo, r.media"
            " FROM crawl_runs r JOIN sites s ON s.id = r.site_id"
            " WHERE s.url = ? ORDER BY r.id DESC LIMIT 1",
            (site,),
        ).fetchone()
        if row is None:
            return None
        run_id, status, pages, new, updated, comments, errors, started = row[:8]
        gone, requests, size, resumed, outcome, reason, left, media = row[8:]
        changed = [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT post_id FROM post_versions WHERE saved_at >= ?", (started,)
            )
        ]
        return CrawlReport(
            site=site,
            run_id=run_id,
            pages=pages or 0,
            posts_new=new or 0,
            posts_updated=updated or 0,
            comments_new=comments or 0,
            errors=orjson.loads(errors) if errors else {},
            finish_reason=status,
            changed_ids=changed,
            posts_gone=gone or 0,
            requests=requests or 0,
            bytes=size or 0,
            resumed_from=resumed,
            # A run still "running" was killed (SIGKILL, a second Ctrl-C) before it ended.
            outcome=outcome or ("finished" if status == "finished" else "interrupted"),
            reason=reason or ("" if status == "finished" else "stopped before the end"),
            left=left or 0,
            media=orjson.loads(media) if media else {},
        )

    # --- posts ----------------------------------------------------------------------------

    def save_post(self, post: Post) -> tuple[SaveResult, int]:
        """Archive a post; a new version only when its content hash changed.

        Returns what happened and how many of its comments were not archived before.
        """
        now = _now()
        record = post.to_dict()
        fetched = record.pop("fetched_at")
        filed = record.pop("site")
        # Tags, dates or the author can change without the schema's content_hash changing;
        # any change to what we archived is a new version. The site it is filed under is
        # not the post's content: archived again under another site, it is unchanged.
        pid = post.id
        digest = _digest(record)
        legacy = _digest({**record, "site": filed})  # digests once included the site
        record["site"], record["fetched_at"] = filed, fetched
        with self.transaction():
            site = self.site_id(post.site)
            row = self.db.execute(
                "SELECT version, content_hash FROM posts WHERE id = ?", (pid,)
            ).fetchone()
            if row and row[1] in (digest, legacy):
                if post.media and not self.media.linked(pid, row[0]):
                    self.media.link(pid, row[0], post.media)  # archived before images were
                self.db.execute(
                    "UPDATE posts SET last_seen = ?, status = 'live', site_id = ? WHERE id = ?",
                    (now, site, pid),
                )
                self.db.execute(
                    "UPDATE post_terms SET site_id = ? WHERE post_id = ? AND site_id IS NOT ?",
                    (site, pid, site),
                )
                return "unchanged", 0
            version = (row[0] if row else 0) + 1
            data = zlib.compress(orjson.dumps(record), 6)
            if row:
                # The raw pages the superseded version was parsed from become its history;
                # the pages saved next are the new version's.
                self.db.execute(
                    "INSERT OR IGNORE INTO page_versions SELECT post_id, ?, page_no, url,"
                    " fetched_at, content_type, body FROM pages WHERE post_id = ?",
                    (row[0], pid),
                )
            self.db.execute(
                "INSERT INTO posts (id, site_id, url, kind, title, published, first_seen,"
                " last_seen, version, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET url = excluded.url, kind = excluded.kind,"
                " title = excluded.title, published = excluded.published, status = 'live',"
                " last_seen = excluded.last_seen, version = excluded.version,"
                " content_hash = excluded.content_hash",
                (
                    pid,
                    site,
                    post.url,
                    post.kind,
                    post.title,
                    iso(post.published),
                    now,
                    now,
                    version,
                    digest,
                ),
            )
            self.db.execute(
                "INSERT INTO post_versions VALUES (?, ?, ?, ?, ?, ?)",
                (pid, version, fetched, now, digest, data),
            )
            self.media.link(pid, version, post.media)
            self.db.execute("DELETE FROM post_terms WHERE post_id = ?", (pid,))
            self.db.executemany(
                "INSERT OR IGNORE INTO post_terms (post_id, taxonomy, name, site_id)"
                " VALUES (?, ?, ?, ?)",
                [(pid, "tag", t, site) for t in post.tags]
                + [(pid, "category", c, site) for c in post.categories]
                + ([(pid, "author", post.author, site)] if post.author else [])
                + ([(pid, "language", post.language, site)] if post.language else []),
            )
            before = self.db.total_changes
            self.db.executemany(
                "INSERT OR IGNORE INTO comments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (pid, c.id, c.parent_id, c.author, iso(c.published), c.type, c.text, now)
                    for c in post.comments
                ],
            )
            new_comments = self.db.total_changes - before
        return ("new" if version == 1 else "updated"), new_comments

    def touch(self, url: str) -> None:
        """The post at `url` was seen unchanged (or a source vouched for it) in this crawl."""
        self.db.execute(
            "UPDATE posts SET last_seen = ?, status = 'live' WHERE id = ?", (_now(), post_id(url))
        )

    def mark_gone(self, url: str) -> bool:
        """The post answers 404 or 410 now: keep its versions, mark it gone. True if it was live."""
        cur = self.db.execute(
            "UPDATE posts SET status = 'gone', last_seen = ? WHERE id = ? AND status != 'gone'",
            (_now(), post_id(url)),
        )
        return cur.rowcount > 0

    def known_posts(self, site: str) -> dict[str, KnownPost]:
        """What the archive knows of each post of the site, by URL: for deciding a recrawl."""
        known: dict[str, KnownPost] = {}
        rows = self.db.execute(
            "SELECT p.url, p.status, f.etag, f.last_modified FROM posts p"
            " JOIN sites s ON s.id = p.site_id LEFT JOIN fetches f ON f.url = p.url"
            " WHERE s.url = ?",
            (site,),
        )
        for url, status, etag, modified in rows:
            known[url] = KnownPost(url, status, etag or None, modified or None, {})
        for url, source, value in self.db.execute("SELECT url, source, value FROM signals"):
            if url in known:
                known[url].signals[source] = value
        return known

    def validators(self) -> dict[str, tuple[str | None, str | None]]:
        """ETag and Last-Modified of every page fetched before that had either."""
        rows = self.db.execute(
            "SELECT url, etag, last_modified FROM fetches"
            " WHERE coalesce(etag, '') != '' OR coalesce(last_modified, '') != ''"
        )
        return {url: (etag or None, modified or None) for url, etag, modified in rows}

    def save_signals(self, url: str, signals: dict[str, str]) -> None:
        """What discovery sources said of a post when it was archived; compared next crawl."""
        self.db.executemany(
            "INSERT OR REPLACE INTO signals VALUES (?, ?, ?)",
            [(url, source, value) for source, value in signals.items()],
        )

    def get_post(self, key: str) -> Post | None:
        """A post by id or URL, in its current version."""
        pid = key if len(key) == 16 and "/" not in key else post_id(key)
        row = self.db.execute(
            "SELECT v.data FROM posts p JOIN post_versions v"
            " ON v.post_id = p.id AND v.version = p.version WHERE p.id = ?",
            (pid,),
        ).fetchone()
        return Post.from_dict(orjson.loads(zlib.decompress(row[0]))) if row else None

    def post_blobs(self, ids: Iterable[str] | None = None) -> Iterator[bytes]:
        """Current versions as the JSON bytes they were stored as: the index reads these."""
        for _, _, blob in self._current(ids):
            yield blob

    def export_blobs(self, ids: Iterable[str] | None = None) -> Iterator[bytes]:
        """Current versions as export writes them: the stored JSON with the version's images
        (`media`, each with its archived file's hash, type and size, or null ones when the
        file was not kept) added at its end."""
        for pid, version, blob in self._current(ids):
            media = [image.to_dict() for image in self.media.of_post(pid, version)]
            yield blob[:-1] + b',"media":' + orjson.dumps(media) + b"}"

    def _current(self, ids: Iterable[str] | None) -> Iterator[tuple[str, int, bytes]]:
        sql = (
            "SELECT p.id, p.version, v.data FROM posts p JOIN post_versions v"
            " ON v.post_id = p.id AND v.version = p.version"
        )
        if ids is None:
            for pid, version, data in self.db.execute(sql + " ORDER BY p.published, p.id"):
                yield pid, version, zlib.decompress(data)
            return
        it = iter(ids)
        while batch := list(itertools.islice(it, 500)):  # in the order asked for
            marks = ",".join("?" * len(batch))
            rows = {
                pid: (version, data)
                for pid, version, data in self.db.execute(f"{sql} WHERE p.id IN ({marks})", batch)
            }
            for pid in batch:
                if (row := rows.get(pid)) is not None:
                    yield pid, row[0], zlib.decompress(row[1])

    def _by_ids(
        self, sql: str, column: str, ids: Iterable[str]
    ) -> Iterator[tuple[list[str], dict[str, Any]]]:
        """A query whose rows are (id, value), a few hundred ids at a time: each batch of
        ids with its values by id."""
        it = iter(ids)
        while batch := list(itertools.islice(it, 500)):
            marks = ",".join("?" * len(batch))
            yield batch, dict(self.db.execute(f"{sql} WHERE {column} IN ({marks})", batch))

    def versions(self, pid: str) -> list[tuple[int, str, str]]:
        return self.db.execute(
            "SELECT version, fetched_at, content_hash FROM post_versions WHERE post_id = ?"
            " ORDER BY version",
            (pid,),
        ).fetchall()

    def post_versions(self, pid: str) -> Iterator[tuple[int, Post]]:
        """Every stored version of a post, oldest first, as it was archived."""
        rows = self.db.execute(
            "SELECT version, data FROM post_versions WHERE post_id = ? ORDER BY version", (pid,)
        )
        for version, data in rows:
            yield version, Post.from_dict(orjson.loads(zlib.decompress(data)))

    def post_version(self, pid: str, version: int) -> Post | None:
        row = self.db.execute(
            "SELECT data FROM post_versions WHERE post_id = ? AND version = ?", (pid, version)
        ).fetchone()
        return Post.from_dict(orjson.loads(zlib.decompress(row[0]))) if row else None

    def raw_pages(self, pid: str, version: int | None = None) -> list[StoredPage]:
        """The pages a version of the post was parsed from, as fetched (page 0, then its
        comment pages); the current version when None. Empty when they were not kept:
        archives made before schema 3 kept the raw pages of the current version only."""
        current = self.db.execute("SELECT version FROM posts WHERE id = ?", (pid,)).fetchone()
        if current is None:
            return []
        if version is None or version == current[0]:
            sql = "SELECT url, page_no, content_type, body FROM pages WHERE post_id = ?"
            args: tuple[Any, ...] = (pid,)
        else:
            sql = (
                "SELECT url, page_no, content_type, body FROM page_versions"
                " WHERE post_id = ? AND version = ?"
            )
            args = (pid, version)
        try:
            rows = self.db.execute(sql + " ORDER BY page_no", args).fetchall()
        except sqlite3.OperationalError:  # an archive before schema 3, opened to read only
            return []
        return [StoredPage(url, no, ctype, zlib.decompress(body)) for url, no, ctype, body in rows]

    # --- index bookkeeping ----------------------------------------------------------------

    def pending_index(self) -> list[str]:
        """Ids of posts whose current version the search index has not seen."""
        rows = self.db.execute("SELECT id FROM posts WHERE indexed_version != version")
        return [r[0] for r in rows]

    def current_versions(self, ids: Iterable[str] | None = None) -> dict[str, int]:
        """The current version of these posts (all, oldest first, when None); a post not in
        the archive is left out."""
        sql = "SELECT id, version FROM posts"
        if ids is None:
            return dict(self.db.execute(sql + " ORDER BY published, id"))
        found: dict[str, int] = {}
        for _, rows in self._by_ids(sql, "id", ids):
            found.update(rows)
        return found

    def mark_indexed(self, versions: Mapping[str, int]) -> None:
        """Record that the index holds these versions (or newer ones: a version saved while
        the index was written is indexed again, never taken for indexed)."""
        with self.transaction():
            self.db.executemany(
                "UPDATE posts SET indexed_version = ? WHERE id = ?",
                [(v, i) for i, v in versions.items()],
            )

    def site_post_count(self, site: str) -> int:
        """Posts and pages archived from this blog."""
        return int(
            self.db.execute(
                "SELECT count(*) FROM posts p JOIN sites s ON s.id = p.site_id WHERE s.url = ?",
                (site,),
            ).fetchone()[0]
        )

    def post_count(self) -> int:
        """Posts and pages in the archive, gone ones included (they stay indexed)."""
        return int(self.db.execute("SELECT count(*) FROM posts").fetchone()[0])

    def all_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM posts ORDER BY published, id")]

    # --- fetch state and raw pages --------------------------------------------------------

    def record_fetch(
        self, url: str, status: int, headers: dict[str, str], body: bytes | None = None
    ) -> None:
        digest = zlib.crc32(body) if body is not None else None
        self.db.execute(
            "INSERT OR REPLACE INTO fetches VALUES (?, ?, ?, ?, ?, ?)",
            (
                url,
                status,
                headers.get("etag"),
                headers.get("last-modified"),
                _now(),
                None if digest is None else f"{digest:08x}",
            ),
        )

    def fetch_state(self, url: str) -> FetchState | None:
        row = self.db.execute(
            "SELECT status, etag, last_modified, fetched_at, content_hash FROM fetches"
            " WHERE url = ?",
            (url,),
        ).fetchone()
        return FetchState(*row) if row else None

    def save_page(
        self, url: str, pid: str, page_no: int, body: bytes, content_type: str | None
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)",
            # Level 3: a third of level 6's time for raw pages, a tenth more bytes.
            (url, pid, page_no, _now(), content_type, zlib.compress(body, 3)),
        )

    def pages_by_post(self) -> Iterator[tuple[str, list[StoredPage]]]:
        """Every archived post's raw pages (page 0 first, then comment pages in order)."""
        current: str | None = None
        batch: list[StoredPage] = []
        rows = self.db.execute(
            "SELECT post_id, url, page_no, content_type, body FROM pages ORDER BY post_id, page_no"
        ).fetchall()
        for pid, url, page_no, ctype, body in rows:
            if pid != current and batch:
                yield current or "", batch
                batch = []
            current = pid
            batch.append(StoredPage(url, page_no, ctype, zlib.decompress(body)))
        if batch:
            yield current or "", batch

    def display_names(self, taxonomy: str) -> dict[str, str]:
        """Lower-cased name → the name as pages show it (the index keeps names lower-cased)."""
        rows = self.db.execute(
            "SELECT name, count(*) AS n FROM post_terms WHERE taxonomy = ? GROUP BY name"
            " ORDER BY n",
            (taxonomy,),
        )
        return {name.lower(): name for name, _ in rows}

    # --- overview ---------------------------------------------------------------------------

    # --- managing sites: list, rename, merge, remove ------------------------------------------

    def site_summaries(self, comments: bool = True) -> list[dict[str, Any]]:
        """Each blog with its posts, comments (None unless asked: counting them costs a
        look at every post) and last crawl (when, how it ended)."""
        counted = (
            "(SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id"
            " WHERE p.site_id = s.id)"
            if comments
            else "NULL"
        )
        rows = self.db.execute(
            "SELECT s.url,"
            " (SELECT count(*) FROM posts p WHERE p.site_id = s.id),"
            f" {counted},"
            " r.started, r.ended, coalesce(r.outcome, CASE r.status WHEN 'finished'"
            "  THEN 'finished' ELSE 'interrupted' END), r.reason"
            " FROM sites s LEFT JOIN crawl_runs r ON r.id ="
            "  (SELECT max(id) FROM crawl_runs WHERE site_id = s.id)"
            " ORDER BY s.url"
        )
        keys = ("url", "posts", "comments", "last_crawl", "ended", "outcome", "reason")
        out = [dict(zip(keys, row, strict=True)) for row in rows]
        for row in out:
            if row["last_crawl"] is None:
                row["outcome"] = None
        return out

    def _site_row(self, url: str) -> int:
        row = self.db.execute("SELECT id FROM sites WHERE url = ?", (url,)).fetchone()
        if row is None:
            raise StoreError(f"No blog {url} in the archive.", hint="blogarchive sites list")
        return int(row[0])

    def rename_site(self, old: str, new: str) -> int:
        """A blog that moved: its URLs rewritten from `old` to `new`, every version kept and a
        new one for each post under its new URL; returns how many posts moved."""
        with self.transaction():
            # A post's id changes with its URL: its versions, comments and pages follow it
            # within the transaction, checked at the commit.
            self.db.execute("PRAGMA defer_foreign_keys = ON")
            sid = self._site_row(old)
            if self.db.execute("SELECT 1 FROM sites WHERE url = ?", (new,)).fetchone():
                raise StoreError(
                    f"{new} is a blog of the archive already.",
                    hint=f"blogarchive sites merge {old} {new}",
                )
            self.db.execute("UPDATE sites SET url = ? WHERE id = ?", (new, sid))
            posts = self.db.execute(
                "SELECT id, url FROM posts WHERE site_id = ?", (sid,)
            ).fetchall()
            for pid, url in posts:
                moved = _rebase(url, old, new)
                new_id = post_id(moved)
                for table in ("post_versions", "comments", "post_terms", "pages", "page_versions"):
                    self.db.execute(
                        f"UPDATE {table} SET post_id = ? WHERE post_id = ?", (new_id, pid)
                    )
                self.db.execute(
                    "UPDATE posts SET id = ?, url = ? WHERE id = ?", (new_id, moved, pid)
                )
                current = self.get_post(new_id)
                if current is not None:
                    self.save_post(current.with_(url=moved, site=new))
            for table in ("pages", "fetches", "signals"):
                for (url,) in self.db.execute(f"SELECT url FROM {table}").fetchall():
                    if (moved := _rebase(url, old, new)) != url:
                        self.db.execute(f"UPDATE {table} SET url = ? WHERE url = ?", (moved, url))
            self.db.execute("UPDATE schedules SET url = ? WHERE url = ?", (new, old))
        return len(posts)

    def merge_sites(self, source: str, target: str) -> int:
        """File every post and crawl of `source` under `target`; returns how many posts."""
        with self.transaction():
            src, dst = self._site_row(source), self._site_row(target)
            moved = self.db.execute("UPDATE posts SET site_id = ? WHERE site_id = ?", (dst, src))
            self.db.execute("UPDATE post_terms SET site_id = ? WHERE site_id = ?", (dst, src))
            self.db.execute("UPDATE crawl_runs SET site_id = ? WHERE site_id = ?", (dst, src))
            self.db.execute("DELETE FROM schedules WHERE url = ?", (source,))
            self.db.execute("DELETE FROM sites WHERE id = ?", (src,))
            return int(moved.rowcount)

    def remove_site(self, url: str) -> list[str]:
        """Everything archived of a blog, gone: posts with every version, comments, pages,
        crawls, schedule; returns the ids of the posts removed."""
        with self.transaction():
            sid = self._site_row(url)
            rows = self.db.execute("SELECT id, url FROM posts WHERE site_id = ?", (sid,)).fetchall()
            ids = [r[0] for r in rows]
            for table in (
                "comments",
                "post_terms",
                "pages",
                "page_versions",
                "post_versions",
                "post_media",
            ):
                self.db.executemany(f"DELETE FROM {table} WHERE post_id = ?", [(i,) for i in ids])
            self.media.forget_unused()
            for table in ("fetches", "signals"):
                self.db.executemany(f"DELETE FROM {table} WHERE url = ?", [(r[1],) for r in rows])
            self.db.executemany("DELETE FROM posts WHERE id = ?", [(i,) for i in ids])
            runs = [
                r[0] for r in self.db.execute("SELECT id FROM crawl_runs WHERE site_id = ?", (sid,))
            ]
            self.frontier_clear(runs)
            self.db.execute("DELETE FROM crawl_runs WHERE site_id = ?", (sid,))
            self.db.execute("DELETE FROM schedules WHERE url = ?", (url,))
            self.db.execute("DELETE FROM sites WHERE id = ?", (sid,))
        return ids

    def stats(self) -> dict[str, Any]:
        q = self.db.execute
        last = q(
            "SELECT s.url, r.started, r.ended, r.status, r.pages, r.posts_new, r.posts_updated,"
            " r.comments_new FROM crawl_runs r JOIN sites s ON s.id = r.site_id"
            " ORDER BY r.id DESC LIMIT 1"
        ).fetchone()
        return {
            "posts": q("SELECT count(*) FROM posts WHERE kind = 'post'").fetchone()[0],
            "gone": q("SELECT count(*) FROM posts WHERE status = 'gone'").fetchone()[0],
            "pages": q("SELECT count(*) FROM posts WHERE kind = 'page'").fetchone()[0],
            "versions": q("SELECT count(*) FROM post_versions").fetchone()[0],
            "comments": q("SELECT count(*) FROM comments").fetchone()[0],
            "pending_index": q(
                "SELECT count(*) FROM posts WHERE indexed_version != version"
            ).fetchone()[0],
            "sites": [
                {"url": url, "posts": n}
                for url, n in q(
                    "SELECT s.url, count(p.id) FROM sites s LEFT JOIN posts p"
                    " ON p.site_id = s.id GROUP BY s.id ORDER BY s.url"
                )
            ],
            "years": dict(
                q(
                    "SELECT substr(published, 1, 4) AS y, count(*) FROM posts"
                    " WHERE published IS NOT NULL GROUP BY y ORDER BY y"
                ).fetchall()
            ),
            "top_tags": q(
                "SELECT name, count(*) AS n FROM post_terms WHERE taxonomy = 'tag'"
                " GROUP BY name ORDER BY n DESC, name LIMIT 10"
            ).fetchall(),
            "last_crawl": dict(
                zip(
                    (
                        "site",
                        "started",
                        "ended",
                        "status",
                        "pages",
                        "posts_new",
                        "posts_updated",
                        "comments_new",
                    ),
                    last,
                    strict=True,
                )
            )
            if last
            else None,
        }

    # --- schedules --------------------------------------------------------------------------

    def add_schedule(
        self, url: str, every: int | None, cron: str | None, options: dict[str, Any], first: str
    ) -> None:
        self.db.execute(
            "INSERT INTO schedules (url, every_seconds, cron, options, added_at, next_run)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET"
            " every_seconds = excluded.every_seconds, cron = excluded.cron,"
            " options = excluded.options, next_run = excluded.next_run, failures = 0",
            (url, every, cron, orjson.dumps(options).decode(), _now(), first),
        )

    def remove_schedule(self, url: str) -> bool:
        return self.db.execute("DELETE FROM schedules WHERE url = ?", (url,)).rowcount > 0

    def schedules(self) -> list[dict[str, Any]]:
        cur = self.db.execute(
            "SELECT url, every_seconds, cron, options, next_run, last_run, last_result, failures"
            " FROM schedules ORDER BY next_run, url"
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur]
        for row in rows:
            row["options"] = orjson.loads(row["options"])
        return rows

    def record_schedule_run(
        self, url: str, started: str, ok: bool, result: str, next_run: str
    ) -> None:
        with self.transaction():
            row = self.db.execute("SELECT id FROM schedules WHERE url = ?", (url,)).fetchone()
            if row is None:  # removed while it ran
                return
            self.db.execute(
                "INSERT INTO schedule_runs (schedule_id, started, ended, ok, result)"
                " VALUES (?, ?, ?, ?, ?)",
                (row[0], started, _now(), int(ok), result),
            )
            self.db.execute(
                "UPDATE schedules SET last_run = ?, last_result = ?, next_run = ?,"
                " failures = CASE WHEN ? THEN 0 ELSE failures + 1 END WHERE id = ?",
                (started, result, next_run, int(ok), row[0]),
            )

    # --- plumbing ---------------------------------------------------------------------------

    def transaction(self) -> _Transaction:
        """All writes inside commit together or not at all; nested blocks join the outer one."""
        return _Transaction(self)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, so a killed process leaves either all of a post or none."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> None:
        if self.store._depth == 0:
            self.store.db.execute("BEGIN IMMEDIATE")
        self.store._depth += 1

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.store._depth -= 1
        if self.store._depth == 0:
            self.store.db.execute("ROLLBACK" if exc_type else "COMMIT")
