"""One crawl writes to an archive at a time, across processes (an advisory file lock)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.archive.errors import StoreError

LOCK_FILE = "crawl.lock"
_held: dict[Path, int] = {}  # locks this process holds, so nested holders share one


@contextmanager
def crawl_lock(archive: Path) -> Iterator[None]:
    """Hold the archive's crawl lock, or fail at once with a one-line StoreError."""
    archive.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = (archive / LOCK_FILE).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise StoreError(
            f"The archive {archive} is busy: another crawl (process {holder}) is writing to it."
            " Try again when it has finished."
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    _held[path] = 1
    try:
        yield
    finally:
        del _held[path]
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
