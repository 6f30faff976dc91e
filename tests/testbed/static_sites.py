"""Pelican (default theme), Hugo (a small theme of ours) and Jekyll (minima) built from the
corpus and served."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime
from html import escape
from pathlib import Path

from tests.testbed.corpus import AUTHORS, TZ, CPost
from tests.testbed.procs import Unavailable, ensure_apt, free_port, run, serve_static

HUGO_THEME = Path(__file__).parent / "hugo_layouts"


def _bin(name: str) -> str:
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        raise Unavailable(f"{name} is not installed in this environment (pip install {name})")
    return str(path)


def _local(post: CPost) -> datetime:
    return datetime.fromisoformat(post.date).astimezone(TZ)


def front_matter_comments(post: CPost) -> list[dict[str, object]]:
    """A post's approved comments as the Hugo and Jekyll layouts read them (parent 0: none)."""
    return [
        {
            "id": c.id,
            "parent": c.parent or 0,
            "author": c.author,
            "url": c.author_url or "",
            "date": c.date,
            "text": c.text,
        }
        for c in post.visible_comments
    ]


def published_posts(posts: list[CPost]) -> list[CPost]:
    """What static engines publish: no drafts; no private or password posts (they have none)."""
    return [p for p in posts if p.status == "publish" and not p.password]


def pelican_up(state: Path, posts: list[CPost], media: Path) -> dict[str, object]:
    pelican = _bin("pelican")
    root = state / "pelican"
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "pages").mkdir(parents=True)
    shutil.copytree(media, root / "content" / "media")  # published as is (STATIC_PATHS)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    for post in posts:
        if post.password or post.status == "private":
            continue
        meta = {
            "date": _local(post).strftime("%Y-%m-%d %H:%M"),
            "authors": AUTHORS[post.author],
            "slug": post.slug,
        }
        if post.kind == "post":
            meta["category"] = post.leaf_categories[0]
            if post.tags:
                meta["tags"] = ", ".join(post.tags)
        if post.status == "draft":
            meta["status"] = "draft"
        head = "".join(f'<meta name="{k}" content="{escape(v)}" />\n' for k, v in meta.items())
        folder = root / "content" / ("pages" if post.kind == "page" else "")
        (folder / f"{post.slug}.html").write_text(
            f"<html><head><title>{escape(post.title)}</title>\n{head}</head>\n"
            f"<body>\n{post.body_html}\n</body></html>\n",
            encoding="utf-8",
        )
    (root / "pelicanconf.py").write_text(
        f"""SITENAME = "Werkstatt Marketing"
SITEURL = {url!r}
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "de"
DEFAULT_PAGINATION = 10
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
RELATIVE_URLS = False
LINKS = ()
SOCIAL = ()
STATIC_PATHS = ["media"]
""",
        encoding="utf-8",
    )
    run(
        [
            pelican,
            str(root / "content"),
            "-o",
            str(root / "output"),
            "-s",
            str(root / "pelicanconf.py"),
            "-q",
        ]
    )
    served = serve_static(state, "pelican", root / "output", port)
    return {"url": served, "engine": "pelican"}


def hugo_up(state: Path, posts: list[CPost], media: Path) -> dict[str, object]:
    hugo = _bin("hugo")
    root = state / "hugo"
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "posts").mkdir(parents=True)
    shutil.copytree(HUGO_THEME, root / "layouts")
    shutil.copytree(media, root / "static" / "media")  # Hugo publishes static/ as it is
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    for post in posts:
        if post.password or post.status == "private":
            continue
        front = {
            "title": post.title,
            "date": _local(post).isoformat(),
            "slug": post.slug,
            "draft": post.status == "draft",
            "author": AUTHORS[post.author],
            "lang": post.lang,
        }
        if post.kind == "post":
            front |= {
                "categories": post.leaf_categories,
                "tags": post.tags,
                "comments": front_matter_comments(post),
            }
        folder = root / "content" / ("posts" if post.kind == "post" else "")
        (folder / f"{post.slug}.html").write_text(
            json.dumps(front, ensure_ascii=False, indent=1) + "\n" + post.body_html + "\n",
            encoding="utf-8",
        )
    (root / "hugo.toml").write_text(
        f"""baseURL = {url!r}
title = "Werkstatt Marketing"
locale = "de-DE"
defaultContentLanguage = "de"
timeZone = "Europe/Berlin"
disableKinds = []
[pagination]
  pagerSize = 10
[taxonomies]
  category = "categories"
  tag = "tags"
[security]
  enableInlineShortcodes = false
  allowContent = ["text/html", "text/markdown"]
""",
        encoding="utf-8",
    )
    run([hugo, "--source", str(root), "--destination", str(root / "public"), "--quiet"])
    served = serve_static(state, "hugo", root / "public", port)
    return {"url": served, "engine": "hugo"}


JEKYLL_PACKAGES = ["jekyll", "jekyll-theme-minima", "ruby-jekyll-feed", "ruby-jekyll-seo-tag"]
JEKYLL_LAYOUTS = Path(__file__).parent / "jekyll_layouts"


def jekyll_post_url(base: str, post: CPost) -> str:
    if post.kind == "page":
        return f"{base}{post.slug}/"
    when = _local(post)
    return f"{base}blog/{when:%Y/%m}/{post.slug}/"


def jekyll_up(state: Path, posts: list[CPost], media: Path) -> dict[str, object]:
    """Jekyll from Debian's packages with its default theme, minima; the post layout adds
    categories, tags and threaded comments kept in the front matter (as Staticman does)."""
    ensure_apt(JEKYLL_PACKAGES, check=["jekyll"], files=[])
    root = state / "jekyll"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(JEKYLL_LAYOUTS, root)
    (root / "_posts").mkdir()
    shutil.copytree(media, root / "media")  # files without front matter are copied as they are
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    for post in posts:
        if post.password or post.status == "private":
            continue
        front: dict[str, object] = {
            "title": post.title,
            "lang": post.lang,
            "render_with_liquid": False,  # bodies are HTML, not templates
        }
        if post.status == "draft":
            front["published"] = False
        if post.kind == "page":
            front |= {"layout": "page", "permalink": f"/{post.slug}/"}
            target = root / f"{post.slug}.html"
        else:
            when = _local(post)
            front |= {
                "layout": "post",
                "date": when.strftime("%Y-%m-%d %H:%M:%S %z"),
                "author": AUTHORS[post.author],
                "categories": post.leaf_categories,
                "tags": post.tags,
                "comments": front_matter_comments(post),
            }
            target = root / "_posts" / f"{when:%Y-%m-%d}-{post.slug}.html"
        target.write_text(
            "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + post.body_html + "\n",
            encoding="utf-8",
        )
    (root / "_config.yml").write_text(
        f"""title: Werkstatt Marketing
description: Marketing für kleine Unternehmen
url: "{url}"
baseurl: ""
lang: de
timezone: Europe/Berlin
theme: minima
plugins: [jekyll-feed, jekyll-seo-tag]
permalink: /blog/:year/:month/:slug/
exclude: [_layouts/README]
""",
        encoding="utf-8",
    )
    run(["jekyll", "build", "--source", str(root), "--destination", str(root / "_site"), "-q"])
    served = serve_static(state, "jekyll", root / "_site", port)
    return {"url": served, "engine": "jekyll"}
