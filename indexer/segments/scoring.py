"""The top hits of a query, scored with numpy, exactly as Whoosh's BM25F would score them.

Whoosh scores one matching document at a time in Python and can skip only blocks whose best
possible score cannot reach the top ten; a word in most posts, searched in six fields and its
compounds, still meant 30,000 scored documents and half a second at 100,000 posts. Here each
term's postings are read a block at a time into arrays and the BM25F formula runs over all of
them at once: the same scores (same idf, average lengths, B and K1, boosts, sums), and the
same order (higher score first, then lower document number, as Whoosh breaks ties).

Trees of terms, phrases, prefixes, wildcards, fuzzy terms, ranges of words, `*` and
`field:*`, date ranges, AND, OR, NOT and constant-score filters are scored here; anything
else returns None and Whoosh scores it.

Whoosh's own scores for such trees are not always these: once its collector has ten hits it
may drop a branch of an OR from the matcher tree, and later documents then lose that branch's
share of their score (seen at 10,000 posts: a post that holds both words of "Kunden AND
Laden" in its title scored 47.6 instead of its 50.1, the sum of its terms' BM25F scores, and
fell from first to third). The tests check these scores against each term scored alone.
"""

from __future__ import annotations

import itertools
import pickle
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import query as wq
from whoosh.fields import DATETIME
from whoosh.scoring import BM25F
from whoosh.util.numeric import _length_byte_cache

from indexer.segments.codec import WholeLengthsReader
from indexer.segments.columns import UNDATED, Lengths, deleted_docs, raw_column, sort_keys
from indexer.segments.postings import Postings, read_postings, values_at, words_of

# Whoosh stores a field's length per document as one byte, a logarithmic approximation.
LENGTH_OF_BYTE = np.array(_length_byte_cache, dtype=np.float64)

Scores = tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]


class _Unreadable(Exception):
    """A column this module cannot read whole: Whoosh scores the query instead."""


class _Leaf:
    """One segment's arrays, read once per search."""

    def __init__(self, searcher: Any, leaf: Any, weighting: BM25F) -> None:
        self.searcher = searcher  # the top-level searcher: global idf and average lengths
        self.leaf = leaf
        self.size = leaf.doc_count_all()
        self.weighting = weighting
        self._lengths: dict[str, npt.NDArray[np.float64] | None] = {}
        self.read: dict[tuple[str, bytes], Postings] = {}

    def lengths(self, fieldname: str) -> npt.NDArray[np.float64] | None:
        """The field's length per document, as Whoosh decodes it; None without a column
        (Whoosh then takes every length as 1)."""
        if fieldname not in self._lengths:
            perdoc = getattr(self.leaf, "_perdoc", None)
            if not isinstance(perdoc, WholeLengthsReader):  # a segment of another codec
                raise _Unreadable(fieldname)
            column = perdoc.lengths_column(fieldname)
            if column is None:
                self._lengths[fieldname] = None
            else:
                raw = column.data if isinstance(column, Lengths) else raw_column(column)
                if raw is None:
                    raise _Unreadable(fieldname)
                codes = np.zeros(self.size, dtype=np.uint8)
                data = np.frombuffer(raw, dtype=np.uint8)[: self.size]
                codes[: len(data)] = data
                self._lengths[fieldname] = LENGTH_OF_BYTE[codes]
        return self._lengths[fieldname]

    def postings(self, fieldname: str, btext: bytes) -> Postings:
        """The term's postings in this segment, read once per search (kept for highlights)."""
        key = (fieldname, btext)
        if key not in self.read:
            self.read[key] = read_postings(self.leaf, fieldname, btext)
        return self.read[key]


@dataclass(frozen=True, slots=True)
class Ranking:
    total: int  # live documents matching
    best: list[tuple[float, int]]  # (score, global document number), best first
    # every term read, with the global numbers of the documents holding it
    postings: dict[tuple[str, bytes], npt.NDArray[np.int64]]
    # per segment: what was read of it and which of its documents match (live ones only)
    matched: list[tuple[_Leaf, npt.NDArray[np.bool_]]]


