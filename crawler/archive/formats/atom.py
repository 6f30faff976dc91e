"""`export --format atom`: the selection as one Atom 1.0 feed (RFC 4287) with each post's
full text, for a feed reader or anything else that reads feeds.

An entry's id is the post's URL, so a reader that saw the live blog's feed knows the posts
again. A post the page gave no date gets the date it was archived as its `updated` (Atom
requires one); its `published` is then left out rather than invented.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO

from crawler.archive.formats.spool import joined, xml_attr, xml_records, xml_text

ATOM = "http://www.w3.org/2005/Atom"


def write_atom(
    out: BinaryIO,
    blobs: Iterable[bytes],
    title: str = "blogarchive",
    now: datetime | None = None,
) -> int:
    """Write the posts (stored export records, as `Store.export_blobs` gives them) as one
    Atom feed; returns how many."""
    count = 0
    newest: datetime | None = None
    sites: dict[str, int] = {}

    def entries(spool: IO[bytes]) -> str:
        nonlocal count, newest
        for record in xml_records(blobs):
            count += 1
            site = record.get("site") or ""
            sites[site] = sites.get(site, 0) + 1
            updated = _updated(record)
            newest = updated if newest is None or updated > newest else newest
            spool.write(_entry(record, updated).encode("utf-8"))
        site = max(sites, key=sites.__getitem__, default="")
        stamp = newest or now or datetime.now(UTC)
        alternate = f'\t<link rel="alternate" href="{xml_attr(site)}"/>\n' if site else ""
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="{ATOM}">\n'
            f"\t<id>{xml_text(site or 'urn:blogarchive:export')}</id>\n"
            f"\t<title>{xml_text(title)}</title>\n"
            f"\t<updated>{stamp.isoformat()}</updated>\n"
            f"{alternate}"
            f"\t<author><name>{xml_text(site or title)}</name></author>\n"
            "\t<generator>blogarchive</generator>\n"
        )

    joined(out, entries, "</feed>\n")
    out.flush()
    return count


def _updated(record: dict[str, Any]) -> datetime:
    for name in ("updated", "published", "fetched_at"):
        if value := record.get(name):
            when = datetime.fromisoformat(value)
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime(1970, 1, 1, tzinfo=UTC)


def _entry(record: dict[str, Any], updated: datetime) -> str:
    url = xml_text(record["url"])
    lang = f' xml:lang="{xml_attr(record["language"])}"' if record.get("language") else ""
    parts = [
        f"\t<entry{lang}>",
        f"\t\t<id>{url}</id>",
        f"\t\t<title>{xml_text(record.get('title'))}</title>",
        f'\t\t<link rel="alternate" type="text/html" href="{xml_attr(record["url"])}"/>',
        f"\t\t<updated>{updated.isoformat()}</updated>",
    ]
    if record.get("published"):
        parts.append(
            f"\t\t<published>{datetime.fromisoformat(record['published']).isoformat()}</published>"
        )
    if record.get("author"):
        parts.append(f"\t\t<author><name>{xml_text(record['author'])}</name></author>")
    for scheme, field in (("category", "categories"), ("tag", "tags")):
        for name in record.get(field) or ():
            parts.append(
                f'\t\t<category term="{xml_attr(name)}" scheme="urn:blogarchive:{scheme}"/>'
            )
    if record.get("summary"):
        parts.append(f"\t\t<summary>{xml_text(record['summary'])}</summary>")
    if record.get("html"):
        parts.append(f'\t\t<content type="html">{xml_text(record["html"])}</content>')
    else:
        parts.append(f'\t\t<content type="text">{xml_text(record.get("text"))}</content>')
    parts.append("\t</entry>\n")
    return "\n".join(parts)
