"""The reading room through Flask's test client: every page and its JSON twin, filters and
facets, versions and diffs, the raw page in its sandbox, hostile content, and `serve`."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.archive.model import Comment, Post
from crawler.archive.store import Store
from search_cli.web.app import create_app
from search_cli.web.room import PAGE_CSP, RAW_CSP
from tests.conftest import cli_argv, cli_env, run_cli, start_cli
from tests.schema_check import check_post, validator

SITE = "https://blog.example/"
HOSTILE_TITLE = "<script>window.pwned=1</script>Preise & <b>Kunden</b>"


def _post(n: int, **over: Any) -> Post:
    fields: dict[str, Any] = {
        "url": f"{SITE}{2010 + n % 3}/post-{n}/",
        "title": f"Beitrag {n}",
        "text": f"Kundenbindung im Laden, Teil {n}.\n\nZweiter Absatz {n}.",
        "html": f"<p>Kundenbindung im Laden, Teil {n}.</p><p>Zweiter Absatz {n}.</p>",
        "author": "Anna" if n % 2 else "Jörg",
        "published": datetime(2010 + n % 3, 1 + n % 12, 1 + n % 28, 9, 0, tzinfo=UTC),
        "language": "de" if n % 4 else "en",
        "categories": ("Marketing",) if n % 2 else ("Laden",),
        "tags": ("Kunden", f"t{n % 3}"),
        "site": SITE,
        "fetched_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    fields.update(over)
    return Post(**fields)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Thirty posts, one of them edited twice, one with a thread and hostile content."""
    with Store(tmp_path) as store:
        for n in range(30):
            store.save_post(_post(n))
            store.save_page(_post(n).url, _post(n).id, 0, f"<p>raw {n}</p>".encode(), "text/html")
        edited = _post(1)
        store.save_post(edited.with_(title="Beitrag 1, neu", text=edited.text + " Nachtrag."))
        store.save_page(edited.url, edited.id, 0, b"<p>raw 1, second fetch</p>", "text/html")
        store.save_post(edited.with_(title="Beitrag 1, neu", tags=("Kunden", "Neu")))
        thread = (
            Comment("c1", "Erster!", author="LD"),
            Comment("c2", "Antwort", parent_id="c1", author="<img src=x onerror=alert(1)>"),
            Comment(
                "c3",
                "Antwort auf die Antwort",
                parent_id="c2",
                author="Anna",
                author_url="javascript:alert(1)",
            ),
            Comment("c4", "Verlinkt", author="Other blog", type="pingback"),
        )
        store.save_post(
            _post(
                40,
                title=HOSTILE_TITLE,
                html=(
                    "<p onclick='x()'>Text</p><script>window.pwned=1</script>"
                    "<img src='https://tracker.example/p.gif' alt='remote'>"
                    "<img src='data:image/png;base64,iVBORw0KGgo=' alt='inline'>"
                    "<a href='javascript:alert(1)'>click</a><form><input></form>"
                ),
                comments=thread,
            )
        )
    return tmp_path


@pytest.fixture
def client(archive: Path) -> Any:
    return create_app(archive).test_client()


def _json(client: Any, path: str) -> Any:
    reply = client.get(path)
    assert reply.status_code == 200, (path, reply.data[:300])
    assert reply.content_type == "application/json"
    return json.loads(reply.data)


def test_front_page_lists_each_blog_with_its_figures(client: Any, archive: Path) -> None:
    data = _json(client, "/index.json")
    assert [s["url"] for s in data["sites"]] == [SITE]
    blog = data["sites"][0]
    assert (blog["posts"], blog["comments"], blog["years"]) == (31, 4, ["2010", "2012"])
    page = client.get("/").get_data(as_text=True)
    assert f'href="/site/{blog["id"]}"' in page
    assert SITE in page


def test_site_page_lists_newest_first_and_pages_through_all(client: Any) -> None:
    first = _json(client, "/site/1.json")
    assert (first["total"], first["pages"], len(first["posts"])) == (31, 2, 20)
    dates = [p["published"] for p in first["posts"]]
    assert dates == sorted(dates, reverse=True)
    second = _json(client, "/site/1.json?page=2")
    ids = [p["id"] for p in first["posts"]] + [p["id"] for p in second["posts"]]
    assert len(set(ids)) == 31
    html = client.get("/site/1").get_data(as_text=True)
    assert "page 1 of 2" in html
    assert 'rel="next" href="/site/1?page=2"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year=2011", lambda p: p.published.year == 2011),
        ("tag=t2", lambda p: "t2" in p.tags),
        ("category=Laden", lambda p: "Laden" in p.categories),
        ("author=J%C3%B6rg", lambda p: p.author == "Jörg"),
        ("language=en", lambda p: p.language == "en"),
        ("year=2010&tag=t1", lambda p: p.published.year == 2010 and "t1" in p.tags),
    ],
)
def test_site_filters_show_exactly_the_matching_posts(
    client: Any, archive: Path, query: str, expected: Any
) -> None:
    with Store(archive) as store:
        posts = [p for p in (store.get_post(i) for i in store.all_ids()) if p is not None]
    want = {p.id for p in posts if expected(p)}
    data = _json(client, f"/site/1.json?{query}")
    assert data["total"] == len(want)
    assert {p["id"] for p in data["posts"]} == want


