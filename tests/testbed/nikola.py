"""Nikola (PyPI) with its default theme, bootblog4, built from the corpus.

Its post pages differ from the other engines': a post's own author in an h-card byline, tags
linked under /categories/ (Nikola's default tag path) and marked p-category, the post's one
category shown nowhere on the post page, no comment system, and the metadata header left as
an HTML comment in the text.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests.testbed.corpus import AUTHORS, CPost
from tests.testbed.procs import Unavailable, free_port, run, serve_static


def nikola_up(state: Path, posts: list[CPost], media: Path) -> dict[str, object]:
    nikola = Path(sys.executable).with_name("nikola")
    if not nikola.exists():
        raise Unavailable("nikola is not installed in this environment (pip install nikola)")
    root = state / "nikola"
    shutil.rmtree(root, ignore_errors=True)
    for folder in ("posts", "pages"):
        (root / folder).mkdir(parents=True)
    shutil.copytree(media, root / "files" / "media")  # files/ is published at the root
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    for post in posts:
        # Nikola renders drafts' pages too (unlisted): the corpus's drafts are left out.
        if post.password or post.status != "publish":
            continue
        meta = {"title": post.title, "slug": post.slug, "date": post.date}
        if post.kind == "post":
            meta |= {
                "author": AUTHORS[post.author],
                "tags": ", ".join(post.tags),
                "category": post.leaf_categories[0],
            }
        head = "".join(f".. {k}: {v}\n" for k, v in meta.items())
        folder = root / ("pages" if post.kind == "page" else "posts")
        (folder / f"{post.slug}.html").write_text(
            f"<!--\n{head}-->\n{post.body_html}\n", encoding="utf-8"
        )
    (root / "conf.py").write_text(
        f"""BLOG_AUTHOR = {AUTHORS["anna"]!r}
BLOG_TITLE = "Werkstatt Marketing"
SITE_URL = {url!r}
BLOG_EMAIL = "redaktion@example.invalid"
BLOG_DESCRIPTION = "Marketing für kleine Unternehmen"
DEFAULT_LANG = "de"
TRANSLATIONS = {{"de": ""}}
TIMEZONE = "Europe/Berlin"
THEME = "bootblog4"
POSTS = (("posts/*.html", "posts", "post.tmpl"),)
PAGES = (("pages/*.html", "pages", "page.tmpl"),)
COMPILERS = {{"html": [".html"]}}
INDEX_DISPLAY_POST_COUNT = 10
COMMENT_SYSTEM = ""
""",
        encoding="utf-8",
    )
    run([str(nikola), "build"], cwd=root)
    served = serve_static(state, "nikola", root / "output", port)
    return {"url": served, "engine": "nikola"}


def nikola_post_url(base: str, post: CPost) -> str:
    return f"{base}{'pages' if post.kind == 'page' else 'posts'}/{post.slug}/"
