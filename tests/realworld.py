"""Scoring a parser on the real-world dev sets (../shared/fixtures/realworld and
realworld-more): the share of labels it meets, by the sets' own matching rules (text
compared after NFKC, invisible characters dropped, white space folded).

`tests/test_realworld.py` holds blogarchive to floors with it; `bench/parse.py` scores
trafilatura beside it in the same run.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The shared folder beside the repository (no pytest here: bench/parse.py runs this too).
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SETS = {
    "realworld": SHARED / "fixtures" / "realworld",
    "realworld-more": SHARED / "fixtures" / "realworld-more",
}
MEASURES = ("must_contain", "leaks", "comment_snippets", "dates", "titles")
OVERRIDES = Path(__file__).resolve().parent / "realworld_overrides.json"


@dataclass(frozen=True, slots=True)
class Read:
    """What a parser made of a page, in the terms the labels speak of."""

    title: str | None
    text: str
    comments: str
    published: str | None  # YYYY-MM-DD as the page states it


Parser = Callable[[str, bytes], Read]


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
    return " ".join(text.split())


def pages(name: str) -> list[dict[str, Any]]:
    """The set's pages with their labels, corrected where `realworld_overrides.json` says."""
    data = json.loads((SETS[name] / "expectations.json").read_text(encoding="utf-8"))
    fixes = json.loads(OVERRIDES.read_text(encoding="utf-8")).get(name, {})
    out = []
    for page in data["pages"]:
        fix = fixes.get(page["id"], {})
        if "title" in fix:
            page = {**page, "title": {"value": fix["title"], "source": "override"}}
            page["title_alternates"] = []
        if "published" in fix:
            page = {**page, "published": {"value": fix["published"], "source": "override"}}
        if allowed := set(fix.get("not_leaks", ())):
            # Text the field rules keep (an image caption), or words the post's own text
            # holds too, labelled as boilerplate.
            page = {
                **page,
                "must_not_contain": [
                    i for i in page["must_not_contain"] if i["text"] not in allowed
                ],
            }
        if moved := set(fix.get("in_comments", ())):
            # Text of a comment labelled as the post's: comments are records of their own.
            page = {
                **page,
                "must_contain": [i for i in page["must_contain"] if i["text"] not in moved],
                "comment_snippets": [
                    *(page.get("comment_snippets") or []),
                    *({"text": t, "source": "override"} for t in sorted(moved)),
                ],
            }
        out.append(page)
    return out


def available() -> list[str]:
    return [name for name, folder in SETS.items() if (folder / "expectations.json").exists()]


def blogarchive(url: str, body: bytes) -> Read:
    from crawler.parsers import parse_page

    post = parse_page(url, body).post
    if post is None:
        return Read(None, "", "", None)
    return Read(
        post.title,
        post.text,
        " ".join(c.text for c in post.comments),
        post.published.isoformat()[:10] if post.published else None,
    )


def score(name: str, parse: Parser) -> tuple[dict[str, float], dict[str, list[str]]]:
    """The set's rates per measure, and per measure the ids of the pages that missed."""
    counts, misses = tally(name, parse)
    return _rates(counts), misses


def together(names: list[str], parse: Parser) -> dict[str, float]:
    """The rates of several sets as one: labels met over labels, not a mean of rates."""
    sums = {k: [0, 0] for k in MEASURES}
    for name in names:
        for key, (ok, total) in tally(name, parse)[0].items():
            sums[key][0] += ok
            sums[key][1] += total
    return _rates(sums)


def _rates(counts: dict[str, list[int]]) -> dict[str, float]:
    return {k: ok / max(total, 1) for k, (ok, total) in counts.items()}


def tally(name: str, parse: Parser) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    """Per measure the labels met and the labels, and the ids of the pages that missed."""
    counts = {k: [0, 0] for k in MEASURES}
    misses: dict[str, list[str]] = {k: [] for k in MEASURES}

    def count(key: str, ok: bool, page: dict[str, Any], bad: bool = False) -> None:
        counts[key][0] += ok
        counts[key][1] += 1
        if ok == bad:
            misses[key].append(page["id"])

    folder = SETS[name]
    for page in pages(name):
        read = parse(page["url"], (folder / page["file"]).read_bytes())
        text, comments = norm(read.text), norm(read.comments)
        for item in page["must_contain"]:
            count("must_contain", norm(item["text"]) in text, page)
        for item in page["must_not_contain"]:
            count("leaks", norm(item["text"]) in text, page, bad=True)
        for item in page["comment_snippets"]:
            count("comment_snippets", norm(item["text"]) in comments, page)
        if page["published"]:
            count("dates", read.published == page["published"]["value"], page)
        if page["title"]:
            titles = {norm(t) for t in [page["title"]["value"], *page.get("title_alternates", [])]}
            count("titles", read.title is not None and norm(read.title) in titles, page)
    return counts, misses
