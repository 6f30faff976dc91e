"""Ground truth per test-bed site: what an exact archive of that site holds, in the export schema.

Written as `<site>.truth.jsonl` (one post per line) and `<site>.urls.json` (URLs that are not
posts, and URLs that must never be archived: drafts and private posts).
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from typing import Any

from tests.testbed.corpus import AUTHORS, CPost, image_paths


def _comments(post: CPost, ids: dict[int, int] | None = None) -> list[dict[str, Any]]:
    def cid(n: int) -> str:
        return str(ids[n]) if ids else str(n)

    return [
        {
            "id": cid(c.id),
            "parent_id": cid(c.parent) if c.parent else None,
            "author": c.author,
            "author_url": c.author_url,
            "published": c.date,
            "text": c.text,
            "type": c.type,
        }
        for c in post.visible_comments
    ]


def _media(urls: list[str], files: Path | None) -> list[dict[str, Any]]:
    """The images an archive of the post must keep: each URL with the SHA-256 of its file."""
    out = []
    for url in urls:
        name = url.rsplit("/", 1)[-1]
        sha = hashlib.sha256((files / name).read_bytes()).hexdigest() if files else None
        out.append({"url": url, "sha256": sha})
    return out


def _record(post: CPost, url: str, **over: Any) -> dict[str, Any]:
    is_post = post.kind == "post"
    record = {
        "url": url,
        "kind": post.kind,
        "title": post.title,
        "author": AUTHORS[post.author] if is_post else None,
        "published": post.date if is_post else None,
        "language": post.lang,
        "categories": post.leaf_categories,
        "tags": post.tags,
        "text": post.text,
        "comments": _comments(post),
        "protected": bool(post.password),
    }
    return record | over


def wordpress_truth(  # type: ignore[type-arg]
    posts: list[CPost], ids: dict[str, Any], theme: str, files: Path | None = None
) -> tuple[list[dict], dict]:
    out, never = [], []
    for post in posts:
        facts = ids["posts"].get(post.key)
        if facts is None:
            continue
        if post.status != "publish":
            never.append(facts["url"])
            continue
        # Each comment was inserted with the e-mail c<corpus id>@…; WordPress gave it an id.
        mapping = {int(wp["email"][1:].split("@")[0]): wp["wp_id"] for wp in facts["comments"]}
        over: dict[str, Any] = {
            "categories": [html.unescape(c) for c in facts["categories"]]
            if post.kind == "post"
            else [],
            "tags": [html.unescape(t) for t in facts["tags"]] if post.kind == "post" else [],
            "comments": _comments(post, mapping),
            "media": _media(facts.get("media", []), files),
        }
        if theme == "twentytwentyone":  # classic themes show pingbacks by their title only
            for c in over["comments"]:
                if c["type"] == "pingback":
                    c["text"] = f"Pingback: {c['author']}"
        if post.password:  # the page shows a password form instead of text and comments
            over |= {"text": "", "comments": [], "media": []}
        out.append(_record(post, facts["url"], **over))
    home = ids["home"]
    return out, {"not_posts": [home, home + "page/2/"], "never": never}


def static_truth(  # type: ignore[type-arg]
    posts: list[CPost],
    base: str,
    engine: str,
    files: Path | None = None,
    public: Path | None = None,
) -> tuple[list[dict], dict]:
    out, never = [], []
    for post in posts:
        if post.password or post.status == "private":
            continue
        over: dict[str, Any] = {}
        if engine in ("hexo", "hexo-next"):
            from tests.testbed.hexo import SITE_AUTHOR, hexo_post_url

            if post.status == "draft":  # Hexo writes no page for it
                continue
            assert public is not None
            url = hexo_post_url(base, public, post)
            categories = post.leaf_categories
            comments = []  # the themes load Disqus and utterances in the browser
            if post.kind == "post":
                # the themes show the site's author only
                over = {"comments_status": "external", "author": SITE_AUTHOR}
        elif engine == "nikola":
            from tests.testbed.nikola import nikola_post_url

            if post.status == "draft":  # left out of the site
                continue
            url = nikola_post_url(base, post)
            categories = []  # bootblog4 shows a post's tags, never its category
            comments = []
        elif engine == "pelican":
            url = (
                f"{base}pages/{post.slug}.html"
                if post.kind == "page"
                else f"{base}{post.slug}.html"
            )
            categories = post.leaf_categories[:1]  # Pelican has one category per article
            comments: list[dict[str, Any]] = []  # and no comments
        elif engine == "jekyll":
            from tests.testbed.static_sites import jekyll_post_url

            url = jekyll_post_url(base, post)
            categories = post.leaf_categories
            comments = _comments(post)
        else:
            url = f"{base}{post.slug}/" if post.kind == "page" else f"{base}posts/{post.slug}/"
            categories = post.leaf_categories
            comments = _comments(post)
        if post.status == "draft":
            never.append(url)
            continue
        images = _media([base.rstrip("/") + p for p in image_paths(post)], files)
        out.append(
            _record(
                post,
                url,
                categories=categories if post.kind == "post" else [],
                comments=comments,
                media=images,
                **over,
            )
        )
    if engine == "jekyll":  # minima lists every post on the home page: no pagination
        return out, {"not_posts": [base], "never": never}
    pagination = {"pelican": f"{base}index2.html", "nikola": f"{base}index-1.html"}.get(
        engine, f"{base}page/2/"
    )
    return out, {"not_posts": [base, pagination], "never": never}


def write_truth(folder: Path, name: str, records: list[dict], urls: dict) -> Path:  # type: ignore[type-arg]
    target = folder / f"{name}.truth.jsonl"
    target.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    (folder / f"{name}.urls.json").write_text(json.dumps(urls, indent=1), encoding="utf-8")
    return target
