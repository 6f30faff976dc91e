"""`export --format wxr`: WordPress eXtended RSS 1.2, the file WordPress's Tools → Export
writes and its importer (Tools → Import → WordPress) reads, so a rescued blog can move into
a new WordPress with its authors, categories, tags and threaded comments.

What a crawl cannot know is made up the way WordPress would: numeric post ids in export
order, logins and term slugs from the display names, a comment's numeric id where the blog
showed one (WordPress's own ids), otherwise its place in the post. The archive's own ids are
kept beside them (`_blogarchive_id` post and comment meta, and the post's language as
`_blogarchive_language`), which `import-wxr` reads back, so nothing is lost on the way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import IO, Any, BinaryIO

from crawler.archive.formats.names import UniqueNames, slugify, url_slug
from crawler.archive.formats.spool import cdata, joined, xml_records, xml_text

NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
NO_DATE = "0000-00-00 00:00:00"


class _Channel:
    """What the channel's head lists, gathered while the items are written."""

    def __init__(self) -> None:
        self.sites: dict[str, int] = {}
        self.languages: dict[str, int] = {}
        self.authors: dict[str, str] = {}  # display name → login
        self.logins = UniqueNames()
        self.terms: dict[str, dict[str, str]] = {"category": {}, "post_tag": {}}  # name → slug
        self.term_slugs = {"category": UniqueNames(), "post_tag": UniqueNames()}

    def login(self, author: str | None) -> str:
        if not author:
            return ""
        if author not in self.authors:
            self.authors[author] = self.logins(slugify(author, "author"))
        return self.authors[author]

    def term(self, taxonomy: str, name: str) -> str:
        known = self.terms[taxonomy]
        if name not in known:
            known[name] = self.term_slugs[taxonomy](slugify(name, "term"))
        return known[name]

    def head(self, now: datetime) -> str:
        site = max(self.sites, key=self.sites.__getitem__, default="")
        language = max(self.languages, key=self.languages.__getitem__, default="")
        spaces = "".join(f'\n\txmlns:{k}="{v}"' for k, v in NAMESPACES.items())
        lines = [
            '<?xml version="1.0" encoding="UTF-8" ?>',
            "<!-- A WordPress eXtended RSS file written by blogarchive from its archive. -->",
            f'<rss version="2.0"{spaces}\n>',
            "<channel>",
            f"\t<title>{xml_text(site)}</title>",
            f"\t<link>{xml_text(site)}</link>",
            "\t<description></description>",
            f"\t<pubDate>{format_datetime(now.astimezone(UTC))}</pubDate>",
            f"\t<language>{xml_text(language)}</language>",
            "\t<wp:wxr_version>1.2</wp:wxr_version>",
            f"\t<wp:base_site_url>{xml_text(site)}</wp:base_site_url>",
            f"\t<wp:base_blog_url>{xml_text(site)}</wp:base_blog_url>",
        ]
        for number, (name, login) in enumerate(self.authors.items(), 1):
            lines.append(
                f"\t<wp:author><wp:author_id>{number}</wp:author_id>"
                f"<wp:author_login>{cdata(login)}</wp:author_login>"
                "<wp:author_email><![CDATA[]]></wp:author_email>"
                f"<wp:author_display_name>{cdata(name)}</wp:author_display_name>"
                "<wp:author_first_name><![CDATA[]]></wp:author_first_name>"
                "<wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>"
            )
        term_id = 0
        for name, slug in self.terms["category"].items():
            term_id += 1
            lines.append(
                f"\t<wp:category><wp:term_id>{term_id}</wp:term_id>"
                f"<wp:category_nicename>{cdata(slug)}</wp:category_nicename>"
                "<wp:category_parent><![CDATA[]]></wp:category_parent>"
                f"<wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>"
            )
        for name, slug in self.terms["post_tag"].items():
            term_id += 1
            lines.append(
                f"\t<wp:tag><wp:term_id>{term_id}</wp:term_id>"
                f"<wp:tag_slug>{cdata(slug)}</wp:tag_slug>"
                f"<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>"
            )
        lines.append("\t<generator>blogarchive</generator>\n")
        return "\n".join(lines)


def write_wxr(out: BinaryIO, blobs: Iterable[bytes], now: datetime | None = None) -> int:
    """Write the posts (stored export records, as `Store.export_blobs` gives them) as one
    WXR file; returns how many."""
    channel = _Channel()
    count = 0

    def items(spool: IO[bytes]) -> str:
        nonlocal count
        for record in xml_records(blobs):
            count += 1
            spool.write(_item(record, count, channel).encode("utf-8"))
        return channel.head(now or datetime.now(UTC))

    joined(out, items, "</channel>\n</rss>\n")
    out.flush()
    return count


def wp_dates(value: str | None) -> tuple[str, str]:
    """An ISO date as WordPress keeps it: local time in the offset the page gave, and UTC."""
    if not value:
        return NO_DATE, NO_DATE
    when = datetime.fromisoformat(value)
    gmt = when.astimezone(UTC) if when.tzinfo else when
    # isoformat is done in C, strftime is not: a fifth of the time for the same text.
    return when.isoformat(" ", "seconds")[:19], gmt.isoformat(" ", "seconds")[:19]


