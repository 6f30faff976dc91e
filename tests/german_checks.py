"""German search checks generated from text, not picked by hand.

From German posts (the test bed's corpus, the sample blog, the real-world dev sets' German
pages) this module derives queries and the posts each must find, by class:

- inflection: word forms grouped by lemma (simplemma, here only: the search itself never
  sees a lemmatizer, so the check is not the thing it checks); every form must find every
  post that holds any form of its lemma. Nouns and verbs separately.
- compound: a noun that is the last part of a longer noun of the corpus must find the
  posts holding that compound.
- transliteration: a word with ä, ö, ü or ß, written with ae, oe, ue or ss (and as written),
  must find every post holding it in any of these spellings.
- comments: word forms that occur only in comments, searched with `--in comments`.

`python -m tests.german_checks` prints the recall of each class with the worst misses.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

from crawler.archive.model import Comment, Post
from indexer.analysis import GERMAN_STOP, WORD, fold, german_stem

WORD_RE = re.compile(WORD)
CLASSES = ("noun", "verb", "compound", "transliteration", "comments")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
# A lemma with more forms than this is most likely two words simplemma took for one.
MAX_FORMS = 12


@dataclass(frozen=True)
class Check:
    kind: str
    query: str
    expect: frozenset[str]  # post ids
    scope: str = "all"
    # compound checks: posts holding the word itself, in any form, which rank first
    exact: frozenset[str] = frozenset()


@dataclass
class Recall:
    found: int = 0
    expected: int = 0
    queries: int = 0
    misses: list[tuple[str, int, int]] = field(default_factory=list)  # query, found, expected

    @property
    def rate(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def words(text: str) -> Iterator[str]:
    """The words of a text a search may be asked for: letters only, three or more."""
    for w in WORD_RE.findall(text):
        if len(w) >= 3 and w.isalpha() and w.lower() not in GERMAN_STOP:
            yield w


@cache
def lemma(word: str) -> str:
    import simplemma

    return str(simplemma.lemmatize(word, lang="de"))


@lru_cache(maxsize=1)
def _stop_lemmas() -> frozenset[str]:
    return frozenset(lemma(w) for w in GERMAN_STOP) | frozenset(GERMAN_STOP)


def kind_of(lem: str) -> str | None:
    """simplemma writes a noun's lemma capitalised and a verb's as its infinitive."""
    if lem[:1].isupper():
        return "noun"
    if re.search(r"[^aeiouäöü](en|ern|eln)$", lem):
        return "verb"
    return None


def _forms(posts: list[Post], part: str) -> dict[str, dict[str, set[str]]]:
    """lemma → form → ids of the posts holding it (in `part`: "body" or "comments")."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for post in posts:
        text = (
            f"{post.title}\n{post.text}"
            if part == "body"
            else "\n".join(c.text for c in post.comments)
        )
        for w in set(words(text)):
            out[lemma(w)][w].add(post.id)
    return out


def _inflection_checks(
    groups: dict[str, dict[str, set[str]]], kind: str, scope: str, rng: random.Random, cap: int
) -> list[Check]:
    chosen = []
    for lem, forms in groups.items():
        if kind_of(lem) != (kind if kind != "comments" else kind_of(lem)) or not kind_of(lem):
            continue
        spellings = {f.lower() for f in forms}
        # A function word (haben, können, müssen: hat, kann, muss) has a stop word among its
        # forms: its commonest forms are never indexed, so its group is no search a reader
        # makes.
        if not 1 < len(spellings) <= MAX_FORMS or lem in _stop_lemmas():
            continue
        chosen.append(lem)
    chosen.sort()
    if len(chosen) > cap:
        chosen = sorted(rng.sample(chosen, cap))
    out = []
    for lem in chosen:
        forms = groups[lem]
        expect = frozenset(set().union(*forms.values()))
        seen = set()
        for form in sorted(forms):
            if form.lower() not in seen:
                seen.add(form.lower())
                out.append(Check(kind, form, expect, scope))
    return out


