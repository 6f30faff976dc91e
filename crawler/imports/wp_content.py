"""A WordPress post's or comment's content as stored (what its export holds) made into what
its readers saw, as far as that follows from the text alone: paragraphs where the author
left blank lines (WordPress adds the <p> only when it shows a post), captions as figures,
the editor's block markers dropped. Then the crawl's own cleaning and text rules.

Left as stored: WordPress's display typography (curly quotes, dashes), which depends on the
blog's language and is not in the export, and shortcodes of plugins, which only the plugin
could render (the common media ones are removed rather than shown as code).
"""

from __future__ import annotations

import re
from html import escape

from lxml import html as lxml_html

from crawler.archive.model import MediaRef
from crawler.archive.sanitize import sanitize_html
from crawler.parsers.media import post_media
from crawler.parsers.meta import PageMeta
from crawler.parsers.text import html_to_text

BLOCK_TAGS = (
    "address|article|aside|blockquote|details|div|dl|fieldset|figcaption|figure|footer|form|h[1-6]"
    "|header|hr|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul|iframe|audio"
    "|video|embed|object|style|script|summary"
)
STARTS_BLOCK = re.compile(rf"^\s*</?(?:{BLOCK_TAGS})\b", re.IGNORECASE)
ENDS_BLOCK = re.compile(rf"</(?:{BLOCK_TAGS})>\s*$", re.IGNORECASE)
BLANK_LINE = re.compile(r"\n\s*\n")
PRE = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
CAPTION = re.compile(r"\[caption\b[^\]]*\](.*?)\[/caption\]", re.IGNORECASE | re.DOTALL)
CAPTIONED = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL)
EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.IGNORECASE | re.DOTALL)
# The media shortcodes of WordPress itself: what they show (a gallery, a player) is built from
# attachments when the post is shown; as text they would be noise.
MEDIA_SHORTCODE = re.compile(
    r"\[(gallery|playlist|audio|video)\b[^\]]*\](?:.*?\[/\1\])?", re.IGNORECASE | re.DOTALL
)


def autop(content: str) -> str:
    """Paragraphs of stored content: text between blank lines that is not already a block
    of its own becomes a <p>, a single line break in it a <br>; <pre> is left as it is."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    content = PRE.sub(keep, content.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for chunk in BLANK_LINE.split(content):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("\x00") or (STARTS_BLOCK.match(chunk) and ENDS_BLOCK.search(chunk)):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    joined = "\n".join(out)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], joined)


def _caption(match: re.Match[str]) -> str:
    inner = CAPTIONED.match(match.group(1))
    if inner is None:
        return match.group(1)
    return f"<figure>{inner.group(1)}<figcaption>{inner.group(2).strip()}</figcaption></figure>"


def _embed(match: re.Match[str]) -> str:
    url = escape(match.group(1).strip())
    return f'<p><a href="{url}">{url}</a></p>'


def shown(content: str) -> str:
    """Stored content as HTML the way the blog showed it (see the module's doc)."""
    content = COMMENT.sub("", content)
    content = CAPTION.sub(_caption, content)
    content = EMBED.sub(_embed, content)
    content = MEDIA_SHORTCODE.sub("", content)
    return autop(content)


def html_and_text(content: str) -> tuple[str, str]:
    """The cleaned HTML and the plain text of stored content, by the crawl's rules."""
    cleaned, text, _ = shown_post(content, "")
    return cleaned, text


def shown_post(content: str, url: str) -> tuple[str, str, tuple[MediaRef, ...]]:
    """The cleaned HTML, the plain text and the images of stored content (its URLs read
    against the post's `url`), by the crawl's rules."""
    if not content.strip():
        return "", "", ()
    cleaned = sanitize_html(shown(content))
    if not cleaned.strip():
        return "", "", ()
    root = lxml_html.fragment_fromstring(cleaned, create_parent="div")
    images = post_media([root], (), root, PageMeta(), url) if url else ()
    return cleaned, html_to_text(root), images
