"""`blogarchive demo`, the README's first command: the sample blog crawled, indexed,
searched, and the reading room it points to."""

from __future__ import annotations

import json
import re
import shlex
import signal
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import run_cli, start_cli

pytestmark = pytest.mark.e2e


def test_demo_crawls_searches_and_ends_with_the_command_that_browses_it(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "demo")
    assert done.returncode == 0, done.stderr
    assert re.search(r"Archived \d+ new posts and pages with \d+ comments", done.stderr)
    # Every example search finds something.
    answers = done.stdout.split("\n$ blogarchive search ")[1:]
    assert len(answers) == 5
    assert all(re.search(r"^\d+ posts? match", a.split("\n", 1)[1]) for a in answers), answers
    browse = done.stderr.strip().splitlines()[-1]
    assert browse.startswith("Browse it:")
    argv = shlex.split(browse.split(":", 1)[1])
    assert argv[:3] == ["blogarchive", "--archive", str(tmp_path)]
    assert argv[3:] == ["serve", "--open"]
    proc = start_cli(tmp_path, "serve", "--port", "0")
    try:
        assert proc.stderr is not None
        url = re.search(r"http://127\.0\.0\.1:\d+/", proc.stderr.readline())
        assert url
        with urllib.request.urlopen(url.group(0) + "index.json", timeout=30) as reply:
            sites = json.loads(reply.read())["sites"]
        assert len(sites) == 1
        assert sites[0]["posts"] >= 30
        assert sites[0]["outcome"] == "finished"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
