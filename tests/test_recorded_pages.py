"""Parsers on pages recorded from the real engines (tests/testbed/record.py), against truth."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.parsers import parse_page
from tests.testbed.score import token_f1

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(
    p.relative_to(FIXTURES / "expected").with_suffix("")
    for p in (FIXTURES / "expected").glob("*/*.json")
)


def _expected(case: Path) -> dict[str, Any]:
    return json.loads((FIXTURES / "expected" / f"{case}.json").read_text(encoding="utf-8"))


def test_recordings_exist_for_every_engine() -> None:
    assert {c.parts[0] for c in CASES} >= {"wp-block", "wp-classic", "pelican", "hugo", "jekyll"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_recorded_page(case: Path) -> None:
    want = _expected(case)
    page = parse_page(want["url"], (FIXTURES / "pages" / f"{case}.html").read_bytes())
    assert page.kind == want["kind"]
    if want["kind"] == "listing":
        assert page.post is None
        assert page.links
        return
    post = page.post
    assert post is not None
    assert post.url == want["url"]
    assert post.title == want["title"]
    if want["kind"] == "post":
        assert post.author == want["author"]
        assert post.published == datetime.fromisoformat(want["published"])
        assert {t.casefold() for t in post.tags} == {t.casefold() for t in want["tags"]}
        assert set(post.categories) == set(want["categories"])
    if want.get("protected"):
        assert not post.comments
        return
    assert token_f1(want["text"], post.text) >= 0.97
    # A page shows one page of comments: each must be a true comment with its true parent.
    truth = {c["id"]: c for c in want["comments"]}
    for c in post.comments:
        assert c.id in truth, c
        assert c.parent_id == truth[c.id]["parent_id"]
        assert token_f1(truth[c.id]["text"], c.text) >= 0.8
    assert bool(post.comments) == bool(truth)
