"""Parse time per page on the real-world dev set, blogarchive beside trafilatura.

Run: .venv/bin/python -m bench.parse [--rounds 5]

Both parse every page of ../shared/fixtures/realworld once per round, interleaved page by
page, so a noisy machine slows both alike. trafilatura runs `extract` with comments, the way
it would serve an archive; blogarchive runs `parse_page` (classification, post fields,
threaded comments, cleaned HTML).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from pathlib import Path

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "realworld"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import trafilatura

    from crawler.parsers import parse_page

    warnings.simplefilter("ignore")
    pages = json.loads((DEV / "expectations.json").read_text(encoding="utf-8"))["pages"]
    bodies = [(p["url"], (DEV / p["file"]).read_bytes()) for p in pages]
    ours: dict[int, list[float]] = {i: [] for i in range(len(bodies))}
    theirs: dict[int, list[float]] = {i: [] for i in range(len(bodies))}
    for _ in range(args.rounds):
        for i, (url, body) in enumerate(bodies):
            start = time.perf_counter()
            parse_page(url, body)
            ours[i].append(time.perf_counter() - start)
            start = time.perf_counter()
            trafilatura.extract(body, url=url, include_comments=True, with_metadata=True)
            theirs[i].append(time.perf_counter() - start)
    mine = sorted(statistics.median(v) * 1000 for v in ours.values())
    ref = sorted(statistics.median(v) * 1000 for v in theirs.values())

    def p90(values: list[float]) -> float:
        return statistics.quantiles(values, n=10)[-1]

    print(f"{len(bodies)} pages, {args.rounds} interleaved rounds; ms per page")
    print(f"{'parser':24} {'median':>8} {'p90':>8} {'total s':>8}")
    print(
        f"{'trafilatura 2.3 (ref)':24} {statistics.median(ref):8.1f} {p90(ref):8.1f}"
        f" {sum(ref) / 1000:8.2f}"
    )
    print(
        f"{'blogarchive parse_page':24} {statistics.median(mine):8.1f} {p90(mine):8.1f}"
        f" {sum(mine) / 1000:8.2f}"
    )
    ratio = statistics.median(mine) / statistics.median(ref)
    print(f"ratio blogarchive / trafilatura: median {ratio:.2f}, total {sum(mine) / sum(ref):.2f}")


if __name__ == "__main__":
    main()
