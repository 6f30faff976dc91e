"""Whole-process time of `blogarchive search` on the demo archive, against baselines.

Run: .venv/bin/python -m bench.startup [--runs 21]

Baselines measured in the same run, interleaved with the measured command so that a noisy
machine slows all of them alike: a bare interpreter (`python -c pass`) and the import of
Scrapy's crawler module (what `search` would pay if it pulled in Scrapy and Twisted).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _crawl_demo_archive(archive: Path) -> None:
    from search_cli.sampleblog.serve import serve_sample_blog

    with serve_sample_blog() as site:
        subprocess.run(
            [sys.executable, "-m", "search_cli.main", "--archive", str(archive), "crawl", site.url],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp)
        _crawl_demo_archive(archive)
        py = sys.executable
        search = [py, "-m", "search_cli.main", "--archive", str(archive), "search", "kunden"]
        commands = {
            "python -c pass (baseline)": [py, "-c", "pass"],
            "blogarchive search kunden": search,
            "blogarchive search --json, filter": [
                *search,
                "--json",
                "--since",
                "2012",
                "--sort",
                "newest",
            ],
            "python -c 'import scrapy.crawler'": [py, "-c", "import scrapy.crawler"],
        }
        for cmd in commands.values():  # warm the file cache
            _time(cmd)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(_time(cmd))
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"{'command':40} {'median s':>9} {'p90 s':>7} {'× baseline':>11}")
    for name, values in times.items():
        med = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:40} {med:9.3f} {p90:7.3f} {med / base:11.2f}")
    print(f"({args.runs} interleaved runs each; demo archive of the bundled sample blog)")


if __name__ == "__main__":
    main()
