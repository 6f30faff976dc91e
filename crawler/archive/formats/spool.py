"""Formats whose head sums up their body (a WXR's authors and terms, a feed's newest date):
the body is written to a temporary file while the summary is gathered, then head, body and
tail are joined. One pass over the posts, and memory that does not grow with their number.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from typing import IO, BinaryIO

# Characters XML 1.0 does not allow even escaped; a page or comment may hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: str | None) -> str:
    """A string as XML character data: escaped, and with characters XML forbids left out."""
    if not value:
        return ""
    value = NOT_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(value: str | None) -> str:
    return xml_text(value).replace('"', "&quot;")


def cdata(value: str | None) -> str:
    """A string as a CDATA section; a `]]>` inside is split across two sections."""
    if not value:
        return "<![CDATA[]]>"
    return "<![CDATA[" + NOT_XML.sub("", value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def joined(out: BinaryIO, body: Callable[[IO[bytes]], str], tail: str) -> None:
    """Write `body` to a temporary file; it returns the head, written to `out` before it."""
    with tempfile.TemporaryFile(prefix="blogarchive-export-") as spool:
        head = body(spool)
        out.write(head.encode("utf-8"))
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)
    out.write(tail.encode("utf-8"))
