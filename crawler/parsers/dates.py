"""Dates from pages: machine-readable forms first, visible German and English text after.

A post's publication date is taken from the first of these that gives one (`extract.py`):

1. the post's structured data: JSON-LD `datePublished` of the BlogPosting/Article that is
   this page, then its meta tags (`article:published_time`, `og:published_time`, Dublin Core,
   `pubdate`, `date`);
2. the post header: the platform's date elements inside the post (microformats
   `dt-published`, `<time itemprop=datePublished>`, `time.entry-date`, `<time datetime>`),
   their machine-readable attribute before their text;
3. the permalink's `/YYYY/MM/DD/`;
4. a date element elsewhere on the page outside sidebars, navigation and comments;
5. a dateline written out: an element named for a date that holds one alone, a meta line
   ("Dieser Artikel wurde am 27. Oktober 2010 veröffentlicht"), the words "veröffentlicht
   am", "posted on" followed by a date; German and English month names and numeric forms
   ("27.10.2010", "Oktober 27, 2010", "27. Okt. 2010").

When 1 and 2 disagree by more than a day, 2 wins: structured data is often an SEO plugin's
(a republished date, another post's), the header is what the reader sees. The modification
date (`dateModified`, `article:modified_time`, elements named "updated") and comment dates
are never evidence for it. A date keeps the offset the page states; one without an offset is
kept as the page gives it, never converted. Which source decided goes to `--debug`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

ISO_LIKE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
YEAR = re.compile(r"\b(1[89]|20)\d\d\b|\b\d{1,2}[./]\d{1,2}[./]\d{2}\b")
# "um 14:05 Uhr" is German for "at 14:05"; dateparser reads it better without the words.
NOISE = re.compile(r"\b(um|uhr|at|am|on|posted|veröffentlicht|von|by)\b\.?", re.IGNORECASE)


def disagree(a: datetime, b: datetime) -> bool:
    """Two dates more than a day apart (one without an offset read as UTC)."""
    a = a if a.tzinfo else a.replace(tzinfo=UTC)
    b = b if b.tzinfo else b.replace(tzinfo=UTC)
    return abs((a - b).total_seconds()) > 86400


def parse_iso(raw: str) -> datetime | None:
    raw = raw.strip()
    if not ISO_LIKE.match(raw):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None


def parse_date(
    raw: str | None, lang: str | None = None, relative_base: datetime | None = None
) -> datetime | None:
    """A date from machine-readable or visible text, e.g. "27. Oktober 2010 um 14:05 Uhr".

    Relative dates ("vor 3 Tagen") are read only with `relative_base`, the response's Date.
    """
    if not raw or not raw.strip() or len(raw) > 80:
        return None
    if parsed := parse_iso(raw):
        return parsed
    if (quick := _written_out(raw)) is not None:
        return quick
    text = " ".join(NOISE.sub(" ", raw).split())
    # Without a year dateparser fills in today's: "14:33" is a time, not a publication date.
    if not YEAR.search(text) and relative_base is None:
        return None
    return _dateparser(text, _languages(lang), relative_base)


TIME_AFTER = re.compile(
    r"^\D{0,12}?(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.I
)


def _written_out(raw: str) -> datetime | None:
    """German and English dates as blogs print them, with a time if one follows, without
    dateparser (which costs milliseconds a call): "3. August 2018 um 10:00"."""
    stripped = raw.strip()
    for pattern, order in TEXT_DATES:
        m = pattern.search(stripped)
        if m is None:
            continue
        # Only when the date is most of the string: "vor 3 Tagen" and prose go to dateparser.
        if len(stripped) - (m.end() - m.start()) > 40:
            return None
        day = _from_parts(m.groups(), order)
        if day is None:
            return None
        if t := TIME_AFTER.match(stripped[m.end() :]):
            hour, minute = int(t.group(1)), int(t.group(2))
            second = int(t.group(3) or 0)
            suffix = (t.group(4) or "").lower().replace(".", "")
            if suffix == "pm" and hour < 12:
                hour += 12
            elif suffix == "am" and hour == 12:
                hour = 0
            if hour < 24 and minute < 60 and second < 60:
                return day.replace(hour=hour, minute=minute, second=second)
        return day
    return None


def _languages(lang: str | None) -> tuple[str, ...]:
    primary = (lang or "").split("-")[0].lower()
    return tuple(dict.fromkeys(x for x in (primary, "de", "en") if x))


@lru_cache(maxsize=4096)
def _dateparser(
    text: str, languages: tuple[str, ...], relative_base: datetime | None
) -> datetime | None:
    import dateparser  # slow to import; only pages without machine-readable dates need it

    settings: dict[str, Any] = {"PREFER_DAY_OF_MONTH": "first", "DATE_ORDER": "DMY"}
    if relative_base is not None:
        settings["RELATIVE_BASE"] = relative_base
    elif re.search(r"\b(vor|ago|gestern|yesterday|heute|today)\b", text, re.IGNORECASE):
        return None
    try:
        parsed = dateparser.parse(text, languages=list(languages), settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed if isinstance(parsed, datetime) else None


MONTHS = {
    **dict.fromkeys(("januar", "jan", "jänner", "january"), 1),
    **dict.fromkeys(("februar", "feb", "february"), 2),
    **dict.fromkeys(("märz", "mär", "mrz", "maerz", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juni", "jun", "june"), 6),
    **dict.fromkeys(("juli", "jul", "july"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "okt", "october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("dezember", "dez", "december", "dec"), 12),
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# Dates as blogs print them in running text: "14. Dezember 2015", "21. Jan. 2015",
# "January 22, 2014", "3rd March 2012", "16.08.2019", "2019-08-16".
TEXT_DATES = (
    (re.compile(rf"\b(\d{{1,2}})\.?\s*({_MONTH})\.?\s+((?:19|20)\d\d)\b", re.I), "dmy"),
    (
        re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.I),
        "mdy",
    ),
    (
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?,?\s+((?:19|20)\d\d)\b", re.I
        ),
        "dmy",
    ),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)\b"), "dmy"),
    (re.compile(r"\b((?:19|20)\d\d)-(\d{2})-(\d{2})\b"), "ymd"),
)


def find_date(text: str) -> datetime | None:
    """The first date written out in running text, e.g. "Dieser Artikel wurde am 14. Dezember
    2015 um 14:48 veröffentlicht" → 2015-12-14. None when there is none."""
    best: tuple[int, datetime] | None = None
    for pattern, order in TEXT_DATES:
        for m in pattern.finditer(text):
            when = _from_parts(m.groups(), order)
            if when is not None:
                if best is None or m.start() < best[0]:
                    best = (m.start(), when)
                break
    return best[1] if best else None


def _from_parts(groups: tuple[str, ...], order: str) -> datetime | None:
    def month(value: str) -> int:
        return int(value) if value.isdigit() else MONTHS[value.lower().rstrip(".")]

    try:
        if order == "dmy":
            day, mon, year = int(groups[0]), month(groups[1]), int(groups[2])
        elif order == "mdy":
            mon, day, year = month(groups[0]), int(groups[1]), int(groups[2])
        else:
            year, mon, day = int(groups[0]), int(groups[1]), int(groups[2])
        return datetime(year, mon, day)
    except (ValueError, KeyError):
        return None
