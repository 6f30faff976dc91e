"""Small blogs served on loopback by the tests themselves: traps, busy servers and the like.

A site is a function from the request path (with query), and the request headers if it takes
a second argument, to (status, headers, body); the server records every request with its
time, so tests can check what the crawler asked for.
A body given as an iterable of chunks is streamed (without Content-Length, unless the
headers give one), each chunk flushed: for trickling or endless answers.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = tuple[int, dict[str, str], bytes | Iterable[bytes]]
Site = Callable[[str], Answer]


@dataclass
class Served:
    url: str
    requests: list[tuple[float, str, dict[str, str]]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


@contextmanager
def serve(site: Site) -> Iterator[Served]:
    served = Served("")
    lock = threading.Lock()
    wants_headers = len(inspect.signature(site).parameters) > 1

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                served.requests.append((time.monotonic(), self.path, dict(self.headers)))
            if wants_headers:
                status, headers, body = site(self.path, dict(self.headers))  # type: ignore[call-arg]
            else:
                status, headers, body = site(self.path)
            self.send_response(status)
            headers = {"Content-Type": "text/html; charset=utf-8", **headers}
            if isinstance(body, bytes):
                headers.setdefault("Content-Length", str(len(body)))
            for name, value in headers.items():
                if value is not None:
                    self.send_header(name, value)
            self.end_headers()
            try:
                for chunk in [body] if isinstance(body, bytes) else body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler gave up on this answer, as it should

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def page(title: str, body: str) -> bytes:
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title></head><body>"
        f"<header><a href='/'>Trap Blog</a> <a href='/?s=marketing'>Search</a></header>"
        f"{body}</body></html>"
    ).encode()


def post_html(n: int) -> bytes:
    """Post n, with comments whose reply links are `?replytocom=` traps."""
    comments = "".join(
        f"<li id='comment-{n}{i}' class='comment'><div class='comment-author'>Reader {i}</div>"
        f"<div class='comment-content'><p>Comment {i} on post {n}.</p></div>"
        f"<a class='comment-reply-link' href='/post-{n}/?replytocom={n}{i}#respond'>Reply</a></li>"
        for i in (1, 2)
    )
    return page(
        f"Post number {n}",
        f"<article class='post h-entry'><h1 class='entry-title p-name'>Post number {n}</h1>"
        f"<time class='dt-published' datetime='2020-01-{n:02d}T10:00:00+01:00'>{n} January"
        f" 2020</time><div class='entry-content e-content'><p>Post {n} tells how a small"
        f" bakery found its customers through word of mouth and a newsletter.</p></div>"
        f"<a href='/post-{n}/print/'>Print</a> <a href='/post-{n}/?share=twitter'>Share</a>"
        f" <a href='/post-{n}/;jsessionid=ABC{n}'>Session</a> <a href='/tag/baking/'>baking</a>"
        f"</article><section id='comments'><ol class='commentlist'>{comments}</ol></section>",
    )


def listing(posts: list[int], more: list[str]) -> bytes:
    items = "".join(
        f"<article class='post'><h2><a href='/post-{n}/'>Post number {n}</a></h2>"
        f"<p>Teaser {n}</p></article>"
        for n in posts
    )
    links = " ".join(f"<a href='{href}'>{href}</a>" for href in more)
    return page("Trap Blog", f"{items}<nav>{links}</nav>")
