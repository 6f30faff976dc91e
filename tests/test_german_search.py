"""German search, measured by checks generated from text (tests/german_checks.py), not picked
by hand: inflected forms, compounds, ä/ae/ß/ss spellings and words found only in comments.

Sources: the test bed's corpus, the sample blog and the German pages of the real-world dev
sets. `python -m tests.german_checks` prints the same figures with the worst misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.german_checks import (
    CLASSES,
    Recall,
    build_archive,
    corpus_posts,
    devset_posts,
    generate,
    measure,
    report,
    sample_posts,
)

SOURCES = {"corpus": corpus_posts, "sample": sample_posts, "devsets": devset_posts}
TARGET = 0.95


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    total = {kind: Recall() for kind in CLASSES}
    archives: dict[str, tuple[Path, list]] = {}  # type: ignore[type-arg]
    for name, source in SOURCES.items():
        posts = source()
        if not posts:
            continue
        checks = generate(posts)
        archive = build_archive(tmp_path_factory.mktemp(name), posts)
        archives[name] = (archive, checks)
        for kind, r in measure(archive, checks).items():
            t = total[kind]
            t.found += r.found
            t.expected += r.expected
            t.queries += r.queries
            t.misses += r.misses
    print("\n" + report(total))
    return {"total": total, "archives": archives}


@pytest.mark.parametrize("kind", CLASSES)
def test_every_class_of_german_words_finds_its_posts(measured: dict, kind: str) -> None:  # type: ignore[type-arg]
    r = measured["total"][kind]
    assert r.queries >= 20, f"too few {kind} checks to measure: {r.queries}"
    assert r.rate >= TARGET, report({kind: r})


def test_a_word_ranks_its_own_posts_above_those_with_it_only_in_compounds(
    measured: dict,  # type: ignore[type-arg]
) -> None:
    from crawler.archive.model import post_id
    from indexer.search import search

    # Of every pair (a post holding the word in any form, a post holding it only inside a
    # compound), the share ranked in that order.
    pairs = kept = 0
    for archive, checks in measured["archives"].values():
        for check in checks:
            if check.kind != "compound" or not check.exact:
                continue
            ranked = [post_id(h.url) for h in search(archive, check.query, limit=1000).hits]
            own = [i for i, p in enumerate(ranked) if p in check.exact]
            only = [i for i, p in enumerate(ranked) if p in check.expect - check.exact]
            pairs += len(own) * len(only)
            kept += sum(a < b for a in own for b in only)
    assert pairs >= 1000
    assert kept / pairs >= TARGET, (kept, pairs)


def test_the_index_and_the_query_stem_a_word_alike() -> None:
    """A form finds its posts only if the query runs the analysis the index ran: for every
    word of the sample blog's German posts, the query's term is the indexed term."""
    import whoosh.query as wq

    from indexer.analysis import fast_terms
    from indexer.query import parse_query
    from indexer.schema import build_schema
    from tests.german_checks import words

    schema = build_schema()
    seen = set()
    for post in sample_posts():
        for word in words(f"{post.title}\n{post.text}"):
            if word.lower() in seen:
                continue
            seen.add(word.lower())
            indexed = fast_terms(word, "de")
            q = parse_query(word, schema, "posts")
            leaves = [t for t in q.leaves() if isinstance(t, wq.Term)]
            asked = {str(t.text) for t in leaves if t.fieldname == "body_de"}
            assert asked == set(indexed), (word, asked, indexed)
    assert len(seen) > 200


def test_the_de_ch_post_is_found_by_every_inflected_noun_of_its_text_and_comment(
    measured: dict,  # type: ignore[type-arg]
) -> None:
    """The sample blog's Swiss post (ss for ß, a tag line with empty entries, one comment by
    LD): each noun of its text or its comment, as written and as its base form, finds it."""
    from indexer.search import search
    from search_cli.sampleblog.content import load_posts
    from tests.german_checks import _post_id, kind_of, lemma, words

    post = next(p for p in load_posts() if p.lang == "de-CH")
    assert [c.author for c in post.comments] == ["LD"]
    assert "" in post.tag_line
    assert "" not in post.tags
    archive, _ = measured["archives"]["sample"]
    wanted = _post_id(f"http://sample.invalid/{post.slug}/")
    texts = {"all": " ".join([post.title, *post.body]), "comments": post.comments[0].text}
    missed = []
    for scope, text in texts.items():
        nouns = {w for w in words(text) if kind_of(lemma(w)) == "noun"}
        assert len(nouns) >= 5, (scope, nouns)
        for query in sorted(nouns | {lemma(w) for w in nouns}):
            hits = search(archive, query, scope=scope, limit=100).hits  # type: ignore[arg-type]
            if wanted not in {_post_id(h.url) for h in hits}:
                missed.append((scope, query))
    assert not missed, missed
