"""Scheduled crawls: the timing rules, the commands, and the daemon's clean stop."""

from __future__ import annotations

import json
import signal
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.archive.errors import ArchiveError
from crawler.schedule import Timing, check_cron, parse_every
from search_cli.sampleblog.serve import SampleSite
from tests.conftest import run_cli, start_cli

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def test_intervals_and_cron_expressions() -> None:
    assert parse_every("6h") == 6 * 3600
    assert parse_every("1h30m") == 5400
    assert parse_every(" 1d ") == 86400
    for bad in ("", "6", "5x", "10s", "h6"):
        with pytest.raises(ArchiveError):
            parse_every(bad)
    assert check_cron("0  3 * * *") == "0 3 * * *"
    for bad in ("61 * * * *", "* * * *", "every day"):
        with pytest.raises(ArchiveError):
            check_cron(bad)


def test_next_runs_and_back_off() -> None:
    six = Timing(every=6 * 3600)
    assert six.next_after(T0) == T0 + timedelta(hours=6)
    assert six.after_run(T0, failures=0) == T0 + timedelta(hours=6)
    # A failing site waits twice as long each time, at most a day.
    assert six.after_run(T0, failures=1) == T0 + timedelta(hours=12)
    assert six.after_run(T0, failures=5) == T0 + timedelta(days=1)
    weekly = Timing(every=7 * 86400)
    assert weekly.after_run(T0, failures=3) == T0 + timedelta(days=7)  # never sooner
    nightly = Timing(cron="0 3 * * *")
    nxt = nightly.next_after(T0)
    assert nxt > T0
    assert nxt - T0 <= timedelta(days=1)
    assert nxt.astimezone().hour == 3
    assert nxt.astimezone().minute == 0


def _schedules(archive: Path) -> list[dict[str, Any]]:
    done = run_cli(archive, "schedule", "list", "--json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def test_schedule_commands_and_a_failing_site(tmp_path: Path, sample_site: SampleSite) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/"
    assert run_cli(tmp_path, "schedule", "add", sample_site.url, "--every", "6h").returncode == 0
    assert run_cli(tmp_path, "schedule", "add", dead, "--cron", "0 3 * * *").returncode == 0
    bad = run_cli(tmp_path, "schedule", "add", dead, "--every", "soon")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1
    assert "Cannot read the interval" in bad.stderr

    before = datetime.now(UTC)
    done = run_cli(tmp_path, "schedule", "run", "--once")
    assert done.returncode == 1  # one crawl failed
    rows = {r["url"]: r for r in _schedules(tmp_path)}
    good, failing = rows[sample_site.url], rows[dead]
    assert good["last_result"].startswith("ok: 35 new")
    assert good["failures"] == 0
    next_good = datetime.fromisoformat(good["next_run"])
    assert timedelta(hours=5, minutes=59) < next_good - before < timedelta(hours=6, minutes=5)
    assert failing["last_result"].startswith("failed: Could not fetch anything")
    assert failing["failures"] == 1
    # Nothing is due any more: a second run does nothing and succeeds.
    assert run_cli(tmp_path, "schedule", "run", "--once").returncode == 0
    assert {r["url"]: r["last_run"] for r in _schedules(tmp_path)} == {
        url: row["last_run"] for url, row in rows.items()
    }

    header, *lines = run_cli(tmp_path, "schedule", "list").stdout.splitlines()
    assert len(lines) == 2
    for column in ("EVERY", "NEXT RUN", "LAST RUN", "LAST RESULT"):
        at = header.index(column)  # every line's cell of that column starts there
        assert all(line[at - 2 : at] == "  " and line[at] != " " for line in lines), column
    assert run_cli(tmp_path, "schedule", "remove", dead).returncode == 0
    again = run_cli(tmp_path, "schedule", "remove", dead)
    assert again.returncode == 1
    assert "is not scheduled" in again.stderr
    assert [r["url"] for r in _schedules(tmp_path)] == [sample_site.url]


def test_sigterm_lets_the_running_crawl_finish(tmp_path: Path, sample_site: SampleSite) -> None:
    # Slowed down so that the signal arrives while the crawl runs.
    added = run_cli(tmp_path, "schedule", "add", sample_site.url, "--every", "1d", "--delay", "0.1")
    assert added.returncode == 0
    daemon = start_cli(tmp_path, "schedule", "run")
    lock = tmp_path / "crawl.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the crawl
    daemon.send_signal(signal.SIGTERM)
    _, err = daemon.communicate(timeout=180)
    assert daemon.returncode == 0, err
    assert "Stopping after the running crawl has finished." in err
    (row,) = _schedules(tmp_path)
    assert row["last_result"].startswith("ok: 35 new"), row  # the whole blog, not a part


def test_a_sites_file_schedules_every_blog_with_its_options(tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(
        '[[site]]\nurl = "https://blog.example/"\nmax-pages = 50\nignore-robots = true\n\n'
        '[[site]]\nurl = "https://zweiter.example/"\n',
        encoding="utf-8",
    )
    done = run_cli(
        tmp_path, "schedule", "add", "--sites", str(sites), "--every", "1d", "--delay", "2"
    )
    assert done.returncode == 0, done.stderr
    assert "Scheduled 2 blogs every" in done.stderr
    rows = {r["url"]: r["options"] for r in _schedules(tmp_path)}
    assert rows == {
        "https://blog.example/": {"delay": 2.0, "max_pages": 50, "ignore_robots": True},
        "https://zweiter.example/": {"delay": 2.0},
    }
    both = run_cli(
        tmp_path, "schedule", "add", "https://a.example/", "--sites", str(sites), "--every", "1d"
    )
    assert both.returncode == 2
