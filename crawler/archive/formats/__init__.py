"""Posts into and out of the archive in the formats other tools read, one module a format.

Every export is written through `atomic_output` or `atomic_directory`: a reader never sees
half a file or folder, and a crash leaves the one that was there before (or none).
"""

from __future__ import annotations

import os
import shutil
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


@contextmanager
def atomic_directory(path: Path, *, clobber: bool = True) -> Iterator[Path]:
    """A folder to fill that appears at `path` whole, once the block ends without an error.

    It is filled beside `path` under a temporary name and renamed into place; a folder
    already at `path` (an earlier export) is replaced only then, so an interrupted export
    leaves the earlier one as it was. Without `clobber`, an existing `path` is refused.
    """
    if path.exists() and (not clobber or not path.is_dir()):
        what = "exists" if path.is_dir() else "exists and is not a folder"
        raise ArchiveError(f"{path} {what}; give another --output.")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    old = path.with_name(f".{path.name}.{os.getpid()}.old")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
    except OSError as exc:
        raise ArchiveError(f"Cannot create {tmp}: {exc.strerror}") from exc
    try:
        yield tmp
        if path.exists():
            os.replace(path, old)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
