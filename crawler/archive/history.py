"""A post's history: what changed from one archived version to the next, and word diffs.

Pure functions over `Post` versions, shared by `blogarchive history`/`diff` and the reading
room, so that the terminal and the browser tell the same story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any, Literal

from crawler.archive.model import Post, iso

Op = Literal["=", "+", "-"]
# Words and the whitespace between them: the diff compares words, the output keeps spacing.
TOKEN = re.compile(r"\s+|[^\s]+")
# Paragraphs and the breaks between them (kept, as the split's odd items).
PARAGRAPH = re.compile(r"(\n\s*\n)")


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    post: Post

    @property
    def fetched(self) -> datetime | None:
        return self.post.fetched_at


@dataclass(frozen=True, slots=True)
class Changes:
    """What a version changed against the one before it (the first version: everything)."""

    title: bool = False
    words_added: int = 0
    words_removed: int = 0
    tags_added: tuple[str, ...] = ()
    tags_removed: tuple[str, ...] = ()
    categories_added: tuple[str, ...] = ()
    categories_removed: tuple[str, ...] = ()
    comments: int = 0  # comments now minus comments before
    other: tuple[str, ...] = field(default=())  # other fields that changed: author, dates…

    @property
    def any(self) -> bool:
        return bool(
            self.title
            or self.words_added
            or self.words_removed
            or self.tags_added
            or self.tags_removed
            or self.categories_added
            or self.categories_removed
            or self.comments
            or self.other
        )

    def summary(self) -> str:
        """One line for a person: "title, text +12 −3 words, tags +SEO, 2 more comments"."""
        parts = []
        if self.title:
            parts.append("title")
        if self.words_added or self.words_removed:
            parts.append(f"text +{self.words_added} −{self.words_removed} words")
        for name, added, removed in (
            ("tags", self.tags_added, self.tags_removed),
            ("categories", self.categories_added, self.categories_removed),
        ):
            if added or removed:
                terms = [f"+{t}" for t in added] + [f"−{t}" for t in removed]
                parts.append(f"{name} {' '.join(terms)}")
        if self.comments:
            n = abs(self.comments)
            parts.append(f"{n} {'more' if self.comments > 0 else 'fewer'} comment{'s' * (n != 1)}")
        parts.extend(self.other)
        return ", ".join(parts) or "nothing shown here (markup or metadata only)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": {"added": self.words_added, "removed": self.words_removed},
            "tags": {"added": list(self.tags_added), "removed": list(self.tags_removed)},
            "categories": {
                "added": list(self.categories_added),
                "removed": list(self.categories_removed),
            },
            "comments": self.comments,
            "other": list(self.other),
        }


OTHER_FIELDS = ("author", "published", "updated", "language", "kind", "comments_status")


def changes(
    before: Post | None, after: Post, text_runs: list[tuple[Op, str]] | None = None
) -> Changes:
    if before is None:
        return Changes(
            title=True,
            words_added=len(after.text.split()),
            tags_added=after.tags,
            categories_added=after.categories,
            comments=len(after.comments),
        )
    added = removed = 0
    for op, text in text_runs if text_runs is not None else word_diff(before.text, after.text):
        if op == "+":
            added += len(text.split())
        elif op == "-":
            removed += len(text.split())
    return Changes(
        title=before.title != after.title,
        words_added=added,
        words_removed=removed,
        tags_added=_new(after.tags, before.tags),
        tags_removed=_new(before.tags, after.tags),
        categories_added=_new(after.categories, before.categories),
        categories_removed=_new(before.categories, after.categories),
        comments=len(after.comments) - len(before.comments),
        other=tuple(f for f in OTHER_FIELDS if getattr(before, f) != getattr(after, f)),
    )


def _new(these: Iterable[str], than: Iterable[str]) -> tuple[str, ...]:
    old = set(than)
    return tuple(t for t in these if t not in old)


def version_dict(version: Version, changed: Changes) -> dict[str, Any]:
    """One line of a post's history as JSON (`history --json`, the reading room)."""
    return {
        "version": version.number,
        "fetched_at": iso(version.fetched),
        "title": version.post.title,
        "comments": len(version.post.comments),
        "changes": changed.to_dict(),
        "summary": "first archived" if version.number == 1 else changed.summary(),
    }


