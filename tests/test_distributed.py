"""Distributed crawls on a real redis-server, WARC files, and many blogs in one run.

The Redis server is Debian's, started here on a loopback port. The blogs are the test bed's
Hugo site (a real engine) and a generated blog served by a server in this process that logs
every request, so "no page fetched twice" and the delay between requests are checked from
the server's side.
"""

from __future__ import annotations

import itertools
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, cli_argv, cli_env, run_cli
from tests.testbed.procs import Unavailable, ensure_apt, free_port
from tests.testbed.score import load

pytestmark = pytest.mark.e2e

POSTS = 120


def _redis_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    try:
        ensure_apt(["redis-server"], ["redis-server"], [])
    except Unavailable as exc:
        pytest.skip(str(exc))
    port = free_port()
    server = subprocess.Popen(
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(folder),
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    return server, url


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server, url = _redis_server(tmp_path_factory.mktemp("redis"))
    yield url
    server.terminate()
    server.wait(10)


class LoggedSite:
    """A static folder on loopback that notes (time, path) of every GET; answers under
    `slow_under` take `slow` seconds more."""

    def __init__(self, root: Path, slow: float = 0.0, slow_under: str = "/") -> None:
        self.root = root
        self.log: list[tuple[float, str]] = []
        self.busy = self.most_busy = 0
        lock = threading.Lock()
        site = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                with lock:
                    site.log.append((time.monotonic(), self.path))
                    site.busy += 1
                    site.most_busy = max(site.most_busy, site.busy)
                try:
                    if self.path.startswith(slow_under):
                        time.sleep(slow)
                    super().do_GET()
                finally:
                    with lock:
                        site.busy -= 1

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(
            ("127.0.0.1", self.port), partial(Handler, directory=str(root))
        )
        self.url = f"http://127.0.0.1:{self.port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def gets(self) -> Counter[str]:
        return Counter(path for _, path in self.log)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoggedSite, list[str]]]:
    """A WordPress-like static blog of POSTS posts (bench/crawlsite), with a sitemap."""
    from bench.crawlsite import build

    root = tmp_path_factory.mktemp("blog")
    site = LoggedSite(root)
    urls = build(root, site.url, POSTS)
    yield site, urls
    site.server.shutdown()