def _item(record: dict[str, Any], number: int, channel: _Channel) -> str:
    site = record.get("site") or ""
    channel.sites[site] = channel.sites.get(site, 0) + 1
    if language := record.get("language"):
        channel.languages[language] = channel.languages.get(language, 0) + 1
    kind = "page" if record.get("kind") == "page" else "post"
    date, date_gmt = wp_dates(record.get("published"))
    modified, modified_gmt = wp_dates(record.get("updated"))
    url = record["url"]
    # Not made unique here: WordPress's importer does that (wp_unique_post_slug), and a set
    # of every slug would make the export's memory grow with the archive.
    slug = url_slug(url, record.get("title") or "")
    published = record.get("published")
    pub_date = format_datetime(datetime.fromisoformat(published)) if published else ""
    parts = [
        "\t<item>",
        f"\t\t<title>{cdata(record.get('title'))}</title>",
        f"\t\t<link>{xml_text(url)}</link>",
        f"\t\t<pubDate>{pub_date}</pubDate>",
        f"\t\t<dc:creator>{cdata(channel.login(record.get('author')))}</dc:creator>",
        f'\t\t<guid isPermaLink="false">{xml_text(url)}</guid>',
        "\t\t<description></description>",
        f"\t\t<content:encoded>{cdata(_body(record))}</content:encoded>",
        f"\t\t<excerpt:encoded>{cdata(record.get('summary'))}</excerpt:encoded>",
        f"\t\t<wp:post_id>{number}</wp:post_id>",
        f"\t\t<wp:post_date><![CDATA[{date}]]></wp:post_date>",
        f"\t\t<wp:post_date_gmt><![CDATA[{date_gmt}]]></wp:post_date_gmt>",
        f"\t\t<wp:post_modified><![CDATA[{modified}]]></wp:post_modified>",
        f"\t\t<wp:post_modified_gmt><![CDATA[{modified_gmt}]]></wp:post_modified_gmt>",
        f"\t\t<wp:comment_status>{cdata(_comment_status(record))}</wp:comment_status>",
        "\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>",
        f"\t\t<wp:post_name>{cdata(slug)}</wp:post_name>",
        "\t\t<wp:status><![CDATA[publish]]></wp:status>",
        "\t\t<wp:post_parent>0</wp:post_parent>",
        "\t\t<wp:menu_order>0</wp:menu_order>",
        f"\t\t<wp:post_type>{cdata(kind)}</wp:post_type>",
        "\t\t<wp:post_password><![CDATA[]]></wp:post_password>",
        "\t\t<wp:is_sticky>0</wp:is_sticky>",
    ]
    for taxonomy, field in (("category", "categories"), ("post_tag", "tags")):
        for name in record.get(field) or ():
            slug_of = channel.term(taxonomy, name)
            parts.append(
                f'\t\t<category domain="{taxonomy}" nicename="{xml_text(slug_of)}">'
                f"{cdata(name)}</category>"
            )
    parts.append(_meta("postmeta", "_blogarchive_id", record.get("id")))
    if language:
        parts.append(_meta("postmeta", "_blogarchive_language", language))
    parts.extend(_comments(record.get("comments") or ()))
    parts.append("\t</item>\n")
    return "\n".join(parts)


def _body(record: dict[str, Any]) -> str:
    """The post's HTML; a post archived without HTML gets its paragraphs as <p>."""
    if record.get("html"):
        return str(record["html"])
    text = record.get("text") or ""
    return "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in text.split("\n\n") if p)


def _comment_status(record: dict[str, Any]) -> str:
    return "closed" if record.get("comments_status") == "closed" else "open"


def _meta(kind: str, key: str, value: str | None) -> str:
    return (
        f"\t\t<wp:{kind}><wp:meta_key>{cdata(key)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:{kind}>"
    )


def comment_numbers(comments: Iterable[dict[str, Any]]) -> dict[str, int]:
    """A number for each comment id: the id itself where every id of the post is a distinct
    number (WordPress's own), otherwise the comment's place in the post."""
    ids = [str(c["id"]) for c in comments]
    if all(i.isdigit() and int(i) > 0 for i in ids) and len(set(map(int, ids))) == len(ids):
        return {i: int(i) for i in ids}
    return {i: n for n, i in enumerate(ids, 1)}


def _comments(comments: Iterable[dict[str, Any]]) -> list[str]:
    comments = list(comments)
    numbers = comment_numbers(comments)
    parts = []
    for comment in comments:
        date, date_gmt = wp_dates(comment.get("published"))
        parent = numbers.get(str(comment.get("parent_id") or ""), 0)
        text = comment.get("text") or ""
        link = comment.get("author_url") or ""
        link = link if link.startswith(("http://", "https://")) else ""  # no javascript: links
        parts.append(
            "\t\t<wp:comment>\n"
            f"\t\t\t<wp:comment_id>{numbers[str(comment['id'])]}</wp:comment_id>\n"
            f"\t\t\t<wp:comment_author>{cdata(comment.get('author'))}</wp:comment_author>\n"
            "\t\t\t<wp:comment_author_email><![CDATA[]]></wp:comment_author_email>\n"
            f"\t\t\t<wp:comment_author_url>{xml_text(link)}"
            "</wp:comment_author_url>\n"
            "\t\t\t<wp:comment_author_IP><![CDATA[]]></wp:comment_author_IP>\n"
            f"\t\t\t<wp:comment_date><![CDATA[{date}]]></wp:comment_date>\n"
            f"\t\t\t<wp:comment_date_gmt><![CDATA[{date_gmt}]]></wp:comment_date_gmt>\n"
            f"\t\t\t<wp:comment_content>{cdata(escape(text, quote=False))}</wp:comment_content>\n"
            "\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>\n"
            f"\t\t\t<wp:comment_type>{cdata(comment.get('type') or 'comment')}</wp:comment_type>\n"
            f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
            "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
            f"\t{_meta('commentmeta', '_blogarchive_id', str(comment['id']))}\n"
            "\t\t</wp:comment>"
        )
    return parts
