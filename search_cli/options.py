"""Shared command-line options: periods like 2010 / 2010-10 / 2010-10-01, search filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class Period(click.ParamType):
    """A year, month or day, as the start and the (exclusive) end of that period."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        try:
            parts = [int(p) for p in text.split("-")]
            if len(parts) == 1:
                start = datetime(parts[0], 1, 1, tzinfo=UTC)
                end = datetime(parts[0] + 1, 1, 1, tzinfo=UTC)
            elif len(parts) == 2:
                start = datetime(parts[0], parts[1], 1, tzinfo=UTC)
                y, m = (parts[0] + 1, 1) if parts[1] == 12 else (parts[0], parts[1] + 1)
                end = datetime(y, m, 1, tzinfo=UTC)
            elif len(parts) == 3:
                start = datetime(*parts, tzinfo=UTC)
                end = start.fromordinal(start.toordinal() + 1).replace(tzinfo=UTC)
            else:
                raise ValueError(text)
        except (ValueError, OverflowError):
            self.fail(f"{text!r} is not a date; use 2010, 2010-10 or 2010-10-27.", param, ctx)
        return start, end


PERIOD = Period()


def filter_options(func: F) -> F:
    """--tag, --category, --author, --site, --lang, --since, --until."""
    options = [
        click.option("--tag", multiple=True, help="Only posts with this tag (repeatable)."),
        click.option("--category", multiple=True, help="Only posts in this category (repeatable)."),
        click.option("--author", multiple=True, help="Only posts by this author (repeatable)."),
        click.option("--site", multiple=True, help="Only posts of this blog URL (repeatable)."),
        click.option(
            "--lang",
            multiple=True,
            type=click.Choice(["de", "en"]),
            help="Only posts in this language.",
        ),
        click.option("--since", type=PERIOD, help="Published in or after this year, month or day."),
        click.option(
            "--until", type=PERIOD, help="Published in or before this year, month or day."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_filters(kwargs: dict[str, Any]) -> Any:
    from indexer.query import Filters

    since, until = kwargs.get("since"), kwargs.get("until")
    if since and until and since[0] >= until[1]:
        raise click.BadParameter("--since must come before --until.")
    return Filters(
        tags=tuple(kwargs.get("tag") or ()),
        categories=tuple(kwargs.get("category") or ()),
        authors=tuple(kwargs.get("author") or ()),
        sites=tuple(kwargs.get("site") or ()),
        langs=tuple(kwargs.get("lang") or ()),
        since=since[0] if since else None,
        until=until[1] if until else None,
    )
