"""Shared fixtures: the sample blog on loopback, one crawl of it, a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_cli.sampleblog.serve import SampleSite, serve_sample_blog

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def cli_argv(archive: Path, *args: str, python_flags: tuple[str, ...] = ()) -> list[str]:
    """The command line of `blogarchive --archive ARCHIVE ARGS...` in a fresh interpreter."""
    return [
        sys.executable,
        *python_flags,
        "-m",
        "search_cli.main",
        "--archive",
        str(archive),
        *args,
    ]


def cli_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("BLOGARCHIVE_ARCHIVE", None)
    return env


def run_cli(
    archive: Path, *args: str, timeout: float = 300, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """`blogarchive --archive ARCHIVE ARGS...` in a fresh process, as a user would run it."""
    return subprocess.run(
        cli_argv(archive, *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        **{"env": cli_env(), **kwargs},  # type: ignore[arg-type]
    )


def start_cli(archive: Path, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    """`blogarchive --archive ARCHIVE ARGS...` started in the background (text pipes)."""
    options: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        cli_argv(archive, *args), cwd=ROOT, env=cli_env(), text=True, **{**options, **kwargs}
    )


def on_a_terminal(
    archive: Path, *args: str, stream: str = "stdout", env: dict[str, str] | None = None
) -> tuple[int, str]:
    """`blogarchive --archive ARCHIVE ARGS...` with stdout (or stderr) on a pseudo-terminal,
    as a person at a terminal runs it: the exit code and all it wrote there."""
    import pty

    leader, follower = pty.openpty()
    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: follower}
    proc = subprocess.Popen(
        cli_argv(archive, *args), cwd=ROOT, env={**cli_env(), **(env or {})}, **streams
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end is closed: the process has ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return proc.wait(timeout=120), seen.decode("utf-8", "replace")


@pytest.fixture(scope="session")
def sample_site() -> Iterator[SampleSite]:
    with serve_sample_blog() as site:
        yield site


@pytest.fixture(scope="session")
def crawled_archive(sample_site: SampleSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample blog crawled once, through the command line, into a fresh archive."""
    archive = tmp_path_factory.mktemp("archive")
    done = run_cli(archive, "crawl", sample_site.url, "--json")
    assert done.returncode == 0, done.stderr
    return archive


# Which test-bed sites this run brought up, and why the others could not start.
TESTBED_RAN: dict[str, object] = {}
TESTBED_MISSING: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TESTBED_RAN or TESTBED_MISSING:
        terminalreporter.write_line(f"test bed sites that ran: {', '.join(TESTBED_RAN) or 'none'}")
        for name, why in TESTBED_MISSING.items():
            terminalreporter.write_line(f"test bed site not available: {name}: {why}")


@pytest.fixture(scope="session")
def testbed() -> Iterator[dict[str, dict[str, str]]]:
    """The real engines of tests/testbed on loopback: started here unless already running."""
    from tests.testbed.bed import SITES, STATE, down, status, up

    was_running = set(status()) >= set(SITES)
    sites = up()
    problems_file = STATE / "problems.json"
    problems = json.loads(problems_file.read_text()) if problems_file.exists() else {}
    TESTBED_RAN.update(sites)
    TESTBED_MISSING.update(problems)
    sites = {**sites, **{f"!{name}": {"problem": why} for name, why in problems.items()}}
    yield sites
    if not was_running and not os.environ.get("BLOGARCHIVE_KEEP_TESTBED"):
        down()
