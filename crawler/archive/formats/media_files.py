"""`export --with-media DIR`: the archived image files beside the export, and the posts'
HTML pointing at them by relative path, so the export reads offline as the reading room does.

Files are named by their hash (`ab/cdef….jpg`), written once however many posts show them;
each appears whole (a temporary name, then a rename), so an interrupted export leaves only
whole files, and the next one skips those already there.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from crawler.archive.errors import ArchiveError
from crawler.archive.picture import localize_html
from crawler.archive.store import Store

EXTENSIONS = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
    "image/avif": ".avif", "image/heic": ".heic", "image/heif": ".heif", "image/bmp": ".bmp",
    "image/x-icon": ".ico", "image/tiff": ".tif", "image/svg+xml": ".svg",
}  # fmt: skip


def media_name(sha: str, kind: str | None) -> str:
    return f"{sha[:2]}/{sha[2:]}{EXTENSIONS.get(kind or '', '')}"


class MediaFolder:
    """Where `--with-media` writes the files, and how the export names them."""

    def __init__(self, store: Store, folder: Path, export_dir: Path) -> None:
        self.store = store
        self.folder = folder
        # The posts' HTML names files relative to the export file's own folder.
        self.prefix = Path(os.path.relpath(folder.resolve(), export_dir.resolve()))
        self.written: set[str] = set()
        self.files = 0
        self.bytes = 0
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"Cannot create the media folder {folder}: {exc}") from exc

    def write(self, sha: str, kind: str | None) -> str:
        """The file's path relative to the export; written if it is not there yet."""
        name = media_name(sha, kind)
        if sha not in self.written:
            path = self.folder / name
            if not path.exists():
                found = self.store.media.file(sha)
                if found is None:
                    raise ArchiveError(f"The archive lacks the file {sha[:16]}… (run: check).")
                path.parent.mkdir(exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                tmp.write_bytes(found[1])
                os.replace(tmp, path)
                self.files += 1
                self.bytes += len(found[1])
            self.written.add(sha)
        return (self.prefix / name).as_posix()

    def posts(self, blobs: Iterable[bytes]) -> Iterator[bytes]:
        """Export records with each archived image written and named in `media[].file`,
        and the HTML's images pointing at those files."""
        for blob in blobs:
            record = orjson.loads(blob)
            local = {}
            for image in record.get("media") or ():
                if image.get("sha256"):
                    image["file"] = self.write(image["sha256"], image.get("type"))
                    local[image["url"]] = image["file"]
            if local and record.get("html"):
                record["html"] = localize_html(record["html"], record["url"], local)
            yield orjson.dumps(record)
