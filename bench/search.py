"""Index build, warm query latency, cold start, incremental indexing and export on a
generated archive, beside a plain Whoosh writer fed the same documents in the same run.

Run: .venv/bin/python -m bench.search [--posts 10000] [--baseline-posts 10000] [--skip-build]

The archive (posts of 300–1,200 words drawn with Zipf frequencies from 6,000-word
vocabularies, 70 % German, 0–8 comments each, tags, categories, authors, dates 2005–2025)
is generated once into bench/out/search-N and reused. The
baseline is the plain Whoosh of the textbook: StemmingAnalyzer on title, text and comments,
every field stored, one process; it indexes the first --baseline-posts posts (the rate is
what is compared, so a big archive need not wait an hour for it). Up to 20,000 posts it
also re-indexes 3,000 changed posts on copies of the archive, ours against Whoosh's writer.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.archive.model import Comment, Post
from crawler.archive.store import Store

OUT = Path(__file__).resolve().parent / "out"
GERMAN = (
    "Kunden Kundin Laden Läden Stammkunden Kundenbindung Werbung Werbebudget Flyer Newsletter "
    "Unternehmen Kleinunternehmen Handwerk Handwerker Betrieb Bäckerei Bewertungen Messe "
    "Schaufenster Nachbarschaft Strassenfest Straßenfest größtenteils Angebot Preis Preise "
    "Gutschein Weihnachtsgeschäft Sichtbarkeit Empfehlung Mundpropaganda Zeitung Website "
    "und der die das mit für auf ist nicht auch sich von wir Sie ein eine zu im den dem"
).split()
ENGLISH = (
    "customers shop shops small business word of mouth review reviews pricing price photos "
    "newsletter email subject line story stories loyalty local search window display budget "
    "and the of to a in is it you that for on with as are this be at"
).split()
QUERIES = {
    "term": ["Kunden", "Werbung", "Bäckerei", "Newsletter", "reviews", "pricing", "Messe"],
    "and": ["Kunden AND Laden", "Flyer AND Budget", "shop AND reviews", "Preis AND Angebot"],
    "phrase": ['"kleinen Laden"', '"word of mouth"', '"local search"', '"Stammkunden Laden"'],
}


def _zipf(words: list[str], rng: random.Random, size: int = 6000) -> tuple[list[str], list[float]]:
    """A vocabulary with the word frequencies of real text (Zipf): the named words spread
    over the ranks, the rest made-up words, so a query term is in a realistic share of posts."""
    syllables = "ka ri mo te lu sa ne bo di fa ge hu ri ta lo ver ung heit keit schaft".split()
    vocab = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size)]
    for i, word in enumerate(words):
        vocab[(i * 37) % (size // 4)] = word  # named words among the top quarter of ranks
    return vocab, list(itertools.accumulate(1.0 / (rank + 1) for rank in range(size)))


def _words(rng: random.Random, vocab: Any, n: int) -> str:
    words, cumulative = vocab
    return " ".join(rng.choices(words, cum_weights=cumulative, k=n))


def _text(rng: random.Random, vocab: Any) -> str:
    paragraphs = []
    for _ in range(rng.randint(4, 12)):
        sentences = [_words(rng, vocab, rng.randint(8, 20)).capitalize() + "." for _ in range(5)]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def generate(archive: Path, posts: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    vocabularies = {True: _zipf(GERMAN, rng), False: _zipf(ENGLISH, rng)}
    site = "https://blog.example/"
    tags = [f"Thema {i}" for i in range(200)]
    cats = [f"Rubrik {i}" for i in range(20)]
    authors = [f"Autorin {i}" for i in range(10)]
    start = datetime(2005, 1, 1, tzinfo=UTC)
    with Store(archive) as store:
        for first in range(0, posts, 1000):
            with store.transaction():
                for n in range(first, min(first + 1000, posts)):
                    de = rng.random() < 0.7
                    vocab = vocabularies[de]
                    when = start + timedelta(minutes=rng.randint(0, 20 * 365 * 24 * 60))
                    comments = tuple(
                        Comment(
                            id=f"{n}-{c}",
                            text=_words(rng, vocab, rng.randint(10, 60)),
                            parent_id=f"{n}-{c - 1}" if c and rng.random() < 0.3 else None,
                            author=f"Leser {rng.randint(1, 500)}",
                            published=when + timedelta(days=c + 1),
                        )
                        for c in range(rng.randint(0, 8))
                    )
                    post = Post(
                        url=f"{site}{when:%Y/%m}/beitrag-{n}/",
                        title=_words(rng, vocab, rng.randint(3, 8)).capitalize(),
                        text=_text(rng, vocab),
                        author=rng.choice(authors),
                        published=when,
                        language="de" if de else "en",
                        categories=(rng.choice(cats),),
                        tags=tuple(rng.sample(tags, 3)),
                        comments=comments,
                        site=site,
                        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                    )
                    store.save_post(post)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_ours(archive: Path) -> tuple[float, float, int]:
    from indexer.writer import rebuild_index

    wall, cpu = time.perf_counter(), _cpu()
    count = rebuild_index(archive)
    return time.perf_counter() - wall, _cpu() - cpu, count


def build_baseline(archive: Path, target: Path, limit: int) -> tuple[float, float, int]:
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
    from whoosh.index import create_in

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        comments=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        tags=KEYWORD(stored=True, commas=True),
        author=KEYWORD(stored=True),
        published=DATETIME(stored=True),
    )
    wall, cpu = time.perf_counter(), _cpu()
    ix = create_in(str(target), schema)
    writer = ix.writer()
    count = 0
    with Store(archive) as store:
        for pid in store.all_ids()[:limit]:
            post = store.get_post(pid)
            assert post is not None
            writer.add_document(
                id=post.id,
                title=post.title,
                body=post.text,
                comments="\n\n".join(c.text for c in post.comments),
                tags=",".join(post.tags),
                author=post.author or "",
                published=post.published.astimezone(UTC).replace(tzinfo=None)
                if post.published
                else None,
            )
            count += 1
    writer.commit()
    return time.perf_counter() - wall, _cpu() - cpu, count


def query_mix(archive: Path, rounds: int) -> dict[str, list[float]]:
    from indexer.query import Filters
    from indexer.search import search

    mix: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "term": [(q, {}) for q in QUERIES["term"]],
        "AND": [(q, {}) for q in QUERIES["and"]],
        "phrase": [(q, {}) for q in QUERIES["phrase"]],
        "tag filter": [
            (q, {"filters": Filters(tags=(f"Thema {i}",))}) for i, q in enumerate(QUERIES["term"])
        ],
        "date range": [
            (
                q,
                {
                    "filters": Filters(
                        since=datetime(2010 + i, 3, 5), until=datetime(2013 + i, 8, 17)
                    )
                },
            )
            for i, q in enumerate(QUERIES["term"])
        ],
        "sorted by date": [(q, {"sort": "newest"}) for q in QUERIES["term"]],
        "top-10 highlights": [(q, {"highlights": True}) for q in QUERIES["term"]],
        # not in the mix: facet counts of every match
        "facets tag, year": [(q, {"facets": ("tag", "year")}) for q in QUERIES["term"]],
    }
    times: dict[str, list[float]] = {kind: [] for kind in mix}
    with Store(archive) as store:
        for _ in range(rounds):
            for kind, queries in mix.items():
                for text, options in queries:
                    options = dict(options)
                    with_store = options.pop("highlights", False)
                    start = time.perf_counter()
                    search(archive, text, limit=10, store=store if with_store else None, **options)
                    times[kind].append((time.perf_counter() - start) * 1000)
    return times


def cold_search(archive: Path, runs: int) -> list[float]:
    argv = [sys.executable, "-m", "search_cli.main", "--archive", str(archive)]
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*argv, "search", "Kunden"], capture_output=True, check=True)
        out.append(time.perf_counter() - start)
    return out


def incremental(archive: Path, n: int = 10) -> float:
    from indexer.writer import update_index

    with Store(archive) as store:
        for i in range(n):
            store.save_post(
                Post(
                    url=f"https://blog.example/neu/beitrag-{time.time_ns()}-{i}/",
                    title="Neuer Beitrag über Kundenbindung",
                    text="Neu im Archiv. " * 200,
                    language="de",
                    published=datetime.now(UTC),
                    site="https://blog.example/",
                )
            )
        start = time.perf_counter()
        done = update_index(archive, store)
        took = time.perf_counter() - start
    assert done == n, done
    return took


def _whoosh_writer(ix: Any, wait: float) -> Any:
    from indexer.segments.codec import ArchiveCodec

    return ix.writer(timeout=wait, codec=ArchiveCodec())


def many_changed(archive: Path, n: int = 3000) -> dict[str, float]:
    """Re-indexing n posts given new versions, each way on a copy of the archive: seconds
    for blogarchive's update without its upkeep ("bulk": one new segment written at once),
    for Whoosh's writer in batches of 500 ("whoosh"), and for the update as shipped, which
    rebuilds an index this worn ("upkeep"); and the median of the query mix afterwards on the
    worn index ("bulk ms") and on the rebuilt one ("upkeep ms")."""
    import tempfile
    from contextlib import ExitStack
    from dataclasses import replace
    from unittest import mock

    from indexer import writer

    out: dict[str, float] = {}
    for way in ("bulk", "whoosh", "upkeep"):
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            copy = Path(tmp)
            shutil.copy(archive / "archive.sqlite3", copy)
            shutil.copytree(archive / "index", copy / "index")
            with Store(copy) as store:
                with store.transaction():
                    for pid in store.all_ids()[:n]:
                        post = store.get_post(pid)
                        assert post is not None
                        store.save_post(replace(post, text=post.text + " Nachtrag"))
                with ExitStack() as patches:
                    if way != "upkeep":  # the writers alone
                        patches.enter_context(mock.patch.object(writer, "WORN_MIN_DELETED", n + 1))
                    if way == "whoosh":  # Whoosh's writer, batches of BATCH posts
                        patches.enter_context(mock.patch.object(writer, "BULK_BATCH", writer.BATCH))
                        patches.enter_context(
                            mock.patch.object(writer, "_bulk_writer", _whoosh_writer)
                        )
                    start = time.perf_counter()
                    assert writer.update_index(copy, store) == n
                    out[way] = time.perf_counter() - start
            if way != "whoosh":
                times = query_mix(copy, 2)
                out[f"{way} ms"] = statistics.median(t for kind in times.values() for t in kind)
    return out


def export_rate(archive: Path) -> tuple[float, int]:
    target = archive / "export.jsonl"
    argv = [sys.executable, "-m", "search_cli.main", "--archive", str(archive)]
    start = time.perf_counter()
    subprocess.run([*argv, "export", "-o", str(target)], capture_output=True, check=True)
    took = time.perf_counter() - start
    size = target.stat().st_size
    target.unlink()
    return took, size


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--baseline-posts", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--skip-build",
        action="store_true",
        help="reuse the archive's index: queries, cold start, incremental, export only",
    )
    args = parser.parse_args()
    archive = OUT / f"search-{args.posts}"
    if not (archive / "archive.sqlite3").exists():
        shutil.rmtree(archive, ignore_errors=True)
        start = time.perf_counter()
        generate(archive, args.posts)
        print(f"generated {args.posts} posts in {time.perf_counter() - start:.0f} s")
    if not args.skip_build:
        limit = min(args.baseline_posts, args.posts)
        base_wall, base_cpu, base_n = build_baseline(archive, OUT / "baseline-index", limit)
        wall, cpu, count = build_ours(archive)
        os.sync()  # queries are timed on a quiet disk, not beside the build's write-back
        base_size = _size(OUT / "baseline-index")
        ours_size = _size(archive / "index")
        print(f"{count} posts; index build (baseline on {base_n} of them):")
        print(f"{'writer':34} {'docs/s':>8} {'docs/CPU-s':>11} {'size MB':>8}")
        print(
            f"{'plain Whoosh (1 process)':34} {base_n / base_wall:8.1f} {base_n / base_cpu:11.1f}"
            f" {base_size / 1e6 * count / base_n:8.0f}  (size scaled to {count} posts)"
        )
        print(
            f"{'blogarchive rebuild_index':34} {count / wall:8.1f} {count / cpu:11.1f}"
            f" {ours_size / 1e6:8.0f}"
        )
        print(
            f"ratio: {(count / wall) / (base_n / base_wall):.2f} wall,"
            f" {(count / cpu) / (base_n / base_cpu):.2f} CPU"
        )
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"largest build process: {peak:.0f} MB resident at its peak")
    times = query_mix(archive, args.rounds)
    print(f"warm query latency, ms ({args.rounds} rounds):")
    for kind, values in times.items():
        print(f"  {kind:20} p50 {statistics.median(values):7.1f}  p95 {_pct(values, 95):7.1f}")
    cold = cold_search(archive, 7)
    print(
        f"cold `blogarchive search Kunden`, whole process: median {statistics.median(cold):.2f} s,"
        f" max {max(cold):.2f} s"
    )
    print(f"adding 10 posts, then update_index: {incremental(archive):.2f} s")
    if args.posts <= 20000:  # the archive is copied twice
        took = many_changed(archive)
        ours, whooshs = took["bulk"], took["whoosh"]
        print(
            f"3,000 changed posts re-indexed: {ours:.1f} s (Whoosh's writer, batches of 500:"
            f" {whooshs:.1f} s, {whooshs / ours:.2f}x); as shipped, with the rebuild of the"
            f" now worn index: {took['upkeep']:.1f} s"
        )
        print(
            f"  query mix median afterwards: worn index {took['bulk ms']:.1f} ms,"
            f" rebuilt {took['upkeep ms']:.1f} ms"
        )
    took, size = export_rate(archive)
    print(
        f"export of the whole archive: {size / 1e6:.0f} MB in {took:.1f} s,"
        f" {size / 1e6 / took:.1f} MB/s"
    )


if __name__ == "__main__":
    main()
