"""Process plumbing for the test bed: installs, ports, servers, and stopping only our own."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path


class Unavailable(Exception):
    """This machine cannot run an engine; the reason is shown when tests skip."""


def run(cmd: list[str], **kwargs: object) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd[:3])} … failed ({done.returncode}):\n{done.stderr[-3000:]}"
        )
    return str(done.stdout)


# Sites are set up in threads; dpkg takes one install at a time.
APT = threading.Lock()


def ensure_apt(
    packages: list[str], check: list[str], files: list[str], probe: list[str] | None = None
) -> None:
    """Install Debian packages unless their commands, files and a probe command all work."""
    with APT:
        _ensure_apt(packages, check, files, probe)


def _ensure_apt(
    packages: list[str], check: list[str], files: list[str], probe: list[str] | None = None
) -> None:
    present = all(shutil.which(c) for c in check) and all(Path(f).exists() for f in files)
    if present and (probe is None or subprocess.run(probe, capture_output=True).returncode == 0):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Unavailable(
            f"needs {', '.join(packages)} from apt-get, and this is not root on Debian"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Debian starts services on install; ours run on private ports, so keep the stock ones off.
    policy = Path("/usr/sbin/policy-rc.d")
    ours = not policy.exists()
    if ours:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        if not list(Path("/var/lib/apt/lists").glob("*Packages*")):
            run(["apt-get", "update", "-qq"], env=env)
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env)
    finally:
        if ours:
            policy.unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read(1)
                return
        except (urllib.error.URLError, OSError) as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer: {exc}") from exc
            time.sleep(0.3)


def serve_static(state: Path, name: str, root: Path, port: int | None = None) -> str:
    """A static site on a loopback port, in a process of its own; returns its URL."""
    port = port or free_port()
    log = open(state / f"{name}-http.log", "ab")  # noqa: SIM115 - the server keeps it open
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            "--directory",
            str(root),
            str(port),
        ],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    (state / "pids").mkdir(exist_ok=True)
    (state / "pids" / name).write_text(str(proc.pid))
    url = f"http://127.0.0.1:{port}/"
    wait_http(url)
    return url


def stop_recorded(state: Path) -> None:
    """Stop the processes this test bed recorded, and nothing else."""
    pids = state / "pids"
    for pidfile in sorted(pids.glob("*")) if pids.exists() else ():
        try:
            pid = int(pidfile.read_text())
            os.killpg(pid, signal.SIGTERM)
            for _ in range(50):
                os.kill(pid, 0)
                time.sleep(0.1)
            os.killpg(pid, signal.SIGKILL)
        except (ValueError, ProcessLookupError, PermissionError):
            pass
        pidfile.unlink(missing_ok=True)
