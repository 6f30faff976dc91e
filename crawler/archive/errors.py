"""Errors reported to the user as one line, without a traceback."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base for errors that we report to the user without a traceback.

    `message` says what is wrong in one sentence; `hint`, where there is one, is the command
    that puts it right. The command line renders both ("… Run: blogarchive reindex");
    `str()` gives the same line to logs and reports.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} Run: {self.hint}" if self.hint else self.message


class ParseError(ArchiveError):
    """A page could not be split into a post."""


class StoreError(ArchiveError):
    """The archive database is missing, damaged or busy."""


class IndexBusy(StoreError):
    """Another process is writing the search index (its lock is held)."""


class IndexMissing(ArchiveError):
    """The search index has not been built yet."""


class IndexOutdated(IndexMissing):
    """The search index was written by an older blogarchive; it must be rebuilt."""


class IndexDamaged(IndexOutdated):
    """The search index cannot be read (a damaged file); it must be rebuilt from the store."""


class QueryError(ArchiveError):
    """A search query that cannot be understood."""
