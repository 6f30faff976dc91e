"""How a crawl ends, said truthfully, and an archive cut short finished by the next crawls.

Two kinds of blog: one whose posts are found only by following links (listing pages that
answer 304 to a conditional request, as static servers do), and the sample blog, whose
sitemap names every post. Each is cut short (a page cap, SIGINT, SIGTERM), crawled again
until the crawl finishes, and exported: the export equals an uninterrupted crawl's.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from search_cli.sampleblog.serve import SampleSite
from tests.conftest import run_cli, start_cli
from tests.sites import Served, page, serve

POSTS = 24
PER_PAGE = 3
NOT_FOUND = (404, {}, b"not here")


def _post(n: int) -> bytes:
    comments = "".join(
        f"<li id='comment-{n}{i}' class='comment'><div class='comment-author'>Leserin {i}</div>"
        f"<div class='comment-content'><p>Kommentar {i} zu Beitrag {n}.</p></div></li>"
        for i in (1, 2)
    )
    return page(
        f"Beitrag {n}",
        f"<article class='post h-entry'><h1 class='entry-title p-name'>Beitrag {n}</h1>"
        f"<time class='dt-published' datetime='2021-03-{n:02d}T09:00:00+01:00'>{n}. März"
        f" 2021</time><div class='entry-content e-content'><p>Beitrag {n} erzählt, wie ein"
        f" kleiner Laden im Quartier Stammkunden gewinnt.</p></div></article>"
        f"<section id='comments'><ol class='commentlist'>{comments}</ol></section>",
    )


def _listing(number: int) -> bytes:
    first = (number - 1) * PER_PAGE + 1
    posts = range(first, min(first + PER_PAGE, POSTS + 1))
    items = "".join(
        f"<article class='post'><h2><a href='/post-{n}/'>Beitrag {n}</a></h2></article>"
        for n in posts
    )
    older = (
        f"<a href='/page/{number + 1}/'>Ältere Beiträge</a>" if first + PER_PAGE <= POSTS else ""
    )
    return page("Quartierladen", f"{items}<nav>{older}</nav>")


def linked_blog(path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """No sitemap, no feed: the posts are found through the listing pages alone."""
    if path == "/":
        body = _listing(1)
    elif m := re.fullmatch(r"/page/(\d+)/", path):
        if not 1 < int(m[1]) <= -(-POSTS // PER_PAGE):
            return NOT_FOUND
        body = _listing(int(m[1]))
    elif (m := re.fullmatch(r"/post-(\d+)/", path)) and 1 <= int(m[1]) <= POSTS:
        body = _post(int(m[1]))
    else:
        return NOT_FOUND
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    if (headers or {}).get("If-None-Match") == etag:
        return 304, {"ETag": etag}, b""
    return 200, {"ETag": etag}, body


class _Slow:
    """The linked blog, each page answered after a pause: a crawl long enough to stop."""

    def __init__(self, pause: float) -> None:
        self.pause = pause

    def __call__(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        time.sleep(self.pause)
        return linked_blog(path, headers)


@pytest.fixture
def linked() -> Iterator[Served]:
    with serve(linked_blog) as site:
        yield site


def _export(archive: Path) -> dict[str, tuple[object, ...]]:
    out = archive / "all.jsonl"
    done = run_cli(archive, "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    posts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {
        p["url"]: (p["title"], p["text"], p["published"], tuple(c["id"] for c in p["comments"]))
        for p in posts
    }


def _crawl(archive: Path, url: str, *extra: str) -> tuple[int, dict[str, object], str]:
    done = run_cli(archive, "crawl", url, "--json", *extra)
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


def _until_finished(archive: Path, url: str, *extra: str, most: int = 20) -> list[int]:
    """Crawl again and again until a crawl says finished; the exit codes on the way."""
    codes = []
    for _ in range(most):
        code, report, _ = _crawl(archive, url, *extra)
        codes.append(code)
        if report.get("outcome") == "finished":
            return codes
    raise AssertionError(f"never finished: {codes}")


def _page_requests(site: Served, since: int = 0) -> list[str]:
    return [p for p in site.paths()[since:] if p == "/" or p.startswith(("/page/", "/post-"))]


def test_a_capped_crawl_fetches_at_most_its_cap_and_the_next_ones_finish_the_blog(
    linked: Served, tmp_path: Path
) -> None:
    whole = tmp_path / "whole"
    code, report, _ = _crawl(whole, linked.url)
    assert (code, report["outcome"]) == (0, "finished")
    expected = _export(whole)
    assert len(expected) == POSTS

    capped = tmp_path / "capped"
    before = len(linked.paths())
    code, report, err = _crawl(capped, linked.url, "--max-pages", "5")
    assert code == 3, err
    assert report["outcome"] == "capped"
    assert report["left"] > 0
    assert len(_page_requests(linked, before)) <= 5  # a cap is a cap
    assert "Capped at 5 pages" in err
    assert "run again to continue" in err
    codes = _until_finished(capped, linked.url, "--max-pages", "5")
    assert set(codes[:-1]) <= {3}
    assert codes[-1] == 0
    assert _export(capped) == expected


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_crawl_says_so_and_the_next_one_finishes_the_blog(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    with serve(_Slow(0.15)) as site:
        whole = tmp_path / "whole"
        assert _crawl(whole, site.url)[0] == 0
        expected = _export(whole)

        stopped = tmp_path / "stopped"
        proc = start_cli(stopped, "crawl", site.url, "--json")
        _wait_for_posts(stopped / "archive.sqlite3", 3)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == code, err
        assert f"{sig.name}: stopping" in err
        assert "Traceback" not in err
        report = json.loads(out)
        assert report["outcome"] == "interrupted"
        assert report["stopped_by"] == sig.name
        assert len(_export(stopped)) < POSTS, "the crawl was not stopped part way"

        code2, again, err2 = _crawl(stopped, site.url)
        assert code2 == 0, err2
        assert again["resumed"] is True
        assert again["outcome"] == "finished"
        assert _export(stopped) == expected


def test_a_sitemap_blog_capped_then_crawled_again_equals_a_whole_crawl(
    sample_site: SampleSite, crawled_archive: Path, tmp_path: Path
) -> None:
    expected = _export(crawled_archive)
    code, report, err = _crawl(tmp_path, sample_site.url, "--max-pages", "8")
    assert code == 3, err
    assert report["outcome"] == "capped"
    assert _until_finished(tmp_path, sample_site.url, "--max-pages", "8")[-1] == 0
    assert _export(tmp_path) == expected


def test_a_blog_without_posts_is_a_failure(tmp_path: Path) -> None:
    with serve(lambda path: NOT_FOUND) as site:
        code, report, err = _crawl(tmp_path, site.url)
    assert code == 1, err
    assert report["outcome"] == "failed"
    assert f"no posts found at {site.url}: HTTP 404" in str(report["reason"])
    assert f"Failed: no posts found at {site.url}: HTTP 404" in err


def _wait_for_posts(db: Path, count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if not db.exists():
            continue
        with sqlite3.connect(db) as conn:
            try:
                if conn.execute("SELECT count(*) FROM posts").fetchone()[0] >= count:
                    return
            except sqlite3.OperationalError:
                pass
    raise AssertionError("no posts were archived within a minute")


def test_blogs_crawled_side_by_side_each_show_a_progress_line_on_a_terminal(
    sample_site: SampleSite, linked: Served, tmp_path: Path
) -> None:
    from tests.conftest import on_a_terminal

    code, seen = on_a_terminal(
        tmp_path, "crawl", sample_site.url, linked.url, "--delay", "0.05", stream="stderr"
    )
    assert code == 0
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen)
    lines = screen.splitlines()
    assert any(line.startswith(f"{sample_site.url} [") for line in lines), screen[-2000:]
    assert any(line.startswith(f"{linked.url} [") for line in lines), screen[-2000:]
    # The sitemap said how many posts there are: done of known.
    assert re.search(rf"{re.escape(sample_site.url)} \[\w+\]: \d+ requests, \d+/35 posts", screen)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_sitemap_blog_stopped_then_crawled_again_equals_a_whole_crawl(
    sample_site: SampleSite, crawled_archive: Path, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    expected = _export(crawled_archive)
    proc = start_cli(tmp_path, "crawl", sample_site.url, "--json", "--delay", "0.25")
    _wait_for_posts(tmp_path / "archive.sqlite3", 3)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert json.loads(out)["outcome"] == "interrupted"
    assert len(_export(tmp_path)) < len(expected), "the crawl was not stopped part way"
    again, report, err = _crawl(tmp_path, sample_site.url)
    assert again == 0, err
    assert (report["resumed"], report["outcome"]) == (True, "finished")
    assert _export(tmp_path) == expected


def test_a_depth_cap_is_a_cap_too_and_the_next_crawls_go_deeper(
    linked: Served, tmp_path: Path
) -> None:
    whole = tmp_path / "whole"
    assert _crawl(whole, linked.url)[0] == 0
    deep = tmp_path / "deep"
    code, report, err = _crawl(deep, linked.url, "--max-depth", "2")
    assert code == 3, err
    assert (report["outcome"], report["reason"]) == ("capped", "capped at a link depth of 2")
    codes = _until_finished(deep, linked.url, "--max-depth", "2")
    assert codes[-1] == 0
    assert _export(deep) == _export(whole)


def test_blogs_side_by_side_each_say_how_they_ended_and_the_worst_sets_the_exit_code(
    sample_site: SampleSite, tmp_path: Path
) -> None:
    with serve(lambda path: NOT_FOUND) as empty:
        done = run_cli(tmp_path, "crawl", sample_site.url, empty.url, "--json")
    assert done.returncode == 1  # one failed
    outcomes = {r["site"]: r["outcome"] for r in json.loads(done.stdout)}
    assert outcomes == {sample_site.url: "finished", empty.url: "failed"}
    assert f"{empty.url}: Failed: no posts found" in done.stderr


def test_the_exit_code_of_several_crawls() -> None:
    from crawler.archive.model import CrawlReport
    from search_cli.exits import crawl_exit_code

    def report(outcome: str, stopped_by: str | None = None) -> CrawlReport:
        return CrawlReport(site="https://blog.example/", outcome=outcome, stopped_by=stopped_by)

    assert crawl_exit_code([report("finished"), report("finished")]) == 0
    assert crawl_exit_code([report("finished"), report("capped")]) == 3
    assert crawl_exit_code([report("capped"), report("failed")]) == 1
    assert crawl_exit_code([report("failed"), report("interrupted", "SIGTERM")]) == 143
    assert crawl_exit_code([report("interrupted")]) == 130
