"""`blogarchive export`: the archive, or what a query selects, in the format another tool reads."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from search_cli.context import archive, current_index, store
from search_cli.options import filter_options, make_filters

FORMATS = {
    "jsonl": "one post per line, export schema (default)",
    "json": "one JSON array of posts",
    "wxr": "WordPress eXtended RSS 1.2, for Tools → Import → WordPress",
    "hugo": "a Hugo site folder: Markdown page bundles, comments as data, a minimal theme",
    "csv": "posts.csv and comments.csv in a folder (or one of them with --table)",
    "atom": "one Atom feed with each post's full text",
}
FOLDER_FORMATS = ("hugo", "csv")


@click.command()
@click.argument("query", required=False)
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="jsonl",
    show_default=True,
    help="; ".join(f"{name}: {what}" for name, what in FORMATS.items()) + ".",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(allow_dash=True, path_type=Path),
    help="Write to this file (folder for hugo and csv), whole or not at all; - is stdout.",
)
@click.option(
    "--table",
    type=click.Choice(["posts", "comments"]),
    help="With --format csv: just this table, to --output FILE or stdout.",
)
@click.option("--no-clobber", is_flag=True, help="Refuse to replace an existing --output.")
@click.option(
    "--with-media",
    "media_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="json/jsonl: write the posts' archived images to DIR and point their HTML at them.",
)
def export(
    query: str | None,
    fmt: str,
    output: Path | None,
    table: str | None,
    no_clobber: bool,
    media_dir: Path | None,
    **filters: Any,
) -> None:
    """Export whole posts with their comments, in the format another tool reads.

    Without QUERY (and filters) the whole archive; with one, every post that matches.
    JSON follows shared post.schema.json; each post lists its images in `media`, and
    `--with-media DIR` also writes the files (hugo puts them in its page bundles).

    Example: blogarchive export 'tag:newsletter' --format json -o newsletter.json

    \b
    More:
      blogarchive export --site https://blog.example/ --format wxr -o blog.wxr
      blogarchive export --format hugo -o site/ && (cd site && hugo)
      blogarchive export --format csv -o tables/
      blogarchive export --format csv --table comments > comments.csv
      blogarchive export 'Kundenbindung' --format atom -o kundenbindung.atom
    """
    to_stdout = output is None or str(output) == "-"
    _check_options(fmt, table, media_dir, to_stdout)
    db = store()
    blobs = db.export_blobs(_selection(query, filters))
    if fmt in ("jsonl", "json"):
        count, media = _json(db, blobs, fmt, None if to_stdout else output, no_clobber, media_dir)
        click.echo(f"Exported {count} posts{media}.", err=True)
        return
    if fmt == "hugo" or (fmt == "csv" and table is None):
        assert output is not None
        said = _folder(db, _records(blobs), fmt, output, no_clobber)
    else:
        said = _file(blobs, fmt, table, None if to_stdout else output, no_clobber)
    click.echo(f"Exported {said}.", err=True)


def _check_options(fmt: str, table: str | None, media_dir: Path | None, to_stdout: bool) -> None:
    if table and fmt != "csv":
        raise click.BadParameter("only with --format csv.", param_hint="--table")
    if media_dir is not None and fmt not in ("jsonl", "json"):
        why = "hugo puts the images in its page bundles" if fmt == "hugo" else "json and jsonl"
        raise click.BadParameter(f"only with {why}.", param_hint="--with-media")
    if to_stdout and (fmt == "hugo" or (fmt == "csv" and not table)):
        what = "a folder" if fmt == "hugo" else "a folder (or give --table for one table)"
        raise click.BadParameter(f"--format {fmt} writes {what}: give -o DIR.", param_hint="-o")


def _selection(query: str | None, filters: dict[str, Any]) -> list[str] | None:
    if not query and not any(filters.values()):
        return None
    from indexer.search import search_ids

    flt = make_filters(filters)
    return list(current_index(lambda: search_ids(archive(), query or "*", filters=flt)))


def _records(blobs: Iterator[bytes]) -> Iterator[dict[str, Any]]:
    import orjson

    for blob in blobs:
        yield orjson.loads(blob)


def _json(
    db: Any,
    blobs: Iterator[bytes],
    fmt: str,
    output: Path | None,
    no_clobber: bool,
    media_dir: Path | None,
) -> tuple[int, str]:
    from crawler.archive.formats import atomic_output
    from crawler.archive.formats.jsonl import write_posts

    folder = None
    if media_dir is not None:
        from crawler.archive.formats.media_files import MediaFolder

        folder = MediaFolder(db, media_dir, Path.cwd() if output is None else output.parent)
        blobs = folder.posts(blobs)
    if output is None:
        count = write_posts(sys.stdout.buffer, blobs, fmt)
    else:
        with atomic_output(output, clobber=not no_clobber) as out:
            count = write_posts(out, blobs, fmt)
    return count, f" and {folder.files} new image files to {media_dir}" if folder else ""


def _file(
    blobs: Iterator[bytes],
    fmt: str,
    table: str | None,
    output: Path | None,
    no_clobber: bool,
) -> str:
    """wxr, atom or one csv table, to a file or stdout."""
    from contextlib import nullcontext

    from crawler.archive.formats import atomic_output

    target = (
        nullcontext(sys.stdout.buffer)
        if output is None
        else atomic_output(output, clobber=not no_clobber)
    )
    with target as out:
        if fmt == "wxr":
            from crawler.archive.formats.wxr import write_wxr

            return f"{write_wxr(out, blobs)} posts as WXR"
        if fmt == "atom":
            from crawler.archive.formats.atom import write_atom

            return f"{write_atom(out, blobs)} posts as an Atom feed"
        from crawler.archive.formats.tables import write_tables

        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        rows = write_tables(_records(blobs), {table: text})  # type: ignore[dict-item]
        text.detach()
        return f"{rows[table]} rows of {table}"  # type: ignore[index]


def _folder(
    db: Any, records: Iterator[dict[str, Any]], fmt: str, output: Path, no_clobber: bool
) -> str:
    from crawler.archive.formats import atomic_directory

    with atomic_directory(output, clobber=not no_clobber) as folder:
        if fmt == "hugo":
            from crawler.archive.formats.hugo import HugoSite

            site = HugoSite(db, folder)
            site.write(records)
            return (
                f"{site.posts} posts, {site.comments} comments and {site.images} images"
                f" as a Hugo site in {output} (build it: cd {output} && hugo)"
            )
        from crawler.archive.formats.tables import TABLES, write_tables

        files = {
            name: (folder / f"{name}.csv").open("w", encoding="utf-8", newline="")
            for name in TABLES
        }
        try:
            rows = write_tables(records, files)
        finally:
            for f in files.values():
                f.close()
        return f"{rows['posts']} posts and {rows['comments']} comments as CSV in {output}"
