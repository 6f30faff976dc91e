"""`blogarchive sites`: list, rename, merge and remove the blogs of an archive."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from search_cli.sampleblog.serve import SampleSite
from tests.conftest import run_cli
from tests.sites import serve
from tests.test_outcomes import POSTS, linked_blog


def _json(done: object) -> object:
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    return json.loads(done.stdout)  # type: ignore[attr-defined]


def _two_blogs(crawled_archive: Path, tmp_path: Path) -> tuple[Path, str]:
    archive = tmp_path / "archive"
    shutil.copytree(crawled_archive, archive)
    with serve(linked_blog) as other:
        assert run_cli(archive, "crawl", other.url).returncode == 0
    return archive, other.url


def test_sites_list_rename_merge_remove(
    sample_site: SampleSite, crawled_archive: Path, tmp_path: Path
) -> None:
    archive, other = _two_blogs(crawled_archive, tmp_path)
    listed = {row["url"]: row for row in _json(run_cli(archive, "sites", "list", "--json"))}
    assert set(listed) == {sample_site.url, other}
    assert listed[other]["posts"] == POSTS
    assert listed[other]["comments"] == 2 * POSTS
    assert listed[other]["outcome"] == "finished"
    assert listed[sample_site.url]["posts"] == 35
    human = run_cli(archive, "sites", "list").stdout
    assert human.splitlines()[0].split()[:3] == ["BLOG", "POSTS", "COMMENTS"]

    # The sample blog moved to a new address: URLs rewritten, every version kept.
    hit = _json(run_cli(archive, "search", "Sauerteig", "--json"))["hits"][0]  # type: ignore[index]
    renamed = run_cli(archive, "sites", "rename", sample_site.url, "https://neu.example/")
    assert renamed.returncode == 0, renamed.stderr
    assert "35 posts" in renamed.stderr
    path = hit["url"].split("/", 3)[3]
    moved = _json(run_cli(archive, "show", f"https://neu.example/{path}", "--json"))
    assert moved["title"] == hit["title"]  # type: ignore[index]
    with sqlite3.connect(archive / "archive.sqlite3") as db:
        versions = db.execute(
            "SELECT count(*) FROM post_versions WHERE post_id = ?",
            (moved["id"],),  # type: ignore[index]
        ).fetchone()[0]
    assert versions == 2  # the version from before the move, and the moved one
    again = _json(run_cli(archive, "search", "Sauerteig", "--json"))
    assert [h["url"] for h in again["hits"]] == [f"https://neu.example/{path}"]  # type: ignore[index]

    # Two blogs that are one: filed together, nothing lost.
    assert run_cli(archive, "sites", "merge", other, "https://neu.example/").returncode == 0
    listed = _json(run_cli(archive, "sites", "list", "--json"))
    assert [(row["url"], row["posts"]) for row in listed] == [("https://neu.example/", 35 + POSTS)]  # type: ignore[index, union-attr]

    # Removing asks first; without an answer nothing goes.
    before = _json(run_cli(archive, "stats", "--json"))
    asked = run_cli(archive, "sites", "remove", "https://neu.example/", input="")
    assert asked.returncode == 1
    assert _json(run_cli(archive, "stats", "--json")) == before
    gone = run_cli(archive, "sites", "remove", "neu.example", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert f"{35 + POSTS} posts" in gone.stderr
    assert _json(run_cli(archive, "sites", "list", "--json")) == []
    assert _json(run_cli(archive, "stats", "--json"))["posts"] == 0  # type: ignore[index]


def test_sites_name_a_blog_that_is_not_there_in_one_line(crawled_archive: Path) -> None:
    done = run_cli(crawled_archive, "sites", "remove", "https://nirgends.example/", "--yes")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: No blog https://nirgends.example/ in the archive. See: blogarchive sites list"
    ]