# (segment, its first global document number, scores, live matches)
_Matches = list[tuple[_Leaf, int, npt.NDArray[np.float64], npt.NDArray[np.bool_]]]


def _match(q: wq.Query, searcher: Any) -> _Matches | None:
    """q scored in every segment, deleted documents left out; None where the query is not
    a plain tree or the weighting is not BM25F."""
    weighting = searcher.weighting
    if type(weighting) is not BM25F:
        return None
    out = []
    for leaf, offset in searcher.reader().leaf_readers():
        context = _Leaf(searcher, leaf, weighting)
        try:
            result = _score(q, context)
        except _Unreadable:
            return None
        if result is None:
            return None
        scores, matched = result
        if dead := deleted_docs(leaf):
            gone = np.fromiter(dead, dtype=np.int64)
            matched[gone[gone < len(matched)]] = False
        out.append((context, offset, scores, matched))
    return out


def _ranking(total: int, best: list[tuple[float, int]], matches: _Matches) -> Ranking:
    read: dict[tuple[str, bytes], list[npt.NDArray[np.int64]]] = {}
    for context, offset, _, _ in matches:
        for key, (ids, _, _) in context.read.items():
            read.setdefault(key, []).append(ids + offset)
    postings = {key: np.concatenate(parts) for key, parts in read.items()}
    return Ranking(total, best, postings, [(c, matched) for c, _, _, matched in matches])


def top_docs(q: wq.Query, searcher: Any, want: int) -> Ranking | None:
    """The best `want` live matches of q with their BM25F scores; None where the query is
    not a plain tree or the weighting is not BM25F."""
    matches = _match(q, searcher)
    if matches is None:
        return None
    best: list[tuple[float, int]] = []
    total = 0
    for _, offset, scores, matched in matches:
        docs = np.flatnonzero(matched)
        total += len(docs)
        if len(docs) > want:
            # The `want` best of this segment: ties at the cut are kept, then sorted below.
            cut = -np.partition(-scores[docs], want - 1)[want - 1]
            docs = docs[scores[docs] >= cut]
        best += [(float(scores[d]), int(d) + offset) for d in docs]
    best.sort(key=lambda pair: (-pair[0], pair[1]))
    return _ranking(total, best[:want], matches)


def dated_docs(q: wq.Query, searcher: Any, want: int, *, newest: bool) -> Ranking | None:
    """The first `want` live matches by publication date (newest or oldest first; ties as
    Whoosh's sort breaks them), their scores 0; None where the query is not a plain tree or
    a segment's date column cannot be read whole."""
    matches = _match(q, searcher)
    if matches is None:
        return None
    keys: list[npt.NDArray[Any]] = []
    docs: list[npt.NDArray[np.int64]] = []
    for context, offset, _, matched in matches:
        column = sort_keys(context.leaf, "published")
        if column is None:
            return None
        found = np.flatnonzero(matched)
        keys.append(np.asarray(column)[found])
        docs.append(found + offset)
    if not docs:
        return _ranking(0, [], matches)
    all_keys, all_docs = np.concatenate(keys), np.concatenate(docs)
    # Newest first: dated posts, larger date, then larger number (as Whoosh sorts them, see
    # searcher.py); the keys are unsigned (an undated post has the largest), so reverse
    # rather than negate. Oldest first: undated posts last by their key alone.
    if newest:
        order = np.lexsort((all_docs, all_keys, all_keys != UNDATED))[::-1]
    else:
        order = np.lexsort((all_docs, all_keys))
    best = [(0.0, int(d)) for d in all_docs[order[:want]]]
    return _ranking(len(all_docs), best, matches)


# A segment never changes once written (deletions are kept apart, and `matched` has only
# live documents), so a keyword field's values with their posting lists are read once per
# segment and process: a long-running reader (the reading room) counts facets from memory.
_FACET_TABLES: OrderedDict[tuple[str, str], list[tuple[str, npt.NDArray[np.int64]]]] = OrderedDict()
FACET_TABLES_KEPT = 64


