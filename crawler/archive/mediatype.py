"""What a fetched file is, read from its bytes: a server's Content-Type is a claim, not proof.

An error page served as `image/jpeg`, a login form behind an image URL, a file cut short: the
archive keeps none of them as an image. SVG is a document that can carry script, so it is
kept only after `clean_svg` has taken out everything active. Width and height come from the
file's header (Pillow reads nothing more) where the format has one.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any

# Signatures of the raster formats blogs serve, as their specifications fix them.
SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (8, b"WEBP", "image/webp"),  # after "RIFF" and a length
    (4, b"ftypavif", "image/avif"),
    (4, b"ftypavis", "image/avif"),
    (4, b"ftypheic", "image/heic"),
    (4, b"ftypmif1", "image/heif"),
    (0, b"BM", "image/bmp"),
    (0, b"\x00\x00\x01\x00", "image/x-icon"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
)
_SVG_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]",
    re.S | re.I,
)
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Elements that run script, embed other documents, or hold HTML inside an SVG.
SVG_ACTIVE = frozenset(
    ("script", "foreignObject", "iframe", "embed", "object", "handler", "listener")
)
# Animations that could point a link or a handler somewhere else after the fact.
SVG_ANIMATIONS = frozenset(("set", "animate", "animateTransform", "animateMotion"))
_REMOTE_CSS = re.compile(r"@import|expression\s*\(|url\s*\(\s*['\"]?\s*(?!#)", re.I)
_INLINE_RASTER = re.compile(r"data:image/(?:png|jpeg|gif|webp|avif);", re.I)


@dataclass(frozen=True, slots=True)
class MediaFile:
    """An image as the archive keeps it."""

    body: bytes = field(repr=False)
    type: str
    width: int | None = None
    height: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def size(self) -> int:
        return len(self.body)


class NotAnImage(ValueError):
    """The bytes are not an image the archive keeps; the message says what they are."""


def sniff(body: bytes) -> str | None:
    """The image type the bytes are, or None."""
    for offset, signature, kind in SIGNATURES:
        if body[offset : offset + len(signature)] == signature:
            if kind == "image/webp" and not body.startswith(b"RIFF"):
                continue
            return kind
    if _SVG_START.match(body[:4096]):
        return "image/svg+xml"
    return None


def _looks_like(body: bytes) -> str:
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "an HTML page"
    if not body:
        return "empty"
    return "not an image format the archive knows"


def _dimensions(body: bytes) -> tuple[int | None, int | None]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(body)) as image:  # reads the header only
            width, height = image.size
            return int(width), int(height)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None, None
    except Image.DecompressionBombError:  # the size is what it says, however absurd
        return None, None


def identify(body: bytes) -> MediaFile:
    """The archived form of these bytes: type from the bytes, SVG cleaned; NotAnImage else."""
    kind = sniff(body)
    if kind is None:
        raise NotAnImage(_looks_like(body))
    if kind == "image/svg+xml":
        root = _clean_svg_tree(body)
        width, height = _svg_size(root)
        return MediaFile(_svg_bytes(root), kind, width, height)
    width, height = _dimensions(body)
    if width is None and kind in ("image/jpeg", "image/png", "image/gif"):
        # Formats Pillow always reads: no header means a broken or truncated file.
        raise NotAnImage(f"a damaged {kind.split('/')[1].upper()} file")
    return MediaFile(body, kind, width, height)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def clean_svg(body: bytes) -> bytes:
    """The SVG without script, event handlers, embedded documents, links out of the file or
    remote style sheets: safe to show, still the picture. NotAnImage when it is no SVG."""
    return _svg_bytes(_clean_svg_tree(body))


def _svg_bytes(root: Any) -> bytes:
    from lxml import etree

    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _clean_svg_tree(body: bytes) -> Any:
    from lxml import etree

    # No entities expanded, no DTD or network fetched: a hostile file stays a file.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise NotAnImage("a broken SVG file") from exc
    if _local(root.tag) != "svg":
        raise NotAnImage("XML, but not SVG")
    for node in list(root.iter()):
        if not isinstance(node.tag, str):  # processing instructions (xml-stylesheet), comments
            if node.getparent() is not None and not isinstance(node, etree._Comment):
                node.getparent().remove(node)
            continue
        name = _local(node.tag)
        if (
            name in SVG_ACTIVE
            or (
                name in SVG_ANIMATIONS
                and _local(node.get("attributeName", "")).lower() in ("href", "xlink:href")
            )
            or (name == "style" and _REMOTE_CSS.search(node.text or ""))
        ):
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
            continue
        for attr in list(node.attrib):
            local = _local(attr).lower()
            value = node.attrib[attr].strip()
            handler = local.startswith("on") or (
                local == "attributename" and value.lower().startswith("on")
            )
            remote = (local == "style" and _REMOTE_CSS.search(value)) or (
                local == "href"
                and not (value.startswith("#") or (name == "image" and _INLINE_RASTER.match(value)))
            )
            if handler or remote:
                del node.attrib[attr]
    return root


def _svg_size(root: Any) -> tuple[int | None, int | None]:
    sizes = []
    for attr in ("width", "height"):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*", root.get(attr) or "")
        sizes.append(int(float(match.group(1))) if match else None)
    return sizes[0], sizes[1]
