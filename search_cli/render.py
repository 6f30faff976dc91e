"""How results look: readable text for people (colour on a terminal), JSON for programs."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import orjson

from crawler.archive.model import Post, iso


def console(stderr: bool = False) -> Any:
    """Colour on a terminal unless NO_COLOR is set (no-color.org) or `--color` says
    otherwise; on a terminal, long lines wrap at its width between words, and piped output
    keeps one line a line."""
    import click
    from rich.console import Console

    ctx = click.get_current_context(silent=True)
    choice = ctx.find_root().meta.get("color", "auto") if ctx else "auto"
    file = sys.stderr if stderr else sys.stdout
    colour: dict[str, Any] = {}
    if choice == "always":
        colour = {"force_terminal": True, "no_color": False}
    elif choice == "never":
        colour = {"no_color": True, "color_system": None}
    terminal = choice == "always" or file.isatty()
    # No markup: queries, titles and tags are the user's and the blogs' words, and rich would
    # take "[a TO]" or a tag "[Update]" for a style and drop it.
    return Console(file=file, highlight=False, soft_wrap=not terminal, markup=False, **colour)


def print_table(rows: list[tuple[str, ...]]) -> None:
    """Rows in columns that line up (the first row the header); the last column runs on."""
    import click

    widths = [max(len(cells[i]) for cells in rows) for i in range(len(rows[0]) - 1)]
    for cells in rows:
        padded = [c.ljust(w) for c, w in zip(cells, widths, strict=False)]
        click.echo("  ".join([*padded, cells[-1]]))


def write_json(data: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else "undated"


def result_json(result: Any) -> dict[str, Any]:
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "limit": result.limit,
        "suggestion": result.suggestion,
        "facets": {k: [{"value": v, "count": n} for v, n in vs] for k, vs in result.facets.items()},
        "hits": [
            {
                "rank": h.rank,
                "id": h.id,
                "url": h.url,
                "title": h.title,
                "published": iso(h.published),
                "author": h.author,
                "site": h.site,
                "score": h.score,
                "matched_in": list(h.matched_in),
                "highlights": [
                    {
                        "field": x.field,
                        "fragment": x.fragment,
                        "marks": [list(m) for m in x.marks],
                        **(
                            {
                                "comment_id": x.comment_id,
                                "comment_author": x.comment_author,
                                "comment_published": iso(x.comment_published),
                            }
                            if x.field == "comment"
                            else {}
                        ),
                    }
                    for x in h.highlights
                ],
            }
            for h in result.hits
        ],
    }


def print_results(result: Any) -> None:
    from rich.text import Text

    out = console()
    if not result.hits and result.total:
        last = -(-result.total // result.limit)
        out.print(
            f"No more results: {result.total} posts match, on {last} pages of {result.limit}."
        )
        return
    if not result.hits:
        out.print(f"No posts match {result.query!r}.")
        if result.suggestion:
            out.print(f"Did you mean: {result.suggestion}?")
        return
    for name, values in result.facets.items():
        shown = ", ".join(f"{v} ({n})" for v, n in values[:12])
        out.print(Text(f"{name}: {shown or '—'}", style="dim"))
    first = (result.page - 1) * result.limit + 1
    matches = "1 post matches" if result.total == 1 else f"{result.total} posts match"
    out.print(f"{matches} {result.query!r} (showing {first}–{first + len(result.hits) - 1}):")
    for h in result.hits:
        out.print()
        head = Text(f"{h.rank:>3}. ")
        head.append(h.title, style="bold")
        head.append(f"  {h.id}", style="dim")  # for `blogarchive show ID`
        out.print(head)
        out.print(
            Text(
                f"     {_day(h.published)} · {h.author or 'unknown author'} · {h.url}", style="dim"
            )
        )
        for x in h.highlights:
            snippet = Text("     ")
            if x.field == "comment":
                snippet.append(
                    f"[comment by {x.comment_author or 'anonymous'}, {_day(x.comment_published)}] ",
                    style="cyan",
                )
            offset = len(snippet)
            snippet.append("…" + " ".join(x.fragment.split()) + "…")
            # Spans refer to the fragment; folding white space shifts them, so map by words.
            _style_marks(snippet, offset + 1, x.fragment, x.marks)
            out.print(snippet)


def _style_marks(text: Any, offset: int, fragment: str, marks: tuple[tuple[int, int], ...]) -> None:
    folded_pos = []
    pos = 0
    prev_space = False
    for ch in fragment.strip():
        space = ch.isspace()
        if not (space and prev_space):
            pos += 1
        folded_pos.append(pos - 1)
        prev_space = space
    lead = len(fragment) - len(fragment.lstrip())
    for start, end in marks:
        s, e = start - lead, end - lead - 1
        if 0 <= s < len(folded_pos) and 0 <= e < len(folded_pos):
            text.stylize("bold yellow", offset + folded_pos[s], offset + folded_pos[e] + 1)


def print_post(post: Post) -> None:
    from rich.text import Text

    out = console()
    out.print(Text(post.title, style="bold"))
    out.print(
        Text(
            f"{_day(post.published)} · {post.author or 'unknown author'} · {post.url}", style="dim"
        )
    )
    if post.categories:
        out.print(Text("Categories: " + ", ".join(post.categories), style="dim"))
    if post.tags:
        out.print(Text("Tags: " + ", ".join(post.tags), style="dim"))
    out.print()
    out.print(Text(post.text))
    if not post.comments:
        return
    out.print()
    out.print(Text(f"{len(post.comments)} comments", style="bold"))
    from crawler.archive.browse import thread

    for threaded in thread(post.comments):  # replies after what they answer, indented
        c = threaded.comment
        pad = "    " * threaded.depth
        kind = "" if c.type == "comment" else f" ({c.type})"
        out.print()
        out.print(Text(f"{pad}{c.author or 'anonymous'}{kind} · {_day(c.published)}", style="cyan"))
        for line in c.text.splitlines():
            out.print(Text(f"{pad}{line}"))


def print_media(images: list[Any]) -> None:
    """A post's images: which are archived (hash, type, size) and which are not."""
    if not images:
        return
    from rich.text import Text

    out = console()
    kept = sum(1 for i in images if i.sha256)
    out.print()
    out.print(Text(f"{kept} of {len(images)} images archived", style="bold"))
    for image in images:
        if image.sha256:
            size = f" {image.width}×{image.height}" if image.width else ""
            what = f"{image.sha256[:12]} {image.type}{size}, {image.size / 1000:.1f} kB"
        else:
            what = f"not archived ({image.error or 'not fetched'})"
        role = "" if image.role == "body" else f" ({image.role})"
        out.print(Text(f"  {image.url}{role}: {what}", style="dim" if not image.sha256 else ""))


