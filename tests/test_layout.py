"""The layout's rules, read from the code: which room may import which, no import circles,
the archive free of Scrapy, Twisted and Whoosh, Whoosh's private parts in one room only.

The rooms and their arrows are the README's Layout table; a change to one is a change to both.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "indexer", "search_cli")

# Room → the rooms its modules may import (its own always). The most specific room wins:
# `crawler.archive.store` is in `crawler.archive`, `crawler.spiders.blog` in `crawler`.
MAY_IMPORT: dict[str, set[str]] = {
    "crawler.archive": set(),
    "crawler.parsers": {"crawler.archive"},
    "crawler.warc": {"crawler.archive", "crawler.parsers"},
    "crawler.imports": {"crawler.archive", "crawler.parsers"},
    "crawler.distributed": {"crawler", "crawler.archive", "crawler.parsers"},
    "crawler": {"crawler.archive", "crawler.parsers", "crawler.distributed", "crawler.warc"},
    "indexer.segments": {"indexer"},
    "indexer": {"crawler.archive", "indexer.segments"},
    "search_cli.web": {"search_cli", "indexer", "crawler.archive"},
    "search_cli": {
        "search_cli.web",
        "indexer",
        "indexer.segments",
        "crawler",
        "crawler.archive",
        "crawler.parsers",
        "crawler.distributed",
        "crawler.warc",
        "crawler.imports",
    },
}
# What `indexer.segments` may take from the rest of `indexer`: the schema it writes.
SEGMENTS_FROM_INDEXER = {"indexer.schema", "indexer.analysis"}
ARCHIVE_BANNED = ("scrapy", "twisted", "whoosh", "scrapy_redis")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every module this file imports at run time (at the top or inside a function), with
    its line; imports only for type checking are left out."""

    def walk(node: ast.AST) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                yield from (n for stmt in child.orelse for n in [stmt, *walk(stmt)])
                continue
            yield child
            yield from walk(child)

    for node in walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield (sub if sub in known else node.module), node.lineno


def room(module: str) -> str:
    return max((r for r in MAY_IMPORT if module == r or module.startswith(r + ".")), key=len)


def ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def test_every_import_points_the_way_the_layout_says() -> None:
    known = modules()
    wrong = []
    for name, path in known.items():
        here = room(name)
        for target, line in imports(path, known):
            if not ours(target):
                continue
            there = room(target)
            where = f"{path.relative_to(ROOT)}:{line} {here} → {target}"
            if here == "indexer.segments" and there == "indexer":
                if target not in SEGMENTS_FROM_INDEXER:
                    wrong.append(where)
            elif there != here and there not in MAY_IMPORT[here]:
                wrong.append(where)
    assert wrong == []


def test_no_import_circle() -> None:
    known = modules()
    graph = {
        name: {t for t, _ in imports(path, known) if t in known and t != name}
        for name, path in known.items()
    }
    # A package's __init__ importing its own modules is how a package is made, not a circle.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> list[str] | None:
        if node in trail:
            return [*trail[trail.index(node) :], node]
        if node in done:
            return None
        for target in sorted(graph[node]):
            if circle := visit(target, [*trail, node]):
                return circle
        done.add(node)
        return None

    for name in sorted(graph):
        assert visit(name, []) is None


def test_the_archive_needs_no_scrapy_twisted_or_whoosh() -> None:
    known = modules()
    for name, path in known.items():
        if room(name) != "crawler.archive":
            continue
        for target, line in imports(path, known):
            assert target.split(".")[0] not in ARCHIVE_BANNED, f"{path}:{line} {target}"


def private_whoosh_uses(path: Path) -> list[str]:
    """`x._name` attribute uses and `from whoosh… import _name` in a module of the indexer or
    one that imports Whoosh (self's and cls's own attributes are the module's own business)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    uses_whoosh = any(
        isinstance(n, ast.Import | ast.ImportFrom)
        and any(
            (getattr(n, "module", None) or alias.name).startswith("whoosh") for alias in n.names
        )
        for n in ast.walk(tree)
    )
    if not uses_whoosh and not path.is_relative_to(ROOT / "indexer"):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            found += [f"{node.lineno}: {a.name}" for a in node.names if a.name.startswith("_")]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            found.append(f"{node.lineno}: .{node.attr}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_whooshs_private_parts_are_used_only_in_indexer_segments(package: str) -> None:
    outside = {
        str(path.relative_to(ROOT)): uses
        for path in sorted((ROOT / package).rglob("*.py"))
        if not path.is_relative_to(ROOT / "indexer" / "segments")
        and (uses := private_whoosh_uses(path))
    }
    assert outside == {}
