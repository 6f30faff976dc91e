"""`export --format csv`: the posts and their comments as two tables for a spreadsheet or a
data frame, `posts.csv` and `comments.csv` (which names its post by `post_id` and the comment
it answers by `parent_id`).

RFC 4180: UTF-8 without a byte-order mark, CRLF line ends, fields quoted where they hold a
comma, quote or line break. Several names in one cell (categories, tags) are joined by "; ".
A cell that a spreadsheet would run as a formula (it starts with =, +, -, @ or a tab, and is
not a number) gets a leading apostrophe: archived pages and comments are other people's
text, and a comment of "=HYPERLINK(…)" must stay text when the table is opened.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any, Literal

Table = Literal["posts", "comments"]
TABLES: tuple[Table, ...] = ("posts", "comments")
POST_COLUMNS = (
    "id", "url", "site", "kind", "title", "author", "published", "updated", "language",
    "categories", "tags", "summary", "text", "comments", "comments_status", "images",
    "fetched_at", "content_hash",
)  # fmt: skip
COMMENT_COLUMNS = (
    "post_id", "id", "parent_id", "author", "author_url", "published", "type", "text", "post_url",
)  # fmt: skip
COLUMNS: dict[Table, tuple[str, ...]] = {"posts": POST_COLUMNS, "comments": COMMENT_COLUMNS}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?")
SEPARATOR = "; "


def safe_cell(value: Any) -> str:
    """A cell's text, with a formula made harmless (see the module's doc)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def post_row(record: dict[str, Any]) -> list[str]:
    values = {
        **record,
        "categories": SEPARATOR.join(record.get("categories") or ()),
        "tags": SEPARATOR.join(record.get("tags") or ()),
        "comments": len(record.get("comments") or ()),
        "images": len([m for m in record.get("media") or () if m.get("sha256")]),
    }
    return [safe_cell(values.get(name)) for name in POST_COLUMNS]


def comment_rows(record: dict[str, Any]) -> Iterable[list[str]]:
    for comment in record.get("comments") or ():
        values = {**comment, "post_id": record["id"], "post_url": record["url"]}
        yield [safe_cell(values.get(name)) for name in COMMENT_COLUMNS]


def write_tables(
    records: Iterable[dict[str, Any]], files: dict[Table, IO[str]]
) -> dict[Table, int]:
    """Write the posts' rows to the tables in `files` (one or both); returns rows per table.
    The files are opened with newline="" so the csv module's CRLF stays as it is."""
    writers = {name: csv.writer(f, lineterminator="\r\n") for name, f in files.items()}
    rows: dict[Table, int] = dict.fromkeys(files, 0)
    for name, writer in writers.items():
        writer.writerow(COLUMNS[name])
    posts, comments = writers.get("posts"), writers.get("comments")
    for record in records:
        if posts is not None:
            posts.writerow(post_row(record))
            rows["posts"] += 1
        if comments is not None:
            for row in comment_rows(record):
                comments.writerow(row)
                rows["comments"] += 1
    for f in files.values():
        f.flush()
    return rows