def _facet_table(context: _Leaf, fieldname: str) -> list[tuple[str, npt.NDArray[np.int64]]]:
    leaf = context.leaf
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    key = (segment.segment_id(), fieldname) if segment is not None else None
    if key is not None and (table := _FACET_TABLES.get(key)) is not None:
        return table
    field = leaf.schema[fieldname]
    table = [
        (str(field.from_bytes(btext)), context.postings(fieldname, btext)[0])
        for btext in leaf.lexicon(fieldname)
    ]
    if key is not None:
        _FACET_TABLES[key] = table
        while len(_FACET_TABLES) > FACET_TABLES_KEPT:
            _FACET_TABLES.popitem(last=False)
    return table


def facet_counts(ranking: Ranking, fieldname: str) -> list[tuple[str, int]]:
    """How many matching posts hold each value of a keyword field, most first: each value's
    posting list against the matches (Whoosh's grouping visited every match in Python)."""
    counts: dict[str, int] = {}
    for context, matched in ranking.matched:
        if fieldname not in context.leaf.schema or not matched.any():
            continue
        for label, ids in _facet_table(context, fieldname):
            if n := int(np.count_nonzero(matched[ids[ids < len(matched)]])):
                counts[label] = counts.get(label, 0) + n
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


class DateRange(wq.Or):  # type: ignore[misc]  # Whoosh has no type hints
    """Posts published from `since` up to `until` (UTC, naive; either may be None): for
    Whoosh an OR of year, month and day terms, here a comparison over the date column."""

    def __init__(
        self, subqueries: list[wq.Query], since: Any = None, until: Any = None, **kw: Any
    ) -> None:
        super().__init__(subqueries, **kw)
        self.since, self.until = since, until

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, DateRange)
            and (self.since, self.until) == (other.since, other.until)
        )

    def __hash__(self) -> int:
        return hash((super().__hash__(), self.since, self.until))


def _in_range(q: DateRange, leaf: _Leaf) -> Scores | None:
    from whoosh.util.times import datetime_to_long

    since = None if q.since is None else datetime_to_long(q.since)
    until = None if q.until is None else datetime_to_long(q.until)
    hits = _dated_within(leaf, "published", since, until, end_excluded=True)
    return None if hits is None else (np.zeros(leaf.size), hits)


def _dated_within(
    leaf: _Leaf,
    fieldname: str,
    start: int | None,
    end: int | None,
    *,
    start_excluded: bool = False,
    end_excluded: bool = False,
) -> npt.NDArray[np.bool_] | None:
    """The posts whose date (as the date column holds it) lies from start to end (either
    may be open); None where the column cannot be read whole."""
    column = sort_keys(leaf.leaf, fieldname)
    if column is None:
        return None
    keys = np.asarray(column)[: leaf.size]
    found = keys != UNDATED  # an undated post has no date to compare
    try:
        if start is not None:
            found &= keys > start if start_excluded else keys >= start
        if end is not None:
            found &= keys < end if end_excluded else keys <= end
    except OverflowError:  # a bound the column's numbers cannot hold
        return None
    hits = np.zeros(leaf.size, dtype=bool)
    hits[: len(keys)] = found
    return hits


