"""Platform detection and the platform parsers on small pages in each engine's markup.

Hand-written pages for unit tests only; real pages are in test_recorded_pages.py and
test_realworld.py.
"""

from __future__ import annotations

import pytest

from crawler.parsers import parse_page

BLOGGER = """<html><head><meta content='blogger' name='generator'/>
<title>Lesewelt: Irland-Roadtrip</title>
</head><body><div class='blog-posts hfeed'><div class="date-outer">
<h2 class='date-header'><span>Donnerstag, 2. August 2018</span></h2>
<div class='post-outer'><div class='post hentry'>
<h3 class='post-title entry-title'>Irland-Roadtrip</h3>
<div class='post-header'><span class='post-author vcard'>von <span class='fn'>Julia</span>
</span></div>
<div class='post-body entry-content'><p>Wir fuhren die Küste entlang.</p></div>
<div class='post-footer'><span class='post-labels'>Labels:
<a href='/search/label/Reisen'>Reisen</a>,
<a href='/search/label/Irland'>Irland</a></span></div></div></div></div></div>
<div class='comments' id='comments'><div class='comment-thread toplevel-thread'><ol id='top-ra'>
<li class='comment' id='c111'><div class='comment-block'><div class='comment-header'>
<cite class='user'><a href='https://anna.example'>Anna</a></cite>
<span class='datetime secondary-text'><a href='#c111'>3. August 2018 um 10:00</a></span></div>
<p class='comment-content'>Wunderschön!</p></div>
<div class='comment-replies'><div class='comment-thread inline-thread'><ol>
<li class='comment' id='c222'><div class='comment-block'><cite class='user'>Julia</cite>
<p class='comment-content'>Danke dir!</p></div></li></ol></div></div></li></ol></div></div>
</body></html>"""

SERENDIPITY = """<html><head><meta name="generator" content="Serendipity v.2.3"></head><body>
<div class="serendipity_Entry_Date"><h3 class="serendipity_date">Samstag, 3. Dezember 2011</h3>
<h4 class="serendipity_title"><a href="/archives/5-Flyer.html">Flyer, die wirken</a></h4>
<div class="serendipity_entry"><div class="serendipity_entry_body"><p>Ein guter Flyer hat eine
Botschaft.</p></div><div class="serendipity_entryFooter">Geschrieben von
<a href="/authors/1-Anna">Anna</a> in <a href="/categories/2-Marketing">Marketing</a></div></div>
</div><div class="serendipity_comment" id="c7"><div class="serendipity_commentBody">Stimmt!</div>
<div class="serendipity_comment_source">Jörg am 4.12.2011</div></div></body></html>"""

GHOST = """<html><head><meta name="generator" content="Ghost 5.2">
<title>Pricing – Shop Notes</title>
<meta property="og:title" content="Pricing"></head><body><article class="post">
<h1 class="post-full-title">Pricing</h1><time class="post-full-meta-date" datetime="2019-03-05">
5 March 2019</time><span class="author-name"><a href="/author/claire/">Claire</a></span>
<section class="post-full-content"><div class="post-content"><p>Price your time.</p></div>
</section><footer class="post-full-footer">More posts</footer></article>
<div id="disqus_thread"></div></body></html>"""


def test_blogger_post_labels_and_threaded_comments() -> None:
    page = parse_page("https://lesewelt.blogspot.com/2018/08/irland.html", BLOGGER)
    post = page.post
    assert post is not None
    assert post.platform == "blogger"
    assert (post.title, post.author, post.text) == (
        "Irland-Roadtrip",
        "Julia",
        "Wir fuhren die Küste entlang.",
    )
    assert post.published is not None
    assert post.published.date().isoformat() == "2018-08-02"
    assert post.tags == ("Reisen", "Irland")
    assert [(c.id, c.parent_id, c.author, c.text) for c in post.comments] == [
        ("111", None, "Anna", "Wunderschön!"),
        ("222", "111", "Julia", "Danke dir!"),
    ]
    assert post.comments[0].author_url == "https://anna.example"


def test_serendipity_entry_and_comment() -> None:
    post = parse_page("https://s9y.example/archives/5-Flyer.html", SERENDIPITY).post
    assert post is not None
    assert post.platform == "serendipity"
    assert post.title == "Flyer, die wirken"
    assert post.text == "Ein guter Flyer hat eine Botschaft."
    assert post.categories == ("Marketing",)
    assert post.published is not None
    assert post.published.date().isoformat() == "2011-12-03"
    assert [c.text for c in post.comments] == ["Stimmt!"]


def test_ghost_post_with_comments_elsewhere() -> None:
    post = parse_page("https://notes.example/pricing/", GHOST).post
    assert post is not None
    assert post.platform == "ghost"
    assert (post.title, post.author, post.text) == ("Pricing", "Claire", "Price your time.")
    assert post.comments == ()
    assert post.comments_status == "external"  # Disqus holds them, not the page


@pytest.mark.parametrize(
    ("generator", "platform"),
    [
        ("Jekyll v4.3.1", "jekyll"),
        ("Hugo 0.120.0", "hugo"),
        ("WordPress 6.1", "wordpress"),
        ("Pelican", "pelican"),
        ("Something Else", "generic"),
    ],
)
def test_detection_by_generator(generator: str, platform: str) -> None:
    html = (
        f'<html><head><meta name="generator" content="{generator}"></head><body>'
        '<article><h1>T</h1><time datetime="2020-01-02">2. Januar 2020</time>'
        "<p>Text</p></article></body></html>"
    )
    post = parse_page("https://b.example/t/", html).post
    assert post is not None
    assert post.platform == platform


