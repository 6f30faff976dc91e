"""The post's own text: where it is on a page, and the lines around it that are not part of it.

One step of the extraction (extract.py): a platform's body selector, else the densest
block of paragraphs, then the trailing lines a theme adds (share and related-post widgets,
promotions, taxonomy and author lines, legal footers) taken off by pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.parsers.select import Node, inside

OTHER_POSTS = (
    "#mvp-post-add-wrap, .et_pb_posts, .vcex-post-type-grid, .related-posts, .jp-relatedposts,"
    " .yarpp-related, .crp_related, .masonry_inner, .post-navigation, .nav-links"
)
ENLARGE_HINT = re.compile(
    r" ?\(?\b(?:zum Vergrößern (?:bitte )?(?:auf das Bild |aufs Bild |auf die Grafik )?"
    r"(?:an)?klicken"
    r"|(?:Bild )?(?:an)?klicken,? (?:um es zu vergrößern|zum Vergrößern)"
    r"|click (?:on )?(?:the |this )?(?:image|picture|photo) to enlarge|click to enlarge)\b[.!]?\)?",
    re.I,
)
PROMO_LINE = re.compile(
    r"^(Das (Thema )?könnte (dich|Sie) auch interessieren|Lesen Sie (hier )?(auch|einen weiteren)"
    r"|Das könnte dir auch gefallen|Ähnliche Beiträge|Weitere Artikel|You (may|might) also like"
    r"|Related posts|If you enjoyed reading this post)",
    re.I,
)
# A paragraph that is only a taxonomy line or a byline, which themes print inside the body.
TAXONOMY_LINE = re.compile(
    r"^(Kategorien?|Categor(y|ies)|Tags?|Schlagw(ö|oe)rter|Schlagworte|Stichw(ö|oe)rter"
    r"|Filed under|Posted in|Veröffentlicht in|Abgelegt unter)\s*:\s*\S.{0,150}$",
    re.I,
)
BYLINE = re.compile(
    r"^(von|by|Von|By|Autor(in)?:|Author:)\s+[A-ZÄÖÜ][\w.'-]*(\s+[A-ZÄÖÜ][\w.'-]*){0,3}$"
)


LEGAL_LINE = re.compile(
    r"^(?:(?:Impressum|Imprint|Datenschutz(?:erklärung|hinweise)?|Privacy(?: Policy)?|Legal Notice"
    r"|Cookie-Einstellungen|AGB|Kontakt|Contact)\s*(?:[|·•/–-]\s*|$)){2,}$",
    re.I,
)


# The headings of the blocks a theme appends to a post, by what they hold. Such a heading,
# alone on its line in the last part of the body, starts what is no longer the post.
TAIL_BLOCKS = {
    # more posts: related, recommended, further reading, the column's other parts
    "more posts": (
        "Mehr zum Thema", "Mehr zu diesem Thema", "Schon gelesen", "Empfohlene Beiträge",
        "Empfohlene Artikel", "Weitere Beiträge", "Weitere Artikel", "Ähnliche Beiträge",
        "Ähnliche Artikel", "Auch interessant", "Das könnte Sie auch interessieren",
        "Das könnte dich auch interessieren", "Mehr Kolumnen", "Mehr Artikel", "Mehr von",
        "Noch mehr Infos", "Related posts", "Related articles", "Recommended reading",
        "More from", "More articles", "Read next", "Keep reading", "Weiterlesen",
        "Verwandte Artikel", "Verwandte Beiträge", "Verwandte Themen", "Verwandte Themenbereiche",
        "Lies auch", "Lesen Sie auch",
    ),
    # share buttons
    "share": (
        "Diesen Artikel teilen", "Diesen Beitrag teilen", "Artikel teilen", "Beitrag teilen",
        "Teile diesen Beitrag", "Share this article", "Share this post", "Share this",
    ),
    # newsletter sign-up
    "newsletter": (
        "Zum Newsletter anmelden", "Newsletter abonnieren", "Jetzt Newsletter abonnieren",
        "Subscribe to our newsletter", "Sign up for our newsletter",
    ),
    # the author box
    "author": (
        "Über den Autor", "Über die Autorin", "About the author", "Zum Autor", "Zur Autorin",
        "Der Autor", "Die Autorin", "Autor", "Autorin", "Author", "The author",
    ),
}  # fmt: skip
# The heading of an author box that names the author: "Über Bob Fischer", "About Jane Doe".
ABOUT_PERSON = re.compile(r"^(?:Über|About)\s+[A-ZÄÖÜ][\w.'-]+(?:\s+[A-ZÄÖÜ][\w.'-]+){0,3}$")
TAIL_HEADING = re.compile(
    r"^(?:" + "|".join(re.escape(p) for ps in TAIL_BLOCKS.values() for p in ps) + r")\b",
    re.I,
)
# An author box holds a biography, prose: what follows its heading need not be teasers.
AUTHOR_HEADING = re.compile(
    r"^(?:" + "|".join(map(re.escape, TAIL_BLOCKS["author"])) + r")\W*$", re.I
)

# Lines that widgets put inside a post's body, by widget; never the author's text, wherever
# they stand.
WIDGET_LINES = {
    # a share bar whose buttons are words: "Facebook Twitter Pinterest E-Mail"
    "share": (
        r"(?:(?:Facebook|Twitter|X|Pinterest|LinkedIn|Xing|WhatsApp|Telegram|Reddit|Tumblr"
        r"|Flipboard|Pocket|E-?Mail|Email|Drucken|Print|Teilen|Share|Tweet|Pin|Mastodon"
        r"|Threads|Bluesky|Messenger|Copy Link|Link kopieren)[\s|·•,]*){2,}"
    ),
    # the placeholder of an embed that waits for consent (video, map, social post)
    "consent": (
        r"Klicken Sie auf den (?:unteren )?Button, um den Inhalt von .{3,80} zu laden\.?"
        r"|Inhalt laden|Inhalt entsperren|Empfohlener redaktioneller Inhalt|Externer Inhalt"
        r"|Click (?:on )?the button (?:below )?to load the content(?: from .{3,80})?\.?"
        r"|Load content|Mit dem Laden des (?:Inhalts|Videos) akzeptieren Sie .{0,200}"
    ),
    # a rating widget's state
    "rating": r"\(?(?:Noch keine Bewertungen|No ratings yet)\)?(?:\s*Loading\.*)?",
    # a registration or login wall's buttons and prompts
    "login": (
        r"(?:Kostenlos |Jetzt |Neu )?registrieren(?: und weiterlesen)?|(?:Ohne Passwort |Hier )?"
        r"einloggen|Schon registriert\? ?Hier (?:einloggen|anmelden)|Bereits (?:Abonnent|Kunde)"
        r"\w*\? ?(?:Hier )?(?:einloggen|anmelden)|(?:Log|Sign) ?in|Register(?: for free)?"
        r"|Already (?:a subscriber|registered|have an account)\? ?(?:Log|Sign) ?in"
    ),
    # a shop's or a fundraiser's button
    "buy": (
        r"(?:Buch|Jetzt|Hier) (?:bestellen|kaufen)|In den Warenkorb|Zum Shop|Jetzt spenden"
        r"|Buy (?:now|the book)|Order (?:now|the book)|Add to (?:cart|basket)|Donate now"
    ),
    # the heading of a table of contents (its entries repeat the post's headings)
    "contents": r"Inhaltsverzeichnis|Table of contents|Inhaltsübersicht",
}
WIDGET_LINE = re.compile(
    r"^(?:" + "|".join(f"(?:{p})" for p in WIDGET_LINES.values()) + r")$", re.I
)
# Disclosures a site adds to posts with advertising or affiliate links; short notices, not
# the text (a post about affiliate marketing says more than a line).
DISCLOSURE = re.compile(
    r"(?:Affiliate[- ]?Links?\b|\bWerbelinks?\b|Provisions?-?Links?|\bAnzeige\b.{0,40}$"
    r"|contains (?:affiliate )?links|references to products from one or more of our advertisers"
    r"|We may receive (?:a )?commission|als Amazon-Partner verdiene|As an Amazon Associate"
    r"|estimated value calculated by"
    # a publisher's disclaimer about advertisers or the opinions in the post
    r"|^(?:Editorial |Advertiser )?Disclaimer:|^Haftungsausschluss:)",
    re.I,
)
DISCLOSURE_MAX = 320  # characters
# Calls to action at the end of a post, by what they ask: sign up, support, buy.
TAIL_CALLS = {
    "newsletter": (
        r"(?:nichts|keine .{0,60}) mehr (?:verpassen|versäumen)|Abonnieren Sie (?:kostenlos|jetzt)"
        r"|Jetzt (?:kostenlos )?(?:anmelden|abonnieren)|Sign up (?:here|now|for)"
        r"|Do you want to be informed|Subscribe (?:now|here|to)"
    ),
    "support": (
        r"Unterstützen Sie (?:diese Form|unsere Arbeit|uns\b)|Gefällt (?:dir|Ihnen) unser"
        # an ask that names its amount: "Unterstütze uns schon mit 2,50 €"
        r"|(?:Unterstütze|Unterstützt|Unterstützen Sie) .{0,40}\bmit (?:nur |bereits |schon )?\d"
        r"|Support (?:our|independent) journalism|(?:Spenden|Donate) (?:Sie )?(?:jetzt|now)"
    ),
    "shop": r"Besuchen Sie unseren .{0,20}Shop|Kennt ihr schon unseren|Visit our .{0,20}shop",
}
SUPPORT_CALL = re.compile(TAIL_CALLS["support"], re.I)
SUPPORT_CALL_MAX = 160  # characters
TAIL_CALL = re.compile("|".join(f"(?:{p})" for p in TAIL_CALLS.values()), re.I)
TAIL_CALL_MAX = 600  # characters: a call and its pitch, not a paragraph of the post
# A label alone on its line, its names on the next: "Tags:" then "Olympia 2028 Olympische Spiele".
TAXONOMY_LABEL = re.compile(
    r"^(?:Kategorien?|Categor(?:y|ies)|Tags?|Schlagw(?:ö|oe)rter|Schlagworte|Stichw(?:ö|oe)rter)"
    r"\s*:$",
    re.I,
)
TAIL_SHARE = 0.6  # the heading must start after this share of the body's text
TAIL_CALL_SHARE = 0.3  # calls to action count in this last share of the body's text
TEASER = 200  # characters: a related post's title and teaser line, not a paragraph of text


def before_site_footer(paragraphs: list[str]) -> list[str]:
    """A line of legal links ("Impressum | Datenschutz") is the site's footer, rendered
    inside the body by some themes: it and what follows are not the post's text. So is a
    widget's heading ("Mehr zum Thema", "Diesen Artikel teilen") near the end."""
    total = sum(len(p) for p in paragraphs)
    seen = 0
    for i, paragraph in enumerate(paragraphs):
        if i and LEGAL_LINE.match(paragraph):
            return paragraphs[:i]
        late = bool(i) and seen >= TAIL_SHARE * total
        if late and AUTHOR_HEADING.match(paragraph):
            return paragraphs[:i]  # the author box: a heading and a biography
        if (
            late
            and len(paragraph) <= 80
            and TAIL_HEADING.match(paragraph)
            and _teasers_follow(paragraphs[i + 1 :])
        ):
            return paragraphs[:i]
        seen += len(paragraph)
    return _without_tail_calls(_without_taxonomy_labels(paragraphs), total)