def _compound_checks(
    groups: dict[str, dict[str, set[str]]],
    rng: random.Random,
    cap: int,
    comments: dict[str, dict[str, set[str]]] | None = None,
) -> list[Check]:
    nouns: dict[str, set[str]] = defaultdict(set)  # lower-case form → posts
    for lem, forms in groups.items():
        if kind_of(lem) == "noun":
            for form, ids in forms.items():
                if form[:1].isupper():
                    nouns[form.lower()] |= ids
    stems = _word_bases(groups)
    by_ending: dict[str, set[str]] = defaultdict(set)
    for word in nouns:
        for cut in range(MIN_MODIFIER, len(word) - 3):
            if _is_modifier(word[:cut], stems):
                by_ending[word[cut:]].add(word)
    heads = sorted(w for w in nouns if len(w) >= 4 and by_ending.get(w))
    if len(heads) > cap:
        heads = sorted(rng.sample(heads, cap))
    # A post holds the word itself in any of its forms: of its lemma (Absicht, Absichten),
    # or one the stemmer joins to it (Besitzer, besitzen): those rank with the word.
    # A search looks in comments too.
    by_stem: dict[str, set[str]] = defaultdict(set)
    for source in (groups, comments or {}):
        for forms in source.values():
            for form, ids in forms.items():
                by_stem[german_stem(form.lower())] |= ids
    out = []
    for head in heads:
        compounds = by_ending[head]
        expect = frozenset(set().union(*(nouns[c] for c in compounds)))
        own = set(nouns[head]) | by_stem[german_stem(head)]
        for source in (groups, comments or {}):
            for ids in source.get(lemma(head.capitalize()), {}).values():
                own |= ids
        out.append(Check("compound", head.capitalize(), expect, exact=frozenset(own)))
    return out


# A compound's first part is a word, perhaps with a linking element
# (Kunde-n-daten, Geburt-s-tag) or as a verb's stem (Wohn-zimmer from wohnen): a split
# anywhere else is no compound ("Zw-ecke", "Verwendungszw-ecke").
MIN_MODIFIER = 3
ENDINGS = ("", "e", "en", "n", "er", "ern", "el", "eln", "es", "s", "ens")


def _word_bases(groups: dict[str, dict[str, set[str]]]) -> set[str]:
    out = set()
    for forms in groups.values():
        for form in forms:
            w = form.lower()
            out |= {w[: len(w) - len(e)] for e in ENDINGS if w.endswith(e)}
    return {b for b in out if len(b) >= MIN_MODIFIER}


def _is_modifier(part: str, bases: set[str]) -> bool:
    """A word of the corpus or of simplemma's German dictionary, as written or less an
    ending (Straße-n-fest: "Straßen" is known even where the corpus says only "Straßenfest")."""
    import simplemma

    for e in ENDINGS:
        if part.endswith(e):
            base = part[: len(part) - len(e)]
            if len(base) >= MIN_MODIFIER and (
                base in bases or simplemma.is_known(base.capitalize(), lang="de")
            ):
                return True
    return False


def spellings(word: str) -> set[str]:
    """A word as written and with ä/ö/ü and ß spelt out (ae, oe, ue; ss), each alone too."""
    out = {word, word.translate(UMLAUTS), word.replace("ß", "ss")}
    out.add(word.translate(UMLAUTS).replace("ß", "ss"))
    return out


def _transliteration_checks(posts: list[Post], rng: random.Random, cap: int) -> list[Check]:
    holders: dict[str, set[str]] = defaultdict(set)  # folded word → posts
    written: dict[str, set[str]] = defaultdict(set)  # folded word → spellings seen
    for post in posts:
        for w in set(words(f"{post.title}\n{post.text}")):
            holders[fold(w.lower())].add(post.id)
            written[fold(w.lower())].add(w)
    keys = sorted(k for k, ws in written.items() if any(set(w) & set("äöüßÄÖÜ") for w in ws))
    if len(keys) > cap:
        keys = sorted(rng.sample(keys, cap))
    out = []
    for key in keys:
        queries = set().union(*(spellings(w) for w in written[key]))
        out += [Check("transliteration", q, frozenset(holders[key])) for q in sorted(queries)]
    return out


def generate(posts: list[Post], cap: int = 400, seed: int = 1) -> list[Check]:
    """Every class's checks over these posts; at most `cap` lemmas (words) a class, drawn
    with a fixed seed so the same posts always give the same checks."""
    rng = random.Random(seed)
    body = _forms(posts, "body")
    in_comments = _forms(posts, "comments")
    only_comments = {
        lem: forms
        for lem, forms in in_comments.items()
        if lem not in body and not any(f in body.get(lemma(f), {}) for f in forms)
    }
    return [
        *_inflection_checks(body, "noun", "all", rng, cap),
        *_inflection_checks(body, "verb", "all", rng, cap),
        *_compound_checks(body, rng, cap, in_comments),
        *_transliteration_checks(posts, rng, cap),
        *_inflection_checks(only_comments, "comments", "comments", rng, cap),
    ]


