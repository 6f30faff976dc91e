"""Crawl throughput on a static blog served by nginx on loopback, beside two bare spiders.

Run: .venv/bin/python -m bench.crawl [--posts 5000] [--images 3] [--rounds 3]

Each round runs, one after another, in fresh processes with the same Scrapy concurrency and
no throttling: (a) a bare Scrapy spider that only downloads every post, (b) the same spider
parsing each page once with BeautifulSoup's lxml builder, and (c) `crawl_blog`, blogarchive's
whole crawl (discovery, parsing, comments, the SQLite archive with raw pages), with
`--media none` and with `--media images` (each post shows --images pictures of about 45 KB,
in two sizes of which the larger is fetched). Medians over the rounds; ratios are (c) to (a)
and (c) to (b) in the same run. Wall-clock pages per second and pages per CPU-second (the
crawling process alone; nginx runs beside it), bytes downloaded and the store's size.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
COMMON = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "LOG_LEVEL": "ERROR",
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _site(posts: int, base: str, images: int) -> tuple[Path, list[str]]:
    from bench.crawlsite import build

    root = OUT / f"crawlblog-{posts}" if not images else OUT / f"crawlblog-{posts}-{images}img"
    marker = root / "urls.json"
    if marker.exists() and json.loads(marker.read_text())["base"] == base:
        return root, json.loads(marker.read_text())["urls"]
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    urls = build(root, base, posts, images=images)
    marker.write_text(json.dumps({"base": base, "urls": urls}))
    return root, urls


def _nginx(
    root: Path, port: int, access_log: Path | None = None, prefix: Path = OUT / "nginx"
) -> subprocess.Popen[bytes]:
    """nginx serving `root` on a loopback port; with `access_log`, every request URI there."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    logging = (
        f"log_format paths '$request_uri'; access_log {access_log} paths;"
        if access_log
        else "access_log off;"
    )
    temps = " ".join(
        f"{name}_temp_path {prefix / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"worker_processes 1; daemon off; pid {prefix / 'nginx.pid'};"
        f" error_log {prefix / 'error.log'}; {'user root;' if _is_root() else ''}"
        " events { worker_connections 1024; }"
        f" http {{ {logging} sendfile on; keepalive_timeout 65; default_type text/html;"
        " types { text/html html; application/xml xml; text/plain txt; image/jpeg jpg; }"
        f" {temps}"
        f" server {{ listen 127.0.0.1:{port}; root {root}; index index.html; }} }}\n"
    )
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(prefix)])
    _wait(port)
    return proc


def _python_server(root: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait(port)
    return proc


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


def _wait(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"the blog server on port {port} did not start")


def _measure(argv: list[str]) -> tuple[float, float, dict[str, object]]:
    """Wall and CPU seconds of one child process, and what it printed (JSON)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[3:5])} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(done.stdout.strip().splitlines()[-1])


# --- the runners, each in its own process ------------------------------------------------


def run_bare(urls_file: str, soup: bool) -> None:
    from scrapy import Request, Spider
    from scrapy.crawler import CrawlerProcess

    urls = json.loads(Path(urls_file).read_text())["urls"]
    pages = {"n": 0}

    class Bare(Spider):
        name = "bare"

        async def start(self):  # type: ignore[no-untyped-def]
            for url in urls:
                yield Request(url, callback=self.parse)

        def parse(self, response, **kwargs):  # type: ignore[no-untyped-def]
            if soup:
                from bs4 import BeautifulSoup

                BeautifulSoup(response.body, "lxml")
            pages["n"] += 1

    process = CrawlerProcess({**COMMON, "ROBOTSTXT_OBEY": False})
    process.crawl(Bare)
    process.start()
    print(json.dumps({"pages": pages["n"]}))


def run_ours(site: str, archive: str, media: str) -> None:
    from crawler.archive.paths import store_path
    from crawler.run import crawl_blog

    report = crawl_blog(site, Path(archive), **COMMON, MEDIA=media)  # type: ignore[arg-type]
    store = store_path(Path(archive))
    size = sum(p.stat().st_size for p in store.parent.glob(store.name + "*"))
    print(
        json.dumps(
            {
                "pages": report.posts_new,
                "requests": report.requests,
                "bytes": report.bytes,
                "store": size,
                "images": report.media.get("new", 0),
            }
        )
    )


# --- the driver --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--images", type=int, default=3, help="pictures per post")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--run", choices=["fetch", "soup", "ours"], help=argparse.SUPPRESS)
    parser.add_argument("--arg", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run in ("fetch", "soup"):
        run_bare(args.arg[0], soup=args.run == "soup")
        return
    if args.run == "ours":
        run_ours(*args.arg)
        return

    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    root, urls = _site(args.posts, base, args.images)
    server = "nginx"
    proc = None
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        try:
            proc = _nginx(root, port)
        except SystemExit:
            proc = None
    if proc is None:
        server = "python -m http.server (nginx is not installed)"
        proc = _python_server(root, port)
    me = [sys.executable, "-m", "bench.crawl"]
    results: dict[str, list[tuple[float, float]]] = {
        "fetch": [], "soup": [], "none": [], "images": []
    }  # fmt: skip
    facts: dict[str, dict[str, object]] = {}
    try:
        for _ in range(args.rounds):
            for kind in ("fetch", "soup"):
                wall, cpu, out = _measure([*me, "--run", kind, "--arg", str(root / "urls.json")])
                assert out["pages"] == len(urls), out
                results[kind].append((wall, cpu))
            for media in ("none", "images"):
                with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
                    wall, cpu, out = _measure([*me, "--run", "ours", "--arg", base, tmp, media])
                    assert out["pages"] == len(urls), out
                    if media == "images":
                        assert out["images"] == len(urls) * args.images, out
                    results[media].append((wall, cpu))
                    facts[media] = out
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    n = len(urls)

    def rates(kind: str) -> tuple[float, float]:
        wall = statistics.median(w for w, _ in results[kind])
        cpu = statistics.median(c for _, c in results[kind])
        return n / wall, n / cpu

    names = {
        "fetch": "(a) bare Scrapy, download only",
        "soup": "(b) bare Scrapy + BeautifulSoup(lxml) once",
        "none": "(c) blogarchive crawl_blog, --media none",
        "images": f"(c) blogarchive crawl_blog, {args.images} images a post",
    }
    print(f"{n} posts served by {server}; {args.rounds} rounds; medians")
    print("| spider | posts/s | posts/CPU-s | requests a post | MB downloaded | store MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind, name in names.items():
        wall_rate, cpu_rate = rates(kind)
        fact = facts.get(kind)
        extra = (
            f" {int(fact['requests']) / n:.2f} | {int(fact['bytes']) / 1e6:.0f} |"  # type: ignore[call-overload]
            f" {int(fact['store']) / 1e6:.0f} |"  # type: ignore[call-overload]
            if fact
            else " | | |"
        )
        print(f"| {name} | {wall_rate:.1f} | {cpu_rate:.1f} |{extra}")
    fetch, soup = rates("fetch"), rates("soup")
    for kind in ("none", "images"):
        ours = rates(kind)
        print(
            f"ratio {kind} (c)/(a): {ours[0] / fetch[0]:.2f} wall, {ours[1] / fetch[1]:.2f} CPU;"
            f" (c)/(b): {ours[0] / soup[0]:.2f} wall, {ours[1] / soup[1]:.2f} CPU"
        )
    if "images" in facts and "none" in facts:
        grow = int(facts["images"]["store"]) - int(facts["none"]["store"])  # type: ignore[call-overload]
        print(f"store size per 1,000 posts with images: +{grow / n * 1000 / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