HEADING_LIKE = ("h2", "h3", "h4", "h5", "h6", "p", "div", "strong", "b", "span")
LINKS_ONLY = 0.7  # of a block's text in links: a list of other posts, not prose
QUIET = frozenset(("iframe", "noscript", "script", "style", "hr", "br", "img", "figure"))


def link_lists(block: Node) -> list[Node]:
    """Related-post blocks inside the body: a widget heading ("Mehr zum Thema", "Schon
    gelesen?", `TAIL_BLOCKS`) and the siblings after it that are nothing but links (a list,
    embeds, cards). Wherever they stand, the post goes on after them."""
    out: list[Node] = []
    for el in block.iter(*HEADING_LIKE):
        text = el.text_content().strip()
        if not text or len(text) > 80 or not TAIL_HEADING.match(text) or _link_share(el) > 0.5:
            continue
        links = []
        for sib in el.itersiblings():
            if not isinstance(sib.tag, str):
                continue
            if sib.tag in QUIET or not sib.text_content().strip():
                links.append(sib)
                continue
            if _link_share(sib) < LINKS_ONLY:
                break
            links.append(sib)
        if any(n.tag not in QUIET and n.text_content().strip() for n in links):
            out += [el, *links]
    return out


def _link_share(el: Node) -> float:
    text = len(el.text_content().strip())
    linked = sum(len(a.text_content().strip()) for a in el.iter("a"))
    return linked / text if text else 0.0


