"""Text analysis for German and English: case and accent folding, Snowball stemming.

Whoosh pickles analyzers into the index, so the stemmers are module-level functions with a
stable import path.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer
from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.support.charset import accent_map

_DE = Stemmer.Stemmer("german")
_EN = Stemmer.Stemmer("english")
# Letters, digits and inner hyphens/apostrophes: "E-Mail-Marketing" stays one word.
WORD = r"\w+(?:[-'’]\w+)*"

GERMAN_STOP = frozenset(
    (
        "aber alle allem allen aller alles als also am an ander andere anderem anderen anderer"
        " anderes auch auf aus bei bin bis bist da damit dann das dass dem den der des dich die"
        " dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer"
        " eines er es etwas euch euer für hatte hatten hat hier hin hinter ich ihm ihn ihnen ihr"
        " ihre im in indem ins ist jede jedem jeden jeder jedes kann kein keine mich mir mit muss"
        " nach nicht nichts noch nun nur ob oder ohne sehr sein seine sich sie sind so solche soll"
        " sondern um und uns unser unter viel vom von vor war waren was weil welche wenn wer wie"
        " wir wird wo zu zum zur über"
    ).split()
)
ENGLISH_STOP = frozenset(
    (
        "a an and are as at be but by for if in into is it no not of on or such that the their"
        " then there these they this to was will with"
    ).split()
)


_WORD_RE = re.compile(WORD)


def fast_terms(text: str, lang: str | None, *, reverse: bool = False) -> list[str]:
    """The index terms of a text, as the field's Whoosh analyzer would make them, in a few
    C-speed passes (regex, lower, PyStemmer's batch stemming) instead of a Token per word:
    indexing spends most of its time here. lang None: folded words with positions kept
    (folding_analyzer); "de"/"en": stemming_analyzer, optionally reversed (heads_analyzer).
    """
    if lang is None:
        return [fold(w) for w in _lower_words(text)]
    stems = _stems(text, lang)
    if reverse:  # heads_de: only stems long enough to be a compound (see HEADS_MIN_LENGTH)
        return [s[::-1] for s in stems if len(s) >= HEADS_MIN_LENGTH]
    return list(stems)


# A post's text is indexed in three fields (stemmed, as written, stems backwards): the
# words and stems of the last few texts are kept, so each text is split and stemmed once.
# (A str caches its hash, and the fields get the same str object.)
@lru_cache(maxsize=4)
def _lower_words(text: str) -> tuple[str, ...]:
    return tuple([w.lower() for w in _WORD_RE.findall(text)])


@lru_cache(maxsize=4)
def _stems(text: str, lang: str) -> tuple[str, ...]:
    words = [w if w.isascii() else unaccent(w, lang) for w in _lower_words(text)]
    stop = GERMAN_STOP if lang == "de" else ENGLISH_STOP
    expanded: list[str] = []
    for w in words:
        expanded.append(w)
        if "-" in w:
            expanded += [p for p in w.split("-") if len(p) > 1]
    kept = [w for w in expanded if w not in stop]
    return tuple((_DE if lang == "de" else _EN).stemWords(kept))


def german_stem(word: str) -> str:
    # Snowball's German stemmer folds ä/ae, ö/oe, ü/ue and ß/ss, so "größtenteils",
    # "grösstenteils" and "groesstenteils" share one stem.
    return str(_DE.stemWord(word))


def english_stem(word: str) -> str:
    return str(_EN.stemWord(word))


class FoldFilter(Filter):  # type: ignore[misc]  # Whoosh has no type hints
    """German-aware folding for unstemmed fields: ß→ss, ä→ae, ö→oe, ü→ue, other accents off."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    word = word.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def unaccent(word: str, lang: str) -> str:
    """Accents off before stemming ("café" and "cafe" one stem), except the letters the
    German stemmer itself knows (ä ö ü ß); English folds those too (ä→ae)."""
    if lang != "de":
        return fold(word)
    out = []
    for c in word:
        if c in "äöüß" or c.isascii():
            out.append(c)
        else:
            out.extend(d for d in unicodedata.normalize("NFKD", c) if not unicodedata.combining(d))
    return "".join(out)


class UnaccentFilter(Filter):  # type: ignore[misc]  # Whoosh has no type hints
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.text.isascii():
                t.text = unaccent(t.text, self.lang)
            yield t


class HyphenPartsFilter(Filter):  # type: ignore[misc]  # Whoosh has no type hints
    """A hyphenated word also as its parts: "Website-Relaunch" is found by "Website" and
    "Relaunch" as well as by the whole word (German writes many compounds this way)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            whole = t.text
            yield t
            if "-" in whole:
                for part in whole.split("-"):
                    if len(part) > 1:
                        t.text = part
                        yield t


def stemming_analyzer(lang: str) -> Analyzer:
    """Words lower-cased, stop words dropped, stemmed in the post's language."""
    stem, stop = (german_stem, GERMAN_STOP) if lang == "de" else (english_stem, ENGLISH_STOP)
    return (
        RegexTokenizer(WORD)
        | LowercaseFilter()
        | UnaccentFilter("de" if lang == "de" else "en")
        | HyphenPartsFilter()
        | StopFilter(stoplist=stop, minsize=1)
        | StemFilter(stemfn=stem, cachesize=50000)
    )


# A compound is looked up by a head of at least 4 letters with at least 3 before it: shorter
# stems are never a compound match, and leaving them out halves the heads field.
HEADS_MIN_LENGTH = 7


class ReverseFilter(Filter):  # type: ignore[misc]  # Whoosh has no type hints
    """Each long token backwards: a word's ending becomes a prefix Whoosh looks up fast."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if len(t.text) >= HEADS_MIN_LENGTH:
                t.text = t.text[::-1]
                yield t


def heads_analyzer() -> Analyzer:
    """German stems written backwards, so a query for "Unternehmen" can find every stem that
    ends in "unternehm" ("Kleinunternehmen", "Familienunternehmens") with one prefix lookup:
    German compounds put their head last."""
    return stemming_analyzer("de") | ReverseFilter()


def folding_analyzer() -> Analyzer:
    """Unstemmed but folded: titles, tags and exact phrases."""
    return RegexTokenizer(WORD) | LowercaseFilter() | FoldFilter()


def name_analyzer() -> Analyzer:
    return RegexTokenizer(WORD) | LowercaseFilter() | CharsetFilter(accent_map)