def test_facet_counts_are_what_choosing_the_value_shows(client: Any) -> None:
    facets = _json(client, "/site/1.json?tag=Kunden")["facets"]
    assert set(facets) == {"year", "category", "tag", "author", "language"}
    for name in ("year", "category", "author", "language"):
        for entry in facets[name]:
            from urllib.parse import quote

            shown = _json(client, f"/site/1.json?tag=Kunden&{name}={quote(entry['value'])}")
            assert shown["total"] == entry["count"], (name, entry)


def test_post_json_is_the_export_schema_with_thread_depths(client: Any) -> None:
    pid = _post(40).id
    data = _json(client, f"/post/{pid}.json")
    check_post(validator(), data)
    assert data["title"] == HOSTILE_TITLE
    assert [(t["id"], t["depth"]) for t in data["thread"]] == [
        ("c1", 0),
        ("c2", 1),
        ("c3", 2),
        ("c4", 0),
    ]


def test_post_page_threads_comments_and_escapes_everything(client: Any) -> None:
    reply = client.get(f"/post/{_post(40).id}")
    html = reply.get_data(as_text=True)
    body = html.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    assert "Text" in body
    assert "<script" not in html.lower()
    assert "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;Preise &amp; &lt;b&gt;Kunden" in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<form" not in body
    assert "<input" not in body
    # Nothing is loaded from the live web: the remote image keeps its URL in a data attribute.
    assert not re.search(r'\ssrc="https://tracker', html)
    assert 'data-archived-src="https://tracker.example/p.gif"' in html
    assert 'src="data:image/png;base64,' in html
    depths = re.findall(r'id="comment-(c\d)" data-depth="(\d)"', html)
    assert depths == [("c1", "0"), ("c2", "1"), ("c3", "2"), ("c4", "0")]
    assert 'class="comment depth-0 pingback"' in html
    assert 'href="#comment-c3"' in html


