"""A hostile blog for the reliability tests: every way a site can be broken, on one host.

Good posts (all must be archived, each once) hide between bad pages, which must each be
counted by reason in the crawl report. No robots.txt; the sitemap and the feed are broken,
so the crawl has to follow links from the home page.
"""

from __future__ import annotations

import gzip
import io
import re
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

from tests.sites import Answer

HTML = "text/html"


def post(title: str, text: str, *, date: str = "2020-03-04T10:00:00+01:00", head: str = "") -> str:
    return (
        "<!doctype html><html lang='de'><head>"
        f"<title>{title} | Feindliches Blog</title>{head}"
        "<link rel='alternate' type='application/rss+xml' href='/feed/'></head><body>"
        "<nav><a href='/'>Start</a></nav>"
        f"<article class='post h-entry'><h1 class='entry-title p-name'>{title}</h1>"
        f"<time class='dt-published' datetime='{date}'>4. März 2020</time>"
        f"<div class='entry-content e-content'><p>{text}</p></div></article>"
        "</body></html>"
    )


UMLAUTS = "Größere Bäckereien übernehmen Kundenbindung für Straßencafés"

# path -> (title, bytes, Content-Type); each is a good post the archive must hold.
GOOD: dict[str, tuple[str, bytes, str]] = {
    "/utf8/": (
        "Kundenbindung für Bäckereien",
        post("Kundenbindung für Bäckereien", UMLAUTS).encode(),
        "text/html; charset=utf-8",
    ),
    "/latin1-declared/": (
        "Grüße aus Köln",
        post("Grüße aus Köln", UMLAUTS).encode("latin-1"),
        "text/html; charset=iso-8859-1",
    ),
    "/cp1252-meta/": (
        "„Preise“ in €",
        post("„Preise“ in €", UMLAUTS, head="<meta charset='windows-1252'>").encode("cp1252"),
        HTML,
    ),
    "/latin1-undeclared/": (
        "Öffnungszeiten im Überblick",
        post("Öffnungszeiten im Überblick", UMLAUTS).encode("latin-1"),
        HTML,
    ),
    "/latin1-labelled-utf8/": (
        "Süße Ideen für Flyer",
        post("Süße Ideen für Flyer", UMLAUTS).encode("latin-1"),
        "text/html; charset=utf-8",
    ),
    "/utf8-labelled-latin1/": (
        "Schöne Schaufenster",
        post("Schöne Schaufenster", UMLAUTS).encode(),
        "text/html; charset=iso-8859-1",
    ),
    "/mojibake/": (
        "Führung für Gründer",
        # UTF-8 read as Windows-1252 somewhere upstream, then stored as UTF-8 again.
        post("Führung für Gründer", UMLAUTS).encode().decode("cp1252").encode(),
        "text/html; charset=utf-8",
    ),
    "/malformed/": (
        "Kaputtes HTML überlebt",
        b"<html><head><title>Kaputtes HTML \xc3\xbcberlebt</title><body><div><article class=post>"
        b"<h1 class=entry-title>Kaputtes HTML \xc3\xbcberlebt</h1>"
        b"<time datetime=2020-03-04>4.3.2020</span>"
        b"<div class=entry-content><p>Erster"
        b" Absatz <b>fett <i>kursiv</b> weiter</i><p>Zweiter Absatz mit < und & und"
        b" <a href=/utf8/>Link<p>Dritter Absatz</div></span></td><table><tr><td>Zelle"
        b"</article><script>document.write('<p>",
        "text/html; charset=utf-8",
    ),
    "/impossible-date/": (
        "Der 30. Februar",
        post("Der 30. Februar", "Ein Datum, das es nicht gibt.", date="2019-02-30T25:61:00+99:00")
        .replace("4. März 2020", "30. Februar 2019")
        .encode(),
        "text/html; charset=utf-8",
    ),
    "/many-urls/": (
        "Ein Beitrag, viele Adressen",
        post(
            "Ein Beitrag, viele Adressen",
            "Erreichbar unter vielen Adressen.",
            head="<link rel='canonical' href='/many-urls/'>",
        ).encode(),
        "text/html; charset=utf-8",
    ),
    "/new-home/": (
        "Umgezogener Beitrag",
        post("Umgezogener Beitrag", "Nach einer Weiterleitung erreicht.").encode(),
        "text/html; charset=utf-8",
    ),
    **{
        f"/storm-{n}/": (
            f"Sturm {n}",
            post(f"Sturm {n}", "Erst nach einer 503 erreichbar.").encode(),
            "text/html; charset=utf-8",
        )
        for n in range(1, 5)
    },
    "/busy/": (
        "Geduld zahlt sich aus",
        post("Geduld zahlt sich aus", "Nach einer 429 mit Retry-After erreichbar.").encode(),
        "text/html; charset=utf-8",
    ),
}

