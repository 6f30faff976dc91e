"""The WordPress exchange against the real thing: our WXR of a crawled test-bed WordPress
beside WordPress's own export of the same blog (core's export_wp()), and that export
imported beside the crawl."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from lxml import etree
from lxml import html as lxml_html

from tests.conftest import run_cli
from tests.test_testbed import _site
from tests.testbed.score import load

pytestmark = pytest.mark.e2e
WP = "{http://wordpress.org/export/1.2/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
WORDPRESS_SITES = ["wp-classic", "wp-block"]

# What differs between our WXR and WordPress's own, by nature: what a crawl cannot see.
BY_NATURE = {
    "wp:post_id, guid": "WordPress's database ids; ours are numbered in export order",
    "attachment items": "WordPress lists its media library as items; we export posts and pages",
    "wp:author_login, wp:author_email": "not shown on a blog; logins are made from the names",
    "wp:term_id": "database ids",
    "slugs of terms with ß, æ, ø": "WordPress spells them by the blog's locale (en_US: ß → s)",
    "wp:post_modified": "a theme may not show it (twentytwentythree does not)",
    "wp:post_parent, wp:menu_order, wp:is_sticky": "page tree, menu order and stickiness",
    "wp:postmeta, wp:commentmeta": "WordPress's internal meta; ours keeps the archive's ids",
    "comment e-mail, IP, user id, approval": "private; only approved comments are shown",
    "content:encoded markup": "WordPress stores the editor's text; we keep the HTML shown",
    "page dates and authors": "the default themes show neither on a page",
    "pingback text on classic themes": "twentytwentyone shows a pingback as its title only",
    "password-protected posts": "a visitor sees the password form, not the text",
}


def _text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for form in root.iter("form"):
        form.drop_tree()
    return " ".join(" ".join(root.itertext()).split())  # words, whatever the markup between


def _items(path: Path) -> dict[str, dict[str, Any]]:
    """A WXR file's published posts and pages by link, in the fields the test compares."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    channel = tree.getroot().find("channel")
    assert channel is not None
    authors = {
        a.findtext(f"{WP}author_login"): a.findtext(f"{WP}author_display_name")
        for a in channel.iterfind(f"{WP}author")
    }
    items = {}
    for item in channel.iterfind("item"):
        kind = item.findtext(f"{WP}post_type")
        if kind not in ("post", "page") or item.findtext(f"{WP}status") != "publish":
            continue
        comments = {
            c.findtext(f"{WP}comment_id"): {
                "parent": c.findtext(f"{WP}comment_parent"),
                "author": html.unescape(c.findtext(f"{WP}comment_author") or ""),
                "date": c.findtext(f"{WP}comment_date"),
                "date_gmt": c.findtext(f"{WP}comment_date_gmt"),
                "type": c.findtext(f"{WP}comment_type") or "comment",
                "text": _text(c.findtext(f"{WP}comment_content") or ""),
            }
            for c in item.iterfind(f"{WP}comment")
            if c.findtext(f"{WP}comment_approved") == "1"
        }
        items[item.findtext("link") or ""] = {
            "kind": kind,
            "title": html.unescape(item.findtext("title") or ""),
            "date": item.findtext(f"{WP}post_date"),
            "date_gmt": item.findtext(f"{WP}post_date_gmt"),
            "slug": unquote(item.findtext(f"{WP}post_name") or ""),
            "author": authors.get(item.findtext(f"{DC}creator")),
            "terms": sorted(
                (c.get("domain"), html.unescape(c.text or "")) for c in item.iterfind("category")
            ),
            "slugs": {
                html.unescape(c.text or ""): c.get("nicename") for c in item.iterfind("category")
            },
            "text": _text(item.findtext(CONTENT) or ""),
            "protected": bool(item.findtext(f"{WP}post_password")),
            "comments": comments,
        }
    return items


def _crawl(site: dict[str, Any], archive: Path) -> None:
    done = run_cli(archive, "crawl", site["url"], "--json")
    assert done.returncode == 0, done.stderr


def _theirs(name: str, site: dict[str, Any], folder: Path) -> Path:
    from tests.testbed.wordpress import export_wxr

    return export_wxr(name, site["url"], folder / f"{name}.wordpress.xml")


