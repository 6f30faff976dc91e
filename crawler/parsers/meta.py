"""Page-level metadata every parser can fall back on: JSON-LD, OpenGraph, <meta>, <html lang>."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from crawler.parsers.text import clean_text

ARTICLE_TYPES = frozenset(
    (
        "BlogPosting",
        "Article",
        "NewsArticle",
        "SocialMediaPosting",
        "Report",
        "TechArticle",
        "LiveBlogPosting",
        "OpinionNewsArticle",
        "ScholarlyArticle",
        "DiscussionForumPosting",
    )
)
PAGE_TYPES = frozenset(("WebPage", "AboutPage", "ContactPage", "ItemPage"))
LISTING_TYPES = frozenset(("CollectionPage", "SearchResultsPage", "ProfilePage", "Blog"))


@dataclass(slots=True)
class PageMeta:
    lang: str | None = None
    generator: str = ""
    canonical: str | None = None
    site_name: str | None = None
    og_type: str | None = None
    title_tag: str = ""
    meta: dict[str, list[str]] = field(default_factory=dict)  # name/property → contents
    article: dict[str, Any] | None = None  # the JSON-LD BlogPosting/Article, if any
    page_node: dict[str, Any] | None = None  # else a JSON-LD WebPage/AboutPage
    ld_types: set[str] = field(default_factory=set)
    ld_comments: list[dict[str, Any]] = field(default_factory=list)
    body_classes: frozenset[str] = frozenset()

    def first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None


def _types(node: dict[str, Any]) -> set[str]:
    t = node.get("@type")
    values = t if isinstance(t, list) else [t]
    return {str(v).rsplit("/", 1)[-1] for v in values if v}


def _walk_ld(data: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object, @graph and nesting flattened."""
    out: list[dict[str, Any]] = []
    stack = [data]
    while stack and len(out) < 500:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            out.append(item)
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart"):
                if isinstance(item.get(key), list | dict):
                    stack.append(item[key])
    return out


def page_meta(doc: HtmlElement) -> PageMeta:
    pm = PageMeta()
    lang = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    pm.lang = lang.strip() or None if lang else None
    body = doc.find("body")
    if body is not None:
        pm.body_classes = frozenset((body.get("class") or "").split())
    for m in doc.iter("meta"):
        key = m.get("property") or m.get("name") or m.get("http-equiv") or m.get("itemprop")
        content = m.get("content")
        if key and content is not None:
            pm.meta.setdefault(key.lower(), []).append(clean_text(content))
    pm.generator = pm.first("generator") or ""
    pm.og_type = pm.first("og:type")
    pm.site_name = pm.first("og:site_name", "application-name")
    if not pm.lang and (lang := pm.first("content-language", "og:locale")):
        pm.lang = lang.replace("_", "-")
    for link in doc.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            pm.canonical = link.get("href")
            break
    title = doc.find(".//title")
    if title is not None:
        pm.title_tag = clean_text(title.text_content())
    _read_json_ld(doc, pm)
    return pm


def _read_json_ld(doc: HtmlElement, pm: PageMeta) -> None:
    for script in doc.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            data = _unescaped(json.loads(script.text or "", strict=False))
        except ValueError:
            continue
        for node in _walk_ld(data):
            types = _types(node)
            pm.ld_types |= types
            if types & ARTICLE_TYPES and pm.article is None:
                pm.article = node
            elif types & PAGE_TYPES and pm.page_node is None:
                pm.page_node = node
            if "Comment" in types:
                pm.ld_comments.append(node)
    if pm.article:
        comments = pm.article.get("comment")
        for c in comments if isinstance(comments, list) else [comments] if comments else []:
            if isinstance(c, dict) and c not in pm.ld_comments:
                pm.ld_comments.append(c)


def _unescaped(value: Any) -> Any:
    """JSON-LD with its strings' HTML entities decoded: plugins write `&#8211;` and `&amp;`
    into JSON, where no HTML parser decodes them (a title came out as "A &#8211; B")."""
    if isinstance(value, str):
        return html.unescape(value) if "&" in value else value
    if isinstance(value, list):
        return [_unescaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescaped(v) for k, v in value.items()}
    return value


def ld_name(value: Any) -> str | None:
    """A person's or thing's name from a JSON-LD value (string, object or list)."""
    if isinstance(value, list):
        names = [n for v in value if (n := ld_name(v))]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    return clean_text(str(value)) or None if isinstance(value, str) else None


def ld_list(value: Any) -> list[str]:
    """Keywords or sections: a list, or one comma-separated string."""
    if isinstance(value, str):
        return [v for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str)]
    return []
