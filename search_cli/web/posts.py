"""A post with its comment thread, and the archived raw page exactly as it was fetched."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, jsonify, render_template, request, url_for

from crawler.archive import browse
from crawler.archive.model import Post
from search_cli.web.content import post_html
from search_cli.web.room import RAW_CSP, answer, archive_of, route, wants_json


def register(app: Flask) -> None:
    route(app, "/post/<pid>", post)
    app.add_url_rule("/post/<pid>/raw", "raw", raw)
    app.add_url_rule("/post/<pid>/raw.json", "raw_json", raw)
    app.add_url_rule("/post/<pid>/raw/view", "raw_view", raw_view)


def version_arg(name: str = "v") -> int | None:
    """A version number from the query string (None when not given); anything but a
    number is a page that is not there."""
    value = request.args.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        abort(404, f"No version {value!r}: versions are numbered 1, 2, …")
    return int(value)


def load(pid: str, version: int | None = None) -> tuple[dict[str, Any], Post]:
    """The archive's record of the post and the asked version (the current one by default);
    404 when either is not in the archive."""
    store = archive_of().store
    row = browse.post_row(store, pid)
    if row is None:
        abort(404, f"No post {pid} in this archive.")
    post = store.post_version(pid, version) if version else store.get_post(pid)
    if post is None:
        abort(404, f"Post {pid} has no version {version} (it has {row['version']}).")
    return row, post


def post(pid: str) -> Any:
    version = version_arg()
    row, shown = load(pid, version)
    number = version or row["version"]
    images = archive_of().store.media.of_post(pid, number)
    local = {i.url: url_for("media", sha=i.sha256) for i in images if i.sha256}
    data = {
        **shown.to_dict(),
        "media": [i.to_dict() | {"local": local.get(i.url)} for i in images],
        "version": number,
        "versions": row["version"],
        "status": row["status"],
        "first_seen": row["first_seen"],
        "last_seen": row["last_seen"],
        "site_id": row["site_id"],
        "thread": [{"id": t.comment.id, "depth": t.depth} for t in browse.thread(shown.comments)],
    }
    if wants_json():
        return answer("post.html", data)
    # The page is made of the version (never rewritten), the post's record and its images:
    # rendered once for each state of the three.
    # Images arrive after their post: how many are archived is part of the state.
    key = ("post", pid, number, row["version"], row["status"], row["last_seen"][:10], len(local))
    return archive_of().lasting(
        key,
        lambda: render_template(
            "post.html",
            **data,
            post=shown,
            lang=shown.language or "en",
            body=post_html(shown, local),
            featured=[i for i in images if i.role == "featured" and i.url in local],
            comment_images=[i for i in images if i.role == "comment" and i.url in local],
            local=local,
            threaded=browse.thread(shown.comments),
            raw_url=url_for("raw_view", pid=pid, v=number),
        ),
    )


def raw(pid: str) -> Any:
    """The archived bytes of one page of the post (page 0, or a comment page), served in a
    sandbox: no script of it runs, nothing off this server is fetched. `.json`: the list."""
    version = version_arg()
    row, _ = load(pid, version)
    pages = archive_of().store.raw_pages(pid, version)
    if request.path.endswith(".json"):
        return jsonify(
            {
                "id": pid,
                "version": version or row["version"],
                "pages": [
                    {
                        "url": p.url,
                        "page_no": p.page_no,
                        "content_type": p.content_type,
                        "bytes": len(p.body),
                        "raw": url_for("raw", pid=pid, v=version or row["version"], page=i),
                    }
                    for i, p in enumerate(pages)
                ],
            }
        )
    index = request.args.get("page", 0, type=int) or 0
    if not pages:
        abort(404, f"The raw page of version {version or row['version']} was not kept.")
    if not 0 <= index < len(pages):
        abort(404, f"Post {pid} has {len(pages)} archived pages.")
    page = pages[index]
    response = Response(page.body, content_type=page.content_type or "text/html")
    response.headers["Content-Security-Policy"] = RAW_CSP
    response.headers["Content-Disposition"] = "inline"
    return response


def raw_view(pid: str) -> Any:
    """The raw page inside a sandboxed frame, with what it is above it."""
    version = version_arg()
    row, shown = load(pid, version)
    number = version or row["version"]
    pages = archive_of().store.raw_pages(pid, number)
    index = request.args.get("page", 0, type=int) or 0
    return answer(
        "raw.html",
        {"id": pid, "version": number},
        post=shown,
        pages=pages,
        index=index if 0 <= index < len(pages) else 0,
        frame=lambda i: url_for("raw", pid=pid, v=number, page=i),
        view=lambda i: url_for("raw_view", pid=pid, v=number, page=i),
    )
