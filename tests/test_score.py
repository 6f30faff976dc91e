"""The test bed's scorer: 1.0 for a perfect export, less exactly where something is wrong."""

from __future__ import annotations

import copy
from typing import Any

from tests.testbed.score import score, token_f1

TRUTH: list[dict[str, Any]] = [
    {"url": "http://b/1/", "kind": "post", "title": "Eins", "author": "Anna",
     "published": "2010-10-27T14:05:00+02:00", "categories": ["Marketing"], "tags": ["Flyer"],
     "text": "Ein kurzer Text über Flyer.",
     "comments": [{"id": "1", "parent_id": None, "text": "Danke!"},
                  {"id": "2", "parent_id": "1", "text": "Gern geschehen."}]},
    {"url": "http://b/2/", "kind": "post", "title": "Zwei", "author": "Jörg",
     "published": "2011-01-01T10:00:00+01:00", "categories": ["Website"], "tags": [],
     "text": "Noch ein Text.", "comments": []},
]  # fmt: skip


def test_perfect_export_scores_one() -> None:
    result = score(TRUTH, TRUTH)
    assert all(v == 1.0 for k, v in result.items() if k != "forbidden")
    assert result["forbidden"] == 0


def test_each_fault_lowers_its_own_measure() -> None:
    export = copy.deepcopy(TRUTH)
    export[0]["comments"][1]["parent_id"] = None
    export[0]["tags"] = ["Flyer", "Falsch"]
    export[1]["published"] = "2011-01-01T10:00:00+00:00"  # same wall clock, other instant
    export.append({**copy.deepcopy(TRUTH[1]), "url": "http://b/listing/"})
    result = score(TRUTH, export, never=["http://b/listing/"])
    assert result["reply_parent"] == 0.5
    assert 0 < result["tag_f1"] < 1
    assert result["date"] == 0.5
    assert result["post_precision"] == 2 / 3
    assert result["post_recall"] == 1.0
    assert result["forbidden"] == 1
    assert result["title"] == result["comment_recall"] == 1.0


def test_missing_posts_and_comments() -> None:
    export = copy.deepcopy(TRUTH[:1])
    export[0]["comments"] = export[0]["comments"][:1]
    result = score(TRUTH, export)
    assert result["post_recall"] == 0.5
    assert result["comment_recall"] == 0.5
    assert result["comment_precision"] == 1.0


def test_token_f1() -> None:
    assert token_f1("a b c", "a b c") == 1.0
    assert token_f1("a b c d", "a b") == 2 * (1.0 * 0.5) / 1.5
    assert token_f1("x", "") == 0.0
