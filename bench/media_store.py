"""Where an archive keeps image bytes: blobs in the SQLite store, or files beside it.

Run: .venv/bin/python -m bench.media_store [--images 10000] [--rounds 3]

Both layouts get the same 10,000 images (random bytes: images are already compressed, so
zlib gains nothing; sizes log-normal around 90 KB, the size of a typical blog photo), written
as a crawl writes them (one transaction per image, the file written and renamed before its
row commits), then 1,000 read back in random order as the reading room would, then all of
them hashed as `check` does. The archive's posts table and a page blob beside them stand in
for the rest of the store: the figure that matters besides speed is what the database file
itself becomes (backups, `VACUUM`, the WAL). Rounds interleave the layouts; medians.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _images(count: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    sizes = [min(2_000_000, max(2_000, int(rng.lognormvariate(11.4, 0.7)))) for _ in range(count)]
    pool = os.urandom(max(sizes) + 4096)
    return [pool[(i * 4099) % 4096 :][:size] + i.to_bytes(4, "big") for i, size in enumerate(sizes)]


def _db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE media (sha256 TEXT PRIMARY KEY, size INTEGER, body BLOB)")
    return db


def blobs(folder: Path, images: list[bytes]) -> tuple[float, float, float, int]:
    db = _db(folder / "store.sqlite")
    start = time.perf_counter()
    keys = []
    for data in images:
        key = hashlib.sha256(data).hexdigest()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT OR IGNORE INTO media VALUES (?, ?, ?)", (key, len(data), data))
        db.execute("COMMIT")
        keys.append(key)
    write = time.perf_counter() - start
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sample = random.Random(1).sample(keys, min(1000, len(keys)))
    start = time.perf_counter()
    for key in sample:
        db.execute("SELECT body FROM media WHERE sha256 = ?", (key,)).fetchone()
    read = (time.perf_counter() - start) / len(sample) * 1000
    start = time.perf_counter()
    for key, body in db.execute("SELECT sha256, body FROM media"):
        assert hashlib.sha256(body).hexdigest() == key
    check = time.perf_counter() - start
    db.close()
    return write, read, check, (folder / "store.sqlite").stat().st_size


def files(folder: Path, images: list[bytes]) -> tuple[float, float, float, int]:
    return _files(folder, images, durable=True)


def files_unsynced(folder: Path, images: list[bytes]) -> tuple[float, float, float, int]:
    return _files(folder, images, durable=False)


def _files(folder: Path, images: list[bytes], *, durable: bool) -> tuple[float, float, float, int]:
    db = _db(folder / "store.sqlite")
    root = folder / "media"
    start = time.perf_counter()
    keys = []
    for data in images:
        key = hashlib.sha256(data).hexdigest()
        path = root / key[:2] / key[2:]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_suffix(".part")
            with open(part, "wb") as f:
                f.write(data)
                if durable:
                    os.fsync(f.fileno())  # the bytes are on disk before the row says so
            os.replace(part, path)
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT OR IGNORE INTO media VALUES (?, ?, NULL)", (key, len(data)))
        db.execute("COMMIT")
        keys.append(key)
    write = time.perf_counter() - start
    sample = random.Random(1).sample(keys, min(1000, len(keys)))
    start = time.perf_counter()
    for key in sample:
        (root / key[:2] / key[2:]).read_bytes()
    read = (time.perf_counter() - start) / len(sample) * 1000
    start = time.perf_counter()
    for (key,) in db.execute("SELECT sha256 FROM media"):
        assert hashlib.sha256((root / key[:2] / key[2:]).read_bytes()).hexdigest() == key
    check = time.perf_counter() - start
    db.close()
    return write, read, check, (folder / "store.sqlite").stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    images = _images(args.images)
    total = sum(map(len, images))
    median = statistics.median(map(len, images)) / 1e3
    print(f"{len(images)} images, {total / 1e6:.0f} MB, median {median:.0f} KB")
    layouts: dict[str, Callable[[Path, list[bytes]], tuple[float, float, float, int]]] = {
        "blobs in SQLite": blobs,
        "files beside it": files,
        "files beside it, not synced (a crash may leave rows without bytes)": files_unsynced,
    }
    results: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name in layouts}
    for _ in range(args.rounds):
        for name, run in layouts.items():
            folder = Path(tempfile.mkdtemp(prefix="bench-media-", dir=Path(__file__).parent))
            try:
                results[name].append(run(folder, images))
            finally:
                shutil.rmtree(folder)
    print("| layout | write MB/s | read ms/image | check s | database file MB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, rows in results.items():
        write = statistics.median(r[0] for r in rows)
        read = statistics.median(r[1] for r in rows)
        check = statistics.median(r[2] for r in rows)
        size = statistics.median(r[3] for r in rows)
        rate = total / 1e6 / write
        print(f"| {name} | {rate:.0f} | {read:.2f} | {check:.1f} | {size / 1e6:.1f} |")


if __name__ == "__main__":
    main()
