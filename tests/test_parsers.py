"""Parsers on the sample blog's pages (checked against its source) and on WordPress markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.archive.errors import ParseError
from crawler.parsers import merge_comment_pages, parse_page, parse_post
from search_cli.sampleblog.build import build_site
from search_cli.sampleblog.content import SamplePost

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
BASE = "http://blog.test:8000"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SamplePost]]:
    root = tmp_path_factory.mktemp("site")
    return root, build_site(root, BASE + "/")


def _page(root: Path, path: str) -> bytes:
    return (root / path.strip("/") / "index.html").read_bytes()


def test_every_sample_post_parses_to_its_source(built: tuple[Path, list[SamplePost]]) -> None:
    root, posts = built
    for src in posts:
        page = parse_page(BASE + src.path, _page(root, src.path))
        assert page.kind == src.kind, src.slug
        post = page.post
        assert post is not None
        assert post.url == BASE + src.path
        assert post.title == src.title
        assert post.author == src.author
        assert post.published == src.published
        assert post.language == src.lang
        if src.kind == "post":
            assert list(post.categories) == src.categories
            assert list(post.tags) == src.tags
        # Every paragraph of the source body, and nothing of the share widget or the form.
        first = next(line for line in src.body if line.strip() and not line.startswith(("#", "-")))
        assert first.strip() in post.text
        for junk in ("Teilen mit", "Gefällt mir", "Schreibe einen Kommentar", "Neueste Beiträge"):
            assert junk not in post.text, (src.slug, junk)


def test_threaded_comments_with_authors_and_dates(built: tuple[Path, list[SamplePost]]) -> None:
    root, posts = built
    src = next(p for p in posts if p.slug == "kundenbindung-im-kleinen-laden")
    post = parse_post(BASE + src.path, _page(root, src.path))
    got = [(c.id, c.parent_id, c.author, c.author_url, c.published, c.text) for c in post.comments]
    want = [(c.id, c.parent_id, c.author, c.author_url, c.published, c.text) for c in src.comments]
    assert got == want


def test_comment_pages_merge_in_order(built: tuple[Path, list[SamplePost]]) -> None:
    root, posts = built
    src = next(p for p in posts if p.slug == "zehn-jahre-werkstatt-marketing")
    first = parse_page(BASE + src.path, _page(root, src.path))
    assert first.comment_pages == (BASE + src.path + "comment-page-2/",)
    assert first.post is not None
    others = []
    for n in (3, 2):  # fetched out of order on purpose
        url = f"{src.path}comment-page-{n}/"
        page = parse_page(BASE + url, _page(root, url))
        assert page.comment_page_of == BASE + src.path
        assert page.post is not None
        others.append((n, page.post))
    merged = merge_comment_pages(first.post, others)
    assert [c.id for c in merged.comments] == [c.id for c in src.comments]
    assert [c.parent_id for c in merged.comments] == [c.parent_id for c in src.comments]


def test_listing_pages_are_not_posts(built: tuple[Path, list[SamplePost]]) -> None:
    root, _ = built
    for path in ("/", "/page/2/", "/kategorie/marketing/", "/schlagwort/lokale-suche/"):
        page = parse_page(BASE + path, _page(root, path))
        assert page.kind == "listing", path
        assert page.post is None
        assert page.links
    with pytest.raises(ParseError):
        parse_post(BASE + "/", _page(root, "/"))


def test_wordpress_classic_theme() -> None:
    html = (FIXTURES / "wordpress" / "classic-twentytwentyone.html").read_bytes()
    post = parse_post("https://handwerk.example/2011/08/preise/", html)
    assert post.platform == "wordpress"
    # twentytwentyone points canonical at the comment page; the post URL is without it.
    assert post.url == "https://handwerk.example/2011/08/preise/"
    assert post.title == "Preise richtig kommunizieren"
    assert post.author == "Jörg Weiß"
    assert post.published is not None
    assert post.published.isoformat() == "2011-08-08T08:45:00+02:00"
    assert post.categories == ("Marketing",)
    assert post.tags == ("Preise", "Verkauf")  # the empty tag link is dropped
    assert post.text == (
        "Kleine Betriebe entschuldigen sich oft für ihre Preise.\n\n"
        "Erklären Sie, was im Preis steckt."
    )
    assert post.html is not None
    assert "Gefällt mir" not in post.html
    assert [(c.id, c.parent_id, c.author, c.type) for c in post.comments] == [
        ("11", None, "Jörg Müller", "comment"),
        ("12", "11", "Jörg Weiß", "comment"),
        ("13", None, None, "pingback"),
    ]
    assert post.comments[0].text == "Sehr wahr, danke!"
    assert post.comments[0].author_url == "https://mueller.example"


def test_windows_1252_page_without_declared_charset() -> None:
    html = "<html><body><article><h1>Größe</h1><p>Über Straßenfeste</p></article></body></html>"
    post = parse_post("https://b.example/x/", html.encode("cp1252"))
    assert post.title == "Größe"
    assert post.text == "Über Straßenfeste"


def test_charset_from_http_header_wins() -> None:
    html = '<html><head><meta charset="utf-8"></head><body><article><h1>Bäcker</h1><p>Brot</p>'
    post = parse_post(
        "https://b.example/x/", html.encode("latin-1"), content_type="text/html; charset=ISO-8859-1"
    )
    assert post.title == "Bäcker"


def test_taxonomy_lines_and_bylines_inside_the_body_are_not_text() -> None:
    html = (
        "<html lang='de'><body><article class='post hentry'><h1 class='entry-title'>Titel</h1>"
        "<time class='published' datetime='2020-01-05T10:00:00+01:00'>5. Januar 2020</time>"
        "<div class='entry-content'><p>von Annette Henkel</p>"
        "<p>Der eigentliche Text über Kundenbindung steht hier.</p>"
        "<p>Kategorie: News, open3</p><p>Tags: Marketing, Laden</p>"
        "<p>Von 2010 bis 2012 lief das Projekt.</p></div></article></body></html>"
    )
    post = parse_post("https://blog.example/2020/01/titel/", html)
    assert post.text.split("\n\n") == [
        "Der eigentliche Text über Kundenbindung steht hier.",
        "Von 2010 bis 2012 lief das Projekt.",
    ]


def _body(inner: str, *, head: str = "") -> str:
    return (
        f"<html lang='de'><head>{head}</head><body><article class='post hentry'>"
        "<h1 class='entry-title'>Titel</h1>"
        "<time class='published' datetime='2020-01-05T10:00:00+01:00'>5. Januar 2020</time>"
        f"<div class='entry-content'>{inner}</div></article></body></html>"
    )


def test_what_themes_and_plugins_put_into_the_body_is_not_text() -> None:
    html = _body(
        "<p>Der Text über Kundenbindung.</p>"
        "<figure><img src='/a.png'><figcaption>Das Netz. Zum Vergrößern auf das Bild klicken."
        " CC-BY</figcaption></figure>"
        "<div class='vcex-post-type-grid'><h2 class='entry-title'><a href='/b/'>Anderer"
        " Beitrag</a></h2></div>"
        "<p>Beitragsbild: Titelseite vom 2.4.2019</p>"
        "<p>Suggested citation: Muster, Titel, Blog, 2020.</p>"
        "<p>Noch ein Absatz.</p>"
        "<div><i><a href='/bewertung/'>Info zur Bewertung</a></i></div>"
    )
    post = parse_post("https://blog.example/2020/01/titel/", html)
    assert post.text.split("\n\n") == [
        "Der Text über Kundenbindung.",
        "Das Netz. CC-BY",
        "Noch ein Absatz.",
    ]


def test_a_site_footer_inside_the_body_ends_the_text() -> None:
    html = _body(
        "<p>Erster Absatz.</p><p>Zweiter Absatz.</p>"
        "<p><a href='/impressum/'>Impressum | Datenschutz</a></p>"
        "<p>Mit diesem Button kannst Du diese Folge merken.</p>"
    )
    post = parse_post("https://blog.example/2020/01/titel/", html)
    assert post.text == "Erster Absatz.\n\nZweiter Absatz."


def test_paragraphs_written_as_divs_are_found_without_article_markup() -> None:
    paragraphs = [f"Absatz {n}: " + "Kundenbindung im kleinen Laden. " * 4 for n in range(4)]
    divs = "".join(f"<div class='sc-x'>{p.strip()}</div>" for p in paragraphs)
    html = (
        "<html lang='de'><head><title>Ein Beitrag</title></head><body>"
        "<div class='sidebar'><p>Kurz.</p></div>"
        f"<article class='post__Article'><h1>Ein Beitrag</h1><div class='Content'>{divs}</div>"
        "</article></body></html>"
    )
    post = parse_post("https://blog.example/ein-beitrag/", html)
    assert post.text.split("\n\n") == [p.strip() for p in paragraphs]


def test_void_elements_do_not_swallow_the_rest_of_the_post() -> None:
    html = _body(
        "<p>Kunden<wbr>bindung ist wichtig.</p><p>Video: <embed src='/v.swf'> hier.</p>"
        "<p>Letzter Absatz.</p>"
    )
    post = parse_post("https://blog.example/2020/01/titel/", html)
    assert post.text.split("\n\n") == [
        "Kundenbindung ist wichtig.",
        "Video: hier.",
        "Letzter Absatz.",
    ]


def test_a_title_part_that_is_not_the_site_name_is_kept() -> None:
    from crawler.parsers.extract import strip_site_suffix

    assert strip_site_suffix("Zitronen ziehen | Schritt für Schritt", "Gartenblog") == (
        "Zitronen ziehen | Schritt für Schritt"
    )
    assert strip_site_suffix("Zitronen ziehen | Gartenblog.de", "Gartenblog") == "Zitronen ziehen"
    assert strip_site_suffix("Zitronen ziehen – Mein Blog", None) == "Zitronen ziehen"


def test_json_ld_strings_have_their_html_entities_decoded() -> None:
    from crawler.parsers import parse_page

    ld = (
        '{"@context": "https://schema.org", "@type": "BlogPosting",'
        ' "headline": "Flyer &#8211; gedruckt &amp; verteilt",'
        ' "author": {"@type": "Person", "name": "J&ouml;rg Wei&szlig;"},'
        ' "datePublished": "2010-10-27T14:05:00+02:00"}'
    )
    page = (
        "<html lang='de'><head><title>Werkstatt</title>"
        f"<script type='application/ld+json'>{ld}</script></head><body><article>"
        + "<p>Ein Absatz über Flyer, die ein kleiner Laden drucken und verteilen lässt.</p>" * 5
        + "</article></body></html>"
    )
    post = parse_page("https://blog.example/2010/10/flyer/", page).post
    assert post is not None
    assert post.title == "Flyer – gedruckt & verteilt"
    assert post.author == "Jörg Weiß"


def _entries_page(full: bool) -> bytes:
    body = "".join(
        f"<p>Absatz {n}: Kundenbindung im kleinen Laden, Schritt für Schritt.</p>"
        for n in range(30)
    )
    cards = "".join(
        f"<article class='node card'><h3><a href='/blog/anderer-{n}/'>Anderer Beitrag {n}</a></h3>"
        f"<p>Kurz angerissen.</p></article>"
        for n in range(3)
    )
    main = (
        "<article class='node'><h1>Treue Kunden</h1>"
        f"<time datetime='2023-10-06T08:00:00+02:00'>6. Oktober 2023</time>{body}</article>"
        if full
        else "<article class='node'><h2><a href='/blog/treue/'>Treue Kunden</a></h2>"
        "<p>Kurz.</p></article>"
    )
    return (
        f"<html><head><title>Treue Kunden</title></head><body>{main}{cards}</body></html>".encode()
    )


def test_read_next_cards_beside_a_whole_post_do_not_make_a_listing() -> None:
    from crawler.parsers import parse_page

    page = parse_page("https://blog.example/blog/treue/", _entries_page(full=True))
    assert page.kind == "post"
    assert page.post is not None
    assert page.post.title == "Treue Kunden"
    assert "Anderer Beitrag" not in page.post.text
    teasers_only = parse_page("https://blog.example/blog/", _entries_page(full=False))
    assert teasers_only.kind == "listing"


def test_a_listing_that_shows_its_newest_post_whole_stays_a_listing() -> None:
    from crawler.parsers import parse_page

    body = "".join(f"<p>Absatz {n}: Kundenbindung im kleinen Laden.</p>" for n in range(40))
    whole = (
        "<article><h2><a href='/blog/neuester/'>Neuester Beitrag</a></h2>"
        f"<time datetime='2023-10-06T08:00:00+02:00'>6. Oktober 2023</time>{body}</article>"
    )
    cards = "".join(
        f"<article><h2><a href='/blog/alt-{n}/'>Alter Beitrag {n}</a></h2><p>Kurz.</p></article>"
        for n in range(3)
    )
    html = f"<html><head><title>Blog</title></head><body>{whole}{cards}</body></html>"
    assert parse_page("https://blog.example/blog/seite/2/", html.encode()).kind == "listing"


def test_comments_in_markup_no_item_selector_names_are_each_one_comment() -> None:
    # A shop system's own comment module: camelCase parts, no item class of a blog engine.
    def one(n: int, who: str, said: str) -> str:
        return (
            f"<div class='commentsCon flex' id='{n}'><div class='leftCon'>"
            f"<p class='strong commentAuthor'>{who}</p><p class='commentDate'>2{n}. Jan 2022</p>"
            f"<p class='commentText'>{said}</p><textarea class='comment quoteComment'>"
            "</textarea></div><div class='like_count'>0</div></div>"
        )

    paragraphs = "".join(f"<p>Absatz {n} über Kundenbindung im Laden.</p>" for n in range(8))
    html = (
        "<html lang='de'><head><title>Treue Kunden</title></head><body><article>"
        f"<h1>Treue Kunden</h1><time datetime='2022-01-20'>20. Jan</time>{paragraphs}</article>"
        "<div id='kommentarModul'><h3>2 Kommentare</h3><div class='commentConWrap'>"
        f"{one(1, 'Anna', 'Du bist die Beste!')}{one(2, 'Ben', 'Gute Idee, danke.')}"
        "</div></div></body></html>"
    ).encode()
    page = parse_page("https://blog.example/treue-kunden", html)
    assert page.post is not None
    got = [(c.id, c.author, c.text, c.published) for c in page.post.comments]
    assert [g[:3] for g in got] == [
        ("1", "Anna", "Du bist die Beste!"),
        ("2", "Ben", "Gute Idee, danke."),
    ]
    assert all(g[3] is not None for g in got)
    assert "Beste" not in page.post.text
