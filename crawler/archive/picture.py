"""Which file an `<img>` stands for: the one the archive keeps.

A theme rarely puts the picture in `src` alone: it offers sizes in `srcset` (and `<source>`
elements of a `<picture>`), hides the real URL from the browser behind a placeholder until a
script swaps in `data-src` (lazy loading), or names the original upload (Jetpack's
`data-orig-file`). The archive keeps one file per image, the largest the page offers. The
parsers pick it when they list a post's media; the reading room and `export --with-media`
pick it again from the stored HTML to find the archived copy, so the rule lives here, once,
over plain attribute mappings (lxml and BeautifulSoup both give one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urljoin

# The original upload, when the theme names it: better than any resized candidate.
ORIGINAL = ("data-orig-file", "data-full-url")
# Lazy-loading plugins keep the real URL here and a placeholder (often a data: URL) in src.
LAZY_SRC = ("data-lazy-src", "data-src", "data-original", "data-lazy", "src")
SRCSETS = ("data-lazy-srcset", "data-srcset", "srcset")

_SPACE_OR_COMMA = re.compile(r"[\s,]*")
_URL = re.compile(r"\S+")
_DESCRIPTORS = re.compile(r"[^,]*")


def srcset_candidates(value: str) -> list[tuple[str, float, bool]]:
    """(url, size, is_width) for each candidate of a srcset: `800w` is a width, `2x` a
    density; a candidate without a descriptor is `1x` (the HTML standard's reading)."""
    found: list[tuple[str, float, bool]] = []
    value, pos = value or "", 0
    while True:
        pos = _SPACE_OR_COMMA.match(value, pos).end()  # type: ignore[union-attr]
        url_match = _URL.match(value, pos)
        if url_match is None:
            return found
        url, pos = url_match.group(), url_match.end()
        descriptor = ""
        if url.endswith(","):  # a URL may hold commas (image CDNs' options); not at its end
            url = url.rstrip(",")
        else:
            described = _DESCRIPTORS.match(value, pos)
            assert described is not None
            descriptor, pos = described.group(), described.end()
        size, is_width = 1.0, False
        for part in descriptor.split():
            try:
                if part.endswith("w"):
                    size, is_width = float(part[:-1]), True
                elif part.endswith("x"):
                    size = float(part[:-1])
            except ValueError:
                continue
        found.append((url, size, is_width))


def _usable(url: str | None) -> bool:
    if not url:
        return False
    lowered = url.strip().lower()
    # Inline images are already in the HTML; a placeholder is not the picture.
    return not lowered.startswith(("data:", "about:", "javascript:", "#"))


def _text(value: object) -> str:
    return " ".join(value) if isinstance(value, list) else str(value or "")


def chosen_source(
    img: Mapping[str, object], sources: Iterable[Mapping[str, object]] = (), base: str = ""
) -> str | None:
    """The absolute URL of the file to keep for this `<img>` (with the `<source>`s of its
    `<picture>`), or None when it names no file (an inline data: image, a placeholder)."""
    for attr in ORIGINAL:
        if _usable(url := _text(img.get(attr)).strip()):
            return urljoin(base, url)
    candidates: list[tuple[str, float, bool]] = []
    for element in [*sources, img]:
        for attr in SRCSETS:
            candidates += [c for c in srcset_candidates(_text(element.get(attr))) if _usable(c[0])]
    if candidates:
        # Widths say more than densities; among either, the largest.
        url = max(candidates, key=lambda c: (c[2], c[1]))[0]
        return urljoin(base, url)
    for attr in LAZY_SRC:
        if _usable(url := _text(img.get(attr)).strip()):
            return urljoin(base, url)
    return None


# Attributes that name other files for an image: gone once it points at the archived copy.
SOURCE_ATTRS = (*ORIGINAL, *SRCSETS, *LAZY_SRC, "sizes")


def localize_images(soup: Any, base: str, archived: Mapping[str, str]) -> None:
    """Point every `<img>` whose file the archive keeps (`archived`: the URL `chosen_source`
    picks → where the copy is) at that copy, in a BeautifulSoup tree; others are left alone."""
    for img in soup.find_all("img"):
        parent = img.parent
        in_picture = parent is not None and parent.name == "picture"
        sources = parent.find_all("source", recursive=False) if in_picture else []
        url = chosen_source(img.attrs, [s.attrs for s in sources], base)
        local = archived.get(url) if url else None
        if local is None:
            continue
        for attr in SOURCE_ATTRS:
            img.attrs.pop(attr, None)
        img.attrs["src"] = local
        img.attrs["data-archived-from"] = url
        for source in sources:
            source.decompose()


def localize_html(html: str, base: str, archived: Mapping[str, str]) -> str:
    """`localize_images` on an HTML fragment (the stored body of a post)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(f"<div>{html}</div>", "lxml")
    localize_images(soup, base, archived)
    root = soup.body.div if soup.body and soup.body.div else None
    return "".join(str(child) for child in root.contents) if root is not None else html
