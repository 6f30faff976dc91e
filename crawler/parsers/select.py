"""CSS selection in priority order: in "a, b" every match of `a` beats any match of `b`.

soupsieve returns a comma list's matches in document order; parsers need the first
selector that finds anything, because the list is ordered from most to least reliable.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from bs4 import Tag


@lru_cache(maxsize=256)
def selector_list(selector: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in selector.split(",") if s.strip())


def inside(el: Tag, ids: set[int]) -> bool:
    """True when the element or one of its ancestors is among `ids` (ids of tags)."""
    return id(el) in ids or any(id(p) in ids for p in el.parents)


def ordered(root: Tag, selector: str, exclude: set[int] | None = None) -> Iterator[Tag]:
    """Matches of each selector in turn, each in document order, skipping excluded subtrees."""
    for one in selector_list(selector):
        for el in root.select(one):
            if not exclude or not inside(el, exclude):
                yield el


def first_match(root: Tag, selector: str, exclude: set[int] | None = None) -> Tag | None:
    """The first element for the first selector in the list that matches anything."""
    return next(ordered(root, selector, exclude), None)


def all_matches(root: Tag, selector: str, exclude: set[int] | None = None) -> list[Tag]:
    """All matches of the first selector in the list that matches anything."""
    for one in selector_list(selector):
        found = [el for el in root.select(one) if not exclude or not inside(el, exclude)]
        if found:
            return found
    return []
