"""What the reading room's views share: the archive they read, how a view answers (a page
or its JSON twin), and the headers that hold archived HTML in check."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, render_template, request
from markupsafe import Markup, escape

from crawler.archive.paths import index_path, store_path
from crawler.archive.store import Store

# No script at all, nothing from another origin; the raw view frames pages of this origin.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self';"
    " form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
# An archived page as fetched: a sandbox (no script, an origin of its own), and no request
# beyond this server.
RAW_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
LASTING = 500  # rendered post pages kept (a few MB)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class Stores(threading.local):
    """One read connection per server thread (SQLite connections stay in their thread)."""

    def __init__(self, archive: Path) -> None:
        self.archive = archive
        self.store: Store | None = None

    def get(self) -> Store:
        if self.store is None:
            self.store = Store(self.archive, create=False)
        return self.store


class Archive:
    """What the views share: the archive folder, its stores, and a cache of answers that
    holds until the archive is written again (facet counts of big blogs are not free)."""

    def __init__(self, archive: Path) -> None:
        self.path = archive
        self._stores = Stores(archive)
        self._cache: dict[Any, Any] = {}
        self._cache_key: tuple[int, ...] = ()
        self._lasting: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        return self._stores.get()

    def written(self) -> tuple[int, ...]:
        """Changes whenever a writer commits: the stats of the database, its write-ahead
        log and the search index's table of contents."""
        db = store_path(self.path)
        out: list[int] = []
        for path in (db, db.with_name(db.name + "-wal"), index_path(self.path)):
            try:
                st = os.stat(path)
            except FileNotFoundError:
                out += [0, 0]
                continue
            out += [st.st_mtime_ns, st.st_size]
        return tuple(out)

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        now = self.written()
        with self._lock:
            if now != self._cache_key:
                self._cache, self._cache_key = {}, now
            if key in self._cache:
                return self._cache[key]
        value = make()
        with self._lock:
            if len(self._cache) > 2000:
                self._cache.clear()
            self._cache[key] = value
        return value

    def lasting(self, key: Any, make: Callable[[], Any]) -> Any:
        """An answer made only of what never changes (an archived version is never
        rewritten): kept across writes, the least recently used dropped first."""
        with self._lock:
            if key in self._lasting:
                self._lasting.move_to_end(key)
                return self._lasting[key]
        value = make()
        with self._lock:
            self._lasting[key] = value
            while len(self._lasting) > LASTING:
                self._lasting.popitem(last=False)
        return value


def wants_json() -> bool:
    return request.path.endswith(".json")


def answer(template: str, data: dict[str, Any], status: int = 200, **context: Any) -> Any:
    """The page, or its JSON twin when the path ends in `.json`."""
    if wants_json():
        response = jsonify(data)
        response.status_code = status
        return response
    return render_template(template, **data, **context), status


def route(app: Flask, rule: str, view: Callable[..., Any], json_rule: str | None = None) -> None:
    """A page and its JSON twin (`rule` + ".json", or `json_rule`)."""
    app.add_url_rule(rule, view.__name__, view)
    app.add_url_rule(json_rule or rule.rstrip("/") + ".json", view.__name__ + "_json", view)


def with_query(base: str, params: dict[str, Any], page: int = 1) -> str:
    """`base` with the non-empty params (lists repeat their key) and the page when past 1.
    Pages with many filter links build them this way: url_for costs a route lookup each."""
    from urllib.parse import urlencode

    kept = {k: v for k, v in params.items() if v}
    if page > 1:
        kept["page"] = page
    return f"{base}?{urlencode(kept, doseq=True)}" if kept else base


def web_url(url: str | None) -> str:
    """A link to the live web only when it is one (http or https): an archived commenter's
    address of `javascript:…` becomes no link at all."""
    text = (url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def marked(fragment: str, marks: tuple[tuple[int, int], ...]) -> Markup:
    """A snippet with its matched words in <mark>, everything else escaped."""
    out, pos = [], 0
    for start, end in marks:
        out.append(escape(fragment[pos:start]))
        out.append(Markup("<mark>") + escape(fragment[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(fragment[pos:]))
    return Markup("").join(out)


def archive_of(app: Flask | None = None) -> Archive:
    from flask import current_app

    found: Archive = (app or current_app).extensions["blogarchive"]
    return found