def _score(q: wq.Query, leaf: _Leaf) -> Scores | None:
    if isinstance(q, DateRange) and (result := _in_range(q, leaf)) is not None:
        return result
    if isinstance(q, wq.Term):
        return _term(q, leaf)
    if isinstance(q, type(wq.NullQuery)):  # the parser makes instances of its own
        return _empty(leaf)
    if type(q) in (wq.Or, wq.And, DateRange):
        subs = q.subqueries
        if not subs:
            return _empty(leaf)
        if len(subs) == 1:  # Whoosh uses the child's matcher as it is, boost and all
            return _score(subs[0], leaf)
        if isinstance(q, wq.Or) and getattr(q, "scale", None) is not None:
            return None
        if type(q) is wq.Or and all(type(sub) is wq.Term for sub in subs):
            return _terms_or(subs, q.boost, leaf)
        parts = [_score(sub, leaf) for sub in subs]
        if any(p is None for p in parts):
            return None
        total = np.zeros(leaf.size)
        matched = np.zeros(leaf.size, dtype=bool) if isinstance(q, wq.Or) else None
        both = np.ones(leaf.size, dtype=bool)
        for part in parts:
            assert part is not None
            scores, hits = part
            total += scores
            if matched is not None:
                matched |= hits
            both &= hits
        found = matched if matched is not None else both
        total[~found] = 0.0
        if q.boost != 1.0:
            total *= q.boost
        return total, found
    if type(q) is wq.AndNot:
        positive, negative = _score(q.a, leaf), _score(q.b, leaf)
        if positive is None or negative is None:
            return None
        scores, hits = positive
        hits = hits & ~negative[1]
        return np.where(hits, scores, 0.0), hits
    if type(q) is wq.Not:  # "a NOT b" parses to And([a, Not(b)]); Whoosh scores the Not 1.0
        inner = _score(q.query, leaf)
        if inner is None:
            return None
        hits = ~inner[1]
        return np.where(hits, 1.0, 0.0), hits
    if type(q) is wq.Phrase:
        return _phrase(q, leaf)
    if type(q) is wq.Every:
        return _every(q, leaf)
    if isinstance(q, wq.NumericRange):
        return _dates_between(q, leaf)
    if type(q) in (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.TermRange):
        return _score(_expanded(q, leaf), leaf)
    if type(q) is wq.ConstantScoreQuery:
        inner = _score(q.child, leaf)
        if inner is None:
            return None
        hits = inner[1]
        return np.where(hits, q.score, 0.0), hits
    return None


def _dates_between(q: wq.NumericRange, leaf: _Leaf) -> Scores | None:
    """A date range in the query (`published:2010`, `published:[2010 TO 2012]`) read from
    the date column; Whoosh matches it through its date terms and scores it its boost."""
    if not q.constantscore or not isinstance(leaf.searcher.schema[q.fieldname], DATETIME):
        return None
    hits = _dated_within(
        leaf, q.fieldname, q.start, q.end, start_excluded=q.startexcl, end_excluded=q.endexcl
    )
    return None if hits is None else (np.where(hits, float(q.boost), 0.0), hits)


def _every(q: wq.Every, leaf: _Leaf) -> Scores | None:
    """Every document, or every one with something in the field: Whoosh reads the posting
    list of every word of the field for that (seconds for `*` in a larger query); for a
    text field a document's length in it says the same. Scored the query's boost, as
    Whoosh does."""
    hits = np.zeros(leaf.size, dtype=bool)
    schema = leaf.searcher.schema
    if q.fieldname is None:
        hits[:] = True
    elif q.fieldname not in schema:
        return None
    elif not schema[q.fieldname].scorable:  # tags, authors: few words, short lists
        for btext in leaf.leaf.lexicon(q.fieldname):
            ids = read_postings(leaf.leaf, q.fieldname, btext)[0]
            hits[ids[ids < leaf.size]] = True
    elif (lengths := leaf.lengths(q.fieldname)) is not None:
        hits[: len(lengths)] = lengths[: leaf.size] > 0
    elif leaf.leaf.field_length(q.fieldname):
        return None  # words in the field but no lengths: Whoosh decides
    # (else no document of the segment has the field: its writer made no length column)
    return np.where(hits, float(q.boost), 0.0), hits


def _expanded(q: wq.MultiTerm, leaf: _Leaf) -> wq.Query:
    """A prefix, wildcard, fuzzy term or range of words as the Or of the segment's words it
    stands for, as Whoosh's MultiTerm.matcher builds it (in each segment, from that
    segment's words): one word is its Term as it is (the query's boost left out), more are
    an Or with the boost.
    "Constant score" does not hold in Whoosh 2.7: without a weighting, it takes the
    searcher's own, so each word is scored BM25F like any term."""
    words = [wq.Term(q.fieldname, word) for word in words_of(q, leaf.leaf)]
    if not words:
        return wq.NullQuery
    return words[0] if len(words) == 1 else wq.Or(words, boost=q.boost)


