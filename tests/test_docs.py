"""The docs name tests; those tests must exist."""

from __future__ import annotations

import ast
import re

from tests.conftest import ROOT

ROW_TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_named_in_the_reliability_table_exists() -> None:
    doc = (ROOT / "docs" / "RELIABILITY.md").read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("| ") and "`tests/" in line]
    assert len(rows) >= 25
    for row in rows:
        named = ROW_TEST.findall(row)
        assert named, row
        for path, name in named:
            tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
            functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            assert name in functions, f"{path}::{name}"


def test_the_readme_commands_table_names_every_command_and_no_other() -> None:
    from search_cli.main import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `blogarchive ([a-z-]+)", table, flags=re.MULTILINE))
    assert named == set(cli.commands)
