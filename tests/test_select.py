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


INDEX_LISTS = [
    *LISTS,
    ".comment, p.comment, div.comment[id], li[id^='comment-'], [class*=date], [class*=Date],"
    " .entry-content.post, #main, div#main.post, time[datetime], a[rel~=tag], [lang|=de],"
    " script[src$='.js'], [itemprop=articleBody], *, [class*=''], [id^=''], a[rel~='tag x'],"
    " [data-x='a b'], h1 + p, .x .y, p:first-child, a:not(.x)",
]


@pytest.mark.parametrize("selector", INDEX_LISTS)
def test_the_page_index_answers_as_xpath_does(selector: str) -> None:
    from crawler.parsers.select import TreeIndex, ordered, select

    made = html.fromstring(
        "<html><body><div class='entry-content post' id='main' data-x='a b'>"
        "<p class='comment  depth-2\tx'>1</p><li id='comment-5' class='comment'>2</li>"
        "<time datetime='2020'>3</time><span class='meta-date Date'>4</span>"
        "<a rel='tag nofollow' href='/t/'>5</a><div lang='de-CH' class='entry'>6</div>"
        "<script data-name='disqus' src='//x.disqus.com/e.js'></script><!-- x -->"
        "<section itemprop='articleBody' class=''>7</section></div></body></html>"
    )
    for doc in [made, *(html.fromstring(page.read_bytes()) for page in PAGES)]:
        index = TreeIndex(doc)
        for root in (doc, *doc.iter("article", "main", "div"))[:6]:
            assert index.select(root, selector) == select(root, selector), selector
            assert list(index.ordered(root, selector)) == list(ordered(root, selector))