def _phrase(q: wq.Phrase, leaf: _Leaf) -> Scores | None:
    """Posts with the words next to each other, in order; scored as Whoosh's SpanNear2
    does, by the sum of the words' scores (times the phrase's boost)."""
    schema = leaf.searcher.schema
    if q.slop != 1 or not q.words or q.fieldname not in schema:
        return None  # Whoosh decides (and explains a field without positions)
    field = schema[q.fieldname]
    if not field.format or not field.format.supports("positions"):
        return None
    try:
        btexts = [field.to_bytes(word) for word in q.words]
    except Exception:  # a date field raises a bare Exception for what is no date
        return _empty(leaf)
    if any((q.fieldname, b) not in leaf.leaf for b in btexts):
        return _empty(leaf)
    parts = [_term(wq.Term(q.fieldname, b), leaf) for b in btexts]
    both = np.logical_and.reduce([hits for _, hits in parts])
    candidates = np.flatnonzero(both)
    places = []
    for b in btexts:
        ids, _, blocks = leaf.postings(q.fieldname, b)
        places.append(values_at(blocks, np.searchsorted(ids, candidates)))
    found = np.zeros(leaf.size, dtype=bool)
    loads, accumulate = pickle.loads, itertools.accumulate
    for k, docnum in enumerate(candidates.tolist()):
        # Whoosh's Positions format: a 4-byte count, then the pickled position deltas.
        starts = set(accumulate(loads(places[0][k][4:])))
        for i in range(1, len(btexts)):
            starts &= {p - i for p in accumulate(loads(places[i][k][4:]))}
            if not starts:
                break
        else:
            found[docnum] = True
    total = np.sum([scores for scores, _ in parts], axis=0)
    total[~found] = 0.0
    if q.boost != 1.0:
        total *= q.boost
    return total, found


def _empty(leaf: _Leaf) -> Scores:
    return np.zeros(leaf.size), np.zeros(leaf.size, dtype=bool)


def _term(q: wq.Term, leaf: _Leaf) -> Scores:
    ids, values = _term_postings(q, leaf)
    scores = np.zeros(leaf.size)
    hits = np.zeros(leaf.size, dtype=bool)
    scores[ids] = values
    hits[ids] = True
    return scores, hits


def _term_postings(q: wq.Term, leaf: _Leaf) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any]]:
    """The documents holding the term and their BM25F scores."""
    searcher, schema = leaf.searcher, leaf.searcher.schema
    nothing = np.zeros(0, dtype=np.int64), np.zeros(0)
    if q.fieldname not in schema:
        return nothing
    field = schema[q.fieldname]
    try:
        btext = field.to_bytes(q.text)
    except Exception:  # a date field raises a bare Exception for what is no date
        return nothing
    if (q.fieldname, btext) not in leaf.leaf:
        return nothing
    ids, weights, _ = leaf.postings(q.fieldname, btext)
    if field.scorable:
        w = leaf.weighting
        b = w._field_B.get(q.fieldname, w.B)
        k1 = w.K1
        idf = searcher.idf(q.fieldname, btext)
        avgfl = searcher.avg_field_length(q.fieldname) or 1
        lengths = leaf.lengths(q.fieldname)
        fl = lengths[ids] if lengths is not None else np.ones(len(ids))
        values = idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * fl / avgfl)))
    else:
        values = weights  # Whoosh's WeightScorer: the posting's weight
    if q.boost != 1.0:
        values = values * q.boost
    return ids, values


def _terms_or(terms: list[wq.Term], boost: float, leaf: _Leaf) -> Scores:
    """An OR of plain terms (a wildcard's words can be thousands) summed sparsely: the same
    sums in the same order as adding whole arrays term by term, without a pass over every
    document for each term."""
    parts = [_term_postings(term, leaf) for term in terms]
    ids = np.concatenate([p[0] for p in parts])
    weights = np.concatenate([p[1] for p in parts]).astype(np.float64)
    total = np.bincount(ids, weights=weights, minlength=leaf.size).astype(np.float64, copy=False)
    hits = np.zeros(leaf.size, dtype=bool)
    hits[ids] = True
    if boost != 1.0:
        total *= boost
    return total, hits
