"""One pass over the tree for a comma list of selectors finds what the plain union finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html

from crawler.parsers.extract import BOILERPLATE
from crawler.parsers.select import compiled, one_pass

PAGES = sorted((Path(__file__).parent / "fixtures" / "pages").rglob("*.html"))[:40]
LISTS = [
    BOILERPLATE,
    ".a, div#b, [class*=related-], nav, a[rel~=category], li[id^='comment-'], :not(p)",
    ".post-thumbnail img, .entry-content, h1 + p, .x .y, article",
    "time[datetime], .entry-date, [itemprop=datePublished]",
]


@pytest.mark.parametrize("selector", LISTS)
def test_one_pass_finds_what_the_union_finds_in_document_order(selector: str) -> None:
    assert PAGES, "the recorded engine pages are in tests/fixtures/pages"
    for page in PAGES:
        doc = html.fromstring(page.read_bytes())
        assert list(one_pass(selector)(doc)) == list(compiled(selector)(doc)), page.name
