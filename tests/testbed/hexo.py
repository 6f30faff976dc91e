"""Hexo (npm), built from the corpus twice: with its default theme, landscape, and with NexT,
one of the most used themes on npm. Neither shows comments of its own: landscape is set up
with Disqus, NexT with utterances, both loaded by script in the reader's browser, as most
Hexo blogs have them. Both home pages show the newest posts whole (no excerpt marker)."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path

from tests.testbed.corpus import AUTHORS, TZ, CPost
from tests.testbed.procs import Unavailable, ensure_apt, free_port, run, serve_static

# Exact versions: a theme's markup is what the test proves the parsers on.
PACKAGES = {
    "hexo": "8.1.2",
    "hexo-renderer-ejs": "2.0.0",
    "hexo-renderer-stylus": "3.0.1",
    "hexo-renderer-marked": "7.0.1",
    "hexo-generator-index": "4.0.0",
    "hexo-generator-archive": "2.0.0",
    "hexo-generator-category": "2.0.0",
    "hexo-generator-tag": "2.0.0",
    "hexo-generator-feed": "3.0.0",
    "hexo-generator-sitemap": "3.0.1",
    "hexo-theme-landscape": "1.1.0",
    "hexo-theme-next": "8.29.0",
}
# The site's one author: neither theme shows a post's own author, only the site's.
SITE_AUTHOR = AUTHORS["anna"]
# Theme settings as a blog owner writes them in _config.<theme>.yml.
THEME_CONFIG = {
    "landscape": "disqus_shortname: werkstatt-marketing\n",
    "next": (
        "utterances:\n  enable: true\n  repo: werkstatt/kommentare\n"
        "  issue_term: pathname\n  theme: github-light\n"
    ),
}
THEMES = {"hexo": "landscape", "hexo-next": "next"}


def node_modules(state: Path) -> Path:
    """Hexo and both themes installed once from npm (again only when the versions change)."""
    ensure_apt(["nodejs", "npm"], check=["node", "npm"], files=[])
    folder = state / "hexo-npm"
    manifest = json.dumps(
        {"name": "testbed-hexo", "private": True, "dependencies": PACKAGES}, indent=1
    )
    stamp = folder / ".installed"
    want = hashlib.sha256(manifest.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return folder / "node_modules"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(manifest)
    try:
        run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder)
    except RuntimeError as exc:
        raise Unavailable(f"npm could not install Hexo: {exc}") from exc
    stamp.write_text(want)
    return folder / "node_modules"


def _front(post: CPost) -> dict[str, object]:
    # Hexo reads a date as the site's local time (an offset in it is not understood).
    local = datetime.fromisoformat(post.date).astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")
    front: dict[str, object] = {"title": post.title, "date": local, "lang": post.lang}
    if post.kind == "post":
        # A list of lists: each leaf category on its own, not one nested path.
        front |= {"categories": [[c] for c in post.leaf_categories], "tags": post.tags}
    if post.status == "draft":
        front["published"] = False
    return front


def hexo_up(state: Path, posts: list[CPost], media: Path, name: str) -> dict[str, object]:
    theme = THEMES[name]
    modules = node_modules(state)
    root = state / name
    shutil.rmtree(root, ignore_errors=True)
    (root / "source" / "_posts").mkdir(parents=True)
    (root / "node_modules").symlink_to(modules)
    (root / "package.json").write_text(
        json.dumps(
            {
                "name": name,
                "private": True,
                "hexo": {"version": PACKAGES["hexo"]},
                "dependencies": PACKAGES,
            }
        )
    )
    shutil.copytree(media, root / "source" / "media")  # files Hexo cannot render are copied
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    for post in posts:
        if post.password or post.status == "private":
            continue
        if post.kind == "page":
            target = root / "source" / post.slug / "index.html"
            target.parent.mkdir()
        else:
            target = root / "source" / "_posts" / f"{post.slug}.html"
        target.write_text(
            "---\n"
            + json.dumps(_front(post), ensure_ascii=False)
            + "\n---\n"
            + post.body_html
            + "\n",
            encoding="utf-8",
        )
    (root / "_config.yml").write_text(
        f"""title: Werkstatt Marketing
description: Marketing für kleine Unternehmen
author: {SITE_AUTHOR}
language: de
timezone: Europe/Berlin
url: {url}
permalink: :year/:month/:day/:title/
theme: {theme}
per_page: 10
index_generator:
  per_page: 10
  order_by: -date
""",
        encoding="utf-8",
    )
    (root / f"_config.{theme}.yml").write_text(THEME_CONFIG[theme], encoding="utf-8")
    run(["node", str(modules / "hexo" / "bin" / "hexo"), "generate", "--silent"], cwd=root)
    served = serve_static(state, name, root / "public", port)
    return {"url": served, "engine": "hexo", "theme": theme, "public": str(root / "public")}


def hexo_post_url(base: str, public: Path, post: CPost) -> str:
    """Where Hexo wrote a post: its permalink's date is the one Hexo computed, so look."""
    if post.kind == "page":
        return f"{base}{post.slug}/"
    found = sorted(public.glob(f"[0-9]*/*/*/{post.slug}/index.html"))
    if len(found) != 1:
        raise RuntimeError(f"Hexo wrote {len(found)} pages for {post.slug}")
    return base + found[0].parent.relative_to(public).as_posix() + "/"
