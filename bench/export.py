"""Export speed and memory: JSONL, WXR, CSV and Hugo from the generated bench archive, beside
a textbook WXR writer (the standard library's ElementTree, an item tree a post, streamed)
measured in the same run.

Run: .venv/bin/python -m bench.export [--posts 100000] [--hugo-posts 10000] [--rounds 3]

The archive is bench.search's (bench/out/search-N: posts of 300–1,200 words, 0–8 comments,
tags, categories, authors), generated on first use. Each export runs in a child process, so
its peak memory (max RSS) is its own; MB/s is the output's size over the wall time, median of
the rounds. "Flat" compares the peak memory of a WXR of all posts with one of a tenth of
them: a streamed export needs the same either way. Hugo writes a folder per post and runs
markdownify on each, so it runs on --hugo-posts posts.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
FORMATS = ("jsonl", "wxr", "wxr-etree", "csv", "hugo")


def _records(archive: Path, posts: int) -> Iterator[dict[str, Any]]:
    import orjson

    from crawler.archive.store import Store

    store = Store(archive)
    # All posts as `export` asks for them (no list of ids); a share of them by id.
    ids = None if posts >= store.post_count() else store.all_ids()[:posts]
    for blob in store.export_blobs(ids):
        yield orjson.loads(blob)


def _etree_wxr(out: Any, records: Iterator[dict[str, Any]]) -> int:
    """The textbook way: an ElementTree element a post, serialised and written at once."""
    import xml.etree.ElementTree as ET

    wp, content = "http://wordpress.org/export/1.2/", "http://purl.org/rss/1.0/modules/content/"
    ET.register_namespace("wp", wp)
    ET.register_namespace("content", content)
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n')
    count = 0
    for record in records:
        item = ET.Element("item")
        ET.SubElement(item, "title").text = record["title"]
        ET.SubElement(item, "link").text = record["url"]
        ET.SubElement(item, f"{{{content}}}encoded").text = record.get("html") or record["text"]
        ET.SubElement(item, f"{{{wp}}}post_date").text = record.get("published") or ""
        ET.SubElement(item, f"{{{wp}}}post_type").text = record.get("kind") or "post"
        for name in record["categories"]:
            ET.SubElement(item, "category", domain="category").text = name
        for name in record["tags"]:
            ET.SubElement(item, "category", domain="post_tag").text = name
        for c in record["comments"]:
            comment = ET.SubElement(item, f"{{{wp}}}comment")
            ET.SubElement(comment, f"{{{wp}}}comment_id").text = c["id"]
            ET.SubElement(comment, f"{{{wp}}}comment_author").text = c.get("author") or ""
            ET.SubElement(comment, f"{{{wp}}}comment_date").text = c.get("published") or ""
            ET.SubElement(comment, f"{{{wp}}}comment_content").text = c["text"]
            ET.SubElement(comment, f"{{{wp}}}comment_parent").text = c.get("parent_id") or "0"
        out.write(ET.tostring(item, encoding="utf-8", xml_declaration=False) + b"\n")
        count += 1
    out.write(b"</channel></rss>\n")
    return count


def run_one(fmt: str, archive: Path, posts: int, target: Path) -> None:
    """In the child: one export; prints its figures as JSON."""
    from crawler.archive.store import Store

    start = time.perf_counter()
    if fmt == "hugo":
        from crawler.archive.formats.hugo import HugoSite

        target.mkdir(parents=True)
        HugoSite(Store(archive), target).write(_records(archive, posts))
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    elif fmt == "csv":
        from crawler.archive.formats.tables import TABLES, write_tables

        target.mkdir(parents=True)
        files = {n: (target / f"{n}.csv").open("w", encoding="utf-8", newline="") for n in TABLES}
        write_tables(_records(archive, posts), files)  # type: ignore[arg-type]
        for f in files.values():
            f.close()
        size = sum(p.stat().st_size for p in target.iterdir())
    else:
        with target.open("wb") as out:
            if fmt == "jsonl":
                from crawler.archive.formats.jsonl import write_posts

                store = Store(archive)
                ids = None if posts >= store.post_count() else store.all_ids()[:posts]
                write_posts(out, store.export_blobs(ids), "jsonl")
            elif fmt == "wxr":
                from crawler.archive.formats.wxr import write_wxr

                store = Store(archive)
                ids = None if posts >= store.post_count() else store.all_ids()[:posts]
                write_wxr(out, store.export_blobs(ids))
            else:
                _etree_wxr(out, _records(archive, posts))
        size = target.stat().st_size
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "bytes": size, "peak_mb": peak}))


def _measure(fmt: str, archive: Path, posts: int) -> dict[str, float]:
    target = OUT / f"export-{fmt}"
    shutil.rmtree(target, ignore_errors=True)
    target.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "bench.export", "--one", fmt, "--posts", str(posts)]
    argv += ["--archive", str(archive), "--to", str(target)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--hugo-posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--to", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    archive = args.archive or OUT / f"search-{args.posts}"
    if args.one:
        run_one(args.one, archive, args.posts, args.to)
        return
    if not (archive / "archive.sqlite3").exists():
        from bench.search import generate

        start = time.perf_counter()
        generate(archive, args.posts)
        print(f"generated {args.posts} posts in {time.perf_counter() - start:.0f} s", flush=True)
    rows = {}
    for fmt in FORMATS:
        posts = args.hugo_posts if fmt == "hugo" else args.posts
        runs = [_measure(fmt, archive, posts) for _ in range(args.rounds)]
        seconds = statistics.median(r["seconds"] for r in runs)
        size = runs[0]["bytes"] / 1e6
        rows[fmt] = (posts, size, seconds, max(r["peak_mb"] for r in runs))
        print(
            f"{fmt:10} {posts:>7} posts {size:8.0f} MB {seconds:7.1f} s"
            f" {size / seconds:7.1f} MB/s {posts / seconds:8.0f} posts/s"
            f" peak {rows[fmt][3]:6.0f} MB",
            flush=True,
        )
    tenth = _measure("wxr", archive, args.posts // 10)["peak_mb"]
    ours, etree = rows["wxr"], rows["wxr-etree"]
    print(
        f"WXR vs ElementTree: {(ours[1] / ours[2]) / (etree[1] / etree[2]):.2f}× the MB/s;"
        f" peak memory with {args.posts} posts {ours[3]:.0f} MB, with {args.posts // 10}"
        f" {tenth:.0f} MB (ratio {ours[3] / tenth:.2f})"
    )


if __name__ == "__main__":
    main()