def _teasers_follow(rest: list[str]) -> bool:
    """What follows a widget's heading is teasers and buttons, line by line (a list of
    titles is one paragraph of short lines), up to an author box if one comes; a line of
    prose is the post's own."""
    for paragraph in rest:
        if ABOUT_PERSON.match(paragraph):
            return True  # the author box ends the body anyway
        if any(len(line) > TEASER for line in paragraph.split("\n")):
            return False
    return True


def _without_taxonomy_labels(paragraphs: list[str]) -> list[str]:
    """A taxonomy label alone on its line goes, and the short line of names after it."""
    out: list[str] = []
    skip_next = False
    for paragraph in paragraphs:
        if skip_next and len(paragraph) <= 150:
            skip_next = False
            continue
        skip_next = bool(TAXONOMY_LABEL.match(paragraph))
        if not skip_next:
            out.append(paragraph)
    return out


def _without_tail_calls(paragraphs: list[str], total: int) -> list[str]:
    """Short calls to sign up, support or buy in the last part of the body go."""
    out, seen = [], 0
    for paragraph in paragraphs:
        late = seen >= (1 - TAIL_CALL_SHARE) * total
        seen += len(paragraph)
        if late and len(paragraph) <= TAIL_CALL_MAX and TAIL_CALL.search(paragraph):
            continue
        out.append(paragraph)
    return out


