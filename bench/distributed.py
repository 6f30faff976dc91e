"""Distributed crawl throughput: one crawling process against several on one Redis frontier.

Run: .venv/bin/python -m bench.distributed [--posts 5000] [--workers 1,3] [--rounds 1]

The static blog of bench/crawlsite (5,000 WordPress-like posts by default) is served by nginx
on loopback with an access log; Debian's redis-server runs on a private port. Each run
archives the whole blog into a fresh archive: first `crawl --redis` alone (one process
fetching and parsing), then with N `blogarchive worker --once` processes beside it. Timed is
the crawl itself (the coordinator's `crawl_blogs`, index update excluded), in a fresh process.
From nginx's access log: posts fetched more than once (duplicates) and posts never archived
(missing). Ratios are against the one-process run of the same round. The machine has 2 cores,
so more processes than that share them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.crawl import OUT, _free_port, _nginx, _site, _wait

CRAWL = """
import json, sys, time
from pathlib import Path
from crawler.run import crawl_blogs
from crawler.sites import SiteSpec
start = time.perf_counter()
report = crawl_blogs([SiteSpec(sys.argv[1])], Path(sys.argv[2]), redis_url=sys.argv[3],
                     AUTOTHROTTLE_ENABLED=False)[0]
print(json.dumps({"wall": time.perf_counter() - start, "posts": report.posts_new,
                  "pages": report.pages, "errors": report.errors}))
"""


def _redis(port: int, folder: Path) -> subprocess.Popen[bytes]:
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    _wait(port)
    return proc


def _run(base: str, redis_url: str, workers: int, work: Path, log: Path) -> dict[str, object]:
    archive = work / f"archive-{workers}-{time.monotonic_ns()}"
    log.write_text("")
    argv = [sys.executable, "-m", "search_cli.main", "worker", "--redis", redis_url, "--once"]
    started = [
        subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(workers)
    ]
    time.sleep(2 if workers else 0)  # let the workers start before the clock does
    done = subprocess.run(
        [sys.executable, "-c", CRAWL, base, str(archive), redis_url],
        capture_output=True,
        text=True,
        check=False,
    )
    pages = []
    for proc in started:
        _, err = proc.communicate(timeout=120)
        last = (err.strip().splitlines() or ["?"])[-1]
        pages.append(int(last.split()[3]) if last.startswith("Worker stopped") else -1)
    if done.returncode != 0:
        raise SystemExit(f"the crawl failed:\n{done.stderr[-2000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["worker_pages"] = pages
    fetched = Counter(line.strip() for line in log.read_text().splitlines())
    result["fetched"] = fetched
    shutil.rmtree(archive, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--workers", default="1,3", help="worker counts to compare, e.g. 1,3")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    web_port, redis_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{web_port}/"
    root, urls = _site(args.posts, base)
    paths = ["/" + u.removeprefix(base) for u in urls]
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        work = Path(tmp)
        log = work / "access.log"
        web = _nginx(root, web_port, access_log=log, prefix=OUT / "nginx-distributed")
        redis = _redis(redis_port, work)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        walls: dict[int, list[float]] = {n: [] for n in [0, *counts]}
        try:
            for round_no in range(args.rounds):
                for n in [0, *counts]:
                    result = _run(base, redis_url, n, work, log)
                    fetched: Counter[str] = result.pop("fetched")  # type: ignore[assignment]
                    dupes = sum(1 for p in paths if fetched[p] > 1)
                    missing = args.posts - int(result["posts"])  # type: ignore[call-overload]
                    walls[n].append(float(result["wall"]))  # type: ignore[arg-type]
                    print(
                        f"round {round_no + 1}: 1 crawl + {n} workers: "
                        f"{result['wall']:.1f} s, {args.posts / float(result['wall']):.1f} posts/s,"  # type: ignore[arg-type]
                        f" duplicates {dupes}, missing {missing}, errors {result['errors']},"
                        f" pages by worker {result['worker_pages']}",
                        flush=True,
                    )
        finally:
            web.terminate()
            redis.terminate()
    one = statistics.median(walls[0])
    print(f"\nmedians over {args.rounds} round(s), {args.posts} posts:")
    for n, values in walls.items():
        wall = statistics.median(values)
        print(
            f"  crawl + {n} workers ({n + 1} processes): {wall:.1f} s,"
            f" {args.posts / wall:.1f} posts/s, {one / wall:.2f}× the one-process crawl"
        )


if __name__ == "__main__":
    main()
