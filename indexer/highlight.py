"""Highlighted snippets of the shown hits: which query words each post holds, and where.

Post texts come from the store, so the index stores no text and stays small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from whoosh import query as wq
from whoosh.highlight import ContextFragmenter, Formatter, get_text
from whoosh.searching import Hit as WhooshHit

from crawler.archive.model import Post
from indexer.segments.postings import words_of

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
FRAGMENTER = ContextFragmenter(maxchars=240, surround=70)


@dataclass(frozen=True, slots=True)
class Highlight:
    """One snippet; `marks` are (start, end) character spans of matched words in it."""

    field: Literal["title", "text", "comment"]
    fragment: str
    marks: tuple[tuple[int, int], ...]
    comment_id: str | None = None
    comment_author: str | None = None
    comment_published: datetime | None = None


class MarkFormatter(Formatter):  # type: ignore[misc]  # Whoosh has no type hints
    """Wraps matched words in control characters; _marks() turns them into spans."""

    between = " … "

    def format_token(self, text: str, token: object, replace: bool = False) -> str:
        return MARK_OPEN + str(get_text(text, token, replace)) + MARK_CLOSE


def _marks(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    plain: list[str] = []
    spans = []
    pos = 0
    for piece in re.split(f"({MARK_OPEN}|{MARK_CLOSE})", marked):
        if piece == MARK_OPEN:
            start = pos
        elif piece == MARK_CLOSE:
            spans.append((start, pos))
        else:
            plain.append(piece)
            pos += len(piece)
    return "".join(plain), tuple(spans)


def _query_terms(q: wq.Query, reader: Any, schema: Any) -> list[tuple[str, bytes]]:
    """Every (field, term) the query can match, wildcards and fuzzy terms expanded."""
    out: set[tuple[str, bytes]] = set()
    for leaf in q.leaves():
        name = getattr(leaf, "fieldname", None)
        if name is None or name not in schema:
            continue
        if isinstance(leaf, wq.MultiTerm):
            words = words_of(leaf, reader)
        elif isinstance(leaf, wq.Term):
            words = [leaf.text]
        elif isinstance(leaf, wq.Phrase):
            words = list(leaf.words)
        else:
            continue
        for word in words:
            try:
                out.add((name, word if isinstance(word, bytes) else schema[name].to_bytes(word)))
            except Exception:  # `published:"0000"`: no such date (Whoosh raises Exception)
                continue
    return sorted(out)


def note_matched_terms(results: Any, q: wq.Query, reader: Any, docnums: list[int]) -> None:
    """Record which query terms each shown post holds, as Whoosh's `terms=True` would for
    every matching post (which cost more than the search itself): matched_in and
    highlights need them for the shown hits only."""
    docterms: dict[int, list[tuple[str, bytes]]] = {d: [] for d in docnums}
    termdocs: dict[tuple[str, bytes], set[int]] = {}
    for term in _query_terms(q, reader, reader.schema):
        if term not in reader:
            continue
        postings = reader.postings(*term)  # one pass per term: the shown docnums ascend
        for docnum in sorted(docterms):
            if not postings.is_active():
                break
            postings.skip_to(docnum)
            if postings.is_active() and postings.id() == docnum:
                docterms[docnum].append(term)
                termdocs.setdefault(term, set()).add(docnum)
    results.docterms = docterms
    results.termdocs = termdocs


def note_ranked_terms(
    results: Any, postings: dict[tuple[str, bytes], Any], docnums: list[int]
) -> None:
    """As _note_matched_terms, from the postings the numpy scorer has read already."""
    import numpy as np

    docterms: dict[int, list[tuple[str, bytes]]] = {d: [] for d in docnums}
    termdocs: dict[tuple[str, bytes], set[int]] = {}
    shown = np.array(docnums, dtype=np.int64)
    for term, docs in sorted(postings.items()):
        for docnum in shown[np.isin(shown, docs)]:
            docterms[int(docnum)].append(term)
            termdocs.setdefault(term, set()).add(int(docnum))
    results.docterms = docterms
    results.termdocs = termdocs


def highlights(
    hit: WhooshHit, post: Post | None, matched: set[str], matched_in: tuple[str, ...]
) -> tuple[Highlight, ...]:
    """Up to two snippets: the post's text first, then its comments."""
    lang = hit.get("lang", "en")
    found: list[Highlight] = []
    if post is None:
        return ()
    if "text" in matched_in:
        # Stemmed words first, then compounds, then a phrase as written.
        for name in (f"body_{lang}", "heads_de", "exact"):
            if name in matched and len(found) < 2:
                found += _snippets(hit, name, post.text, "text", top=2 - len(found))
    if "comments" in matched_in and len(found) < 2:
        name = f"comments_{lang}" if f"comments_{lang}" in matched else "exact_comments"
        for c in post.comments:
            for h in _snippets(hit, name, c.text, "comment", top=1):
                found.append(Highlight(h.field, h.fragment, h.marks, c.id, c.author, c.published))
            if len(found) >= 2:
                break
    return tuple(found)


def _snippets(
    hit: WhooshHit, fieldname: str, text: str, label: Literal["text", "comment"], top: int
) -> list[Highlight]:
    if not text:
        return []
    marked = hit.highlights(fieldname, text=text, top=top)
    out = []
    for piece in marked.split(MarkFormatter.between) if marked else ():
        fragment, marks = _marks(piece.strip())
        if marks:
            out.append(Highlight(label, fragment, marks))
    return out[:top]
