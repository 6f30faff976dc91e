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


def test_an_author_box_near_the_end_goes_with_its_biography() -> None:
    bio = "Anna schreibt seit 2010 über Marketing für kleine Betriebe und berät Läden. " * 4
    assert before_site_footer([*PROSE, "Über den Autor", bio]) == PROSE
    assert before_site_footer([*PROSE, "About the author", bio]) == PROSE


def test_a_taxonomy_label_alone_goes_with_its_names() -> None:
    assert before_site_footer([*PROSE, "Tags:", "Olympia 2028 Olympische Spiele"]) == PROSE
    assert before_site_footer([*PROSE, "Schlagwörter:", "Flyer, Messe"]) == PROSE


def test_calls_to_sign_up_support_or_buy_at_the_end_go() -> None:
    calls = [
        "Keine Neuigkeiten mehr verpassen: Abonnieren Sie kostenlos unseren Newsletter.",
        "Do you want to be informed of our actions? Sign up here",
        "Gefällt dir unser Magazin? Dann unterstütze uns mit einem Abo.",
        "Jetzt neu! Besuchen Sie unseren Fan-Shop!",
        "Unterstütze unser Magazin bereits mit 2,50 € im Monat!",
    ]
    for call in calls:
        assert before_site_footer([*PROSE, call]) == PROSE, call
    # The same words early in a post about newsletters are the post's own.
    early = ["Abonnieren Sie kostenlos den Newsletter Ihres Verbands: so geht es.", *PROSE]
    assert before_site_footer(early) == early
    # "unterstützen Sie unsere Forderung" in a paragraph of the post's own is no call.
    own = PROSE[0] + " Unterschreiben Sie und unterstützen Sie unsere Forderung."
    assert before_site_footer([*PROSE, own]) == [*PROSE, own]


def test_widget_lines_anywhere_are_not_text() -> None:
    from crawler.parsers.body import not_text

    widgets = [
        "Facebook\nTwitter\nPinterest\nLinkedIn\nEmail",
        "FacebookTwitterPinterest",
        "Teilen Tweet E-Mail",
        "Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.",
        "Inhalt laden",
        "Empfohlener redaktioneller Inhalt",
        "(Noch keine Bewertungen)\nLoading...",
        "Inhaltsverzeichnis",
        "Table of contents",
        "Letzte Aktualisierung am 2.02.2022 / Bei den Verlinkungen handelt es sich um"
        " Affiliate Links.",
        "This post contains references to products from one or more of our advertisers.",
        "Kostenlos registrieren und weiterlesen",
        "Schon registriert? Hier einloggen",
        "Already a subscriber? Sign in",
        "Buch bestellen",
        "Add to cart",
        "Disclaimer: The responses below are not provided or commissioned by the advertiser.",
        "Wenn Ihnen unser Artikel gefallen hat: Unterstützen Sie diese Form des Journalismus.",
    ]
    for line in widgets:
        assert not_text(line), line
    own = [
        "Twitter ist für kleine Läden oft weniger wichtig als Facebook.",
        "Affiliate-Links sind für kleine Blogs eine Einnahmequelle, aber " + "nur bedingt. " * 30,
        "Ein Inhaltsverzeichnis hilft langen Beiträgen.",
        "Wer sich registrieren will, braucht nur eine E-Mail-Adresse.",
        "Das Buch bestellen Sie am besten beim Buchhändler um die Ecke.",
        "Ein Disclaimer: gehört er in jeden Beitrag? " + "Nicht unbedingt. " * 20,
        "Der Verein bat: Unterstützen Sie uns bei der Sammlung. " + "Viele kamen. " * 20,
    ]
    for line in own:
        assert not not_text(line), line


ARTICLE = "".join(
    f"<p>Absatz {n}: Stammkunden kommen wieder, wenn man sie beim Namen kennt und grüßt.</p>"
    for n in range(8)
)
CONSENT_TEXT = (
    "<div class='wordpress-gdpr-popup'><div class='wordpress-gdpr-popup-text'>"
    + "<p>Wir verwenden Cookies, um Ihnen die beste Online-Erfahrung zu bieten. "
    + "Mit Ihrer Zustimmung akzeptieren Sie die Verwendung von Cookies. " * 12
    + "</p></div></div>"
)


def _post(body: str) -> str:
    from crawler.parsers import parse_page

    html = (
        "<html><head><title>Treue Kunden</title>"
        "<meta property='og:type' content='article'></head><body>"
        f"{body}</body></html>"
    )
    page = parse_page("https://blog.example/2023/10/treue-kunden/", html.encode())
    assert page.post is not None
    return page.post.text


def test_a_consent_dialog_is_never_the_post_body() -> None:
    text = _post(f"{CONSENT_TEXT}<div class='col'><h1>Treue Kunden</h1>{ARTICLE}</div>")
    assert "Stammkunden kommen wieder" in text
    assert "Cookies" not in text
    # A page wrapped whole in an element named for consent (a plugin's state class) is not
    # a consent dialog.
    wrapped = _post(f"<div class='cookies-accepted'><h1>Treue Kunden</h1>{ARTICLE}</div>")
    assert "Stammkunden kommen wieder" in wrapped


