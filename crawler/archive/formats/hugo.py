"""`export --format hugo`: the selection as a Hugo site that builds as it is (`hugo` in the
folder), so a rescued blog can live on as a static site.

- `content/posts/<slug>/index.md` (a page: `content/<slug>/index.md`): TOML front matter
  (title, date and lastmod in the offset the page gave, author, categories, tags, aliases =
  the original URL's path so old links still arrive, original_url) and the body as Markdown
  (see `markdown.py`); the post's archived images beside it in the page bundle, the body
  pointing at them, the featured one named in `images`.
- `data/comments/<slug>.json`: the comments as threads (each with its `replies`).
- `layouts/`: a minimal theme whose `comments.html` partial shows those threads; a theme of
  the owner's choice can call the same partial.

One blog per export: two blogs' posts in one site would compete for slugs and aliases.
Written for Hugo 0.156 or newer (`hugo.Data`, `locale`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import orjson

from crawler.archive.formats.markdown import to_markdown
from crawler.archive.formats.media_files import EXTENSIONS
from crawler.archive.formats.names import url_slug
from crawler.archive.store import Store

SECTIONS = {"posts", "tags", "categories"}  # Hugo's own folders: no page bundle's name
# The minimal theme written into every export (package data beside this module).
THEME = Path(__file__).with_name("hugo_theme")


def toml_value(value: Any) -> str:
    """A TOML value: JSON's string escapes are TOML's basic-string escapes."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class HugoSite:
    """Writes the posts into `folder` (an empty one: see `atomic_directory`)."""

    def __init__(self, store: Store, folder: Path) -> None:
        self.store, self.folder = store, folder
        self.sites: dict[str, int] = {}
        self.languages: dict[str, int] = {}
        self.posts = self.comments = self.images = 0

    def write(self, records: Iterable[dict[str, Any]]) -> int:
        for record in records:
            self._post(record)
        self._config()
        shutil.copytree(THEME, self.folder / "layouts")
        return self.posts

    def _config(self) -> None:
        site = max(self.sites, key=self.sites.__getitem__, default="")
        language = max(self.languages, key=self.languages.__getitem__, default="")
        lines = [
            'baseURL = "/"',
            f"title = {toml_value(urlsplit(site).netloc or 'Archived blog')}",
            f"locale = {toml_value(language or 'en')}",
            f"[params]\noriginal_site = {toml_value(site)}",
            f"language = {toml_value(language or 'en')}",
            "[taxonomies]\ncategory = 'categories'\ntag = 'tags'",
            # Archived HTML left over in the Markdown is not passed through (Hugo's default,
            # said here so nobody switches it on without knowing what it lets in).
            "[markup.goldmark.renderer]\nunsafe = false",
            # The text as archived: no curly quotes or dashes put in for straight ones.
            "[markup.goldmark.extensions]\ntypographer = false",
        ]
        (self.folder / "hugo.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _post(self, record: dict[str, Any]) -> None:
        site = record.get("site") or ""
        self.sites[site] = self.sites.get(site, 0) + 1
        if record.get("language"):
            self.languages[record["language"]] = self.languages.get(record["language"], 0) + 1
        slug = self._free(url_slug(record["url"], record.get("title") or ""))
        is_page = record.get("kind") == "page"
        bundle = self.folder / "content" / ("" if is_page else "posts") / slug
        bundle.mkdir(parents=True)
        files = self._images(record, bundle)
        body = to_markdown(
            record.get("html") or "", lambda url: files.get(urljoin(record["url"], url))
        )
        if not record.get("html"):
            body = (record.get("text") or "").replace("{{", "{&#123;") + "\n"
        front = self._front_matter(record, "/" if is_page else "/posts/", slug, files)
        (bundle / "index.md").write_text(f"+++\n{front}+++\n\n{body}", encoding="utf-8")
        if record.get("comments"):
            threads = threaded(record["comments"])
            path = self.folder / "data" / "comments" / f"{slug}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            data = {"post": record["url"], "count": len(record["comments"]), "comments": threads}
            path.write_bytes(orjson.dumps(data))
            self.comments += len(record["comments"])
        self.posts += 1

    def _free(self, slug: str) -> str:
        """The slug, or slug-2, slug-3 …, whichever no bundle has yet: asked of the folder, so
        memory does not grow with the number of posts."""
        content = self.folder / "content"
        candidate, n = slug, 1
        while (
            candidate in SECTIONS
            or (content / "posts" / candidate).exists()
            or (content / candidate).exists()
        ):
            n += 1
            candidate = f"{slug}-{n}"
        return candidate

    def _images(self, record: dict[str, Any], bundle: Path) -> dict[str, str]:
        """The post's archived images written into its bundle: URL → file name."""
        files: dict[str, str] = {}
        for image in record.get("media") or ():
            sha = image.get("sha256")
            if not sha or image.get("role") == "comment" or image["url"] in files:
                continue
            found = self.store.media.file(sha)
            if found is None:
                continue
            name = f"{sha[:16]}{EXTENSIONS.get(image.get('type') or '', '')}"
            (bundle / name).write_bytes(found[1])
            files[image["url"]] = name
            self.images += 1
        return files

    def _front_matter(
        self, record: dict[str, Any], section: str, slug: str, files: dict[str, str]
    ) -> str:
        fields: list[tuple[str, str]] = [("title", toml_value(record.get("title") or ""))]
        for name, field in (("date", "published"), ("lastmod", "updated")):
            if record.get(field):
                fields.append((name, record[field]))  # an offset date-time is a TOML value
        if record.get("author"):
            fields.append(("author", toml_value(record["author"])))
        for field in ("categories", "tags"):
            if record.get(field):
                fields.append((field, toml_value(list(record[field]))))
        original = urlsplit(record["url"])
        path = unquote(original.path) or "/"
        if not original.query and path not in ("/", f"{section}{slug}/"):
            fields.append(("aliases", toml_value([path])))
        fields.append(("original_url", toml_value(record["url"])))
        if record.get("summary"):
            fields.append(("summary", toml_value(record["summary"])))
        featured = [m["url"] for m in record.get("media") or () if m.get("role") == "featured"]
        if featured and featured[0] in files:
            fields.append(("images", toml_value([files[featured[0]]])))
        return "".join(f"{key} = {value}\n" for key, value in fields)


def threaded(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The comments as trees in page order: each with the `replies` that answer it. A reply
    whose parent is not among them (or whose parents go round in a circle) stays at the top
    level rather than being lost."""
    keys = ("id", "author", "author_url", "published", "type", "text")
    nodes: dict[str, dict[str, Any]] = {
        str(c["id"]): {key: c.get(key) for key in keys} | {"replies": []} for c in comments
    }
    parents = {str(c["id"]): str(c.get("parent_id") or "") for c in comments}
    roots = []
    for comment in comments:
        cid = str(comment["id"])
        if _reaches_top(cid, parents, nodes):
            nodes[parents[cid]]["replies"].append(nodes[cid])
        else:
            roots.append(nodes[cid])
    return roots


def _reaches_top(cid: str, parents: dict[str, str], nodes: dict[str, Any]) -> bool:
    """Whether the comment has a parent among them, and its parents end at a top comment."""
    seen, at = {cid}, parents.get(cid, "")
    if at not in nodes:
        return False
    while at in nodes:
        if at in seen:
            return False
        seen.add(at)
        at = parents.get(at, "")
    return True
