"""The archive's images, served from the store: `/media/<sha256>`, never the live web."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, abort

from search_cli.web.room import archive_of

SHA256 = re.compile(r"[0-9a-f]{64}")
# An SVG is a document: shown as an image it runs nothing, opened on its own it must not
# either (its script was removed when it was archived; this policy holds if one slipped by).
MEDIA_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def register(app: Flask) -> None:
    app.add_url_rule("/media/<sha>", "media", media)


def media(sha: str) -> Any:
    if not SHA256.fullmatch(sha):
        abort(404, "Archived files are named by their SHA-256 (64 hex digits).")
    found = archive_of().store.media.file(sha)
    if found is None:
        abort(404, f"No file {sha[:16]}… in this archive.")
    kind, body = found
    response = Response(body, content_type=kind)
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    # Named by its content: the file under this name never changes.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Content-Disposition"] = "inline"
    return response
