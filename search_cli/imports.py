"""`import-wxr` and `import-disqus`: archives from the platforms' own export files."""

from __future__ import annotations

from pathlib import Path

import click

from search_cli.context import archive, open_store

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _well_formed(path: Path, root: str, what: str, depth: int) -> None:
    """Read the whole file once before the archive is touched: a file that is not XML, is
    of another kind or is cut short is refused with the archive (or its absence) as it was."""
    from crawler.imports.xmlfile import elements

    for _ in elements(path, root, what, depth):
        pass


@click.command("import-wxr")
@click.argument("file", type=FILE)
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Also drafts, pending, scheduled and private posts, and protected posts' text.",
)
@click.option("--json", "as_json", is_flag=True, help="Write the figures as JSON.")
def import_wxr(file: Path, include_all: bool, as_json: bool) -> None:
    """Build or extend the archive from a WordPress export file (WXR).

    The file WordPress writes in Tools → Export: its posts and pages with authors, dates,
    categories, tags and approved comments with their threads, as a crawl of the live blog
    would archive them. The blog is the file's channel link.

    Example: blogarchive import-wxr werkstatt.WordPress.2026-12-04.xml
    """
    from crawler.archive.lock import crawl_lock
    from crawler.imports.wxr import check_wxr
    from crawler.imports.wxr import import_wxr as run
    from indexer.writer import update_index

    check_wxr(file)  # the whole file, before the archive is touched
    with crawl_lock(archive()), open_store(create=True) as db:
        result = run(db, file, include_all)
        changed = result.new + result.updated
        indexed = update_index(archive(), db) if changed else 0
    figures = {
        "site": result.site,
        "posts_new": result.new,
        "posts_updated": result.updated,
        "posts_unchanged": result.unchanged,
        "comments": result.comments,
        "left_out": result.left_out,
        "indexed": indexed,
    }
    if as_json:
        from search_cli.render import write_json

        write_json(figures)
        return
    left = ", ".join(f"{n} {why}" for why, n in result.left_out.items()) or "nothing"
    click.echo(
        f"Imported {file} ({result.site}): {result.new} new, {result.updated} updated,"
        f" {result.unchanged} unchanged posts with {result.comments} comments;"
        f" left out {left}; {indexed} indexed.",
        err=True,
    )


@click.command("import-disqus")
@click.argument("file", type=FILE)
@click.option("--site", metavar="URL", required=True, help="The blog the comments belong to.")
@click.option("--json", "as_json", is_flag=True, help="Write the figures as JSON.")
def import_disqus(file: Path, site: str, as_json: bool) -> None:
    """Add the comments of a Disqus export to the archived posts they belong to.

    Each Disqus thread is matched to the archived post at its link (on --site, where the
    link names another host); that post gets a new version with the Disqus comments,
    threaded, and its comments complete. Deleted and spam comments stay out; threads of
    posts that are not archived are listed, not imported.

    Example: blogarchive import-disqus werkstatt-disqus.xml --site https://blog.example/
    """
    from crawler.archive.lock import crawl_lock
    from crawler.imports.disqus import import_disqus as run
    from crawler.parsers.urls import check_url
    from indexer.writer import update_index

    site = check_url(site)
    _well_formed(file, "{http://disqus.com}disqus", "Disqus export", 1)
    with crawl_lock(archive()), open_store() as db:
        result = run(db, file, site)
        indexed = update_index(archive(), db) if result.posts_updated else 0
    if as_json:
        from search_cli.render import write_json

        write_json(
            {
                "threads": result.threads,
                "posts_updated": result.posts_updated,
                "posts_unchanged": result.posts_unchanged,
                "comments": result.comments,
                "dropped": result.dropped,
                "not_archived": result.not_archived,
                "indexed": indexed,
            }
        )
        return
    for link in result.not_archived[:20]:
        click.echo(f"Not in the archive: {link}", err=True)
    more = len(result.not_archived) - 20
    if more > 0:
        click.echo(f"… and {more} more threads of posts not in the archive.", err=True)
    click.echo(
        f"Imported {file}: {result.comments} comments on {result.posts_updated} posts"
        f" ({result.posts_unchanged} unchanged), {result.dropped} deleted or spam left out,"
        f" {len(result.not_archived)} threads of posts not in the archive; {indexed} indexed.",
        err=True,
    )