def measure(archive: Path, checks: Iterable[Check]) -> dict[str, Recall]:
    """Each class's recall: of the (query, post) pairs the checks expect, the share found."""
    from indexer.search import search_ids

    out = {k: Recall() for k in CLASSES}
    for check in checks:
        if check.scope == "comments":
            found = set(_ids(archive, check.query))
        else:
            found = set(search_ids(archive, check.query))
        hit = len(found & check.expect)
        r = out[check.kind]
        r.found += hit
        r.expected += len(check.expect)
        r.queries += 1
        if hit < len(check.expect):
            r.misses.append((check.query, hit, len(check.expect)))
    return out


def _ids(archive: Path, query: str) -> list[str]:
    from indexer.search import search

    result = search(archive, query, scope="comments", limit=1000)
    return [_post_id(hit.url) for hit in result.hits]


def _post_id(url: str) -> str:
    from crawler.archive.model import post_id

    return post_id(url)


# --- the German posts -------------------------------------------------------------------


def corpus_posts() -> list[Post]:
    """The test bed's corpus: its published German posts with their approved comments."""
    from tests.testbed.corpus import TZ, build_corpus, load_posts

    out = []
    for p in load_posts(build_corpus()):
        if p.lang != "de" or p.status != "publish" or p.password:
            continue
        comments = tuple(
            Comment(str(c.id), c.text, author=c.author, published=datetime.fromisoformat(c.date))
            for c in p.visible_comments
        )
        out.append(
            Post(
                url=f"http://testbed.invalid/{p.slug}/",
                title=p.title,
                text=p.text,
                language="de",
                published=datetime.fromisoformat(p.date).astimezone(TZ),
                comments=comments,
                site="http://testbed.invalid/",
            )
        )
    return out


def sample_posts() -> list[Post]:
    """The sample blog's German posts, their source lines as text."""
    from search_cli.sampleblog.content import load_posts

    out = []
    for p in load_posts():
        if not p.lang.startswith("de"):
            continue
        text = "\n".join(re.sub(r"^(#+ |- |> |!img \S+ \| ?)", "", line) for line in p.body)
        comments = tuple(Comment(c.id, c.text, author=c.author) for c in p.comments)
        out.append(
            Post(
                url=f"http://sample.invalid/{p.slug}/",
                title=p.title,
                text=text,
                language="de",
                published=p.published,
                comments=comments,
                site="http://sample.invalid/",
            )
        )
    return out


def devset_posts() -> list[Post]:
    """The German pages of the real-world dev sets, as blogarchive parses them."""
    from crawler.parsers import parse_page
    from tests.realworld import SETS, available, pages

    out = []
    for name in available():
        for page in pages(name):
            if page.get("language") != "de":
                continue
            post = parse_page(page["url"], (SETS[name] / page["file"]).read_bytes()).post
            if post is not None:
                out.append(post.with_(language="de"))
    return out


def build_archive(archive: Path, posts: list[Post]) -> Path:
    from crawler.archive.store import Store
    from indexer.writer import rebuild_index

    with Store(archive) as store:
        with store.transaction():
            for post in posts:
                store.save_post(post)
        rebuild_index(archive, store=store)
    return archive


def report(results: dict[str, Recall], worst: int = 8) -> str:
    lines = []
    for kind, r in results.items():
        lines.append(
            f"{kind:16} recall {r.rate:.3f}  ({r.found}/{r.expected}, {r.queries} queries)"
        )
        for q, hit, n in sorted(r.misses, key=lambda m: m[1] - m[2])[:worst]:
            lines.append(f"    {q}: {hit} of {n}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys
    import tempfile

    sources = {"corpus": corpus_posts, "sample": sample_posts, "devsets": devset_posts}
    chosen = sys.argv[1:] or list(sources)
    for name in chosen:
        posts = sources[name]()
        with tempfile.TemporaryDirectory() as tmp:
            archive = build_archive(Path(tmp), posts)
            print(f"== {name}: {len(posts)} posts")
            print(report(measure(archive, generate(posts))))
