"""`blogarchive import-wxr`: a blog owner's WordPress export (Tools → Export, WXR 1.0–1.2)
made into an archive, as a crawl of the live blog would have made it.

Posts and pages with their authors' display names, dates in the blog's own offset (WXR
gives local time and UTC, so the offset follows), categories, tags and approved comments
with their threads and types (pingback, trackback). What a visitor could not see stays out
unless `--all`: drafts, pending, scheduled and private posts, and the text and comments of
password-protected ones (a visitor saw their title and a password form). Attachments,
menus, revisions and the types of plugins are no posts; they are counted, not archived.
The images a post's text shows are linked to it without their files (an export holds none):
the next crawl of the blog, while it still exists, fetches them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from lxml import etree

from crawler.archive.model import Comment, MediaRef, Post, thread_order
from crawler.archive.store import Store
from crawler.imports.wp_content import html_and_text, shown_post
from crawler.imports.xmlfile import BadExport, elements, local, text
from crawler.parsers.text import clean_text, unique_names
from crawler.parsers.urls import canonical

WP_NAMESPACE = "http://wordpress.org/export/"
# What blogarchive's own WXR keeps beside WordPress's fields (formats/wxr.py).
ID_META, LANGUAGE_META = "_blogarchive_id", "_blogarchive_language"
RESIZED = re.compile(r"-\d+x\d+(\.(?:jpe?g|png|gif|webp|avif))$", re.IGNORECASE)
POST_TYPES = ("post", "page")
VISIBLE = "publish"
HIDDEN = ("draft", "pending", "future", "private")  # archived with --all; trash never
# WordPress before 5.5 wrote "" for a plain comment; a plugin's own type is a comment too.
COMMENT_TYPES = {"pingback": "pingback", "trackback": "trackback"}


@dataclass
class WxrResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    comments: int = 0
    site: str = ""
    left_out: dict[str, int] = field(default_factory=dict)  # why → how many items

    def leave_out(self, why: str) -> None:
        self.left_out[why] = self.left_out.get(why, 0) + 1


class _Channel:
    def __init__(self) -> None:
        self.site = ""
        self.language: str | None = None
        self.authors: dict[str, str] = {}  # login → display name
        self.exported: datetime | None = None
        self.is_wxr = False


def import_wxr(store: Store, path: Path, include_all: bool = False) -> WxrResult:
    """Archive the posts of a WXR file in one transaction (a bad file leaves the archive
    as it was: `BadExport`)."""
    result = WxrResult()
    files = attachments(path)
    with store.transaction():
        for post in read_wxr(path, result, include_all, files):
            outcome, _ = store.save_post(post)
            setattr(result, outcome, getattr(result, outcome) + 1)
            result.comments += len(post.comments)
    return result


def check_wxr(path: Path) -> None:
    """Read the whole file once, cheaply, before an archive is touched: `BadExport` for a
    file that is not XML, is cut short, or is no WordPress export."""
    channel = _Channel()
    for el in elements(path, "rss", "WordPress export (WXR)", depth=2):
        name = local(el.tag)
        if name != "item":
            _channel_field(channel, el, name)
        else:
            _check_channel(path, channel)
    _check_channel(path, channel)


def _check_channel(path: Path, channel: _Channel) -> None:
    if not channel.is_wxr:
        raise BadExport(f"{path} is an RSS feed, not a WordPress export (no wp:wxr_version).")
    if not channel.site:
        raise BadExport(f"{path} names no blog (its channel has no <link>).")


def attachments(path: Path) -> dict[str, str]:
    """The media library of a WXR file: attachment id → the file's URL (for featured images,
    which a post names by id and the file may list after it)."""
    found = {}
    for el in elements(path, "rss", "WordPress export (WXR)", depth=2):
        if local(el.tag) != "item":
            continue
        fields = {local(child.tag): text(child) for child in el}
        if fields.get("post_type") == "attachment" and fields.get("attachment_url"):
            found[fields.get("post_id", "").strip()] = fields["attachment_url"].strip()
    return found


def original_image(url: str) -> str:
    """A WordPress resized copy's original: `photo-1024x683.jpg` → `photo.jpg` (WordPress
    names its sizes so; the crawl keeps the largest file a post offers, the original)."""
    if "/wp-content/uploads/" not in url:
        return url
    return RESIZED.sub(r"\1", url)


def read_wxr(
    path: Path,
    result: WxrResult,
    include_all: bool = False,
    files: dict[str, str] | None = None,
) -> Iterator[Post]:
    """The posts of a WXR file, in file order; what is left out is counted in `result`.
    `files`: the file's attachments (`attachments`), for featured images."""
    channel = _Channel()
    for el in elements(path, "rss", "WordPress export (WXR)", depth=2):
        name = local(el.tag)
        if name != "item":
            _channel_field(channel, el, name)
            continue
        _check_channel(path, channel)
        result.site = channel.site
        post = _post(el, channel, result, include_all, files or {})
        if post is not None:
            yield post
    _check_channel(path, channel)


