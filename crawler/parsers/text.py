"""Turning a content element into plain text and cleaned HTML."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from copy import deepcopy

from lxml import etree
from lxml.html import HtmlElement

from crawler.archive.sanitize import sanitize_tree

BLOCK = frozenset(
    (
        "p div section article main header footer aside nav h1 h2 h3 h4 h5 h6 li dt dd"
        " blockquote pre table thead tbody tfoot tr figure figcaption hr address details summary"
        " center form fieldset"
    ).split()
)
LISTS = frozenset(("ul", "ol", "dl"))
CELL = frozenset(("td", "th"))
NEVER_TEXT = frozenset(
    (
        "script style noscript template button input select textarea iframe svg canvas object"
        " embed video audio map head title meta link"
    ).split()
)
BR = "\x00"  # stands for <br> until the paragraph is folded
# Invisible characters that only disturb matching: soft hyphen, zero-width space/joiners, BOM.
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean_text(value: str) -> str:
    """NFC, no invisible characters, white space folded to single spaces."""
    value = INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    return " ".join(SPACES.sub(" ", value).split())


def unique_names(names: Iterable[str]) -> tuple[str, ...]:
    """Display names in page order, empty and repeated ones dropped (case-insensitively)."""
    seen: set[str] = set()
    out = []
    for raw in names:
        name = clean_text(raw).strip(" ,;·|#")
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return tuple(out)


class _Blocks:
    """Collects text into paragraphs; a block element ends the current paragraph."""

    def __init__(self, skip: set[HtmlElement]) -> None:
        self.skip = skip
        self.blocks: list[str] = []
        self.line: list[str] = []

    def flush(self) -> None:
        if self.line:
            raw = "".join(self.line)
            self.line = []
            lines = (clean_text(part) for part in raw.split(BR))
            text = "\n".join(x for x in lines if x)
            if text:
                self.blocks.append(text)

    def add(self, text: str | None) -> None:
        if text:
            # Source line breaks are white space; only <br> breaks a line.
            self.line.append(text.replace("\n", " "))

    def walk(self, node: HtmlElement) -> None:
        self.add(node.text)
        for child in node:
            tag = child.tag
            if isinstance(tag, str) and tag not in NEVER_TEXT and child not in self.skip:
                self.element(child, tag.lower())
            self.add(child.tail)

    def element(self, child: HtmlElement, tag: str) -> None:
        if tag == "br":
            self.line.append(BR)
        elif tag == "pre":
            self.flush()
            code = INVISIBLE.sub("", unicodedata.normalize("NFC", child.text_content()))
            if code.strip():
                self.blocks.append(code.strip("\n"))
        elif tag in LISTS:
            self.flush()
            items = _Blocks(self.skip)
            items.walk(child)
            items.flush()
            if items.blocks:  # one paragraph per list, one line per item
                self.blocks.append("\n".join(items.blocks))
        elif tag in CELL:
            self.line.append(" ")
            self.walk(child)
            self.line.append(" ")
        elif tag in BLOCK:
            self.flush()
            self.walk(child)
            self.flush()
        else:
            self.walk(child)


def html_to_text(el: HtmlElement | None, skip: Iterable[HtmlElement] = ()) -> str:
    """Plain text of an element: paragraphs separated by a blank line, line breaks kept.

    Elements in `skip` (share buttons, reply links, nested replies) are left out.
    """
    if el is None:
        return ""
    blocks = _Blocks(set(skip))
    try:
        blocks.walk(el)
    except RecursionError:  # absurdly deep markup: keep the words, lose the layout
        return clean_text(" ".join(el.itertext()))
    blocks.flush()
    return "\n\n".join(blocks.blocks)


DROP_MARK = "data-blogarchive-drop"


def clean_html(el: HtmlElement | None, drop: Iterable[HtmlElement] = ()) -> str | None:
    """The element as HTML without scripts, styles, forms, event handlers or javascript: URLs,
    and without the elements in `drop` (share buttons and the like).

    A copy of the body alone is cleaned (`sanitize_tree`): the page's tree stays as it was.
    """
    if el is None:
        return None
    dropped = [node for node in dict.fromkeys(drop) if node.get(DROP_MARK) is None]
    for node in dropped:  # marked for the moment of copying
        node.set(DROP_MARK, "")
    try:
        copy = deepcopy(el)
    finally:
        for node in dropped:
            del node.attrib[DROP_MARK]
    copy.tail = None
    if copy.get(DROP_MARK) is not None:
        return None
    sanitize_tree(copy, drop=DROP_MARK)
    return str(etree.tostring(copy, encoding="unicode", method="html"))
