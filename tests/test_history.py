"""A post's history: what each version changed, and word diffs that spell both texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crawler.archive.history import by_paragraph, changes, history, list_diff, word_diff
from crawler.archive.model import Comment, Post

WORDS = st.sampled_from(["Kunden", "Laden", "und", "die", "Newsletter", "größer", "ss", "a"])
PARAGRAPHS = st.lists(st.lists(WORDS, min_size=1, max_size=12).map(" ".join), max_size=8)
TEXTS = PARAGRAPHS.map("\n\n".join)


@given(TEXTS, TEXTS)
def test_the_kept_and_added_runs_spell_the_new_text(a: str, b: str) -> None:
    runs = word_diff(a, b)
    assert "".join(t for op, t in runs if op != "-") == b
    # The old text's words are the kept and removed runs' words, in order.
    assert " ".join(t for op, t in runs if op != "+").split() == a.split()
    assert all(op in "=+-" and t for op, t in runs)


@given(TEXTS)
def test_a_text_against_itself_is_one_kept_run(a: str) -> None:
    assert word_diff(a, a) == ([("=", a)] if a else [])


def test_an_edit_in_one_paragraph_marks_only_its_words() -> None:
    a = "Erster Absatz bleibt.\n\nZweiter Absatz mit Kunden.\n\nDritter bleibt."
    b = "Erster Absatz bleibt.\n\nZweiter Absatz mit neuen Kunden.\n\nDritter bleibt."
    runs = word_diff(a, b)
    assert [(op, t.strip()) for op, t in runs if op != "="] == [("+", "neuen")]
    paragraphs = by_paragraph(runs)
    assert len(paragraphs) == 3
    assert [any(op != "=" for op, _ in p) for p in paragraphs] == [False, True, False]


def test_a_word_does_not_pair_with_its_twin_in_another_paragraph() -> None:
    a = "Kunden kommen.\n\nDer Laden schliesst."
    b = "Der Laden öffnet.\n\nKunden kommen.\n\nDer Laden schliesst."
    assert word_diff(a, b)[0] == ("+", "Der Laden öffnet.\n\n")


def test_changes_summarise_what_a_version_did() -> None:
    one = Post(url="https://b.example/p/", title="T", text="a b c", tags=("x", "y"))
    two = one.with_(
        text="a b c d e",
        tags=("y", "z"),
        comments=(Comment("1", "hallo"),),
        author="LD",
    )
    c = changes(one, two)
    assert (c.words_added, c.words_removed, c.title) == (2, 0, False)
    assert (c.tags_added, c.tags_removed, c.comments, c.other) == (("z",), ("x",), 1, ("author",))
    assert c.summary() == "text +2 −0 words, tags +z −x, 1 more comment, author"
    assert changes(two, two).any is False
    listed = list(history([(1, one), (2, two)]))
    assert [v.number for v, _ in listed] == [1, 2]
    assert listed[0][1].words_added == 3  # the first version: everything is new


def test_terms_keep_page_order_and_show_removed_last() -> None:
    assert list_diff(["a", "b", "c"], ["c", "d", "a"]) == [
        ("=", "c"),
        ("+", "d"),
        ("=", "a"),
        ("-", "b"),
    ]
