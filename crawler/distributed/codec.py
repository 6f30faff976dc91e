"""JSON for what crosses Redis: queued requests and workers' findings.

scrapy-redis pickles requests by default; whoever can write to the Redis database could then
run code in every crawler. This codec is plain JSON (orjson), with bytes tagged as base64.
It is also the `SCHEDULER_SERIALIZER` module handed to scrapy-redis (`dumps`, `loads`).
"""

from __future__ import annotations

import base64
from typing import Any

import orjson

from crawler.archive.model import MediaRef, Post, PostItem, RawPage

_BYTES = "__bytes__"


def _default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot send {type(value).__name__} through Redis")


def _revive(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _BYTES in value:
            return base64.b64decode(value[_BYTES])
        return {k: _revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


def dumps(obj: Any) -> bytes:
    # Header dicts have bytes keys; JSON keys must be strings.
    return orjson.dumps(_keys_to_str(obj), default=_default)


def loads(data: bytes | str) -> Any:
    return _revive(orjson.loads(data))


def _keys_to_str(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            (k.decode("latin-1") if isinstance(k, bytes) else k): _keys_to_str(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_keys_to_str(v) for v in value]
    return value


def item_to_dict(item: PostItem) -> dict[str, Any]:
    return {
        "post": item.post.to_dict(),
        "pages": [
            {
                "url": raw.url,
                "page_no": raw.page_no,
                "body": raw.body,
                "content_type": raw.content_type,
                "status": raw.status,
                "etag": raw.etag,
                "last_modified": raw.last_modified,
            }
            for raw in item.pages
        ],
        "requested": item.requested,
        "signals": [list(pair) for pair in item.signals],
        "media": [[ref.url, ref.role] for ref in item.post.media],
    }


def item_from_dict(data: dict[str, Any]) -> PostItem:
    media = tuple(MediaRef(url, role) for url, role in data.get("media") or ())
    return PostItem(
        post=Post.from_dict(data["post"]).with_(media=media),
        pages=tuple(RawPage(**page) for page in data["pages"]),
        requested=data["requested"],
        signals=tuple(tuple(pair) for pair in data["signals"]),
    )
