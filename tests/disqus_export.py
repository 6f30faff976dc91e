"""A Disqus export, written in the format Disqus documents for its XML exports
(`<disqus>` in the http://disqus.com namespace: `<category>`, then every `<thread>` with its
`dsq:id`, link and title, then every `<post>` naming its `<thread dsq:id>` and, for a reply,
its `<parent dsq:id>`; flags `isDeleted` and `isSpam`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd'
    ' http://disqus.com/api/schemas/1.0/disqus-internals.xsd">\n'
    '<category dsq:id="1"><forum>werkstatt</forum><title>General</title>'
    "<isDefault>true</isDefault></category>\n"
)


@dataclass
class DisqusPost:
    id: str
    thread: str
    message: str
    author: str
    created: str  # ISO 8601 in UTC, as Disqus writes it: 2011-05-01T10:00:00Z
    parent: str | None = None
    deleted: bool = False
    spam: bool = False


@dataclass
class DisqusThread:
    id: str
    link: str
    title: str
    deleted: bool = False
    posts: list[DisqusPost] = field(default_factory=list)


def disqus_xml(threads: list[DisqusThread]) -> str:
    out = [HEAD]
    for t in threads:
        out.append(
            f'<thread dsq:id="{t.id}"><id>{t.id}</id><forum>werkstatt</forum>'
            f'<category dsq:id="1"/><link>{escape(t.link)}</link><title>{escape(t.title)}</title>'
            "<message/><createdAt>2010-10-27T12:00:00Z</createdAt>"
            "<author><email>owner@blog.example</email><name>Owner</name>"
            "<isAnonymous>false</isAnonymous><username>owner</username></author>"
            f"<ipAddress>127.0.0.1</ipAddress><isClosed>false</isClosed>"
            f"<isDeleted>{str(t.deleted).lower()}</isDeleted></thread>\n"
        )
    for t in threads:
        for p in t.posts:
            parent = f'<parent dsq:id="{p.parent}"/>' if p.parent else ""
            out.append(
                f'<post dsq:id="{p.id}"><id/><message><![CDATA[{p.message}]]></message>'
                f"<createdAt>{p.created}</createdAt>"
                f"<isDeleted>{str(p.deleted).lower()}</isDeleted>"
                f"<isSpam>{str(p.spam).lower()}</isSpam>"
                f"<author><email>{p.id}@readers.example</email><name>{escape(p.author)}</name>"
                "<isAnonymous>true</isAnonymous></author><ipAddress>127.0.0.1</ipAddress>"
                f'<thread dsq:id="{t.id}"/>{parent}</post>\n'
            )
    out.append("</disqus>\n")
    return "".join(out)