# About the post rather than of it: how to cite it, and the credit for a header image that
# is not in the body.
ABOUT_LINE = re.compile(
    r"^(?:suggested citation|zitiervorschlag|zitierhinweis|please cite (?:this|as)|cite as"
    r"|beitragsbild|titelbild|headerbild|featured image|header image)\b\s*:?",
    re.I,
)


def trailing_link(block: Node) -> Node | None:
    """A body that ends in a lone short link ("Info zur Bewertung", "Zur Übersicht") ends in
    navigation: that last paragraph is not text."""
    for el in reversed(list(block.iter("p", "div"))):
        text = el.text_content().strip()
        if not text:
            continue
        links = el.findall(".//a")
        lone = el is not block and len(links) == 1 and len(text) <= 60
        return el if lone and links[0].text_content().strip() == text else None
    return None


def not_text(paragraph: str) -> bool:
    return bool(
        PROMO_LINE.search(paragraph)
        or TAXONOMY_LINE.match(paragraph)
        or BYLINE.match(paragraph)
        or ABOUT_LINE.match(paragraph)
        or WIDGET_LINE.match(paragraph.strip())
        or (len(paragraph) <= DISCLOSURE_MAX and DISCLOSURE.search(paragraph))
        # a plea for support, a line long, wherever the site puts it
        or (len(paragraph) <= SUPPORT_CALL_MAX and SUPPORT_CALL.search(paragraph))
    )


LEAD = ".entry-excerpt, .post-lead, .article-lead, .entry-lead, .standfirst, [class*=__lead]"
# What themes call the lead paragraph, by language; such an element counts only between the
# post's title and its text (elsewhere an "intro" or "teaser" may be another post's).
LEAD_NAMES = {
    "English": ("lead", "intro", "standfirst", "dek", "summary", "excerpt", "hero-text"),
    "German": ("vorspann", "anriss", "artikel-teaser", "einleitung"),
    "French": ("chapo", "chapeau"),
    "Italian": ("sommario",),
}
LEAD_WORDS = tuple(name for names in LEAD_NAMES.values() for name in names)
LEAD_PARTS = tuple(f"{sep}{name}" for name in LEAD_WORDS for sep in ("-", "__"))
# Cookie and privacy consent dialogs: blocks of prose that are never the post, wherever the
# page puts them (Borlabs, Complianz, Cookiebot, Usercentrics, GDPR plugins and the like),
# found by what their class or id holds.
CONSENT_PARTS = (
    "cookie", "consent", "gdpr", "cmplz", "borlabs", "usercentrics", "privacy-popup",
)  # fmt: skip
DENSE_CHILDREN = frozenset(("p",))
# Script-rendered themes (styled-components and the like) write paragraphs as <div>s that
# hold only text and inline markup; they count as paragraphs too.
INLINE = frozenset(
    "a abbr b bdi br cite code del em i img ins kbd mark q s small span strong sub sup u".split()
)


def densest_block(doc: Node, exclude: set[Node]) -> Node | None:
    """Fallback body: the block whose own paragraphs hold the most text. Paragraphs written
    as text-only <div>s count only where no block has <p> paragraphs worth the name."""
    chrome = _real_chrome(doc)
    blocks = [
        block
        for block in doc.iter("article", "main", "div", "section", "td")
        if not inside(block, exclude) and not any(a in chrome for a in block.iterancestors())
    ]
    found: tuple[int, Node | None] = (0, None)
    for measure in (p_size, div_paragraph_size):
        best, best_len = None, 0
        for block in blocks:
            size = sum(measure(child) for child in block)
            if size > best_len:
                best, best_len = block, size
        if best_len >= 200:
            return best
        found = max(found, (best_len, best), key=lambda pair: pair[0])
    return found[1]


