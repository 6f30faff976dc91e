"""Security: what is fetched, what is stored, who can read the archive, and that nothing
crawled can run as code."""

from __future__ import annotations

import ast
import json
import stat
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from lxml import html as lxml_html

from crawler.parsers import parse_page
from tests.conftest import ROOT, run_cli
from tests.sites import Answer, serve

HOSTILE_BODY = """<html><head><title>Böse | Blog</title></head><body>
<article class="post hentry"><h1 class="entry-title">Böse</h1>
<time class="published" datetime="2020-01-02T10:00:00+01:00">2. Januar 2020</time>
<div class="entry-content">
<p onclick="steal()" style="background:url(javascript:alert(1))">Erster Absatz.</p>
<script>alert(1)</script><style>p{}</style><noscript><img src=x></noscript>
<a href="jav&#x09;ascript:alert(1)">eins</a> <a href=" JaVaScRiPt:alert(2)">zwei</a>
<a href="&#106;avascript:alert(3)">drei</a> <a href="vbscript:msgbox(1)">vier</a>
<a href="data:text/html;base64,PHNjcmlwdD4=">fünf</a> <a href="/ok/">sechs</a>
<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="svg">
<img src="data:image/png;base64,iVBO" alt="png">
<img src="/bild.png" onerror="steal()" alt="Bild"><iframe srcdoc="<script>x</script>"></iframe>
<svg onload="steal()"><a xlink:href="javascript:alert(4)">s</a></svg>
<form action="javascript:alert(5)"><input name=q>
<button formaction="javascript:x">go</button></form>
<object data="javascript:alert(6)"></object><embed src="x.swf"><base href="http://evil.example/">
<p>Letzter Absatz.</p></div></article></body></html>"""

URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "background", "srcset"}


def assert_safe_html(fragment: str) -> None:
    """No element that runs script, no handler, no script URL, no inline style."""
    if not fragment.strip():
        return
    tree = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag.lower() not in ("script", "style", "iframe", "object", "embed", "form",
                                      "svg", "base", "meta", "link"), el.tag  # fmt: skip
        for name, value in el.attrib.items():
            name = name.lower()
            assert not name.startswith("on"), name
            assert name not in ("style", "srcdoc"), name
            if name in URL_ATTRS:
                url = "".join(unquote(value).split()).lower()
                assert not url.startswith(("javascript:", "vbscript:")), value
                assert not url.startswith("data:") or url.startswith("data:image/png"), value


def test_stored_html_is_sanitized() -> None:
    post = parse_page("https://blog.example/boese/", HOSTILE_BODY.encode()).post
    assert post is not None
    assert post.html is not None
    assert_safe_html(post.html)
    assert "Erster Absatz." in post.html
    assert "Letzter Absatz." in post.html
    assert 'href="/ok/"' in post.html
    assert 'alt="Bild"' in post.html  # the image stays, its handler goes
    assert "alert" not in post.text


def test_cleaning_keeps_the_text_around_what_it_removes() -> None:
    from crawler.parsers.text import clean_html

    body = lxml_html.fragment_fromstring(
        "<div><p>vor<script>x()</script>nach dem Skript<!-- ein Kommentar -->, weiter"
        "<button>Teilen</button>\x08 und Schluss.</p><p class='share'>weg</p>"
        "<p>Ende<iframe src='x'></iframe></p></div>"
    )
    share = body.find_class("share")[0]
    cleaned = clean_html(body, [share])
    assert cleaned is not None
    words = " ".join(lxml_html.fragment_fromstring(cleaned).text_content().split())
    assert words == "vornach dem Skript, weiter und Schluss.Ende"
    assert "Kommentar" not in cleaned
    # The page's own tree is left as it was.
    assert body.find_class("share")
    assert body.find(".//script") is not None


def test_only_the_blogs_own_http_urls_are_fetched(tmp_path: Path) -> None:
    """Links and redirects to other hosts and schemes are never followed; see also
    test_hostile (non-http redirects) and test_crawl_policy (off-site redirects)."""

    def blog(path: str) -> Answer:
        if path == "/":
            links = "".join(
                f"<a href='{href}'>x</a>"
                for href in (
                    "/post/",
                    "http://other.invalid/post/",
                    "https://127.0.0.2/post/",
                    "ftp://127.0.0.1/file",
                    "file:///etc/passwd",
                    "javascript:alert(1)",
                    "data:text/html,hi",
                    "mailto:x@example.org",
                )
            )
            return 200, {}, f"<html><body>{links}</body></html>".encode()
        if path == "/post/":
            return 200, {}, HOSTILE_BODY.encode()
        return 404, {}, b"nope"

    with serve(blog) as site:
        done = run_cli(tmp_path, "crawl", site.url, "--json")
        paths = site.paths()
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["posts_new"] == 1
    assert set(paths) <= {
        "/",
        "/robots.txt",
        "/post/",
        "/ok/",
        "/sitemap.xml",
        "/wp-sitemap.xml",
        "/sitemap_index.xml",
        "/bild.png",  # the post's own image, on the blog's host
    }, paths
    # Nothing was tried elsewhere: a request to 127.0.0.2 or other.invalid would have failed.
    assert set(report["errors"]) <= {"HTTP 404", "image: HTTP 404"}, report["errors"]


