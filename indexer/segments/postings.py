"""Posting lists read whole: Whoosh 3's posting blocks decoded with numpy.

whoosh-reloaded is pinned (==2.7.5): this reads the posting file below Whoosh's matchers on
purpose, a whole list in one read, where a matcher reads each block's header with many
small reads (pickle takes a byte at a time from a file).
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import query as wq

# document numbers, weights, and the posting values block by block (undecoded)
Postings = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], list[Any]]
_INT = struct.Struct(">i")


def read_postings(leaf: Any, fieldname: str, btext: bytes) -> Postings:
    """A term's document numbers, weights and values (positions) in a segment."""
    terms = getattr(leaf, "_terms", None)
    postfile = getattr(terms, "_postfile", None)
    info = terms.term_info(fieldname, btext) if terms is not None else None
    if postfile is None or info is None or info.is_inlined():
        return _from_matcher(leaf.postings(fieldname, btext))
    offset, length = info.extent()
    if isinstance(length, tuple):  # whoosh-reloaded 2.7.5 decodes it as a 1-tuple
        length = length[0]
    # One read of the whole posting list: without memory-mapping, Whoosh reads each
    # block's header with many small reads (pickle takes a byte at a time from a file).
    return _decode_blocks(postfile.get(offset, length))


def _decode_blocks(piece: bytes) -> Postings:
    """Whoosh 3's posting blocks, decoded with numpy (whoosh-reloaded is pinned, ==2.7.5).

    After a 4-byte tag, each block is a signed big-endian length (negative for the last),
    the pickled block info (count, max id, max weight, compressed?, lengths), and the
    pickled (ids delta-encoded, weights, values), zlib-compressed when the info says so.
    """
    ids: list[npt.NDArray[np.int64]] = []
    weights: list[npt.NDArray[np.float64]] = []
    values: list[Any] = []
    stream = io.BytesIO(piece)
    pos = 4
    while pos < len(piece):
        (length,) = _INT.unpack_from(piece, pos)
        stream.seek(pos + _INT.size)
        info = pickle.load(stream)
        count, compressed = info[0], info[3]
        end = pos + _INT.size + abs(length)
        data = piece[stream.tell() : end]
        block_ids, block_weights, block_values = pickle.loads(
            zlib.decompress(data) if compressed else data
        )
        values.append(block_values)
        ids.append(np.cumsum(np.asarray(block_ids, dtype=np.int64)))
        if block_weights is None:
            weights.append(np.ones(count))
        elif isinstance(block_weights, float):
            weights.append(np.full(count, block_weights))
        else:
            weights.append(np.asarray(block_weights, dtype=np.float64))
        if length < 0:
            break
        pos = end
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0), []
    return np.concatenate(ids), np.concatenate(weights), values


def _from_matcher(m: Any) -> Postings:
    """A posting list inlined in its term's entry (a few documents), through its matcher."""
    found = []
    while m.is_active():
        found.append((int(m.id()), float(m.weight()), m.value()))
        m.next()
    return (
        np.array([d for d, _, _ in found], dtype=np.int64),
        np.array([w for _, w, _ in found], dtype=np.float64),
        [tuple(v for _, _, v in found)],
    )


def values_at(blocks: list[Any], at: npt.NDArray[np.int64]) -> list[bytes]:
    """The posting values (encoded positions) at these indexes of the posting list."""
    sizes = np.array([len(block) if block is not None else 0 for block in blocks])
    starts = np.concatenate(([0], np.cumsum(sizes)))
    which = np.searchsorted(starts, at, side="right") - 1
    return [blocks[b][i - starts[b]] for b, i in zip(which.tolist(), at.tolist(), strict=True)]


def words_of(q: wq.MultiTerm, reader: Any) -> list[bytes]:
    """The words of the segment (or index) that a prefix, wildcard, fuzzy term or range of
    words stands for, as Whoosh's own matcher expands it."""
    return [word for word in q._btexts(reader) if word]
