from __future__ import annotations

from crawler.parsers import parse_html
from crawler.parsers.select import select
from crawler.parsers.text import clean_html, html_to_text, unique_names


def _el(html: str):  # type: ignore[no-untyped-def]
    return parse_html(html).find("body")


def test_paragraphs_lists_headings_and_line_breaks() -> None:
    body = _el(
        "<h2>Schritte</h2><p>Erster&nbsp;Absatz\n mit   Leerraum.</p><ul><li>eins</li><li>zwei</li>"
        "</ul><p>Zeile<br>neue Zeile</p><script>var x;</script><pre>code  kept\n  as is</pre>"
    )
    assert html_to_text(body) == (
        "Schritte\n\nErster Absatz mit Leerraum.\n\neins\nzwei\n\nZeile\nneue Zeile"
        "\n\ncode  kept\n  as is"
    )


def test_skipped_elements_leave_no_text() -> None:
    body = _el('<p>Text</p><div class="share">Gefällt mir</div>')
    assert html_to_text(body, select(body, ".share")) == "Text"


def test_invisible_characters_are_removed() -> None:
    assert html_to_text(_el("<p>Stra\u00adße\u200b</p>")) == "Straße"


def test_clean_html_strips_scripts_handlers_and_javascript_urls() -> None:
    html = clean_html(
        _el(
            '<div><p onclick="x()">Hi</p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">a</a><a href="/ok">b</a></div>'
        ).find("div")
    )
    assert html is not None
    assert "script" not in html
    assert "onclick" not in html
    assert "javascript" not in html
    assert 'href="/ok"' in html


def test_unique_names_drop_empty_and_repeated() -> None:
    assert unique_names([" marketing", "", " , ", "Erfolg", "Marketing", "Größe "]) == (
        "marketing",
        "Erfolg",
        "Größe",
    )


def test_clean_html_drops_an_element_named_twice() -> None:
    root = _el("<div><p>Text</p><div class='share'>Teilen</div></div>").find("div")
    share = root.find("div")
    html = clean_html(root, [share, share])
    assert html is not None
    assert "Teilen" not in html
    assert "Text" in html
