from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.parsers.dates import parse_date


@pytest.mark.parametrize(
    ("raw", "lang", "expected"),
    [
        ("27. Oktober 2010", "de", datetime(2010, 10, 27)),
        ("Samstag, 3. Dezember 2011", "de", datetime(2011, 12, 3)),
        ("27. Oktober 2010 um 14:05 Uhr", "de", datetime(2010, 10, 27, 14, 5)),
        ("1. März 2012", "de-CH", datetime(2012, 3, 1)),
        ("March 5, 2019", "en", datetime(2019, 3, 5)),
        (
            "2010-10-27T14:05:00+02:00",
            None,
            datetime(2010, 10, 27, 14, 5, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2019-06-06T14:05:08Z", None, datetime(2019, 6, 6, 14, 5, 8, tzinfo=UTC)),
    ],
)
def test_dates(raw: str, lang: str | None, expected: datetime) -> None:
    assert parse_date(raw, lang) == expected


def test_relative_dates_need_the_response_date() -> None:
    assert parse_date("vor 3 Tagen", "de") is None
    base = datetime(2020, 5, 10, 12, 0)
    assert parse_date("vor 3 Tagen", "de", base).date() == datetime(2020, 5, 7).date()


@pytest.mark.parametrize("raw", ["", "14:33", "Kommentare", "x" * 200, None])
def test_non_dates(raw: str | None) -> None:
    assert parse_date(raw, "de") is None


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://blog.example/2016/05/04/post/", "2016-05-04"),
        # Replayed captures: the capture's timestamp is no date of the post; the original's
        # permalink is, whichever archive replays it.
        (
            "https://archive.example/web/20170629123456/https://blog.example/2016/05/04/p/",
            "2016-05-04",
        ),
        (
            "http://localhost:8080/coll/20200101000000id_/http://blog.example/2010/10/27/x/",
            "2010-10-27",
        ),
        ("https://archive.example/web/20170629123456/https://blog.example/post/", None),
    ],
)
def test_a_permalink_date_is_read_from_the_original_url(url: str, day: str | None) -> None:
    from crawler.parsers.extract import date_from_url

    found = date_from_url(url)
    assert (found.date().isoformat() if found else None) == day


def _page(head: str, header: str, after: str = "") -> bytes:
    paragraphs = "".join(
        f"<p>Absatz {n} über Kundenbindung im kleinen Laden.</p>" for n in range(6)
    )
    return (
        f"<html lang='de'><head><title>Treue</title>{head}</head><body>"
        "<nav><ul><li><time datetime='2001-01-01'>1. Januar 2001</time></li></ul></nav>"
        f"<article class='post'><h1 class='entry-title'>Treue Kunden</h1>{header}"
        f"<div class='entry-content'>{paragraphs}</div>{after}</article></body></html>"
    ).encode()


SEO_DATE = '<meta property="article:published_time" content="2023-11-03T10:25:56+00:00">'


@pytest.mark.parametrize(
    ("head", "header", "after", "day", "source"),
    [
        # Structured data and the header agree: structured data decides.
        (SEO_DATE, "<time datetime='2023-11-03T11:25:00+01:00'>3. November</time>", "",
         "2023-11-03", "<meta article:published_time>"),
        # They disagree by days: the dateline the reader sees above the text wins.
        (SEO_DATE, "<time datetime='2023-11-06T15:25:00+01:00'>6. November 2023</time>", "",
         "2023-11-06", "the post header"),
        # A date further down (a teaser, a related post) is no header.
        (SEO_DATE, "", "<div class='related'><time datetime='2019-02-01'>x</time></div>",
         "2023-11-03", "<meta article:published_time>"),
        # A header date the markup calls the last change does not overrule.
        (SEO_DATE, "<time itemprop='dateModified' class='entry-updated'"
         " datetime='2024-02-01T10:00:00+01:00'>1. Februar 2024</time>", "",
         "2023-11-03", "<meta article:published_time>"),
        # A month-only datetime says less than the day written inside it.
        ("", "<time datetime='2019-06'>19. Juni 2019</time>", "", "2019-06-19", "text"),
    ],
)  # fmt: skip
def test_the_post_header_overrules_structured_data_that_disagrees(
    head: str, header: str, after: str, day: str, source: str
) -> None:
    from crawler.parsers import parse_page

    page = parse_page("https://blog.example/treue-kunden/", _page(head, header, after))
    assert page.post is not None
    assert page.post.published is not None
    assert page.post.published.isoformat()[:10] == day
    said = next(n for n in page.notes if n.startswith("published:"))
    assert source in said, page.notes


def test_the_offset_the_page_states_is_kept() -> None:
    from crawler.parsers import parse_page

    stated = '<meta property="article:published_time" content="2011-01-01T00:11:00+01:00">'
    page = parse_page("https://blog.example/neujahr/", _page(stated, ""))
    assert page.post is not None
    assert page.post.published is not None
    assert page.post.published.isoformat() == "2011-01-01T00:11:00+01:00"  # not 31 December


@pytest.mark.parametrize(
    ("before", "after", "day"),
    [
        # A kicker above the title, whatever the theme named it.
        ("<p class='upperCase subline'>21. Jan 2022 // Dominik</p>", "", "2022-01-21"),
        # A subline below a title wrapped in its own header element.
        ("", "<div class='kicker'>3. März 2019 · 4 Minuten Lesezeit</div>", "2019-03-03"),
    ],
)
def test_a_date_on_the_line_beside_the_title_is_the_posts(
    before: str, after: str, day: str
) -> None:
    from crawler.parsers import parse_page

    paragraphs = "".join(
        f"<p>Absatz {n} über Kundenbindung im kleinen Laden an der Ecke.</p>" for n in range(12)
    )
    html = (
        "<html lang='de'><head><title>Treue Kunden</title></head><body>"
        f"<div class='hero'>{before}<header><h1>Treue Kunden</h1></header>{after}</div>"
        f"<div class='textmodul'>{paragraphs}</div>"
        "<div class='teaser'><p>Auch lesenswert, 06. Aug 2020</p></div></body></html>"
    ).encode()
    page = parse_page("https://blog.example/treue-kunden", html)
    assert page.post is not None
    assert page.post.published is not None
    assert page.post.published.date().isoformat() == day


def test_a_meta_line_named_by_the_theme_gives_the_date() -> None:
    from crawler.parsers import parse_page

    paragraphs = "".join(
        f"<p>Absatz {n} über Kundenbindung im kleinen Laden an der Ecke.</p>" for n in range(12)
    )
    html = (
        "<html lang='de'><head><title>Treue Kunden</title></head><body><div class='beitrag'>"
        "<div class='teaser_text_meta'><a href='/autor/anna'>Anna</a> / 22.04.2020 / 06:15</div>"
        f"<div id='article_content'><h2>Treue Kunden</h2>{paragraphs}</div></div>"
        "<div class='leserbrief'><div class='leserbrief_meta'>Ben / 23.04.2020</div>"
        "<p>Schön geschrieben.</p></div></body></html>"
    ).encode()
    page = parse_page("https://blog.example/artikel/treue_kunden", html)
    assert page.post is not None
    assert page.post.published is not None
    assert page.post.published.date().isoformat() == "2020-04-22"
