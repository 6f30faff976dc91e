"""Whole Whoosh segments written at once, for building an index from many posts.

Whoosh's SegmentWriter hands every posting to a pool as a tuple, pickles the pool to
temporary run files, merges them back with heapq and writes the postings one Python call at
a time: on 2,000 long posts (1.8 million postings) that was four fifths of the build. Here
each text field's words become term numbers as the posts come (one dict lookup a word), and
when the segment is written one numpy sort per field puts them in term, document and
position order; the posting blocks are then made a block at a time.

The files are Whoosh 3's own (W3Codec): the same terms, posting blocks, term statistics,
length columns and stored fields as Whoosh's writer makes (tests/test_bulkwrite.py compares
them), so Whoosh and indexer/scoring.py read them as any other segment. Stored fields and
columns still go through Whoosh's per-document writer. whoosh-reloaded is pinned (==2.7.5):
this module writes its block layout on purpose.
"""

from __future__ import annotations

import itertools
import pickle
import struct
import zlib
from array import array
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.formats import Positions
from whoosh.system import pack_ushort
from whoosh.util.numeric import _length_byte_cache, byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from indexer.schema import FastText

# The length Whoosh reads back for each of its one-byte length codes.
_CODE_LENGTHS = np.array(_length_byte_cache, dtype=np.int64)
_UINT = struct.Struct("!I").pack
_INT = struct.Struct("!i").pack
# W3TermInfo.to_bytes: flags, weight, doc freq, length codes, max weight, first and last
# document, then where the posting list lies in the postings file
_TERMINFO = struct.Struct(W3TermInfo._struct.format + "qi").pack
# A segment holding this many words is written and a new one begun: a process holds 4 bytes
# a word, and the sort at the end some 40 bytes a word of the largest field (measured: 1.8 GB
# at the peak for 50,000 long posts, 80 million words).
MAX_WORDS = 100_000_000
# Posting blocks are made from Python lists this many postings at a time.
CHUNK_POSTINGS = 65536

Array = npt.NDArray[Any]


def length_codes(lengths: Array) -> Array:
    """Whoosh's one-byte code of each field length (whoosh.util.numeric.length_to_byte)."""
    return np.minimum(np.searchsorted(_CODE_LENGTHS, lengths, side="left"), 255)