MODULE_LEVELS = 3  # how far above the densest block a post's modules may begin
MODULE_TEXT = 80  # characters of paragraphs: a module of the post's text, not a spacer


def with_sibling_modules(block: Node, exclude: set[Node]) -> list[Node]:
    """A post a page builder wrote as modules one after another (grid boxes, "editorial
    modules", text blocks between pictures): the densest block holds one of them. The
    modules are the block, or an element a few levels above it, and its siblings of the same
    tag sharing a class; those holding paragraphs are the post's text, in order."""
    el = block
    for _ in range(MODULE_LEVELS):
        parent = el.getparent()
        if parent is None or el.tag in ("body", "html", "main", "article"):
            break
        classes = _module_classes(el)
        if classes:
            modules = [
                s
                for s in parent
                if s.tag == el.tag and classes & _module_classes(s) and not inside(s, exclude)
            ]
            texts = [m for m in modules if m is el or _prose(m)]
            if len(texts) > 1:
                return texts
        el = parent
    return [block]


# Class names of a layout grid (column, span-3, col-md-8, large-6, row): the sidebar beside a
# post is a column too, so sharing one says nothing.
LAYOUT_CLASS = re.compile(
    r"^(?:col(?:umn)?s?|row|grid|container|wrapper|inner|clearfix|first|last|left|right"
    r"|flex\S*|\S*\d\S*)$",
    re.I,
)


def _module_classes(el: Node) -> set[str]:
    return {c for c in (el.get("class") or "").split() if not LAYOUT_CLASS.match(c)}


def _prose(el: Node) -> bool:
    """Paragraphs of text, not a list of links (teasers of other posts, a sidebar)."""
    links = sum(len(a.text_content()) for a in el.iter("a"))
    return p_text(el) >= MODULE_TEXT and links < 0.5 * len(el.text_content())


CHROME_TAGS = ("nav", "aside", "footer", "header")
WRAPPING = 0.5  # of the page's paragraphs: a "chrome" element holding that much is unclosed


def _real_chrome(doc: Node) -> set[Node]:
    """Navigation, sidebars, headers and footers, but not one that holds half the page's
    paragraph text: that is a tag the page never closed (a `<nav>` around all after it)."""
    return not_wrapping(doc, doc.iter(*CHROME_TAGS))


def not_wrapping(doc: Node, elements: Iterable[Node]) -> set[Node]:
    """Those of `elements` that hold less than half the page's paragraph text (and are not
    the page itself): one that holds more wraps the content, whatever its name says."""
    total = p_text(doc)
    return {
        el
        for el in elements
        if el.tag not in ("html", "body") and (not total or p_text(el) < WRAPPING * total)
    }


def _consent_dialog(node: Node) -> bool:
    """An element named for consent that holds no heading or article of the page (a
    plugin's state class on a wrapper around the page, `<div class="cookies-accepted">`,
    makes no dialog)."""
    if not isinstance(node.tag, str) or node.tag in ("html", "body"):
        return False
    held = f"{node.get('id') or ''} {node.get('class') or ''}".lower()
    if not any(part in held for part in CONSENT_PARTS):
        return False
    return next(node.iter("h1", "article", "main"), None) is None


def in_consent(el: Node) -> bool:
    """Whether the element is (inside) a cookie or privacy consent dialog (`CONSENT_PARTS`)."""
    return any(_consent_dialog(node) for node in (el, *el.iterancestors()))


def consent_dialogs(doc: Node) -> set[Node]:
    """The page's consent dialogs, for the fallback that measures every block."""
    return {el for el in doc.iter() if _consent_dialog(el)}


def lead_named(el: Node) -> bool:
    """Whether the element's class names it a lead (`LEAD_NAMES`)."""
    names = (el.get("class") or "").split()
    return any(n in LEAD_WORDS or any(p in n for p in LEAD_PARTS) for n in names)


MAIN_SHARE = 0.8  # of an entry's paragraph text: the child holding this much is its body


def p_text(el: Node, exclude: set[Node] | None = None) -> int:
    """All the paragraph text an element holds, at any depth (outside `exclude`)."""
    return sum(len(p.text_content()) for p in el.iter("p") if not exclude or not inside(p, exclude))


