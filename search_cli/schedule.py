"""`blogarchive schedule`: recurring incremental crawls, kept in the archive's store."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import click

from crawler.archive.errors import ArchiveError
from search_cli.context import archive as _archive
from search_cli.context import open_store
from search_cli.context import store as _store
from search_cli.exits import EXIT_CAPPED
from search_cli.options import check_contact, media_options


@click.group()
def schedule() -> None:
    """Crawl blogs again and again, incrementally: add, list, remove, run.

    `schedule run` is a foreground daemon for a service manager; `schedule run --once`
    runs whatever is due and exits, for cron or a systemd timer.

    Example: blogarchive schedule add https://blog.example/ --every 6h
    """


@schedule.command("add")
@click.argument("url", required=False)
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Schedule every blog this file names (as `crawl --sites`; its options win).",
)
@click.option("--every", metavar="INTERVAL", help="Interval such as 6h, 30m, 1d.")
@click.option("--cron", metavar="EXPR", help='Cron expression in local time, e.g. "0 3 * * *".')
@click.option("--delay", type=click.FloatRange(min=0), help="Seconds between requests.")
@click.option("--max-pages", type=click.IntRange(min=1), help="Page cap per crawl.")
@click.option(
    "--contact", metavar="EMAIL|URL", callback=check_contact, help="Sent in the User-Agent."
)
@media_options
def add(
    url: str | None,
    sites_file: Path | None,
    every: str | None,
    cron: str | None,
    delay: float | None,
    max_pages: int | None,
    contact: str | None,
    media: str | None,
    media_hosts: str | None,
    max_media_size: int | None,
) -> None:
    """Schedule a blog, or every blog of a sites file (again): the first crawl is due at once.

    Example: blogarchive schedule add https://blog.example/ --cron "0 3 * * *"
    """
    from crawler.parsers.urls import check_url
    from crawler.schedule import Timing, check_cron, iso, now, parse_every
    from crawler.sites import SiteSpec, read_sites

    if (every is None) == (cron is None):
        raise click.UsageError("Give exactly one of --every and --cron")
    if (url is None) == (sites_file is None):
        raise click.UsageError("Give a blog's URL or --sites FILE")
    specs = read_sites(sites_file) if sites_file else [SiteSpec(check_url(url or ""))]
    try:
        timing = Timing(parse_every(every), None) if every else Timing(None, check_cron(cron or ""))
    except ArchiveError as exc:  # a mistyped option: a usage error, exit code 2
        raise click.UsageError(str(exc).rstrip(".")) from None
    common = {
        "delay": delay,
        "max_pages": max_pages,
        "contact": contact,
        "media": media,
        "media_hosts": media_hosts,
        "max_media_size": max_media_size,
    }
    with open_store(create=True) as store:
        for spec in specs:
            options = common | {k.replace("-", "_"): v for k, v in spec.options.items()}
            store.add_schedule(
                spec.url,
                timing.every,
                timing.cron,
                {k: v for k, v in options.items() if v is not None},
                iso(now()),
            )
    what = specs[0].url if len(specs) == 1 else f"{len(specs)} blogs"
    click.echo(f"Scheduled {what} {timing.describe()}; the first crawl is due now.", err=True)


@schedule.command("remove")
@click.argument("url")
def remove(url: str) -> None:
    """Stop crawling a blog on schedule (its archive stays).

    Example: blogarchive schedule remove https://blog.example/
    """
    from crawler.parsers.urls import check_url

    site = check_url(url)
    store = _store()
    if not store.remove_schedule(site):
        raise ArchiveError(f"{site} is not scheduled. See: blogarchive schedule list")
    click.echo(f"Removed the schedule of {site}.", err=True)


@schedule.command("list")
@click.option("--json", "as_json", is_flag=True, help="Write the schedules as JSON.")
def list_(as_json: bool) -> None:
    """Scheduled blogs with their next run, last run and last result.

    Example: blogarchive schedule list
    """
    from crawler.schedule import Timing

    with open_store(create=True) as store:
        rows = store.schedules()
    if as_json:
        from search_cli.render import write_json

        write_json(rows)
        return
    if not rows:
        click.echo("Nothing is scheduled. Example: blogarchive schedule add URL --every 6h")
        return
    table = [("BLOG", "EVERY", "NEXT RUN", "LAST RUN", "LAST RESULT")]
    for row in rows:
        failing = f" ({row['failures']} failures in a row)" if row["failures"] else ""
        table.append(
            (
                row["url"],
                Timing(row["every_seconds"], row["cron"]).describe(),
                _local(row["next_run"]),
                _local(row["last_run"]),
                f"{row['last_result'] or '-'}{failing}",
            )
        )
    from search_cli.render import print_table

    print_table(table)


def _local(when: str | None) -> str:
    if not when:
        return "never"
    return datetime.fromisoformat(when).astimezone().strftime("%Y-%m-%d %H:%M")


class _Stop:
    """SIGTERM and SIGINT: let the running crawl finish, then leave."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        click.echo("Stopping after the running crawl has finished.", err=True)


