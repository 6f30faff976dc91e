"""Atom feeds (RFC 4287) of a blog's newest posts and of a search: full text, so that a
feed reader holds the archived posts, not links to a blog that may be gone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Response, url_for

from crawler.archive.model import Post
from search_cli.web.content import post_html

ATOM = "http://www.w3.org/2005/Atom"


def _stamp(value: datetime | None) -> str:
    if value is None:
        return datetime.now(UTC).isoformat(timespec="seconds")
    if value.tzinfo is None:  # Atom wants an offset; a page without one is taken as UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def atom_response(
    *, title: str, feed_id: str, self_url: str, alternate: str, posts: Iterable[Post]
) -> Response:
    ET.register_namespace("", ATOM)
    feed = ET.Element("feed", {"xmlns": ATOM})
    _add(feed, "title", title)
    _add(feed, "id", feed_id)
    _add(feed, "link", rel="self", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=alternate)
    _add(feed, "generator", "blogarchive")
    _add(_add(feed, "author"), "name", title)  # for entries without an author of their own
    entries = list(posts)
    newest = max((p.updated or p.published or p.fetched_at for p in entries if p), default=None)
    _add(feed, "updated", _stamp(newest))
    for post in entries:
        entry = _add(feed, "entry")
        _add(entry, "title", post.title or post.url)
        _add(entry, "id", post.url)
        here = url_for("post", pid=post.id, _external=True)
        _add(entry, "link", rel="alternate", type="text/html", href=here)
        _add(entry, "link", rel="via", href=post.url)
        if post.published:
            _add(entry, "published", _stamp(post.published))
        _add(entry, "updated", _stamp(post.updated or post.published or post.fetched_at))
        if post.author:
            _add(_add(entry, "author"), "name", post.author)
        for term in (*post.categories, *post.tags):
            _add(entry, "category", term=term)
        if post.summary:
            _add(entry, "summary", post.summary)
        _add(entry, "content", str(post_html(post)), type="html")
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")