def _channel_field(channel: _Channel, el: etree._Element, name: str) -> None:
    if name == "wxr_version" and str(el.tag).startswith("{" + WP_NAMESPACE):
        channel.is_wxr = True
    elif (name == "link" and not channel.site) or (name == "base_blog_url" and not channel.site):
        channel.site = _site(text(el))
    elif name == "language":
        channel.language = text(el).strip() or None
    elif name == "pubDate":
        with suppress(TypeError, ValueError):
            channel.exported = parsedate_to_datetime(text(el).strip())
    elif name == "author":
        fields = {local(child.tag): text(child) for child in el}
        if login := fields.get("author_login"):
            channel.authors[login] = clean_text(fields.get("author_display_name") or login)


def _site(link: str) -> str:
    link = link.strip()
    if not link.startswith(("http://", "https://")):
        return ""
    return canonical(link.rstrip("/") + "/")


def wp_date(local_time: str, gmt: str) -> datetime | None:
    """WordPress's local time and UTC of one moment as a date with its offset."""
    try:
        when = datetime.strptime(local_time.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    try:
        utc = datetime.strptime(gmt.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return when  # no UTC (a draft's "0000-00-00"): the offset is unknown
    offset = round((when - utc).total_seconds() / 900) * 900  # offsets are quarter hours
    if abs(offset) > 14 * 3600:
        return when
    return when.replace(tzinfo=UTC if offset == 0 else timezone(timedelta(seconds=offset)))


def _post(
    el: etree._Element,
    channel: _Channel,
    result: WxrResult,
    include_all: bool,
    files: dict[str, str],
) -> Post | None:
    fields: dict[str, str] = {}
    terms: dict[str, list[str]] = {"category": [], "post_tag": []}
    comments: list[etree._Element] = []
    meta: dict[str, str] = {}
    for child in el:
        name = local(child.tag)
        if name == "postmeta":
            meta.update(_meta(child))
        elif name == "category":
            domain = child.get("domain") or ""
            if domain in terms:
                terms[domain].append(html.unescape(text(child)))
        elif name == "comment":
            comments.append(child)
        elif name not in fields:
            fields[name] = text(child)
    kind, status = fields.get("post_type", ""), fields.get("status", "")
    if kind not in POST_TYPES:
        result.leave_out(f"{kind or 'untyped'} items")
        return None
    if status != VISIBLE and not (include_all and status in HIDDEN):
        result.leave_out(f"{status or 'unknown'} {kind}s")
        return None
    url = fields.get("link", "").strip()
    if not url.startswith(("http://", "https://")):
        result.leave_out("items without a link")
        return None
    protected = bool(fields.get("post_password")) and not include_all
    page_url = canonical(url)
    body, words, images = (
        ("", "", ()) if protected else shown_post(fields.get("encoded", ""), page_url)
    )
    excerpt = _excerpt(el)
    return Post(
        url=page_url,
        title=clean_text(html.unescape(fields.get("title", ""))),
        text=words,
        kind="page" if kind == "page" else "post",
        author=channel.authors.get(
            fields.get("creator", ""), clean_text(fields.get("creator", "")) or None
        )
        if kind == "post"
        else None,
        published=wp_date(fields.get("post_date", ""), fields.get("post_date_gmt", ""))
        if kind == "post"
        else None,
        updated=wp_date(fields.get("post_modified", ""), fields.get("post_modified_gmt", ""))
        if kind == "post"
        else None,
        language=meta.get(LANGUAGE_META) or channel.language,
        categories=unique_names(terms["category"]) if kind == "post" else (),
        tags=unique_names(terms["post_tag"]) if kind == "post" else (),
        summary=excerpt,
        html=body or None,
        comments=() if protected else _comments(comments),
        # A protected post showed a password form, and nothing of its comments.
        comments_status=None
        if protected
        else _comments_status(fields.get("comment_status", ""), bool(comments)),
        site=channel.site,
        fetched_at=channel.exported or datetime.now(UTC),
        platform="wxr",
        # The images the text shows, linked without their files: a crawl of the live blog
        # fetches them (the export has none).
        media=_images(images, files.get(meta.get("_thumbnail_id", "").strip())),
    )


def _images(body: tuple[MediaRef, ...], featured: str | None) -> tuple[MediaRef, ...]:
    """The featured image first (as themes show it above the text), then the text's, each
    as its original file, once."""
    refs: dict[str, MediaRef] = {}
    if featured:
        refs[featured] = MediaRef(featured, "featured")
    for ref in body:
        url = original_image(ref.url)
        refs.setdefault(url, MediaRef(url, ref.role))
    return tuple(refs.values())


def _meta(el: etree._Element) -> dict[str, str]:
    """A `wp:postmeta` or `wp:commentmeta`: its key and value."""
    fields = {local(child.tag): text(child) for child in el}
    return {fields.get("meta_key", ""): fields.get("meta_value", "")}


def _excerpt(el: etree._Element) -> str | None:
    for child in el:
        if local(child.tag) == "encoded" and "excerpt" in str(child.tag):
            _, words = html_and_text(text(child))
            return words or None
    return None


def _comments_status(status: str, has_comments: bool) -> str:
    return "closed" if status == "closed" and not has_comments else "complete"


def _comments(elements_: list[etree._Element]) -> tuple[Comment, ...]:
    """The approved comments in threads, oldest first (WordPress's default display)."""
    found: list[Comment] = []
    numbers: dict[str, str] = {}  # WXR comment number → the archive's id, where it kept one
    for el in elements_:
        fields = {
            local(child.tag): text(child) for child in el if local(child.tag) != "commentmeta"
        }
        for child in el.iterchildren():
            if local(child.tag) == "commentmeta" and (original := _meta(child).get(ID_META)):
                numbers[fields.get("comment_id", "").strip()] = original
        if fields.get("comment_approved", "").strip() != "1":
            continue  # held for moderation, spam or trash
        kind = COMMENT_TYPES.get(fields.get("comment_type", "").strip(), "comment")
        _, words = html_and_text(fields.get("comment_content", ""))
        author_url = fields.get("comment_author_url", "").strip()
        found.append(
            Comment(
                id=fields.get("comment_id", "").strip(),
                text=words,
                parent_id=fields.get("comment_parent", "0").strip(),
                author=clean_text(html.unescape(fields.get("comment_author", ""))) or None,
                author_url=author_url if author_url.startswith(("http://", "https://")) else None,
                published=wp_date(
                    fields.get("comment_date", ""), fields.get("comment_date_gmt", "")
                ),
                type=kind,  # type: ignore[arg-type]
            )
        )
    if numbers:  # exported by blogarchive: the ids it archived them under
        found = [
            replace(
                c, id=numbers.get(c.id, c.id), parent_id=numbers.get(c.parent_id or "", c.parent_id)
            )
            for c in found
        ]
    # A reply to a comment that is not shown (held, spam, or the "0" of a top comment) is
    # shown at the top level.
    ids = {c.id for c in found}
    found = [
        c if c.parent_id in ids and c.parent_id != c.id else replace(c, parent_id=None)
        for c in found
    ]
    return tuple(threads(found))


def threads(comments: list[Comment]) -> Iterator[Comment]:
    """Comments in thread order (`thread_order`), each id once: an export names a comment once."""
    first: dict[str, Comment] = {}
    for comment in comments:
        first.setdefault(comment.id, comment)
    yield from thread_order(list(first.values()), replies_by_date=True)
