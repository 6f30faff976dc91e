"""URL canonicalisation, so that one post is one record whatever link led to it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import url_query_cleaner

from crawler.archive.errors import ArchiveError

# Parameters that never change what a page shows: analytics, share counters, reply forms.
TRACKING_PARAMS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "utm_id",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "igshid",
    "replytocom",
    "share",
    "nb",
    "amp",
    "ref",
)
# Blogger serves ?m=1 / ?m=0 for its mobile view; WordPress uses ?m=201010 for months.
BLOGGER_MOBILE = re.compile(r"[?&]m=[01]$")
COMMENT_PAGE = re.compile(r"/comment-page-(\d+)/?$")
# WordPress without pretty permalinks pages comments as `?p=123&cpage=2`.
COMMENT_PAGE_QUERY = re.compile(r"(?:^|&)cpage=(\d+)(?=&|$)")


@lru_cache(maxsize=65536)
def canonical(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no default port."""
    try:
        url = url_query_cleaner(url.strip(), TRACKING_PARAMS, remove=True, keep_fragments=False)
        url = BLOGGER_MOBILE.sub("", url)
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:  # "host:abc" is no port, "[::1" no host: keep the URL as it came
        return url
    if port and not (
        (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def comment_page(url: str) -> tuple[str, int] | None:
    """For `…/post/comment-page-3/` (or `…/?p=12&cpage=3`) the post's URL and 3; None for
    any other URL."""
    if "comment-page-" in url:
        path = urlsplit(url).path
        if m := COMMENT_PAGE.search(path):
            base = url[: url.index(path)] + path[: m.start()] + "/"
            return base, int(m.group(1))
    if "cpage=" in url:
        parts = urlsplit(url)
        if m := COMMENT_PAGE_QUERY.search(parts.query):
            rest = (parts.query[: m.start()] + parts.query[m.end() :]).strip("&")
            return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, "")), int(m.group(1))
    return None


def host_in(host: str, names: Iterable[str]) -> bool:
    """The host is one of these names or a subdomain of one."""
    return any(host == name or host.endswith("." + name) for name in names)


def same_site(url: str, site: str) -> bool:
    """True for http(s) URLs on the site's host; `www.` does not make another site."""
    key = _site_key(url)
    return key is not None and key == _site_key(site)


@lru_cache(maxsize=65536)
def _site_key(url: str) -> tuple[str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a malformed host or port in a link
        return None
    if parts.scheme not in ("http", "https"):
        return None
    return (parts.hostname or "").removeprefix("www."), port


def resolve(base: str, href: str | None) -> str | None:
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:")):
        return None
    href = href.strip()
    if href.startswith(("https://", "http://")) and "/." not in href and "[" not in href:
        return href  # already absolute (most links on most blogs): urljoin is the slow part
    try:
        return urljoin(base, href)
    except ValueError:  # "http://[::1:bad/" and other links no browser could follow
        return None


def sane_canonical(page_url: str, href: str | None) -> str:
    """The page's rel=canonical where it points at this site and is not a comment page."""
    target = resolve(page_url, href)
    if not target or not same_site(target, page_url):
        return canonical(page_url)
    target = canonical(target)
    if cp := comment_page(target):
        target = cp[0]
    if urlsplit(target).path in ("", "/") and urlsplit(page_url).path not in ("", "/"):
        return canonical(page_url)  # a canonical that points every page at the home page
    return target


# Links that lead a crawler in circles or off the content: admin, login, share, print,
# search, reply forms, feeds and endpoints, calendars, and files that are not pages.
TRAP_PATH = re.compile(
    r"/(wp-login\.php|wp-admin|wp-json|xmlrpc\.php|wp-content|wp-includes|cgi-bin|trackback|"
    r"feed|embed|amp|print|share|calendar|kalender|search|suche)(/|$|\?|\.)",
    re.IGNORECASE,
)
TRAP_QUERY = re.compile(
    r"(^|&)(replytocom|share|print|s|q|search|like_comment|action|doing_wp_cron|"
    r"sessionid|phpsessid|sid|jsessionid|orderby|sort|filter|ical|outlook-ical)=",
    re.IGNORECASE,
)
NOT_A_PAGE = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|bmp|tiff?|pdf|zip|gz|tgz|rar|7z|mp3|mp4|m4a|ogg|wav|"
    r"avi|mov|webm|docx?|xlsx?|pptx?|odt|ods|exe|dmg|iso|css|js|json|xml|rss|atom|txt)$",
    re.IGNORECASE,
)


# Session ids as path parameters (`/post/;jsessionid=…`) make every visit a new URL.
SESSION_PATH = re.compile(r";(jsessionid|phpsessid|sid|sessionid)=", re.IGNORECASE)


def is_trap(url: str) -> bool:
    """True for links a blog crawl should not follow (see TRAP_PATH and TRAP_QUERY)."""
    parts = urlsplit(url)
    return bool(
        TRAP_PATH.search(parts.path)
        or SESSION_PATH.search(parts.path)
        or NOT_A_PAGE.search(parts.path)
        or (parts.query and TRAP_QUERY.search(parts.query))
    )


def check_url(url: str | None) -> str:
    """The site URL a crawl starts from, or a one-line error."""
    if not url or not url.strip():
        raise ArchiveError("No blog URL given. Example: blogarchive crawl https://blog.example/")
    url = url.strip()
    scheme = re.match(r"([a-zA-Z][\w+.-]*):(?!\d)", url)
    # javascript:, ftp:, mailto: … (but "blog.example:8080" is a host and port)
    name = scheme.group(1).lower() if scheme else ""
    if "://" not in url and name and "." not in name and name not in ("http", "https"):
        raise ArchiveError(f"Only http and https blogs can be crawled, not {url}")
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ArchiveError(f"{url} is not a valid URL ({exc}).") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ArchiveError(f"Only http and https blogs can be crawled, not {url}")
    if not parts.hostname:
        raise ArchiveError(f"{url} names no host. Example: blogarchive crawl https://blog.example/")
    return canonical(url)
