"""Sites files and what crosses Redis: read exactly, refused in one line when wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request, Spider

from crawler.archive.errors import ArchiveError
from crawler.archive.model import Post, PostItem, RawPage
from crawler.distributed import codec as redis_codec
from crawler.sites import SiteSpec, crawl_settings, read_sites
from search_cli.sampleblog.serve import SampleSite
from tests.conftest import run_cli


def test_a_plain_list_skips_comments_blank_lines_and_repeats(tmp_path: Path) -> None:
    path = tmp_path / "sites.txt"
    path.write_text(
        "# my blogs\nhttps://blog.example/\n\n  https://zweiter.example/blog/  \n"
        "https://blog.example/\n",
        encoding="utf-8",
    )
    assert read_sites(path) == [
        SiteSpec("https://blog.example/"),
        SiteSpec("https://zweiter.example/blog/"),
    ]


def test_toml_gives_each_blog_its_own_options(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(
        '[[site]]\nurl = "https://blog.example/"\ndelay = 2.5\nmax-pages = 100\n'
        'ignore-robots = true\n\n[[site]]\nurl = "https://b.example/"\n',
        encoding="utf-8",
    )
    first, second = read_sites(path)
    assert crawl_settings(first.options) == {
        "DOWNLOAD_DELAY": 2.5,
        "CLOSESPIDER_PAGECOUNT": 100,
        "ROBOTSTXT_OBEY": False,
    }
    assert second.options == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ftp://blog.example/\n", "line 1"),
        ('[[site]]\nurl = "https://a.example/"\nspeed = 3\n', "unknown option 'speed'"),
        ('[[site]]\nurl = "https://a.example/"\ndelay = "fast"\n', "delay = 'fast'"),
        ("[[site]]\ndelay = 1\n", "needs a url"),
        ("[[site]\nurl = 1\n", "not valid TOML"),
        ("# nothing here\n", "names no blog"),
    ],
)
def test_a_bad_sites_file_is_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ("sites.toml" if "[[" in text else "sites.txt")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ArchiveError, match=message.replace("(", r"\(")) as info:
        read_sites(path)
    assert "\n" not in str(info.value)


def test_requests_cross_redis_as_json_not_pickle() -> None:
    class Blog(Spider):
        name = "blog"

        def parse(self, response: object) -> None: ...

    spider = Blog()
    request = Request(
        "https://blog.example/2010/10/laden/",
        callback=spider.parse,
        headers={"If-None-Match": '"abc"'},
        meta={"requested": "https://blog.example/2010/10/laden/", "signals": (("lastmod", "x"),)},
        priority=3,
    )
    data = redis_codec.dumps(request.to_dict(spider=spider))
    assert data.startswith(b"{")  # JSON: a crafted queue entry cannot run code
    from scrapy.utils.request import request_from_dict

    back = request_from_dict(redis_codec.loads(data), spider=spider)
    assert back.url == request.url
    assert back.callback == spider.parse
    assert back.headers.get("If-None-Match") == b'"abc"'
    assert dict(back.meta["signals"]) == {"lastmod": "x"}
    assert back.priority == 3


def test_a_workers_post_arrives_whole() -> None:
    post = Post(
        url="https://blog.example/a/",
        title="Größtenteils gut",
        text="Straße und ß",
        fetched_at=datetime(2010, 10, 27, 9, 30, tzinfo=UTC),
    )
    item = PostItem(
        post=post,
        pages=(RawPage(url=post.url, page_no=0, body=b"\xff\x00<html>", etag='"e"'),),
        requested=post.url,
        signals=(("sitemap", "2010-10-27"),),
    )
    back = redis_codec.item_from_dict(
        redis_codec.loads(redis_codec.dumps(redis_codec.item_to_dict(item)))
    )
    assert back == item


@pytest.mark.parametrize(
    ("url", "known", "site"),
    [
        # One blog, however it is written: scheme, www., default port, trailing slash.
        ("https://blog.example/", ["http://blog.example/"], "http://blog.example/"),
        ("http://www.blog.example", ["https://blog.example/"], "https://blog.example/"),
        ("https://blog.example:443/", ["https://www.blog.example/"], "https://www.blog.example/"),
        # A page inside a known blog is that blog.
        (
            "https://blog.example/2010/10/some-post/",
            ["https://blog.example/"],
            "https://blog.example/",
        ),
        (
            "https://example.org/blog/tag/x/",
            ["https://example.org/blog/"],
            "https://example.org/blog/",
        ),
        # Another port or another folder is another blog.
        ("http://blog.example:8080/", ["http://blog.example/"], "http://blog.example:8080/"),
        ("https://example.org/news/", ["https://example.org/blog/"], "https://example.org/news/"),
        # Unknown yet: the root the path shows.
        ("https://blog.example/2010/10/some-post/", [], "https://blog.example/"),
        ("https://blog.example/some-post/", [], "https://blog.example/"),
        ("https://blog.example/?p=12", [], "https://blog.example/"),
        ("https://example.org/blog/page/3/", [], "https://example.org/blog/"),
        ("https://example.org/blog/", [], "https://example.org/blog/"),
        ("https://blog.example/", [], "https://blog.example/"),
    ],
)
def test_one_blog_is_one_site(url: str, known: list[str], site: str) -> None:
    from crawler.sites import resolve_site

    assert resolve_site(url, known) == site


def test_a_url_inside_a_crawled_blog_crawls_that_blog(
    sample_site: SampleSite, tmp_path: Path
) -> None:
    first = run_cli(tmp_path, "crawl", sample_site.url, "--json")
    assert first.returncode == 0, first.stderr
    post = json.loads(run_cli(tmp_path, "search", "Sauerteig", "--json").stdout)["hits"][0]["url"]
    again = run_cli(tmp_path, "crawl", post, "--json")
    assert again.returncode == 0, again.stderr
    assert f"is part of the blog {sample_site.url}" in again.stderr
    report = json.loads(again.stdout)
    assert report["site"] == sample_site.url
    assert report["posts_updated"] == 0
    stats = json.loads(run_cli(tmp_path, "stats", "--json").stdout)
    assert len(stats["sites"]) == 1, stats["sites"]


def test_crawl_only_archives_that_one_post_under_its_blog(
    sample_site: SampleSite, crawled_archive: Path, tmp_path: Path
) -> None:
    exported = run_cli(crawled_archive, "export").stdout.splitlines()
    whole = max((json.loads(line) for line in exported), key=lambda p: len(p["comments"]))
    assert len(whole["comments"]) > 20  # its comments span several comment pages
    done = run_cli(tmp_path, "crawl", whole["url"], "--only", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["site"] == sample_site.url
    assert (report["posts_new"], report["outcome"]) == (1, "finished")
    alone = json.loads(run_cli(tmp_path, "show", whole["id"], "--json").stdout)
    assert [c["id"] for c in alone["comments"]] == [c["id"] for c in whole["comments"]]
