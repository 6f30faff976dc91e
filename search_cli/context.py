"""The archive the running command works on, and its one Store, shared by the commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from crawler.archive.store import Store

T = TypeVar("T")


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


def current_index(run: Callable[[], T]) -> T:
    """Run a search; an index that is missing, damaged or from an older blogarchive is
    rebuilt from the archive first, once (the store holds everything it is made of)."""
    from crawler.archive.errors import IndexDamaged, IndexMissing, IndexOutdated

    try:
        return run()
    except IndexMissing as exc:
        from indexer.writer import rebuild_index

        if isinstance(exc, IndexDamaged):
            why = exc.message.rstrip(".")
        elif isinstance(exc, IndexOutdated):
            why = "The search index is from an older blogarchive"
        else:
            why = "The search index is missing"
        click.echo(f"{why}; rebuilding it from the archive…", err=True)
        rebuild_index(archive(), store=store())
        return run()
