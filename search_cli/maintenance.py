"""Commands that look after an archive: `check` and `import`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.errors import ArchiveError
from search_cli.context import archive, store


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Write the findings as JSON.")
def check(as_json: bool) -> None:
    """Verify the archive store and the search index against each other.

    Exits 1 when something is wrong; `blogarchive reindex` repairs the index.

    Example: blogarchive check
    """
    from indexer.check import check_archive

    result = check_archive(archive())
    if as_json:
        from search_cli.render import write_json

        write_json({"posts": result.posts, "indexed": result.indexed, "problems": result.problems})
    elif result.ok:
        click.echo(f"OK: {result.posts} posts in the store, all indexed.")
    else:
        for problem in result.problems:
            click.echo(f"Problem: {problem}.", err=True)
        click.echo("Repair the index with: blogarchive reindex", err=True)
    if not result.ok:
        sys.exit(1)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Add the posts of an export file (JSON lines or JSON array) to the archive.

    Posts already archived become a new version only if they differ. Records that are
    not posts are skipped and named; the command then exits 1.

    Example: blogarchive export -o all.jsonl && blogarchive --archive copy import all.jsonl
    """
    from crawler.importer import import_posts
    from crawler.lock import crawl_lock
    from indexer.writer import update_index

    with crawl_lock(archive()), store(create=True) as db:
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