def test_a_header_the_page_never_closed_does_not_hide_the_post() -> None:
    unclosed = (
        "<header class='site-header'><nav><a href='/'>Start</a></nav>"
        f"<div class='post'><h1>Treue Kunden</h1>{ARTICLE}</div>"
    )
    assert "Stammkunden kommen wieder" in _post(unclosed)


def test_a_lead_named_the_bem_way_is_the_posts_text() -> None:
    lead = "<div class='Post__lead'><h2>Die wichtigste Regel: grüßen, fragen, merken.</h2></div>"
    text = _post(f"<article class='Post'><h1>Treue Kunden</h1>{lead}"
                 f"<div class='Post__content'>{ARTICLE}</div></article>")  # fmt: skip
    assert text.startswith("Die wichtigste Regel")


def test_a_lead_between_title_and_text_is_the_posts_own_and_one_below_is_not() -> None:
    for name in ("lead", "chapo", "sommario", "vorspann", "article-intro"):
        lead = f"<div class='{name}'><p>Der Vorspann: warum Stammkunden zählen.</p></div>"
        text = _post(f"<article><h1>Treue Kunden</h1>{lead}<div class='entry-content'>{ARTICLE}"
                     "</div></article>")  # fmt: skip
        assert text.startswith("Der Vorspann"), name
    below = "<div class='intro'><p>Ein anderer Beitrag: Flyer, die gelesen werden.</p></div>"
    text = _post(f"<article><h1>Treue Kunden</h1><div class='entry-content'>{ARTICLE}</div>"
                 f"{below}</article>")  # fmt: skip
    assert "Ein anderer Beitrag" not in text


def test_content_classes_spelt_with_underscores_or_a_theme_prefix_are_the_body() -> None:
    from crawler.parsers import parse_page

    popup = "<div class='popup'>" + "<p>Melden Sie sich an, um alle Funktionen zu nutzen.</p>" * 12
    for cls in ("post_content", "entry_content", "cb-entry-content"):
        html = (
            "<html><head><title>Treue Kunden</title>"
            "<meta name='generator' content='WordPress 6.4'>"
            "<meta property='og:type' content='article'></head><body class='single-post'>"
            f"{popup}</div><article class='post'><h1 class='entry-title'>Treue Kunden</h1>"
            f"<section class='{cls}'>{ARTICLE[:400]}</section></article></body></html>"
        )
        post = parse_page("https://blog.example/2023/10/treue/", html.encode()).post
        assert post is not None
        assert post.text.startswith("Absatz 0"), cls


def test_a_post_written_as_modules_is_whole_and_its_sidebar_column_is_not() -> None:
    def module(text: str) -> str:
        return f"<div class='module module-text'><div class='copy'><p>{text}</p></div></div>"

    first = "Am Anfang stand eine alte Halle am See, und niemand wollte sie mehr haben. " * 3
    second = "Dann kam ein Architekt, der in den Betonträgern etwas anderes sah als Abbruch. " * 4
    third = "Heute trainieren dort Vereine, und die Halle ist voller Licht und Stimmen. " * 3
    page = (
        "<div class='column span-11 first'><h1>Das Sportzentrum</h1>"
        f"{module(first)}<div class='module module-image'><img src='/a.jpg'></div>"
        f"{module(second)}{module(third)}</div>"
        "<div class='column span-3 last'><p>" + "Unser Newsletter erscheint monatlich. " * 8
        + "</p></div>"
    )  # fmt: skip
    text = _post(page)
    assert "Am Anfang stand" in text
    assert "Betonträgern" in text
    assert "Heute trainieren" in text
    assert "Newsletter" not in text


def _entry(inner: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PROSE)
    return (
        "<article class='post'><h1 class='entry-title'>Treue Kunden</h1>"
        f"<div class='entry-content'>{paragraphs}{inner}</div></article>"
    )


def test_a_related_block_inside_the_body_goes_and_the_post_goes_on_after_it() -> None:
    blocks = [
        # a heading and a list of links
        "<h3>Mehr zum Thema auf unserem Blog</h3><ul><li>2019-01-14: <a href='/a/'>Zehn Tipps"
        " für Flyer</a></li><li><a href='/b/'>Podcast für Handwerker</a></li></ul>",
        # a bold line and embedded cards of other posts
        "<p><strong>Schon gelesen?</strong></p><blockquote class='wp-embedded-content'><p>"
        "<a href='/a/'>Zehn Tipps für Flyer</a></p></blockquote><p><iframe src='/a/embed/'>"
        "</iframe></p><blockquote><p><a href='/b/'>Podcast für Handwerker</a></p></blockquote>",
        # a box whose title is followed by link cards
        "<div class='recirculation'><div class='title'>Mehr Kolumnen:</div><a href='/a/'><div>"
        "Zehn Tipps für Flyer</div></a><a href='/b/'><div>Podcast für Handwerker</div></a></div>",
    ]
    after = "Und zum Schluss noch ein Wort zu den Stammkunden, die jeden Tag wiederkommen."
    for block in blocks:
        text = _post(_entry(f"{block}<h4>Weiterführender Link</h4><p>{after}</p>"))
        assert "Zehn Tipps" not in text, block
        assert "Podcast" not in text, block
        assert "Weiterführender Link" in text, block
        assert after in text, block


