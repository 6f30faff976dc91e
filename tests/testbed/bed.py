"""Bring the test bed's sites up or down, idempotently; only our own processes are touched.

Usage: python -m tests.testbed [up|down|status]
       [--only wp-block,wp-classic,wp-live,pelican,hugo,jekyll,hexo,hexo-next,nikola]

`up` installs what is missing (Debian packages need root), builds the corpus, starts each
engine on its own loopback port, writes ground truth beside the state, and prints the URLs.
"""

from __future__ import annotations

import json
import shutil
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from tests.testbed import hexo, nikola, static_sites, wordpress
from tests.testbed.corpus import build_corpus, load_posts, write_media
from tests.testbed.procs import Unavailable, stop_recorded
from tests.testbed.truth import static_truth, wordpress_truth, write_truth

STATE = Path(__file__).resolve().parent.parent.parent / ".testbed"
SITES = (
    "wp-block",
    "wp-classic",
    "wp-live",
    "pelican",
    "hugo",
    "jekyll",
    "hexo",
    "hexo-next",
    "nikola",
)


def _alive(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except (urllib.error.URLError, OSError):
        return False


def status(state: Path = STATE) -> dict[str, Any]:
    path = state / "sites.json"
    sites = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {name: site for name, site in sites.items() if _alive(site["url"])}


def up(state: Path = STATE, only: tuple[str, ...] = SITES) -> dict[str, Any]:
    """Every site in `only` running, with truth files; reuses sites that already run."""
    running = status(state)
    if all(name in running for name in only):
        return running
    down(state)
    state.mkdir(parents=True, exist_ok=True)
    corpus = build_corpus()
    posts = load_posts(corpus)
    # The images the posts show, as files every engine publishes (WordPress as uploads).
    media = state / "media"
    shutil.rmtree(media, ignore_errors=True)
    write_media(posts, media)
    corpus["media_dir"] = str(media)
    corpus_file = state / "corpus.json"
    corpus_file.write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")
    sites: dict[str, Any] = {}
    problems: dict[str, str] = {}
    builds = {
        "pelican": static_sites.pelican_up,
        "hugo": static_sites.hugo_up,
        "jekyll": static_sites.jekyll_up,
        "hexo": partial(hexo.hexo_up, name="hexo"),
        "hexo-next": partial(hexo.hexo_up, name="hexo-next"),
        "nikola": nikola.nikola_up,
    }

    def static(name: str) -> None:
        try:
            site = builds[name](state, posts, media)
        except Unavailable as exc:
            problems[name] = str(exc)
            return
        public = Path(str(site.pop("public"))) if "public" in site else None
        records, urls = static_truth(posts, str(site["url"]), name, media, public)
        site["truth"] = str(write_truth(state, name, records, urls))
        sites[name] = site

    # Static sites build in threads beside WordPress's set-up (each build is a process of
    # its own; installs from apt are serialised by `procs.ensure_apt`). Hexo's npm packages
    # are installed once, before the two Hexo sites build from them.
    if {"hexo", "hexo-next"} & set(only):
        try:
            hexo.node_modules(state)
        except Unavailable as exc:
            problems["hexo"] = problems["hexo-next"] = str(exc)
    wanted = [n for n in builds if n in only and n not in problems]
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = [pool.submit(static, name) for name in wanted]
        if {"wp-block", "wp-classic", "wp-live"} & set(only):
            try:
                for name, site in wordpress.up(state, corpus_file).items():
                    records, urls = wordpress_truth(posts, site.pop("ids"), site["theme"], media)
                    site["truth"] = str(write_truth(state, name, records, urls))
                    sites[name] = site
            except Unavailable as exc:
                problems["wordpress"] = str(exc)
        for future in done:
            future.result()  # a build that failed outright fails the set-up, as before
    order = list(SITES)
    sites = dict(sorted(sites.items(), key=lambda item: order.index(item[0])))
    sites = {k: v for k, v in sites.items() if k in only}
    (state / "sites.json").write_text(json.dumps(sites, indent=1), encoding="utf-8")
    (state / "problems.json").write_text(json.dumps(problems, indent=1), encoding="utf-8")
    return sites


def down(state: Path = STATE) -> None:
    if (state / "apache.conf").exists() or (state / "mysql").exists():
        wordpress.down(state)
    stop_recorded(state)
    (state / "sites.json").unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    only = SITES
    if "--only" in argv:
        only = tuple(argv[argv.index("--only") + 1].split(","))
    if command == "up":
        sites = up(only=only)
        problems = (
            json.loads((STATE / "problems.json").read_text())
            if (STATE / "problems.json").exists()
            else {}
        )
        for name, reason in problems.items():
            print(f"{name}: not available here: {reason}", file=sys.stderr)
    elif command == "down":
        down()
        return 0
    elif command == "status":
        sites = status()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for name, site in sites.items():
        print(f"{name:11} {site['url']}  truth: {site['truth']}")
    return 0
