"""`blogarchive demo`: the whole pipeline on the bundled sample blog, served on loopback."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.archive.paths import STORE_FILE, index_path

# Each shows one thing the archive does: inflection, ß/ss spelling, comments, English.
EXAMPLES = (
    ("Unternehmens", "an inflected German word finds 'Unternehmen'"),
    ("grösstenteils", "Swiss spelling, ß and ss find each other"),
    ("Bauernbrot", "a word that appears only in a comment"),
    ('"kleinen Laden"', "an exact phrase"),
    ("customers tag:retail", "English stemming and a tag"),
)


def _wipe(archive: Path) -> None:
    """Remove a previous demo archive: only the files an archive consists of."""
    import shutil

    for name in (STORE_FILE, f"{STORE_FILE}-wal", f"{STORE_FILE}-shm"):
        (archive / name).unlink(missing_ok=True)
    shutil.rmtree(index_path(archive), ignore_errors=True)


def run_demo(archive: Path, *, fresh: bool = True) -> None:
    from crawler.archive.store import Store
    from crawler.run import crawl_blog  # pulls in Scrapy and Twisted
    from indexer.search import search
    from indexer.writer import update_index
    from search_cli.render import print_results
    from search_cli.sampleblog.serve import serve_sample_blog

    if fresh:
        _wipe(archive)
    with serve_sample_blog() as site:
        click.echo(f"Serving the sample blog at {site.url} (a folder of static pages)", err=True)
        report = crawl_blog(site.url, archive, progress=sys.stderr.isatty())
    with Store(archive) as store:
        indexed = update_index(archive, store)
        click.echo(
            f"Archived {report.posts_new} new posts and pages with {report.comments_new} comments"
            f" from {report.pages} fetched pages; indexed {indexed}. Archive: {archive}",
            err=True,
        )
        for query, why in EXAMPLES:
            click.echo(f"\n$ blogarchive search '{query}'   # {why}")
            print_results(search(archive, query, limit=3, store=store))
    click.echo(
        f"\nTry your own: blogarchive --archive {archive} search 'newsletter OR flyer'"
        f"\nBrowse it:    blogarchive --archive {archive} serve --open",
        err=True,
    )