def main_part(entry: Node, exclude: set[Node] | None = None) -> Node:
    """The innermost element of the entry that still holds most of its paragraphs (those
    outside `exclude`: comments, navigation): the body without its header and footer."""
    el, total = entry, p_text(entry, exclude)
    while total:
        sizes = [(p_text(c, exclude), c) for c in el if isinstance(c.tag, str)]
        if not sizes:
            break
        size, child = max(sizes, key=lambda pair: pair[0])
        if size < MAIN_SHARE * total:
            break
        el = child
    return el


# The links to the previous and next post that open a block after the post.
POST_NAVIGATION = re.compile(
    r"^(?:[←«‹<]|(?:Previous|Next|Older|Newer) (?:post|article|entry)|Vorherige[rsn]? \w+"
    r"|Nächste[rsn]? (?:Beitrag|Artikel|Eintrag)|Article (?:précédent|suivant))",
    re.I,
)
NEUTRAL_TEXT = 3  # characters: an empty ad slot or a close button, neither text nor an end


def module_run(whole: Node, dense: Node, exclude: set[Node]) -> list[Node]:
    """The post inside `whole` written as modules one after another: the child holding the
    densest block and its neighbours on both sides as long as they are the post's (text,
    a picture or a video with its caption, a table). A widget heading (`TAIL_HEADING`),
    what `exclude` holds (comments, a consent dialog), a list of links or any other block
    ends the run on that side."""
    children = [c for c in whole if isinstance(c.tag, str) and c.tag not in NEVER_MODULE]
    start = next(c for c in (dense, *dense.iterancestors()) if c.getparent() is whole)
    at = children.index(start)
    run = [start]
    beside = _column(start)
    for step in (-1, 1):
        i = at + step
        while 0 <= i < len(children):
            # Grid columns stand side by side: the one beside the post's is a sidebar.
            kind = "end" if beside and _column(children[i]) else _module_kind(children[i], exclude)
            if kind == "end":
                break
            if kind == "post":
                run.append(children[i])
            i += step
    return sorted(run, key=children.index)


MEDIA = ("img", "picture", "video", "audio", "iframe")
NEVER_MODULE = frozenset(("script", "style", "noscript", "template", "link", "meta"))


def _module_kind(el: Node, exclude: set[Node]) -> str:
    """ "post", "neutral" (nothing to read: an ad slot) or "end"."""
    if any(n in exclude for n in el.iter()):
        return "end"
    text = " ".join(t for n in el.iter() if n.tag not in NEVER_MODULE for t in _own_text(n))
    text = " ".join(text.split())
    if len(text) <= NEUTRAL_TEXT:
        return "post" if next(el.iter(*MEDIA), None) is not None else "neutral"
    if TAIL_HEADING.match(text[:80]) or POST_NAVIGATION.match(text) or _link_share(el) > 0.5:
        return "end"
    if p_text(el) >= MODULE_TEXT or next(el.iter("table"), None) is not None:
        return "post"
    if next(el.iter(*MEDIA), None) is not None and len(text) <= 400:
        return "post"  # a picture or a video and its caption
    if next(el.iter("p"), None) is None and next(el.iter("br"), None) is not None:
        return "post" if len(text) >= MODULE_TEXT else "end"  # lines instead of paragraphs
    return "end"


COLUMN = re.compile(r"^(?:col|column|span|large|medium|small)(?:-|_|\d|$)", re.I)


def _column(el: Node) -> bool:
    """Whether the element is a column of a layout grid (`col-md-8`, `column span-11`)."""
    return any(COLUMN.match(c) for c in (el.get("class") or "").split())


def _own_text(node: Node) -> tuple[str, ...]:
    return (node.text or "", node.tail or "") if isinstance(node.tag, str) else (node.tail or "",)


def paragraph_text(block: Node) -> int:
    """How much text a block holds in its own paragraphs (as densest_block measures it)."""
    return sum(max(p_size(c), div_paragraph_size(c)) for c in block)


# Inline elements that page builders wrap whole bodies in (Oxygen's span around the
# paragraphs): their paragraphs are the block's own.
INLINE_WRAPPERS = frozenset(("span", "font"))


def p_size(child: Node) -> int:
    if child.tag in DENSE_CHILDREN:
        return len(child.text_content())
    if child.tag in INLINE_WRAPPERS:
        return sum(len(p.text_content()) for p in child if p.tag in DENSE_CHILDREN)
    return 0


def div_paragraph_size(child: Node) -> int:
    if child.tag in DENSE_CHILDREN or (
        child.tag == "div" and all(c.tag in INLINE for c in child.iterdescendants())
    ):
        return len(child.text_content())
    return 0
