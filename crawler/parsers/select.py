"""CSS selection on lxml trees, in priority order: in "a, b" every match of `a` beats any of `b`.

Selectors compile once to XPath (cssselect) and run inside libxml2. A page's extraction asks
its tree dozens of selector lists; `TreeIndex` walks the tree once and answers selectors of
one element's conditions (tag, classes, id, attributes: most of them) from dictionaries,
the same answers in the same order as XPath. The selector list is ordered from most to
least reliable, so the first selector that finds anything wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


Test: TypeAlias = Callable[[Node], bool]


@dataclass(frozen=True, slots=True)
class Simple:
    """A selector that is one element's conditions, as cssselect's HTML translator reads
    them: a tag, classes, an id, attribute tests (`div.comment[id]`, `[class*=date]`)."""

    tag: str | None
    classes: tuple[str, ...]
    id: str | None
    attributes: tuple[tuple[str, str, str | None], ...]  # name, operator, value

    def test(self, el: Node) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.id is not None and el.get("id") != self.id:
            return False
        if self.classes:
            have = (el.get("class") or "").split()
            if any(c not in have for c in self.classes):
                return False
        return all(_attribute_holds(el.get(n), op, v) for n, op, v in self.attributes)


def _attribute_holds(have: str | None, operator: str, value: str | None) -> bool:
    if have is None:
        return False
    if operator == "exists":
        return True
    value = value or ""
    if operator == "=":
        return have == value
    if operator == "~=":
        return bool(value) and not any(c.isspace() for c in value) and value in have.split()
    if operator == "|=":
        return have == value or have.startswith(value + "-")
    if operator == "^=":
        return bool(value) and have.startswith(value)
    if operator == "$=":
        return bool(value) and have.endswith(value)
    return bool(value) and value in have  # "*="


OPERATORS = frozenset(("exists", "=", "~=", "|=", "^=", "$=", "*="))


@lru_cache(maxsize=1024)
def simple(selector: str) -> Simple | None:
    """The selector as `Simple`, or None for others (combinators, pseudo-classes)."""
    import cssselect

    try:
        parsed = cssselect.parse(selector)
    except cssselect.SelectorError:
        return None
    if len(parsed) != 1 or parsed[0].pseudo_element:
        return None
    node = parsed[0].parsed_tree
    classes: list[str] = []
    ident: str | None = None
    attributes: list[tuple[str, str, str | None]] = []
    while not isinstance(node, cssselect.parser.Element):
        if isinstance(node, cssselect.parser.Class):
            classes.append(node.class_name)
        elif isinstance(node, cssselect.parser.Hash) and ident is None:
            ident = node.id
        elif (
            isinstance(node, cssselect.parser.Attrib)
            and not node.namespace
            and node.operator in OPERATORS
        ):
            value = node.value.value if node.value is not None else None
            attributes.append((node.attrib.lower(), node.operator, value))
        else:
            return None
        node = node.selector
    if node.namespace:
        return None
    tag = node.element.lower() if node.element else None
    return Simple(tag, tuple(classes), ident, tuple(attributes))


class TreeIndex:
    """One page's elements by tag, class and id, in document order, built in one walk.

    Extraction asks dozens of selector lists of the same page; libxml2 walks the whole tree
    for each selector of each list (a tenth of a millisecond each), the index answers the
    one-element selectors from a dictionary. Others go to XPath as before."""

    def __init__(self, doc: Node) -> None:
        self.doc = doc
        self.position: dict[Node, int] = {}
        self.elements: list[Node] = []
        self.by_tag: dict[str, list[Node]] = {}
        self.by_class: dict[str, list[Node]] = {}
        self.by_id: dict[str, list[Node]] = {}
        self.with_class: list[Node] = []
        self.by_attribute: dict[str, list[Node]] = {}
        for i, el in enumerate(doc.iter(etree.Element)):
            self.position[el] = i
            self.elements.append(el)
            self.by_tag.setdefault(el.tag, []).append(el)
            if cls := el.get("class"):
                self.with_class.append(el)
                for token in set(cls.split()):
                    self.by_class.setdefault(token, []).append(el)
            if ident := el.get("id"):
                self.by_id.setdefault(ident, []).append(el)

    def _attribute(self, name: str) -> list[Node]:
        if name == "class":
            return self.with_class
        if name not in self.by_attribute:
            self.by_attribute[name] = [el for el in self.elements if el.get(name) is not None]
        return self.by_attribute[name]

    def _candidates(self, rule: Simple) -> list[Node]:
        if rule.id is not None:
            return self.by_id.get(rule.id, [])
        if rule.classes:
            return self.by_class.get(rule.classes[0], [])
        if rule.attributes:
            return self._attribute(rule.attributes[0][0])
        if rule.tag is not None:
            return self.by_tag.get(rule.tag, [])
        return self.elements

    def matches(self, root: Node, one: str) -> list[Node]:
        """Matches of one selector inside `root` (not `root` itself), in document order."""
        rule = simple(one)
        start = self.position.get(root)
        if rule is None or start is None:
            return [el for el in compiled(one)(root) if el is not root]
        end = self.position[_last_descendant(root)]
        return [
            el
            for el in self._candidates(rule)
            if start < self.position[el] <= end and rule.test(el)
        ]

    def select(self, root: Node, selector: str) -> list[Node]:
        """As `select`, from the index: every match of the list, in document order."""
        parts = selector_list(selector)
        if len(parts) == 1:
            return self.matches(root, parts[0])
        found = {el for one in parts for el in self.matches(root, one)}
        return sorted(found, key=self.position.__getitem__)

    def per_selector(
        self, root: Node, selector: str, exclude: set[Node] | None = None
    ) -> Iterator[tuple[str, list[Node]]]:
        """Each selector of the list with its matches outside `exclude`, one at a time."""
        for one in selector_list(selector):
            found = self.matches(root, one)
            yield one, [el for el in found if not (exclude and inside(el, exclude))]

    def ordered(
        self, root: Node, selector: str, exclude: set[Node] | None = None
    ) -> Iterator[Node]:
        """As `ordered`, from the index."""
        for _, found in self.per_selector(root, selector, exclude):
            yield from found

    def first(self, root: Node, selector: str, exclude: set[Node] | None = None) -> Node | None:
        """As `first_match`, from the index."""
        return next(self.ordered(root, selector, exclude), None)

    def all_matches(
        self, root: Node, selector: str, exclude: set[Node] | None = None
    ) -> list[Node]:
        """All matches of the first selector in the list that matches anything."""
        return next((found for _, found in self.per_selector(root, selector, exclude) if found), [])


def _last_descendant(el: Node) -> Node:
    """The last element inside `el` in document order (`el` when it holds none)."""
    while True:
        children = [c for c in el if isinstance(c.tag, str)]
        if not children:
            return el
        el = children[-1]


def text_of(el: Node | None) -> str:
    """The element's words with single spaces, as a reader sees them in a heading or name."""
    from crawler.parsers.text import clean_text

    return clean_text(" ".join(el.itertext())) if el is not None else ""
