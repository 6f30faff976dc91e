"""Incremental recrawls and resumed crawls against real engines on the test bed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from crawler.archive.model import post_id
from crawler.archive.store import Store
from tests.conftest import run_cli, start_cli
from tests.testbed.score import load

pytestmark = pytest.mark.e2e


def _site(testbed: dict[str, Any], name: str) -> str:
    if name not in testbed:
        why = testbed.get(f"!{'wordpress' if name.startswith('wp') else name}", {})
        pytest.skip(f"{name} is not available on this machine: {why.get('problem', '')}")
    return str(testbed[name]["url"])


def _crawl(archive: Path, url: str) -> dict[str, Any]:
    done = run_cli(archive, "crawl", url, "--json")
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["errors"] == {}, report
    return report


def _rest_total(url: str, kind: str) -> int:
    with urllib.request.urlopen(f"{url}wp-json/wp/v2/{kind}?per_page=1", timeout=10) as reply:
        return int(reply.headers["X-WP-Total"])


def _export(archive: Path) -> list[dict[str, Any]]:
    out = archive / "export.jsonl"
    done = run_cli(archive, "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return load(out)


def test_wordpress_recrawl_fetches_and_reports_exactly_the_changes(
    testbed: dict[str, Any], tmp_path: Path
) -> None:
    from tests.testbed.wordpress import mutate

    url = _site(testbed, "wp-live")
    # A post whose last comment page lacks fewer than three comments (made before the crawl).
    commented = mutate(url, "fill-comment-page", "3")

    first = _crawl(tmp_path, url)
    listed = _rest_total(url, "posts") + _rest_total(url, "pages")
    assert first["posts_new"] == listed
    exported = _export(tmp_path)
    assert len({p["url"] for p in exported}) == len(exported) == listed
    print(f"first crawl: {first['requests']} requests for {listed} posts and pages")
    assert first["requests"] / listed <= 1.5, first

    second = _crawl(tmp_path, url)
    assert (second["posts_new"], second["posts_updated"], second["comments_new"]) == (0, 0, 0)
    assert second["posts_gone"] == 0
    assert second["bytes"] <= 0.10 * first["bytes"], (second["bytes"], first["bytes"])
    with Store(tmp_path) as store:
        assert store.stats()["versions"] == listed  # not one new version

    added = mutate(url, "add-post", "Frisch aus der Werkstatt")
    token = f"t{time.time_ns()}"  # the site outlives test runs: these comments are this run's
    grown = mutate(url, "add-comments", f"{commented['id']}:3:{token}")
    assert grown["pages_after"] == grown["pages_before"] + 1  # one comment opened a new page
    edited = mutate(url, "edit-post")
    trashed = mutate(url, "trash-post")

    third = _crawl(tmp_path, url)
    assert third["posts_new"] == 1
    assert third["posts_updated"] == 2
    assert third["comments_new"] == 3
    assert third["posts_gone"] == 1
    assert set(third["changed"]) == {post_id(str(u["url"])) for u in (added, grown, edited)}

    by_url = {p["url"]: p for p in _export(tmp_path)}
    new_comments = [c for c in by_url[grown["url"]]["comments"] if token in c["text"]]
    assert [c["author"] for c in new_comments] == [f"Neue Leserin {i}" for i in (1, 2, 3)]
    with urllib.request.urlopen(
        f"{url}wp-json/wp/v2/comments?post={commented['id']}&per_page=100", timeout=10
    ) as reply:
        assert len(by_url[grown["url"]]["comments"]) == int(reply.headers["X-WP-Total"])
    assert "ergänzt für die Neuauflage" in by_url[edited["url"]]["text"]
    assert trashed["url"] in by_url  # gone, never deleted
    with Store(tmp_path) as store:
        assert [v[0] for v in store.versions(post_id(str(edited["url"])))] == [1, 2]
        assert store.known_posts(url)[trashed["url"]].status == "gone"


def test_static_recrawl_asks_with_conditional_requests(
    testbed: dict[str, Any], tmp_path: Path
) -> None:
    url = _site(testbed, "pelican")
    first = _crawl(tmp_path, url)
    second = _crawl(tmp_path, url)
    assert (second["posts_new"], second["posts_updated"], second["posts_gone"]) == (0, 0, 0)
    assert second["bytes"] <= 0.10 * first["bytes"], (second["bytes"], first["bytes"])


def _posts_in(archive: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{archive / 'archive.sqlite3'}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute("SELECT count(*) FROM posts").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _comparable(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({**p, "fetched_at": None} for p in posts), key=lambda p: p["id"])


def test_a_crawl_killed_half_way_resumes_to_the_same_archive(
    testbed: dict[str, Any], tmp_path: Path
) -> None:
    url = _site(testbed, "wp-block")
    whole = tmp_path / "whole"
    _crawl(whole, url)
    expected = _export(whole)

    killed = tmp_path / "killed"
    # Slowed down, so that the kill lands in the middle of the crawl.
    proc = start_cli(
        killed,
        "crawl",
        url,
        "--delay",
        "0.05",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while _posts_in(killed) < len(expected) // 2 and time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("the crawl ended before it could be killed")
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    archived = _posts_in(killed)
    assert 0 < archived < len(expected)

    resumed = _crawl(killed, url)
    assert resumed["resumed"] is True
    assert resumed["posts_new"] == len(expected) - archived
    assert resumed["posts_updated"] == 0  # nothing archived twice
    assert _comparable(_export(killed)) == _comparable(expected)
    with Store(killed) as store:
        assert store.stats()["versions"] == len(expected)