@schedule.command("run")
@click.option("--once", is_flag=True, help="Run what is due now, then exit (for cron, timers).")
def run(once: bool) -> None:
    """Run due crawls, one after another, each incremental; without --once, keep waiting.

    SIGTERM lets the running crawl finish cleanly, then exits. Exit code 1 with --once if
    a crawl failed.

    Example: blogarchive schedule run --once
    """
    from crawler.schedule import Timing, iso, now

    stop = _Stop()
    failed = False
    while not stop.requested:
        with open_store(create=True) as store:
            due = [r for r in store.schedules() if r["next_run"] <= iso(now())]
            upcoming = [r["next_run"] for r in store.schedules()]
        for row in due:
            if stop.requested:
                break
            started = now()
            ok, result = _crawl(row["url"], row["options"])
            timing = Timing(row["every_seconds"], row["cron"])
            if "is busy" in result:
                # Another crawl holds the archive: not the site's fault; try again soon.
                next_run, ok = now() + timedelta(minutes=1), True
            else:
                failed |= not ok
                failures = 0 if ok else row["failures"] + 1
                next_run = timing.after_run(now(), failures)
            with open_store() as store:  # the daemon holds no store between runs
                store.record_schedule_run(row["url"], iso(started), ok, result, iso(next_run))
            click.echo(f"{row['url']}: {result}", err=True)
        if once:
            break
        if not due:
            wait = 60.0
            if upcoming:
                wait = (datetime.fromisoformat(min(upcoming)) - now()).total_seconds()
            _sleep(max(1.0, min(wait, 60.0)), stop)
    if once and failed:
        sys.exit(1)


def _sleep(seconds: float, stop: _Stop) -> None:
    end = time.monotonic() + seconds
    while not stop.requested and time.monotonic() < end:
        time.sleep(min(0.5, end - time.monotonic()))


# Options a schedule keeps and hands to each crawl as `--name value`.
CRAWL_VALUES = (
    "delay", "max_pages", "max_depth", "timeout", "contact",
    "media", "media_hosts", "max_media_size",
)  # fmt: skip


def _crawl(url: str, options: dict[str, Any]) -> tuple[bool, str]:
    """One incremental crawl in its own process (Twisted's reactor starts once per process)."""
    argv = [sys.executable, "-m", "search_cli.main", "--archive", str(_archive())]
    argv += ["crawl", url, "--json"]
    for name in CRAWL_VALUES:
        if (value := options.get(name)) is not None:
            if name == "media_hosts" and isinstance(value, list):  # from a sites file
                value = ",".join(value)
            argv += [f"--{name.replace('_', '-')}", str(value)]
    if options.get("ignore_robots"):
        argv.append("--ignore-robots")
    # The crawl ignores SIGTERM sent to us alone; a service manager that signals the whole
    # group stops it cleanly too (Scrapy finishes what it holds, the rest resumes next time).
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode in (0, EXIT_CAPPED):  # capped: the next run goes on from there
        report = json.loads(done.stdout)
        return True, (
            f"{'ok' if done.returncode == 0 else report['reason']}: {report['posts_new']} new,"
            f" {report['posts_updated']} updated, {report['posts_gone']} gone,"
            f" {report['comments_new']} new comments"
        )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return False, "failed: " + (lines[-1].removeprefix("Error: ") if lines else "no message")
