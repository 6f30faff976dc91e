"""The hostile blog: the crawl finishes, every good post is archived once and right, and
every bad page is counted by reason in the crawl report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.hostile import BAD_REASONS, GOOD, UMLAUTS, HostileBlog, empty_blog
from tests.sites import serve


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, HostileBlog]:
    tmp = tmp_path_factory.mktemp("hostile")
    blog = HostileBlog()
    with serve(blog) as site:
        done = run_cli(tmp, "crawl", site.url, "--json", "--timeout", "2", timeout=240)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return tmp, json.loads(done.stdout), blog


def _exported(tmp: Path) -> list[dict]:
    out = tmp / "all.jsonl"
    done = run_cli(tmp, "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_every_good_post_is_archived_once_with_its_text_decoded(hostile_crawl) -> None:
    tmp, report, _ = hostile_crawl
    assert report["finish_reason"] == "finished"
    posts = _exported(tmp)
    titles = sorted(p["title"] for p in posts)
    assert titles == sorted(title for title, _, _ in GOOD.values())
    by_title = {p["title"]: p for p in posts}
    # Declared, undeclared, mislabelled and double-encoded German text all comes out right.
    for path in (
        "/utf8/",
        "/latin1-declared/",
        "/cp1252-meta/",
        "/latin1-undeclared/",
        "/latin1-labelled-utf8/",
        "/utf8-labelled-latin1/",
        "/mojibake/",
    ):
        title = GOOD[path][0]
        assert UMLAUTS in by_title[title]["text"], (path, by_title[title]["text"])


def test_broken_pages_keep_what_can_be_read(hostile_crawl) -> None:
    tmp, _, _ = hostile_crawl
    by_title = {p["title"]: p for p in _exported(tmp)}
    malformed = by_title["Kaputtes HTML überlebt"]["text"]
    for words in ("Erster Absatz", "Zweiter Absatz", "Dritter Absatz"):
        assert words in malformed
    assert "document.write" not in malformed
    # 30 February at 25:61: no date rather than a wrong one.
    assert by_title["Der 30. Februar"]["published"] is None


def test_one_post_under_many_urls_is_fetched_and_archived_once(hostile_crawl) -> None:
    tmp, _, blog = hostile_crawl
    posts = [p for p in _exported(tmp) if p["title"] == "Ein Beitrag, viele Adressen"]
    assert len(posts) == 1
    assert posts[0]["url"].endswith("/many-urls/")
    assert blog.hits["/many-urls/"] == 1  # tracking, replytocom and fragments stripped


def test_every_bad_page_is_counted_by_reason(hostile_crawl) -> None:
    _, report, blog = hostile_crawl
    errors = report["errors"]
    for reason, least in BAD_REASONS.items():
        assert errors.get(reason, 0) >= least, (reason, errors)
    # Retried after 503s and a 429 with Retry-After, not given up.
    assert all(blog.hits[f"/storm-{n}/"] == 2 for n in range(1, 5))
    assert blog.hits["/busy/"] == 2
    # An endless redirect chain stops at Scrapy's limit (20); non-http targets never fetched.
    assert sum(n for p, n in blog.hits.items() if p.startswith("/endless-redirect/")) <= 21


def test_the_archive_answers_after_a_hostile_crawl(hostile_crawl) -> None:
    tmp, _, _ = hostile_crawl
    done = run_cli(tmp, "search", "straßencafé", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] >= 7
    check = run_cli(tmp, "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_an_empty_blog_is_crawled_and_says_so(tmp_path: Path) -> None:
    with serve(empty_blog) as site:
        done = run_cli(tmp_path, "crawl", site.url, "--json")
    # A blog with no post at all is a failure to say, not a finished crawl of nothing.
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["outcome"] == "failed"
    assert f"no posts found at {site.url}" in done.stderr
    assert report["posts_new"] == 0
    assert report["pages"] >= 1
    search = run_cli(tmp_path, "search", "anything")
    assert search.returncode == 0, search.stderr
    assert "No posts match" in search.stdout
