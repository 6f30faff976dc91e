from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

from crawler.archive.model import Comment, Post, post_id


def _post(**kw: object) -> Post:
    base = {
        "url": "https://blog.example/2010/10/laden/",
        "title": "Kundenbindung im kleinen Laden",
        "text": "Wer einen Laden führt …",
        "published": datetime(2010, 10, 27, 14, 5, tzinfo=timezone(timedelta(hours=2))),
        "tags": ("Kundenbindung", "Einzelhandel"),
        "comments": (
            Comment(id="1", text="Gut!", author="Jörg"),
            Comment(id="2", text="Danke", parent_id="1"),
        ),
        "site": "https://blog.example/",
    }
    return Post(**(base | kw))  # type: ignore[arg-type]


def test_post_id_ignores_scheme_www_and_fragment_but_not_path() -> None:
    assert post_id("https://www.blog.example/a/") == post_id("http://blog.example/a/")
    assert post_id("https://blog.example/a/") != post_id("https://blog.example/b/")
    assert len(post_id("https://blog.example/a/")) == 16


def test_round_trip_through_export_dict() -> None:
    post = _post(fetched_at=datetime(2026, 1, 1, tzinfo=UTC))
    data = post.to_dict()
    assert data["published"] == "2010-10-27T14:05:00+02:00"
    assert data["comments"][1]["parent_id"] == "1"
    assert Post.from_dict(data) == post


def test_content_hash_follows_content_not_fetch_time() -> None:
    a = _post(fetched_at=datetime(2026, 1, 1, tzinfo=UTC))
    b = _post(fetched_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert a.content_hash == b.content_hash
    more = _post(comments=(*a.comments, Comment(id="3", text="Neu")))
    assert more.content_hash != a.content_hash
    assert _post(text="geändert").content_hash != a.content_hash


def test_naive_dates_are_exported_with_an_offset() -> None:
    assert _post(published=datetime(2010, 10, 27)).to_dict()["published"] == (
        "2010-10-27T00:00:00+00:00"
    )


def test_model_imports_no_scrapy_twisted_or_whoosh() -> None:
    code = (
        "import sys, crawler.archive.model, crawler.archive.store, crawler.archive.paths;"
        "print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'scrapy', 'twisted', 'whoosh'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_raw_page_in_a_log_line_shows_its_size_and_type_never_its_bytes() -> None:
    from crawler.archive.model import PostItem, RawPage

    secret = b"<html><script>alert('Leserpost')</script></html>"
    item = PostItem(
        post=Post(url="https://blog.example/a/", title="A", text="a"),
        pages=(RawPage("https://blog.example/a/", 0, secret, "text/html"),),
    )
    shown = repr(item)
    assert "Leserpost" not in shown
    assert f"{len(secret)} bytes of text/html" in shown


def _c(cid: str, hour: int | None, parent: str | None = None) -> Comment:
    at = datetime(2011, 3, 14, hour, tzinfo=UTC) if hour is not None else None
    return Comment(id=cid, text=cid, parent_id=parent, published=at)


def test_thread_order_is_one_whatever_the_page_order() -> None:
    from crawler.archive.model import thread_order

    # Newest comment first on the page (WordPress's "desc"), replies under their parent.
    page = [_c("30", 9), _c("20", 5), _c("21", 6, "20"), _c("10", 1), _c("11", 8, "10")]
    assert [c.id for c in thread_order(page)] == ["10", "11", "20", "21", "30"]
    assert thread_order(thread_order(page)) == thread_order(page)


def test_thread_order_keeps_the_page_order_of_replies_and_of_undated_siblings() -> None:
    from crawler.archive.model import thread_order

    # A theme that shows threads two deep puts a deeper reply ("13", answering "12") after
    # its own parent at the last level: the page's order, not the dates, says where it goes.
    page = [_c("1", 1), _c("12", 3, "1"), _c("13", 9, "1"), _c("14", 5, "1")]
    assert [c.id for c in thread_order(page)] == ["1", "12", "13", "14"]
    assert [c.id for c in thread_order(page, replies_by_date=True)] == ["1", "12", "14", "13"]
    undated = [_c("b", None), _c("a", 2)]
    assert [c.id for c in thread_order(undated)] == ["b", "a"]


def test_thread_order_numbers_comments_of_the_same_second_and_loses_none() -> None:
    from crawler.archive.model import thread_order

    same = [_c("404", 7), _c("403", 7), _c("9", 7)]
    assert [c.id for c in thread_order(same)] == ["9", "403", "404"]
    # A cycle of parents and a repeated id (a hostile page): every comment stays.
    odd = [_c("x", 1, "y"), _c("y", 2, "x"), _c("z", 3), _c("z", 4)]
    assert sorted(c.id for c in thread_order(odd)) == ["x", "y", "z", "z"]
