"""The reading room in a real browser: Debian's Chromium driven by Playwright (no browser
download), against `blogarchive serve` started on a free loopback port.

Each test saves a screenshot of the page it checked under its temporary folder.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli, start_cli
from tests.sites import serve

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
# Chromium reaches for Google's services at start unless told not to; this machine's closed
# network refuses them, and none of them has a place in a test.
FLAGS = [
    "--no-sandbox",  # root in a container has no user namespace for Chromium's own sandbox
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
# An address that no test serves, outside loopback: any request to it is a leak.
OUTSIDE = "http://203.0.113.7"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from tests.testbed.procs import Unavailable, ensure_apt

    try:
        ensure_apt(
            ["chromium"], check=["chromium"], files=[CHROMIUM], probe=[CHROMIUM, "--version"]
        )
    except (Unavailable, RuntimeError) as exc:
        pytest.skip(f"Chromium from Debian's packages is not available: {exc}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (scripts/setup test installs it)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=shutil.which("chromium") or CHROMIUM, args=FLAGS
        )
        yield chromium
        chromium.close()


class Room:
    """`blogarchive serve` over one archive, on a free port."""

    def __init__(self, archive: Path) -> None:
        self.proc = start_cli(archive, "serve", "--port", "0")
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, line
        self.url = found.group(0)

    def json(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as reply:
            return json.loads(reply.read())

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.communicate(timeout=20)
        finally:
            self.proc.kill()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.requests = []  # type: ignore[attr-defined]
    tab.blocked = []  # type: ignore[attr-defined]
    tab.on("request", lambda request: tab.requests.append(request.url))  # type: ignore[attr-defined]
    # Chromium reports a request that the Content-Security-Policy stopped before it left as
    # a failed request with the failure "csp": logged, never sent.
    tab.on(
        "requestfailed",
        lambda r: r.failure in ("csp", "net::ERR_BLOCKED_BY_CSP") and tab.blocked.append(r.url),  # type: ignore[attr-defined]
    )
    yield tab
    context.close()


@pytest.fixture(scope="module")
def sample_room(crawled_archive: Path) -> Iterator[Room]:
    room = Room(crawled_archive)
    yield room
    room.stop()


def _shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a page was drawn, not a blank
    return path


def test_front_page_lists_the_archived_blog(
    page: Any, sample_room: Room, sample_site: Any, tmp_path: Path
) -> None:
    page.goto(sample_room.url)
    rows = page.locator("table.sites tbody tr")
    assert rows.count() == 1
    assert sample_site.url in rows.first.inner_text()
    posts = int(rows.first.locator("td.n").first.inner_text())
    assert posts == len(sample_site.posts)
    assert "finished" in rows.first.inner_text()
    _shot(page, tmp_path, "front")
    page.locator("table.sites a").first.click()
    assert page.locator("ol.posts > li").count() == min(posts, 20)


def test_post_page_shows_the_thread_with_each_reply_indented_by_its_depth(
    page: Any, sample_room: Room, tmp_path: Path
) -> None:
    listed = sample_room.json("site/1.json")["posts"]
    busiest = max(listed, key=lambda p: p["comments"])
    post = sample_room.json(f"post/{busiest['id']}.json")
    parents = {c["id"]: c["parent_id"] for c in post["comments"]}
    assert any(parents.values()), "the sample blog's busiest post has replies"
    page.goto(f"{sample_room.url}post/{busiest['id']}")
    boxes: dict[str, float] = {}
    for c in post["comments"]:
        box = page.locator(f"article.comment[id='comment-{c['id']}']").bounding_box()
        assert box is not None, c["id"]
        boxes[c["id"]] = box["x"]
    for cid, parent in parents.items():
        if parent in boxes:  # a reply stands to the right of what it answers
            assert boxes[cid] > boxes[parent] + 10, (cid, parent)
        else:
            assert boxes[cid] == min(boxes.values()), cid
    # Reading order: every reply comes after its parent in the page.
    order = page.eval_on_selector_all("article.comment", "els => els.map(e => e.id)")
    for cid, parent in parents.items():
        if parent in boxes:
            assert order.index(f"comment-{cid}") > order.index(f"comment-{parent}")
    _shot(page, tmp_path, "post")


def test_a_posts_picture_is_drawn_from_the_archive_not_the_live_blog(
    page: Any, sample_room: Room, sample_site: Any, tmp_path: Path
) -> None:
    from crawler.archive.model import post_id

    with_picture = [
        p for p in sample_site.posts if any(line.startswith("!img ") for line in p.body)
    ]
    assert with_picture, "the sample blog has a post with a picture"
    url = sample_site.url.rstrip("/") + with_picture[0].path
    post = sample_room.json(f"post/{post_id(url)}.json")
    [image] = post["media"]
    assert image["width"] == 1200  # the larger srcset candidate
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{sample_room.url}post/{post['id']}")
    img = page.locator(".body figure img")
    assert img.get_attribute("src") == f"/media/{image['sha256']}"
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    assert img.evaluate("img => img.naturalWidth") == 1200
    assert not [u for u in requests if u.startswith(sample_site.url)]  # nothing from the blog
    _shot(page, tmp_path, "picture")


def test_search_finds_an_inflected_german_word_and_highlights_it(
    page: Any, sample_room: Room, tmp_path: Path
) -> None:
    page.goto(sample_room.url)
    page.fill("header input[name=q]", "Kunde")
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("article.hit")
    marks = page.locator("article.hit mark").all_inner_texts()
    assert marks, "no highlighted word"
    # The query's word in other inflections is found and marked too.
    assert {m.lower() for m in marks} - {"kunde"}, marks
    assert all(m.lower().startswith("kund") or "kund" in m.lower() for m in marks), marks
    assert int(page.locator("p.meta").first.inner_text().split()[0]) >= 2
    _shot(page, tmp_path, "search")
    page.locator("article.hit a.title").first.click()
    assert page.locator("article.post h1").inner_text()


def test_diff_page_marks_what_an_edit_on_a_live_wordpress_changed(
    page: Any, testbed: dict[str, Any], tmp_path: Path
) -> None:
    from tests.testbed.wordpress import mutate

    if "wp-live" not in testbed:
        why = testbed.get("!wordpress", {}).get("problem", "")
        pytest.skip(f"the test bed's WordPress is not available here: {why}")
    picked = mutate(str(testbed["wp-live"]["url"]), "pick-post")
    url = str(picked["url"])
    archive = tmp_path / "archive"
    first = run_cli(archive, "crawl", "--only", url, "--json")
    assert first.returncode == 0, first.stderr
    mutate(str(testbed["wp-live"]["url"]), "edit-post", str(picked["id"]))
    second = run_cli(archive, "crawl", "--only", url, "--json")
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["posts_updated"] == 1
    room = Room(archive)
    try:
        pid = room.json("site/1.json")["posts"][0]["id"]
        page.goto(f"{room.url}post/{pid}/versions")
        assert page.locator("table.versions tbody tr").count() == 2
        page.locator("table.versions a", has_text="diff").first.click()
        added = page.locator(".difftext ins").all_inner_texts()
        assert any("Nachtrag" in a for a in added), added
        assert page.locator(".difftext del").count() == 0
        # The rest of the text is there, unmarked, around the addition.
        assert len(page.locator(".difftext").inner_text()) > 200
        _shot(page, tmp_path, "diff")
    finally:
        room.stop()


HOSTILE_PAGE = f"""<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Feindlicher Beitrag | Blog</title>
<meta http-equiv="refresh" content="3;url={OUTSIDE}/refresh">
<link rel="stylesheet" href="{OUTSIDE}/style.css">
<script src="{OUTSIDE}/tracker.js"></script>
<script>window.pwned = "inline"; try {{ parent.pwned = "parent"; }} catch (e) {{}}</script>
</head><body>
<article class="post h-entry"><h1 class="entry-title p-name">Feindlicher Beitrag</h1>
<time class="dt-published" datetime="2020-03-04T10:00:00+01:00">4. März 2020</time>
<div class="entry-content e-content"><p>Ein Beitrag über Kundenbindung, der mehr will.</p>
<img src="x.png" onerror="window.pwned = 'onerror'">
<img src="{OUTSIDE}/remote.jpg" alt="remote">
<iframe src="{OUTSIDE}/frame"></iframe>
<form action="{OUTSIDE}/steal" method="post">
<input name="q" autofocus onfocus="window.pwned='focus'"></form>
<svg onload="window.pwned='svg'"><circle r="4"/></svg>
</div></article>
<script>fetch("{OUTSIDE}/beacon"); new Image().src = "{OUTSIDE}/pixel";</script>
</body></html>""".encode()


def test_a_hostile_archived_page_runs_no_script_and_fetches_nothing_off_loopback(
    page: Any, tmp_path: Path
) -> None:
    def site(path: str) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/2020/03/feindlich/"):
            return 200, {}, HOSTILE_PAGE
        return 404, {}, b"not here"

    archive = tmp_path / "archive"
    with serve(site) as blog:
        done = run_cli(archive, "crawl", "--only", blog.url + "2020/03/feindlich/", "--json")
        assert done.returncode == 0, done.stderr
    room = Room(archive)
    try:
        pid = room.json("site/1.json")["posts"][0]["id"]
        page.goto(f"{room.url}post/{pid}/raw/view")
        frame = page.frame_locator("iframe.raw")
        assert "Kundenbindung" in frame.locator("body").inner_text()
        page.wait_for_timeout(4000)  # past the page's meta refresh
        assert page.evaluate("window.pwned") is None
        inner = page.frames[1]
        assert inner.url.startswith(room.url), inner.url  # not navigated away
        assert inner.evaluate("window.pwned") is None
        _shot(page, tmp_path, "raw")
        page.goto(f"{room.url}post/{pid}")  # the cleaned post, too
        assert "Kundenbindung" in page.locator("article.post .body").inner_text()
        assert page.evaluate("window.pwned") is None
        _shot(page, tmp_path, "hostile-post")
    finally:
        room.stop()
    outside = [u for u in page.requests if not u.startswith((room.url, "data:"))]
    assert outside, "the hostile page asks for resources off loopback"
    # Every one of them was stopped by the raw page's policy before it was sent.
    assert sorted(outside) == sorted(page.blocked)
    assert any("/raw" in u for u in page.requests)
