"""Serve the sample blog on 127.0.0.1 from a temporary folder (a free port, a daemon thread)."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from search_cli.sampleblog.build import build_site
from search_cli.sampleblog.content import SamplePost


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # the crawl reports what it fetched; per-request lines would drown it


@dataclass(frozen=True, slots=True)
class SampleSite:
    url: str
    root: Path
    posts: list[SamplePost]


@contextmanager
def serve_sample_blog() -> Iterator[SampleSite]:
    """The sample blog, built and served until the block ends.

    Example: with serve_sample_blog() as site: crawl(site.url)
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _QuietHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with tempfile.TemporaryDirectory(prefix="blogarchive-sample-") as tmp:
        posts = build_site(Path(tmp), base)
        server.RequestHandlerClass = partial(_QuietHandler, directory=tmp)  # type: ignore[assignment]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield SampleSite(base, Path(tmp), posts)
        finally:
            server.shutdown()
            server.server_close()
