"""The sample blog served on 127.0.0.1, crawled by `blogarchive crawl`, searched and exported."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search_cli.sampleblog.serve import SampleSite
from tests.conftest import ROOT, cli_argv, cli_env, run_cli, start_cli
from tests.schema_check import check_post, validator

pytestmark = pytest.mark.e2e


def _export(archive: Path) -> list[dict]:  # type: ignore[type-arg]
    done = run_cli(archive, "export")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_every_post_and_comment_archived_exactly_once(
    sample_site: SampleSite, crawled_archive: Path
) -> None:
    posts = _export(crawled_archive)
    by_url = {p["url"]: p for p in posts}
    assert len(by_url) == len(posts), "a post was archived twice"
    want = {sample_site.url.rstrip("/") + src.path: src for src in sample_site.posts}
    assert set(by_url) == set(want)
    for url, src in want.items():
        got = by_url[url]
        assert got["kind"] == src.kind
        assert got["title"] == src.title
        assert got["author"] == src.author
        assert got["published"] == src.published.isoformat()
        assert got["tags"] == src.tags
        assert got["categories"] == src.categories if src.kind == "post" else True
        assert [(c["id"], c["parent_id"], c["author"], c["text"]) for c in got["comments"]] == [
            (c.id, c.parent_id, c.author, c.text) for c in src.comments
        ], url
        assert [c["type"] for c in got["comments"]] == [c.type for c in src.comments]


def test_export_validates_against_the_schema(crawled_archive: Path, tmp_path: Path) -> None:
    v = validator()
    posts = _export(crawled_archive)
    for post in posts:
        check_post(v, post)
    out = tmp_path / "all.json"
    done = run_cli(crawled_archive, "export", "--format", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == posts
    assert "\\u00" not in out.read_text(encoding="utf-8")  # UTF-8, not escapes


def test_search_finds_an_inflected_german_word(crawled_archive: Path) -> None:
    done = run_cli(crawled_archive, "search", "Stammkunde", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    titles = [h["title"] for h in result["hits"]]
    assert "Kundenbindung im kleinen Laden" in titles  # the text says "Stammkunden"
    assert set(result) >= {"query", "total", "page", "limit", "hits"}
    hit = result["hits"][0]
    assert set(hit) >= {
        "id",
        "url",
        "title",
        "published",
        "author",
        "score",
        "highlights",
        "matched_in",
    }


def test_search_export_query_and_filters(crawled_archive: Path) -> None:
    done = run_cli(crawled_archive, "export", "Bauernbrot OR Sauerteig", "--since", "2012")
    assert done.returncode == 0, done.stderr
    titles = [json.loads(line)["title"] for line in done.stdout.splitlines()]
    assert titles == ["Ein Blog für die Bäckerei"]


def test_bad_query_is_a_one_line_usage_error(crawled_archive: Path) -> None:
    done = run_cli(crawled_archive, "search", '"kleinen Laden')
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "Unbalanced quotes" in done.stderr


def test_search_imports_neither_scrapy_nor_twisted(crawled_archive: Path) -> None:
    done = subprocess.run(
        cli_argv(crawled_archive, "search", "kunden", python_flags=("-X", "importtime")),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=cli_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    heavy = sorted(m for m in modules if m.split(".")[0] in {"scrapy", "twisted"})
    assert heavy == []
    # The reading room's web stack is for `serve` alone.
    web = {"flask", "werkzeug", "jinja2", "waitress"}
    assert sorted(m for m in modules if m.split(".")[0] in web) == []
    assert "whoosh" in {m.split(".")[0] for m in modules}  # the check itself works


def test_show_stats_reparse_and_recrawl(sample_site: SampleSite, crawled_archive: Path) -> None:
    url = sample_site.url + "2010/10/kundenbindung-im-kleinen-laden/"
    shown = run_cli(crawled_archive, "show", url)
    assert shown.returncode == 0, shown.stderr
    assert "Kundenbindung im kleinen Laden" in shown.stdout
    assert "    Anna Becker" in shown.stdout  # a reply, indented under its comment
    stats = json.loads(run_cli(crawled_archive, "stats", "--json").stdout)
    assert (stats["posts"], stats["pages"], stats["comments"]) == (33, 2, 66)
    reparsed = run_cli(crawled_archive, "reparse")
    assert reparsed.returncode == 0, reparsed.stderr
    assert "0 changed" in reparsed.stderr
    again = run_cli(crawled_archive, "crawl", sample_site.url, "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert (report["posts_new"], report["posts_updated"], report["comments_new"]) == (0, 0, 0)
    assert json.loads(run_cli(crawled_archive, "stats", "--json").stdout)["versions"] == 35


def test_scrapy_crawl_from_the_project_root(sample_site: SampleSite, tmp_path: Path) -> None:
    env = {**os.environ, "BLOGARCHIVE_ARCHIVE": str(tmp_path), "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "blog",
            "-a",
            f"url={sample_site.url}",
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    # The index catches up on first search: no separate step needed.
    found = run_cli(tmp_path, "search", "Sauerteig", "--json")
    assert found.returncode == 0, found.stderr
    assert [h["title"] for h in json.loads(found.stdout)["hits"]] == ["Ein Blog für die Bäckerei"]


def test_interrupted_crawl_leaves_a_readable_archive(
    sample_site: SampleSite, tmp_path: Path
) -> None:
    proc = start_cli(tmp_path, "crawl", sample_site.url, "--delay", "0.25")
    db = tmp_path / "archive.sqlite3"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until a few posts are in
        time.sleep(0.5)
        if db.exists():
            with sqlite3.connect(db) as conn:
                try:
                    if conn.execute("SELECT count(*) FROM posts").fetchone()[0] >= 3:
                        break
                except sqlite3.OperationalError:
                    pass
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    stats = run_cli(tmp_path, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    archived = json.loads(stats.stdout)["posts"]
    assert 3 <= archived < 32, "the crawl was not interrupted part way"
    found = run_cli(tmp_path, "search", "*", "--json", "--limit", "100")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["total"] == archived + json.loads(stats.stdout)["pages"]


def test_second_crawl_on_a_busy_archive_says_so(sample_site: SampleSite, tmp_path: Path) -> None:
    from crawler.archive.lock import crawl_lock

    with crawl_lock(tmp_path):  # this test process plays the crawl that is running
        done = run_cli(tmp_path, "crawl", sample_site.url)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "is busy: another crawl" in lines[0]


def test_unreachable_blog_is_one_line_and_exit_1(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a loopback port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = run_cli(tmp_path, "crawl", f"http://127.0.0.1:{port}/", "--max-pages", "5")
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [lines[-1]]
    assert "Could not fetch anything from" in lines[0]
