"""The lines a theme appends to a post body: where the post's own text ends."""

from __future__ import annotations

from crawler.parsers.body import TAIL_BLOCKS, before_site_footer

PROSE = [
    "Kleine Läden kennen ihre Kunden beim Namen. " * 6,
    "Ein Newsletter, der gelesen wird, erzählt etwas. " * 6,
    "Wer regelmässig schreibt, wird gefunden. " * 6,
]


def test_a_widget_heading_near_the_end_cuts_the_teasers_after_it() -> None:
    for kind, headings in TAIL_BLOCKS.items():
        for heading in headings:
            body = [*PROSE, heading + ":", "Zehn Tipps für Flyer", "Podcast für Handwerker"]
            assert before_site_footer(body) == PROSE, (kind, heading)


def test_a_widget_heading_followed_by_prose_is_the_posts_own() -> None:
    body = [*PROSE, "Mehr zum Thema", "Wer mehr wissen will: " + "ein ganzer Absatz. " * 15]
    assert before_site_footer(body) == body


def test_a_widget_heading_early_in_the_post_is_a_heading_of_the_post() -> None:
    body = ["Über den Autor", *PROSE, "Schluss."]
    assert before_site_footer(body) == body
    short = [PROSE[0], "Mehr zum Thema", PROSE[1], PROSE[2], "Ende."]
    assert before_site_footer(short) == short


def test_a_line_of_legal_links_still_ends_the_post() -> None:
    body = [*PROSE, "Impressum | Datenschutz | Kontakt", "© 2024"]
    assert before_site_footer(body) == PROSE
