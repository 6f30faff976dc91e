"""CSS selection on lxml trees, in priority order: in "a, b" every match of `a` beats any of `b`.

Selectors compile once to XPath (cssselect) and run inside libxml2, which is many times faster
than walking a Python tree. The selector list is ordered from most to least reliable, so the
first selector that finds anything wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TypeAlias

from cssselect import HTMLTranslator
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

Node: TypeAlias = HtmlElement


@lru_cache(maxsize=256)
def selector_list(selector: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in selector.split(",") if s.strip())


@lru_cache(maxsize=1024)
def compiled(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


PREFIX = "descendant-or-self::"
STEP = re.compile(r"([a-z][a-z0-9]*|\*)(\[.*\])?", re.DOTALL)


@lru_cache(maxsize=256)
def one_pass(selector: str) -> Callable[[Node], list[Node]]:
    """A comma list as one XPath: its single-step selectors (a tag and conditions: `.a`,
    `div#b`, `[class*=c]`) joined into one predicate, so libxml2 walks the tree once for
    all of them (the plain union walks it once per selector); others joined by union."""
    translator = HTMLTranslator()
    tests, steps = [], []
    for one in selector_list(selector):
        xpath = translator.css_to_xpath(one, prefix=PREFIX)
        step = xpath[len(PREFIX) :]
        m = STEP.fullmatch(step)
        single = m is not None and not any(x in step for x in ("::", "/", "position()"))
        if m is None or not single or (m.group(2) or "[").count("[") != 1:
            steps.append(xpath)
            continue
        tag, conditions = m.groups()
        parts = ([] if tag == "*" else [f"self::{tag}"]) + (
            [conditions[1:-1]] if conditions else []
        )
        tests.append(" and ".join(f"({p})" for p in parts) or "true()")
    if tests:
        steps.insert(0, f"{PREFIX}*[{' or '.join(f'({t})' for t in tests)}]")
    return etree.XPath(" | ".join(steps))  # type: ignore[no-any-return]


def select(root: Node, selector: str) -> list[Node]:
    """Every match of a comma list in document order (root itself excluded)."""
    return [el for el in one_pass(selector)(root) if el is not root]


def inside(el: Node, marks: set[Node]) -> bool:
    """True when the element or one of its ancestors is in `marks`."""
    return el in marks or any(a in marks for a in el.iterancestors())


def ordered(root: Node, selector: str, exclude: set[Node] | None = None) -> Iterator[Node]:
    """Matches of each selector in turn, each in document order, skipping excluded subtrees."""
    for one in selector_list(selector):
        for el in compiled(one)(root):
            if el is not root and not (exclude and inside(el, exclude)):
                yield el


def first_match(root: Node, selector: str, exclude: set[Node] | None = None) -> Node | None:
    """The first element for the first selector in the list that matches anything."""
    return next(ordered(root, selector, exclude), None)


def all_matches(root: Node, selector: str, exclude: set[Node] | None = None) -> list[Node]:
    """All matches of the first selector in the list that matches anything."""
    for one in selector_list(selector):
        found = [
            el
            for el in compiled(one)(root)
            if el is not root and not (exclude and inside(el, exclude))
        ]
        if found:
            return found
    return []


def text_of(el: Node | None) -> str:
    """The element's words with single spaces, as a reader sees them in a heading or name."""
    from crawler.parsers.text import clean_text

    return clean_text(" ".join(el.itertext())) if el is not None else ""
