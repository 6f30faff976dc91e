"""Writing the index from the store: incrementally after a crawl, or rebuilt from scratch."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, LockError

from crawler.archive import faults
from crawler.archive.errors import IndexBusy, IndexOutdated, StoreError
from crawler.archive.model import Post
from crawler.archive.paths import index_path
from crawler.archive.store import Store
from indexer.schema import build_schema, is_current, lang_key
from indexer.segments.codec import ArchiveCodec, segment_from, segments_of

BATCH = 500
BULK_BATCH = 10_000
# A replaced post stays in its old segment as a deleted document, and Whoosh merges only
# small segments: large ones keep their deletions, which still count in Whoosh's statistics
# (idf, average lengths) and cost time in every search. Past these bounds an update ends
# with a rebuild, which restores a fresh index's size, speed and scores.
WORN_DELETED_SHARE = 0.2
WORN_MIN_DELETED = 100
WORN_SEGMENTS = 32  # Whoosh's own merging keeps about 25 at most


class _Storage(FileStorage):  # type: ignore[misc]
    """Whoosh's file storage without memory-mapping, with a fault point at commit.

    Memory-mapping a large index made a one-query process take seconds and gigabytes;
    plain reads keep `blogarchive search` light.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__(str(path), supports_mmap=False)

    def temp_storage(self, name: str | None = None) -> FileStorage:
        # Whoosh names a writer's temporary folder after the index alone; the processes of
        # a rebuild each need their own, as one removes it when done.
        return super().temp_storage(f"{name}.{os.getpid()}" if name else None)

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        # Whoosh commits by renaming the new table of contents over the old one.
        faults.reach("index-commit")
        super().rename_file(oldname, newname, safe=safe)


def open_storage(archive: Path) -> FileStorage:
    return _Storage(index_path(archive))


def open_or_create(archive: Path) -> FileIndex:
    path = index_path(archive)
    storage = open_storage(archive)
    if path.exists() and storage.index_exists():
        ix = storage.open_index()
        if not is_current(ix.schema):
            raise IndexOutdated(f"The search index in {path} is from an older blogarchive.")
        return ix
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return storage.create_index(build_schema())


