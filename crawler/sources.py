"""Reading a blog's own lists of its posts: sitemaps, feeds and the WordPress REST API.

Pure functions from bytes to `Lead`s, so the spider stays about scheduling. Each lead may
carry what its source says about the post's version (sitemap lastmod, REST `modified_gmt`, a
feed's comment count): the next crawl compares that with what it said last time and fetches
only the posts that changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import orjson
from lxml import etree

from crawler.parsers.urls import canonical, resolve

Source = Literal["sitemap", "rest", "feed"]


@dataclass(frozen=True, slots=True)
class Lead:
    """A post URL that a discovery source names, with what the source says about it."""

    url: str  # canonical
    source: Source
    version: str | None = None  # changes when the post (or its comment count) changes
    wp_id: int | None = None  # WordPress post id, to match REST comments to posts


# Sitemaps of listings (terms, authors): WordPress core, Yoast, Rank Math and others.
LISTING_SITEMAP = re.compile(
    r"(wp-sitemap-(taxonomies|users)-|/(category|post_tag|tag|author|user|"
    r"product_cat|product_tag|format)[-_]?sitemap\d*\.xml)",
    re.IGNORECASE,
)
# Listing URLs in an all-in-one sitemap (Hugo, Jekyll, Pelican plugins): terms and pagination.
LISTING_PATH = re.compile(
    r"/(tags?|categor(y|ies)|author|authors|page|archives?|kategorie|schlagwort)(/[^/]+)?/?$",
    re.IGNORECASE,
)

_XML = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)


def _tree(body: bytes) -> etree._Element | None:
    try:
        root = etree.fromstring(body.lstrip(), parser=_XML)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if _local(child.tag) == name]


def _text(node: etree._Element, name: str) -> str | None:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


@dataclass(frozen=True, slots=True)
class Sitemap:
    is_index: bool
    entries: tuple[tuple[str, str | None], ...]  # (loc, lastmod)


def read_sitemap(body: bytes) -> Sitemap | None:
    """A sitemap or sitemap index, or None when the bytes are not one."""
    root = _tree(body)
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        return None
    child = "sitemap" if _local(root.tag) == "sitemapindex" else "url"
    entries = []
    for node in _children(root, child):
        loc = _text(node, "loc")
        if loc:
            entries.append((loc, _text(node, "lastmod")))
    return Sitemap(_local(root.tag) == "sitemapindex", tuple(entries))


def sitemap_leads(sitemap: Sitemap) -> list[Lead]:
    return [
        Lead(canonical(loc), "sitemap", lastmod)
        for loc, lastmod in sitemap.entries
        if not LISTING_PATH.search(loc.split("?", 1)[0])
    ]


def read_feed(body: bytes, base: str = "") -> list[Lead] | None:
    """Items of an RSS 2.0, RSS 1.0 or Atom feed, with their comment counts where given;
    None when the bytes are not a feed (broken XML, an HTML page).

    Relative item links (rare, but seen) are read against `base`, the feed's own URL.
    """
    root = _tree(body)
    if root is None or _local(root.tag) not in ("rss", "rdf", "feed"):
        return None
    leads = []
    for item in root.iter():
        name = _local(item.tag)
        if name not in ("item", "entry"):
            continue
        url = None
        comments = updated = None
        for child in item:
            tag = _local(child.tag)
            if tag == "link":
                href = child.get("href")
                if href and child.get("rel", "alternate") == "alternate":
                    url = href.strip()
                elif not href and child.text:
                    url = child.text.strip()
            elif tag in ("comments", "total") and (child.text or "").strip().isdigit():
                comments = child.text.strip()  # slash:comments, thr:total
            elif tag in ("updated", "modified"):
                updated = (child.text or "").strip() or None
        if url and (url := resolve(base, url) if base else url):
            version = "|".join(v for v in (updated, comments) if v) or None
            leads.append(Lead(canonical(url), "feed", version))
    return leads


def feed_pager(feed_url: str, body: bytes) -> str | None:
    """How the feed pages back in time: "wordpress" (`?paged=N`), "blogger" (`start-index`)."""
    head = body[:4000].lower()
    if b"wordpress.org" in head and b"<generator" in head:
        return "wordpress"
    if "/feeds/posts/" in feed_url or b"blogger.com" in head:
        return "blogger"
    return None


def feed_page(feed_url: str, pager: str, page: int) -> str:
    """Page `page` (from 1) of a feed that pages the way `pager` says."""
    base, _, query = feed_url.partition("?")
    params = [p for p in query.split("&") if p and not p.startswith(("paged=", "start-index="))]
    if pager == "wordpress":
        params.append(f"paged={page}")
    else:  # Blogger: 25 entries a page unless max-results says otherwise
        params += [] if any(p.startswith("max-results=") for p in params) else ["max-results=25"]
        size = int(next(p for p in params if p.startswith("max-results=")).split("=")[1] or 25)
        params.append(f"start-index={(page - 1) * size + 1}")
    return f"{base}?{'&'.join(params)}"


def feed_links(html: bytes | str) -> list[str]:
    """rel=alternate feed links named in a page's head (RSS first)."""
    from parsel import Selector

    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    head = Selector(text=text[:200_000])
    found = []
    for kind in ("application/rss+xml", "application/atom+xml"):
        for href in head.xpath(f'//link[@rel="alternate"][@type="{kind}"]/@href').getall():
            if "comments" not in href.lower():
                found.append(href.strip())
    return found


def rest_root(html: bytes | str, link_header: bytes | None = None) -> str | None:
    """The WordPress REST API root a page announces (`<link rel="https://api.w.org/">`)."""
    if link_header:
        m = re.search(rb'<([^>]+)>;\s*rel="https://api\.w\.org/"', link_header)
        if m:
            return m.group(1).decode("latin-1")
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    m = re.search(r'<link[^>]+rel=["\']https://api\.w\.org/["\'][^>]*>', text[:200_000])
    if m and (href := re.search(r'href=["\']([^"\']+)', m.group(0))):
        return href.group(1)
    return None


def read_rest_posts(body: bytes) -> list[Lead]:
    """`/wp/v2/posts` or `/wp/v2/pages` with `_fields=id,link,modified_gmt`."""
    try:
        items = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(items, list):
        return []
    leads = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("link"), str):
            wp_id = item.get("id")
            leads.append(
                Lead(
                    canonical(item["link"]),
                    "rest",
                    str(item.get("modified_gmt") or "") or None,
                    wp_id if isinstance(wp_id, int) else None,
                )
            )
    return leads


def read_rest_comment_posts(body: bytes) -> set[int]:
    """WordPress post ids named by a `/wp/v2/comments?_fields=post` answer."""
    try:
        items = orjson.loads(body)
    except orjson.JSONDecodeError:
        return set()
    if not isinstance(items, list):
        return set()
    return {i["post"] for i in items if isinstance(i, dict) and isinstance(i.get("post"), int)}
