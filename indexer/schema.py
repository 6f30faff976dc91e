"""The Whoosh schema, defined once. Field names here never leave indexer/."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

from indexer.analysis import fast_terms, folding_analyzer, heads_analyzer, stemming_analyzer

LANGS = ("de", "en")
# Searched by a plain query, with their weights.
TEXT_FIELDS = {"title": 3.0, "body_de": 1.0, "body_en": 1.0, "comments_de": 0.6, "comments_en": 0.6}


def lang_key(language: str | None) -> str:
    """Which stemmer a post gets: German for de, de-DE, de-CH; English for everything else."""
    return "de" if (language or "").lower().startswith("de") else "en"


class FastText(TEXT):  # type: ignore[misc]  # Whoosh has no type hints
    """A TEXT field that indexes through `fast_terms` instead of a Whoosh Token per word.

    Queries still go through the field's Whoosh analyzer; both give the same terms
    (tests/test_indexer.py compares them). Indexing took 0.4× a plain Whoosh writer's
    time before; the tokenizer and filters were two thirds of it.
    """

    def __init__(self, fast: tuple[str | None, bool], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fast = fast  # (language or None for folded words, reversed)

    def terms(self, value: str) -> list[str]:
        """The field's terms of a text, word by word in order."""
        lang, backwards = self.fast
        return fast_terms(value, lang, reverse=backwards)

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        terms = self.terms(value)
        boost = self.format.field_boost
        if isinstance(self.format, Positions):
            where: defaultdict[str, list[int]] = defaultdict(list)
            for pos, term in enumerate(terms):
                where[term].append(pos)
            for term, places in where.items():
                n = len(places)
                yield term.encode("utf-8"), n, n * boost, self.format.encode(places)
        else:
            for term, n in Counter(terms).items():
                yield term.encode("utf-8"), n, n * boost, pack_uint(n)


# Bumped whenever analysis changes the terms of a field, or the index is written another way
# (3: segments written with indexer.segments.codec; 4: author names as folded words, tag
# and category names in the stemmed body): an index without this field's
# name is rebuilt (see is_current).
ANALYSIS_VERSION = "analysis_4"


def build_schema() -> Schema:
    return Schema(
        **{ANALYSIS_VERSION: STORED()},
        id=ID(stored=True, unique=True),
        url=STORED(),
        site=ID(stored=True),
        lang=ID(stored=True),
        kind=ID(stored=True),
        title=FastText(
            (None, False), analyzer=folding_analyzer(), stored=True, field_boost=3.0, phrase=True
        ),
        author=KEYWORD(stored=True, commas=True, lowercase=True),  # whole names: facets
        # An author's name word by word, folded: `--author jörg` and `author:weiss` find
        # "Jörg Weiß", as `author:` and --author search it.
        author_words=FastText((None, False), analyzer=folding_analyzer(), phrase=True),
        tag=KEYWORD(stored=True, commas=True, lowercase=True),
        category=KEYWORD(stored=True, commas=True, lowercase=True),
        published=DATETIME(stored=True, sortable=True),
        # The publication day at three grains (UTC): date filters become a few term lookups
        # (whole years, then months, then days) instead of a range over every timestamp.
        year=ID(),
        month=ID(),
        day=ID(),
        # Stemmed, for words in any inflection; phrases go to the exact fields below.
        body_de=FastText(("de", False), analyzer=stemming_analyzer("de"), phrase=False),
        body_en=FastText(("en", False), analyzer=stemming_analyzer("en"), phrase=False),
        comments_de=FastText(("de", False), analyzer=stemming_analyzer("de"), phrase=False),
        comments_en=FastText(("en", False), analyzer=stemming_analyzer("en"), phrase=False),
        # Unstemmed (folded only): "quoted phrases" match the words as written, and its
        # words are the dictionary of "Did you mean …?".
        exact=FastText((None, False), analyzer=folding_analyzer(), phrase=True, spelling=True),
        exact_comments=FastText((None, False), analyzer=folding_analyzer(), phrase=True),
        # German stems backwards: the heads of compounds (see analysis.heads_analyzer).
        heads_de=FastText(("de", True), analyzer=heads_analyzer(), phrase=False),
    )


@lru_cache(maxsize=1)
def _current_names() -> frozenset[str]:
    return frozenset(build_schema().names())


def is_current(schema: Schema) -> bool:
    """False for an index written by an older blogarchive (other fields, older analysis)."""
    return set(schema.names()) == _current_names()