def history(versions: Iterable[tuple[int, Post]]) -> Iterator[tuple[Version, Changes]]:
    """Each version with what it changed against the version before it."""
    before: Post | None = None
    for number, post in versions:
        yield Version(number, post), changes(before, post)
        before = post


def word_diff(a: str, b: str) -> list[tuple[Op, str]]:
    """The words of `b` against those of `a`: runs kept ("="), added ("+") and removed ("-"),
    each run with its spacing, so that the "=" and "+" runs together spell `b`.

    Paragraphs are matched first and only the changed ones compared word by word: an edit
    to one paragraph of a long post costs what that paragraph costs, and a word never pairs
    with the same word in an unrelated paragraph."""
    left, right = PARAGRAPH.split(a), PARAGRAPH.split(b)
    out: list[tuple[Op, str]] = []
    blocks = SequenceMatcher(None, left[::2], right[::2], autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in blocks:
        # Paragraph i is left[2i]; the break after it is left[2i + 1].
        old, new = "".join(left[2 * i1 : 2 * i2]), "".join(right[2 * j1 : 2 * j2])
        if tag == "equal":
            _add(out, "=", new)
        else:
            for run in _words_diff(old, new):
                _add(out, *run)
    return out


def _add(out: list[tuple[Op, str]], op: Op, text: str) -> None:
    if not text:
        return
    if out and out[-1][0] == op:
        out[-1] = (op, out[-1][1] + text)
    else:
        out.append((op, text))


def _words_diff(a: str, b: str) -> list[tuple[Op, str]]:
    left, right = TOKEN.findall(a), TOKEN.findall(b)
    # Compare words only: whitespace tokens are everywhere and would pair words wrongly.
    words = [t.strip() or " " for t in left], [t.strip() or " " for t in right]
    out: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, *words, autojunk=False).get_opcodes():
        if tag == "equal":
            _add(out, "=", "".join(right[j1:j2]))
            continue
        if tag in ("delete", "replace"):
            _add(out, "-", "".join(left[i1:i2]))
        if tag in ("insert", "replace"):
            _add(out, "+", "".join(right[j1:j2]))
    return out


def by_paragraph(runs: list[tuple[Op, str]]) -> list[list[tuple[Op, str]]]:
    """The runs of a diff cut into paragraphs (at blank lines), each a list of runs."""
    paragraphs: list[list[tuple[Op, str]]] = [[]]
    for op, text in runs:
        pieces = PARAGRAPH.split(text)
        for n, piece in enumerate(pieces):
            if n % 2:  # a paragraph break: the next piece starts a new paragraph
                paragraphs.append([])
            elif piece:
                paragraphs[-1].append((op, piece))
    return [p for p in paragraphs if p]


def list_diff(a: Iterable[str], b: Iterable[str]) -> list[tuple[Op, str]]:
    """Terms (tags, categories) of `b` against `a`: kept, added and removed, in page order."""
    old, new = list(a), list(b)
    kept = set(old) & set(new)
    return [("=" if t in kept else "+", t) for t in new] + [("-", t) for t in old if t not in kept]


def diff_dict(a: Version, b: Version) -> dict[str, Any]:
    """The diff of two versions as JSON: title, text, tags and categories."""
    text = word_diff(a.post.text, b.post.text)
    changed = changes(a.post, b.post, text)
    return {
        "from": {"version": a.number, "fetched_at": iso(a.fetched)},
        "to": {"version": b.number, "fetched_at": iso(b.fetched)},
        "title": [list(run) for run in word_diff(a.post.title, b.post.title)],
        "text": [list(run) for run in text],
        "tags": [list(run) for run in list_diff(a.post.tags, b.post.tags)],
        "categories": [list(run) for run in list_diff(a.post.categories, b.post.categories)],
        "changes": changed.to_dict(),
        "summary": changed.summary(),
    }
