"""Faults from outside: a process killed mid-write, a full disk, readers during a crawl,
two crawls at once. Afterwards the store and the index open and nothing committed is lost.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.archive.faults import ENV_VAR as FAULT
from tests.conftest import cli_env, run_cli, start_cli
from tests.sites import Answer, serve

WORDS = "Kunde Angebot Laden Werbung Flyer Bäckerei Umsatz Netzwerk Messe Rabatt".split()


class SlowBlog:
    """A blog of `posts` posts linked from the home page; each post answers after `delay`."""

    def __init__(self, posts: int, delay: float = 0.0, words: int = 60) -> None:
        self.posts = posts
        self.delay = delay
        self.words = words

    def text(self, n: int) -> str:
        rng = random.Random(n)
        return " ".join(rng.choice(WORDS) + rng.choice("abcdefghij") for _ in range(self.words))

    def __call__(self, path: str) -> Answer:
        if path == "/":
            links = "".join(f"<li><a href='/post-{n}/'>Post {n}</a></li>" for n in self.range())
            return 200, {}, f"<html lang='de'><body><ul>{links}</ul></body></html>".encode()
        n = int(path.strip("/").removeprefix("post-") or 0) if path.startswith("/post-") else 0
        if n not in self.range():
            return 404, {}, b"<html><body>Nicht gefunden</body></html>"
        time.sleep(self.delay)
        return (
            200,
            {},
            (
                f"<html lang='de'><head><title>Beitrag {n}</title></head><body>"
                f"<article class='post h-entry'><h1 class='entry-title p-name'>Beitrag {n}</h1>"
                f"<time class='dt-published' datetime='2021-05-{n % 28 + 1:02d}T09:00:00+02:00'>"
                f"</time><div class='entry-content e-content'><p>Beitrag {n} über Kundenpflege."
                f"</p><p>{self.text(n)}</p></div></article></body></html>"
            ).encode(),
        )

    def range(self) -> range:
        return range(1, self.posts + 1)


def _json(done: subprocess.CompletedProcess[str]) -> dict:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _titles(archive: Path) -> list[str]:
    out = archive / "all.jsonl"
    done = run_cli(archive, "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return sorted(json.loads(line)["title"] for line in out.read_text().splitlines())


def _crawl_with_fault(archive: Path, url: str, fault: str) -> subprocess.CompletedProcess[str]:
    env = {**cli_env(), FAULT: fault}
    return run_cli(archive, "crawl", url, "--json", env=env)


def test_killed_in_the_middle_of_an_archive_write(tmp_path: Path) -> None:
    blog = SlowBlog(8)
    with serve(blog) as site:
        killed = _crawl_with_fault(tmp_path, site.url, "store-write:4")
        assert killed.returncode == -signal.SIGKILL
        # Three posts were committed; the fourth died inside its transaction: not there at all.
        assert len(_titles(tmp_path)) == 3
        check = run_cli(tmp_path, "check", "--json")
        # The index lags behind the store and says so, as pending, not as damage.
        assert check.returncode == 0, check.stdout
        assert json.loads(check.stdout)["problems"] == []
        assert json.loads(check.stdout)["pending"] == 3
        assert run_cli(tmp_path, "check", "--strict").returncode == 1
        assert run_cli(tmp_path, "reindex").returncode == 0
        assert _json(run_cli(tmp_path, "check", "--json"))["problems"] == []
        # The next crawl resumes and completes the archive, each post once.
        resumed = _json(run_cli(tmp_path, "crawl", site.url, "--json"))
    assert resumed["resumed"] is True
    assert resumed["posts_new"] == 5
    assert _titles(tmp_path) == sorted(f"Beitrag {n}" for n in blog.range())
    assert _json(run_cli(tmp_path, "check", "--json"))["problems"] == []


def test_killed_during_an_index_commit(tmp_path: Path) -> None:
    blog = SlowBlog(5)
    with serve(blog) as site:
        _json(run_cli(tmp_path, "crawl", site.url, "--json"))
        blog.posts = 7  # two new posts for the recrawl
        killed = _crawl_with_fault(tmp_path, site.url, "index-commit:1")
    assert killed.returncode == -signal.SIGKILL
    # The store has all seven; the index still opens at its last commit, and says it lags.
    assert len(_titles(tmp_path)) == 7
    check = run_cli(tmp_path, "check")
    assert check.returncode == 0  # pending, not damage: the next search indexes them
    assert "Pending: 2 posts changed since they were indexed" in check.stderr
    assert json.loads(run_cli(tmp_path, "check", "--json").stdout)["indexed"] == 5
    assert run_cli(tmp_path, "check", "--strict").returncode == 1
    assert run_cli(tmp_path, "reindex").returncode == 0
    expected = {"posts": 7, "indexed": 7, "pending": 0, "problems": [], "media_files": 0}
    assert _json(run_cli(tmp_path, "check", "--json")) == expected
    hits = _json(run_cli(tmp_path, "search", "Kundenpflege", "--json", "--limit", "20"))
    assert hits["total"] == 7


def test_search_during_a_crawl_answers_from_the_last_commit(tmp_path: Path) -> None:
    blog = SlowBlog(4)
    with serve(blog) as site:
        _json(run_cli(tmp_path, "crawl", site.url, "--json"))
        blog.posts, blog.delay = 14, 0.3
        crawl = start_cli(tmp_path, "crawl", site.url, "--json", stdout=subprocess.PIPE)
        answers = []
        try:
            while crawl.poll() is None and len(answers) < 15:
                done = run_cli(tmp_path, "search", "Kundenpflege", "--json", "--limit", "50")
                assert done.returncode == 0, done.stderr
                answers.append(json.loads(done.stdout)["total"])
        finally:
            out, _ = crawl.communicate(timeout=120)
    assert crawl.returncode == 0
    assert json.loads(out)["posts_new"] == 10
    assert len(answers) >= 3
    assert all(4 <= total <= 14 for total in answers), answers
    assert answers == sorted(answers)  # never a step back to an older state


def test_a_second_crawl_on_the_same_archive_is_told_it_is_busy(tmp_path: Path) -> None:
    with serve(SlowBlog(6, delay=0.5)) as site:
        first = start_cli(tmp_path, "crawl", site.url, stdout=subprocess.DEVNULL)
        try:
            lock = tmp_path / "crawl.lock"
            deadline = time.monotonic() + 30
            while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
                time.sleep(0.05)
            second = run_cli(tmp_path, "crawl", site.url)
        finally:
            first.wait(timeout=120)
    assert second.returncode == 1
    assert "busy" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    assert first.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB file system of its own (tmpfs), so that filling it harms nothing else."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_crawl_with_a_clear_error_and_an_intact_store(
    small_disk: Path, tmp_path: Path
) -> None:
    archive = small_disk / "archive"
    blog = SlowBlog(60, words=12000)  # about 90 KB of text a post: the disk fills up
    with serve(blog) as site:
        done = run_cli(archive, "crawl", site.url, "--json")
        # With room again (the archive moved to a larger disk), the next crawl finishes it.
        roomy = tmp_path / "archive"
        shutil.copytree(archive, roomy)
        again = run_cli(roomy, "crawl", site.url, "--json")
    assert again.returncode == 0, again.stderr
    assert (_json(again)["resumed"], _json(again)["outcome"]) == (True, "finished")
    assert _titles(roomy) == sorted(f"Beitrag {n}" for n in blog.range())
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "disk is full" in lines[0]
    assert "posts archived before are kept" in lines[0]
    # Whatever was committed before the disk filled up is there and readable.
    env = cli_env()
    export = subprocess.run(
        [*_cli(archive), "export"], capture_output=True, text=True, env=env, timeout=120
    )
    assert export.returncode == 0, export.stderr
    kept = [json.loads(line) for line in export.stdout.splitlines()]
    assert 0 < len(kept) < 60
    assert all(p["text"].startswith(f"Beitrag {p['title'].split()[-1]} über") for p in kept)


def _cli(archive: Path) -> list[str]:
    from tests.conftest import cli_argv

    return cli_argv(archive)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("crawled") / "archive"
    with serve(SlowBlog(6)) as site:
        _json(run_cli(archive, "crawl", site.url, "--json"))
    return archive


@pytest.mark.parametrize("damage", ["truncated", "scribbled", "toc deleted", "folder deleted"])
def test_a_damaged_index_is_found_by_check_and_rebuilt_by_search(
    crawled: Path, tmp_path: Path, damage: str
) -> None:
    archive = tmp_path / "copy"
    shutil.copytree(crawled, archive)
    index = archive / "index"
    for seg in index.glob("*.seg"):
        data = bytearray(seg.read_bytes())
        if damage == "truncated":
            seg.write_bytes(data[:1000])
        elif damage == "scribbled":
            rng = random.Random(1)
            for _ in range(300):
                data[rng.randrange(len(data))] = rng.randrange(256)
            seg.write_bytes(data)
    if damage == "toc deleted":
        for toc in index.glob("*.toc"):
            toc.unlink()
    if damage == "folder deleted":
        shutil.rmtree(index)
    check = run_cli(archive, "check", "--json")
    assert check.returncode == 1
    assert json.loads(check.stdout)["problems"]
    done = run_cli(archive, "search", "Kundenpflege", "--json")
    # Missing or damaged, the index is rebuilt from the store, which holds all it is made of.
    assert "rebuilding it from the archive" in done.stderr
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 6
    assert _json(run_cli(archive, "check", "--json"))["problems"] == []


def test_an_index_from_an_older_blogarchive_is_rebuilt(crawled: Path, tmp_path: Path) -> None:
    from whoosh.fields import ID, Schema
    from whoosh.filedb.filestore import FileStorage

    archive = tmp_path / "copy"
    shutil.copytree(crawled, archive)
    shutil.rmtree(archive / "index")
    (archive / "index").mkdir()
    FileStorage(str(archive / "index")).create_index(Schema(id=ID(stored=True)))
    done = run_cli(archive, "search", "Kundenpflege", "--json")
    assert done.returncode == 0, done.stderr
    assert "older blogarchive; rebuilding" in done.stderr
    assert json.loads(done.stdout)["total"] == 6


def test_import_names_bad_records_and_keeps_the_good(crawled: Path, tmp_path: Path) -> None:
    dump = tmp_path / "all.jsonl"
    assert run_cli(crawled, "export", "-o", str(dump)).returncode == 0
    lines = dump.read_text(encoding="utf-8").splitlines()
    broken = [lines[0], "{not json", '{"url": "https://x.example/"}', "[1, 2]", *lines[1:]]
    dump.write_text("\n".join(broken) + "\n", encoding="utf-8")
    target = tmp_path / "imported"
    done = run_cli(target, "import", str(dump))
    assert done.returncode == 1
    assert "line 2: not JSON" in done.stderr
    assert "line 3: missing field 'title'" in done.stderr
    assert "line 4: not a post object" in done.stderr
    assert "6 new" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(_titles(target)) == 6
    nothing = tmp_path / "nothing.jsonl"
    nothing.write_bytes(b"\x00\xff garbage")
    done = run_cli(tmp_path / "other", "import", str(nothing))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Error: ")


def test_import_checks_every_record_against_the_schema_before_writing(
    crawled: Path, tmp_path: Path
) -> None:
    dump = tmp_path / "all.jsonl"
    assert run_cli(crawled, "export", "-o", str(dump)).returncode == 0
    good = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    bad = [
        {**good[0], "title": None},
        {**good[0], "tags": "Marketing"},
        {**good[0], "published": "gestern"},
        {**good[0], "comments": [{"text": "ohne id"}]},
    ]
    records = [*bad, *good[1:]]
    dump.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    target = tmp_path / "imported"
    done = run_cli(target, "import", str(dump))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "line 1: 'title' must be a string, not null" in done.stderr
    assert "line 2: 'tags' must be a list of strings" in done.stderr
    assert "line 3: 'published' is not an ISO 8601 date" in done.stderr
    assert "line 4: a comment needs a string 'id' and 'text'" in done.stderr
    assert f"{len(good) - 1} new" in done.stderr
    assert len(_titles(target)) == len(good) - 1
    found = run_cli(target, "search", "*", "--json", "--limit", "100")
    assert json.loads(found.stdout)["total"] == len(good) - 1  # indexed, too


def test_reindex_beside_another_index_writer_names_it_or_waits(
    crawled: Path, tmp_path: Path
) -> None:
    from indexer.writer import holding_index

    archive = tmp_path / "copy"
    shutil.copytree(crawled, archive)
    with holding_index(archive):  # this test process plays the other writer
        done = run_cli(archive, "reindex", timeout=60)
        assert done.returncode == 1
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, done.stderr
        assert f"is being written by process {os.getpid()}" in lines[0]
        assert "since 20" in lines[0]
        assert "add --wait" in lines[0]
        waiting = start_cli(archive, "reindex", "--wait")
        time.sleep(3)
        assert waiting.poll() is None  # it waits, as asked
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "Waiting for it to finish" in err
    assert "Indexed 6 posts" in err