def test_comment_status_closed_and_complete() -> None:
    closed = (
        "<html><body><article><h1>T</h1><time datetime='2020-01-02'>x</time><p>Text</p>"
        "</article><p class='nocomments'>Kommentare sind geschlossen.</p></body></html>"
    )
    post = parse_page("https://b.example/t/", closed).post
    assert post is not None
    assert post.comments_status == "closed"
    open_form = closed.replace(
        "<p class='nocomments'>Kommentare sind geschlossen.</p>",
        "<div id='respond'><form></form></div>",
    )
    post = parse_page("https://b.example/t/", open_form).post
    assert post is not None
    assert post.comments_status == "complete"


def test_lone_entry_teaser_is_a_listing_but_a_whole_article_is_its_post() -> None:
    def page(body: str) -> str:
        return (
            "<html><body><h1>Kategorie: Flyer</h1><article><h2>"
            '<a href="/2020/01/flyer/">Flyer</a></h2><time datetime="2020-01-02">x</time>'
            f"<div class='entry-content'>{body}</div></article></body></html>"
        )

    teaser = parse_page("https://b.example/kategorie/flyer/", page("<p>Kurz.</p>"))
    assert teaser.kind == "listing"
    whole = parse_page("https://b.example/kategorie/flyer/", page("<p>Lang. </p>" * 400))
    assert whole.kind == "post"
    assert whole.post is not None
    assert whole.post.url == "https://b.example/2020/01/flyer/"  # one record with the post page


def test_promotional_lead_ins_are_not_post_text() -> None:
    html = (
        "<html><body><article><h1>T</h1><time datetime='2020-01-02'>x</time>"
        "<div class='entry-content'><p>Der eigentliche Text.</p>"
        "<p>Das könnte dich auch interessieren:</p><p>You may also like these posts</p>"
        "</div></article></body></html>"
    )
    post = parse_page("https://b.example/t/", html).post
    assert post is not None
    assert post.text == "Der eigentliche Text."


WP_FLATTENED = """<html><head><title>Flyer</title></head><body><article class="post">
<h1 class="entry-title">Flyer</h1><div class="entry-content"><p>{text}</p></div></article>
<ol class="commentlist">
<li id="comment-12" class="comment depth-1"><div class="comment-body"><p>Erster</p></div>
<ol class="children">
<li id="comment-15" class="comment depth-2"><div class="comment-body"><p>Antwort</p></div>
</li></li>
<li id="comment-17" class="comment depth-2"><div class="comment-body"><p>Tiefer</p></div>
</li></ol></li>
<li id="comment-13" class="comment depth-1"><div class="comment-body"><p>Zweiter</p></div></li>
</ol></body></html>"""


def test_a_reply_whose_nesting_the_markup_lost_answers_the_last_comment_a_level_up() -> None:
    # WordPress closes an item it never opened where a theme shows threads only so deep;
    # the depth-N class it writes on every comment still says where the reply belongs.
    post = parse_page("https://blog.example/flyer/", WP_FLATTENED.format(text="Text " * 60)).post
    assert post is not None
    parents = {c.id: c.parent_id for c in post.comments}
    assert parents == {"12": None, "15": "12", "17": "12", "13": None}


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="comments utterances-container"></div>',  # NexT
        '<script class="next-config" data-name="giscus" type="application/json">{}</script>',
        '<section id="comments"><div id="disqus_thread"></div></section>',
        '<div id="isso-thread"></div>',
        '<div id="waline"></div><script src="/js/waline.js"></script>',
    ],
)
def test_comments_a_script_service_loads_are_external(markup: str) -> None:
    page = (
        '<html><head><title>Post</title></head><body><article class="post">'
        '<h1 class="entry-title">Post</h1><time datetime="2020-01-02T10:00:00+01:00">2.1.</time>'
        f'<div class="entry-content"><p>{"Text " * 60}</p></div></article>{markup}</body></html>'
    )
    post = parse_page("https://blog.example/post/", page).post
    assert post is not None
    assert post.comments_status == "external"


def test_a_word_that_only_contains_a_service_name_is_no_comment_service() -> None:
    page = (
        '<html><head><title>Post</title></head><body><article class="post">'
        '<h1 class="entry-title">Post</h1><time datetime="2020-01-02T10:00:00+01:00">2.1.</time>'
        f'<div class="entry-content dissolve"><p>{"Isso é delivered. " * 30}</p></div>'
        "</article></body></html>"
    )
    post = parse_page("https://blog.example/post/", page).post
    assert post is not None
    assert post.comments_status != "external"


def test_a_short_static_page_in_a_content_element_is_archived_as_a_page() -> None:
    page = (
        '<html><head><title>Über uns | Werkstatt</title></head><body><div class="main-inner">'
        '<h1 class="post-title">Über uns</h1><div class="post-body"><p>Werkstatt Marketing ist'
        " ein Blog für kleine Unternehmen.</p></div></div></body></html>"
    )
    parsed = parse_page("https://blog.example/ueber-uns/", page)
    assert parsed.kind == "page"
    assert parsed.post is not None
    assert "kleine Unternehmen" in parsed.post.text
