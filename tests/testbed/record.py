"""Record representative pages of each running test-bed site into tests/fixtures/, with the
truth for each, so parser tests run in milliseconds without the engines.

Usage: python -m tests.testbed up && python -m tests.testbed.record [SITE ...]
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from tests.testbed.bed import status
from tests.testbed.score import load

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _cases(truth: list[dict[str, Any]], home: str) -> dict[str, dict[str, Any]]:
    posts = [t for t in truth if t["kind"] == "post" and not t.get("protected")]
    cases = {
        "post-many-comments": max(posts, key=lambda t: len(t["comments"])),
        "post-rich-body": next(t for t in posts if "Schaufenster im Herbst" in t["text"]
                               and "\n" in t["text"] and t["tags"]),
        "page": next(t for t in truth if t["kind"] == "page"),
        "listing": {"url": home, "kind": "listing"},
    }  # fmt: skip
    protected = [t for t in truth if t.get("protected")]
    if protected:
        cases["post-protected"] = protected[0]
    return cases


def record(only: tuple[str, ...] = ()) -> list[Path]:
    written = []
    for name, site in status().items():
        if only and name not in only:
            continue
        truth = load(Path(site["truth"]))
        for case, expected in _cases(truth, site["url"]).items():
            with urllib.request.urlopen(expected["url"], timeout=30) as response:
                body = response.read()
            page = FIXTURES / "pages" / name / f"{case}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_bytes(body)
            want = FIXTURES / "expected" / name / f"{case}.json"
            want.parent.mkdir(parents=True, exist_ok=True)
            want.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")  # fmt: skip
            written.append(page)
    return written


if __name__ == "__main__":
    import sys

    for path in record(tuple(sys.argv[1:])):
        print(path)
