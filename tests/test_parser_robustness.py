"""Parsers never raise on broken input: truncated real pages, random bytes, odd markup."""

from __future__ import annotations

import random

import pytest

from crawler.parsers import parse_page
from tests.conftest import SHARED

DEV = SHARED / "fixtures" / "realworld"

ODD = [
    b"",
    b"\x00\xff\xfe garbage \x00",
    b"<html>" * 5000,
    b"<div>" * 3000 + b"deep" + b"</div>" * 3000,
    "<html><body><article><h1>Größe</h1><p>Straße".encode("cp1252"),
    b'<?xml version="1.0" encoding="utf-8"?><rss><channel><item>x</item></channel></rss>',
    b"<html><head><meta charset='klingon'></head><body><p>x</p></body></html>",
    b'<html><body><a href="http://[::1:bad/">x</a><a href="http://h:abc/">y</a></body></html>',
    b'<script type="application/ld+json">{"@type": "BlogPosting", "headline": [1, 2}</script>',
    b'<time datetime="9999-99-99">x</time><time datetime="2010-13-45T99:99">y</time>',
]


@pytest.mark.parametrize("body", ODD, ids=range(len(ODD)))
def test_odd_input(body: bytes) -> None:
    page = parse_page("https://b.example/post/", body)
    assert page.kind in ("post", "page", "listing", "other", "binary")


def test_truncated_and_mangled_real_pages() -> None:
    pages = sorted(DEV.glob("*.html"))[:40] if DEV.exists() else []
    if not pages:
        pytest.skip(f"{DEV} is absent: the real-world pages live in the shared folder")
    rng = random.Random(7)
    for path in pages:
        body = path.read_bytes()
        for _ in range(3):
            cut = body[: rng.randrange(1, len(body))]
            noisy = bytearray(cut)
            for _ in range(20):
                noisy[rng.randrange(len(noisy))] = rng.randrange(256)
            for sample in (cut, bytes(noisy)):
                parse_page("https://b.example/post/", sample)
