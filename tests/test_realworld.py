"""The real-world dev sets in ../shared/fixtures (realworld, realworld-more): hit rates
against floors per set, and parsers that know no site.

Floors are set just under the rates measured when they were last raised; the parsers may
only get better. Run `pytest tests/test_realworld.py -s` to see the rates, and
`python -m bench.parse` for trafilatura's beside them.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import realworld
from tests.conftest import ROOT

# Labels that contradict the field rules (a title that is the site's name or keeps its
# suffix) are corrected in tests/realworld_overrides.json, each with its reason.
FLOORS = {
    "realworld": {"must_contain": 0.98, "comment_snippets": 0.98, "dates": 0.975, "titles": 0.99},
    "realworld-more": {
        "must_contain": 0.975,
        "comment_snippets": 0.97,
        "dates": 0.99,
        "titles": 0.98,
    },
}
MAX_LEAKS = {"realworld": 0.005, "realworld-more": 0.015}
# Platforms and services the parsers know by name (a Blogger blog lives on blogspot.com):
# their names in a fixture's host are not a site's.
PLATFORMS = {"wordpress", "blogspot", "medium", "archive", "tumblr", "substack", "blogger",
             "squarespace", "wixsite", "github", "typepad", "livejournal", "ghost"}  # fmt: skip


@pytest.mark.parametrize("name", list(realworld.SETS))
def test_dev_set_rates(name: str) -> None:
    if name not in realworld.available():
        pytest.skip(f"{realworld.SETS[name]} is absent: the real-world pages live in shared/")
    rates, misses = realworld.score(name, realworld.blogarchive)
    print(f"{name}:", {k: round(v, 3) for k, v in rates.items()})
    for key, floor in FLOORS[name].items():
        assert rates[key] >= floor, (key, rates[key], misses[key][:10])
    assert rates["leaks"] <= MAX_LEAKS[name], misses["leaks"][:10]


# What the parsers must reach on both sets taken together (leaks: at most).
TARGETS = {"must_contain": 0.98, "comment_snippets": 0.97, "dates": 0.98, "titles": 0.96}
MAX_LEAKS_TOGETHER = 0.01


def test_both_dev_sets_together_meet_the_targets() -> None:
    names = realworld.available()
    if len(names) < len(realworld.SETS):
        pytest.skip("a real-world set is absent: the pages live in shared/")
    rates = realworld.together(names, realworld.blogarchive)
    print("both sets:", {k: round(v, 3) for k, v in rates.items()})
    for key, target in TARGETS.items():
        assert rates[key] >= target, (key, rates[key])
    assert rates["leaks"] <= MAX_LEAKS_TOGETHER, rates["leaks"]


def _hosts() -> set[str]:
    """Every fixture page's host, and its name without the public suffix ("example" of
    blog.example.com) where that name is distinctive and not a platform's."""
    found: set[str] = set()
    for name in realworld.available():
        for page in realworld.pages(name):
            host = (urlsplit(page["url"]).hostname or "").removeprefix("www.")
            if not host:
                continue
            found.add(host)
            labels = host.split(".")
            core = labels[-2] if len(labels) >= 2 else labels[0]
            if len(core) >= 6 and core not in PLATFORMS:  # "blog", "news": words, not a site
                found.add(core)
    return found


def _named(folder: Path, hosts: set[str]) -> list[str]:
    """Each `file: host` where Python code below `folder` names one of the hosts."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        code = path.read_text(encoding="utf-8").lower()
        for host in sorted(hosts):
            if re.search(rf"(?<![\w-]){re.escape(host.lower())}(?![\w-])", code):
                found.append(f"{path.relative_to(folder)}: {host}")
    return found


def test_every_date_miss_names_the_source_it_was_taken_from() -> None:
    """For each page whose date is wrong or missing, the parser says where it looked: the
    source that decided (structured data, header, permalink, a dateline) or that none did."""
    from crawler.parsers import parse_page

    report = []
    for name in realworld.available():
        _, misses = realworld.score(name, realworld.blogarchive)
        pages = {page["id"]: page for page in realworld.pages(name)}
        for pid in misses["dates"]:
            page = pages[pid]
            parsed = parse_page(page["url"], (realworld.SETS[name] / page["file"]).read_bytes())
            notes = [n for n in parsed.notes if n.startswith("published")]
            if parsed.post is not None:
                assert notes, pid  # a post's date always says where it came from
            said = notes[-1] if notes else "no post found"
            report.append(f"{name} {pid}: wanted {page['published']['value']}; {said}")
    print("\n".join(report))
    if not realworld.available():
        pytest.skip("the real-world pages live in shared/")


def test_the_parsers_name_no_site_of_the_dev_sets() -> None:
    """Parsers generalise by structure: a fixture's host in their code (a rule, or a
    comment that names the site instead of the kind of widget) is tuning for one site."""
    hosts = _hosts()
    if not hosts:
        pytest.skip("the real-world pages live in shared/ and are absent")
    assert _named(ROOT / "crawler" / "parsers", hosts) == []


def test_the_host_check_finds_a_site_rule(tmp_path: Path) -> None:
    hosts = _hosts() or {"blog.example.org"}
    host = sorted(h for h in hosts if "." in h)[0]
    (tmp_path / "rules.py").write_text(f'SITE_RULES = {{"{host}": "div.entry"}}\n')
    (tmp_path / "fine.py").write_text('COMMENT_LIST = "ol.commentlist"\n')
    found = _named(tmp_path, hosts)
    assert f"rules.py: {host}" in found
    assert [f for f in found if not f.startswith("rules.py: ")] == []
