"""The query language: parsing, field checks, wildcards, compounds and filters.

Whoosh's query language over title, text and comments, with what its parser lacks: field
names checked before Whoosh guesses (`_check_fields`), wildcards read whole
(`WholeWildcardPlugin`), phrases matched as written (`_exact_phrases`), German compounds
found by the word they end in (`with_compounds`), and the command line's filters as one
query tree with the search (`restricted`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from whoosh import query as wq
from whoosh.fields import DATETIME
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FuzzyTermPlugin,
    MultifieldParser,
    PrefixPlugin,
    WildcardPlugin,
    syntax,
)

from crawler.archive.errors import QueryError
from indexer.analysis import fast_terms, german_stem
from indexer.inflection import other_forms
from indexer.schema import TEXT_FIELDS
from indexer.segments.scoring import DateRange
from indexer.writer import utc_naive

Scope = Literal["all", "posts", "comments"]
SCOPE_FIELDS = {
    "all": TEXT_FIELDS,
    "posts": {k: v for k, v in TEXT_FIELDS.items() if not k.startswith("comments_")},
    "comments": {k: v for k, v in TEXT_FIELDS.items() if k.startswith("comments_")},
}
FIELD_ALIASES = {
    "tag": ["tags", "schlagwort"],
    "category": ["categories", "kategorie"],
    "author_words": ["author", "autor"],  # any word of the name, folded (see schema)
    "lang": ["language", "sprache"],
}
QUERYABLE = frozenset(
    ("title", "tag", "category", "author", "site", "lang", "kind", "id", "published", *TEXT_FIELDS)
)


@dataclass(frozen=True, slots=True)
class Filters:
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def parse_query(text: str, schema: object, scope: Scope = "all") -> wq.Query:
    """Whoosh query language over title, text and comments; one-line errors for bad input."""
    if not text.strip():
        raise QueryError("Empty query. Example: blogarchive search 'kundenbindung AND laden'")
    if text.count('"') % 2:
        raise QueryError(f'Unbalanced quotes in {text!r}: close the phrase with another ".')
    if text.count("(") != text.count(")"):
        raise QueryError(f"Unbalanced parentheses in {text!r}.")
    _check_fields(text)
    _check_operators(text)
    fields = SCOPE_FIELDS[scope]
    parser = MultifieldParser(list(fields), schema, fieldboosts=fields, group=AndGroup)
    parser.remove_plugin_class(WildcardPlugin)
    parser.add_plugin(WholeWildcardPlugin())
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    try:
        q = parser.parse(_exact_phrases(text, scope))
    except Exception as exc:  # Whoosh raises assorted errors for odd syntax
        raise QueryError(f"Cannot read the query {text!r}: {exc}") from exc
    if isinstance(q, type(wq.NullQuery)):  # the parser makes instances of its own
        raise QueryError(f"The query {text!r} has no words to search for.")
    _check_dates(q, schema, text)
    return q


# A field name and the character after its colon (not a URL's `//`).
FIELD_NAME = re.compile(r"(?<!\w)([^\W\d]\w*):(?!//)(.?)")


def _check_fields(text: str) -> None:
    """Field names the index knows, each with something to search for: Whoosh would take
    an unknown field for words, search for the name of an empty one (`tag:`, "tag" being
    German for day) and read a comparison (`published:<2012`) as nothing at all."""
    # Phrases as "": their words are no field names, and they are something after a field.
    masked = re.sub(r'"[^"]*"', '""', text)
    for m in FIELD_NAME.finditer(masked):
        name, after = m.groups()
        if name.lower() not in QUERYABLE and name.lower() not in _ALIASES:
            known = ", ".join(sorted(("title", "tag", "category", "author", "site", "lang")))
            raise QueryError(f"Unknown field {name!r} in the query; fields are: {known}.")
        if after in ("<", ">"):
            raise QueryError(
                f"{name}:< and {name}:> are not supported in {text!r}; write a range,"
                f" {name}:[2010 TO 2012] or {name}:[TO 2011] (or use --since/--until)."
            )
        if after in ("", ")") or after.isspace():
            raise QueryError(
                f'Nothing after {name}: in {text!r}; write {name}:WORD or {name}:"WORDS".'
            )


# AND, OR and NOT with nothing to join on one side: Whoosh drops them and searches the rest.
DANGLING = re.compile(r"(?:^|[\s(])(AND|OR)\s*(?:$|\))|(?:^|\()\s*(AND|OR)\s|\bNOT\s*(?:$|\))")


def _check_operators(text: str) -> None:
    """`Kunden OR` searched for Kunden alone, and `NOT` for nothing: say so instead."""
    masked = re.sub(r'"[^"]*"', '""', text).strip()
    if m := DANGLING.search(masked):
        word = m.group(1) or m.group(2) or "NOT"
        raise QueryError(
            f"{word} has nothing to join in {text!r}; write a word on each side"
            " (kunden OR flyer, kunden NOT flyer)."
        )


def _check_dates(q: wq.Query, schema: Any, text: str) -> None:
    """A date Whoosh cannot read (`published:""`) is the user's mistake, not the index's."""
    for leaf in q.leaves():
        name = getattr(leaf, "fieldname", None)
        if name not in schema or not isinstance(schema[name], DATETIME):
            continue
        words = leaf.words if isinstance(leaf, wq.Phrase) else [getattr(leaf, "text", None)]
        for word in words:
            if word is None or isinstance(word, bytes | datetime):
                continue
            try:
                schema[name].to_bytes(word)
            except Exception:  # Whoosh raises a bare Exception here
                raise QueryError(
                    f"Cannot read {word!r} as a date in {text!r}; write published:2010,"
                    " published:2010-10 or published:2010-10-27 (or use --since/--until)."
                ) from None


PHRASE_FIELDS = {
    "all": ("exact", "exact_comments"),
    "posts": ("exact",),
    "comments": ("exact_comments",),
}
# A phrase in quotes that no field name precedes (a word may: `Kunden"kleinen Laden"`).
BARE_PHRASE = re.compile(r'(?<!:)"([^"]*)"')


def _exact_phrases(text: str, scope: Scope) -> str:
    """ "kleinen Laden" → the unstemmed fields, so a phrase matches the words as written."""

    def exact(m: re.Match[str]) -> str:
        parts = [f'{name}:"{m.group(1)}"' for name in PHRASE_FIELDS[scope]]
        return " " + (parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")")

    return BARE_PHRASE.sub(exact, text)


# A post that has a word only inside compounds counts this much of a post with the word
# itself, so exact matches rank first ("Unternehmen" above "Kleinunternehmen").
COMPOUND_BOOST = 0.02
MIN_HEAD = 4  # stems shorter than this ("tag", "bau") match too much by their ending alone…
MIN_MODIFIER = 3  # …and a compound puts at least three letters before its head
MAX_COMPOUNDS = 64  # compounds per query word, most frequent first
# A short head ("lad" of Laden, "dat" of Daten, "f" that Snowball leaves of "fest" at the
# end of "Straßenfest") is taken only where the letters before it are a word of the field,
# perhaps with a linking element (Kunde-n-daten, Geburt-s-tag): "Dorfladen" is a compound of
# "Laden", "Salat" none of "lat". So many candidates are checked at most.
MAX_SCANNED = 4096
LINKS = ("", "s", "es", "n", "en", "e", "er", "ens")
ENDINGS = ("", "e", "en", "es", "s", "er", "n")


def with_compounds(q: wq.Query, reader: Any) -> wq.Query:
    """A German word also finds the compounds it ends: "Unternehmen" → "Kleinunternehmen".

    German compounds put their head last; `heads_de` holds every long German stem
    backwards, so the stems ending in the word's stem are one prefix lookup away. The head
    is looked up as Snowball stems it alone and as it stems it inside a compound.
    """

    def expand(node: wq.Query) -> wq.Query:
        if not (isinstance(node, wq.Term) and node.fieldname == "body_de"):
            return node
        stem = str(node.text)
        longer = set()
        for head in {stem, head_stem(stem)}:
            if not head or (head == stem and len(stem) < MIN_MODIFIER):
                continue
            short = len(head) < MIN_HEAD
            found = reader.expand_prefix("heads_de", head[::-1])
            for term in itertools.islice(found, MAX_SCANNED if short else None):
                t = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                if len(t) < len(head) + MIN_MODIFIER or t == stem[::-1]:
                    continue
                if short and not _compound_of(t[::-1], head, stem, reader):
                    continue
                longer.add(t)
        if not longer:
            return node
        chosen = sorted(longer)
        if len(chosen) > MAX_COMPOUNDS:
            chosen.sort(key=lambda t: -reader.doc_frequency("heads_de", t))
            chosen = chosen[:MAX_COMPOUNDS]
        heads = [wq.Term("heads_de", t, boost=COMPOUND_BOOST * node.boost) for t in chosen]
        return wq.Or([node, *heads])

    return q.accept(expand)


def _compound_of(compound: str, head: str, stem: str, reader: Any) -> bool:
    """Whether a stem ending in a short head is that head behind a word of the field."""
    modifier = compound[: len(compound) - len(head)]
    if head != stem:
        # "f" is what Snowball leaves of "fest" only at the end of a word "…fest(e)": the
        # compound's own spelling (the unstemmed field) says whether it was one.
        if german_stem(modifier + stem) != compound:
            return False
        if any(("exact", modifier + stem + e) in reader for e in ENDINGS):
            return True
    for link in LINKS:
        if modifier.endswith(link):
            base = modifier[: len(modifier) - len(link)]
            if len(base) >= MIN_MODIFIER and ("body_de", german_stem(base)) in reader:
                return True
    return False


# A post that has another inflected form of a word (zeigt, gezeigt for "zeigen") counts
# this much of one with the form's own stem.
INFLECTION_BOOST = 0.5
GERMAN_FIELDS = frozenset(("body_de", "comments_de"))


def with_inflections(q: wq.Query, reader: Any) -> wq.Query:
    """A German word also finds its inflected forms that have other stems: a verb's
    person, past and participle (zeigt, zeigte, gezeigt; gibt, gab, gegeben), a loanword's
    plural (Fotos, Firmen); see indexer/inflection.py. Only stems the field holds."""

    def expand(node: wq.Query) -> wq.Query:
        if not (isinstance(node, wq.Term) and node.fieldname in GERMAN_FIELDS):
            return node
        stem = str(node.text)
        more = sorted(s for s in other_forms(stem) if (node.fieldname, s) in reader)
        if not more:
            return node
        boost = INFLECTION_BOOST * node.boost
        return wq.Or([node, *(wq.Term(node.fieldname, s, boost=boost) for s in more)])

    return q.accept(expand)


# Letters before a word that put Snowball's regions (R1, R2) where a compound's modifier
# would: the stemmer strips more from a long word than from a short one ("Meldung" stays
# "meldung", "Rückmeldung" becomes "ruckmeld"), so a head is also looked up as it is
# stemmed at the end of a compound.
MODIFIER = "baba"


def head_stem(stem: str) -> str:
    """How a German stem is stemmed when it ends a compound ("meldung" → "meld")."""
    inside = german_stem(MODIFIER + stem)
    return inside[len(MODIFIER) :] if inside.startswith(MODIFIER) else stem


_ALIASES = frozenset(a for names in FIELD_ALIASES.values() for a in names)


def date_terms(since: date | None, until: date | None, years: list[int]) -> list[wq.Term]:
    """Terms for the days from `since` up to (not including) `until`, coarsest first:
    whole years as `year` terms, whole months as `month` terms, the rest as `day` terms.
    Open ends stop at the years the index holds. At most about 90 terms for any range."""
    if not years:
        return []
    lo, hi = date(min(years), 1, 1), date(max(years) + 1, 1, 1)
    cur, end = max(lo, since or lo), min(hi, until or hi)
    terms = []
    while cur < end:
        next_year = date(cur.year + 1, 1, 1)
        next_month = date(cur.year + cur.month // 12, cur.month % 12 + 1, 1)
        if (cur.month, cur.day) == (1, 1) and next_year <= end:
            terms.append(wq.Term("year", f"{cur:%Y}"))
            cur = next_year
        elif cur.day == 1 and next_month <= end:
            terms.append(wq.Term("month", f"{cur:%Y-%m}"))
            cur = next_month
        else:
            terms.append(wq.Term("day", f"{cur:%Y-%m-%d}"))
            cur += timedelta(days=1)
    return terms


def _filter_query(f: Filters, reader: Any) -> wq.Query | None:
    parts: list[wq.Query] = []
    if f.authors:  # every word of the name given, in any case, accents and ß as ss or not
        names = [
            wq.And([wq.Term("author_words", w) for w in words])
            for words in (fast_terms(name, None) for name in f.authors)
            if words
        ]
        parts.append(wq.Or(names) if len(names) > 1 else names[0] if names else wq.NullQuery)
    for fieldname, values in (
        ("tag", f.tags),
        ("category", f.categories),
        ("site", f.sites),
        ("lang", f.langs),
    ):
        if values:
            terms = [wq.Term(fieldname, v if fieldname == "site" else v.lower()) for v in values]
            parts.append(wq.Or(terms) if len(terms) > 1 else terms[0])
    if f.since or f.until:
        since, until = utc_naive(f.since), utc_naive(f.until)
        years = [int(y) for y in reader.lexicon("year")]
        # A bound inside a day (never from the command line) rounds to whole days.
        first = since.date() if since else None
        last = (until - timedelta(microseconds=1)).date() + timedelta(days=1) if until else None
        terms = date_terms(first, last, years)
        start = datetime.combine(first, datetime.min.time()) if first else None
        end = datetime.combine(last, datetime.min.time()) if last else None
        parts.append(DateRange(terms, since=start, until=end) if terms else wq.NullQuery)
    if not parts:
        return None
    return wq.And(parts) if len(parts) > 1 else parts[0]


def restricted(q: wq.Query, filters: Filters | None, reader: Any) -> wq.Query:
    """The query and the filters in one tree, the filters adding the same tiny score to
    every post (so they do not change the order, and Whoosh's skipping still works).

    Whoosh's own `filter=` miscounts totals in some cases and treats a filter that matches
    nothing as no filter.
    """
    only = _filter_query(filters or Filters(), reader)
    if only is None:
        return q
    return wq.And([q, wq.ConstantScoreQuery(only, FILTER_SCORE)])


FILTER_SCORE = 1e-6


# --- wildcards, read whole ---------------------------------------------------------------
# Whoosh's WildcardPlugin joins a wildcard character with the word before it and the one
# after it, but only one node after it: in `stra??e` the second `?` is taken and the `e` left
# as a word of its own (dropped as too short), so the query became `stra??`. Here a wildcard
# takes every word and wildcard character that touches it, on both sides.


class WholeWildcardPlugin(WildcardPlugin):  # type: ignore[misc]  # Whoosh has no type hints
    def do_wildcards(self, parser: Any, group: Any) -> Any:
        i = 0
        while i < len(group):
            node = group[i]
            if isinstance(node, self.WildcardNode):
                while i > 0 and group[i - 1].is_text():
                    before = group.pop(i - 1)
                    node.text = before.text + node.text
                    node.startchar = before.startchar
                    i -= 1
                while i + 1 < len(group) and group[i + 1].is_text():
                    after = group.pop(i + 1)
                    node.text += after.text
                    node.endchar = after.endchar
                if _is_prefix(node.text, self.qmarks):
                    prefix = PrefixPlugin.PrefixNode(node.text[:-1])
                    prefix.startchar, prefix.endchar = node.startchar, node.endchar
                    group[i] = prefix
            elif isinstance(node, syntax.GroupNode):
                self.do_wildcards(parser, node)
            i += 1
        return group


def _is_prefix(text: str, qmarks: str) -> bool:
    """`word*`: Whoosh's cheaper prefix query does the same."""
    return len(text) > 1 and text.find("*") == len(text) - 1 and not any(q in text for q in qmarks)
