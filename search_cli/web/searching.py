"""The search page: the command line's search (query language, filters, sorting, facets,
"Did you mean"), hits with highlighted snippets; and the same search as an Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, request, url_for

from crawler.archive.errors import IndexMissing, QueryError
from search_cli.web.feeds import atom_response
from search_cli.web.room import answer, archive_of, route, with_query

PER_PAGE = 10
SORTS = ("relevance", "newest", "oldest")
SCOPES = ("all", "posts", "comments")
FILTERS = (("tag", "tags"), ("category", "categories"), ("author", "authors"),
           ("site", "sites"), ("lang", "langs"))  # fmt: skip


def register(app: Flask) -> None:
    route(app, "/search", search_page)
    app.add_url_rule("/search.atom", "search_feed", search_feed)


def _period(text: str, end: bool) -> datetime | None:
    """2010, 2010-10 or 2010-10-27 as the start of that period (or the end: exclusive)."""
    from search_cli.options import PERIOD

    if not text:
        return None
    try:
        start, stop = PERIOD.convert(text, None, None)
    except Exception as exc:  # click's BadParameter: the words are what the page shows
        raise QueryError(f"{text!r} is not a date; use 2010, 2010-10 or 2010-10-27.") from exc
    return stop if end else start  # type: ignore[no-any-return]


def _request() -> dict[str, Any]:
    args = request.args
    sort = args.get("sort", "relevance")
    scope = args.get("in", "all")
    return {
        "q": args.get("q", "").strip(),
        "sort": sort if sort in SORTS else "relevance",
        "scope": scope if scope in SCOPES else "all",
        "page": max(args.get("page", 1, type=int) or 1, 1),
        "filters": {name: [v for v in args.getlist(name) if v] for name, _ in FILTERS},
        "since": args.get("since", ""),
        "until": args.get("until", ""),
    }


def run(asked: dict[str, Any], limit: int, facets: tuple[str, ...]) -> Any:
    from indexer.query import Filters
    from indexer.search import search

    room = archive_of()
    since, until = _period(asked["since"], False), _period(asked["until"], True)
    if since and until and since >= until:
        raise QueryError("since must come before until.")
    filters = Filters(
        **{field: tuple(asked["filters"][name]) for name, field in FILTERS},
        since=since,
        until=until,
    )
    result = search(
        room.path,
        asked["q"],
        filters=filters,
        sort=asked["sort"],
        limit=limit,
        page=asked["page"],
        store=room.store,
        scope=asked["scope"],
        facets=facets,
    )
    for name in facets:
        if name != "year":  # the index keeps names lower-cased; show them as pages do
            shown = room.cached(("names", name), lambda n=name: room.store.display_names(n))
            result.facets[name] = [(shown.get(k, k), n) for k, n in result.facets[name]]
    return result


def search_page() -> Any:
    from indexer.search import FACETS
    from search_cli.render import result_json

    asked = _request()
    room = archive_of()
    pending = room.cached(("pending",), lambda: len(room.store.pending_index()))
    context: dict[str, Any] = {"asked": asked, "pending": pending, "result": None}
    if not asked["q"]:
        return answer("search.html", {"query": "", "total": 0, "hits": []}, **context)
    key = ("search", repr(sorted(asked.items())))
    try:
        # The same search again (the next page's facets, a reload) is answered from the
        # cache until the archive or its index is written again.
        result = room.cached(key, lambda: run(asked, PER_PAGE, FACETS))
    except QueryError as exc:
        return answer("search.html", {"query": asked["q"], "error": str(exc)}, 400, **context)
    except IndexMissing as exc:
        why = f"{exc} Build it with: blogarchive reindex"
        return answer("search.html", {"query": asked["q"], "error": why}, 503, **context)
    data = result_json(result)
    data["pending_index"] = pending
    context["result"] = result
    context["pages"] = max((result.total + PER_PAGE - 1) // PER_PAGE, 1)
    base = url_for("search_page")
    context["link"] = lambda **changes: _link(asked, base, **changes)
    return answer("search.html", data, **context)


def _link(asked: dict[str, Any], base: str, **changes: Any) -> str:
    params: dict[str, Any] = {
        "q": asked["q"],
        "sort": asked["sort"] if asked["sort"] != "relevance" else None,
        "in": asked["scope"] if asked["scope"] != "all" else None,
        "since": asked["since"] or None,
        "until": asked["until"] or None,
        **asked["filters"],
    }
    page = changes.pop("page", 1)
    params.update(changes)
    return with_query(base, params, page)


def search_feed() -> Any:
    asked = _request()
    store = archive_of().store
    posts = []
    if asked["q"]:
        try:
            result = run({**asked, "sort": "newest"}, 50, ())
        except (QueryError, IndexMissing):
            result = None
        hits = result.hits if result else ()
        posts = [p for p in (store.get_post(h.id) for h in hits) if p is not None]
    stamp = datetime.now(UTC).date().isoformat()
    return atom_response(
        title=f"blogarchive: {asked['q']}",
        feed_id=f"tag:blogarchive,{stamp}:search?q={asked['q']}",
        self_url=request.url,
        alternate=url_for("search_page", q=asked["q"], _external=True),
        posts=posts,
    )
