"""Bytes to text the way a browser would: HTTP header, BOM, meta charset, then a guess.

Where the declared charset is plainly wrong (a Latin-1 page served as UTF-8, UTF-8 served
as Latin-1) the bytes win, and text that was double-encoded before it reached the page
("FÃ¼r" for "Für") is repaired by ftfy.
"""

from __future__ import annotations

import re

from w3lib.encoding import html_to_unicode

_SINGLE_BYTE = {"cp1252", "latin-1", "iso8859-1", "iso8859-15"}
# UTF-8 read as Windows-1252: "Ã¼" for ü, "â€“" for an en dash.
_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")
_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b")


def _guess(body: bytes) -> str:
    # Undeclared German pages are nearly always UTF-8 or Windows-1252; strict UTF-8
    # tells them apart reliably, since cp1252 umlauts are invalid UTF-8 sequences.
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _bytes_say(body: bytes, declared: str, text: str) -> str | None:
    """The charset the bytes plainly are, where it is not the one declared."""
    if declared == "utf-8" and "\ufffd" in text:
        # Mostly undecodable: a single-byte page labelled UTF-8, not a stray bad byte.
        foreign = len(text) - len(text.encode("ascii", "ignore"))
        if text.count("\ufffd") * 2 > foreign:
            return "cp1252"
    elif declared in _SINGLE_BYTE and not body.isascii():
        try:
            body.decode("utf-8")  # high bytes that all form UTF-8 sequences: UTF-8
        except UnicodeDecodeError:
            return None
        return "utf-8"
    return None


def looks_binary(body: bytes) -> bool:
    """An image, PDF, archive or other binary file, whatever its Content-Type says."""
    head = body[:1024]
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head


def decode_html(body: bytes | str, content_type: str | None = None) -> str:
    if isinstance(body, str):
        text = body
    else:
        encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_guess)
        if actual := _bytes_say(body, encoding, text):
            text = body.decode(actual, errors="replace")
    if _MOJIBAKE.search(text):
        from ftfy import fix_encoding  # 50 ms to import; needed only for damaged pages

        text = fix_encoding(text)
    return text