def utc_naive(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def document(post: Post) -> dict[str, Any]:
    """The index document of a post: text in its language's fields, names as keywords."""
    lang = lang_key(post.language)
    comments = "\n\n".join(f"{c.author or ''}\n{c.text}" for c in post.comments)
    body = f"{post.title}\n\n{post.text}"
    # A tag's or category's name is found by its plain words, stemmed as the post's text.
    labels = "\n".join((*post.tags, *post.categories))
    doc: dict[str, Any] = {
        "id": post.id,
        "url": post.url,
        "site": post.site,
        "lang": lang,
        "kind": post.kind,
        "title": post.title,
        f"body_{lang}": f"{body}\n\n{labels}" if labels else body,
        f"comments_{lang}": comments,
        "exact": body,
        "exact_comments": comments,
        "author": (post.author or "").replace(",", " "),
        "author_words": post.author or "",
        "tag": ",".join(t.replace(",", " ") for t in post.tags),
        "category": ",".join(c.replace(",", " ") for c in post.categories),
    }
    if lang == "de":
        doc["heads_de"] = body
    if (published := utc_naive(post.published)) is not None:
        doc["published"] = published
        doc["year"] = f"{published:%Y}"
        doc["month"] = f"{published:%Y-%m}"
        doc["day"] = f"{published:%Y-%m-%d}"
    return doc


def index_posts(
    archive: Path, store: Store, ids: Iterable[str], wait: float = 30.0, upkeep: bool = True
) -> int:
    """Add or replace these posts in the index; returns how many were written. With
    `upkeep`, an index worn by many updates is rebuilt afterwards (see WORN_*).

    Waits up to `wait` seconds for another writer's lock, then raises IndexBusy.
    """
    ids = list(ids)
    ix = open_or_create(archive)  # also when nothing is pending: it checks the schema
    if not ids:
        return 0
    # Many posts at once (a recrawl that changed many, a reparse): each batch becomes one
    # new segment written at once; a few: Whoosh's writer, which also merges small segments.
    bulk = len(ids) > BATCH
    if bulk and 2 * len(ids) > store.post_count():
        # Most of the archive is new (a first crawl): building the index afresh is many
        # times faster than updating it.
        return rebuild_index(archive, wait=wait, store=store)
    done = 0
    size = BULK_BATCH if bulk else BATCH
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        # The versions before reading them: one saved meanwhile stays pending.
        versions = store.current_versions(chunk)
        try:
            writer = (
                _bulk_writer(ix, wait) if bulk else ix.writer(timeout=wait, codec=ArchiveCodec())
            )
        except LockError:
            raise _busy(archive) from None
        _note_writer(archive)
        try:
            for pid in chunk:
                post = store.get_post(pid)
                if post is None:
                    writer.delete_by_term("id", pid)
                else:
                    writer.update_document(**document(post))
        except BaseException:
            writer.cancel()
            raise
        else:
            writer.commit()
        finally:
            _note_path(archive).unlink(missing_ok=True)
        # Only now does the store learn the index has these versions: a crash before this
        # line just means they are indexed again next time.
        store.mark_indexed(versions)
        done += len(chunk)
    if upkeep and worn(ix):
        rebuild_index(archive, wait=wait, store=store)
    return done


def worn(ix: FileIndex) -> bool:
    """Whether the index holds so many deleted documents or segments that a rebuild pays."""
    segments = segments_of(ix)
    total = sum(seg.doc_count_all() for seg in segments)
    deleted = total - sum(seg.doc_count() for seg in segments)
    too_many_deleted = deleted >= WORN_MIN_DELETED and deleted > WORN_DELETED_SHARE * total
    return too_many_deleted or len(segments) > WORN_SEGMENTS


def _bulk_writer(ix: FileIndex, wait: float) -> Any:
    from indexer.segments.bulkwrite import BulkWriter

    return BulkWriter(ix, timeout=wait, codec=ArchiveCodec())


def update_index(archive: Path, store: Store) -> int:
    """Index every post whose current version the index has not seen.

    An index from an older blogarchive is rebuilt from the store instead.
    """
    try:
        return index_posts(archive, store, store.pending_index())
    except IndexOutdated:
        return rebuild_index(archive, store=store)


def try_update_index(archive: Path, store: Store) -> int | None:
    """Like update_index, but None at once when another process is writing the index, and
    no rebuild of a worn index: a search should not wait for one, the next crawl does it."""
    try:
        return index_posts(archive, store, store.pending_index(), wait=0.0, upkeep=False)
    except IndexBusy:
        return None
    except IndexOutdated:
        return rebuild_index(archive, store=store)


def rebuild_index(
    archive: Path, procs: int | None = None, wait: float = 30.0, store: Store | None = None
) -> int:
    """Drop the index and build it again from every post in the store.

    The posts are split into `procs` runs of consecutive posts (by default one a CPU, at
    most 4, for more than 2,000 posts), each written as whole segments by a process of its
    own (indexer/bulkwrite.py); searches see the old index until the new one is complete,
    and writers of the old index wait (up to `wait` seconds, then IndexBusy).
    """
    with _opened(archive, store) as opened:
        # The versions before the build reads them: one saved meanwhile stays pending.
        versions = _all_versions(opened)
    ids = list(versions)
    procs = procs or (min(os.cpu_count() or 1, 4) if len(ids) > 2000 else 1)
    path = index_path(archive)
    tmp = path.with_name(path.name + ".new")
    with _locked(archive, wait):
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True, mode=0o700)
        try:
            ix = _Storage(tmp).create_index(build_schema())
            share = -(-len(ids) // procs)
            runs = [ids[i : i + share] for i in range(0, len(ids), share)]
            if len(runs) == 1:
                segments = write_segments(archive, tmp, runs[0])
            else:
                segments = _write_in_processes(archive, ix, runs)
            _commit_segments(ix, segments)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        # Swap in the finished index, so searches never see a half-built one.
        old = path.with_name(path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)
    with _opened(archive, store) as opened:
        opened.mark_indexed(versions)
    return len(ids)


@contextmanager
def _opened(archive: Path, store: Store | None) -> Iterator[Store]:
    """The caller's store, or one of our own for the moment."""
    if store is not None:
        yield store
        return
    with Store(archive, create=False) as own:
        yield own


@contextmanager
def _locked(archive: Path, wait: float) -> Iterator[None]:
    """The existing index's write lock, if there is an index (readable or not)."""
    from whoosh.util.filelock import try_for

    if not index_path(archive).exists():
        yield
        return
    lock = open_storage(archive).lock("MAIN_WRITELOCK")
    if not try_for(lock.acquire, timeout=wait, delay=0.1):
        raise _busy(archive)
    _note_writer(archive)
    try:
        yield
    finally:
        _note_path(archive).unlink(missing_ok=True)
        lock.release()


def holding_index(archive: Path, wait: float = 0.0) -> AbstractContextManager[None]:
    """Hold the index's write lock, as a writer does (IndexBusy when another holds it)."""
    return _locked(archive, wait)


# Whoosh's lock file says nothing of its holder: the writer leaves a note beside the index.
WRITER_NOTE = "index-writer.json"


def _note_path(archive: Path) -> Path:
    return archive / WRITER_NOTE


def _note_writer(archive: Path) -> None:
    note = {
        "pid": os.getpid(),
        "command": " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv))[:200],
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _note_path(archive).write_bytes(orjson.dumps(note))


def _busy(archive: Path) -> IndexBusy:
    """Who holds the index's lock, as far as their note says."""
    try:
        note = orjson.loads(_note_path(archive).read_bytes())
        who = f"process {note['pid']} ({note['command']}), since {note['since']}"
        if not _alive(int(note["pid"])):
            who += ", which is no longer running (its lock is released when the file is)"
    except (OSError, ValueError, KeyError, TypeError):
        who = "another process"
    return IndexBusy(f"The search index of {archive} is being written by {who}.")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_segments(archive: Path, index_dir: Path, ids: list[str]) -> list[Any]:
    """Index these posts into new segments of the index in `index_dir` (not yet committed);
    returns the segments. Runs in a process of its own during a rebuild."""
    from indexer.segments.bulkwrite import MAX_WORDS, BulkWriter

    ix = _Storage(index_dir).open_index()
    segments = []
    writer = BulkWriter(ix, _lk=False, codec=ArchiveCodec())
    try:
        with Store(archive, create=False) as opened:
            # One query for a few hundred posts, the stored JSON parsed once.
            for blob in opened.post_blobs(ids):
                writer.add_document(**document(Post.from_dict(orjson.loads(blob))))
                faults.reach("index-part")
                if writer.words_held > MAX_WORDS:
                    segments.append(writer.finish_segment())
                    writer = BulkWriter(ix, _lk=False, codec=ArchiveCodec())
        if writer.docnum:
            segments.append(writer.finish_segment())
        else:
            writer.cancel()
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    return segments


def _write_in_processes(archive: Path, ix: FileIndex, runs: list[list[str]]) -> list[Any]:
    import subprocess
    import sys
    import tempfile

    folder = ix.storage.folder
    procs: list[subprocess.Popen[bytes]] = []
    jobs = tempfile.TemporaryDirectory(prefix="blogarchive-rebuild-")
    try:
        for n, run in enumerate(runs):
            job = Path(jobs.name) / f"{n}.json"
            job.write_bytes(orjson.dumps({"archive": str(archive), "index": folder, "ids": run}))
            argv = [sys.executable, "-m", "indexer.rebuild_part", str(job)]
            procs.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        segments = []
        for proc in procs:
            out, err = proc.communicate()
            if proc.returncode:
                lines = err.decode("utf-8", "replace").strip().splitlines()
                why = (
                    f"was killed (signal {-proc.returncode})"
                    if proc.returncode < 0
                    else f"failed: {lines[-1] if lines else f'exit {proc.returncode}'}"
                )
                raise StoreError(f"A process rebuilding the search index {why}.")
            segments += [segment_from(seen, ix.indexname) for seen in orjson.loads(out)]
        return segments
    finally:
        jobs.cleanup()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _commit_segments(ix: FileIndex, segments: list[Any]) -> None:
    from whoosh.index import TOC, clean_files

    generation = ix.latest_generation() + 1
    TOC(ix.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)


def _all_versions(store: Store) -> dict[str, int]:
    versions = store.current_versions()
    if not versions:
        raise StoreError("The archive holds no posts yet.", hint="blogarchive crawl URL")
    return versions
