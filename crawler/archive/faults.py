"""Fault injection for the reliability tests: die at a named point, as a power cut would.

`BLOGARCHIVE_FAULT=store-write:3` kills the process with SIGKILL the third time it
reaches the point "store-write" (in the middle of a post's transaction);
`index-commit` is the moment the index's new table of contents is about to replace the
old one; `worker-answer` is a distributed worker about to send what it found on a page;
`index-part` is a process of an index rebuild having added a post.
Unset, as it is for users, a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV_VAR = "BLOGARCHIVE_FAULT"
_reached: dict[str, int] = {}


def reach(point: str) -> None:
    spec = os.environ.get(ENV_VAR)
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != point:
        return
    _reached[point] = _reached.get(point, 0) + 1
    if _reached[point] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
