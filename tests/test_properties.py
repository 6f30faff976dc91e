"""Property-based tests (hypothesis): the parsers take any bytes, the query layer any string,
and export followed by import round-trips any archive exactly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.archive.errors import QueryError
from crawler.archive.formats.jsonl import import_posts
from crawler.archive.model import Comment, Post
from crawler.archive.store import Store
from crawler.parsers import parse_page
from tests.schema_check import check_post, validator
from tests.test_security import assert_safe_html

KINDS = ("post", "page", "listing", "other", "binary")
SITE = "https://blog.example/"

# --- parsers ---------------------------------------------------------------------------------

TAGS = (
    "html head title body article div p h1 h2 h3 span a time ul ol li section footer header nav"
    " aside script style table tr td blockquote pre code br img meta link form label"
).split()
CLASSES = (
    "post hentry h-entry entry-title p-name entry-content e-content post-content comment"
    " comment-author comment-content comment-body children reply tags cat-links sharedaddy"
    " author vcard published dt-published byline widget sidebar"
).split()
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(
    ["Größe", "Straße", "27. Oktober 2010", "vor 3 Tagen", "&amp;", "<", "Antworten"]
)
ATTR = st.one_of(
    st.tuples(st.just("class"), st.lists(st.sampled_from(CLASSES), max_size=3).map(" ".join)),
    st.tuples(st.just("id"), st.sampled_from(["comment-1", "comment-2", "comments", "respond"])),
    st.tuples(
        st.just("href"),
        st.sampled_from(
            ["/", "/a/", "#c", "http://[::1", "javascript:x", "/comment-page-2/", "?replytocom=3"]
        ),
    ),
    st.tuples(
        st.just("datetime"),
        st.sampled_from(["2010-10-27T14:05:00+02:00", "2019-02-30", "nope", ""]),
    ),
    st.tuples(
        st.sampled_from(["property", "name"]),
        st.sampled_from(["og:title", "article:published_time", "generator", "author"]),
    ),
    st.tuples(st.just("content"), TEXT),
    st.tuples(st.just("charset"), st.sampled_from(["utf-8", "windows-1252", "klingon"])),
    st.tuples(st.just("rel"), st.sampled_from(["canonical", "next", "author"])),
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def render(tag: str, attrs: list[tuple[str, str]], inner: list[str], close: bool) -> str:
        attr = "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in attrs)
        return f"<{tag}{attr}>{''.join(inner)}{f'</{tag}>' if close else ''}"

    return st.builds(
        render,
        st.sampled_from(TAGS),
        st.lists(ATTR, max_size=3),
        st.lists(children, max_size=4),
        st.booleans(),
    )


HTML = st.recursive(TEXT, _element, max_leaves=40)


def _post_page(title: str, when: str, body: str, comments: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<li id="comment-{n}" class="comment"><div class="comment-author vcard">{who}</div>'
        f'<time datetime="{when}"></time><div class="comment-content">{text}</div>'
        f'<a class="comment-reply-link" href="?replytocom={n}">Antworten</a></li>'
        for n, (who, text, when) in enumerate(comments)
    )
    return (
        f"<html lang='de'><head><title>{title} | Blog</title></head><body><nav>{body[:20]}</nav>"
        f'<article class="post hentry h-entry"><h1 class="entry-title">{title}</h1>'
        f'<time class="published" datetime="{when}">27. Oktober 2010</time>'
        f'<div class="entry-content">{body}</div></article>'
        f'<div id="comments"><ol class="commentlist">{items}</ol></div></body></html>'
    )


WHEN = st.sampled_from(["2010-10-27T14:05:00+02:00", "2019-02-30T25:61", "", "gestern"])
POST_PAGES = st.builds(
    _post_page, HTML, WHEN, HTML, st.lists(st.tuples(HTML, HTML, WHEN), max_size=4)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=3000))
def test_parsers_never_raise_on_arbitrary_bytes(body: bytes) -> None:
    page = parse_page("https://blog.example/2010/10/post/", body)
    assert page.kind in KINDS


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=HTML | POST_PAGES, encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
@example(html="<H1><A HREF=http://[>", encoding="utf-8")  # a link no URL parser accepts
def test_parsers_return_schema_valid_posts_for_any_markup(html: str, encoding: str) -> None:
    body = html.encode(encoding, errors="replace")
    page = parse_page("https://blog.example/2010/10/post/", body, content_type=None)
    assert page.kind in KINDS
    if page.post is not None:
        post = page.post.with_(site=SITE, fetched_at=datetime(2026, 1, 1, tzinfo=UTC))
        check_post(_validator(), post.to_dict())
        assert len({c.id for c in post.comments}) == len(post.comments)
        assert_safe_html(post.html or "")


_cached: list[Any] = []


def _validator() -> Any:
    if not _cached:
        _cached.append(validator())
    return _cached[0]


# --- the query layer -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer.writer import update_index

    archive = tmp_path_factory.mktemp("props")
    with Store(archive) as store:
        for post in _sample_posts():
            store.save_post(post)
        update_index(archive, store)
    return archive


def _sample_posts() -> list[Post]:
    words = "Kundenbindung Größe Straße Flyer Newsletter marketing customers Bäckerei".split()
    return [
        Post(
            url=f"{SITE}{n}/",
            title=f"{words[n % len(words)]} {n}",
            text=" ".join(words[(n + k) % len(words)] for k in range(30)),
            site=SITE,
            tags=(words[n % 3],),
            language="de" if n % 2 else "en",
            published=datetime(2010 + n % 5, 1 + n % 12, 1, tzinfo=UTC),
            comments=(Comment(id=f"c{n}", text=f"Danke für {words[n % 4]}", author="Leser"),),
            fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for n in range(12)
    ]


QUERY_PIECES = st.sampled_from(
    [
        "AND", "OR", "NOT", "(", ")", '"', "*", "?", "~", "~2", "^", ":", "title:", "tag:",
        "nosuchfield:", "[", "]", "{", "}", "TO", "Größe", "strasse", "kund*", "flyer~",
        "\\", "-", "+", "'", "published:", "2010", "…", "\x00", " ",
    ]
)  # fmt: skip
QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(QUERY_PIECES | st.text(max_size=5), max_size=12).map(" ".join),
    st.lists(QUERY_PIECES, max_size=12).map("".join),
)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=QUERIES, scope=st.sampled_from(["all", "posts", "comments"]))
@example(text='0"0&0"', scope="all")  # a phrase glued to a word once reached a stemmed field
@example(text='published:"0000"', scope="all")  # a phrase of dates that cannot exist
def test_no_exception_but_a_query_error_escapes_the_query_layer(
    small_index: Path, text: str, scope: str
) -> None:
    from indexer.search import search

    try:
        result = search(small_index, text, scope=scope, facets=("tag", "year"))  # type: ignore[arg-type]
    except QueryError as exc:
        message = str(exc).strip()
    else:
        assert result.total >= 0
        assert len(result.hits) <= 10
        return
    assert message  # the one line the command prints
    assert "\n" not in message


# --- export and import -----------------------------------------------------------------------

NAMES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
)
DATES = st.none() | st.builds(
    lambda d, minutes: d.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2030, 1, 1)),
    st.sampled_from([0, 60, 120, -300, 330]),
)


@st.composite
def posts(draw: st.DrawFn, n: int) -> Post:
    count = draw(st.integers(0, 4))
    ids = [f"{n}-{k}" for k in range(count)]
    comments = tuple(
        Comment(
            id=cid,
            text=draw(st.text(max_size=80)),
            parent_id=draw(st.sampled_from([None, *ids[:k]])),
            author=draw(st.none() | NAMES),
            author_url=draw(st.none() | st.just("https://reader.example/")),
            published=draw(DATES),
            type=draw(st.sampled_from(["comment", "pingback", "trackback"])),
        )
        for k, cid in enumerate(ids)
    )
    return Post(
        url=f"{SITE}{n}/{draw(st.sampled_from(['a', 'ä', 'x y']))}/",
        title=draw(NAMES),
        text=draw(st.text(max_size=300)),
        kind=draw(st.sampled_from(["post", "page"])),
        author=draw(st.none() | NAMES),
        published=draw(DATES),
        updated=draw(DATES),
        language=draw(st.sampled_from([None, "de", "en"])),
        categories=tuple(draw(st.lists(NAMES, max_size=3, unique=True))),
        tags=tuple(draw(st.lists(NAMES, max_size=4, unique=True))),
        summary=draw(st.none() | st.text(max_size=40)),
        html=draw(st.none() | st.just("<p>x</p>")),
        comments=comments,
        comments_status=draw(st.sampled_from([None, "open", "closed", "external"])),
        site=SITE,
        fetched_at=datetime(2026, 1, 1, 12, tzinfo=UTC),
        platform=draw(st.sampled_from([None, "wordpress", "generic"])),
    )


ARCHIVES = st.integers(1, 6).flatmap(lambda k: st.tuples(*(posts(n) for n in range(k))))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(archive_posts=ARCHIVES)
def test_export_then_import_round_trips_exactly(
    tmp_path: Path, archive_posts: tuple[Post, ...]
) -> None:
    run = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
    with Store(run / "a") as store:
        for post in archive_posts:
            store.save_post(post)
        exported = list(store.post_blobs())
    dump = run / "all.jsonl"
    dump.write_bytes(b"".join(blob + b"\n" for blob in exported))
    with Store(run / "b") as store:
        result = import_posts(store, dump)
        assert result.skipped == []
        assert result.new == len(archive_posts)
        again = list(store.post_blobs())
    assert again == exported
    for blob in again:
        check_post(_validator(), json.loads(blob))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=QUERIES, tag=st.sampled_from([None, "kundenbindung", "größe"]))
def test_the_fast_count_is_whooshs_count(small_index: Path, text: str, tag: str | None) -> None:
    from indexer.query import Filters, parse_query, restricted, with_compounds
    from indexer.search import open_index
    from indexer.segments.scoring import top_docs

    ix = open_index(small_index)
    try:
        q = parse_query(text, ix.schema)
    except QueryError:
        return
    with ix.searcher() as searcher:
        filters = Filters(tags=(tag,)) if tag else None
        q = restricted(with_compounds(q, searcher.reader()), filters, searcher.reader())
        fast = top_docs(q, searcher, 1)
        if fast is not None:
            assert fast.total == len(searcher.search(q, limit=None))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=QUERIES, newest=st.booleans(), page=st.integers(1, 3))
def test_sorting_by_date_from_posting_sets_matches_whoosh(
    small_index: Path, text: str, newest: bool, page: int
) -> None:
    from indexer.search import Ranker, search

    def run(ranker: Ranker) -> object:
        try:
            r = search(
                small_index,
                text,
                sort="newest" if newest else "oldest",
                limit=4,
                page=page,
                ranker=ranker,
            )
        except QueryError as exc:
            return str(exc)
        return r.total, r.page, [(h.id, h.published, h.matched_in) for h in r.hits]

    assert run("whoosh") == run("numpy")  # Whoosh sorting every match


def _oracle(q: Any, searcher: Any) -> dict[int, float] | None:
    """Each matching document's score, from every term scored alone by Whoosh and the tree's
    sums and boosts applied by hand: what BM25F over the whole tree means."""
    from whoosh import query as wq

    from indexer.segments.scoring import DateRange

    if isinstance(q, wq.Term):
        return {h.docnum: h.score for h in searcher.search(q, limit=None, optimize=False)}
    if type(q) is wq.Phrase:  # Whoosh's SpanNear2: the words' scores summed where they touch
        docs = {h.docnum for h in searcher.search(q, limit=None, optimize=False)}
        words = [_oracle(wq.Term(q.fieldname, w), searcher) or {} for w in q.words]
        return {d: sum(w.get(d, 0.0) for w in words) * q.boost for d in docs}
    if isinstance(q, DateRange):  # a filter: its terms' documents, scored 0
        docs = {h.docnum for h in searcher.search(wq.Or(q.subqueries), limit=None)}
        return dict.fromkeys(docs, 0.0)
    if isinstance(q, type(wq.NullQuery)):  # the parser makes instances of its own
        return {}
    if type(q) in (wq.Or, wq.And):
        parts = [_oracle(sub, searcher) for sub in q.subqueries]
        if any(p is None for p in parts):
            return None
        if len(parts) == 1:
            return parts[0]
        docs = set().union(*parts) if type(q) is wq.Or else set.intersection(*map(set, parts))
        return {d: sum(p.get(d, 0.0) for p in parts) * q.boost for d in docs}  # type: ignore[union-attr]
    if type(q) is wq.AndNot:
        a, b = _oracle(q.a, searcher), _oracle(q.b, searcher)
        return None if a is None or b is None else {d: s for d, s in a.items() if d not in b}
    if type(q) is wq.Not:
        inner = _oracle(q.query, searcher)
        if inner is None:
            return None
        live = [d for d in range(searcher.doc_count_all()) if not searcher.reader().is_deleted(d)]
        return {d: 1.0 for d in live if d not in inner}
    if type(q) is wq.ConstantScoreQuery:
        inner = _oracle(q.child, searcher)
        return None if inner is None else dict.fromkeys(inner, q.score)
    if type(q) in (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.TermRange, wq.Every) or isinstance(
        q, wq.NumericRange
    ):
        # Whoosh expands these in each segment and scores the words as an Or; unpruned
        # (no limit, optimize=False) and with its tree of union matchers (its preloading
        # matcher scores a constant) that is every word's BM25F summed.
        from unittest import mock

        with mock.patch.object(wq.Or, "matcher_type", wq.Or.DEFAULT_MATCHER):
            return {h.docnum: h.score for h in searcher.search(q, limit=None, optimize=False)}
    return None


def _assert_ranked_as_oracle(fast: Any, expected: dict[int, float], want: int) -> None:
    """The numpy ranking counts what the oracle counts and scores its best as it does."""
    assert fast.total == len(expected)
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:want]
    assert [round(s, 9) for s, _ in fast.best] == [round(s, 9) for _, s in ranked]


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=QUERIES, tag=st.sampled_from([None, "kundenbindung", "größe"]), want=st.integers(1, 8))
@example(text="Kundenbindung AND Straße", tag=None, want=3)
@example(text="Flyer NOT Größe", tag="kundenbindung", want=5)
@example(text='"Größe Straße" OR "Flyer Newsletter"', tag=None, want=4)
@example(text="kund* OR flyer~", tag=None, want=8)
@example(text="Stra*e AND title:k*", tag="größe", want=2)
def test_numpy_scores_are_bm25f_over_the_whole_tree(
    small_index: Path, text: str, tag: str | None, want: int
) -> None:
    from indexer.query import Filters

    try:
        fast, expected = _ranked_and_oracle(
            small_index, text, Filters(tags=(tag,)) if tag else None, want
        )
    except QueryError:
        return
    if fast is None:
        return
    assert expected is not None, text  # whatever numpy scores, the oracle can too
    _assert_ranked_as_oracle(fast, expected, want)
    for score, docnum in fast.best:
        assert abs(expected[docnum] - score) < 1e-9


@pytest.mark.parametrize(
    "text",
    [
        *("kund*", "flyer~", "Str*sse", "kund* AND title:gr*", "newslet*"),
        *("[a TO]", "title:[f TO l]", "* NOT kunden", "title:* AND flyer"),
        *("published:2012", "published:[2011 TO 2013] AND kund*", "published:{2011 TO 2013]"),
        *("published:[TO 2011-06] OR flyer", "published:201203 NOT kunden", "kund* OR published:*"),
        *("tag:* NOT title:flyer", "tag:* AND title:k*"),
    ],
)
def test_wildcards_fuzzy_terms_and_ranges_of_words_are_ranked_with_numpy(
    small_index: Path, text: str
) -> None:
    fast, expected = _ranked_and_oracle(small_index, text, None, 5)
    assert fast is not None  # not left to Whoosh
    assert expected  # the expansion finds posts
    _assert_ranked_as_oracle(fast, expected, 5)


def _ranked_and_oracle(
    index: Path, text: str, filters: Any, want: int
) -> tuple[Any, dict[int, float] | None]:
    """The numpy ranking of a query as the searcher builds it, and the oracle's scores."""
    from indexer.query import parse_query, restricted, with_compounds
    from indexer.search import open_index
    from indexer.segments.scoring import top_docs

    ix = open_index(index)
    with ix.searcher() as searcher:
        q = with_compounds(parse_query(text, ix.schema), searcher.reader())
        q = restricted(q, filters, searcher.reader())
        return top_docs(q, searcher, want), _oracle(q, searcher)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    text=st.sampled_from(["Größe", "Flyer OR Newsletter", "Kundenbindung AND Straße"]),
    since=st.none() | st.dates(date(2009, 6, 1), date(2015, 6, 1)),
    days=st.none() | st.integers(0, 900),
)
def test_a_date_filter_from_the_date_column_is_the_date_terms(
    small_index: Path, text: str, since: date | None, days: int | None
) -> None:
    from indexer.query import Filters, parse_query, restricted, with_compounds
    from indexer.search import open_index
    from indexer.segments.scoring import top_docs

    start = datetime.combine(since, datetime.min.time(), UTC) if since else None
    end = (start or datetime(2010, 1, 1, tzinfo=UTC)) + timedelta(days=days) if days else None
    if start is None and end is None:
        return
    ix = open_index(small_index)
    with ix.searcher() as searcher:
        q = with_compounds(parse_query(text, ix.schema), searcher.reader())
        q = restricted(q, Filters(since=start, until=end), searcher.reader())
        fast = top_docs(q, searcher, 12)
        assert fast is not None
        assert fast.total == len(searcher.search(q, limit=None))
        expected = _oracle(q, searcher)
        assert expected is not None
        assert sorted(d for _, d in fast.best) == sorted(expected)


