"""Score an export against a site's ground truth.

Usage: python -m tests.testbed.score TRUTH.jsonl EXPORT.jsonl [--json]

Prints post recall and precision, title/author/date accuracy, tag and category F1, text token
F1, comment precision and recall, reply-parent accuracy, how comments are held
(`external`, where the truth says), and image recall and precision (each
image of a post kept under its URL with the bytes of its file). URLs that must never be archived
(drafts, private posts; from the `.urls.json` beside TRUTH) are counted as `forbidden`.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

WORD = re.compile(r"\w+")


def tokens(text: str | None) -> Counter[str]:
    return Counter(w.casefold() for w in WORD.findall(text or ""))


def token_f1(a: str | None, b: str | None) -> float:
    ta, tb = tokens(a), tokens(b)
    if not ta and not tb:
        return 1.0
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    precision, recall = common / sum(tb.values()), common / sum(ta.values())
    return 2 * precision * recall / (precision + recall)


def _address(url: str) -> str:
    """A static site serves a folder and its index.html as one page, and names either."""
    return url[: -len("index.html")] if url.endswith("/index.html") else url


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _f1(truth: set[Any], got: set[Any]) -> float:
    if not truth and not got:
        return 1.0
    hit = len(truth & got)
    if not hit:
        return 0.0
    p, r = hit / len(got), hit / len(truth)
    return 2 * p * r / (p + r)


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def score(
    truth: list[dict[str, Any]], export: list[dict[str, Any]], never: list[str] | None = None
) -> dict[str, float]:
    want = {_address(t["url"]): t for t in truth}
    got = {_address(e["url"]): e for e in export}
    both = [u for u in want if u in got]
    posts = [u for u in both if want[u]["kind"] == "post"]

    def share(items: list[bool]) -> float:
        return sum(items) / len(items) if items else 1.0

    terms: dict[str, tuple[set[Any], set[Any]]] = {
        "tags": (set(), set()),
        "categories": (set(), set()),
    }
    for u in posts:
        for key, (t_set, g_set) in terms.items():
            t_set.update((u, n.casefold()) for n in want[u][key])
            g_set.update((u, n.casefold()) for n in got[u][key])
    c_truth, c_got, c_match, parents = 0, 0, 0, []
    for u in both:
        if want[u].get("protected"):
            continue
        t_comments = {c["id"]: c for c in want[u]["comments"]}
        g_comments = {c["id"]: c for c in got[u]["comments"]}
        c_truth += len(t_comments)
        c_got += len(g_comments)
        for cid, c in t_comments.items():
            g = g_comments.get(cid)
            if g is not None and token_f1(c["text"], g["text"]) >= 0.8:
                c_match += 1
                parents.append(g.get("parent_id") == c["parent_id"])
    # Images: every one the post shows kept with the right bytes, and nothing else (avatars,
    # theme files, the smaller sizes of srcset). Measured where the truth lists them.
    m_truth, m_got = set(), set()
    for u in both:
        if "media" not in want[u]:
            continue
        m_truth.update((u, m["url"], m["sha256"]) for m in want[u]["media"])
        m_got.update((u, m["url"], m["sha256"]) for m in got[u].get("media") or () if m["sha256"])
    m_match = len(m_truth & m_got)
    return {
        "media_recall": m_match / len(m_truth) if m_truth else 1.0,
        "media_precision": m_match / len(m_got) if m_got else 1.0,
        "post_recall": len(both) / len(want) if want else 1.0,
        "post_precision": len(both) / len(got) if got else 1.0,
        "kind": share([got[u].get("kind", "post") == want[u]["kind"] for u in both]),
        "title": share([got[u]["title"] == want[u]["title"] for u in both]),
        "author": share([got[u]["author"] == want[u]["author"] for u in posts]),
        "date": share(
            [_instant(got[u]["published"]) == _instant(want[u]["published"]) for u in posts]
        ),
        "tag_f1": _f1(*terms["tags"]),
        "category_f1": _f1(*terms["categories"]),
        "text_f1": _mean(
            [
                token_f1(want[u]["text"], got[u]["text"])
                for u in both
                if not want[u].get("protected")
            ]
        ),
        "comment_precision": c_match / c_got if c_got else 1.0,
        "comment_recall": c_match / c_truth if c_truth else 1.0,
        "reply_parent": share(parents),
        # Where the truth says how a post's comments are held (a script-loaded service).
        "comments_status": share(
            [
                got[u].get("comments_status") == want[u]["comments_status"]
                for u in both
                if "comments_status" in want[u]
            ]
        ),
        "forbidden": float(len(set(got) & {_address(n) for n in never or ()})),
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 1.0


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    truth_path, export_path = map(Path, args)
    urls = truth_path.with_name(truth_path.name.replace(".truth.jsonl", ".urls.json"))
    never = json.loads(urls.read_text())["never"] if urls.exists() else []
    result = score(load(truth_path), load(export_path), never)
    if "--json" in argv:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:18} {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
