"""The rebuild's segment writer (indexer/bulkwrite.py) against Whoosh's own writer, and the
rebuild in several processes."""

from __future__ import annotations

import random
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3Codec

from crawler.archive.errors import StoreError
from crawler.archive.model import Comment, Post
from crawler.archive.store import Store
from indexer import writer
from indexer.schema import build_schema
from indexer.search import search
from indexer.segments.bulkwrite import BulkWriter

WORDS = (
    "Kunden Kundin Läden Straße Strasse größtenteils grösstenteils Kleinunternehmen"
    " E-Mail-Marketing Website-Relaunch Bäckerei café Café naïve İstanbul 2010 27. Oktober"
    " über und der die das"
    " customers shop's reviews word of mouth l'été Ärger ÄRGER ß ẞ 𝔘nicode emoji🙂 x-y"
).split()


def _post(rng: random.Random, n: int, words: int) -> Post:
    def text(k: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(k))

    when = datetime(2005, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 7000))
    return Post(
        url=f"https://blog.example/{n}/",
        title=text(rng.randint(0, 6)),
        text=text(words),
        author=rng.choice(["Anna Becker", "Jörg Müller", None]),
        published=when if rng.random() < 0.9 else None,
        language=rng.choice(["de", "de-CH", "en", None]),
        categories=tuple(rng.sample(["Werbung", "Marketing, lokal", "Läden"], rng.randint(0, 2))),
        tags=tuple(rng.sample(["Kunden", "SEO", "Straßenfest", "a,b"], rng.randint(0, 3))),
        comments=tuple(
            Comment(id=f"{n}-{c}", text=text(rng.randint(1, 30)), author="Leser")
            for c in range(rng.randint(0, 3))
        ),
        site="https://blog.example/",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def _build(folder: Path, docs: list[dict[str, Any]], bulk: bool) -> Any:
    folder.mkdir()
    ix = writer._Storage(folder).create_index(build_schema())
    # Blocks of 4 postings: many terms span several blocks.
    codec = W3Codec(blocklimit=4)
    w = BulkWriter(ix, codec=codec) if bulk else ix.writer(codec=codec)
    for doc in docs:
        w.add_document(**doc)
    w.commit()
    return ix


def _assert_same_index(a: Any, b: Any) -> None:
    with a.reader() as ra, b.reader() as rb:
        assert ra.doc_count_all() == rb.doc_count_all()
        terms = list(ra.all_terms())
        assert terms == list(rb.all_terms())
        ta, tb = ra._terms, rb._terms
        for fieldname, btext in terms:
            ia, ib = ta.term_info(fieldname, btext), tb.term_info(fieldname, btext)
            stats = ("_weight", "_df", "_minlength", "_maxlength", "_maxweight", "_minid", "_maxid")
            assert [getattr(ia, k) for k in stats] == [getattr(ib, k) for k in stats], btext
            (oa, la), (ob, lb) = ia.extent(), ib.extent()
            la, lb = (
                (la[0] if isinstance(la, tuple) else la),
                (lb[0] if isinstance(lb, tuple) else lb),
            )
            # The posting lists byte for byte: block layout, statistics, compression.
            assert ta._postfile.get(oa, la) == tb._postfile.get(ob, lb), (fieldname, btext)
        assert list(ra.iter_docs()) == list(rb.iter_docs())  # stored fields
        for fieldname in ra.schema.scorable_names():
            assert ra.field_length(fieldname) == rb.field_length(fieldname)
            if ra.field_length(fieldname):  # Whoosh fails on a field nobody has
                assert ra.max_field_length(fieldname) == rb.max_field_length(fieldname)
            for docnum in range(ra.doc_count_all()):
                assert ra.doc_field_length(docnum, fieldname) == rb.doc_field_length(
                    docnum, fieldname
                )
        raw = (
            ra.column_reader("published", translate=False),
            rb.column_reader("published", translate=False),
        )
        assert list(raw[0]) == list(raw[1])


def test_bulk_segment_is_what_whoosh_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "indexer.segments.bulkwrite.CHUNK_POSTINGS", 7
    )  # blocks made in many chunks
    rng = random.Random(7)
    docs = [writer.document(_post(rng, n, rng.choice([0, 3, 40, 400]))) for n in range(60)]
    _assert_same_index(
        _build(tmp_path / "bulk", docs, True), _build(tmp_path / "whoosh", docs, False)
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.text(min_size=0, max_size=200), min_size=1, max_size=6))
def test_bulk_segment_matches_whoosh_on_any_text(texts: list[str]) -> None:
    # Any Unicode: term order is by UTF-8 bytes, as Whoosh's pool sorts them.
    docs = [
        writer.document(
            Post(url=f"https://b.example/{i}/", title=t[:20], text=t, language=("de", "en")[i % 2])
        )
        for i, t in enumerate(texts)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        _assert_same_index(
            _build(Path(tmp) / "bulk", docs, True), _build(Path(tmp) / "whoosh", docs, False)
        )


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bulk")
    rng = random.Random(3)
    with Store(path) as store:
        for n in range(240):
            store.save_post(_post(rng, n, rng.randint(20, 300)))
    return path


def _results(archive: Path) -> list[Any]:
    out = []
    queries = ("Kunden", "strasse", '"word of mouth"', "unternehmen", "kund*", "Ärger AND Läden")
    for query in queries:
        for sort in ("relevance", "newest"):
            result = search(archive, query, limit=300, sort=sort, facets=("tag", "year"))
            # equal scores or dates in the order of the document numbers, which differ
            hits: list[Any] = sorted(((round(h.score, 6), h.id) for h in result.hits), reverse=True)
            if "*" in query:  # Whoosh scores wildcards, and how depends on the segments
                hits = sorted(h for _, h in hits)
            out.append((result.total, hits, result.facets))
    return out


def _segment_sizes(archive: Path) -> list[int]:
    return [s.doc_count_all() for s in writer.open_storage(archive).open_index()._segments()]


def test_rebuild_in_processes_and_segments_finds_the_same(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert writer.rebuild_index(archive, procs=1) == 240
    alone = _results(archive)
    assert _segment_sizes(archive) == [240]

    assert writer.rebuild_index(archive, procs=3) == 240
    assert _segment_sizes(archive) == [80, 80, 80]
    assert _results(archive) == alone

    monkeypatch.setattr(
        "indexer.segments.bulkwrite.MAX_WORDS", 5000
    )  # a new segment every few posts
    assert writer.rebuild_index(archive, procs=1) == 240
    sizes = _segment_sizes(archive)
    assert len(sizes) > 5
    assert sum(sizes) == 240
    assert _results(archive) == alone
    # nothing left behind: no temporary folders, no job files
    index = writer.index_path(archive)
    assert [p.name for p in index.iterdir() if not p.name.endswith((".seg", ".toc"))] == []
    assert not list(index.parent.glob("index.*"))
    assert not list(Path(tempfile.gettempdir()).glob("blogarchive-rebuild-*"))


def test_a_killed_rebuild_process_keeps_the_old_index(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer.rebuild_index(archive, procs=1)
    before = _results(archive)
    monkeypatch.setenv("BLOGARCHIVE_FAULT", "index-part:20")  # each process dies at its 20th post
    with pytest.raises(StoreError, match=r"^A process rebuilding the search index was killed"):
        writer.rebuild_index(archive, procs=2)
    monkeypatch.delenv("BLOGARCHIVE_FAULT")
    assert not list(writer.index_path(archive).parent.glob("index.*"))
    assert _results(archive) == before


def test_most_of_the_archive_new_builds_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    rebuild = writer.rebuild_index

    def spy(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        return rebuild(*args, **kwargs)

    monkeypatch.setattr(writer, "rebuild_index", spy)
    monkeypatch.setattr(writer, "BATCH", 10)
    rng = random.Random(5)
    with Store(tmp_path) as store:
        for n in range(30):
            store.save_post(_post(rng, n, 30))
        assert writer.update_index(tmp_path, store) == 30  # a first crawl: built afresh
        assert calls == [1]
        for n in range(30, 40):  # a few new posts: an update
            store.save_post(_post(rng, n, 30))
        assert writer.update_index(tmp_path, store) == 10
        assert calls == [1]
        assert store.pending_index() == []
    updated = _results(tmp_path)
    rebuild(tmp_path)
    assert _results(tmp_path) == updated  # the update found what a rebuild finds


def test_many_changed_posts_are_updated_as_one_new_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "BATCH", 10)  # more than this: the bulk writer
    rng = random.Random(9)
    posts = [_post(rng, n, 40) for n in range(90)]
    with Store(tmp_path) as store:
        for post in posts:
            store.save_post(post)
        writer.update_index(tmp_path, store)
        assert len(_segment_sizes(tmp_path)) == 1
        # A third of the posts edited, three new: more than BATCH, less than half.
        for post in posts[:30]:
            store.save_post(replace(post, text=post.text + " Nachtrag über Messebesuche"))
        for n in range(90, 93):
            store.save_post(_post(rng, n, 40))
        assert writer.update_index(tmp_path, store) == 33
        assert store.pending_index() == []
    # one new segment for the 33 posts written, the old one minus what was replaced
    assert _segment_sizes(tmp_path) == [90, 33]
    updated = _found(tmp_path)
    assert search(tmp_path, "Messebesuche", limit=100).total == 30
    writer.rebuild_index(tmp_path)
    # The same posts found (scores differ: Whoosh's statistics count replaced documents
    # until their segment is merged away).
    assert _found(tmp_path) == updated


def _found(archive: Path) -> list[Any]:
    """_results without the scores."""
    out = []
    for total, hits, facets in _results(archive):
        ids = sorted(h if isinstance(h, str) else h[1] for h in hits)
        out.append((total, ids, facets))
    return out


def test_an_index_worn_by_updates_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "BATCH", 10)  # more than this: the bulk writer
    monkeypatch.setattr(writer, "WORN_MIN_DELETED", 10)
    rng = random.Random(11)
    posts = [_post(rng, n, 40) for n in range(90)]

    def edit(some: list[Post]) -> None:
        for post in some:
            store.save_post(replace(post, text=post.text + " Nachtrag über Messebesuche"))
        assert writer.update_index(tmp_path, store) == len(some)

    with Store(tmp_path) as store:
        for post in posts:
            store.save_post(post)
        writer.update_index(tmp_path, store)
        edit(posts[:15])  # 15 of 105 documents deleted: left as they are
        assert _segment_sizes(tmp_path) == [90, 15]
        edit(posts[15:30])  # 30 of 120, past a fifth: the update ends with a rebuild
        assert _segment_sizes(tmp_path) == [90]
        compacted = _results(tmp_path)
        writer.rebuild_index(tmp_path)
        assert _results(tmp_path) == compacted  # scores too: no deleted documents counted

        monkeypatch.setattr(writer, "WORN_SEGMENTS", 3)
        for batch in range(3):  # new posts only, each update a segment of its own
            for n in range(100 + 11 * batch, 111 + 11 * batch):
                store.save_post(_post(rng, n, 40))
            writer.update_index(tmp_path, store)
        assert _segment_sizes(tmp_path) == [123]  # the fourth segment was one too many
        assert store.pending_index() == []


@pytest.mark.parametrize("bulk", [False, True])
def test_a_post_saved_while_the_index_is_written_stays_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    """Another process (a crawl) saves a new version of a post the index writer has read."""
    monkeypatch.setattr(writer, "BATCH", 10 if bulk else 500)
    rng = random.Random(13)
    posts = [_post(rng, n, 30) for n in range(40)]
    with Store(tmp_path) as store:
        for post in posts:
            store.save_post(post)
        writer.update_index(tmp_path, store)  # a rebuild: most of the archive is new
        for post in posts[:12]:
            store.save_post(replace(post, text=post.text + " Nachtrag"))
        late = replace(posts[0], text=posts[0].text + " Spätzünder")
        read = Store.get_post

        def get_post(self: Store, ref: str) -> Post | None:
            found = read(self, ref)
            if ref == late.id:
                with Store(tmp_path) as other:
                    other.save_post(late)
            return found

        monkeypatch.setattr(Store, "get_post", get_post)
        assert writer.update_index(tmp_path, store) == 12
        monkeypatch.undo()
        assert store.pending_index() == [late.id]  # its new version is not in the index
        assert search(tmp_path, "Spätzünder").total == 0
        assert writer.update_index(tmp_path, store) == 1
        assert search(tmp_path, "Spätzünder").total == 1


def test_a_post_saved_while_the_index_is_rebuilt_stays_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(17)
    posts = [_post(rng, n, 30) for n in range(20)]
    late = replace(posts[3], text=posts[3].text + " Spätzünder")
    build = writer.write_segments

    def write_segments(archive: Path, index_dir: Path, ids: list[str]) -> list[Any]:
        segments = build(archive, index_dir, ids)
        with Store(archive) as other:
            other.save_post(late)
        return segments

    with Store(tmp_path) as store:
        for post in posts:
            store.save_post(post)
    monkeypatch.setattr(writer, "write_segments", write_segments)
    assert writer.rebuild_index(tmp_path, procs=1) == 20
    with Store(tmp_path) as store:
        assert store.pending_index() == [late.id]
