"""Running the reading room: waitress, a threaded WSGI server in pure Python, on loopback
unless asked otherwise."""

from __future__ import annotations

import ipaddress
import logging
import signal
from pathlib import Path

import click

from crawler.archive.errors import ArchiveError

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


def serve(archive: Path, *, host: str, port: int, threads: int, open_browser: bool) -> None:
    """Serve `archive` until Ctrl-C; one line when it starts, one when it stops."""
    from waitress.server import create_server

    from crawler.archive.store import Store
    from search_cli.web.app import create_app

    # waitress warns on stderr whenever a request waits for a free thread; that is load,
    # not news for the person who started the room.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    Store(archive, create=False).close()  # no archive here: say so, create nothing
    # An archive of an older blogarchive gets this one's tables and indexes, once; after
    # that the reading room only reads.
    Store(archive).close()
    app = create_app(archive)
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="blogarchive")
    except OSError as exc:
        raise ArchiveError(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}.",
            hint="blogarchive serve --port N (another free port)",
        ) from exc
    url = url_of(host, int(server.effective_port))  # type: ignore[union-attr]
    if not is_loopback(host):
        click.echo(
            f"Warning: listening on {host}: anyone who can reach this machine on that network"
            " can read the archive.",
            err=True,
        )
    click.echo(f"Reading room for {archive} at {url} (Ctrl-C stops it)", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    # waitress ends its loop on KeyboardInterrupt or SystemExit (and swallows either):
    # Ctrl-C and a plain `kill` both stop it cleanly.
    signal.signal(signal.SIGTERM, _exit)
    try:
        server.run()
    finally:
        server.close()
    click.echo("Stopped the reading room.", err=True)


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)
