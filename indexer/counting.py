"""How many posts a query matches, counted with sets of document numbers.

Whoosh finds the top hits by skipping whole blocks of postings that cannot make the top
ten, and then counts the total by walking every matching document in Python, one call per
document: for a word in nearly every post, that count took longer than the search. Here a
query tree of terms, AND, OR, NOT and filters becomes set algebra over the postings' id
arrays, a block at a time; anything else (phrases, for one) is left to Whoosh (None).
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq

from indexer.columns import deleted_docs
from indexer.scoring import read_postings


def count_matches(q: wq.Query, reader: Any) -> int | None:
    """The number of live documents matching q, or None where the tree is not plain."""
    found = matching_docs(q, reader)
    return None if found is None else sum(len(docs) for _, _, docs in found)


def matching_docs(q: wq.Query, reader: Any) -> list[tuple[Any, int, set[int]]] | None:
    """Per segment: (its reader, its first global document number, the live documents of
    it that match q, by segment-local number); None where the tree is not plain."""
    out = []
    for leaf, offset in reader.leaf_readers():
        found = _docs(q, leaf)
        if found is None:
            return None
        found -= deleted_docs(leaf)
        out.append((leaf, offset, found))
    return out


def _docs(q: wq.Query, leaf: Any) -> set[int] | None:
    if isinstance(q, wq.Term):
        return _term_docs(leaf, q.fieldname, q.text)
    if isinstance(q, wq.Or):
        out: set[int] = set()
        for child in q.subqueries:
            found = _docs(child, leaf)
            if found is None:
                return None
            out |= found
        return out
    if isinstance(q, wq.And):
        result: set[int] | None = None
        for child in q.subqueries:
            found = _docs(child, leaf)
            if found is None:
                return None
            result = found if result is None else result & found
        return result if result is not None else set()
    if isinstance(q, wq.AndNot):
        positive, negative = _docs(q.a, leaf), _docs(q.b, leaf)
        return None if positive is None or negative is None else positive - negative
    if isinstance(q, wq.Not):
        inner = _docs(q.query, leaf)
        return None if inner is None else set(range(leaf.doc_count_all())) - inner
    if isinstance(q, (wq.ConstantScoreQuery, wq.WeightingQuery)):  # scores, not documents
        return _docs(q.child, leaf)
    if isinstance(q, wq.Every):
        return set(range(leaf.doc_count_all()))
    if isinstance(q, type(wq.NullQuery)):  # the parser makes instances of its own
        return set()
    if isinstance(q, wq.MultiTerm):  # prefixes, wildcards, fuzzy terms: their expansion
        out = set()
        for fieldname, text in q.expanded_terms(leaf):
            out |= _term_docs(leaf, fieldname, text)
        return out
    return None


def _term_docs(leaf: Any, fieldname: str, text: Any) -> set[int]:
    if fieldname not in leaf.schema:
        return set()
    field = leaf.schema[fieldname]
    try:
        btext = field.to_bytes(text)
    except Exception:  # a date field raises a bare Exception for what is no date
        return set()
    if (fieldname, btext) not in leaf:
        return set()
    return set(read_postings(leaf, fieldname, btext)[0].tolist())
