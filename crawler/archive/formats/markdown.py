"""A post's stored HTML as Markdown for a static site generator (markdownify, on
BeautifulSoup): headings, lists, quotes, code, links and images, a captioned figure as Hugo's
`figure` shortcode so its caption stays with its picture.

The text is other people's: a `{{<` or `{{%` in it would be run by Hugo as a shortcode, so
the first brace of every `{{` becomes an HTML entity (shown as a brace; inside code it shows
as the entity, the price of a build that cannot be made to run anything).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdownify import ATX, MarkdownConverter

SHORTCODE_OPEN = "{{"
MARK = "\x00"  # our own shortcodes are kept out of the escaping under this mark


def _param(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "&quot;").replace("{{", "{&#123;")


class _Converter(MarkdownConverter):
    def __init__(self, image_name: Callable[[str], str | None], **options: Any) -> None:
        super().__init__(heading_style=ATX, bullets="-", **options)
        self.image_name = image_name
        self.shortcodes: list[str] = []

    def _src(self, img: Any) -> str:
        from crawler.archive.picture import chosen_source

        src = chosen_source(dict(img.attrs)) or ""
        return self.image_name(src) or src

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        src, alt = self._src(el), str(el.get("alt") or "")
        if not src or src.startswith("data:"):
            return ""
        title = f' "{_param(str(el["title"]))}"' if el.get("title") else ""
        return f"![{alt.replace(']', '')}]({src.replace(' ', '%20').replace(')', '%29')}{title})"

    def convert_figure(self, el: Any, text: str, parent_tags: set[str]) -> str:
        img, caption = el.find("img"), el.find("figcaption")
        if img is None or caption is None:
            return f"\n\n{text.strip()}\n\n"
        words = " ".join(caption.get_text(" ").split())
        code = (
            f'{{{{< figure src="{_param(self._src(img))}" alt="{_param(str(img.get("alt") or ""))}"'
            f' caption="{_param(words)}" >}}}}'
        )
        self.shortcodes.append(code)
        return f"\n\n{MARK}{len(self.shortcodes) - 1}{MARK}\n\n"


def to_markdown(html: str, image_name: Callable[[str], str | None] = lambda url: None) -> str:
    """Markdown of an HTML fragment; `image_name` gives an image URL's local file, if any."""
    converter = _Converter(image_name)
    text = converter.convert(html).replace(SHORTCODE_OPEN, "{&#123;")
    for number, code in enumerate(converter.shortcodes):
        text = text.replace(f"{MARK}{number}{MARK}", code)
    return text.replace(MARK, "").strip() + "\n"
