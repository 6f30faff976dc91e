"""Discovery sources, the recrawl policy and the resumable frontier, without a network."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crawler.archive.store import KnownPost, Store
from crawler.middlewares import retry_after
from crawler.plan import decide, signals_of
from crawler.sources import (
    Lead,
    feed_links,
    feed_page,
    feed_pager,
    read_feed,
    read_rest_comment_posts,
    read_rest_posts,
    read_sitemap,
    rest_root,
    sitemap_leads,
)

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://blog.example/wp-sitemap-posts-post-1.xml</loc></sitemap>
<sitemap><loc>https://blog.example/wp-sitemap-taxonomies-category-1.xml</loc></sitemap>
</sitemapindex>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://blog.example/2010/10/kundenbindung/?utm_source=x</loc>
     <lastmod>2010-10-27T14:05:00+02:00</lastmod></url>
<url><loc>https://blog.example/tags/marketing/</loc></url>
<url><loc>https://blog.example/page/2/</loc></url>
<url><loc>https://blog.example/ueber-uns/</loc></url>
</urlset>"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel><title>Blog</title><link>https://blog.example</link>
<item><title>Größtenteils</title><link>https://blog.example/2010/10/kundenbindung/</link>
<comments>https://blog.example/2010/10/kundenbindung/#comments</comments>
<slash:comments>7</slash:comments></item>
<item><title>Ohne Zähler</title><link>https://blog.example/2010/09/flyer/</link></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
<entry><title>A</title><link rel="alternate" href="https://blog.example/a/"/>
<link rel="replies" href="https://blog.example/a/#comments"/>
<updated>2011-12-03T10:00:00Z</updated><thr:total>2</thr:total></entry>
</feed>"""


def test_sitemap_index_and_urlset() -> None:
    index = read_sitemap(SITEMAP_INDEX)
    assert index is not None
    assert index.is_index
    assert next(loc for loc, _ in index.entries).endswith("wp-sitemap-posts-post-1.xml")
    urlset = read_sitemap(URLSET)
    assert urlset is not None
    assert not urlset.is_index
    leads = sitemap_leads(urlset)
    # Listings (tag pages, pagination) are left out; tracking parameters are dropped.
    assert [lead.url for lead in leads] == [
        "https://blog.example/2010/10/kundenbindung/",
        "https://blog.example/ueber-uns/",
    ]
    assert leads[0].version == "2010-10-27T14:05:00+02:00"
    assert leads[1].version is None


