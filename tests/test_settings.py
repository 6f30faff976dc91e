"""Nothing listens that need not: no telnet console, no remote-control server."""

from __future__ import annotations

import subprocess
import sys

from scrapy.settings import Settings

from tests.conftest import ROOT


def test_project_settings_turn_off_listening_extensions() -> None:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False


def test_scrapy_command_in_project_root_sees_them_off() -> None:
    """`scrapy` run from the repository root finds scrapy.cfg and our settings."""
    for name in ("REMOTE_CONTROL_ENABLED", "TELNETCONSOLE_ENABLED"):
        out = subprocess.run(
            [sys.executable, "-m", "scrapy", "settings", "--getbool", name],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        assert out.stdout.strip() == "False", (name, out.stdout, out.stderr)


def test_crawl_settings_keep_them_off_and_name_the_archive(tmp_path: object) -> None:
    from pathlib import Path

    from crawler.run import crawl_settings

    settings = crawl_settings(Path(str(tmp_path)), progress=False, log_level="WARNING")
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")
    assert not settings.getbool("TELNETCONSOLE_ENABLED")
    assert settings["ARCHIVE_DIR"] == str(tmp_path)
    assert settings.getbool("ROBOTSTXT_OBEY")
