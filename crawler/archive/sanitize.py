"""Archived HTML is other people's code: what of it the archive keeps, and shows.

The parsers clean a post body with `sanitize_tree` (on the lxml tree they parsed) before it is
stored; the reading room runs the stored HTML through `sanitize_html` (BeautifulSoup) again
before showing it, so that an archive written by an older or a foreign blogarchive (an
import) is held to the same rules: both apply the tables below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from lxml import etree
from lxml.html import HtmlElement

from crawler.archive.picture import localize_images

# Elements dropped with everything inside them: script, active content, forms, and markup
# that changes how the rest of the page is read (base, meta) or draws outside the post.
UNSAFE_TAGS = ("script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
               "embed", "applet", "form", "input", "button", "select", "textarea", "link",
               "meta", "base", "svg", "math")  # fmt: skip
URL_ATTRS = ("href", "src", "action", "formaction", "poster", "srcset", "xlink:href", "background",
             "data", "codebase", "cite")  # fmt: skip
# Inline styles can carry script (expression(), url(javascript:)); the archive does not need them.
UNSAFE_ATTRS = ("style", "srcdoc")
# What loads a resource when the HTML is shown: off the archive, it would reach the live web.
LOADING_ATTRS = ("src", "srcset", "poster", "background", "data")
_URL_NOISE = re.compile(r"[\x00-\x20]+")


def unsafe_url(attr: str, value: str) -> bool:
    """A URL that runs script when followed or loaded: javascript:, vbscript:, and data: URLs
    other than (non-SVG) images in src."""
    # Browsers skip controls and spaces in a scheme; lxml may have %-escaped them.
    url = _URL_NOISE.sub("", unquote(value)).lower()
    if url.startswith(("javascript:", "vbscript:", "livescript:")):
        return True
    if url.startswith("data:"):
        image = url.startswith("data:image/") and not url.startswith("data:image/svg")
        return attr != "src" or not image
    return False


def _unsafe_attribute(name: str, value: str) -> bool:
    name = name.lower()
    if name.startswith("on") or name in UNSAFE_ATTRS:
        return True
    return name in URL_ATTRS and unsafe_url(name, value)


def sanitize_tree(root: HtmlElement, drop: str | None = None) -> None:
    """Clean an lxml element in place by the same rules as `sanitize_soup`: unsafe elements,
    those carrying the attribute `drop`, HTML comments and processing instructions removed
    (their tails kept), event handlers, inline styles and script URLs stripped. Done on the
    parsed tree it costs a tenth of parsing the body again into BeautifulSoup."""
    unsafe = frozenset(UNSAFE_TAGS)
    doomed = [
        node
        for node in root.iterdescendants()
        if not isinstance(node.tag, str)
        or node.tag in unsafe
        or (drop is not None and node.get(drop) is not None)
    ]
    for node in doomed:
        if node.getparent() is not None:  # not already gone with an ancestor
            _remove(node)
    for el in root.iter(etree.Element):
        for name, value in el.attrib.items():
            if _unsafe_attribute(name, value):
                del el.attrib[name]


# Characters the HTML parser lets through but lxml refuses to set as text (a page's stray
# control bytes): moved with a removed element's tail, they go.
NOT_XML_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _remove(node: Any) -> None:
    """Remove an element and what it holds, keeping the text that follows it."""
    parent = node.getparent()
    if tail := node.tail:
        tail = NOT_XML_TEXT.sub("", tail)
        previous = node.getprevious()
        if previous is not None:
            previous.tail = NOT_XML_TEXT.sub("", previous.tail or "") + tail
        else:
            parent.text = NOT_XML_TEXT.sub("", parent.text or "") + tail
    parent.remove(node)


def sanitize_soup(soup: Any, drop: str | None = None) -> None:
    """Clean a BeautifulSoup tree in place: unsafe elements (and those carrying the attribute
    `drop`) removed, event handlers, inline styles and script URLs stripped."""
    bad = soup.find_all(UNSAFE_TAGS)
    if drop:
        bad.extend(soup.find_all(attrs={drop: True}))
    for node in bad:
        if not node.decomposed:
            node.decompose()
    for tag in soup.find_all(True):
        for attr in list(tag.attrs):
            value = tag.attrs[attr]
            text = " ".join(value) if isinstance(value, list) else str(value)
            if _unsafe_attribute(attr, text):
                del tag.attrs[attr]


def sanitize_html(
    html: str,
    *,
    local: tuple[str, ...] | None = None,
    images: Mapping[str, str] | None = None,
    base: str = "",
) -> str:
    """Stored HTML made safe to show. With `images` (an image's URL → its archived copy),
    images the archive keeps point at their copies (`picture.localize_images`, URLs read
    against `base`). With `local`, a resource whose URL does not start with one of these
    prefixes is not loaded (its URL is kept in `data-archived-src`), so that showing an
    archived post never reaches the live web."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(f"<div>{html}</div>", "lxml")
    sanitize_soup(soup)
    if images:
        localize_images(soup, base, images)
    if local is not None:
        for tag in soup.find_all(True):
            for attr in LOADING_ATTRS:
                value = tag.attrs.get(attr)
                if value is None:
                    continue
                text = " ".join(value) if isinstance(value, list) else str(value)
                if not text.startswith(local):
                    del tag.attrs[attr]
                    tag.attrs[f"data-archived-{attr}"] = text
                    if tag.name == "img" and attr == "src":
                        tag.attrs["title"] = f"Not in the archive: {text}"
        for link in soup.find_all("a", href=True):
            link.attrs["rel"] = "noopener noreferrer nofollow"
    root = soup.body.div if soup.body and soup.body.div else None
    return "".join(str(child) for child in root.contents) if root is not None else ""
