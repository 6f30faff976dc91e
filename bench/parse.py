"""Parse time and fidelity per page on the real-world dev sets, blogarchive beside
trafilatura.

Run: .venv/bin/python -m bench.parse [--rounds 5]

Both parse every page of ../shared/fixtures/realworld and realworld-more once per round,
interleaved page by page, so a noisy machine slows both alike. trafilatura runs `extract`
with comments and metadata, the way it would serve an archive; blogarchive runs
`parse_page` (classification, post fields, threaded comments, cleaned HTML). The fidelity
of each is scored on the same labels by the same rules as tests/test_realworld.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from typing import Any

from tests import realworld


def trafilatura_read(url: str, body: bytes) -> realworld.Read:
    import trafilatura

    out = trafilatura.extract(
        body, url=url, include_comments=True, with_metadata=True, output_format="json"
    )
    data: dict[str, Any] = json.loads(out) if out else {}
    return realworld.Read(
        data.get("title"),
        data.get("text") or "",
        data.get("comments") or "",
        (data.get("date") or "")[:10] or None,
    )


def _timing(rounds: int) -> None:
    from crawler.parsers import parse_page

    bodies = [
        (p["url"], (realworld.SETS[name] / p["file"]).read_bytes())
        for name in realworld.available()
        for p in realworld.pages(name)
    ]
    import trafilatura

    ours: dict[int, list[float]] = {i: [] for i in range(len(bodies))}
    theirs: dict[int, list[float]] = {i: [] for i in range(len(bodies))}
    for _ in range(rounds):
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

    print(f"{len(bodies)} pages, {rounds} interleaved rounds; ms per page")
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


def _fidelity() -> None:
    header = " ".join(f"{m:>16}" for m in realworld.MEASURES)
    print("fidelity (share of labels met; leaks: share of must_not_contain found)")
    print(f"{'':30}{header}")
    parsers = (("trafilatura 2.3", trafilatura_read), ("blogarchive", realworld.blogarchive))
    names = realworld.available()
    for name in names:
        for label, parse in parsers:
            rates, _ = realworld.score(name, parse)
            row = " ".join(f"{rates[m]:16.3f}" for m in realworld.MEASURES)
            print(f"{name + ' · ' + label:30}{row}")
    if len(names) > 1:  # labels met over labels of all sets, as the targets are stated
        for label, parse in parsers:
            rates = realworld.together(names, parse)
            row = " ".join(f"{rates[m]:16.3f}" for m in realworld.MEASURES)
            print(f"{'both sets · ' + label:30}{row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    _fidelity()
    _timing(args.rounds)


if __name__ == "__main__":
    main()
