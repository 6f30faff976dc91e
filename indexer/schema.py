"""The Whoosh schema, defined once. Field names here never leave indexer/."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from indexer.analysis import folding_analyzer, heads_analyzer, stemming_analyzer

LANGS = ("de", "en")
# Searched by a plain query, with their weights.
TEXT_FIELDS = {"title": 3.0, "body_de": 1.0, "body_en": 1.0, "comments_de": 0.6, "comments_en": 0.6}


def lang_key(language: str | None) -> str:
    """Which stemmer a post gets: German for de, de-DE, de-CH; English for everything else."""
    return "de" if (language or "").lower().startswith("de") else "en"


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED(),
        site=ID(stored=True),
        lang=ID(stored=True),
        kind=ID(stored=True),
        title=TEXT(analyzer=folding_analyzer(), stored=True, field_boost=3.0, phrase=True),
        author=KEYWORD(stored=True, commas=True, lowercase=True),
        tag=KEYWORD(stored=True, commas=True, lowercase=True),
        category=KEYWORD(stored=True, commas=True, lowercase=True),
        published=DATETIME(stored=True, sortable=True),
        # The publication day at three grains (UTC): date filters become a few term lookups
        # (whole years, then months, then days) instead of a range over every timestamp.
        year=ID(),
        month=ID(),
        day=ID(),
        # Stemmed, for words in any inflection; phrases go to the exact fields below.
        body_de=TEXT(analyzer=stemming_analyzer("de"), phrase=False, spelling=True),
        body_en=TEXT(analyzer=stemming_analyzer("en"), phrase=False, spelling=True),
        comments_de=TEXT(analyzer=stemming_analyzer("de"), phrase=False),
        comments_en=TEXT(analyzer=stemming_analyzer("en"), phrase=False),
        # Unstemmed (folded only): "quoted phrases" match the words as written.
        exact=TEXT(analyzer=folding_analyzer(), phrase=True),
        exact_comments=TEXT(analyzer=folding_analyzer(), phrase=True),
        # German stems backwards: the heads of compounds (see analysis.heads_analyzer).
        heads_de=TEXT(analyzer=heads_analyzer(), phrase=False),
    )


def is_current(schema: Schema) -> bool:
    """False for an index written by an older blogarchive (it lacks fields or has others)."""
    return set(schema.names()) == set(build_schema().names())
