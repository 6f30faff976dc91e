"""Commands that look after an archive: `check`, `import` and `import-warc`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.archive.errors import ArchiveError
from search_cli.context import archive, open_store


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Write the findings as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 also when posts wait to be indexed.")
def check(as_json: bool, strict: bool) -> None:
    """Verify the archive store and the search index against each other.

    Damage (an unreadable store or index, posts missing from the index) exits 1, and
    `blogarchive reindex` repairs the index. Posts archived since the index was written
    are pending, not damage: the next search or crawl indexes them (exit 0; 1 with
    --strict).

    Example: blogarchive check
    """
    from indexer.check import check_archive

    result = check_archive(archive())
    if as_json:
        from search_cli.render import write_json

        write_json(
            {
                "posts": result.posts,
                "indexed": result.indexed,
                "pending": result.pending,
                "problems": result.problems + result.media_problems,
                "media_files": result.media_files,
            }
        )
    elif result.ok:
        click.echo(
            f"OK: {result.posts} posts in the store, {result.indexed} indexed,"
            f" {result.media_files} image files whole."
        )
    else:
        for problem in result.problems + result.media_problems:
            click.echo(f"Problem: {problem}.", err=True)
        if result.problems:
            click.echo("Repair the index with: blogarchive reindex", err=True)
    if result.pending and not as_json:
        click.echo(
            f"Pending: {result.pending} posts changed since they were indexed; the next"
            " search or crawl indexes them.",
            err=True,
        )
    if not result.ok or (strict and result.pending):
        sys.exit(1)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Add the posts of an export file (JSON lines or JSON array) to the archive.

    Posts already archived become a new version only if they differ. Records that are
    not posts are skipped and named; the command then exits 1.

    Example: blogarchive export -o all.jsonl && blogarchive --archive copy import all.jsonl
    """
    from crawler.archive.formats.jsonl import import_posts
    from crawler.archive.lock import crawl_lock
    from indexer.writer import update_index

    with crawl_lock(archive()), open_store(create=True) as db:
        result = import_posts(db, file)
        indexed = update_index(archive(), db) if result.new + result.updated else 0
    for line in result.skipped[:20]:
        click.echo(f"Skipped {line}", err=True)
    click.echo(
        f"Imported {file}: {result.new} new, {result.updated} updated,"
        f" {result.unchanged} unchanged, {len(result.skipped)} skipped; {indexed} indexed.",
        err=True,
    )
    if result.skipped:
        if not result.new + result.updated + result.unchanged:
            raise ArchiveError(f"{file} holds no posts blogarchive can read.")
        sys.exit(1)


@click.command("import-warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--site", metavar="URL", help="The blog's home URL (default: each host's root).")
@click.option("--json", "as_json", is_flag=True, help="Write the figures as JSON.")
def import_warc(files: tuple[Path, ...], site: str | None, as_json: bool) -> None:
    """Build or extend the archive from WARC files, without crawling.

    Takes WARC files (.warc or .warc.gz) or folders of them, from `crawl --warc` or any
    other crawler (Heritrix, wget --warc-file, Browsertrix). Every captured HTML page is
    parsed as a crawl would; a post's comment pages are merged when they were captured.

    Example: blogarchive import-warc captures/*.warc.gz --site https://blog.example/
    """
    from crawler.archive.lock import crawl_lock
    from crawler.warc.importer import import_warcs
    from indexer.writer import update_index

    paths: list[Path] = []
    for path in files:
        if path.is_dir():
            paths += sorted(p for p in path.iterdir() if p.name.endswith((".warc", ".warc.gz")))
        else:
            paths.append(path)
    if not paths:
        raise ArchiveError(f"No .warc or .warc.gz files in {', '.join(map(str, files))}.")
    with crawl_lock(archive()), open_store(create=True) as db:
        result = import_warcs(db, paths, site)
        changed = result.posts_new + result.posts_updated
        indexed = update_index(archive(), db) if changed else 0
    figures = {
        "files": len(paths),
        "responses": result.responses,
        "posts_new": result.posts_new,
        "posts_updated": result.posts_updated,
        "posts_unchanged": result.posts_unchanged,
        "comments_new": result.comments_new,
        "media_linked": result.media_linked,
        "media_new": result.media_new,
        "skipped": result.skipped,
        "indexed": indexed,
    }
    if as_json:
        from search_cli.render import write_json

        write_json(figures)
    else:
        skipped = ", ".join(f"{n}× {why}" for why, n in result.skipped.items()) or "none"
        click.echo(
            f"Imported {len(paths)} WARC files ({result.responses} responses): "
            f"{result.posts_new} new posts, {result.posts_updated} updated, "
            f"{result.posts_unchanged} unchanged, {result.comments_new} new comments,"
            f" {result.media_linked} images ({result.media_new} new files); "
            f"skipped: {skipped}; {indexed} indexed.",
            err=True,
        )
    if not (changed + result.posts_unchanged):
        raise ArchiveError("The WARC files hold no blog post blogarchive can read.")
