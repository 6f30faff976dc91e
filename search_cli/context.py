"""The archive the running command works on, and its one Store, shared by the commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from crawler.archive.store import Store


def archive() -> Path:
    """The archive folder the root command resolved (--archive, env, user data folder)."""
    return click.get_current_context().find_root().obj  # type: ignore[no-any-return]


def store(create: bool = False) -> Store:
    """The command's store: opened on first use, passed down from there, and closed when
    the command ends (click closes the root context's resources)."""
    root = click.get_current_context().find_root()
    opened: Store | None = root.meta.get("blogarchive.store")
    if opened is None:
        opened = open_store(create)
        root.with_resource(opened)
        root.meta["blogarchive.store"] = opened
    return opened


def open_store(create: bool = False) -> Store:
    """A store of its own, for a long-running command that must not hold one throughout."""
    from crawler.archive.store import Store

    return Store(archive(), create=create)
