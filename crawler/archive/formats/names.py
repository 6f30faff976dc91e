"""Names that other tools give an exported post: its slug, a term's slug, a login.

WordPress and the static generators file a post under a slug, the last part of its path;
an archived post keeps the one its blog gave it, so that links into the moved blog can be
mapped. Only a post whose URL has none (`?p=N`) gets one made from its title.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

# Letters a slug spells out rather than drops (WordPress's remove_accents does the same for
# German): ß has no decomposition, and ä/ö/ü become a/o/u once their accents are stripped.
SPELLED_OUT = str.maketrans({"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O"})
NOT_SLUG = re.compile(r"[^a-z0-9]+")
PAGE_SUFFIX = re.compile(r"\.(?:html?|php|aspx?)$", re.IGNORECASE)


def slugify(name: str, fallback: str = "post") -> str:
    """A lower-case ASCII slug of a name: "Größe zeigen" → "grosse-zeigen"."""
    plain = unicodedata.normalize("NFKD", name.translate(SPELLED_OUT))
    ascii_only = plain.encode("ascii", "ignore").decode("ascii").lower()
    return NOT_SLUG.sub("-", ascii_only).strip("-")[:190] or fallback


def url_slug(url: str, title: str = "") -> str:
    """The slug the blog gave a post: its URL's last path part without `.html`, decoded;
    made from the title where the path has none (a home page, `?p=N`)."""
    path = urlsplit(url).path.rstrip("/")
    last = PAGE_SUFFIX.sub("", unquote(path.rsplit("/", 1)[-1]))
    if last in ("", "index"):
        before = path.rsplit("/", 2)
        last = PAGE_SUFFIX.sub("", unquote(before[-2])) if len(before) > 2 and last else ""
    slug = NOT_SLUG.sub("-", last.lower()).strip("-") if last.isascii() else slugify(last)
    return slug or slugify(title)


class UniqueNames:
    """Hands out names that are unique among those given so far: "a", "a-2", "a-3"."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{name}-{n}"
        self.taken.add(candidate)
        return candidate
