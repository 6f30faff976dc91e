"""The relevance table: German and English queries over the sample blog, each with the posts
it must find first, find at all, or not find. Inflections, ß/ss/umlaut spellings, compounds,
hyphenated words, phrases, comment hits, filters, sorting and the query language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.archive.store import Store
from indexer.query import Filters
from indexer.search import search


@dataclass(frozen=True)
class Case:
    query: str
    top: str | None = None  # slug of the first hit
    finds: tuple[str, ...] = ()  # slugs that must be among the hits
    total: int | None = None
    before: tuple[str, str] | None = None  # (a, b): a ranks above b
    options: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.query} {self.options}" if self.options else self.query


TABLE = [
    # German inflections: one stem finds singular, plural, genitive
    Case("Kundenbindung", finds=("kundenbindung-durch-service", "kundenbindung-im-kleinen-laden")),
    Case("Bewertung", top="google-bewertungen-beantworten"),
    Case("Visitenkarte", top="visitenkarten-sind-nicht-tot", total=1),
    Case("Newslettern", top="newsletter-ohne-spam"),
    Case("Gastbeitrag", top="gastbeitraege-schreiben"),
    Case("Kooperation", top="kooperationen-mit-nachbarn"),
    Case("Preis", top="preise-richtig-kommunizieren"),
    Case("Weihnachtsgeschäfts", top="weihnachtsgeschaeft-planen"),
    Case("Pressemitteilungen", top="pressearbeit-fuer-kleine-firmen"),
    Case("Handwerker", top="lokale-suche-fuer-handwerker"),
    # English inflections
    Case("photo", top="photos-that-sell"),
    Case("price", top="pricing-for-makers"),
    Case("review", top="asking-for-reviews"),
    Case("story", top="customer-stories"),
    Case("subject line", top="email-subject-lines", total=1),
    Case("shops", finds=("word-of-mouth-for-small-shops", "the-slow-shop")),
    # ß, ss and umlauts written out find each other
    Case("größtenteils", top="strassenfest-als-werbung", total=1),
    Case("grösstenteils", top="strassenfest-als-werbung", total=1),
    Case("groesstenteils", top="strassenfest-als-werbung", total=1),
    Case("Straßenfest", top="strassenfest-als-werbung"),
    Case("Baeckerei", top="blog-fuer-die-baeckerei"),
    Case("Oeffnungszeiten", top="oeffnungszeiten-online"),
    # compounds: the word finds the compounds it ends, after the posts with the word itself
    Case(
        "Unternehmen",
        finds=("kleinunternehmen-und-instagram",),
        before=("kundenbindung-im-kleinen-laden", "kleinunternehmen-und-instagram"),
    ),
    Case(
        "Budget",
        top="messeauftritt-mit-kleinem-budget",
        finds=("facebook-seite-fuer-den-verein",),  # "Werbebudget"
    ),
    Case("Stammtisch", top="warum-wir-stammtische-lieben"),  # "Unternehmerstammtische"
    Case("Karte", finds=("visitenkarten-sind-nicht-tot", "kundenbindung-im-kleinen-laden")),
    Case("Unternehmen AND Instagram", top="kleinunternehmen-und-instagram", total=1),
    # hyphenated words are found by their parts
    Case("Relaunch", top="website-relaunch-checkliste"),
    Case("Website", finds=("website-relaunch-checkliste", "datenschutz-fuer-kleine-websites")),
    # phrases match the words as written
    Case('"kleinen Laden"', top="kundenbindung-im-kleinen-laden", total=1),
    Case('"kleiner Laden"', total=0),
    Case('"word of mouth"', top="word-of-mouth-for-small-shops"),
    Case('"Lokale Suche"', top="lokale-suche-fuer-handwerker"),
    # comments: found in comments, and only there
    Case("Gratisbrot", top="kundenbindung-im-kleinen-laden", options={"scope": "comments"}),
    Case("Ladengeschäft", top="lokale-suche-fuer-handwerker", options={"scope": "comments"}),
    Case("Stempelkarte", total=0, options={"scope": "posts"}),
    Case("Stempelkarte", top="kundenbindung-im-kleinen-laden", options={"scope": "comments"}),
    # filters
    Case(
        "Marketing",
        total=3,
        finds=("zehn-jahre-werkstatt-marketing",),
        options={"filters": Filters(tags=("Kundenbindung",))},
    ),
    # The fifth: "photos-that-sell", tagged "online shop" (tag names are found by their words).
    Case("shop", total=5, top="the-slow-shop", options={"filters": Filters(langs=("en",))}),
    Case(
        "Kunden",
        total=5,
        top="lokale-suche-fuer-handwerker",
        options={"filters": Filters(authors=("Jörg Weiß",))},
    ),
    Case(  # the second: "oeffnungszeiten-online", in the category "Website"
        "Website",
        total=2,
        top="datenschutz-fuer-kleine-websites",
        options={"filters": Filters(since=datetime(2016, 1, 1))},
    ),
    Case(
        "Pressearbeit",
        top="pressearbeit-fuer-kleine-firmen",
        options={"filters": Filters(categories=("PR",))},
    ),
    # sorting
    Case("Kundenbindung", top="zehn-jahre-werkstatt-marketing", options={"sort": "newest"}),
    Case("Kundenbindung", top="kundenbindung-im-kleinen-laden", options={"sort": "oldest"}),
    # the query language
    Case("title:Flyer", top="flyer-die-gelesen-werden", total=1),
    Case("tag:Datenschutz", total=2, finds=("newsletter-ohne-spam",)),
    Case('tag:"customer loyalty"', finds=("the-slow-shop", "customer-stories")),
    Case("newsletter AND Datenschutz", top="newsletter-ohne-spam", total=1),
    Case("Flyer OR Visitenkarten", total=3),  # "Flyern" in the Swiss post too
    Case("Kunden NOT Laden", total=9),  # "Laden" finds "Blumenläden" too
    Case("Newsleter~", top="newsletter-ohne-spam"),
    Case("Visitenkart*", top="visitenkarten-sind-nicht-tot"),
]


def _slug(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def store(crawled_archive: Path) -> Any:
    with Store(crawled_archive) as s:
        yield s


@pytest.mark.parametrize("case", TABLE, ids=str)
def test_relevance(case: Case, crawled_archive: Path, store: Store) -> None:
    result = search(crawled_archive, case.query, store=store, limit=50, **case.options)
    slugs = [_slug(hit.url) for hit in result.hits]
    if case.total is not None:
        assert result.total == case.total, slugs
    if case.top is not None:
        assert slugs[:1] == [case.top], slugs
    for slug in case.finds:
        assert slug in slugs, slugs
    if case.before is not None:
        first, second = case.before
        assert slugs.index(first) < slugs.index(second), slugs


def test_the_table_is_large_enough() -> None:
    assert len(TABLE) >= 40
