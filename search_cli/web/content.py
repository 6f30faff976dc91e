"""A post's body as the reading room shows it: the stored cleaned HTML through the store's
sanitizer once more, with nothing that would load from the live web."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape

from crawler.archive.model import Post
from crawler.archive.sanitize import sanitize_html

# Where the archive's own copies of resources live on this server; everything else stays
# unloaded (its URL kept in a data- attribute).
LOCAL = ("/media/", "data:image/")


def post_html(post: Post, images: Mapping[str, str] | None = None) -> Markup:
    """The body; `images` maps an image's URL to its archived copy on this server."""
    if post.html:
        return Markup(sanitize_html(post.html, local=LOCAL, images=images, base=post.url))
    return text_html(post.text)


def text_html(text: str) -> Markup:
    """Plain text as paragraphs, line breaks kept, everything escaped."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return Markup("").join(
        Markup("<p>") + Markup("<br>").join(escape(line) for line in p.split("\n")) + Markup("</p>")
        for p in paragraphs
    )
