"""Every archived version of a post with what it changed, and a word diff of two."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort

from crawler.archive import history as versions_of
from crawler.archive.history import Version, diff_dict, version_dict
from search_cli.web.posts import load, version_arg
from search_cli.web.room import answer, archive_of, route


def register(app: Flask) -> None:
    route(app, "/post/<pid>/versions", versions)
    route(app, "/post/<pid>/diff", diff)


def versions(pid: str) -> Any:
    row, current = load(pid)
    listed = list(versions_of.history(archive_of().store.post_versions(pid)))
    data = {
        "id": pid,
        "url": current.url,
        "title": current.title,
        "versions": [version_dict(v, c) for v, c in listed],
    }
    return answer("versions.html", data, post=current, listed=listed, current=row["version"])


def diff(pid: str) -> Any:
    row, current = load(pid)
    last = int(row["version"])
    asked_to, asked_from = version_arg("to"), version_arg("from")
    to = last if asked_to is None else asked_to
    start = max(to - 1, 1) if asked_from is None else asked_from
    room = archive_of()
    a, b = room.store.post_version(pid, start), room.store.post_version(pid, to)
    if a is None or b is None:
        missing = start if a is None else to
        abort(404, f"Post {pid} has no version {missing} (it has 1 to {last}).")
    older, newer = Version(start, a), Version(to, b)
    # Two archived versions never change, nor does their diff.
    compared = room.lasting(("diff", pid, start, to), lambda: diff_dict(older, newer))
    data = {"id": pid, "url": current.url, **compared}
    return answer(
        "diff.html",
        data,
        post=current,
        older=older,
        newer=newer,
        last=last,
    )