def test_a_heading_named_like_a_widget_but_followed_by_prose_stays() -> None:
    own = "Wer mehr wissen will, liest <a href='/a/'>hier</a> weiter und findet " + "viel. " * 30
    text = _post(_entry(f"<h3>Mehr zum Thema</h3><p>{own}</p>"))
    assert "Mehr zum Thema" in text
    assert "findet viel." in text


def test_other_entries_titles_in_the_body_are_teasers() -> None:
    listing = (
        "<ul><li class='entry-title td-module-title'><a href='/andere/'>Ein anderer Beitrag</a>"
        "</li><li><p class='entry-title'><a href='/noch-einer/'>Noch einer</a></p></li></ul>"
    )
    text = _post(_entry(listing))
    assert "anderer Beitrag" not in text
    assert "Noch einer" not in text
    assert PROSE[2].strip() in text


def test_an_author_box_goes_by_its_label_or_its_plugins_class() -> None:
    bio = "ist Gründungspartner einer Kanzlei in Berlin und schreibt über Datenschutz. " * 3
    text = _post(_entry(f"<blockquote><p>AUTOR</p><p><b>Dr. Anna Muster</b></p><p>{bio}</p>"))
    assert "Gründungspartner" not in text
    assert "AUTOR" not in text
    box = f"<div class='abh_box'><div class='abh_name'>Anna Muster</div><p>{bio}</p></div>"
    text = _post(_entry(box))
    assert "Gründungspartner" not in text
    assert PROSE[2].strip() in text


def test_paragraphs_a_page_builder_wraps_in_a_span_are_the_body() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PROSE)
    popup = "<div class='post-content'><p>Keine Angst mehr! Hol dir den Mini-Kurs.</p></div>"
    text = _post(
        f"{popup}<section><h1>Treue Kunden</h1><div class='ct-text-block'>"
        f"<span class='oxy-stock-content-styles'>{paragraphs}</span></div></section>"
    )
    assert PROSE[0].strip() in text
    assert PROSE[2].strip() in text


def test_a_listicle_whose_items_are_articles_is_whole() -> None:
    def card(n: int) -> str:
        words = f"Ausflug {n}: ein See, ein Wald und eine Sauna am Ufer, gut mit der Bahn. " * 4
        return f"<article class='card' id='tip-{n}'><h2>{n}. Ziel</h2><p>{words}</p></article>"

    intro = "Zugegeben, wir vermissen den Sommer, aber der Herbst hat seine Ziele. " * 3
    text = _post(
        "<article class='single'><div class='authors'><a href='/a/'>Marina</a></div>"
        f"<h1>Treue Kunden</h1><div class='contents'><p>{intro}</p>"
        + "".join(card(n) for n in range(1, 6))
        + "</div></article>"
    )
    assert text.startswith("Zugegeben")
    for n in range(1, 6):
        assert f"Ausflug {n}:" in text


def test_a_post_built_from_modules_is_whole_up_to_the_widgets_after_it() -> None:
    # A shop system's article: text modules, picture modules with captions, lines written
    # with <br>, an ad slot, a product box (the densest block), then teasers and comments.
    text_module = "<div class='textmodul'><p>{}</p></div>"
    picture = "<div class='bildmodul'><img src='/{n}.jpg'><div class='text'>{c}</div></div>"
    first = "Kurz angezeichnet und mit Augenmaß angenähert, so beginnt es meistens. " * 4
    product = "".join(
        f"<p>Das Heft Nummer {n} bietet Projekte, Tipps und Anleitungen für die Werkstatt.</p>"
        for n in range(5)
    )
    page = (
        "<div class='content'><div class='einleitung'><h1>Treue Kunden</h1></div>"
        f"{text_module.format(first)}<div class='ad'></div>"
        + picture.format(n=1, c="Ein schmales Reststück wird am Anschlag angelegt.")
        + picture.format(n=2, c="Fertig ist die Schablone.")
        + "<div class='textmodul'>Bei dünneren Platten geht es auch so.<br>"
        "Mit der Schablone gelingt der Schnitt im ersten Versuch, ganz ohne Probieren.</div>"
        + text_module.format("Zum Schluss: Ein scharfes Blatt macht den Unterschied. " * 5)
        + f"<div class='produkt'><div><div class='textCon'>{product}</div></div></div>"
        "<div class='teaser'><h3>Das könnte Sie auch interessieren!</h3><p>"
        + "Zehn Tipps für die Werkstatt und was sonst noch im Heft steht. "
        * 2
        + "</p></div><div id='kommentare'><div class='commentsCon' id='7'>"
        "<p class='commentAuthor'>Anna</p><p class='commentText'>Du bist der Beste!</p>"
        "</div></div></div>"
    )
    text = _post(page)
    for part in ("Kurz angezeichnet", "schmales Reststück", "Fertig ist", "dünneren Platten"):
        assert part in text
    assert "Zehn Tipps" not in text
    assert "Du bist der Beste" not in text
