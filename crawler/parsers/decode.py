"""Bytes to text the way a browser would: HTTP header, BOM, meta charset, then a guess."""

from __future__ import annotations

from w3lib.encoding import html_to_unicode


def _guess(body: bytes) -> str:
    # Undeclared German pages are nearly always UTF-8 or Windows-1252; strict UTF-8
    # tells them apart reliably, since cp1252 umlauts are invalid UTF-8 sequences.
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode_html(body: bytes | str, content_type: str | None = None) -> str:
    if isinstance(body, str):
        return body
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_guess)
    return text
