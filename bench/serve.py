"""The reading room under load: p50/p95 ms per page kind with concurrent clients over
loopback, beside the same server's static stylesheet (the floor of the stack) measured in
the same run.

Run: .venv/bin/python -m bench.serve [--posts 100000] [--clients 4] [--requests 200]

The archive is bench.search's generated one (bench/out/search-N, made on first use, with its
index), plus one post with 60 comments in threads and one edited post (two versions). The
server is `blogarchive serve --threads 4` in its own process. Each page kind is measured in
a phase of its own, as wrk measures one URL pattern: --clients threads, each with one HTTP/1.1
connection, ask for that kind's pages back to back.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.search import OUT, generate
from crawler.archive.model import Comment, Post, post_id
from crawler.archive.store import Store

SITE = "https://blog.example/"
BUSY, EDITED = f"{SITE}2024/05/viele-kommentare/", f"{SITE}2024/05/ueberarbeitet/"


def _extras(archive: Path) -> None:
    """A post with 60 comments and a post with two versions."""
    when = datetime(2024, 5, 1, 9, tzinfo=UTC)
    comments = tuple(
        Comment(
            id=f"busy-{i}",
            text=f"Kommentar {i}: Kundenbindung beginnt beim ersten Gespräch. " * 3,
            parent_id=f"busy-{i - 1}" if i % 3 else None,
            author=f"Leserin {i % 17}",
            published=when + timedelta(hours=i),
        )
        for i in range(60)
    )
    text = "\n\n".join(
        f"Absatz {i}: Kleine Läden kennen ihre Kunden beim Namen und halten ihr Wort." * 4
        for i in range(40)
    )
    busy = Post(
        url=BUSY,
        title="Viele Kommentare",
        text=text,
        html="".join(f"<p>{p}</p>" for p in text.split("\n\n")),
        author="Autorin 1",
        published=when,
        language="de",
        tags=("Thema 1",),
        comments=comments,
        site=SITE,
        fetched_at=when,
    )
    edited = replace(busy, url=EDITED, title="Überarbeitet", comments=())
    with Store(archive) as store:
        store.save_post(busy)
        store.save_post(edited)
        changed = edited.text.replace("Absatz 7:", "Absatz sieben, neu gefasst:")
        store.save_post(replace(edited, text=changed + "\n\nNachtrag: mit neuem Schluss."))


def _prepare(posts: int) -> Path:
    archive = OUT / f"search-{posts}"
    if not (archive / "archive.sqlite3").exists():
        start = time.perf_counter()
        generate(archive, posts)
        print(f"generated {posts} posts in {time.perf_counter() - start:.0f} s", flush=True)
    if not (archive / "index").exists():
        from indexer.writer import rebuild_index

        start = time.perf_counter()
        rebuild_index(archive)
        print(f"indexed in {time.perf_counter() - start:.0f} s", flush=True)
    return archive


def _start(archive: Path, threads: int) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "search_cli.main", "--archive", str(archive), "serve",
         "--port", "0", "--threads", str(threads)],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        proc.kill()
        raise SystemExit(f"serve did not start: {line}")
    return proc, int(found.group(1))


def _load(port: int, paths: list[str], clients: int, requests: int) -> list[float]:
    """`requests` requests spread over `clients` concurrent connections; ms each."""
    times: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(requests // clients):
            path = paths[(offset + i * clients) % len(paths)]
            start = time.perf_counter()
            conn.request("GET", path)
            reply = conn.getresponse()
            reply.read()
            took = (time.perf_counter() - start) * 1000
            with lock:
                times.append(took)
                if reply.status != 200:
                    failures.append(f"{path}: {reply.status}")
        conn.close()

    workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, first: {failures[0]}")
    return times


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200, help="per page kind")
    args = parser.parse_args()
    archive = _prepare(args.posts)
    with Store(archive) as store:
        ready = store.get_post(BUSY) is not None
    if not ready:
        _extras(archive)
    busy, edited = post_id(BUSY), post_id(EDITED)
    with Store(archive) as store:
        from indexer.writer import update_index

        update_index(archive, store)
        sample = store.all_ids()[:: max(args.posts // 50, 1)]
    proc, port = _start(archive, args.threads)
    try:
        kinds = {
            "static stylesheet (floor)": ["/static/style.css"],
            "front page": ["/"],
            "site page": ["/site/1", "/site/1?page=2", "/site/1?year=2015", "/site/1?tag=Thema+3"],
            # Never asked before, so never cached: facet counts computed for each.
            "site page, new filter": [
                f"/site/1?tag=Thema+{i % 200}&year={2005 + i // 200}" for i in range(args.requests)
            ],
            "post page": [f"/post/{pid}" for pid in sample],
            "post, 60 comments": [f"/post/{busy}"],
            "diff page": [f"/post/{edited}/diff"],
            "search + facets": [
                f"/search?q={q}" for q in ("Kunden", "Werbung", "Newsletter", "Laden", "reviews")
            ],
        }
        # Each distinct page asked once, by one client, before anything is cached: the cost
        # of a first visit (this also opens the connections of the server's threads).
        fresh = "site page, new filter"  # stays uncached for the measured phase
        cold = {kind: _load(port, p, 1, len(p)) for kind, p in kinds.items() if kind != fresh}
        times = {
            kind: _load(port, paths, args.clients, args.requests) for kind, paths in kinds.items()
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    floor = statistics.median(times["static stylesheet (floor)"])
    print(
        f"{args.posts + 2} posts; {args.clients} clients, {args.threads} server threads,"
        f" {args.requests} requests per kind"
    )
    print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'p50 × floor':>12}")
    for kind, values in times.items():
        p50 = statistics.median(values)
        print(f"{kind:28} {p50:8.1f} {_pct(values, 95):8.1f} {p50 / floor:12.1f}")
    print("first visit of each distinct page, one client, nothing cached:")
    for kind, values in cold.items():
        print(f"  {kind:26} p50 {statistics.median(values):8.1f}  max {max(values):8.1f}")


if __name__ == "__main__":
    main()