# Reason in the crawl report -> how many times at least.
BAD_REASONS = {
    "HTTP 500": 1,
    "HTTP 404": 1,
    "larger than the size cap": 1,
    "larger than the size cap once decompressed": 1,
    "too many redirects": 1,
    "circular redirect": 1,
    "redirect not followed (not http, or off the blog)": 3,
    "timeout": 1,
    "binary file served as HTML": 1,
    "broken sitemap": 1,
    "broken feed": 1,
}

ALIASES = [
    "/many-urls/?utm_source=newsletter&utm_medium=email",
    "/many-urls/?replytocom=12#respond",
    "/many-urls/#comments",
    "/many-urls/?fbclid=abc",
    "/many-urls/index.html",
]
BAD_LINKS = [
    "/always-500/",
    "/missing/",
    "/huge/",
    "/bomb/",
    "/endless-redirect/1",
    "/circle-a/",
    "/to-ftp/",
    "/to-javascript/",
    "/to-file/",
    "/trickle/",
    "/binary/",
    "/moved/",
]
BIG = 21 * 1024 * 1024  # just over the 20 MB download cap


def _bomb() -> bytes:
    """200 MB of zeros, gzipped to about 200 KB."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        chunk = b"\0" * (1 << 20)
        for _ in range(200):
            gz.write(chunk)
    return out.getvalue()


def _trickle() -> Iterator[bytes]:
    yield b"<html><body><p>"
    for _ in range(120):  # a byte every half second: a minute for a page
        time.sleep(0.5)
        yield b"."


class HostileBlog:
    """The site as a callable for tests.sites.serve; counts requests per path."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.bomb = _bomb()
        self.png = b"\x89PNG\r\n\x1a\n" + zlib.compress(b"\0" * 4096)

    def home(self) -> bytes:
        links = [*GOOD, *ALIASES, *BAD_LINKS]
        items = "".join(f"<li><a href='{href}'>{href}</a></li>" for href in links)
        return (
            "<!doctype html><html lang='de'><head><title>Feindliches Blog</title>"
            "<link rel='alternate' type='application/rss+xml' href='/feed/'></head>"
            f"<body><h1>Feindliches Blog</h1><ul>{items}</ul></body></html>"
        ).encode()

    def __call__(self, path: str) -> Answer:
        p = urlsplit(path).path
        self.hits[p] += 1
        hits = self.hits[p]
        if p == "/":
            return 200, {}, self.home()
        if p in ("/many-urls/index.html",):
            p = "/many-urls/"
        if p in GOOD:
            if p.startswith("/storm-") and hits == 1:
                return 503, {}, b"<html><body>Service Unavailable</body></html>"
            if p == "/busy/" and hits == 1:
                return 429, {"Retry-After": "1"}, b"<html><body>Too Many Requests</body></html>"
            _, body, content_type = GOOD[p]
            return 200, {"Content-Type": content_type}, body
        if p == "/sitemap.xml":
            # A "soft 404": the theme's error page, served as XML with status 200.
            return 200, {"Content-Type": "application/xml"}, b"<html><body>Oops\x00\xff</body>"
        if p == "/feed/":
            return 200, {"Content-Type": "application/rss+xml"}, b"<html><body>Fehler 42"
        if p == "/always-500/":
            return 500, {}, b"<html><body>Internal Server Error</body></html>"
        if p == "/huge/":
            return 200, {}, (b"<p>" + b"x" * 1024 for _ in range(BIG // 1024))  # type: ignore[return-value]
        if p == "/bomb/":
            return 200, {"Content-Encoding": "gzip"}, self.bomb
        if m := re.fullmatch(r"/endless-redirect/(\d+)", p):
            return 302, {"Location": f"/endless-redirect/{int(m[1]) + 1}"}, b""
        if p == "/circle-a/":
            return 301, {"Location": "/circle-b/"}, b""
        if p == "/circle-b/":
            return 301, {"Location": "/circle-a/"}, b""
        if p == "/to-ftp/":
            return 302, {"Location": "ftp://127.0.0.1/pub/post.html"}, b""
        if p == "/to-javascript/":
            return 302, {"Location": "javascript:alert(document.cookie)"}, b""
        if p == "/to-file/":
            return 302, {"Location": "file:///etc/passwd"}, b""
        if p == "/moved/":
            return 301, {"Location": "/new-home/"}, b""
        if p == "/trickle/":
            return 200, {}, _trickle()
        if p == "/binary/":
            return 200, {"Content-Type": "text/html"}, self.png
        return 404, {}, b"<html><body>Nicht gefunden</body></html>"


def empty_blog(path: str) -> Answer:
    """A freshly installed blog: a home page, no posts."""
    if urlsplit(path).path == "/":
        return 200, {}, b"<html lang='de'><head><title>Leer</title></head><body><h1>Leer</h1>"
    return 404, {}, b"<html><body>Nicht gefunden</body></html>"
