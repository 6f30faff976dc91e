"""The `blogarchive` command line.

Start-up stays light: Scrapy and Twisted are imported only by `crawl` and `demo`, Whoosh
only by the commands that touch the index.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from crawler.archive.errors import ArchiveError, QueryError
from crawler.archive.paths import ENV_VAR, archive_dir, index_path
from search_cli.context import archive as _archive
from search_cli.context import current_index as _current_index
from search_cli.context import store as _store
from search_cli.exits import crawl_exit_code
from search_cli.options import (
    check_size,
    crawl_options,
    filter_options,
    make_filters,
    search_options,
)


class BadQuery(click.ClickException):
    """A query or option we cannot read is a usage error: one line, exit code 2."""

    exit_code = 2


class Cli(click.Group):
    """Turns our errors into one line and exit code 1; --debug shows the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QueryError as exc:
            if ctx.meta.get("debug"):
                raise
            raise BadQuery(str(exc)) from exc
        except click.UsageError as exc:  # a wrong option: one line, not Click's usage block
            where = exc.ctx.command_path if exc.ctx else "blogarchive"
            message = exc.format_message().rstrip(".")
            if isinstance(exc, click.NoSuchOption) and where.endswith((" search", " export")):
                # `search -kunden`: click takes the query for options
                message += (
                    f". A query starting with '-' goes after '--' ({where} -- '-kunden');"
                    " to leave a word out, write NOT kunden"
                )
            raise BadQuery(f"{message}. See: {where} --help") from exc
        except ArchiveError as exc:
            if ctx.meta.get("debug"):
                raise
            raise click.ClickException(str(exc)) from exc
        except BrokenPipeError:  # `blogarchive export | head`: the reader has had enough
            sys.stderr.close()
            ctx.exit(0)
        except OSError as exc:  # an unwritable -o path, a full disk, a vanished folder
            if ctx.meta.get("debug"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from exc
        except KeyboardInterrupt:
            click.echo("Interrupted; everything archived so far is kept.", err=True)
            ctx.exit(130)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--archive",
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive folder (default: $BLOGARCHIVE_ARCHIVE or the user data folder).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and Scrapy's log.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in the output; auto: on a terminal, unless NO_COLOR is set.",
)
@click.version_option(package_name="blogarchive")
@click.pass_context
def cli(ctx: click.Context, archive: Path | None, debug: bool, color: str) -> None:
    """Archive whole blogs (posts, tags, threaded comments) and search them offline.

    Example: blogarchive crawl https://blog.example/ && blogarchive search kundenbindung
    """
    ctx.meta["debug"] = debug
    ctx.meta["color"] = color
    ctx.obj = archive_dir(archive)


@cli.command()
@click.argument("urls", metavar="[URL]...", nargs=-1)
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Crawl every blog this file names (one URL a line, or TOML with options per blog).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Write the crawl report as JSON to stdout (an array of them for several blogs).",
)
@crawl_options
@click.option(
    "--only",
    is_flag=True,
    help="Archive just the page each URL names (a post with all its comment pages).",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="redis://HOST:PORT/N",
    help="Share the frontier with `blogarchive worker` processes through this Redis database.",
)
@click.option(
    "--warc",
    "warc_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write every request and response to WARC files in this folder.",
)
def crawl(
    urls: tuple[str, ...],
    sites_file: Path | None,
    as_json: bool,
    only: bool,
    redis_url: str | None,
    warc_dir: Path | None,
    **options: Any,
) -> None:
    """Crawl blogs into the archive, then update the search index.

    A first crawl archives every post; later crawls fetch only what is new or changed
    (new posts, new comments, edits) and mark posts that now answer 404 or 410 as gone.
    Sitemaps, the feed and WordPress's REST API say what to fetch; listing pages are
    followed only when those lists are missing or disagree. A crawl that ended short
    (killed, Ctrl-C, a page cap) says so and the next one resumes where it stopped; what
    was archived stays and is searchable. Exit: 0 finished, 1 failed, 3 capped, 130 or 143
    interrupted (SIGINT, SIGTERM).

    Several blogs (as URLs or with --sites) are crawled side by side. With --redis, any
    number of `blogarchive worker` processes, on any machines, fetch and parse pages for
    this crawl; this process plans, fetches too, and writes the one archive.

    Example: blogarchive crawl https://blog.example/ --delay 1 --contact me@example.org
    """
    specs, settings = _crawl_plan(urls, sites_file, warc_dir, options)
    reports = _run_crawls(specs, settings, redis_url=redis_url, only=only)
    _check_crawled(reports)
    indexed = _update_index()
    _check_fetched(reports)
    out = [r.to_dict() | {"indexed": indexed, "archive": str(_archive())} for r in reports]
    _print_reports(out, as_json)
    if code := crawl_exit_code(reports):
        sys.exit(code)


