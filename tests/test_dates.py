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
