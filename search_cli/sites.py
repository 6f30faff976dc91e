"""`blogarchive sites`: the blogs of an archive, listed, renamed, merged and removed."""

from __future__ import annotations

from typing import Any

import click

from crawler.archive.errors import ArchiveError
from search_cli.context import archive, open_store


@click.group()
def sites() -> None:
    """The blogs in the archive: list, rename, merge, remove.

    Example: blogarchive sites list
    """


@sites.command("list")
@click.option("--json", "as_json", is_flag=True, help="Write the blogs as JSON.")
def list_(as_json: bool) -> None:
    """Each blog with its posts, comments, last crawl and how that crawl ended.

    Example: blogarchive sites list --json
    """
    with open_store(create=False) as store:
        rows = store.site_summaries()
    if as_json:
        from search_cli.render import write_json

        write_json(rows)
        return
    if not rows:
        click.echo("No blogs yet. Example: blogarchive crawl https://blog.example/")
        return
    table = [("BLOG", "POSTS", "COMMENTS", "LAST CRAWL", "OUTCOME")]
    for row in rows:
        last = (row["last_crawl"] or "never")[:16].replace("T", " ")
        outcome = row["outcome"] or "-"
        if row["reason"]:
            outcome += f" ({row['reason']})"
        table.append((row["url"], str(row["posts"]), str(row["comments"]), last, outcome))
    from search_cli.render import print_table

    print_table(table)


@sites.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
def rename(old: str, new: str) -> None:
    """A blog that moved to a new address: its posts' URLs rewritten, every version kept.

    Example: blogarchive sites rename https://old.example/ https://new.example/
    """
    from crawler.parsers.urls import check_url

    source, target = _known(old), check_url(new)
    with _changing() as store:
        moved = store.rename_site(source, target)
    click.echo(f"Renamed {source} to {target}: {moved} posts, each with a new version.", err=True)


@sites.command()
@click.argument("source", metavar="A")
@click.argument("target", metavar="B")
def merge(source: str, target: str) -> None:
    """File the posts and crawls of blog A under blog B (A is then gone).

    Example: blogarchive sites merge http://blog.example/ https://blog.example/
    """
    a, b = _known(source), _known(target)
    if a == b:
        raise ArchiveError(f"{source} and {target} are one blog already.")
    with _changing() as store:
        moved = store.merge_sites(a, b)
    click.echo(f"Merged {a} into {b}: {moved} posts.", err=True)


@sites.command()
@click.argument("url", metavar="URL")
@click.option("--yes", is_flag=True, help="Do not ask before removing.")
def remove(url: str, yes: bool) -> None:
    """Remove a blog and everything archived of it from the store and the index.

    Example: blogarchive sites remove https://blog.example/ --yes
    """
    site = _known(url)
    if not yes:
        click.confirm(
            f"Remove {site} with every post, version and comment archived of it?",
            abort=True,
            err=True,
        )
    with _changing() as store:
        removed = store.remove_site(site)
    click.echo(f"Removed {site}: {len(removed)} posts.", err=True)


def _known(url: str) -> str:
    """The archived blog a URL names (as `crawl` would resolve it), or a one-line error."""
    from crawler.parsers.urls import check_url
    from crawler.sites import site_key

    wanted = site_key(check_url(url))
    with open_store(create=False) as store:
        known = store.site_urls()
    for site in known:
        if site_key(site) == wanted:
            return site
    raise ArchiveError(f"No blog {url} in the archive. See: blogarchive sites list")


class _changing:
    """The archive held against crawls while a change is made, the index rebuilt after."""

    def __enter__(self) -> Any:
        from crawler.archive.lock import crawl_lock

        self.lock = crawl_lock(archive())
        self.lock.__enter__()
        self.store = open_store(create=False)
        return self.store

    def __exit__(self, kind: object, *rest: object) -> None:
        try:
            if kind is None:
                _reindex(self.store)
        finally:
            self.store.close()
            self.lock.__exit__(None, None, None)


def _reindex(store: Any) -> None:
    """The index made anew from the store: ids, URLs and sites have changed."""
    import shutil

    from crawler.archive.paths import index_path
    from indexer.writer import rebuild_index

    if store.post_count():
        rebuild_index(archive(), store=store)
    else:
        shutil.rmtree(index_path(archive()), ignore_errors=True)
