"""Exit codes: 0 ok, 1 failure, 2 usage; a crawl cut short has codes of its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

EXIT_CAPPED = 3  # --max-pages or --max-depth reached; the next crawl goes on from there
EXIT_SIGNAL = {"SIGINT": 130, "SIGTERM": 143}  # 128 + the signal's number, as shells say


def crawl_exit_code(reports: Sequence[Any]) -> int:
    """0 when every blog's crawl finished; else the first that applies: interrupted (130
    for SIGINT, 143 for SIGTERM), failed (1), capped (3)."""
    outcomes = {r.outcome for r in reports}
    if "interrupted" in outcomes:
        stopped = next((r.stopped_by for r in reports if r.stopped_by), "SIGINT")
        return EXIT_SIGNAL.get(stopped, 130)
    if "failed" in outcomes:
        return 1
    return EXIT_CAPPED if "capped" in outcomes else 0