def test_broken_sitemaps_are_no_sitemaps() -> None:
    assert read_sitemap(b"") is None
    assert read_sitemap(b"<html><body>Not found</body></html>") is None
    hostile = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset>&e;</urlset>'
    parsed = read_sitemap(hostile)  # external entities are never resolved
    assert parsed is not None
    assert parsed.entries == ()
    truncated = read_sitemap(URLSET[: len(URLSET) // 2])
    assert truncated is not None  # what could be read of a truncated sitemap still counts


def test_feeds_give_links_and_comment_counts() -> None:
    rss = read_feed(RSS)
    assert rss is not None
    assert [(lead.url, lead.version) for lead in rss] == [
        ("https://blog.example/2010/10/kundenbindung/", "7"),
        ("https://blog.example/2010/09/flyer/", None),
    ]
    atom = read_feed(ATOM)
    assert atom is not None
    assert [(lead.url, lead.version) for lead in atom] == [
        ("https://blog.example/a/", "2011-12-03T10:00:00Z|2")
    ]
    assert read_feed(b"not a feed at all") is None
    truncated = read_feed(b"<rss><channel><item><link>http://a/1</link></item><item><li")
    assert truncated is not None
    assert [lead.url for lead in truncated] == ["http://a/1"]
    assert read_feed(b"<html><body>moved</body></html>") is None


def test_feeds_page_back_in_time() -> None:
    wp = b'<?xml version="1.0"?><rss><channel><generator>https://wordpress.org/?v=6.4</generator>'
    assert feed_pager("https://blog.example/feed/", wp) == "wordpress"
    assert feed_page("https://blog.example/feed/", "wordpress", 3) == (
        "https://blog.example/feed/?paged=3"
    )
    blogger = "https://x.blogspot.com/feeds/posts/default"
    assert feed_pager(blogger, b"<feed></feed>") == "blogger"
    assert feed_page(blogger, "blogger", 1) == blogger + "?max-results=25&start-index=1"
    assert feed_page(blogger + "?max-results=150", "blogger", 3).endswith(
        "?max-results=150&start-index=301"
    )
    assert feed_pager("https://blog.example/index.xml", b"<rss><channel>") is None
    relative = b"<rss><channel><item><link>/a/</link></item></channel></rss>"
    leads = read_feed(relative, "https://blog.example/feed/")
    assert leads is not None
    assert [lead.url for lead in leads] == ["https://blog.example/a/"]


def test_feed_and_rest_links_in_a_page() -> None:
    html = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" href="https://blog.example/feed/">
    <link rel="alternate" type="application/rss+xml" href="https://blog.example/comments/feed/">
    <link rel='https://api.w.org/' href='https://blog.example/wp-json/' />
    </head><body></body></html>"""
    assert feed_links(html) == ["https://blog.example/feed/"]
    assert rest_root(html) == "https://blog.example/wp-json/"
    header = b'<https://blog.example/?rest_route=/>; rel="https://api.w.org/"'
    assert rest_root(b"", header) == "https://blog.example/?rest_route=/"
    assert rest_root(b"<html></html>") is None


def test_rest_answers() -> None:
    body = (
        b'[{"id":7,"modified_gmt":"2019-01-10T20:05:00",'
        b'"link":"https:\\/\\/blog.example\\/2019\\/01\\/a\\/"},{"id":"x"},42]'
    )
    assert read_rest_posts(body) == [
        Lead("https://blog.example/2019/01/a/", "rest", "2019-01-10T20:05:00", 7)
    ]
    assert read_rest_posts(b'{"code":"rest_no_route"}') == []
    assert read_rest_posts(b"<html>") == []
    assert read_rest_comment_posts(b'[{"post":7},{"post":7},{"post":9},{}]') == {7, 9}


def _known(**signals: str) -> KnownPost:
    return KnownPost("https://blog.example/a/", "live", None, None, dict(signals))


def test_recrawl_policy() -> None:
    rest = Lead("https://blog.example/a/", "rest", "2019-01-10T20:05:00")
    sitemap = Lead("https://blog.example/a/", "sitemap", "2019-01-10")
    feed = Lead("https://blog.example/a/", "feed", "3")
    assert decide([rest], None, comments_changed=False) == "fetch"  # new
    assert decide([rest], _known(rest=rest.version or ""), comments_changed=False) == "skip"
    assert decide([rest], _known(rest="older"), comments_changed=False) == "fetch"  # edited
    assert decide([rest], _known(rest=rest.version or ""), comments_changed=True) == "fetch"
    # A sitemap's lastmod or a feed's count can say "changed", never "unchanged".
    assert decide([sitemap], _known(sitemap="2019-01-10"), comments_changed=False) == "check"
    assert decide([feed], _known(feed="2"), comments_changed=False) == "fetch"
    assert decide([], _known(), comments_changed=False) == "check"
    gone = KnownPost("https://blog.example/a/", "gone", None, None, {})
    assert decide([rest], gone, comments_changed=False) == "fetch"  # back again
    assert signals_of([rest, Lead("https://blog.example/a/", "sitemap")]) == {
        "rest": "2019-01-10T20:05:00"
    }


def test_retry_after_values() -> None:
    assert retry_after(b"120") == 120.0
    assert retry_after(b"Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60.0
    assert retry_after(b"Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 + 60) == 0.0
    assert retry_after(b"soon") is None
    assert retry_after(None) is None


def test_frontier_survives_a_killed_run(tmp_path: Path) -> None:
    site = "https://blog.example/"
    with Store(tmp_path) as store:
        run = store.start_run(site)
        store.frontier_add(run, ["https://blog.example/a/", "https://blog.example/b/"])
        store.frontier_done(run, "https://blog.example/a/")
    # The process dies here: the run stays "running".
    with Store(tmp_path) as store:
        assert store.interrupted_run(site) == run
        todo, done = store.frontier(run)
        assert todo == ["https://blog.example/b/"]
        assert done == {"https://blog.example/a/"}
        store.abandon_run(run)
        assert store.interrupted_run(site) is None


def test_archives_from_before_the_recrawl_columns_are_upgraded(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "archive.sqlite3")
    db.executescript(
        "CREATE TABLE sites (id INTEGER PRIMARY KEY, url TEXT UNIQUE NOT NULL,"
        " added_at TEXT NOT NULL);"
        "CREATE TABLE crawl_runs (id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL,"
        " started TEXT NOT NULL, ended TEXT, status TEXT NOT NULL DEFAULT 'running',"
        " pages INTEGER DEFAULT 0, posts_new INTEGER DEFAULT 0, posts_updated INTEGER DEFAULT 0,"
        " comments_new INTEGER DEFAULT 0, errors TEXT);"
        "INSERT INTO sites VALUES (1, 'https://blog.example/', '2020-01-01');"
        "INSERT INTO crawl_runs (site_id, started, status) VALUES (1, '2020-01-01', 'finished');"
    )
    db.close()
    with Store(tmp_path) as store:
        report = store.last_report("https://blog.example/")
        assert report is not None
        assert report.posts_gone == 0
        assert report.requests == 0
