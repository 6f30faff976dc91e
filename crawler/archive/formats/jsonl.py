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

from crawler.archive.model import Post, parse_iso
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


BATCH = 500  # records saved in one transaction

# The rules of shared/schema/post.schema.json that a record must meet to be archived.
REQUIRED = (
    "url", "title", "text", "site", "id", "author", "published",
    "categories", "tags", "comments", "fetched_at",
)  # fmt: skip
STRINGS = ("id", "url", "site", "title", "text", "fetched_at")
OPTIONAL_STRINGS = (
    "author", "published", "updated", "language", "summary", "html", "comments_status",
    "content_hash", "kind", "platform",
)  # fmt: skip
STRING_LISTS = ("categories", "tags")
DATES = ("published", "updated", "fetched_at")


def import_posts(store: Store, path: Path) -> ImportResult:
    """Archive every post of the file that meets the export schema's rules; a bad record is
    skipped and named by its line, never fatal. Saved in transactions of BATCH records."""
    result = ImportResult()
    batch: list[Post] = []
    for number, record in read_export(path):
        try:
            if isinstance(record, Exception):
                raise ValueError(f"not JSON ({record})")
            batch.append(_post(record))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            result.skipped.append(f"line {number}: {what[:120]}")
            continue
        if len(batch) >= BATCH:
            _save(store, batch, result)
    _save(store, batch, result)
    return result


def _save(store: Store, batch: list[Post], result: ImportResult) -> None:
    with store.transaction():
        for post in batch:
            outcome, _ = store.save_post(post)
            setattr(result, outcome, getattr(result, outcome) + 1)
    batch.clear()


def check_record(record: Any) -> None:
    """ValueError, naming the field, where a record breaks the export schema's rules."""
    if not isinstance(record, dict):
        raise ValueError("not a post object")
    if missing := [name for name in REQUIRED if name not in record]:
        raise ValueError(f"missing field {missing[0]!r}")
    for name in STRINGS:
        if not isinstance(record[name], str):
            raise ValueError(f"{name!r} must be a string, not {_kind(record[name])}")
    for name in OPTIONAL_STRINGS:
        if not isinstance(record.get(name), str | None):
            raise ValueError(f"{name!r} must be a string or null, not {_kind(record[name])}")
    for name in STRING_LISTS:
        value = record[name]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{name!r} must be a list of strings")
    for name in DATES:
        if record.get(name):
            try:
                parse_iso(record[name])
            except ValueError:
                raise ValueError(f"{name!r} is not an ISO 8601 date: {record[name]!r}") from None
    comments = record["comments"]
    if not isinstance(comments, list):
        raise ValueError("'comments' must be a list")
    for comment in comments:
        if not (
            isinstance(comment, dict)
            and isinstance(comment.get("id"), str)
            and isinstance(comment.get("text"), str)
        ):
            raise ValueError("a comment needs a string 'id' and 'text'")
        if comment.get("published"):
            try:
                parse_iso(comment["published"])
            except (TypeError, ValueError):
                raise ValueError(
                    f"a comment's date is not ISO 8601: {comment['published']!r}"
                ) from None


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _post(record: Any) -> Post:
    check_record(record)
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
