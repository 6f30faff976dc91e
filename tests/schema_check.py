"""Validation against ../shared/schema/post.schema.json, with the date rules spelled out."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.conftest import SHARED

SCHEMA = SHARED / "schema" / "post.schema.json"


def validator() -> Any:
    if not SCHEMA.exists():
        pytest.skip(
            f"{SCHEMA} is absent: the export schema lives in the shared folder beside the repo"
        )
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _has_offset(value: str | None) -> bool:
    return value is None or datetime.fromisoformat(value).tzinfo is not None


def check_post(v: Any, post: dict[str, Any]) -> None:
    errors = sorted(v.iter_errors(post), key=str)
    assert not errors, [e.message for e in errors]
    for key in ("published", "updated", "fetched_at"):
        assert _has_offset(post.get(key)), (key, post.get(key))
    for c in post["comments"]:
        assert _has_offset(c["published"])
