"""Searching: query parsing, filters, sorting, paging and highlighted snippets.

Returns plain dataclasses; Whoosh objects do not leave this package. Post texts for the
snippets come from the store, so the index stores no text and stays small.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from whoosh import query as wq
from whoosh import sorting
from whoosh.fields import DATETIME
from whoosh.highlight import ContextFragmenter, Formatter, get_text
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FuzzyTermPlugin,
    MultifieldParser,
    WildcardPlugin,
)
from whoosh.searching import Hit as WhooshHit

from crawler.archive.errors import (
    ArchiveError,
    IndexDamaged,
    IndexMissing,
    IndexOutdated,
    QueryError,
)
from crawler.archive.model import Post
from crawler.archive.paths import index_path
from crawler.archive.store import Store
from indexer.analysis import fold
from indexer.columns import UNDATED, sort_keys, whole_lengths
from indexer.counting import matching_docs
from indexer.schema import TEXT_FIELDS, is_current
from indexer.scoring import DateRange, dated_docs, facet_counts, top_docs
from indexer.wildcards import WholeWildcardPlugin
from indexer.writer import open_storage, utc_naive

# Whoosh preloads every match of an Or into arrays for segments under 5,000 posts, which
# scores every posting; its tree of union matchers can skip blocks that cannot reach the
# top hits. Measured on 10,000 posts: term queries 1.5–2× faster.
wq.Or.matcher_type = wq.Or.DEFAULT_MATCHER
whole_lengths()

Sort = Literal["relevance", "newest", "oldest"]
Scope = Literal["all", "posts", "comments"]
SCOPE_FIELDS = {
    "all": TEXT_FIELDS,
    "posts": {k: v for k, v in TEXT_FIELDS.items() if not k.startswith("comments_")},
    "comments": {k: v for k, v in TEXT_FIELDS.items() if k.startswith("comments_")},
}
FACETS = ("tag", "category", "author", "year")
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
FIELD_ALIASES = {
    "tag": ["tags", "schlagwort"],
    "category": ["categories", "kategorie"],
    "author": ["autor"],
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


@dataclass(frozen=True, slots=True)
class Highlight:
    """One snippet; `marks` are (start, end) character spans of matched words in it."""

    field: Literal["title", "text", "comment"]
    fragment: str
    marks: tuple[tuple[int, int], ...]
    comment_id: str | None = None
    comment_author: str | None = None
    comment_published: datetime | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    rank: int
    id: str
    url: str
    title: str
    published: datetime | None
    author: str | None
    site: str
    score: float
    matched_in: tuple[str, ...] = ()
    highlights: tuple[Highlight, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    total: int
    page: int
    limit: int
    hits: tuple[Hit, ...] = field(default_factory=tuple)
    # facet name → (value, count), most frequent first; values of tag/category/author are
    # lower-cased as indexed
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None  # "Did you mean …?" when nothing was found


class _MarkFormatter(Formatter):  # type: ignore[misc]  # Whoosh has no type hints
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


def parse_query(text: str, schema: object, scope: Scope = "all") -> wq.Query:
    """Whoosh query language over title, text and comments; one-line errors for bad input."""
    if not text.strip():
        raise QueryError("Empty query. Example: blogarchive search 'kundenbindung AND laden'")
    if text.count('"') % 2:
        raise QueryError(f'Unbalanced quotes in {text!r}: close the phrase with another ".')
    if text.count("(") != text.count(")"):
        raise QueryError(f"Unbalanced parentheses in {text!r}.")
    _check_fields(text)
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
MIN_HEAD = 4  # stems shorter than this ("tag", "bau") would match too much by their ending
MIN_MODIFIER = 3  # …and a compound puts at least three letters before its head
MAX_COMPOUNDS = 64  # compounds per query word, most frequent first


def with_compounds(q: wq.Query, reader: Any) -> wq.Query:
    """A German word also finds the compounds it ends: "Unternehmen" → "Kleinunternehmen".

    German compounds put their head last; `heads_de` holds every German stem backwards,
    so the stems ending in the word's stem are one prefix lookup away.
    """

    def expand(node: wq.Query) -> wq.Query:
        if not (isinstance(node, wq.Term) and node.fieldname == "body_de"):
            return node
        stem = str(node.text)
        if len(stem) < MIN_HEAD:
            return node
        backwards = stem[::-1]
        found = [
            term.decode("utf-8") if isinstance(term, bytes) else str(term)
            for term in reader.expand_prefix("heads_de", backwards)
        ]
        longer = [t for t in found if len(t) >= len(stem) + MIN_MODIFIER]
        if not longer:
            return node
        if len(longer) > MAX_COMPOUNDS:
            longer.sort(key=lambda t: -reader.doc_frequency("heads_de", t))
            longer = longer[:MAX_COMPOUNDS]
        heads = [wq.Term("heads_de", t, boost=COMPOUND_BOOST * node.boost) for t in longer]
        return wq.Or([node, *heads])

    return q.accept(expand)


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
    for fieldname, values in (
        ("tag", f.tags),
        ("category", f.categories),
        ("author", f.authors),
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


def _restricted(q: wq.Query, filters: Filters | None, reader: Any) -> wq.Query:
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


@contextmanager
def reading(archive: Path) -> Iterator[None]:
    """Whatever goes wrong reading the index files is damage: the store holds the truth,
    and the index can be rebuilt from it."""
    from whoosh.query.qcore import QueryError as WhooshQueryError

    try:
        yield
    except (ArchiveError, QueryError):
        raise
    except WhooshQueryError as exc:  # a query the parser let through but Whoosh cannot run
        raise QueryError(f"Cannot run this query: {exc}") from exc
    except Exception as exc:
        raise IndexDamaged(
            f"The search index in {index_path(archive)} cannot be read ({type(exc).__name__})."
            " Run: blogarchive reindex"
        ) from exc


def open_index(archive: Path) -> Any:
    storage = open_storage(archive)
    if not index_path(archive).exists() or not storage.index_exists():
        raise IndexMissing(f"No search index in {index_path(archive)}. Run: blogarchive reindex")
    with reading(archive):
        ix = storage.open_index()
    if not is_current(ix.schema):
        raise IndexOutdated(
            f"The search index in {index_path(archive)} is from an older blogarchive."
            " Run: blogarchive reindex"
        )
    return ix


def search_ids(archive: Path, text: str, *, filters: Filters | None = None) -> list[str]:
    """Ids of every matching post, best first ("*" matches all): what export streams."""
    ix = open_index(archive)
    q = wq.Every() if text.strip() == "*" else parse_query(text, ix.schema)
    with reading(archive), ix.searcher() as searcher:
        q = _restricted(with_compounds(q, searcher.reader()), filters, searcher.reader())
        results = searcher.search(q, limit=None)
        return [hit["id"] for hit in results]


def search(
    archive: Path,
    text: str,
    *,
    filters: Filters | None = None,
    sort: Sort = "relevance",
    limit: int = 10,
    page: int = 1,
    store: Store | None = None,
    scope: Scope = "all",
    facets: tuple[str, ...] = (),
) -> SearchResult:
    """Search the archive's index. Example: search(archive, "kundenbindung", limit=5)"""
    ix = open_index(archive)
    q = parse_query(text, ix.schema, scope)
    with reading(archive), ix.searcher() as searcher:
        q = _restricted(with_compounds(q, searcher.reader()), filters, searcher.reader())
        # Not terms=True: collecting matched terms for every matching post cost more than
        # the search itself; only the shown hits need them (see _matched_fields).
        kwargs: dict[str, object] = {}
        if sort == "oldest":
            kwargs["sortedby"] = "published"  # undated posts last: theirs is the largest key
        elif sort == "newest":  # undated posts last here too
            kwargs["sortedby"] = sorting.TranslateFacet(
                _dated_first, sorting.FieldFacet("published")
            )
            kwargs["reverse"] = True
        limit = max(limit, 1)
        want = max(page, 1) * limit
        run = q
        # The page's posts found with numpy (see scoring.py): Whoosh fetches just those.
        fast = (
            top_docs(q, searcher, want)
            if sort == "relevance"
            else dated_docs(q, searcher, want, newest=sort == "newest")
        )
        found = None
        if fast is not None:
            run = _only([searcher.stored_fields(d)["id"] for _, d in fast.best])
        else:
            if facets:
                kwargs["groupedby"] = _facets(facets)
            # The matches as sets of document numbers: the total, and for sorting by date
            # the page's posts, without Whoosh visiting every match (see counting.py).
            found = matching_docs(q, searcher.reader())
            if found is not None and sort != "relevance" and not facets:
                # Sorted, a hit's score is its date either way.
                ids = _by_date(found, searcher, newest=sort == "newest", want=want)
                if ids is not None:
                    run = _only(ids)
        # Not search_page: its page object counts every match the slow way.
        results = searcher.search(run, limit=want, **kwargs)
        if fast is not None:
            total = fast.total
        elif found is not None:
            total = sum(len(docs) for _, _, docs in found)
        else:  # phrases and the like are not set algebra: Whoosh counts them
            total = len(results)
        last_page = max(1, -(-total // limit))
        page = min(max(page, 1), last_page)
        offset = (page - 1) * limit
        shown = results[offset : offset + limit]
        if fast is not None and sort == "relevance":
            by_doc = {hit.docnum: hit for hit in results}
            shown = []
            for score, docnum in fast.best[offset : offset + limit]:
                hit = by_doc[docnum]
                hit.score = score
                shown.append(hit)
        results.fragmenter = ContextFragmenter(maxchars=240, surround=70)
        results.formatter = _MarkFormatter()
        docnums = [h.docnum for h in shown]
        if fast is not None:
            _note_ranked_terms(results, fast.postings, docnums)
        else:
            _note_matched_terms(results, q, searcher.reader(), docnums)
        hits: list[Hit] = []
        for hit in shown:
            post = store.get_post(hit["id"]) if store is not None else None
            hits.append(_hit(hit, offset + len(hits) + 1, post))
        return SearchResult(
            query=text,
            total=total,
            page=page,
            limit=limit,
            hits=tuple(hits),
            facets={
                name: facet_counts(fast, name) if fast is not None else _facet_counts(results, name)
                for name in facets
            },
            suggestion=_suggest(searcher, q, text) if total == 0 else None,
        )


def _only(ids: list[str]) -> wq.Query:
    """A query for exactly these posts."""
    return wq.Or([wq.Term("id", i) for i in ids]) if ids else wq.NullQuery


def _dated_first(key: int) -> int:
    """A sort key for newest first that puts posts without a date after all others."""
    return -1 if key == UNDATED else key


def _by_date(
    found: list[tuple[Any, int, set[int]]], searcher: Any, *, newest: bool, want: int
) -> list[str] | None:
    """Ids of the first `want` of the matching posts by publication date, or None where
    the date column cannot be read whole (then Whoosh sorts)."""
    keyed: list[tuple[int, int]] = []
    for leaf, offset, docs in found:
        keys = sort_keys(leaf, "published")
        if keys is None:
            return None
        if newest:
            keyed += [(_dated_first(keys[d]), offset + d) for d in docs]
        else:
            keyed += [(keys[d], offset + d) for d in docs]
    pick = heapq.nlargest(want, keyed) if newest else heapq.nsmallest(want, keyed)
    return [searcher.stored_fields(docnum)["id"] for _, docnum in pick]


QUERY_WORD = re.compile(r"(?<![\w:~*?])([^\W\d_][\w-]*)(?![\w:~*?])")
OPERATORS = frozenset(("AND", "OR", "NOT", "TO"))


def _suggest(searcher: Any, q: wq.Query, text: str) -> str | None:
    """The query with each unknown word replaced by the closest word of the archive's own
    texts (the unstemmed `exact` field, so the suggestion is a word, not a stem), or None."""
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
                out = out.replace(word, str(found[0]), 1)
                changed = True
    except Exception:  # a suggestion is a courtesy; never let it fail the search
        return None
    return out if changed and out != text else None


def _facets(names: tuple[str, ...]) -> sorting.Facets:
    out = sorting.Facets()
    for name in names:
        out.add_field(name, allow_overlap=name != "year", maptype=sorting.Count)
    return out


def _facet_counts(results: Any, name: str) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for key, count in results.groups(name).items():
        if key is None or count == 0:
            continue
        label = str(key[0].year) if isinstance(key, tuple) else str(key)
        counts[label] = counts.get(label, 0) + int(count)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _query_terms(q: wq.Query, reader: Any, schema: Any) -> list[tuple[str, bytes]]:
    """Every (field, term) the query can match, wildcards and fuzzy terms expanded."""
    out: set[tuple[str, bytes]] = set()
    for leaf in q.leaves():
        name = getattr(leaf, "fieldname", None)
        if name is None or name not in schema:
            continue
        if isinstance(leaf, wq.MultiTerm):
            words = list(leaf._btexts(reader))
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


def _note_matched_terms(results: Any, q: wq.Query, reader: Any, docnums: list[int]) -> None:
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


def _note_ranked_terms(
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


def _hit(hit: WhooshHit, rank: int, post: Post | None) -> Hit:
    matched = {name for name, _ in hit.matched_terms()}
    matched_in = tuple(
        label
        for label, names in (
            ("title", {"title"}),
            ("text", {"body_de", "body_en", "heads_de", "exact"}),
            ("comments", {"comments_de", "comments_en", "exact_comments"}),
        )
        if matched & names
    )
    lang = hit.get("lang", "en")
    highlights: list[Highlight] = []
    if post is not None:
        if "text" in matched_in:
            # Stemmed words first, then compounds, then a phrase as written.
            for name in (f"body_{lang}", "heads_de", "exact"):
                if name in matched and len(highlights) < 2:
                    highlights += _snippets(hit, name, post.text, "text", top=2 - len(highlights))
        if "comments" in matched_in and len(highlights) < 2:
            name = f"comments_{lang}" if f"comments_{lang}" in matched else "exact_comments"
            for c in post.comments:
                found = _snippets(hit, name, c.text, "comment", top=1)
                for h in found:
                    highlights.append(
                        Highlight(h.field, h.fragment, h.marks, c.id, c.author, c.published)
                    )
                if len(highlights) >= 2:
                    break
    return Hit(
        rank=rank,
        id=hit["id"],
        url=hit["url"],
        title=hit.get("title", ""),
        published=post.published if post else hit.get("published"),
        author=post.author if post else (hit.get("author") or None),
        site=hit.get("site", ""),
        score=round(float(hit.score or 0.0), 4),
        matched_in=matched_in,
        highlights=tuple(highlights),
    )


def _snippets(
    hit: WhooshHit, fieldname: str, text: str, label: Literal["text", "comment"], top: int
) -> list[Highlight]:
    if not text:
        return []
    marked = hit.highlights(fieldname, text=text, top=top)
    out = []
    for piece in marked.split(_MarkFormatter.between) if marked else ():
        fragment, marks = _marks(piece.strip())
        if marks:
            out.append(Highlight(label, fragment, marks))
    return out[:top]
