"""A blog with pictures for the media tests: the ways themes show images, the images that are
not the post's, and the hostile answers an image URL can give, on one loopback host.

Each good image is a real file (made with Pillow, different bytes each), so what the archive
keeps can be compared byte for byte with what was served.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.sites import Answer

BIG = 30 * 1024 * 1024  # over the default cap of 20 MB


def picture(width: int, height: int, shade: int, kind: str = "JPEG") -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (shade, 120, 255 - shade))
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


SVG_HOSTILE = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"'
    b' xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="30" onload="alert(1)">'
    b'<script>window.pwned = 1</script><rect width="40" height="30" fill="#c00"/>'
    b'<a xlink:href="javascript:alert(2)"><circle r="5"/></a>'
    b'<foreignObject><body xmlns="http://www.w3.org/1999/xhtml">hi</body></foreignObject></svg>'
)


@dataclass
class MediaBlog:
    """The site: `post_html` can be changed between crawls to make the post change."""

    other_host: str = "localhost"  # the same server under another name: a host not allowed
    extra_text: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    fail_with: dict[str, int] = field(default_factory=dict)  # path → status to answer now

    def __post_init__(self) -> None:
        self.files = {
            "/uploads/feature.jpg": picture(1200, 630, 10),
            "/uploads/photo-300.jpg": picture(300, 200, 40),
            "/uploads/photo-1024.jpg": picture(1024, 683, 50),
            "/uploads/lazy.jpg": picture(640, 480, 70),
            "/uploads/pic-800.webp": picture(800, 600, 90, "WEBP"),
            "/uploads/pic-1600.webp": picture(1600, 1200, 100, "WEBP"),
            "/uploads/same-a.png": picture(100, 100, 130, "PNG"),
            "/uploads/comment.jpg": picture(200, 100, 150),
            "/uploads/off.jpg": picture(64, 64, 170),
            "/uploads/drawing.svg": SVG_HOSTILE,
        }
        same = self.files["/uploads/same-a.png"]
        self.files["/uploads/same-b.png"] = same
        self.files["/uploads/same-c.png?ver=2"] = same

    # what the post shows
    GOOD = (
        "/uploads/feature.jpg",
        "/uploads/photo-1024.jpg",
        "/uploads/lazy.jpg",
        "/uploads/pic-1600.webp",
        "/uploads/same-a.png",
        "/uploads/same-b.png",
        "/uploads/same-c.png?ver=2",
        "/uploads/drawing.svg",
    )
    HOSTILE = ("/uploads/huge.jpg", "/uploads/html.jpg", "/uploads/loop.jpg")
    NOT_PICTURES = (
        "/wp-content/themes/shop/logo.png",
        "/avatar/reader.png",
        "/pixel.gif",
        "/share/twitter.png",
    )

    def post_html(self, base: str) -> str:
        other = base.replace("127.0.0.1", self.other_host)
        return (
            "<!doctype html><html lang='de'><head><title>Bilder im Blog | Bilderblog</title>"
            f"<meta property='og:image' content='{base}uploads/feature.jpg'></head><body>"
            "<header><img class='custom-logo' src='/wp-content/themes/shop/logo.png'></header>"
            "<article class='post h-entry'><h1 class='entry-title p-name'>Bilder im Blog</h1>"
            "<time class='dt-published' datetime='2020-03-04T10:00:00+01:00'>4. März 2020</time>"
            "<div class='entry-content e-content'>"
            "<p>Ein Schaufenster lebt von guten Bildern: so halten wir sie fest."
            f" {self.extra_text}</p>"
            "<figure><img src='/uploads/photo-300.jpg' srcset='/uploads/photo-300.jpg 300w,"
            " /uploads/photo-1024.jpg 1024w' width='300' height='200'>"
            "<figcaption>Das Schaufenster im Herbst.</figcaption></figure>"
            "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' data-src='/uploads/lazy.jpg'>"
            "<picture><source type='image/webp' srcset='/uploads/pic-800.webp 800w,"
            " /uploads/pic-1600.webp 1600w'><img src='/uploads/pic-800.jpg'></picture>"
            "<p>Dasselbe Bild dreimal:</p><img src='/uploads/same-a.png'>"
            "<img src='/uploads/same-b.png'><img src='/uploads/same-c.png?ver=2'>"
            "<img src='/uploads/drawing.svg'>"
            "<img src='/uploads/huge.jpg'><img src='/uploads/html.jpg'>"
            "<img src='/uploads/loop.jpg'>"
            f"<img src='{other}uploads/off.jpg'>"
            "<img src='/pixel.gif' width='1' height='1'>"
            "<div class='sharedaddy'><img src='/share/twitter.png'></div>"
            "</div></article>"
            "<section id='comments'><ol class='commentlist'><li class='comment' id='comment-7'>"
            "<div class='comment-author'><img class='avatar' src='/avatar/reader.png'>"
            "<cite>Leserin</cite></div><div class='comment-content'><p>Schön, und hier mein"
            " Laden: <img src='/uploads/comment.jpg'></p></div></li></ol></section>"
            "</body></html>"
        )

    def __call__(self, path: str, headers: dict[str, str]) -> Answer:
        base = f"http://{headers.get('Host', '127.0.0.1')}/"
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/":
            return (
                200,
                html,
                (b"<html><body><a href='/bilder-im-blog/'>Bilder im Blog</a></body></html>"),
            )
        if path == "/bilder-im-blog/":
            return 200, html, self.post_html(base).encode()
        if status := self.fail_with.get(path):
            return status, {"Content-Type": "text/plain"}, b"not now"
        if path == "/uploads/huge.jpg":
            return 200, {"Content-Type": "image/jpeg", "Content-Length": str(BIG)}, _huge()
        if path == "/uploads/html.jpg":
            return 200, {"Content-Type": "image/jpeg"}, b"<!doctype html><html><body>404</body>"
        if path.startswith("/uploads/loop"):
            n = int(path.rsplit("-", 1)[-1].split(".")[0]) if "-" in path else 0
            return 302, {"Location": f"/uploads/loop-{n + 1}.jpg"}, b""
        if path in self.files:
            body = self.files[path]
            kind = "image/svg+xml" if path.endswith(".svg") else "image/jpeg"
            etag = f'"{hash(body) & 0xFFFFFF:x}"'
            if headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": kind, "ETag": etag}, body
        return 404, html, b"<html><body>not found</body></html>"


def _huge() -> Iterator[bytes]:
    chunk = b"\xff\xd8\xff" + b"\0" * (1024 * 1024 - 3)
    for _ in range(BIG // len(chunk)):
        yield chunk
