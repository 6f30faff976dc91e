"""When scheduled crawls are due: intervals, cron expressions and back-off for failing sites.

Pure time arithmetic; the `schedule` command runs the crawls (each in its own process, as
Twisted's reactor runs once per process).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crawler.archive.errors import ArchiveError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MIN_EVERY = 60  # a blog recrawled more often than once a minute is being hammered
BACKOFF_MAX = timedelta(days=1)


def parse_every(text: str) -> int:
    """Seconds in an interval such as "6h", "30m", "1d", "1h30m" or "90s"."""
    parts = re.findall(r"(\d+)\s*([smhdw])", text.strip().lower())
    if not parts or re.sub(r"[\d\s smhdw]", "", text.strip().lower()):
        raise ArchiveError(f"Cannot read the interval {text!r}; write it like 6h, 30m or 1d.")
    seconds = sum(int(n) * UNITS[unit] for n, unit in parts)
    if seconds < MIN_EVERY:
        raise ArchiveError(f"An interval of {text!r} is too short; the least is 1m.")
    return seconds


def check_cron(expr: str) -> str:
    from croniter import croniter

    expr = " ".join(expr.split())
    if not croniter.is_valid(expr) or len(expr.split()) != 5:
        raise ArchiveError(
            f"Cannot read the cron expression {expr!r}; it needs five fields,"
            ' like "0 3 * * *" (03:00 every day).'
        )
    return expr


@dataclass(frozen=True, slots=True)
class Timing:
    every: int | None = None
    cron: str | None = None

    def next_after(self, when: datetime) -> datetime:
        if self.cron:
            from croniter import croniter

            # Cron expressions are read in the machine's local time, like cron itself.
            local = when.astimezone()
            return croniter(self.cron, local).get_next(datetime).astimezone(UTC)  # type: ignore[no-any-return]
        return when + timedelta(seconds=self.every or 86400)

    def after_run(self, finished: datetime, failures: int) -> datetime:
        """The next run after one that ended at `finished`, `failures` failures in a row."""
        regular = self.next_after(finished)
        if failures <= 0:
            return regular
        # Each failure in a row doubles the wait, up to a day (or the interval, if longer).
        gap = regular - finished
        return finished + min(gap * 2**failures, max(BACKOFF_MAX, gap))

    def describe(self) -> str:
        if self.cron:
            return f"cron {self.cron}"
        seconds = self.every or 0
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds % size == 0:
                return f"every {seconds // size}{unit}"
        return f"every {seconds}s"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")
