"""Whole columns in memory: Whoosh reads a column value with a seek and a read each when
the index is not memory-mapped (and it is not: see writer.open_storage), and the searcher and
the writer need whole columns (field lengths at every posting, dates for sorting).

whoosh-reloaded is pinned (==2.7.5): this module reaches into its column readers on purpose;
the codec (codec.py) makes every per-document reader hold its length columns in memory.
"""

from __future__ import annotations

import itertools
import sys
from array import array
from collections.abc import Iterator
from typing import Any


def raw_column(column: Any) -> bytes | None:
    """A fixed-width column's bytes in one read, or None for other kinds of column.

    Without memory-mapping, Whoosh reads a column value with a seek and a read each; the
    searcher needs whole columns (field lengths, dates). whoosh-reloaded is pinned
    (==2.7.5): this reaches into its column readers on purpose.
    """
    needed = ("_dbfile", "_basepos", "_count", "_fixedlen")
    if not all(hasattr(column, name) for name in needed):
        return None
    return bytes(column._dbfile.get(column._basepos, column._count * column._fixedlen))


# The sort key of a post without a date: Whoosh's default for a DATETIME column, the largest.
# Oldest first puts such posts last by itself; newest first must be told (searcher.py).
UNDATED = 2**64 - 1


def sort_keys(leaf: Any, fieldname: str) -> Any:
    """The raw sort keys of a numeric sortable column (as Whoosh sorts by them), or None
    where the column is not that kind."""
    if not leaf.has_column(fieldname):
        return None
    column = leaf.column_reader(fieldname, translate=False)
    raw = raw_column(column)
    if raw is None or not hasattr(column, "_typecode"):
        return None
    values = array(column._typecode, raw)
    if sys.byteorder == "little":  # columns are big-endian on disk
        values.byteswap()
    missing = leaf.doc_count_all() - len(values)
    if missing > 0:
        values.extend([column._default] * missing)
    return values


def deleted_docs(leaf: Any) -> frozenset[int]:
    """A segment's deleted documents (posts replaced by newer versions).

    whoosh-reloaded 2.7.5's segment reader has no `deleted_docs()`, though its other
    readers do; it has the set as a cached property.
    """
    if not leaf.has_deletions():
        return frozenset()
    found = getattr(leaf, "deleted_docs_set", None)
    if found is not None:
        return frozenset(found)
    return frozenset(d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d))


class Lengths:
    """A field-length column held in memory: BM25 asks for a document's length at every
    posting it scores, and the writer at every posting it writes."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data = data
        self._size = size  # documents in the segment: the column may stop short of them

    def __getitem__(self, docnum: int) -> int:
        return self.data[docnum] if docnum < len(self.data) else 0

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[int]:
        # Whoosh takes min() and max() of a column (max_field_length): without this, Python
        # would call __getitem__ with ever larger numbers, forever.
        yield from self.data[: self._size]
        yield from itertools.repeat(0, self._size - len(self.data))