def test_every_response_carries_the_security_headers(client: Any) -> None:
    pid = _post(1).id
    for path in ("/", "/site/1", f"/post/{pid}", f"/post/{pid}.json", "/search?q=kunden", "/x"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"] == PAGE_CSP, path
        assert "script-src" not in PAGE_CSP
        assert "'unsafe-inline'" not in PAGE_CSP
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_versions_say_what_each_version_changed(client: Any) -> None:
    pid = _post(1).id
    data = _json(client, f"/post/{pid}/versions.json")
    assert [v["version"] for v in data["versions"]] == [1, 2, 3]
    second, third = data["versions"][1]["changes"], data["versions"][2]["changes"]
    assert second["title"] is True
    assert second["text"] == {"added": 1, "removed": 0}
    assert third["tags"] == {"added": ["Neu"], "removed": ["t1"]}
    assert third["title"] is False
    html = client.get(f"/post/{pid}/versions").get_data(as_text=True)
    assert "tags +Neu −t1" in html
    assert f"/post/{pid}/diff?from=2&amp;to=3" in html


def test_diff_marks_added_and_removed_words(client: Any) -> None:
    pid = _post(1).id
    data = _json(client, f"/post/{pid}/diff.json?from=1&to=2")
    assert ["+", " Nachtrag."] in data["text"]
    assert "".join(t for op, t in data["text"] if op != "-") == _post(1).text + " Nachtrag."
    assert ["+", ", neu"] in [[op, t] for op, t in data["title"]] or any(
        op == "+" and "neu" in t for op, t in data["title"]
    )
    html = client.get(f"/post/{pid}/diff?from=2&to=3").get_data(as_text=True)
    assert "<ins>Neu</ins>" in html
    assert "<del>t1</del>" in html
    # The default: the current version against the one before it.
    assert _json(client, f"/post/{pid}/diff.json")["from"]["version"] == 2


def test_raw_page_is_served_as_fetched_in_a_sandbox_for_each_version(client: Any) -> None:
    pid = _post(1).id
    current = client.get(f"/post/{pid}/raw")
    assert current.data == b"<p>raw 1, second fetch</p>"
    assert current.headers["Content-Security-Policy"] == RAW_CSP
    first = client.get(f"/post/{pid}/raw?v=1")
    assert first.data == b"<p>raw 1</p>"
    # Version 3 changed the tags only: the page it was parsed from is the second fetch.
    assert client.get(f"/post/{pid}/raw?v=3").data == b"<p>raw 1, second fetch</p>"
    view = client.get(f"/post/{pid}/raw/view?v=1").get_data(as_text=True)
    assert f'<iframe class="raw" sandbox src="/post/{pid}/raw?v=1&amp;page=0"' in view
    listed = _json(client, f"/post/{pid}/raw.json?v=1")
    assert listed["pages"][0]["bytes"] == len(b"<p>raw 1</p>")


@pytest.mark.parametrize(
    "path",
    [
        "/site/99",
        "/post/0000000000000000",
        "/post/0000000000000000.json",
        "/post/{pid}?v=7",
        "/post/{pid}?v=abc",
        "/post/{pid}/diff?from=1&to=9",
        "/post/{pid}/raw?page=5",
        "/no/such/page",
    ],
)
def test_what_is_not_in_the_archive_is_a_404_with_one_line(client: Any, path: str) -> None:
    reply = client.get(path.format(pid=_post(1).id))
    assert reply.status_code == 404
    text = reply.get_data(as_text=True)
    assert "Traceback" not in text
    assert re.search(r"No |has no|not kept|has \d+ archived", text), text[:500]


def test_search_page_is_the_cli_search(client: Any, archive: Path) -> None:
    done = run_cli(archive, "reindex")
    assert done.returncode == 0, done.stderr
    cli = json.loads(run_cli(archive, "search", "kundenbindung", "--json", "--limit", "10").stdout)
    web = _json(client, "/search.json?q=kundenbindung")
    assert web["total"] == cli["total"] == 31
    assert [h["id"] for h in web["hits"]] == [h["id"] for h in cli["hits"]]
    html = client.get("/search?q=kundenbindung&tag=t2").get_data(as_text=True)
    assert "<mark>Kundenbindung</mark>" in html
    assert re.search(r"\b10 posts\b", html)
    comment_hit = client.get("/search?q=antwort&in=comments").get_data(as_text=True)
    assert f'href="/post/{_post(40).id}#comment-c2"' in comment_hit
    typo = client.get("/search?q=kundenbindnug").get_data(as_text=True)
    assert "Did you mean" in typo


def test_a_view_that_fails_answers_one_line_and_no_traceback(
    client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.archive import browse

    def broken(*args: Any) -> Any:
        raise ValueError("a record the view cannot read")

    monkeypatch.setattr(browse, "post_row", broken)
    reply = client.get(f"/post/{_post(1).id}")
    assert reply.status_code == 500
    page = reply.get_data(as_text=True)
    assert "could not be shown (ValueError: a record the view cannot read)" in page
    assert "Traceback" not in page
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f"Error answering /post/{_post(1).id}?: ValueError: a record the view cannot read"
    ]


def test_a_bad_query_is_one_line_on_the_page(client: Any, archive: Path) -> None:
    run_cli(archive, "reindex")
    reply = client.get("/search?q=%22kunden&since=2010")
    assert reply.status_code == 400
    assert "Unbalanced quotes" in reply.get_data(as_text=True)
    assert client.get("/search?q=kunden&since=zehn").status_code == 400


def test_feeds_are_atom_with_full_text(client: Any, archive: Path) -> None:
    from xml.etree import ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(client.get("/site/1/feed.atom").data)
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 31
    hostile = [e for e in entries if e.findtext("a:title", namespaces=ns) == HOSTILE_TITLE]
    content = hostile[0].findtext("a:content", namespaces=ns) or ""
    assert "<script" not in content
    assert "Text" in content
    run_cli(archive, "reindex")
    found = ET.fromstring(client.get("/search.atom?q=neu").data)
    assert [e.findtext("a:title", namespaces=ns) for e in found.findall("a:entry", ns)] == [
        "Beitrag 1, neu"
    ]


def test_a_post_archived_while_serving_shows_on_reload(client: Any, archive: Path) -> None:
    before = _json(client, "/site/1.json")["total"]
    with Store(archive) as store:
        store.save_post(_post(77))
    assert _json(client, "/site/1.json")["total"] == before + 1
    assert _json(client, "/index.json")["sites"][0]["posts"] == before + 1


def test_an_archive_of_schema_2_gets_language_facets(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        store.save_post(_post(1))
        store.db.execute("DELETE FROM post_terms WHERE taxonomy = 'language'")
        store.db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    Store(tmp_path).close()
    data = _json(create_app(tmp_path).test_client(), "/site/1.json")
    assert data["facets"]["language"] == [{"value": "de", "count": 1}]


# --- the commands ------------------------------------------------------------------------


def test_history_diff_and_show_versions_on_the_command_line(archive: Path) -> None:
    url = _post(1).url
    listed = json.loads(run_cli(archive, "history", url, "--json").stdout)
    assert [v["version"] for v in listed["versions"]] == [1, 2, 3]
    table = run_cli(archive, "history", url).stdout
    assert "tags +Neu −t1" in table
    plain = run_cli(archive, "diff", url, "--from", "1", "--to", "2")
    assert plain.returncode == 0, plain.stderr
    assert "{+ Nachtrag.+}" in plain.stdout
    as_json = json.loads(run_cli(archive, "diff", url, "--json").stdout)
    assert (as_json["from"]["version"], as_json["to"]["version"]) == (2, 3)
    old = json.loads(run_cli(archive, "show", url, "--version", "1", "--json").stdout)
    assert old["title"] == "Beitrag 1"
    raw = subprocess.run(
        cli_argv(archive, "show", url, "--raw", "--version", "1"),
        capture_output=True,
        env=cli_env(),
        timeout=60,
    )
    assert raw.stdout == b"<p>raw 1</p>"
    missing = run_cli(archive, "diff", url, "--from", "9")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [f"Error: {url} has no version 9; it has 1 to 3."]


def test_serve_binds_loopback_and_stops_with_one_line_on_ctrl_c(archive: Path) -> None:
    assert run_cli(archive, "reindex").returncode == 0
    # One thread: requests that arrive together wait for it (waitress would say so).
    proc = start_cli(archive, "serve", "--port", "0", "--threads", "1")
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        port = int(match.group(1))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.json", timeout=10) as r:
            assert json.loads(r.read())["sites"][0]["url"] == SITE
        from concurrent.futures import ThreadPoolExecutor

        def fetch(q: str) -> int:
            url = f"http://127.0.0.1:{port}/search?q={q}"
            with urllib.request.urlopen(url, timeout=30) as reply:
                return int(reply.status)

        with ThreadPoolExecutor(6) as pool:
            words = ["kunden", "laden", "teil", "absatz", "beitrag", "zweiter"]
            assert list(pool.map(fetch, words)) == [200] * 6
        # Bound to loopback only: another address of this machine is refused.
        other = _non_loopback_address()
        if other:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((other, port), timeout=2).close()
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert err.strip().splitlines() == ["Stopped the reading room."]


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_serve_on_another_host_warns_and_a_missing_archive_is_one_line(
    archive: Path, tmp_path: Path
) -> None:
    proc = start_cli(archive, "serve", "--host", "0.0.0.0", "--port", "0")
    try:
        assert proc.stderr is not None
        warning = proc.stderr.readline()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert warning.startswith("Warning: listening on 0.0.0.0: anyone")
    missing = run_cli(tmp_path / "none", "serve")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        f"Error: No archive at {tmp_path / 'none'}. Run: blogarchive crawl URL (or --archive DIR)"
    ]
    assert not (tmp_path / "none").exists()


def test_serve_says_when_its_port_is_taken(archive: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli(archive, "serve", "--port", str(port), timeout=30)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: Cannot listen on 127.0.0.1:{port}:")


@pytest.mark.e2e
def test_serve_shows_what_a_crawl_archives_while_it_serves(
    sample_site: Any, tmp_path: Path
) -> None:
    first = sample_site.posts[0]
    one = run_cli(tmp_path, "crawl", "--only", sample_site.url.rstrip("/") + first.path, "--json")
    assert one.returncode == 0, one.stderr
    proc = start_cli(tmp_path, "serve", "--port", "0")
    try:
        assert proc.stderr is not None
        url = re.search(r"http://127\.0\.0\.1:\d+/", proc.stderr.readline())
        assert url

        def posts() -> int:
            with urllib.request.urlopen(url.group(0) + "index.json", timeout=30) as reply:
                return int(json.loads(reply.read())["sites"][0]["posts"])

        assert posts() == 1
        # The whole blog, crawled into the archive the room is serving.
        whole = run_cli(tmp_path, "crawl", sample_site.url, "--json")
        assert whole.returncode == 0, whole.stderr
        assert posts() == len(sample_site.posts)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