@pytest.mark.parametrize("name", WORDPRESS_SITES)
def test_our_wxr_of_the_crawl_matches_wordpress_own_export(
    testbed: dict[str, Any], tmp_path: Path, name: str
) -> None:
    site = _site(testbed, name)
    _crawl(site, tmp_path / "archive")
    ours_file = tmp_path / "ours.xml"
    done = run_cli(tmp_path / "archive", "export", "--format", "wxr", "-o", str(ours_file))
    assert done.returncode == 0, done.stderr
    ours, theirs = _items(ours_file), _items(_theirs(name, site, tmp_path))
    assert set(ours) == set(theirs)
    classic = site["theme"] == "twentytwentyone"
    for link, want in theirs.items():
        got = ours[link]
        same = ["kind", "title", "slug", "terms"]
        if want["kind"] == "post":
            same += ["date", "date_gmt", "author"]
        if not want["protected"]:
            same += ["text"]
        for field in same:
            assert got[field] == want[field], (link, field)
        for term, slug in want["slugs"].items():
            if term.isascii():  # WordPress spells ß, æ, ø … by the blog's locale
                assert got["slugs"][term] == slug, (link, term)
        if want["protected"]:
            continue
        assert set(got["comments"]) == set(want["comments"]), link
        for cid, comment in want["comments"].items():
            mine = got["comments"][cid]
            fields = ["parent", "type"]
            if not (classic and comment["type"] != "comment"):
                fields += ["author", "date", "date_gmt", "text"]
            for field in fields:
                assert mine[field] == comment[field], (link, cid, field)
    print(f"{name}: {len(theirs)} posts and pages equal; differing by nature:")
    for what, why in BY_NATURE.items():
        print(f"  {what}: {why}")


def _records(archive: Path) -> dict[str, dict[str, Any]]:
    out = archive / "export.jsonl"
    done = run_cli(archive, "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return {post["url"]: post for post in load(out)}


@pytest.mark.parametrize("name", WORDPRESS_SITES)
def test_wordpress_own_export_imported_equals_the_crawl(
    testbed: dict[str, Any], tmp_path: Path, name: str
) -> None:
    site = _site(testbed, name)
    _crawl(site, tmp_path / "crawled")
    imported = run_cli(tmp_path / "imported", "import-wxr", str(_theirs(name, site, tmp_path)))
    assert imported.returncode == 0, imported.stderr
    crawled, got = _records(tmp_path / "crawled"), _records(tmp_path / "imported")
    assert set(got) == set(crawled)
    truth = {t["url"]: t for t in load(Path(site["truth"]))}
    classic = site["theme"] == "twentytwentyone"
    compared = {"id", "url", "site", "kind", "title", "author", "published", "language",
                "categories", "tags", "summary", "text", "comments_status"}  # fmt: skip
    for url, want in crawled.items():
        post = got[url]
        protected = truth[url].get("protected")
        for field in compared - ({"text", "comments_status"} if protected else set()):
            assert post[field] == want[field], (url, field)
        if want["updated"]:  # a theme that shows no modification date leaves it unknown
            assert post["updated"] == want["updated"], url
        if protected:
            assert post["text"] == ""
            assert post["comments"] == []
            continue
        # Its images, named as the crawl names them (the originals), without their files.
        assert [(m["url"], m["role"]) for m in post["media"]] == [
            (m["url"], m["role"]) for m in want["media"]
        ], url
        assert all(m["sha256"] is None for m in post["media"])
        assert [c["id"] for c in post["comments"]] == [c["id"] for c in want["comments"]], url
        for mine, theirs in zip(post["comments"], want["comments"], strict=True):
            if classic and theirs["type"] != "comment":
                mine = {k: mine[k] for k in ("id", "parent_id", "type")}
                theirs = {k: theirs[k] for k in ("id", "parent_id", "type")}
            assert mine == theirs, url
    print(f"{name}: {len(got)} imported posts and pages equal to the crawl")
    # With --all, also what no visitor saw: the draft post and page, the private post, and
    # the protected post's text.
    everything = run_cli(tmp_path / "all", "import-wxr", str(tmp_path / f"{name}.wordpress.xml"),
                         "--all", "--json")  # fmt: skip
    assert everything.returncode == 0, everything.stderr
    figures = json.loads(everything.stdout)
    assert figures["posts_new"] == len(crawled) + 3, figures
    assert not any(why.startswith(("draft", "private")) for why in figures["left_out"])
    shown = _records(tmp_path / "all")
    secret = next(url for url in truth if truth[url].get("protected"))
    assert shown[secret]["text"]
    # While the blog exists, a crawl of it fetches the files the export could not hold.
    assert run_cli(tmp_path / "imported", "crawl", site["url"]).returncode == 0
    after = _records(tmp_path / "imported")
    assert all(m["sha256"] for p in after.values() for m in p["media"])
    assert sum(len(p["media"]) for p in after.values()) > 0
