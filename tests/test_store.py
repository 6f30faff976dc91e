from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.archive.errors import StoreError
from crawler.archive.model import Comment, CrawlReport, Post
from crawler.archive.store import Store

SITE = "https://blog.example/"


def _post(text: str = "Erster Text", comments: tuple[Comment, ...] = ()) -> Post:
    return Post(
        url=SITE + "a/",
        title="A",
        text=text,
        site=SITE,
        comments=comments,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_versions_only_when_content_changes(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        assert store.save_post(_post()) == ("new", 0)
        assert store.save_post(_post()) == ("unchanged", 0)
        one = (Comment(id="1", text="Hallo"),)
        assert store.save_post(_post(comments=one)) == ("updated", 1)
        two = (*one, Comment(id="2", text="Antwort", parent_id="1"))
        assert store.save_post(_post(text="Neuer Text", comments=two)) == ("updated", 1)
        retagged = _post(text="Neuer Text", comments=two).with_(tags=("Neu",))
        assert store.save_post(retagged) == ("updated", 0)
        pid = _post().id
        assert [v[0] for v in store.versions(pid)] == [1, 2, 3, 4]
        assert store.stats()["top_tags"] == [("Neu", 1)]
        current = store.get_post(pid)
        assert current is not None
        assert current.text == "Neuer Text"
        assert store.get_post(SITE + "a/") == current  # by URL as well as by id
        assert len(current.comments) == 2


def test_index_bookkeeping(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        store.save_post(_post())
        assert store.pending_index() == [_post().id]
        seen = store.current_versions([_post().id, "no-such-post"])
        assert list(seen) == [_post().id]
        store.mark_indexed(seen)
        assert store.pending_index() == []
        store.save_post(_post(text="anders"))
        assert store.pending_index() == [_post().id]
        store.mark_indexed(seen)  # the version read before this one was saved
        assert store.pending_index() == [_post().id]


def test_raw_pages_grouped_by_post(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        pid = _post().id
        store.save_page(SITE + "a/comment-page-2/", pid, 2, b"<p>zwei</p>", "text/html")
        store.save_page(SITE + "a/", pid, 0, b"<p>null</p>", "text/html")
        [(got_id, pages)] = list(store.pages_by_post())
        assert got_id == pid
        assert [(p.page_no, p.body) for p in pages] == [(0, b"<p>null</p>"), (2, b"<p>zwei</p>")]


def test_crawl_runs_are_reported(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        run = store.start_run(SITE)
        store.save_post(_post())
        store.finish_run(
            CrawlReport(
                site=SITE,
                run_id=run,
                pages=3,
                posts_new=1,
                errors={"HTTP 404": 2},
                finish_reason="finished",
            )
        )
        report = store.last_report(SITE)
        assert report is not None
        assert (report.pages, report.posts_new, report.errors) == (3, 1, {"HTTP 404": 2})
        assert report.changed_ids == [_post().id]
        assert store.stats()["last_crawl"]["status"] == "finished"


def test_archive_files_are_private(tmp_path: Path) -> None:
    archive = tmp_path / "new"
    Store(archive).close()
    assert stat.S_IMODE(archive.stat().st_mode) == 0o700
    assert stat.S_IMODE((archive / "archive.sqlite3").stat().st_mode) == 0o600


def test_missing_archive_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="No archive at"):
        Store(tmp_path / "nothing", create=False)


def test_damaged_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "archive.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="Cannot open the archive database"):
        Store(tmp_path)


def test_a_post_archived_again_under_another_site_is_unchanged(tmp_path: Path) -> None:
    import hashlib

    import orjson

    post = Post(url="https://blog.example/a/", title="A", text="Text", site="https://blog.example/")
    with Store(tmp_path) as store:
        assert store.save_post(post)[0] == "new"
        moved = post.with_(site="http://blog.example/")
        assert store.save_post(moved)[0] == "unchanged"  # filed elsewhere, the same post
        # A digest written before the site was left out of it still counts as the same post.
        record = moved.to_dict()
        record.pop("fetched_at")
        legacy = hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()
        store.db.execute("UPDATE posts SET content_hash = ?", (legacy[:32],))
        assert store.save_post(moved)[0] == "unchanged"
        assert store.save_post(moved.with_(text="Text, edited"))[0] == "updated"
