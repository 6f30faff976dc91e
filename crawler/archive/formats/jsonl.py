"""The export schema's JSON: posts as JSON lines or one JSON array, out of and into an archive.

`blogarchive export` writes the stored posts as they are (`write_posts`); `blogarchive import`
reads such a file back (`import_posts`), a bad record named and skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import orjson

from crawler.archive.model import Post
from crawler.archive.store import Store


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # "line N: why", one per bad record


def read_export(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON or the error) for every record of an export file."""
    with path.open("rb") as f:
        head = f.read(1024).lstrip()
        f.seek(0)
        if head.startswith(b"["):  # `export --format json`: one array
            try:
                records = orjson.loads(f.read())
            except orjson.JSONDecodeError as exc:
                yield 1, exc
                return
            yield from enumerate(records if isinstance(records, list) else [records], 1)
            return
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield number, orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    yield number, exc


def import_posts(store: Store, path: Path) -> ImportResult:
    """Archive every post of the file; a bad record is skipped and named, never fatal."""
    result = ImportResult()
    for number, record in read_export(path):
        try:
            if isinstance(record, Exception):
                raise ValueError(f"not JSON ({record})")
            post = _post(record)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            result.skipped.append(f"line {number}: {what[:120]}")
            continue
        with store.transaction():
            outcome, _ = store.save_post(post)
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _post(record: Any) -> Post:
    if not isinstance(record, dict):
        raise ValueError("not a post object")
    post = Post.from_dict(record)
    if not post.url.startswith(("http://", "https://")) or not post.site:
        raise ValueError("a post needs an http(s) url and its site")
    return post


def write_posts(out: BinaryIO, blobs: Iterable[bytes], fmt: Literal["jsonl", "json"] | str) -> int:
    """Write stored posts (their export JSON) as JSON lines or one array; returns how many."""
    count = 0
    if fmt == "json":
        out.write(b"[")
    for blob in blobs:
        if fmt == "json":
            out.write(b"\n" if count == 0 else b",\n")
        out.write(blob)
        if fmt == "jsonl":
            out.write(b"\n")
        count += 1
    if fmt == "json":
        out.write(b"\n]\n")
    out.flush()
    return count
