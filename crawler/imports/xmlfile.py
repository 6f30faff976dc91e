"""Reading another program's XML export without trusting it: streamed element by element,
no DTD, no entities expanded, no network; its faults said in one line.

Neither a WordPress nor a Disqus export declares a DTD, so a file that does is refused
before parsing: that is where entity bombs and external entities live.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from crawler.archive.errors import ArchiveError

DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
HEAD = 64 * 1024  # where a DTD would have to be: before the root element


class BadExport(ArchiveError):
    """A file that is not the export it claims to be; the archive is left as it was."""


def local(tag: object) -> str:
    """An element's name without its namespace: `{http://…/}item` → `item`."""
    return str(tag).rsplit("}", 1)[-1]


def elements(path: Path, root: str, what: str, depth: int) -> Iterator[etree._Element]:
    """The elements `depth` levels below the root (1: its children), each whole, in file
    order; the root must be the `root` element (a namespaced name), or the file is no `what`.
    Each is freed once the caller is done with it, so the file is never held in memory."""
    try:
        with path.open("rb") as f:
            head = f.read(HEAD)
    except OSError as exc:
        raise BadExport(f"Cannot read {path}: {exc.strerror}.") from exc
    if DECLARATION.search(head[: _root_start(head)]):
        raise BadExport(f"{path} declares a DTD or entities, which no {what} does; refused.")
    events = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    first, level = True, -1
    try:
        for event, el in events:
            if first:
                first = False
                if el.tag != root:
                    raise BadExport(
                        f"{path} is not a {what}: its root element is <{local(el.tag)}>."
                    )
            if event == "start":
                level += 1
                continue
            level -= 1
            if level + 1 == depth:
                yield el
                el.clear(keep_tail=False)
                parent = el.getparent()
                if parent is not None:  # drop what was read, so memory stays flat
                    while el.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as exc:
        line = f" (line {exc.lineno})" if exc.lineno else ""
        if first:
            raise BadExport(f"{path} is not XML: {_reason(exc)}{line}.") from None
        if not _closes(path, local(root)):
            raise BadExport(f"{path} ends before its last element: cut short?{line}") from None
        raise BadExport(f"{path} is not well-formed XML: {_reason(exc)}{line}.") from None
    if first:
        raise BadExport(f"{path} is empty; it is no {what}.")


def _root_start(head: bytes) -> int:
    """Where the root element starts in the file's head (past the prolog), or its end."""
    for match in re.finditer(rb"<([^?!])", head):
        return match.start()
    return len(head)


def _closes(path: Path, root: str) -> bool:
    """Whether the file ends with the root's end tag: without one, it was cut short."""
    with path.open("rb") as f:
        f.seek(max(0, path.stat().st_size - 4096))
        return f"</{root}>".encode() in f.read() or f":{root}>".encode() in f.read()


def _reason(exc: etree.XMLSyntaxError) -> str:
    return str(exc.msg or exc).split(", line")[0].rstrip(".")


def text(el: etree._Element | None) -> str:
    return (el.text or "") if el is not None else ""
