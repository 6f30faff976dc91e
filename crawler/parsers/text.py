"""Turning a content element into plain text and cleaned HTML."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

BLOCK = frozenset(
    (
        "p div section article main header footer aside nav h1 h2 h3 h4 h5 h6 ul ol li dl dt dd"
        " blockquote pre table thead tbody tfoot tr figure figcaption hr address details summary"
        " center form fieldset"
    ).split()
)
CELL = frozenset(("td", "th"))
BR = "\x00"  # stands for <br> until the paragraph is folded
LISTS = frozenset(("ul", "ol", "dl"))
NEVER_TEXT = frozenset(
    (
        "script style noscript template button input select textarea iframe svg canvas object"
        " embed video audio map head title meta link"
    ).split()
)
NOT_TEXT_STRINGS = (Comment, Doctype, Declaration, ProcessingInstruction, CData)
# Invisible characters that only disturb matching: soft hyphen, zero-width space/joiners, BOM.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# Elements we drop from stored HTML; attributes starting with these are event handlers.
UNSAFE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "link",
    "meta",
    "base",
)
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text")
URL_ATTRS = ("href", "src", "action", "formaction", "poster", "srcset", "xlink:href")


def clean_text(value: str) -> str:
    """NFC, no invisible characters, white space folded to single spaces."""
    value = unicodedata.normalize("NFC", value).translate(INVISIBLE)
    return " ".join(SPACES.sub(" ", value).split())


def text_of(el: Tag | None, sep: str = " ") -> str:
    return clean_text(el.get_text(sep)) if el is not None else ""


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

    def __init__(self, skip: frozenset[int]) -> None:
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

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, NOT_TEXT_STRINGS):
                    # Source line breaks are white space; only <br> breaks a line.
                    self.line.append(str(child).replace("\n", " "))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in NEVER_TEXT or id(child) in self.skip:
                continue
            if name == "br":
                self.line.append(BR)
            elif name == "pre":
                self.flush()
                code = unicodedata.normalize("NFC", child.get_text()).translate(INVISIBLE)
                if code.strip():
                    self.blocks.append(code.strip("\n"))
            elif name in CELL:
                self.line.append(" ")
                self.walk(child)
                self.line.append(" ")
            elif name in LISTS:
                self.flush()
                items = _Blocks(self.skip)
                items.walk(child)
                items.flush()
                if items.blocks:  # one paragraph per list, one line per item
                    self.blocks.append("\n".join(items.blocks))
            elif name in BLOCK:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)


def html_to_text(el: Tag | None, skip: Iterable[Tag] = ()) -> str:
    """Plain text of an element: paragraphs separated by a blank line, line breaks kept.

    Elements in `skip` (share buttons, reply links, nested replies) are left out.
    """
    if el is None:
        return ""
    blocks = _Blocks(frozenset(map(id, skip)))
    try:
        blocks.walk(el)
    except RecursionError:  # absurdly deep markup: keep the words, lose the layout
        return clean_text(el.get_text(" "))
    blocks.flush()
    return "\n\n".join(blocks.blocks)


def clean_html(el: Tag | None, drop: str = "") -> str | None:
    """The element as HTML without scripts, styles, forms, event handlers or javascript: URLs.

    `drop` is a CSS selector for widgets to leave out as well (share buttons and the like).
    """
    if el is None:
        return None
    copy = BeautifulSoup(str(el), "lxml")
    for bad in [*copy.find_all(UNSAFE_TAGS), *(copy.select(drop) if drop else ())]:
        if not bad.decomposed:
            bad.decompose()
    for tag in copy.find_all(True):
        for attr in list(tag.attrs):
            value = tag.attrs[attr]
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attr.lower().startswith("on") or (
                attr.lower() in URL_ATTRS
                and re.sub(r"\s", "", text)
                .lower()
                .startswith(("javascript:", "vbscript:", "data:text"))
            ):
                del tag.attrs[attr]
    body = copy.body
    root = body.contents[0] if body and len(body.contents) == 1 else body
    return str(root) if root is not None else None
