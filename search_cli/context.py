"""The archive the running command works on, shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def archive() -> Path:
    """The archive folder the root command resolved (--archive, env, user data folder)."""
    return click.get_current_context().find_root().obj  # type: ignore[no-any-return]


def store(create: bool = False) -> Any:
    from crawler.archive.store import Store

    return Store(archive(), create=create)
