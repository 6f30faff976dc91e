"""Formats whose head sums up their body (a WXR's authors and terms, a feed's newest date):
the body is written to a temporary file while the summary is gathered, then head, body and
tail are joined. One pass over the posts, and memory that does not grow with their number.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, BinaryIO

import orjson

# Characters XML 1.0 does not allow even escaped; a page or comment may hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# How they look in stored JSON (control characters escaped, \b and \f short, the rest as
# UTF-8): a record without these byte strings holds none of them and needs no cleaning.
MARKS_IN_JSON = (b"\\u00", b"\\b", b"\\f", "\ufffe".encode(), "\uffff".encode())


def xml_records(blobs: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """Stored export records decoded, every string free of what XML forbids. Checked once a
    record, on its bytes, so the writers' escaping is plain string replacement."""
    for blob in blobs:
        record = orjson.loads(blob)
        if any(mark in blob for mark in MARKS_IN_JSON):
            record = _scrub(record)
        yield record


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


def xml_text(value: str | None) -> str:
    """A string (from `xml_records`) as XML character data."""
    if not value:
        return ""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(value: str | None) -> str:
    return xml_text(value).replace('"', "&quot;")


def cdata(value: str | None) -> str:
    """A string (from `xml_records`) as a CDATA section; a `]]>` inside is split across two."""
    if not value:
        return "<![CDATA[]]>"
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def joined(out: BinaryIO, body: Callable[[IO[bytes]], str], tail: str) -> None:
    """Write `body` to a temporary file; it returns the head, written to `out` before it."""
    with tempfile.TemporaryFile(prefix="blogarchive-export-") as spool:
        head = body(spool)
        out.write(head.encode("utf-8"))
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)
    out.write(tail.encode("utf-8"))
