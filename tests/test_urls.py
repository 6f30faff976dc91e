from __future__ import annotations

import pytest

from crawler.parsers.urls import canonical, comment_page, is_trap, same_site, sane_canonical


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Blog.Example:443/a/?utm_source=x#comments", "https://blog.example/a/"),
        ("https://blog.example/a/?replytocom=12#respond", "https://blog.example/a/"),
        ("https://blog.example/?p=42&utm_medium=feed", "https://blog.example/?p=42"),
        (
            "https://x.blogspot.com/2010/10/post.html?m=1",
            "https://x.blogspot.com/2010/10/post.html",
        ),
        ("https://blog.example/?m=201010", "https://blog.example/?m=201010"),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a"),
    ],
)
def test_canonical(raw: str, expected: str) -> None:
    assert canonical(raw) == expected


def test_comment_page_points_to_its_post() -> None:
    assert comment_page("https://b.example/2010/10/post/comment-page-3/") == (
        "https://b.example/2010/10/post/",
        3,
    )
    assert comment_page("https://b.example/2010/10/post/") is None
    # Plain permalinks: the page number is a query parameter.
    assert comment_page("https://b.example/?p=123&cpage=2") == ("https://b.example/?p=123", 2)
    assert comment_page("https://b.example/?cpage=4&p=7") == ("https://b.example/?p=7", 4)
    assert comment_page("https://b.example/?p=7&xcpage=4") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://b.example/wp-login.php?redirect_to=x",
        "https://b.example/wp-admin/",
        "https://b.example/post/?replytocom=5",
        "https://b.example/?s=marketing",
        "https://b.example/post/?share=facebook",
        "https://b.example/feed/",
        "https://b.example/image.JPG",
        "https://b.example/post/print/",
    ],
)
def test_traps_are_recognised(url: str) -> None:
    assert is_trap(url)


@pytest.mark.parametrize(
    "url",
    ["https://b.example/2010/10/post/", "https://b.example/page/2/", "https://b.example/?p=4"],
)
def test_ordinary_pages_are_not_traps(url: str) -> None:
    assert not is_trap(url)


def test_same_site_ignores_www_but_not_other_hosts_or_schemes() -> None:
    assert same_site("https://www.b.example/x", "https://b.example/")
    assert not same_site("https://evil.example/x", "https://b.example/")
    assert not same_site("ftp://b.example/x", "https://b.example/")
    assert not same_site("javascript:alert(1)", "https://b.example/")


def test_sane_canonical_rejects_offsite_home_and_comment_pages() -> None:
    page = "https://b.example/2010/10/post/"
    assert sane_canonical(page, "https://other.example/x/") == page
    assert sane_canonical(page, "https://b.example/") == page
    assert sane_canonical(page, "/2010/10/post/comment-page-2/#comments") == page
    assert sane_canonical(page + "?utm_source=x", "/2010/10/post/") == page


def test_malformed_ports_do_not_raise() -> None:
    assert canonical("http://b.example:abc/x") == "http://b.example:abc/x"
    assert not same_site("http://b.example:abc/x", "http://b.example/")