def _start(archive: Path, *args: str, fault: str | None = None) -> subprocess.Popen[str]:
    env = cli_env()
    if fault:
        env["BLOGARCHIVE_FAULT"] = fault
    return subprocess.Popen(
        cli_argv(archive, *args),
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _workers(tmp: Path, redis_url: str, n: int, *extra: str) -> list[subprocess.Popen[str]]:
    return [
        _start(tmp / "unused", "worker", "--redis", redis_url, "--once", *extra) for _ in range(n)
    ]


def _finish(workers: list[subprocess.Popen[str]]) -> list[int]:
    """Each worker's pages, from its last line, once its crawl has ended."""
    pages = []
    for worker in workers:
        _, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err[-2000:]
        line = err.strip().splitlines()[-1]
        assert line.startswith("Worker stopped after "), err[-2000:]
        pages.append(int(line.split()[3]))
    return pages


def _export(archive: Path) -> dict[str, dict[str, Any]]:
    out = archive.parent / f"{archive.name}.jsonl"
    done = run_cli(archive, "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    posts = load(out)
    assert len({p["url"] for p in posts}) == len(posts)  # every post once
    return {p["url"]: {k: v for k, v in p.items() if k != "fetched_at"} for p in posts}


def _keys(redis_url: str) -> list[bytes]:
    import redis

    return list(redis.Redis.from_url(redis_url).scan_iter("blogarchive:*"))


def _live_slots(redis_url: str, host: str = "127.0.0.1") -> int:
    """Slots of the host's shared download cap that are taken and not lapsed."""
    import redis

    server = redis.Redis.from_url(redis_url)
    seconds, micros = server.time()
    now_ms = seconds * 1000 + micros // 1000
    return int(server.zcount(f"blogarchive:host:{host}:active", now_ms, "+inf"))


def _slots_lapse(redis_url: str) -> None:
    from crawler.distributed.politeness import SLOT_LIFETIME

    deadline = time.monotonic() + SLOT_LIFETIME + 5
    while _live_slots(redis_url) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _live_slots(redis_url) == 0


def test_three_workers_fetch_every_page_once_and_archive_every_post(
    generated: tuple[LoggedSite, list[str]], redis_url: str, tmp_path: Path
) -> None:
    site, urls = generated
    site.log.clear()
    workers = _workers(tmp_path, redis_url, 3, "--warc", str(tmp_path / "warc"))
    time.sleep(1)  # let them start; a worker may also join a crawl already running
    done = run_cli(
        tmp_path / "a", "crawl", site.url, "--redis", redis_url, "--json",
        "--warc", str(tmp_path / "warc"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    pages = _finish(workers)
    assert report["posts_new"] == POSTS, report
    assert report["errors"] == {}, report
    assert sum(pages) > 0, pages  # the workers did share the work
    assert report["pages"] >= POSTS  # the coordinator counts its workers' pages too
    gets = site.gets()
    post_paths = ["/" + u.removeprefix(site.url) for u in urls]
    assert [p for p in post_paths if gets[p] != 1] == []  # every post fetched exactly once
    assert set(_export(tmp_path / "a")) == set(urls)
    assert _keys(redis_url) == []  # the crawl cleans up after itself

    # The WARC files of all four processes validate and rebuild the same archive.
    warcs = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(warcs) >= 2
    for tool in ("check", "index"):
        checked = subprocess.run(
            [sys.executable, "-m", "warcio.cli", tool, *map(str, warcs)],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    imported = run_cli(tmp_path / "b", "import-warc", str(tmp_path / "warc"), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["posts_new"] == POSTS
    assert _export(tmp_path / "b") == _export(tmp_path / "a")


def test_a_worker_killed_holding_a_page_loses_nothing(
    generated: tuple[LoggedSite, list[str]], redis_url: str, tmp_path: Path
) -> None:
    site, urls = generated
    doomed = _start(
        tmp_path / "unused", "worker", "--redis", redis_url, "--once", fault="worker-answer:5"
    )
    healthy = _workers(tmp_path, redis_url, 1)
    done = run_cli(tmp_path / "a", "crawl", site.url, "--redis", redis_url, "--json")
    assert done.returncode == 0, done.stderr
    doomed.communicate(timeout=60)
    assert doomed.returncode == -9  # it died with a page fetched and not yet answered
    _finish(healthy)
    report = json.loads(done.stdout)
    assert report["posts_new"] == POSTS, report
    assert set(_export(tmp_path / "a")) == set(urls)
    _slots_lapse(redis_url)  # the dead worker's share of the host comes back


def test_politeness_holds_across_workers(redis_url: str, tmp_path: Path) -> None:
    from bench.crawlsite import build

    root = tmp_path / "blog"
    root.mkdir()
    site = LoggedSite(root)
    build(root, site.url, 15)
    workers = _workers(tmp_path, redis_url, 2)
    time.sleep(1)
    done = run_cli(
        tmp_path / "a", "crawl", site.url, "--redis", redis_url, "--delay", "0.25", "--json"
    )
    assert done.returncode == 0, done.stderr
    pages = _finish(workers)
    site.server.shutdown()
    assert json.loads(done.stdout)["posts_new"] == 15
    assert sum(pages) > 0
    times = sorted(t for t, _ in site.log)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Three processes, one host, still one request per 0.25 s: a slot is taken in Redis
    # before each download (a process busy parsing may send its request a little late, so
    # single gaps vary; three processes each keeping its own delay would make them 0.08 s).
    assert statistics.median(gaps) >= 0.22, sorted(gaps)
    assert times[-1] - times[0] >= 0.25 * (len(times) - 4), (len(times), times[-1] - times[0])


def test_requests_at_once_per_host_hold_across_workers(redis_url: str, tmp_path: Path) -> None:
    from bench.crawlsite import build

    root = tmp_path / "blog"
    root.mkdir()
    # Slow answers, so requests overlap even when a busy machine slows the crawlers down.
    site = LoggedSite(root, slow=0.8)
    build(root, site.url, 24)
    workers = _workers(tmp_path, redis_url, 2)
    time.sleep(1)
    done = run_cli(tmp_path / "a", "crawl", site.url, "--redis", redis_url, "--json")
    assert done.returncode == 0, done.stderr
    pages = _finish(workers)
    site.server.shutdown()
    assert json.loads(done.stdout)["posts_new"] == 24
    assert sum(pages) > 0
    # Each process alone would send 4 at once (12 in all); the host sees at most 4.
    assert 2 <= site.most_busy <= 4, site.most_busy


def test_a_long_download_keeps_its_host_slot_and_a_killed_process_frees_it(
    redis_url: str, tmp_path: Path
) -> None:
    import redis

    from bench.crawlsite import build
    from crawler.distributed.politeness import SLOT_LIFETIME

    root = tmp_path / "blog"
    root.mkdir()
    site = LoggedSite(root, slow=60, slow_under="/2015/")  # posts hang; discovery answers
    build(root, site.url, 12)
    live_slots = partial(_live_slots, redis_url)
    procs = [
        *_workers(tmp_path, redis_url, 1),
        _start(tmp_path / "a", "crawl", site.url, "--redis", redis_url),
    ]
    try:
        deadline = time.monotonic() + 60
        while site.busy < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert site.busy == 4  # the host's cap: 4 downloads hang at once
        time.sleep(SLOT_LIFETIME + 3)
        # Running downloads renew their slots: none has lapsed, none more was let through.
        assert live_slots() == 4
        assert site.busy == 4
        for proc in procs:
            proc.kill()
            proc.communicate(timeout=30)
        _slots_lapse(redis_url)  # a killed process renews nothing
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=30)
        site.server.shutdown()
        redis.Redis.from_url(redis_url).flushdb()  # the killed coordinator's claim too


def test_the_test_bed_static_blog_distributed_equals_a_local_crawl(
    testbed: dict[str, Any], redis_url: str, tmp_path: Path
) -> None:
    if "hugo" not in testbed:
        pytest.skip("the test bed's Hugo site is not available here")
    url = str(testbed["hugo"]["url"])
    workers = _workers(tmp_path, redis_url, 3)
    distributed = run_cli(tmp_path / "d", "crawl", url, "--redis", redis_url, "--json")
    assert distributed.returncode == 0, distributed.stderr
    _finish(workers)
    local = run_cli(tmp_path / "l", "crawl", url, "--json")
    assert local.returncode == 0, local.stderr
    assert json.loads(distributed.stdout)["posts_new"] == json.loads(local.stdout)["posts_new"]
    assert _export(tmp_path / "d") == _export(tmp_path / "l")


def test_a_second_crawl_on_the_same_database_is_refused(
    generated: tuple[LoggedSite, list[str]], redis_url: str, tmp_path: Path
) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.set("blogarchive:crawl", "elsewhere:1:0", ex=30)
    try:
        done = run_cli(tmp_path / "a", "crawl", generated[0].url, "--redis", redis_url)
    finally:
        client.delete("blogarchive:crawl")
    assert done.returncode == 1
    assert "Another crawl (elsewhere:1:0) is using this Redis database" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_worker_whose_redis_goes_away_says_so(tmp_path: Path) -> None:
    server, url = _redis_server(tmp_path)
    worker = _start(tmp_path / "unused", "worker", "--redis", url)
    time.sleep(3)
    server.terminate()
    server.wait(10)
    _, err = worker.communicate(timeout=60)
    assert worker.returncode == 1
    assert err.startswith("Error: Lost the connection to Redis"), err[-2000:]
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["crawl http://127.0.0.1:9/", "worker"])
def test_an_unreachable_redis_is_one_line(command: str, tmp_path: Path) -> None:
    port = free_port()
    done = run_cli(tmp_path / "a", *command.split(), "--redis", f"redis://127.0.0.1:{port}/0")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: Cannot reach Redis at redis://127.0.0.1:"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_many_blogs_from_a_sites_file_in_one_run(
    generated: tuple[LoggedSite, list[str]], sample_site: Any, tmp_path: Path
) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(
        f'[[site]]\nurl = "{generated[0].url}"\nmax-pages = 500\n\n'
        f'[[site]]\nurl = "{sample_site.url}"\ndelay = 0\n',
        encoding="utf-8",
    )
    done = run_cli(tmp_path / "a", "crawl", "--sites", str(sites), "--json")
    assert done.returncode == 0, done.stderr
    reports = json.loads(done.stdout)
    assert [r["site"] for r in reports] == [generated[0].url, sample_site.url]
    assert reports[0]["posts_new"] == POSTS
    assert reports[1]["posts_new"] > 0
    exported = _export(tmp_path / "a")
    assert {p["site"] for p in exported.values()} == {generated[0].url, sample_site.url}


def test_import_warc_reads_wget_captures_and_rejects_other_files(
    sample_site: Any, tmp_path: Path
) -> None:
    try:
        ensure_apt(["wget"], ["wget"], [])
    except Unavailable as exc:
        pytest.skip(str(exc))
    wget = shutil.which("wget") or "wget"
    capture = tmp_path / "capture"
    subprocess.run(
        [wget, "--quiet", "--recursive", "--level=3", "--no-parent", "--delete-after",
         f"--warc-file={capture}", "--no-warc-compression", sample_site.url],
        cwd=tmp_path,
        timeout=120,
        check=False,
    )  # fmt: skip
    warc = tmp_path / "capture.warc"
    assert warc.exists()
    done = run_cli(tmp_path / "a", "import-warc", str(warc), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["posts_new"] > 0

    bogus = tmp_path / "not.warc"
    bogus.write_bytes(b"<html>not a WARC</html>")
    done = run_cli(tmp_path / "b", "import-warc", str(bogus))
    assert done.returncode == 1
    assert done.stderr.startswith("Error: "), done.stderr
    assert "Traceback" not in done.stderr


def test_workers_fetch_the_posts_images_and_the_coordinator_keeps_them(
    redis_url: str, tmp_path: Path
) -> None:
    from bench.crawlsite import build

    (tmp_path / "blog").mkdir()
    site = LoggedSite(tmp_path / "blog", slow=0.2, slow_under="/wp-content/")
    try:
        urls = build(tmp_path / "blog", site.url, 12, images=2)
        workers = _workers(tmp_path, redis_url, 2)
        time.sleep(1)
        done = run_cli(tmp_path / "shared", "crawl", site.url, "--redis", redis_url, "--json")
        assert done.returncode == 0, done.stderr
        pages = _finish(workers)
        gets = site.gets()
        local = run_cli(tmp_path / "local", "crawl", site.url, "--json")
        assert local.returncode == 0, local.stderr
    finally:
        site.server.shutdown()
    report = json.loads(done.stdout)
    assert sum(pages) > 0  # the workers took part
    large = [p for p in gets if p.endswith("-1024x683.jpg")]
    assert len(large) == 24
    assert all(gets[p] == 1 for p in large)  # each image fetched once, by one process
    assert not [p for p in gets if p.endswith("-300x200.jpg")]
    assert report["media"]["new"] == 24
    shared, alone = _export(tmp_path / "shared"), _export(tmp_path / "local")
    assert set(shared) == set(urls)
    assert shared == alone  # media (hashes, sizes) included
    assert _keys(redis_url) == []
