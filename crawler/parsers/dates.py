"""Dates from pages: machine-readable forms first, visible German and English text after."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

ISO_LIKE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
YEAR = re.compile(r"\b(1[89]|20)\d\d\b|\b\d{1,2}[./]\d{1,2}[./]\d{2}\b")
# "um 14:05 Uhr" is German for "at 14:05"; dateparser reads it better without the words.
NOISE = re.compile(r"\b(um|uhr|at|am|on|posted|veröffentlicht|von|by)\b\.?", re.IGNORECASE)


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
    text = " ".join(NOISE.sub(" ", raw).split())
    # Without a year dateparser fills in today's: "14:33" is a time, not a publication date.
    if not YEAR.search(text) and relative_base is None:
        return None
    return _dateparser(text, _languages(lang), relative_base)


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
        return dateparser.parse(text, languages=list(languages), settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
