"""The reading room's application: one Flask app over one archive, read-only.

Every page has a JSON twin at the same path with `.json` added; every response carries
security headers, because what it shows is other people's HTML (`room.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, request, url_for

from crawler.archive.errors import ArchiveError
from crawler.archive.store import Store
from search_cli.web.content import text_html
from search_cli.web.room import HEADERS, PAGE_CSP, Archive, answer, marked, web_url


def create_app(archive: Path) -> Flask:
    """The reading room over `archive`. Raises ArchiveError when there is no archive."""
    Store(archive, create=False).close()  # no archive: one clear line, before serving
    app = Flask(__name__)
    app.config["JSON_SORT_KEYS"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["blogarchive"] = Archive(archive)
    app.jinja_env.filters["marked"] = marked
    app.jinja_env.filters["paragraphs"] = text_html
    app.jinja_env.filters["web_url"] = web_url
    app.jinja_env.globals["archive_path"] = str(archive)

    from search_cli.web import history, media, posts, searching, sites

    for module in (sites, posts, history, searching, media):
        module.register(app)

    # Compiled now, not on each template's first visit.
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)

    @app.context_processor
    def twins() -> dict[str, Any]:
        def json_url() -> str | None:
            endpoint = request.endpoint or ""
            if endpoint.endswith("_json") or endpoint + "_json" not in app.view_functions:
                return None
            args = {**(request.view_args or {}), **request.args.to_dict(flat=False)}
            return url_for(endpoint + "_json", **args)

        return {"json_url": json_url}

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(404)
    def not_found(error: Any) -> Any:
        from werkzeug.exceptions import NotFound

        what = getattr(error, "description", None)
        if not what or what == NotFound.description:  # a path no view answers
            what = "No such page in this archive."
        return answer("error.html", {"error": what}, 404)

    @app.errorhandler(ArchiveError)
    def archive_error(error: ArchiveError) -> Any:
        return answer("error.html", {"error": str(error)}, 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        from werkzeug.exceptions import HTTPException

        if isinstance(error, HTTPException):  # 400, 405 and the like: Flask's own answer
            return error
        # One line where the room was started, one on the page; the archive is untouched.
        import sys

        what = f"{type(error).__name__}: {error}"
        print(f"Error answering {request.full_path}: {what}", file=sys.stderr)
        return answer("error.html", {"error": f"This page could not be shown ({what})."}, 500)

    return app
