"""scrapy.cfg is a scrapyd deploy target: deploy with scrapyd-deploy to a real scrapyd on
loopback, schedule the spider through its JSON API, and find the posts in the archive."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_cli.sampleblog.serve import SampleSite
from tests.conftest import ROOT, cli_env, run_cli

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent
PROJECT_FILES = ("crawler", "indexer", "search_cli", "pyproject.toml", "setup.py", "scrapy.cfg")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _api(url: str, data: dict[str, str] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=10) as reply:
        answer: dict[str, Any] = json.loads(reply.read())
    return answer


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    if not (BIN / "scrapyd").exists():
        pytest.skip("scrapyd is not installed here (scripts/setup test installs it)")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n"
        "items_dir =\nmax_proc = 1\npoll_interval = 0.5\n"
    )
    proc = subprocess.Popen(
        [str(BIN / "scrapyd")],
        cwd=home,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            _api(url + "daemonstatus.json")
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("scrapyd did not start")
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_deploy_and_schedule_on_scrapyd(
    scrapyd: str, sample_site: SampleSite, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    cfg = project / "scrapy.cfg"
    cfg.write_text(cfg.read_text().replace("http://127.0.0.1:6800/", scrapyd))
    deployed = subprocess.run(
        [str(BIN / "scrapyd-deploy")],
        cwd=project,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert deployed.returncode == 0, deployed.stderr
    assert '"status": "ok"' in deployed.stdout + deployed.stderr
    assert "blog" in _api(scrapyd + "listspiders.json?project=blogarchive")["spiders"]

    archive = tmp_path / "archive"
    job = _api(
        scrapyd + "schedule.json",
        {
            "project": "blogarchive",
            "spider": "blog",
            "url": sample_site.url,
            "setting": f"ARCHIVE_DIR={archive}",
        },
    )["jobid"]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        jobs = _api(scrapyd + "listjobs.json?project=blogarchive")
        if any(j["id"] == job for j in jobs["finished"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the scrapyd job did not finish")

    stats = run_cli(archive, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert (figures["posts"], figures["pages"], figures["comments"]) == (33, 2, 66)
    found = run_cli(archive, "search", "Kundenbindung", "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["total"] > 0
