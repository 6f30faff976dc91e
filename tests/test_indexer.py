"""Index and search on the sample blog's content, without crawling."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.archive.errors import IndexMissing, QueryError
from crawler.archive.model import Comment, Post
from crawler.archive.store import Store
from indexer.query import Filters
from indexer.search import search, search_ids
from indexer.writer import rebuild_index, update_index
from search_cli.sampleblog.content import load_posts

SITE = "http://blog.test/"


def _as_post(src) -> Post:  # type: ignore[no-untyped-def]
    return Post(
        url=SITE + src.path.lstrip("/"),
        title=src.title,
        text="\n\n".join(src.body),
        author=src.author,
        published=src.published,
        language=src.lang,
        categories=tuple(src.categories),
        tags=tuple(src.tags),
        site=SITE,
        comments=tuple(
            Comment(
                id=c.id, text=c.text, parent_id=c.parent_id, author=c.author, published=c.published
            )
            for c in src.comments
        ),
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("idx")
    with Store(path) as store:
        for src in load_posts():
            store.save_post(_as_post(src))
        assert update_index(path, store) == 33
        assert store.pending_index() == []
    return path


def _titles(archive: Path, query: str, **kw: object) -> list[str]:
    with Store(archive) as store:
        return [h.title for h in search(archive, query, store=store, **kw).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("Unternehmens", "Kundenbindung durch Service nach dem Kauf"),  # inflection
        ("kundenbindungen", "Kundenbindung im kleinen Laden"),
        ("grösstenteils", "Das Strassenfest als Werbebühne"),  # Swiss ss
        ("größtenteils", "Das Strassenfest als Werbebühne"),  # ß
        ("groesstenteils", "Das Strassenfest als Werbebühne"),  # transliterated
        ("Bäckereien", "Ein Blog für die Bäckerei"),
        ("customers", "Word of Mouth for Small Shops"),  # English stemming
        ('"kleinen Laden"', "Kundenbindung im kleinen Laden"),  # phrase
        ("Bauernbrot", "Kundenbindung im kleinen Laden"),  # only in a comment
        ("tag:Mundpropaganda", "Kundenbindung im kleinen Laden"),
        ('tag:"Lokale Suche"', "Lokale Suche für Handwerker: So finden Kunden Ihren Betrieb"),
        ("Sauerteig AND Lehrlinge", "Ein Blog für die Bäckerei"),
        ("stammtisch*", "Warum wir Unternehmerstammtische lieben"),
        ("Stra??enfest", "Das Strassenfest als Werbebühne"),  # two wildcards in a row
        ("Werbeb?hne", "Das Strassenfest als Werbebühne"),
    ],
)
def test_queries_find_their_post(archive: Path, query: str, title: str) -> None:
    assert title in _titles(archive, query, limit=50)


def test_comment_hit_shows_the_comment(archive: Path) -> None:
    with Store(archive) as store:
        [hit] = search(archive, "Bauernbrot", store=store).hits
    assert hit.matched_in == ("comments",)
    [snippet] = hit.highlights
    assert snippet.field == "comment"
    assert snippet.comment_author == "Jörg Müller"
    start, end = snippet.marks[0]
    assert snippet.fragment[start:end] == "Bauernbrot"


def test_filters_and_sorting(archive: Path) -> None:
    since = datetime(2015, 1, 1, tzinfo=UTC)
    got = _titles(archive, "marketing OR kunden", filters=Filters(since=since), sort="oldest")
    assert got
    assert all(t != "Kundenbindung im kleinen Laden" for t in got)
    with Store(archive) as store:
        result = search(archive, "kunden", store=store, sort="newest", limit=50)
    dates = [h.published for h in result.hits]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    english = _titles(archive, "shop OR laden", filters=Filters(langs=("en",)), limit=50)
    assert english
    assert "Kundenbindung im kleinen Laden" not in english
    assert _titles(archive, "kunden", filters=Filters(authors=("Urs Meier",))) == [
        "Das Strassenfest als Werbebühne"
    ]


def test_paging(archive: Path) -> None:
    with Store(archive) as store:
        one = search(archive, "kunden", store=store, limit=2, page=1)
        two = search(archive, "kunden", store=store, limit=2, page=2)
    assert one.total == two.total > 4
    assert {h.id for h in one.hits}.isdisjoint(h.id for h in two.hits)
    assert [h.rank for h in two.hits] == [3, 4]


def test_a_page_past_the_last_is_empty(archive: Path) -> None:
    with Store(archive) as store:
        first = search(archive, "kunden", store=store, limit=2)
        past = search(archive, "kunden", store=store, limit=2, page=first.total)
    assert past.total == first.total
    assert past.page == first.total
    assert past.hits == ()


def test_search_ids_for_export(archive: Path) -> None:
    assert len(search_ids(archive, "*")) == 33
    assert len(search_ids(archive, "*", filters=Filters(tags=("kundenbindung",)))) == 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Empty query"),
        ("   ", "Empty query"),
        ('"kleinen Laden', "Unbalanced quotes"),
        ("(kunden OR laden", "Unbalanced parentheses"),
        ("farbe:rot", "Unknown field 'farbe'"),
        ("tag:", "Nothing after tag:"),
        ("kunden title: laden", "Nothing after title:"),
        ("(autor:)", "Nothing after autor:"),
        ("kunden published:<2012", "published:< and published:> are not supported"),
        ("Kunden OR", "OR has nothing to join"),
        ("AND Kunden", "AND has nothing to join"),
        ("(Kunden OR) Laden", "OR has nothing to join"),
        ("Kunden NOT", "NOT has nothing to join"),
    ],
)
def test_bad_queries_raise_query_error(archive: Path, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        search(archive, query)


def test_rebuild_gives_the_same_results(archive: Path, tmp_path: Path) -> None:
    before = _titles(archive, "kunden", limit=50)
    assert rebuild_index(archive) == 33
    assert _titles(archive, "kunden", limit=50) == before


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="blogarchive reindex"):
        search(tmp_path, "kunden")


def test_scope_posts_or_comments(archive: Path) -> None:
    assert _titles(archive, "Bauernbrot", scope="comments") == ["Kundenbindung im kleinen Laden"]
    assert _titles(archive, "Bauernbrot", scope="posts") == []
    assert "Ein Blog für die Bäckerei" in _titles(archive, "Sauerteig", scope="posts")


def test_facets_count_every_hit(archive: Path) -> None:
    with Store(archive) as store:
        result = search(archive, "kunden", store=store, limit=1, facets=("tag", "author", "year"))
    assert len(result.hits) == 1
    authors = dict(result.facets["author"])
    assert sum(authors.values()) == result.total  # one author per post, all hits counted
    assert authors["anna becker"] >= 1
    years = dict(result.facets["year"])
    assert sum(years.values()) == result.total
    assert all(len(y) == 4 for y in years)
    assert dict(result.facets["tag"]).get("kundenbindung", 0) >= 1


def test_did_you_mean_from_the_archive_words(archive: Path) -> None:
    with Store(archive) as store:
        result = search(archive, "Kundenbindnug", store=store)
    assert result.total == 0
    assert result.suggestion == "Kundenbindung"  # as the posts write it
    with Store(archive) as store:
        assert search(archive, "kunden", store=store).suggestion is None


def test_search_side_indexing_does_not_wait_for_a_busy_writer(tmp_path: Path) -> None:
    from indexer.writer import open_or_create, try_update_index

    with Store(tmp_path) as store:
        store.save_post(_as_post(load_posts()[0]))
        writer = open_or_create(tmp_path).writer()  # a crawl in another process, say
        try:
            assert try_update_index(tmp_path, store) is None
            assert len(store.pending_index()) == 1
        finally:
            writer.cancel()
        assert try_update_index(tmp_path, store) == 1
        assert store.pending_index() == []


def test_date_filters_become_few_coarse_terms() -> None:
    from datetime import date

    from indexer.query import date_terms

    def names(since: date | None, until: date | None) -> list[str]:
        return [f"{t.fieldname}:{t.text}" for t in date_terms(since, until, [2009, 2012])]

    assert names(date(2010, 1, 1), date(2011, 1, 1)) == ["year:2010"]
    assert names(date(2010, 10, 1), date(2010, 11, 1)) == ["month:2010-10"]
    assert names(date(2010, 10, 30), date(2010, 11, 2)) == [
        "day:2010-10-30",
        "day:2010-10-31",
        "day:2010-11-01",
    ]
    assert names(date(2011, 12, 1), None) == ["month:2011-12", "year:2012"]
    assert names(None, date(2010, 2, 1)) == ["year:2009", "month:2010-01"]
    assert names(date(2030, 1, 1), None) == []
    worst = date_terms(date(2009, 1, 2), date(2012, 12, 31), [2009, 2012])
    assert len(worst) < 100
    assert date_terms(date(2010, 1, 1), None, []) == []


def test_fast_indexing_makes_the_terms_the_query_analyzers_make() -> None:
    from indexer.analysis import fast_terms, folding_analyzer, heads_analyzer, stemming_analyzer
    from search_cli.sampleblog.content import __file__ as content_file

    sample = (Path(content_file).parent / "posts.txt").read_text(encoding="utf-8")
    odd = (
        "Größtenteils grösstenteils E-Mail-Marketing Website-Relaunch don't Café-Bar ß Öl -x-"
        " Straßencafés straßencafé naïve Façade Über-Änderung "
    )
    for text in (sample, odd * 3, ""):
        for lang in ("de", "en"):
            assert fast_terms(text, lang) == [t.text for t in stemming_analyzer(lang)(text)]
        assert fast_terms(text, "de", reverse=True) == [t.text for t in heads_analyzer()(text)]
        assert fast_terms(text, None) == [t.text for t in folding_analyzer()(text)]
    # Accents other than the umlauts make no difference to a stem.
    for lang in ("de", "en"):
        assert fast_terms("Straßencafés", lang) == fast_terms("strassencafes", lang)
        assert fast_terms("Café", lang) == fast_terms("cafe", lang)


@pytest.mark.parametrize("query", ["Kundenbrief", "kundenbrief*"])  # numpy path, Whoosh's path
def test_posts_without_a_date_come_last_in_either_order(tmp_path: Path, query: str) -> None:
    with Store(tmp_path) as store:
        for n in range(12):
            store.save_post(
                Post(
                    url=f"{SITE}{n}/",
                    title=f"Kundenbrief {n}",
                    text="Ein Kundenbrief im Archiv.",
                    published=datetime(2010 + n, 5, 1, tzinfo=UTC) if n % 3 else None,
                    language="de",
                    site=SITE,
                )
            )
        update_index(tmp_path, store)
    for sort in ("newest", "oldest"):
        dates = [
            h.published
            for page in (1, 2, 3)
            for h in search(tmp_path, query, sort=sort, limit=5, page=page).hits  # type: ignore[arg-type]
        ]
        assert len(dates) == 12
        dated = [d for d in dates if d is not None]
        assert dates == [*dated, None, None, None, None]  # an "Impressum" never comes first
        assert dated == sorted(dated, reverse=sort == "newest")


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("stra??e", "stra??e"),
        ("x?*y", "x?*y"),
        ("a*b*c", "a*b*c"),
        ("gr*?", "gr*?"),
        ("kund*", "kund"),
    ],
)
def test_a_wildcard_keeps_every_character_of_its_word(query: str, word: str) -> None:
    from indexer.query import parse_query
    from indexer.schema import build_schema

    titles = [q.text for q in parse_query(query, build_schema()).leaves() if q.fieldname == "title"]
    assert titles == [word]  # Whoosh's own parser reads `stra??e` as `stra??`


def test_every_post_with_a_field_is_counted_once_by_either_ranker(tmp_path: Path) -> None:
    """`tag:*` on three posts of which two have tags: two matches, however it is ranked
    (the count of a second query walker once said three)."""
    with Store(tmp_path) as store:
        for n, tags in enumerate([("Flyer",), ("Laden", "Flyer"), ()]):
            store.save_post(
                Post(url=f"{SITE}p{n}/", title=f"Beitrag {n}", text="Kunden", site=SITE, tags=tags)
            )
        update_index(tmp_path, store)
    for ranker in ("numpy", "whoosh"):
        found = search(tmp_path, "tag:*", ranker=ranker, limit=10)  # type: ignore[arg-type]
        assert found.total == 2, ranker
        assert sorted(h.title for h in found.hits) == ["Beitrag 0", "Beitrag 1"]


@pytest.mark.parametrize("name", ["jörg", "Weiss", "WEISS", "joerg weiß", "weiß"])
def test_an_author_is_found_by_any_word_of_the_name_folded(archive: Path, name: str) -> None:
    by_filter = search(archive, "*", filters=Filters(authors=(name,)), limit=50)
    assert by_filter.total > 0
    assert {h.author for h in by_filter.hits} == {"Jörg Weiß"}
    by_field = search(archive, f'author:"{name}"', limit=50)
    assert {h.id for h in by_field.hits} == {h.id for h in by_filter.hits}


def test_a_category_name_is_found_by_its_plain_words(archive: Path) -> None:
    found = search(archive, "Suchmaschinenoptimierung", limit=50)
    assert "oeffnungszeiten-online" in {h.url.rstrip("/").rsplit("/", 1)[-1] for h in found.hits}


def test_did_you_mean_offers_words_as_written_that_find_something(archive: Path) -> None:
    with Store(archive) as store:
        umlaut = search(archive, "Datenschutzerklärnug", store=store)
        assert umlaut.suggestion == "Datenschutzerklärung"  # not the index's "…erklaerung"
        assert search(archive, umlaut.suggestion, store=store).total > 0
        # A word of the archive that the filters leave nothing to find is not offered.
        none = search(archive, "Datenschutzerklärnug", store=store, filters=Filters(langs=("en",)))
    assert none.total == 0
    assert none.suggestion is None
