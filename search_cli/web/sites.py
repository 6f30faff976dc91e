"""The blogs of the archive, and one blog's posts by page with facets; its Atom feed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Flask, abort, request, url_for

from crawler.archive import browse
from crawler.archive.browse import Listing
from search_cli.web.feeds import atom_response
from search_cli.web.room import answer, archive_of, route, with_query

PER_PAGE = 20
FEED_SIZE = 50


def register(app: Flask) -> None:
    route(app, "/", front, json_rule="/index.json")
    route(app, "/site/<int:site_id>", site)
    app.add_url_rule("/site/<int:site_id>/feed.atom", "site_feed", site_feed)


def front() -> Any:
    room = archive_of()
    blogs = room.cached(("sites",), lambda: browse.sites(room.store))
    return answer("index.html", {"sites": blogs})


def _listing() -> Listing:
    """The filters of the query string; values not of this form are ignored, not errors."""
    args = request.args
    year = args.get("year", "")
    terms = tuple(
        (taxonomy, value)
        for taxonomy in browse.TAXONOMIES
        for value in args.getlist(taxonomy)
        if value
    )
    return Listing(
        year=year if year.isdigit() and len(year) == 4 else None,
        terms=terms,
        page=max(args.get("page", 1, type=int) or 1, 1),
        per_page=PER_PAGE,
    )


def site(site_id: int) -> Any:
    room = archive_of()
    url = browse.site_url(room.store, site_id)
    if url is None:
        abort(404, f"No blog {site_id} in this archive.")
    listing = _listing()
    page = room.cached(
        ("site", site_id, listing), lambda: browse.site_posts(room.store, site_id, listing)
    )
    pages = max((page.total + PER_PAGE - 1) // PER_PAGE, 1)
    base = url_for("site", site_id=site_id)
    data = {
        "site": {"id": site_id, "url": url},
        "filters": {"year": listing.year, **_terms(listing)},
        "total": page.total,
        "page": listing.page,
        "pages": pages,
        "posts": [asdict(p) for p in page.posts],
        "facets": {
            name: [{"value": v, "count": n} for v, n in values]
            for name, values in page.facets.items()
        },
    }
    return answer(
        "site.html",
        data,
        filtered=bool(listing.year or listing.terms),
        link=lambda **changes: _link(base, listing, **changes),
    )


def _terms(listing: Listing) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for taxonomy, value in listing.terms:
        out.setdefault(taxonomy, []).append(value)
    return out


def _link(base: str, listing: Listing, **changes: Any) -> str:
    """The site page with one filter set, cleared (None) or the page changed."""
    params: dict[str, Any] = {"year": listing.year, **_terms(listing)}
    page = changes.pop("page", 1)
    params.update(changes)
    return with_query(base, params, page)


def site_feed(site_id: int) -> Any:
    room = archive_of()
    url = browse.site_url(room.store, site_id)
    if url is None:
        abort(404, f"No blog {site_id} in this archive.")
    listing = Listing(per_page=FEED_SIZE)
    page = browse.site_posts(room.store, site_id, listing, facets=False)
    posts = [p for p in (room.store.get_post(row.id) for row in page.posts) if p is not None]
    return atom_response(
        title=url,
        feed_id=url,
        self_url=request.url,
        alternate=url_for("site", site_id=site_id, _external=True),
        posts=posts,
    )
