"""Where an archive lives: one folder holding the SQLite store and the derived index."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "BLOGARCHIVE_ARCHIVE"
STORE_FILE = "archive.sqlite3"
INDEX_DIR = "index"


def archive_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The archive folder: `--archive`, else $BLOGARCHIVE_ARCHIVE, else the user data dir."""
    if override:
        return Path(override).expanduser()
    if env := os.environ.get(ENV_VAR):
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("blogarchive", appauthor=False))


def store_path(archive: Path) -> Path:
    return archive / STORE_FILE


def index_path(archive: Path) -> Path:
    return archive / INDEX_DIR
