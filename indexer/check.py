"""`blogarchive check`: the store and the search index, verified against each other."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from crawler.archive.errors import IndexMissing
from crawler.archive.store import Store


@dataclass
class CheckResult:
    posts: int = 0
    indexed: int = 0
    # Posts archived or changed since the index was written: not damage, the next search or
    # crawl indexes them (a killed crawl leaves some).
    pending: int = 0
    problems: list[str] = field(default_factory=list)  # damage: `reindex` repairs the index
    # Archived images missing or not matching their hash: the store itself is damaged.
    media_problems: list[str] = field(default_factory=list)
    media_files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.media_problems


def check_archive(archive: Path) -> CheckResult:
    """Every problem found, each as one line; an empty list means store and index agree."""
    result = CheckResult()
    with Store(archive, create=False) as store:
        verdict = store.db.execute("PRAGMA quick_check").fetchall()
        if [row[0] for row in verdict] != ["ok"]:
            result.problems.append(f"store damaged: {verdict[0][0]}")
        ids = set(store.all_ids())
        result.posts = len(ids)
        unreadable = _unreadable_posts(store)
        if unreadable:
            result.problems.append(f"{unreadable} stored posts cannot be read")
        pending = set(store.pending_index())
        result.media_problems = list(store.media.problems())
        result.media_files = store.media.totals()[0]
    try:
        indexed = _indexed_ids(archive)
    except IndexMissing as exc:
        if type(exc) is IndexMissing and pending == ids:
            # Never indexed (a first crawl killed before it could): the next search or crawl
            # builds the index; nothing is damaged.
            result.pending = len(pending)
        else:
            result.problems.append(str(exc))
        return result
    result.indexed = len(indexed)
    doubles = len(indexed) - len(set(indexed))
    if doubles:
        result.problems.append(f"{doubles} posts are in the index twice")
    missing = ids - set(indexed)
    extra = set(indexed) - ids
    if lost := missing - pending:
        result.problems.append(f"{len(lost)} archived posts are missing from the index")
    result.pending = len(pending)
    if extra:
        result.problems.append(f"{len(extra)} indexed posts are not in the store")
    return result


def _unreadable_posts(store: Store) -> int:
    bad = 0
    for (data,) in store.db.execute(
        "SELECT v.data FROM posts p JOIN post_versions v ON v.post_id = p.id"
        " AND v.version = p.version"
    ):
        try:
            orjson.loads(zlib.decompress(data))
        except (zlib.error, orjson.JSONDecodeError):
            bad += 1
    return bad


def _indexed_ids(archive: Path) -> list[str]:
    from indexer.search import open_index, reading

    try:
        ix = open_index(archive)
        with reading(archive), ix.reader() as reader:
            return [fields["id"] for fields in reader.all_stored_fields()]
    except IndexMissing as exc:  # missing, outdated or damaged: say which, without the hint
        raise IndexMissing(exc.message.rstrip(".")) from exc
