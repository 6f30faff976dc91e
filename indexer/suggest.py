"""Did you mean: the archive's own closest words for a query that found nothing."""

from __future__ import annotations

import re
from typing import Any

from indexer.analysis import fold

QUERY_WORD = re.compile(r"(?<![\w:~*?])([^\W\d_][\w-]*)(?![\w:~*?])")
OPERATORS = frozenset(("AND", "OR", "NOT", "TO"))


def suggest(searcher: Any, text: str, store: Any = None) -> str | None:
    """The query with each unknown word replaced by the closest word of the archive's own
    texts (the unstemmed `exact` field, so the suggestion is a word, not a stem), written
    as a post writes it (`Größe`, not the index's folded `groesse`), or None."""
    try:
        corrector = searcher.corrector("exact")
        reader = searcher.reader()
        out, changed = text, False
        for m in QUERY_WORD.finditer(text):
            word = m.group(1)
            if word in OPERATORS:
                continue
            key = fold(word.lower())
            if reader.doc_frequency("exact", key):
                continue
            # Words sharing the first letter only: Whoosh compares each candidate in Python,
            # and over a whole lexicon that took a quarter of a second at 100,000 posts.
            found = corrector.suggest(key, limit=1, maxdist=2, prefix=1)
            if found:
                out = out.replace(word, _as_written(str(found[0]), searcher, store), 1)
                changed = True
    except Exception:  # a suggestion is a courtesy; never let it fail the search
        return None
    return out if changed and out != text else None


WORD = re.compile(r"[^\W_][\w+#-]*")


def _as_written(folded: str, searcher: Any, store: Any) -> str:
    """The word as the first post holding it writes it: the index keeps words folded."""
    if store is None:
        return folded
    postings = searcher.reader().postings("exact", folded)
    if not postings.is_active():
        return folded
    post = store.get_post(searcher.stored_fields(postings.id())["id"])
    if post is None:
        return folded
    for word in WORD.findall(f"{post.title}\n{post.text}"):
        if fold(word.lower()) == folded:
            return str(word)
    return folded