def print_stats(stats: dict[str, Any], index_bytes: int) -> None:
    from rich.text import Text

    out = console()
    out.print(
        f"{stats['posts']} posts, {stats['pages']} pages, {stats['comments']} comments,"
        f" {stats['versions']} versions; index {index_bytes / 1e6:.1f} MB"
        + (f" ({stats['pending_index']} posts not yet indexed)" if stats["pending_index"] else "")
    )
    if stats.get("media_files"):
        out.print(f"{stats['media_files']} image files, {stats['media_bytes'] / 1e6:.1f} MB")
    for site in stats["sites"]:
        images = (
            f", {site['media_files']} images ({site['media_bytes'] / 1e6:.1f} MB)"
            if site.get("media_files")
            else ""
        )
        out.print(f"  {site['url']}: {site['posts']} posts and pages{images}")
    years = stats["years"]
    if years:
        out.print("\nPosts per year:")
        top = max(years.values())
        for year, n in years.items():
            out.print(Text(f"  {year} {'█' * max(1, round(30 * n / top))} {n}"))
    if stats.get("top_tags"):
        out.print("\nTop tags: " + ", ".join(f"{t} ({n})" for t, n in stats["top_tags"]))
    if last := stats["last_crawl"]:
        out.print(
            f"\nLast crawl: {last['site']} {last['started']} → {last['ended'] or 'running'}"
            f" ({last['status']}): {last['pages']} pages, {last['posts_new']} new and"
            f" {last['posts_updated']} updated posts, {last['comments_new']} new comments"
        )
