"""`blogarchive history` and `diff`: the archived versions of a post and what changed."""

from __future__ import annotations

from typing import Any

import click

from crawler.archive.errors import ArchiveError
from crawler.archive.model import Post
from search_cli.context import store as _store


def find(key: str) -> Post:
    """The post by id or URL, or one clear line."""
    post = find_post(_store(), key)
    if post is None:
        raise ArchiveError(
            f"No archived post {key!r}. Find ids with: blogarchive search QUERY --json"
        )
    return post


def find_post(store: Any, key: str) -> Post | None:
    """The post by id, or by its URL as a person pastes it: with or without the trailing
    slash, tracking parameters or fragment (http/https and `www.` the id ignores already)."""
    if (post := store.get_post(key)) is not None or "/" not in key:
        return post
    from crawler.parsers.urls import canonical

    url = canonical(key)
    path_end = url.split("?", 1)[0]
    other = url.replace(path_end, path_end[:-1] if path_end.endswith("/") else path_end + "/", 1)
    for candidate in (url, other):
        if (post := store.get_post(candidate)) is not None:
            return post
    return None


@click.command()
@click.argument("key", metavar="ID|URL")
@click.option("--json", "as_json", is_flag=True, help="Write the versions as JSON.")
def history(key: str, as_json: bool) -> None:
    """List every archived version of a post: when it was fetched and what changed.

    Example: blogarchive history https://blog.example/2010/10/kundenbindung/
    """
    from crawler.archive.history import history as versions_of
    from crawler.archive.history import version_dict

    post = find(key)
    listed = list(versions_of(_store().post_versions(post.id)))
    if as_json:
        from search_cli.render import write_json

        write_json(
            {
                "id": post.id,
                "url": post.url,
                "versions": [version_dict(v, c) for v, c in listed],
            }
        )
        return
    from search_cli.render import print_table

    rows = [("version", "fetched", "comments", "what changed")]
    for v, c in listed:
        line = version_dict(v, c)
        fetched = (line["fetched_at"] or "")[:16].replace("T", " ")
        rows.append((str(v.number), fetched, str(line["comments"]), line["summary"]))
    print_table(rows)


@click.command()
@click.argument("key", metavar="ID|URL")
@click.option(
    "--from",
    "start",
    type=click.IntRange(min=1),
    help="Older version (default: the one before --to).",
)
@click.option(
    "--to", "end", type=click.IntRange(min=1), help="Newer version (default: the current one)."
)
@click.option("--full", is_flag=True, help="Print the whole text, not only changed paragraphs.")
@click.option("--json", "as_json", is_flag=True, help="Write the diff as JSON.")
def diff(key: str, start: int | None, end: int | None, full: bool, as_json: bool) -> None:
    """Show what changed between two versions of a post, word by word.

    Added words are green and removed ones red on a terminal; without colour they are
    written {+added+} and [-removed-].

    Example: blogarchive diff https://blog.example/2010/10/kundenbindung/ --from 1 --to 3
    """
    from crawler.archive.history import Version, diff_dict

    post = find(key)
    store = _store()
    last = len(store.versions(post.id))
    end = end or last
    start = start or max(end - 1, 1)
    versions = {}
    for number in (start, end):
        got = store.post_version(post.id, number)
        if got is None:
            raise ArchiveError(f"{post.url} has no version {number}; it has 1 to {last}.")
        versions[number] = Version(number, got)
    data = diff_dict(versions[start], versions[end])
    if as_json:
        from search_cli.render import write_json

        write_json({"id": post.id, "url": post.url, **data})
        return
    print_diff(data, full=full)


def print_diff(data: dict[str, Any], *, full: bool = False) -> None:
    from search_cli.render import console

    out = console()
    color = out.color_system is not None and not out.no_color

    def runs(items: list[list[str]]) -> Any:
        from rich.text import Text

        text = Text()
        for op, piece in items:
            if op == "=":
                text.append(piece)
            elif color:
                text.append(piece, style="green" if op == "+" else "red strike")
            else:
                text.append(f"{{+{piece}+}}" if op == "+" else f"[-{piece}-]")
        return text

    a, b = data["from"], data["to"]
    out.print(f"version {a['version']} ({a['fetched_at']}) → {b['version']} ({b['fetched_at']})")
    out.print(data["summary"], highlight=False)
    out.print()
    for name in ("title", "categories", "tags"):
        if data[name]:
            line = runs([[op, p + (" " if name != "title" else "")] for op, p in data[name]])
            out.print(f"{name.capitalize()}: ", line, sep="", highlight=False)
    from crawler.archive.history import by_paragraph

    paragraphs = by_paragraph([(op, piece) for op, piece in data["text"]])
    skipped = 0
    for paragraph in paragraphs:
        if not full and all(op == "=" for op, _ in paragraph):
            skipped += 1
            continue
        if skipped:
            out.print(f"\n⋯ {skipped} unchanged paragraph{'s' * (skipped != 1)}", style="dim")
            skipped = 0
        out.print()
        out.print(runs([[op, piece] for op, piece in paragraph]), highlight=False)
    if skipped:
        out.print(f"\n⋯ {skipped} unchanged paragraph{'s' * (skipped != 1)}", style="dim")
