"""Posts into and out of the archive in the formats other tools read, one module a format.

Every export is written through `atomic_output`: a reader never sees half a file, and a crash
leaves the file that was there before (or none).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from crawler.archive.errors import ArchiveError


@contextmanager
def atomic_output(path: Path, *, clobber: bool = True) -> Iterator[BinaryIO]:
    """A file to write that appears at `path` whole, once the block ends without an error.

    The bytes go to a temporary file beside it, which is renamed over `path`; without
    `clobber`, an existing `path` is refused, before and at the rename (a hard link, which
    fails where a file has appeared meanwhile).
    """
    refused = f"{path} exists; leave out --no-clobber to replace it."
    if not clobber and path.exists():
        raise ArchiveError(refused)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if clobber:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise ArchiveError(
                    f"{path} exists; leave out --no-clobber to replace it."
                ) from None
    finally:
        tmp.unlink(missing_ok=True)
