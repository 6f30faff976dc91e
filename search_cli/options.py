"""Shared command-line options as decorators: crawl politeness and caps, search filters and
ordering, periods like 2010 / 2010-10 / 2010-10-01."""

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


def _apply(func: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def check_contact(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from crawler.sites import is_contact

    if value is not None and not is_contact(value):
        raise click.BadParameter(
            f"{value!r} is neither an e-mail address nor an http(s) URL.", param_hint="--contact"
        )
    return value


def check_size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    from crawler.sites import parse_size

    try:
        return None if value is None else parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def check_hosts(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from crawler.sites import parse_hosts

    try:
        return None if value is None else ",".join(parse_hosts(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def media_options(func: F) -> F:
    """--media, --media-hosts, --max-media-size."""
    return _apply(
        func,
        [
            click.option(
                "--media",
                type=click.Choice(["none", "images", "comments"]),
                help="Which images to keep: none, the posts' own (default), or those in"
                " comments too.",
            ),
            click.option(
                "--media-hosts",
                metavar="HOSTS",
                callback=check_hosts,
                help="More hosts images may come from (comma-separated; the blog's own and"
                " the platforms' CDNs always may).",
            ),
            click.option(
                "--max-media-size",
                metavar="SIZE",
                callback=check_size,
                help="Keep no image larger than this (default 20MB).",
            ),
        ],
    )


def crawl_options(func: F) -> F:
    """--ignore-robots, --delay, --max-pages, --max-depth, --contact, --timeout, and the
    media options."""
    return _apply(
        media_options(func),
        [
            click.option(
                "--ignore-robots", is_flag=True, help="Do not obey robots.txt (use with care)."
            ),
            click.option(
                "--delay",
                type=click.FloatRange(min=0),
                help="Seconds between requests to the host.",
            ),
            click.option(
                "--max-pages",
                type=click.IntRange(min=1),
                help="Fetch at most this many pages; the next crawl goes on from there (exit 3).",
            ),
            click.option(
                "--max-depth",
                type=click.IntRange(min=1),
                help="Follow links at most this deep (default 500).",
            ),
            click.option(
                "--contact",
                metavar="EMAIL|URL",
                callback=check_contact,
                help="How site owners can reach you (sent in User-Agent).",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(min=1),
                help="Give up on a page after this many seconds (default 60; retried 3 times).",
            ),
        ],
    )


def search_options(func: F) -> F:
    """--sort, --limit, --page, --in, --facets."""
    return _apply(
        func,
        [
            click.option(
                "--sort",
                type=click.Choice(["relevance", "newest", "oldest"]),
                default="relevance",
                show_default=True,
                help="Order of the hits; by date, posts without a date come last.",
            ),
            click.option(
                "--limit",
                type=click.IntRange(1, 1000),
                default=10,
                show_default=True,
                help="Hits per page.",
            ),
            click.option(
                "--page",
                type=click.IntRange(min=1),
                default=1,
                show_default=True,
                help="Which page of hits.",
            ),
            click.option(
                "--in",
                "scope",
                type=click.Choice(["all", "posts", "comments"]),
                default="all",
                show_default=True,
                help="Search post texts, comments, or both.",
            ),
            click.option(
                "--facets",
                metavar="LIST",
                default="",
                help="Count hits by tag, category, author, year (comma-separated).",
            ),
        ],
    )


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
    return _apply(func, options)


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