@pytest.fixture(scope="module")
def blocky_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 posts written in posting blocks of 16, so every common word spans many blocks."""
    from unittest import mock

    from indexer import writer
    from indexer.segments import codec

    archive = tmp_path_factory.mktemp("blocky")
    words = "Kundenbindung Größe Straße Flyer Newsletter marketing customers Bäckerei".split()
    with Store(archive) as store, mock.patch.object(codec, "BLOCK_POSTINGS", 16):
        for n in range(300):
            store.save_post(
                Post(
                    url=f"{SITE}b{n}/",
                    title=f"{words[n % 8]} {words[n % 5]}",
                    text=" ".join(words[(n * k + k) % 8] for k in range(3 + n % 40)),
                    site=SITE,
                    language="de" if n % 3 else "en",
                    published=datetime(2010 + n % 7, 1 + n % 12, 1 + n % 28, tzinfo=UTC),
                    fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
        writer.update_index(archive, store)
    return archive


@pytest.mark.parametrize(
    "text",
    ["Größe", "Flyer AND Straße", "Newsletter OR marketing", "Flyer NOT Größe", '"Größe Straße"'],
)
def test_numpy_scores_hold_across_many_posting_blocks(blocky_index: Path, text: str) -> None:
    from indexer.query import Filters

    for filters in (None, Filters(since=datetime(2012, 3, 1, tzinfo=UTC))):
        fast, expected = _ranked_and_oracle(blocky_index, text, filters, 25)
        assert fast is not None
        assert expected is not None
        assert len(expected) > 0
        _assert_ranked_as_oracle(fast, expected, 25)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    text=QUERIES,
    sort=st.sampled_from(["relevance", "newest"]),
    facet=st.sampled_from(["tag", "year", "author", "category"]),
)
@example(text="Größe", sort="relevance", facet="tag")
@example(text="Flyer OR Newsletter", sort="newest", facet="year")
def test_facet_counts_from_postings_are_whooshs(
    small_index: Path, text: str, sort: str, facet: str
) -> None:
    from indexer.search import Ranker, search

    def run(ranker: Ranker) -> object:
        try:
            r = search(small_index, text, sort=sort, facets=(facet,), ranker=ranker)  # type: ignore[arg-type]
        except QueryError as exc:
            return str(exc)
        return r.total, r.facets

    assert run("whoosh") == run("numpy")


def test_every_word_of_a_field_counts_in_segments_without_that_field(tmp_path: Path) -> None:
    """`*` over segments where some field has no document at all (no length column)."""
    from indexer.segments.codec import ArchiveCodec, segments_of
    from indexer.writer import document, open_or_create

    posts = _sample_posts()
    ix = open_or_create(tmp_path)
    for part in (posts[:6], [p for p in posts[6:] if p.language == "de"]):
        w = ix.writer(codec=ArchiveCodec())
        for post in part:
            w.add_document(**document(post))
        w.commit(merge=False)  # a segment of German posts only: no English body
    assert len(segments_of(ix)) == 2
    for text in ("*", "body_en:* OR flyer", "* NOT kunden"):
        fast, expected = _ranked_and_oracle(tmp_path, text, None, 8)
        assert fast is not None, text
        assert expected
        _assert_ranked_as_oracle(fast, expected, 8)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(archive_posts=ARCHIVES)
def test_wxr_atom_and_csv_of_any_archive_are_read_back_whole(
    tmp_path: Path, archive_posts: tuple[Post, ...]
) -> None:
    import csv
    import io

    import feedparser
    from lxml import etree

    from crawler.archive.formats.atom import write_atom
    from crawler.archive.formats.tables import write_tables
    from crawler.archive.formats.wxr import write_wxr
    from crawler.imports.wxr import WxrResult, read_wxr

    run = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
    with Store(run / "a") as store:
        for post in archive_posts:
            store.save_post(post)
        blobs = list(store.export_blobs())
    stored = [json.loads(blob) for blob in blobs]
    wxr = run / "all.wxr"
    with wxr.open("wb") as out:
        assert write_wxr(out, blobs) == len(stored)
    etree.parse(str(wxr), etree.XMLParser(resolve_entities=False))  # well-formed, always
    back = {p.id: p for p in read_wxr(wxr, WxrResult())}
    assert set(back) == {r["id"] for r in stored}
    for record in stored:
        post = back[record["id"]]
        ids = [c["id"] for c in record["comments"]]
        assert sorted(c.id for c in post.comments) == sorted(ids)
        parents = {c["id"]: c["parent_id"] for c in record["comments"]}
        for comment in post.comments:  # a thread kept: every reply under the comment it answers
            assert comment.parent_id == parents[comment.id]
        assert post.kind == record["kind"]
    atom = io.BytesIO()
    write_atom(atom, blobs)
    feed = feedparser.parse(atom.getvalue())
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == len(stored)
    text = io.StringIO(newline="")
    write_tables(stored, {"comments": text})
    rows = list(csv.DictReader(io.StringIO(text.getvalue(), newline="")))
    kept = [c for r in stored for c in r["comments"]]
    assert len(rows) == len(kept)
    for row, comment in zip(rows, kept, strict=True):
        assert row["text"] in (comment["text"], "'" + comment["text"])