def _run_crawls(
    specs: list[Any], settings: dict[str, Any], *, redis_url: str | None, only: bool
) -> list[Any]:
    from crawler.run import crawl_blogs  # pulls in Scrapy and Twisted

    debug = click.get_current_context().find_root().meta.get("debug")
    progress, level = sys.stderr.isatty() and not debug, "DEBUG" if debug else "WARNING"
    return crawl_blogs(
        specs,
        _archive(),
        progress=progress,
        log_level=level,
        redis_url=redis_url,
        only=only,
        **settings,
    )


def _crawl_plan(
    urls: tuple[str, ...], sites_file: Path | None, warc_dir: Path | None, options: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """The blogs to crawl, and the Scrapy settings of the command line's options."""
    from crawler.sites import SiteSpec, crawl_settings, read_sites

    specs = [SiteSpec(url) for url in urls]
    if sites_file is not None:
        specs += read_sites(sites_file)
    if not specs:
        raise click.UsageError("Name a blog's URL, or a sites file with --sites")
    if options["ignore_robots"]:
        click.echo("Warning: ignoring robots.txt; be kind to the site.", err=True)
    settings = crawl_settings({name.replace("_", "-"): value for name, value in options.items()})
    if warc_dir is not None:
        settings["WARC_DIR"] = str(warc_dir)
    return specs, settings


def _check_crawled(reports: list[Any]) -> None:
    """A crawl that could not write the archive stops the command, before indexing."""
    for report in reports:
        if (failed := report.write_failure) is not None:
            raise ArchiveError(
                f"The crawl stopped: {failed}"
                f" in {_archive()}. The {report.posts_new + report.posts_updated} posts archived"
                " before are kept; free some space and crawl again to go on where it stopped."
            )


def _check_fetched(reports: list[Any]) -> None:
    if all(r.pages == 0 and r.finish_reason != "shutdown" for r in reports):
        reasons = ", ".join(e for r in reports for e in r.errors) or "no answer"
        where = reports[0].site if len(reports) == 1 else f"any of the {len(reports)} blogs"
        raise ArchiveError(f"Could not fetch anything from {where} ({reasons}).")


def _print_reports(out: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        from search_cli.render import write_json

        write_json(out[0] if len(out) == 1 else out)
    for data in out:
        if not as_json:
            _print_report(data)
        if not as_json or data["outcome"] != "finished":  # a crawl cut short says so on stderr
            _print_outcome(data, named=len(out) > 1 or as_json)


@cli.command()
@click.option(
    "--redis",
    "redis_url",
    metavar="redis://HOST:PORT/N",
    required=True,
    help="The Redis database of the crawl to work for.",
)
@click.option("--once", is_flag=True, help="Exit when the crawl this worker served has ended.")
@click.option(
    "--warc",
    "warc_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write what this worker fetches to WARC files in this folder.",
)
@click.option(
    "--max-media-size",
    metavar="SIZE",
    callback=check_size,
    help="Fetch no image larger than this here, even if the crawl allows more.",
)
def worker(redis_url: str, once: bool, warc_dir: Path | None, max_media_size: int | None) -> None:
    """Fetch and parse pages for a distributed crawl (`blogarchive crawl --redis ...`).

    Start any number, on any machines that reach the Redis database and the blogs; each
    takes pages from the shared frontier, so no page is fetched twice, and sends what it
    found to the crawling process, which writes the archive. Politeness (delay, requests
    at once per host) holds across all of them. A worker killed mid-page loses nothing:
    its pages go back to the others. Without --once it waits for crawl after crawl;
    it stops, with one line, when Redis cannot be reached for 10 s.

    Example: blogarchive worker --redis redis://10.0.0.5:6379/0
    """
    from crawler.run import run_worker  # pulls in Scrapy and Twisted

    debug = click.get_current_context().find_root().meta.get("debug")
    pages = run_worker(
        redis_url,
        once=once,
        warc_dir=warc_dir,
        log_level="DEBUG" if debug else "WARNING",
        max_media_size=max_media_size,
    )
    click.echo(f"Worker stopped after {pages} pages.", err=True)


def _print_report(data: dict[str, Any]) -> None:
    errors = ", ".join(f"{n}× {reason}" for reason, n in data["errors"].items()) or "none"
    resumed = " (resumed where the last crawl stopped)" if data["resumed"] else ""
    click.echo(
        f"Crawled {data['site']}{resumed}: {data['requests']} requests,"
        f" {data['bytes'] / 1e6:.1f} MB; {data['posts_new']} new posts,"
        f" {data['posts_updated']} updated, {data['posts_gone']} gone,"
        f" {data['comments_new']} new comments{_media_words(data.get('media') or {})};"
        f" errors: {errors}.",
        err=True,
    )


def _media_words(media: dict[str, int]) -> str:
    if not media:
        return ""
    words = f", {media.get('new', 0)} new images ({media.get('bytes', 0) / 1e6:.1f} MB)"
    if media.get("failed"):
        words += f", {media['failed']} images not kept"
    return words


def _print_outcome(data: dict[str, Any], *, named: bool) -> None:
    left = f"{data['left']} pages known but not fetched"
    outcome = data["outcome"]
    if named:
        click.echo(f"{data['site']}: ", err=True, nl=False)
    if outcome == "finished":
        click.echo("Finished: every page the blog names was archived.", err=True)
    elif outcome == "capped":
        click.echo(f"{data['reason'].capitalize()}: {left}; run again to continue.", err=True)
    elif outcome == "interrupted":
        click.echo(
            f"Interrupted ({data.get('stopped_by') or 'stopped before the end'}): what was"
            f" archived stays; {left}. The next crawl of this blog resumes.",
            err=True,
        )
    else:
        click.echo(f"Failed: {data['reason']}. The next crawl of this blog tries again.", err=True)


def _update_index() -> int:
    from indexer.writer import update_index

    store = _store()
    return update_index(_archive(), store)


@cli.command()
@click.argument("query")
@filter_options
@search_options
@click.option("--json", "as_json", is_flag=True, help="Write results as JSON to stdout.")
def search(query: str, as_json: bool, facets: str, **options: Any) -> None:
    """Search archived posts and their comments.

    Words match in any inflection (Kunden finds Kunde), German words also inside the
    compounds they end (Budget finds Werbebudget, ranked after exact matches), and
    "quoted phrases" match as written. Whoosh query language: AND, OR, NOT, wildcards
    (kunde*), fuzzy (kunde~), fields title:, tag:, category:, author:, lang:.

    Example: blogarchive search 'kundenbindung OR stammkunden' --tag Einzelhandel --json
    """
    from indexer.search import search as run_search
    from indexer.writer import try_update_index

    wanted = _facet_names(facets)
    store = _store()
    # Posts archived by `scrapy crawl` or an interrupted crawl are indexed first.
    if store.pending_index() and (done := try_update_index(_archive(), store)):
        click.echo(f"Indexed {done} newly archived posts.", err=True)
    filters = make_filters(options)
    picked = {k: options[k] for k in ("sort", "limit", "page", "scope")}
    result = _current_index(
        lambda: run_search(_archive(), query, filters=filters, store=store, facets=wanted, **picked)
    )
    for name in wanted:
        if name != "year":  # the index keeps names lower-cased; show them as pages do
            shown = store.display_names(name)
            result.facets[name] = [(shown.get(k, k), n) for k, n in result.facets[name]]
    from search_cli.render import print_results, result_json, write_json

    if as_json:
        write_json(result_json(result))
    else:
        print_results(result)


def _facet_names(facets: str) -> tuple[str, ...]:
    from indexer.search import FACETS

    wanted = tuple(f.strip() for f in facets.split(",") if f.strip())
    if unknown := [f for f in wanted if f not in FACETS]:
        raise click.BadParameter(
            f"unknown facet {unknown[0]!r}; choose from {', '.join(FACETS)}", param_hint="--facets"
        )
    return wanted


@cli.command()
@click.argument("key", metavar="ID|URL")
@click.option("--json", "as_json", is_flag=True, help="Write the post as JSON (export schema).")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    help="Show this archived version (see: blogarchive history ID).",
)
@click.option(
    "--raw",
    is_flag=True,
    help="Write the archived page to stdout exactly as it was fetched (its bytes).",
)
def show(key: str, as_json: bool, version: int | None, raw: bool) -> None:
    """Show one archived post with its comment threads.

    Example: blogarchive show https://blog.example/2010/10/kundenbindung/ --version 1
    """
    from search_cli.versions import find

    store = _store()
    post = find(key)
    if version is not None:
        older = store.post_version(post.id, version)
        if older is None:
            last = len(store.versions(post.id))
            raise ArchiveError(f"{post.url} has no version {version}; it has 1 to {last}.")
        post = older
    if raw:
        pages = store.raw_pages(post.id, version)
        if not pages:
            raise ArchiveError(
                f"The raw page of version {version or 'current'} of {post.url} was not kept."
            )
        sys.stdout.buffer.write(pages[0].body)
        sys.stdout.buffer.flush()
        return
    from search_cli.render import print_media, print_post, write_json

    number = version or len(store.versions(post.id))
    images = store.media.of_post(post.id, number)
    if as_json:
        write_json(post.to_dict() | {"media": [image.to_dict() for image in images]})
    else:
        print_post(post)
        print_media(images)


@cli.command()
@click.argument("source", metavar="FILE|URL")
@click.option("--url", help="The page's URL, for a saved FILE (resolves links, sets the id).")
@click.option("--json", "as_json", is_flag=True, help="Write the post as JSON (export schema).")
def parse(source: str, url: str | None, as_json: bool) -> None:
    """Run the parsers on one page and print what they make of it.

    With --debug (before the command) it also says how it decided: which source gave the
    dates, and which it overruled.

    Example: blogarchive parse saved.html --url https://blog.example/2010/10/post/ --json
    """
    from crawler.parsers import parse_page
    from search_cli.fetch import read_source

    body, page_url, content_type = read_source(source, url)
    page = parse_page(page_url, body, content_type=content_type)
    if page.post is None:
        raise ArchiveError(f"{page_url}: no post found; the page looks like a {page.kind} page.")
    from search_cli.render import print_post, write_json

    if click.get_current_context().find_root().meta.get("debug"):
        for note in page.notes:  # which evidence decided, e.g. the source of the date
            click.echo(f"debug: {note}", err=True)
    if as_json:
        write_json(page.post.to_dict())
    else:
        click.echo(f"platform: {page.post.platform}; kind: {page.kind}", err=True)
        print_post(page.post)


@cli.command()
@click.option(
    "--wait", is_flag=True, help="Wait for another process writing the index, instead of exit 1."
)
def reindex(wait: bool) -> None:
    """Rebuild the search index from the archive store.

    When another process is writing the index (a crawl, a search indexing new posts), says
    which and exits 1, or with --wait waits for it.

    Example: blogarchive reindex
    """
    from crawler.archive.errors import IndexBusy
    from indexer.writer import rebuild_index

    try:
        count = rebuild_index(_archive(), store=_store(), wait=0.0)
    except IndexBusy as exc:
        if not wait:
            raise ArchiveError(f"{exc.message} Try again later, or add --wait.") from exc
        click.echo(f"{exc.message} Waiting for it to finish…", err=True)
        count = rebuild_index(_archive(), store=_store(), wait=float("inf"))
    click.echo(f"Indexed {count} posts into {index_path(_archive())}.", err=True)


@cli.command()
def reparse() -> None:
    """Re-run the parsers over the stored pages; changed posts get a new version.

    Example: blogarchive reparse && blogarchive stats
    """
    from crawler.reparse import reparse_archive

    def report(url: str, exc: Exception) -> None:
        click.echo(f"{url}: kept the stored version ({type(exc).__name__}: {exc})", err=True)

    store = _store()
    counts = reparse_archive(store, report)
    indexed = _update_index()
    click.echo(
        f"Reparsed {counts['posts']} posts: {counts['updated']} changed, {counts['unchanged']}"
        f" unchanged, {counts['failed']} failed; {indexed} re-indexed.",
        err=True,
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Write the figures as JSON.")
def stats(as_json: bool) -> None:
    """Posts per site and year, comments, images, index size, last crawl.

    Example: blogarchive stats
    """
    store = _store()
    figures = store.stats()
    per_site = store.media.per_site()
    for site in figures["sites"]:
        site["media_files"], site["media_bytes"] = per_site.get(site["url"], (0, 0))
    figures["media_files"], figures["media_bytes"] = store.media.totals()
    path = index_path(_archive())
    size = sum(f.stat().st_size for f in path.glob("*")) if path.exists() else 0
    from search_cli.render import print_stats, write_json

    if as_json:
        write_json(figures | {"index_bytes": size})
    else:
        print_stats(figures, size)


@cli.command()
@click.option(
    "--keep", is_flag=True, help="Keep an existing demo archive instead of starting fresh."
)
def demo(keep: bool) -> None:
    """Serve the bundled sample blog on 127.0.0.1, crawl it, index it and search it.

    The demo archive lives in the user data folder's `demo` subfolder unless --archive
    or $BLOGARCHIVE_ARCHIVE names another.

    Example: blogarchive demo
    """
    from search_cli.demo import run_demo

    root = click.get_current_context().find_root()
    explicit = root.params.get("archive") is not None or ENV_VAR in os.environ
    run_demo(_archive() if explicit else _archive() / "demo", fresh=not keep)


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback lets others on the network read.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")  # fmt: skip
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Requests served at once.")  # fmt: skip
@click.option("--open", "open_browser", is_flag=True, help="Open the reading room in a browser.")
def serve(host: str, port: int, threads: int, open_browser: bool) -> None:
    """Browse, search and compare versions of the archive in the browser (read-only).

    Example: blogarchive serve --open
    """
    from search_cli.web.serve import serve as run

    run(_archive(), host=host, port=port, threads=threads, open_browser=open_browser)


def _add_commands() -> None:
    from search_cli.exports import export
    from search_cli.imports import import_disqus, import_wxr
    from search_cli.maintenance import check, import_, import_warc
    from search_cli.schedule import schedule
    from search_cli.sites import sites
    from search_cli.versions import diff, history

    cli.add_command(schedule)
    cli.add_command(sites)
    cli.add_command(check)
    cli.add_command(import_)
    cli.add_command(import_warc)
    cli.add_command(import_wxr)
    cli.add_command(import_disqus)
    cli.add_command(export)
    cli.add_command(history)
    cli.add_command(diff)


_add_commands()


def main() -> None:
    # Archives can hold what their owner would not share (drafts, reader addresses): every
    # file and folder blogarchive creates is readable by the user alone.
    os.umask(0o077)
    cli(prog_name="blogarchive")


if __name__ == "__main__":
    main()
