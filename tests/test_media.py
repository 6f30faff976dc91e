"""A post's images: which belong to it, fetched once, kept by hash, shown and exported offline.

The crawls run against `tests.media_blog` on loopback: real image files of every way themes
show them (srcset, lazy loading, <picture>, a featured image), images that are not the post's
(logo, avatar, counter pixel, share button), and the hostile answers an image URL can give
(30 MB, HTML served as JPEG, endless redirects, SVG with script, one file under three URLs,
a host not allowed).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from crawler.archive.mediatype import NotAnImage, clean_svg, identify
from crawler.archive.model import MediaRef
from crawler.archive.paths import store_path
from crawler.archive.picture import chosen_source, srcset_candidates
from crawler.media import MediaPolicy
from crawler.parsers import parse_page
from tests.conftest import ROOT, run_cli
from tests.media_blog import BIG, MediaBlog, picture
from tests.schema_check import check_post, validator
from tests.sites import serve

POST_ID_PATH = "/bilder-im-blog/"


def _crawl(tmp: Path, url: str, *args: str) -> dict:
    done = run_cli(tmp, "crawl", url, "--json", "--timeout", "5", *args, timeout=240)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


def _image_paths(paths: list[str]) -> list[str]:
    return [p for p in paths if p.startswith(("/uploads/", "/avatar/", "/pixel", "/share/"))]


@pytest.fixture(scope="module")
def media_crawl(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("media")
    blog = MediaBlog()
    with serve(blog) as site:
        report = _crawl(tmp, site.url)
        first = list(site.paths())
        again = _crawl(tmp, site.url)
        second = site.paths()[len(first) :]
    return tmp, blog, site.url, report, first, again, second


def _db(tmp: Path) -> sqlite3.Connection:
    return sqlite3.connect(store_path(tmp))


def _post(tmp: Path) -> dict:
    done = run_cli(tmp, "export")
    assert done.returncode == 0, done.stderr
    [record] = [json.loads(line) for line in done.stdout.splitlines()]
    return record


# --- which images belong to a post, and which file stands for each --------------------------


def test_srcset_candidates_follow_the_html_standard() -> None:
    assert srcset_candidates("a.jpg 300w, b.jpg 1024w") == [
        ("a.jpg", 300.0, True),
        ("b.jpg", 1024.0, True),
    ]
    # Image CDNs put commas inside URLs; only a trailing comma ends one.
    assert [c[0] for c in srcset_candidates("/w_300,h_2/a.jpg 300w,/w_600,h_4/a.jpg 600w")] == [
        "/w_300,h_2/a.jpg",
        "/w_600,h_4/a.jpg",
    ]
    assert srcset_candidates("a.jpg, b.jpg 2x") == [("a.jpg", 1.0, False), ("b.jpg", 2.0, False)]


def test_the_largest_candidate_and_the_lazy_loaded_url_are_chosen() -> None:
    base = "https://blog.example/2020/post/"
    assert (
        chosen_source({"src": "s.jpg", "srcset": "s.jpg 300w, l.jpg 1200w, m.jpg 800w"}, (), base)
        == "https://blog.example/2020/post/l.jpg"
    )
    lazy = {"src": "data:image/gif;base64,R0l", "data-lazy-src": "/real.jpg"}
    assert chosen_source(lazy, (), base) == "https://blog.example/real.jpg"
    assert chosen_source({"src": "/s.jpg", "data-orig-file": "/full.jpg"}, (), base).endswith(
        "/full.jpg"
    )
    picture_sources = [{"srcset": "/p-800.webp 800w, /p-1600.webp 1600w"}]
    assert chosen_source({"src": "/p.jpg"}, picture_sources, base).endswith("/p-1600.webp")
    assert chosen_source({"src": "data:image/png;base64,iVBOR"}, (), base) is None


def test_the_parser_lists_the_posts_images_and_not_the_themes() -> None:
    blog = MediaBlog()
    base = "http://127.0.0.1:8000/"
    page = parse_page(base + "bilder-im-blog/", blog.post_html(base).encode())
    assert page.post is not None
    urls = [ref.url.removeprefix(base.rstrip("/")) for ref in page.post.media]
    roles = {ref.url.removeprefix(base.rstrip("/")): ref.role for ref in page.post.media}
    for path in MediaBlog.GOOD + MediaBlog.HOSTILE:
        assert path in urls, path
    for path in MediaBlog.NOT_PICTURES:
        assert path not in urls, path
    assert "/uploads/photo-300.jpg" not in urls  # the smaller srcset candidate
    assert "/uploads/pic-800.webp" not in urls
    assert roles["/uploads/feature.jpg"] == "featured"
    assert roles["/uploads/comment.jpg"] == "comment"
    assert len(urls) == len(set(urls))


def test_bytes_decide_what_an_image_is() -> None:
    jpeg = identify(picture(120, 80, 3))
    assert (jpeg.type, jpeg.width, jpeg.height) == ("image/jpeg", 120, 80)
    png = identify(picture(10, 20, 3, "PNG"))
    assert (png.type, png.width, png.height) == ("image/png", 10, 20)
    with pytest.raises(NotAnImage, match="HTML"):
        identify(b"<!doctype html><html><body>Not found</body></html>")
    with pytest.raises(NotAnImage, match="damaged"):
        identify(picture(120, 80, 3)[:40])  # cut short: a header and nothing after it
    with pytest.raises(NotAnImage):
        identify(b"")


def test_svg_keeps_the_drawing_and_loses_everything_active() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' onload="alert(1)"><script>alert(2)</script><rect width="4" height="3" fill="red"'
        b' onclick="alert(3)"/><a href="javascript:alert(4)"><text>&x;</text></a>'
        b'<image xlink:href="https://tracker.example/p.png"/><style>@import url(//x.example/s.css);'
        b'</style><set attributeName="href" to="javascript:alert(5)"/>'
        b"<foreignObject><iframe src='//x.example/'/></foreignObject></svg>"
    )
    clean = clean_svg(hostile)
    for bad in (b"script", b"onload", b"onclick", b"javascript", b"tracker", b"@import",
                b"foreignObject", b"iframe", b"passwd", b"<set"):  # fmt: skip
        assert bad not in clean, bad
    assert b"<rect" in clean
    assert b'fill="red"' in clean
    with pytest.raises(NotAnImage):
        identify(b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>')


def test_hosts_allowed_by_default_and_by_option() -> None:
    site = "https://www.laden.example/blog/"
    policy = MediaPolicy()
    assert policy.allowed("https://laden.example/wp-content/uploads/a.jpg", site)
    assert policy.allowed("https://cdn.laden.example/a.jpg", site)
    assert policy.allowed("https://i2.wp.com/laden.example/a.jpg", site)
    assert policy.allowed("https://laden.files.wordpress.com/2020/01/a.jpg", site)
    assert policy.allowed("https://1.bp.blogspot.com/-x/s1600/a.jpg", site)
    assert policy.allowed("https://miro.medium.com/max/1400/a.png", site)
    assert not policy.allowed("https://images.other.example/a.jpg", site)
    assert not policy.allowed("ftp://laden.example/a.jpg", site)
    wider = MediaPolicy(hosts=("images.other.example",))
    assert wider.allowed("https://images.other.example/a.jpg", site)
    own = MediaRef(site + "a.jpg")
    assert policy.wants(own, site)
    assert not MediaPolicy(mode="none").wants(own, site)
    in_comment = MediaRef(site + "c.jpg", "comment")
    assert not policy.wants(in_comment, site)
    assert MediaPolicy(mode="comments").wants(in_comment, site)


# --- the crawl ----------------------------------------------------------------------------


def test_every_post_image_is_kept_once_byte_for_byte(media_crawl) -> None:
    tmp, blog, _url, report, first, _, _ = media_crawl
    assert report["outcome"] == "finished"
    fetched = _image_paths(first)
    for path in MediaBlog.GOOD:
        assert fetched.count(path) == 1, path
    for path in (*MediaBlog.NOT_PICTURES, "/uploads/photo-300.jpg", "/uploads/comment.jpg"):
        assert path not in fetched, path
    db = _db(tmp)
    kept = {sha: bytes(body) for sha, body in db.execute("SELECT sha256, body FROM media_blobs")}
    for path in MediaBlog.GOOD:
        if path.endswith(".svg"):
            continue
        assert hashlib.sha256(blog.files[path]).hexdigest() in kept, path
    # The same picture under three URLs is one file, linked three times.
    same = hashlib.sha256(blog.files["/uploads/same-a.png"]).hexdigest()
    links = db.execute("SELECT count(*) FROM post_media WHERE sha256 = ?", (same,)).fetchone()
    assert links == (3,)
    assert len(kept) == len(MediaBlog.GOOD) - 2  # three URLs, one file
    assert report["media"]["new"] == len(kept)


def test_hostile_image_answers_are_refused_and_counted(media_crawl) -> None:
    tmp, _, _, report, first, _, _ = media_crawl
    errors = report["errors"]
    assert errors.get("image: not an image (an HTML page)") == 1
    assert errors.get("image: larger than the size cap") == 1
    assert errors.get("image: too many redirects") == 1
    assert report["media"]["failed"] == 3
    assert report["bytes"] < BIG // 2  # the 30 MB answer was cut off, not read
    svg = [
        bytes(body)
        for (body,) in _db(tmp).execute(
            "SELECT b.body FROM media m JOIN media_blobs b USING (sha256)"
            " WHERE m.type = 'image/svg+xml'"
        )
    ]
    assert len(svg) == 1
    assert b"script" not in svg[0]
    assert b"onload" not in svg[0]
    assert "/uploads/off.jpg" not in first  # the image on a host not allowed: never asked


def test_a_recrawl_of_the_unchanged_blog_asks_for_no_image(media_crawl) -> None:
    _, _, _, _, _, again, second = media_crawl
    assert _image_paths(second) == []
    assert again["media"] == {}


def test_export_lists_media_and_with_media_writes_the_files(media_crawl, tmp_path) -> None:
    tmp, blog, url, _, _, _, _ = media_crawl
    record = _post(tmp)
    check_post(validator(), record)
    media_validator().validate(record["media"])
    by_url = {m["url"].removeprefix(url.rstrip("/")): m for m in record["media"]}
    photo = by_url["/uploads/photo-1024.jpg"]
    assert photo["sha256"] == hashlib.sha256(blog.files["/uploads/photo-1024.jpg"]).hexdigest()
    assert (photo["type"], photo["width"], photo["height"]) == ("image/jpeg", 1024, 683)
    assert by_url["/uploads/html.jpg"]["sha256"] is None
    assert "/uploads/photo-300.jpg" in record["html"]  # the original URLs stay in html
    out = tmp_path / "export" / "posts.jsonl"
    out.parent.mkdir()
    done = run_cli(tmp, "export", "-o", str(out), "--with-media", str(tmp_path / "export" / "m"))
    assert done.returncode == 0, done.stderr
    [local] = [json.loads(line) for line in out.read_text().splitlines()]
    media_validator().validate(local["media"])
    files = {m["file"] for m in local["media"] if m.get("file")}
    assert len(files) == len(MediaBlog.GOOD) - 2
    for name in files:
        assert name.startswith("m/")
        assert (out.parent / name).is_file()
        assert f'src="{name}"' in local["html"] or name == by_name(local, "featured")
    assert "/uploads/photo-300.jpg" not in local["html"].replace("data-archived-from", "")


def media_validator():
    import jsonschema

    schema = json.loads((ROOT / "docs" / "media.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def by_name(record: dict, role: str) -> str:
    return next(m["file"] for m in record["media"] if m["role"] == role)


def test_the_reading_room_shows_archived_copies_only(media_crawl) -> None:
    from search_cli.web.app import create_app

    tmp = media_crawl[0]
    client = create_app(tmp).test_client()
    record = _post(tmp)
    page = client.get(f"/post/{record['id']}").get_data(as_text=True)
    sources = re.findall(r'<img[^>]*?\ssrc="([^"]+)"', page)
    assert sources
    assert all(src.startswith("/media/") for src in sources), sources
    kept = {m["sha256"] for m in record["media"] if m["sha256"]}
    assert {src.removeprefix("/media/") for src in sources} == kept
    assert 'data-archived-src="/uploads/html.jpg"' in page  # named, not loaded
    one = client.get(sources[0])
    assert one.status_code == 200
    assert one.content_type.startswith("image/")
    assert "sandbox" in one.headers["Content-Security-Policy"]
    assert client.get("/media/" + "0" * 64).status_code == 404
    assert client.get("/media/not-a-hash").status_code == 404


def test_show_stats_and_check_report_the_images(media_crawl) -> None:
    tmp, _, _, _, _, _, _ = media_crawl
    record = _post(tmp)
    shown = run_cli(tmp, "show", record["id"])
    assert "of 13 images archived" in shown.stdout
    assert "not archived (too many redirects)" in shown.stdout
    stats = json.loads(run_cli(tmp, "stats", "--json").stdout)
    assert stats["media_files"] == len(MediaBlog.GOOD) - 2
    assert stats["sites"][0]["media_files"] == len(MediaBlog.GOOD) - 2
    assert run_cli(tmp, "check").returncode == 0


def test_check_finds_a_damaged_image(media_crawl, tmp_path) -> None:
    tmp = media_crawl[0]
    copy = tmp_path / "archive"
    shutil.copytree(tmp, copy)
    db = _db(copy)
    first = "(SELECT min(rowid) FROM media_blobs)"
    db.execute(f"UPDATE media_blobs SET body = x'00' WHERE rowid = {first}")
    db.commit()
    db.close()
    done = run_cli(copy, "check")
    assert done.returncode == 1
    assert "does not match its hash" in done.stderr


def test_media_none_fetches_no_image_and_comments_adds_theirs(tmp_path) -> None:
    with serve(MediaBlog()) as site:
        _crawl(tmp_path / "none", site.url, "--media", "none")
        assert _image_paths(site.paths()) == []
        _crawl(tmp_path / "comments", site.url, "--media", "comments", "--max-media-size", "40MB")
        fetched = _image_paths(site.paths())
    assert "/uploads/comment.jpg" in fetched
    assert "/avatar/reader.png" not in fetched
    assert fetched.count("/uploads/huge.jpg") == 1


def test_a_changed_post_asks_again_conditionally_and_a_failure_keeps_the_copy(tmp_path) -> None:
    blog = MediaBlog()
    with serve(blog) as site:
        _crawl(tmp_path, site.url)
        seen = len(site.requests)
        blog.extra_text = "Nachtrag: ein neues Bild folgt."
        blog.fail_with["/uploads/lazy.jpg"] = 404
        report = _crawl(tmp_path, site.url)
        asked = [(p, h) for _, p, h in site.requests[seen:] if p.startswith("/uploads/")]
    conditional = [p for p, h in asked if "If-None-Match" in h]
    assert "/uploads/photo-1024.jpg" in conditional
    assert report["media"].get("unchanged", 0) >= 5
    assert report["posts_updated"] == 1
    record = _post(tmp_path)
    lazy = next(m for m in record["media"] if m["url"].endswith("/uploads/lazy.jpg"))
    assert lazy["sha256"] == hashlib.sha256(blog.files["/uploads/lazy.jpg"]).hexdigest()


def test_an_image_that_failed_for_now_is_fetched_by_the_next_crawl(tmp_path) -> None:
    blog = MediaBlog()
    blog.fail_with["/uploads/feature.jpg"] = 500  # (a 503 would slow the host down too)
    with serve(blog) as site:
        first = _crawl(tmp_path, site.url)
        assert first["errors"].get("image: HTTP 500") == 1
        del blog.fail_with["/uploads/feature.jpg"]
        seen = len(site.requests)
        _crawl(tmp_path, site.url)
        again = _image_paths(site.paths()[seen:])
    assert again == ["/uploads/feature.jpg"]
    record = _post(tmp_path)
    feature = next(m for m in record["media"] if m["role"] == "featured")
    assert feature["sha256"] == hashlib.sha256(blog.files["/uploads/feature.jpg"]).hexdigest()


def test_warc_holds_the_image_exchanges_and_import_warc_links_them(tmp_path) -> None:
    blog = MediaBlog()
    with serve(blog) as site:
        _crawl(tmp_path / "crawled", site.url, "--warc", str(tmp_path / "warc"))
    from warcio.archiveiterator import ArchiveIterator

    captured = set()
    for path in (tmp_path / "warc").glob("*.warc.gz"):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type in ("request", "response"):
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    captured.add((record.rec_type, url.removeprefix(site.url.rstrip("/"))))
    for path in MediaBlog.GOOD:
        assert ("request", path) in captured, path
        assert ("response", path) in captured, path
    done = run_cli(tmp_path / "imported", "import-warc", str(tmp_path / "warc"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["media_new"] == len(MediaBlog.GOOD) - 2
    crawled, imported = _post(tmp_path / "crawled"), _post(tmp_path / "imported")
    assert [(m["url"], m["sha256"]) for m in imported["media"]] == [
        (m["url"], m["sha256"]) for m in crawled["media"]
    ]


def test_images_an_earlier_crawl_left_are_fetched_by_the_next(tmp_path) -> None:
    # A crawl that keeps no images (or ends before it got to them) leaves the posts' image
    # links without files: the next crawl fetches them, though the post did not change.
    blog = MediaBlog()
    with serve(blog) as site:
        _crawl(tmp_path, site.url, "--media", "none")
        assert _image_paths(site.paths()) == []
        report = _crawl(tmp_path, site.url)
        fetched = _image_paths(site.paths())
    assert report["posts_updated"] == 0
    for path in MediaBlog.GOOD:
        assert fetched.count(path) == 1, path
    assert report["media"]["new"] == len(MediaBlog.GOOD) - 2


def test_an_archive_from_before_images_reads_and_checks(tmp_path) -> None:
    from crawler.archive.model import Post
    from crawler.archive.store import Store

    with Store(tmp_path) as store:
        store.save_post(
            Post(
                url="https://blog.example/a/", title="A", text="Text.", site="https://blog.example/"
            )
        )
    db = _db(tmp_path)
    for table in ("post_media", "media_urls", "media_blobs", "media"):
        db.execute(f"DROP TABLE {table}")
    db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    for args in (("check",), ("stats",), ("show", "https://blog.example/a/"), ("export",)):
        done = run_cli(tmp_path, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
