"""Which images belong to a post: those of its text, its featured image, those in comments.

Not every `<img>` on a post page is the post's: themes draw logos and icons, commenters have
avatars, counters hide one-pixel images, share widgets bring their buttons. Images inside
the widgets the body parser already skips (share bars, related posts) are never seen here;
the tables below say what else is not a picture of the post, by the kind of thing it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from crawler.archive.model import MediaRef, MediaRole
from crawler.archive.picture import chosen_source
from crawler.parsers.meta import PageMeta
from crawler.parsers.select import Node, inside, select
from crawler.parsers.urls import host_in

# Classes an <img> carries when it is not a picture of the post.
NOT_PICTURE_CLASSES = frozenset(
    (
        "avatar", "avatar-photo", "gravatar", "user-avatar",  # commenters' and authors' faces
        "emoji", "wp-smiley", "wp-emoji",  # emoji drawn as images
        "share-icon", "social-icon", "icon",  # share buttons and UI icons
        "logo", "custom-logo", "site-logo",  # the blog's own branding
        "tracking-pixel", "stats-pixel",
    )
)  # fmt: skip
# Hosts that only ever serve avatars, emoji, counters and ads.
NOT_PICTURE_HOSTS = (
    "gravatar.com",  # avatars (WordPress, Disqus, many others)
    "s.w.org",  # WordPress's emoji sprites
    "pixel.wp.com", "stats.wp.com",  # WordPress.com statistics
    "feeds.feedburner.com",  # feed-reader counters
    "met.vgwort.de",  # VG Wort's counting pixel (German authors' royalties)
    "doubleclick.net", "googlesyndication.com", "amazon-adsystem.com",  # ads
    "scorecardresearch.com", "quantserve.com", "facebook.com", "google-analytics.com",
)  # fmt: skip
# Paths of a theme's and an engine's own files, and of avatar and emoji sets.
NOT_PICTURE_PATHS = re.compile(
    r"/wp-content/themes/|/wp-content/plugins/|/wp-includes/|/avatars?/|/emoji/|/smilies/"
    r"|/static/(?:img|images)/icons?/"
)
# Elements a theme wraps the post's featured image in (outside the text).
FEATURED = (
    "img.wp-post-image, .post-thumbnail img, .featured-image img, .entry-featured-image img,"
    " .wp-block-post-featured-image img, .post-featured-image img, .entry-image img,"
    " .post-image img, [itemprop=image] img, img[itemprop=image]"
)


def not_a_picture(img: Node | None, url: str) -> bool:
    """An avatar, emoji, icon, theme file, counter pixel or ad, by its markup or its URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return True
    if host_in((parts.hostname or "").lower(), NOT_PICTURE_HOSTS):
        return True
    if NOT_PICTURE_PATHS.search(parts.path.lower()):
        return True
    if img is None:
        return False
    classes = set((img.get("class") or "").lower().split())
    if classes & NOT_PICTURE_CLASSES:
        return True
    # A counter is an image of a pixel or two; a picture is larger (or says nothing).
    sizes = [img.get("width"), img.get("height")]
    small = [int(s) for s in sizes if s and s.strip().isdigit() and int(s) <= 2]
    return bool(small)


def _source_of(img: Node, base: str) -> str | None:
    parent = img.getparent()
    sources = []
    if parent is not None and parent.tag == "picture":
        sources = [dict(s.attrib) for s in parent if s.tag == "source"]
    return chosen_source(dict(img.attrib), sources, base)


def _ld_image(article: dict[str, object] | None) -> str | None:
    value: object = (article or {}).get("image")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) and value.strip() else None


def _absolute(url: str | None, base: str) -> str | None:
    return urljoin(base, url.strip()) if url else None


def post_media(
    blocks: list[Node],
    skip: Iterable[Node],
    root: Node,
    meta: PageMeta,
    base: str,
    comment_items: Iterable[Node] = (),
) -> tuple[MediaRef, ...]:
    """The post's images in page order, each once: featured image, text, comments."""
    refs: dict[str, MediaRole] = {}
    skipped = set(skip)

    def add(url: str | None, role: MediaRole, img: Node | None = None) -> None:
        if url and url not in refs and not not_a_picture(img, url):
            refs[url] = role

    # Images inside <noscript> repeat what a lazy loader's data-src names, and the stored
    # HTML drops them; the lazy image itself is what the post shows.
    text_images = [
        img
        for block in blocks
        for img in block.iter("img")
        if not any(a.tag == "noscript" for a in img.iterancestors())
    ]
    body = set(blocks)
    for img in select(root, FEATURED):
        if not inside(img, body) and not inside(img, skipped):
            add(_source_of(img, base), "featured", img)
            break
    add(_absolute(_ld_image(meta.article), base), "featured")
    add(_absolute(meta.first("og:image", "og:image:url", "og:image:secure_url"), base), "featured")
    featured = dict(refs)
    refs.clear()
    for img in text_images:
        if not inside(img, skipped):
            add(_source_of(img, base), "body", img)
    for item in comment_items:
        for img in item.iter("img"):
            add(_source_of(img, base), "comment", img)
    # Text images first in the order the reader meets them; a featured image the text does
    # not show comes before them, as themes show it above the text.
    ordered = {url: role for url, role in featured.items() if url not in refs}
    ordered.update(refs)
    return tuple(MediaRef(url, role) for url, role in ordered.items())