class _Words:
    """One text field's words in the order they came, as term numbers."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.terms = array("I")  # term number of every word
        self.docs = array("I")  # the documents that have words here...
        self.counts = array("I")  # ...and how many

    def add(self, docnum: int, words: list[str]) -> int:
        vocab = self.vocab
        for new in set(words).difference(vocab):
            vocab[new] = len(vocab)
        self.terms.extend(map(vocab.__getitem__, words))
        self.docs.append(docnum)
        self.counts.append(len(words))
        return len(words)


@dataclass(slots=True)
class _Blocks:
    """Per posting block: where it starts and ends, and the statistics in its header."""

    start: list[int]
    end: list[int]
    max_weight: list[float]
    min_weight: list[float]
    short: list[int]  # length codes
    long: list[int]
    last_doc: list[int]


@dataclass(slots=True)
class _Terms:
    """Per term, in order: its key and the statistics of its W3TermInfo."""

    keys: list[bytes]
    lengths: list[int]  # postings
    weight: list[float]
    max_weight: list[float]
    short: list[int]  # lengths as read back
    long: list[int]
    first_doc: list[int]


def _position_values(positions: tuple[Array, Array], c0: int, c1: int) -> list[bytes]:
    """Postings c0..c1's values as Whoosh's Positions format encodes them."""
    deltas, bounds = positions  # bounds: each posting's first word, then the end
    w0 = int(bounds[c0])
    flat = deltas[w0 : int(bounds[c1])].tolist()
    cuts = (bounds[c0 : c1 + 1] - w0).tolist()
    dumps = pickle.dumps
    return [_UINT(b - a) + dumps(flat[a:b], 2) for a, b in itertools.pairwise(cuts)]


class BulkWriter(SegmentWriter):  # type: ignore[misc]  # Whoosh has no type hints
    """A SegmentWriter whose postings never pass through Whoosh's pool.

    Takes the schema of indexer/schema.py: text fields of the FastText kind, other fields
    without term vectors or separate spelling words. Used like Whoosh's writer
    (add_document, update_document, delete_by_term, then commit(): the new documents become
    one new segment beside the others), or, for a part of a build, add_document(...) then
    finish_segment().
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: term vectors and spelling fields not written")
        self._words: dict[str, _Words] = defaultdict(_Words)
        # other indexed fields (ids, keywords, dates): a few postings a document
        self._other: dict[str, list[tuple[bytes, int, float, bytes, int]]] = defaultdict(list)
        self._lengths: dict[str, array[int]] = {}
        self.words_held = 0

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdoc = self.perdocwriter
        docnum = self.docnum
        perdoc.start_doc(docnum)
        try:
            for name in sorted(fields):
                value = fields[name]
                if value is None:
                    continue
                field = self.schema[name]
                length = 0
                if isinstance(field, FastText):
                    length = self._words[name].add(docnum, field.terms(value))
                    self.words_held += length
                elif field.indexed:
                    items = list(field.index(value))
                    if field.scorable:
                        length = sum(freq for _, freq, _, _ in items)
                    other = self._other[name]
                    for btext, _, weight, vbytes in items:
                        other.append((btext, docnum, weight, vbytes, length))
                if length:
                    lengths = self._lengths.setdefault(name, array("I"))
                    if len(lengths) < docnum + 1:
                        lengths.extend([0] * (docnum + 1 - len(lengths)))
                    lengths[docnum] = length
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except BaseException:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def finish_segment(self) -> Any:
        """Writes the segment and returns it, without a commit: for a build in parts."""
        segment = self._finalize_segment()
        self._tempstorage.destroy()
        self.is_closed = True
        return segment

    def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        # Whoosh merges small segments through its pool, which this writer does not write:
        # a bulk-written segment joins the others as they are (less those now all deleted).
        return [segment for segment in self.segments if segment.doc_count()]

    def _flush_segment(self) -> None:
        # Replaces Whoosh's: its pool is empty, the postings are here.
        self.perdocwriter.close()
        fw = self.fieldwriter
        names = sorted(set(self._words) | set(self._other))
        for name in names:
            field = self.schema[name]
            fw.start_field(name, field)
            codes = self._codes(name)
            if name in self._words:
                self._write_words(name, field, self._words.pop(name), codes)
            else:
                self._write_other(self._other.pop(name))
            fw.finish_field()
        fw.close()

    def _codes(self, name: str) -> Array:
        lengths = np.frombuffer(self._lengths.get(name, array("I")), dtype=np.uint32)
        codes = np.zeros(self.docnum, dtype=np.int64)
        codes[: len(lengths)] = length_codes(lengths.astype(np.int64))
        return codes

    def _write_other(self, items: list[tuple[bytes, int, float, bytes, int]]) -> None:
        fw = self.fieldwriter
        items.sort(key=itemgetter(0))  # stable: documents stay in order within a term
        last = None
        for btext, docnum, weight, vbytes, length in items:
            if btext != last:
                if last is not None:
                    fw.finish_term()
                fw.start_term(btext)
                last = btext
            # the length as Whoosh's writer reads it back from the length column
            fw.add(docnum, weight, vbytes or b"", byte_to_length(length_to_byte(length)))
        if last is not None:
            fw.finish_term()

    def _write_words(self, name: str, field: Any, words: _Words, codes: Array) -> None:
        vocab = list(words.vocab)
        if not vocab:
            return
        keys = [term.encode("utf-8") for term in vocab]
        order = sorted(range(len(keys)), key=keys.__getitem__)
        rank = np.empty(len(keys), dtype=np.uint32)
        rank[order] = np.arange(len(keys), dtype=np.uint32)
        counts = np.frombuffer(words.counts, dtype=np.uint32).astype(np.int64)
        by_term = rank[np.frombuffer(words.terms, dtype=np.uint32)]
        del words.terms
        # Words are in document and position order: a stable sort by term keeps that.
        idx = np.argsort(by_term, kind="stable")
        terms = by_term[idx]
        del by_term
        docs = np.repeat(np.frombuffer(words.docs, dtype=np.uint32), counts)[idx]
        n = len(terms)
        starts = np.flatnonzero(
            np.concatenate(([True], (terms[1:] != terms[:-1]) | (docs[1:] != docs[:-1])))
        )
        freqs = np.diff(np.append(starts, n))
        post_terms = terms[starts]
        post_docs = docs[starts].astype(np.int64)
        del terms, docs
        deltas = None
        if isinstance(field.format, Positions):
            first = np.cumsum(counts) - counts  # where each document's words begin
            pos = (np.arange(n, dtype=np.int64) - np.repeat(first, counts))[idx]
            deltas = pos.copy()  # each posting's positions, delta-encoded as Whoosh does
            deltas[1:] -= pos[:-1]
            deltas[starts] = pos[starts]
            del pos
        del idx
        weights = freqs.astype(np.float64) * float(field.format.field_boost)
        term_starts = np.flatnonzero(np.concatenate(([True], post_terms[1:] != post_terms[:-1])))
        self._write_postings(
            [keys[i] for i in order],
            term_starts,
            post_docs,
            freqs,
            weights,
            codes[post_docs],
            (deltas, np.append(starts, n)) if deltas is not None else None,
        )

    def _write_postings(
        self,
        sorted_keys: list[bytes],
        term_starts: Array,
        docs: Array,
        freqs: Array,
        weights: Array,
        codes: Array,
        positions: tuple[Array, Array] | None,
    ) -> None:
        """Each term's posting list as W3PostingsWriter writes it, and its W3TermInfo.

        The statistics Whoosh gathers posting by posting (per block: count, last document,
        highest weight, shortest and longest length; per term: the same over its blocks and
        the weights' sum) come from numpy reductions over all postings at once; the Python
        objects a block is pickled from are made CHUNK_POSTINGS postings at a time (made
        for a whole field at once, they took gigabytes).
        """
        fw = self.fieldwriter
        limit = self.codec._blocklimit
        n = len(docs)
        term_lengths = np.diff(np.append(term_starts, n))
        in_term = np.arange(n) - np.repeat(term_starts, term_lengths)
        block_starts = np.flatnonzero(in_term % limit == 0)
        del in_term
        block_ends = np.append(block_starts[1:], n)
        # document numbers delta-encoded within each block, the first one as it is
        deltas = docs.copy()
        deltas[1:] -= docs[:-1]
        deltas[block_starts] = docs[block_starts]
        blocks = _Blocks(
            start=block_starts.tolist(),
            end=block_ends.tolist(),
            max_weight=np.maximum.reduceat(weights, block_starts).tolist(),
            min_weight=np.minimum.reduceat(weights, block_starts).tolist(),
            short=np.minimum.reduceat(codes, block_starts).tolist(),
            long=np.maximum.reduceat(codes, block_starts).tolist(),
            last_doc=docs[block_ends - 1].tolist(),
        )
        terms = _Terms(
            keys=sorted_keys,
            lengths=term_lengths.tolist(),
            weight=np.add.reduceat(weights, term_starts).tolist(),
            max_weight=np.maximum.reduceat(weights, term_starts).tolist(),
            short=_CODE_LENGTHS[np.minimum.reduceat(codes, term_starts)].tolist(),
            long=_CODE_LENGTHS[np.maximum.reduceat(codes, term_starts)].tolist(),
            first_doc=docs[term_starts].tolist(),
        )
        fixed_size = fw._format.fixed_value_size()
        freq_bytes = freqs.astype(">u4").tobytes() if fixed_size == 4 else b""
        # Chunks of whole blocks, about CHUNK_POSTINGS postings each.
        edges = np.append(block_starts, n)
        chunks = np.unique(
            np.append(edges[np.searchsorted(edges, np.arange(0, n, CHUNK_POSTINGS))], n)
        )
        base = fw._postfile.tell()
        out = bytearray()
        state = [-1, 0, 0]  # the current term, where it ends, where its postings begin
        first_block = 0
        for c0, c1 in itertools.pairwise(chunks.tolist()):
            last_block = first_block + int(np.searchsorted(block_starts[first_block:], c1))
            values: Any
            if fixed_size is None or fixed_size < 0:
                values = _position_values(positions, c0, c1) if positions else [b""] * (c1 - c0)
            elif fixed_size == 0:
                values = None
            else:
                values = freq_bytes[c0 * 4 : c1 * 4]
            self._write_blocks(
                out,
                base,
                state,
                range(first_block, last_block),
                (block_starts[first_block:last_block] - c0).tolist(),
                (block_ends[first_block:last_block] - c0).tolist(),
                deltas[c0:c1].tolist(),
                weights[c0:c1].tolist(),
                values,
                blocks,
                terms,
            )
            first_block = last_block
        fw._postfile.write(bytes(out))

    def _write_blocks(
        self,
        out: bytearray,
        base: int,
        state: list[int],
        numbers: range,
        starts: list[int],
        ends: list[int],
        doc_deltas: list[int],
        weights: list[float],
        values: Any,
        blocks: _Blocks,
        terms: _Terms,
    ) -> None:
        fw = self.fieldwriter
        level = self.codec._compression
        tindex, prefix = fw._tindex, pack_ushort(fw._fieldid)
        dumps, compress = pickle.dumps, zlib.compress
        term, term_end, start = state
        for block, a, b in zip(numbers, starts, ends, strict=True):
            if blocks.start[block] == term_end:  # a new term's first block
                term += 1
                term_end += terms.lengths[term]
                start = base + len(out)
                out += WHOOSH3_HEADER_MAGIC
            high, low = blocks.max_weight[block], blocks.min_weight[block]
            if low == high == 1.0:
                mini_weights: Any = None
            elif low == high:
                mini_weights = high
            else:
                mini_weights = tuple(weights[a:b])
            if isinstance(values, list):
                mini_values: Any = tuple(values[a:b])
            elif values is None:
                mini_values = None
            else:
                mini_values = values[a * 4 : b * 4]
            data = dumps((tuple(doc_deltas[a:b]), mini_weights, mini_values), 2)
            if level:
                data = compress(data, level)
            short, long = blocks.short[block], blocks.long[block]
            info = dumps((b - a, blocks.last_doc[block], high, level, short, long), 2)
            size = len(info) + len(data)
            last = blocks.end[block] == term_end
            out += _INT(-size if last else size)
            out += info
            out += data
            if last:
                entry = _TERMINFO(
                    0,
                    terms.weight[term],
                    terms.lengths[term],
                    length_to_byte(terms.short[term]),
                    length_to_byte(terms.long[term]),
                    terms.max_weight[term],
                    terms.first_doc[term],
                    blocks.last_doc[block],
                    start,
                    base + len(out) - start,
                )
                tindex.add(prefix + terms.keys[term], entry)
        state[:] = [term, term_end, start]
