"""What the crawler fetches and leaves alone: traps, robots.txt, busy servers, other hosts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.conftest import run_cli
from tests.sites import Answer, listing, post_html, serve

POSTS = 6
NOT_FOUND: Answer = (404, {}, b"<html><body>Not found</body></html>")


def _month(value: str, step: int) -> str:
    year, month = map(int, value.split("-"))
    month += step
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return f"{year:04d}-{month:02d}"


def trap_blog(path: str) -> Answer:
    """Six posts behind endless pagination, an endless calendar, reply, share, print,
    session and search links; no robots.txt and no sitemap, so links are all there is."""
    parts = urlsplit(path)
    p = parts.path
    if p == "/":
        return 200, {}, listing([1, 2], ["/page/2/", "/events/?month=2030-01", "/2020/01/"])
    if m := re.fullmatch(r"/page/(\d+)/", p):
        n = int(m[1])
        posts = [2 * n - 1, 2 * n] if 2 * n <= POSTS else []
        return 200, {}, listing(posts, [f"/page/{n - 1}/", f"/page/{n + 1}/"])  # never ends
    if p == "/events/":
        month = parse_qs(parts.query).get("month", ["2030-01"])[0]
        links = [f"/events/?month={_month(month, -1)}", f"/events/?month={_month(month, 1)}"]
        return 200, {}, listing([], links)
    if p in ("/2020/01/", "/tag/baking/"):
        return 200, {}, listing(list(range(1, POSTS + 1)), [])
    if (m := re.fullmatch(r"/post-(\d+)/", p)) and 1 <= int(m[1]) <= POSTS:
        return 200, {}, post_html(int(m[1]))
    return NOT_FOUND


def _crawl(tmp_path: Path, url: str, *extra: str) -> dict[str, object]:
    done = run_cli(tmp_path, "crawl", url, "--json", *extra)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def _archived(tmp_path: Path) -> list[dict[str, object]]:
    out = tmp_path / "all.jsonl"
    assert run_cli(tmp_path, "export", "-o", str(out)).returncode == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_trap_blog_is_archived_whole_without_following_traps(tmp_path: Path) -> None:
    with serve(trap_blog) as site:
        report = _crawl(tmp_path, site.url, "--max-pages", "300")
        paths = site.paths()
    assert report["finish_reason"] == "finished"
    assert sorted(p["title"] for p in _archived(tmp_path)) == [
        f"Post number {n}" for n in range(1, POSTS + 1)
    ]
    for trap in ("replytocom", "share=", "/print/", "jsessionid", "?s="):
        assert not [p for p in paths if trap in p], trap
    assert all(paths.count(f"/post-{n}/") == 1 for n in range(1, POSTS + 1)), paths
    # Endless pagination and the endless calendar are cut after a few barren pages.
    assert len([p for p in paths if p.startswith("/events/")]) <= 12, paths
    assert len([p for p in paths if p.startswith("/page/")]) <= 10, paths
    assert len(paths) < 60, paths
    errors = report["errors"]
    assert isinstance(errors, dict)
    assert errors.get("endless listing (pagination or calendar) not followed", 0) >= 2


def test_robots_txt_is_obeyed_unless_told_otherwise(tmp_path: Path) -> None:
    def blog(path: str) -> Answer:
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /post-3/\n"
        return trap_blog(path)

    with serve(blog) as site:
        _crawl(tmp_path / "polite", site.url)
        assert "/post-3/" not in site.paths()
        done = run_cli(tmp_path / "rude", "crawl", site.url, "--ignore-robots")
        assert done.returncode == 0, done.stderr
        assert "ignoring robots.txt" in done.stderr
        assert "/post-3/" in site.paths()


def test_retry_after_is_honoured_before_asking_again(tmp_path: Path) -> None:
    asked: set[str] = set()

    def busy(path: str) -> Answer:
        if path in ("/post-1/", "/post-2/") and path not in asked:
            asked.add(path)
            return 503, {"Retry-After": "2"}, b"<html><body>Busy, come back later</body></html>"
        return trap_blog(path)

    with serve(busy) as site:
        report = _crawl(tmp_path, site.url, "--max-pages", "300")
        requests = site.requests
    assert report["errors"].get("HTTP 503", 0) == 0  # type: ignore[union-attr]
    assert len(_archived(tmp_path)) == POSTS
    for n in (1, 2):
        times = [t for t, p, _ in requests if p == f"/post-{n}/"]
        assert len(times) == 2
        # The server asked for two seconds; allow for clock granularity.
        assert times[1] - times[0] >= 1.9, (n, times)


def test_redirects_to_other_hosts_are_not_followed(tmp_path: Path) -> None:
    with serve(trap_blog) as elsewhere:
        other = elsewhere.url.replace("127.0.0.1", "localhost")

        def leaky(path: str) -> Answer:
            if path == "/post-4/":
                return 301, {"Location": other + "post-4/"}, b""
            if path == "/post-5/":
                return 302, {"Location": "ftp://127.0.0.1/post-5/"}, b""
            return trap_blog(path)

        with serve(leaky) as site:
            _crawl(tmp_path, site.url)
        assert elsewhere.paths() == []
    titles = {p["title"] for p in _archived(tmp_path)}
    assert "Post number 4" not in titles
    assert "Post number 1" in titles


def test_a_post_with_a_timed_meta_refresh_is_archived_and_an_immediate_one_followed(
    tmp_path: Path,
) -> None:
    """A refresh that waits shows the page first (a reload, "you will be taken to…"): the
    page is the post. One that fires at once is a redirect, and is followed like one."""
    with serve(trap_blog) as elsewhere:
        other = elsewhere.url.replace("127.0.0.1", "localhost")

        def refreshing(path: str) -> Answer:
            status, headers, body = trap_blog(path)
            if path == "/post-2/":
                head = f'<meta http-equiv="refresh" content="5;url={other}away/">'
                body = bytes(body).replace(b"<head>", b"<head>" + head.encode())
            if path == "/post-3/":
                head = '<meta http-equiv="refresh" content="0;url=/post-6/">'
                body = bytes(body).replace(b"<head>", b"<head>" + head.encode())
            return status, headers, body

        with serve(refreshing) as site:
            _crawl(tmp_path, site.url)
        assert elsewhere.paths() == []
    urls = {p["url"].split("/", 3)[3]: p["title"] for p in _archived(tmp_path)}
    assert urls["post-2/"] == "Post number 2"
    assert "post-3/" not in urls
    assert urls["post-6/"] == "Post number 6"


def test_a_paged_feed_finds_posts_no_page_links_to(tmp_path: Path) -> None:
    """No sitemap, no REST API, a home page without post links: WordPress's feed pages
    (`?paged=N`) name every post."""

    def feed(page: int) -> bytes:
        items = "".join(
            f"<item><title>Post number {n}</title><link>/post-{n}/</link></item>"
            for n in range(3 * page - 2, 3 * page + 1)
            if n <= POSTS
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Trap Blog</title>'
            f"<generator>https://wordpress.org/?v=6.4.2</generator>{items}</channel></rss>"
        ).encode()

    def feed_only(path: str) -> Answer:
        parts = urlsplit(path)
        if parts.path == "/":
            head = '<link rel="alternate" type="application/rss+xml" href="/feed/">'
            return 200, {}, f"<html><head>{head}</head><body><p>Welcome</p></body></html>".encode()
        if parts.path == "/feed/":
            page = int(parse_qs(parts.query).get("paged", ["1"])[0])
            if 3 * page - 2 > POSTS:
                return NOT_FOUND
            return 200, {"Content-Type": "application/rss+xml"}, feed(page)
        if (m := re.fullmatch(r"/post-(\d+)/", parts.path)) and 1 <= int(m[1]) <= POSTS:
            return 200, {}, post_html(int(m[1]))
        return NOT_FOUND

    with serve(feed_only) as site:
        report = _crawl(tmp_path, site.url)
        paths = site.paths()
    assert report["posts_new"] == POSTS
    assert "/feed/?paged=2" in paths
    assert "/feed/?paged=4" not in paths  # page 3 was past the end: paging stopped there