def test_archive_files_are_readable_by_the_user_alone(tmp_path: Path) -> None:
    archive = tmp_path / "archive"

    def blog(path: str) -> Answer:
        if path == "/":
            return 200, {}, b"<html><body><a href='/post/'>Post</a></body></html>"
        return (200, {}, HOSTILE_BODY.encode()) if path == "/post/" else (404, {}, b"")

    with serve(blog) as site:
        assert run_cli(archive, "crawl", site.url).returncode == 0
    assert run_cli(archive, "reindex").returncode == 0
    made = [archive, *archive.rglob("*")]
    assert len(made) >= 4  # the database, the lock, the index and its files
    for path in made:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


# Our own modules that may start a process, and why that is safe.
PROCESS_ALLOWED = {
    # `schedule run`: starts `blogarchive crawl` with an argv list (no shell), from the
    # user's own schedule, never from crawled data.
    "search_cli/schedule.py",
    # A rebuild of the index starts `python -m indexer.rebuild_part JOBFILE` (argv list, no
    # shell); the job file holds paths and post ids written by the same process.
    "indexer/writer.py",
}
# Our own modules that may unpickle, and why that is safe.
UNPICKLING_ALLOWED = {
    # Decodes the posting blocks of the index this program wrote, exactly the bytes Whoosh
    # itself unpickles there (whoosh3.W3LeafMatcher._read_data): document numbers, weights
    # and positions, never crawled text. Crawled text reaches Whoosh only as terms (not
    # pickled) and stored fields (plain strings: the test below).
    "indexer/segments/postings.py",
    "indexer/segments/scoring.py",  # a phrase's positions, from the same posting blocks
}
# Our own modules that may pickle but never unpickle: the bulk segment writer writes posting
# blocks in Whoosh's own layout (pickled tuples of numbers and position bytes).
PICKLING_ONLY = {"indexer/segments/bulkwrite.py"}


def test_nothing_crawled_reaches_a_shell_eval_or_pickle() -> None:
    banned_calls = {"eval", "exec", "compile", "__import__"}
    banned_modules = {"pickle", "marshal", "shelve", "dill", "subprocess", "pty"}
    for package in ("crawler", "indexer", "search_cli"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    assert node.func.id not in banned_calls, (rel, node.lineno)
                if isinstance(node, ast.Attribute) and node.attr in ("system", "popen", "spawnl"):
                    assert not (isinstance(node.value, ast.Name) and node.value.id == "os"), rel
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                )  # fmt: skip
                if isinstance(node, ast.ImportFrom) and node.module == "pickle":
                    raise AssertionError(f"{rel}:{node.lineno}: import pickle as a module")
                if (
                    rel in PICKLING_ONLY
                    and isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "pickle"
                ):
                    assert node.attr in ("dumps", "dump", "Pickler"), (rel, node.attr)
                for name in names:
                    if name == "pickle" and rel in UNPICKLING_ALLOWED | PICKLING_ONLY:
                        continue
                    if name.split(".")[0] in banned_modules:
                        assert rel in PROCESS_ALLOWED, (rel, name)
                        assert name == "subprocess", (rel, name)
                if isinstance(node, ast.keyword) and node.arg == "shell":
                    raise AssertionError(f"{rel}:{node.lineno}: shell=")


def test_the_index_stores_crawled_text_as_plain_values(tmp_path: Path) -> None:
    """Whoosh keeps stored fields with pickle; ours are only strings and datetimes, which
    unpickle as data, never as code. The index is ours alone (see the test above)."""
    from crawler.archive.store import Store
    from indexer.writer import open_or_create, update_index

    post = parse_page("https://blog.example/boese/", HOSTILE_BODY.encode()).post
    assert post is not None
    with Store(tmp_path) as store:
        store.save_post(post.with_(site="https://blog.example/", tags=("__reduce__", "os.system")))
        update_index(tmp_path, store)
    with open_or_create(tmp_path).reader() as reader:
        stored = list(reader.all_stored_fields())
    assert len(stored) == 1
    for value in stored[0].values():
        assert isinstance(value, (str, datetime)), type(value)
