"""The shared extraction step: a platform's selectors first, page metadata where they find nothing.

Platform modules differ only in their selectors (and a hook or two); the order of sources,
the clean-up and the classification of pages live here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from crawler.archive.model import PageKind, ParsedPage, Post, thread_order
from crawler.parsers.body import (
    ENLARGE_HINT,
    LEAD,
    OTHER_POSTS,
    before_site_footer,
    consent_dialogs,
    densest_block,
    in_consent,
    lead_named,
    link_lists,
    main_part,
    module_run,
    not_text,
    p_text,
    paragraph_text,
    trailing_link,
    with_sibling_modules,
)
from crawler.parsers.comments import DEFAULT as DEFAULT_COMMENTS
from crawler.parsers.comments import CommentSelectors, comment_items, extract_comments
from crawler.parsers.dates import disagree, find_date, parse_date
from crawler.parsers.language import detect_language
from crawler.parsers.media import post_media
from crawler.parsers.meta import LISTING_TYPES, PAGE_TYPES, PageMeta, ld_list, ld_name
from crawler.parsers.select import (
    Node,
    TreeIndex,
    inside,
    text_of,
)
from crawler.parsers.text import clean_html, clean_text, html_to_text, unique_names
from crawler.parsers.urls import canonical, comment_page, resolve, same_site, sane_canonical

# --- page metadata and dates -----------------------------------------------------------

META_LINES = (
    ".postmetadata, .post-footer, .post-meta, .entry-meta, .postmeta, .post-info, .submitted,"
    " .byline, .meta, .post-date, .postdate, .date-header, .date, .dateline, .author, small,"
    # the same names spelt with underscores
    " .post_meta, .entry_meta, .post_info, .post_date, h1 + p,"
    # a theme's own meta line ("teaser_text_meta", "article-meta")
    " [class$=_meta], [class$=-meta]"
)
# Comment services a page loads by script in the reader's browser: the comments are not in
# the page. Themes name their placeholders after the service (#disqus_thread,
# .utterances-container, #isso-thread, #waline; LiveRe's #lv-container) or load its script,
# or configure it in a JSON block named after it (NexT's script.next-config[data-name=...]).
COMMENT_SERVICES = (
    "disqus", "utterances", "giscus", "commento", "remark42", "cusdis", "hyvor", "valine",
    "waline", "twikoo", "gitalk", "lv-container", "artalk", "hashover", "graphcomment",
    "fb-comments", "fastcomments", "talkyard",
)  # fmt: skip
EXTERNAL_COMMENTS = ", ".join(
    f"[id*={name}], [class*={name}], script[src*={name}], script[data-name={name}]"
    for name in COMMENT_SERVICES
) + (
    # names too short to look for inside others ("isso" is in "dissolve")
    ", #isso-thread, script[data-isso], giscus-widget, script[src*='utteranc.es']"
)
# The attributes those selectors read, gathered in one XPath call: most pages name no service
# in any of them, and a substring test on their text costs far less than asking every
# element of the tree ("isso-thread": Isso's script always comes with that element).
SERVICE_ATTRIBUTES = etree.XPath("//@id | //@class | //script/@src | //script/@data-name")
SERVICE_WORDS = (*COMMENT_SERVICES, "isso-thread", "utteranc")


def names_a_comment_service(doc: Node) -> bool:
    """Whether an id, a class or a script of the page names a script comment service."""
    words = " ".join(SERVICE_ATTRIBUTES(doc)).lower()
    return any(word in words for word in SERVICE_WORDS)


COMMENT_FORM = "#respond, #commentform, form.comment-form, #comment-form, .comment-respond"
COMMENTS_CLOSED = re.compile(
    r"(Kommentare\s+(sind\s+)?geschlossen|Kommentarfunktion\s+(ist\s+)?(deaktiviert|geschlossen)"
    r"|Comments\s+are\s+closed|Comments\s+closed)",
    re.I,
)
PUBLISHED_META = (
    "article:published_time",
    "shareaholic:article_published_time",
    "article:published",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "date",
)
PUBLISHED_WORDS = re.compile(
    r"\b(veröffentlicht|publiziert|geschrieben|erstellt|gepostet|published|posted|written)"
    r"(\s+(am|on|at))?\b",
    re.I,
)
# Blog permalinks like /2017/06/29/slug/; not web-archive snapshots (/web/20170629…/).
URL_DATE = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/")
# A replayed capture (Wayback Machine, pywb and the like): /web/<timestamp>[mode_]/<original>;
# the dates in such a URL are the capture's and the original's, read from the original part.
REPLAY = re.compile(r"/\w+/\d{4,14}(?:[a-z]{2}_)?/(?=https?:)")


def date_from_url(url: str) -> datetime | None:
    if m := REPLAY.search(url):
        url = url[m.end() :]
    if not (m := URL_DATE.search(url)):
        return None
    return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))


# Where themes show other posts beside this one: related grids, next-post teasers.


def _marks(el: Node) -> str:
    return f"{el.get('class') or ''} {el.get('itemprop') or ''}".casefold()


def _between(root: Node, title: Node | None, blocks: list[Node], nodes: list[Node]) -> list[Node]:
    """Those of `nodes` between the post's title and its text, in page order: the post's own
    header, not a menu of latest posts above it or a teaser further down."""
    first, body, wanted = blocks[0], set(blocks), set(nodes)
    found, started = [], title is None
    for el in root.iter():
        if el is first:
            break
        if el is title:
            started = True
        elif started and el in wanted and not inside(el, body):
            found.append(el)
    return found


@dataclass(frozen=True, slots=True)
class PostSelectors:
    """Comma-separated CSS selectors, tried one after another (first is best)."""

    entry: str
    title: str
    content: str
    author: str
    published: str
    updated: str
    categories: str
    tags: str
    boilerplate: str
    comments: CommentSelectors = field(default=DEFAULT_COMMENTS)
    # Body classes that tell the kind of page outright (WordPress: "single", "archive", …).
    body_kinds: tuple[tuple[str, PageKind], ...] = ()
    # Comments that the engine always loads by script (Medium's responses).
    external_comments: bool = False
    # Markup found only on an engine's static pages (About, Impressum), not on its posts.
    page_marker: str = ""
    # Markup found only on an engine's listings (archives by year, tag indexes).
    listing_marker: str = ""
    # Prefixes an engine puts before the titles of protected posts ("Protected: ").
    title_prefixes: tuple[str, ...] = ()


# Widgets that sit inside post bodies on real blogs but are not the author's text.
BOILERPLATE = (
    ".sharedaddy, .sd-sharing-enabled, .sd-block, .sharing, .share, .social-share,"
    " .shariff, .jp-relatedposts, .related-posts, .yarpp-related, .wp-block-post-navigation-link,"
    " .post-navigation, .navigation, .nav-links, #comments, .comments-area, #respond,"
    " .comment-respond, .comments, .author-box, .author-bio, .about-author, .widget,"
    " .print-only, .cookie-notice, .cookie-banner, .wpcnt, .likes-widget, .wp-block-buttons,"
    " .screen-reader-text, .entry-meta, .post-meta, .byline, .tags-links, .cat-links,"
    " .entry-footer, .post-footer, .post-info, .entryfooter, .postmetadata, .postmeta,"
    " .element-bottom-bar, [class*=related-], [class*=-related], [class*=share-],"
    " [class*=-share], [class*=newsletter], [class*=recipe-card-buttons],"
    " .addtoany_share_save_container,"
    " .crp_related, .pd-rating, .post-tags, .post-categories, [class*=vc_cta], #footer,"
    " nav, aside, form, footer,"
    # author boxes of the common plugins (Starbox, Simple Author Box, Molongui, PublishPress
    # Authors, Fancier Author Box) and WordPress's own post-author block
    " .abh_box, .saboxplugin-wrap, .m-a-box, .pp-multiple-authors-boxes-wrapper,"
    " .ts-fab-wrapper, .wp-block-post-author"
)
SITE_SUFFIX = re.compile(r"\s+[|–—\-:·»]{1,2}\s+")
# What only the page's main content holds: a chrome element around it is a markup accident.
WRAPS_CONTENT = "main, .entry-content, .post-content, [itemprop=articleBody]"
# Elements a theme names for the post's date, and names that say the date is another one.
DATELINE = "[class*=date], [id*=date], [class*=Date], [id*=Date]"
NOT_PUBLISHED = re.compile(r"comment|event|expir|valid|birth")
# A date the markup says is the last change: schema.org's dateModified, a class naming the
# update ("last-updated", "entry-updated"). A bare hAtom "updated" is not enough: themes put
# it on the publication date too.
MODIFIED = re.compile(r"datemodified|dateupdated|modif|[\w-][-_]updated|last.?updated")
SHORT_BODY = 600  # characters: a body this short is checked against the densest block
MONTH_ONLY = re.compile(r"^\d{4}(-\d{2})?$")
ENTRY_TITLES = ".entry-title, .post-title, .entry_title, .post_title"
# Headings a theme marks as the entry's own title (microformats, schema.org, theme classes).
MARKED_TITLE = (
    "h1.entry-title, h1.post-title, h1.p-name, h1[itemprop=headline], h1.wp-block-post-title,"
    " h1.posttitle, h1.article-title, h1.post_title, h1.entry_title"
)


ARCHIVE_WORDS = frozenset(("blog archive", "blog archiv", "archive", "archiv", "blog"))


def strip_site_suffix(title: str, site_name: str | None, others: tuple[str, ...] = ()) -> str:
    """'Post – Blog' → 'Post', 'Blog » Blog Archive » Post' → 'Post'.

    Drops parts that name the site (og:site_name, or a heading that links to the home page)
    and archive words; of what is left, the longest part is the post's title. Where the site
    names itself and no part resembles that name, the title is left whole: "How to Grow a
    Lemon Tree | Step-by-Step Guide" on "You Had Me At Gardening" has no site suffix.
    """
    parts = [p.strip() for p in SITE_SUFFIX.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    names = {n.casefold() for n in (site_name, *others) if n}
    kept = [p for p in parts if p.casefold() not in names and p.casefold() not in ARCHIVE_WORDS]
    if 0 < len(kept) < len(parts):
        return max(kept, key=len) if len(kept) > 1 else kept[0]
    last = list(SITE_SUFFIX.finditer(title))[-1]
    head, tail = title[: last.start()], title[last.end() :]
    if site_name and not _resembles(tail, site_name):
        return title
    return head if len(tail) < len(head) else title


def _resembles(part: str, site_name: str) -> bool:
    """ "Foo" for "Foo Blog", "foo.de" for "Foo": one name contained in the other, ignoring
    case, spaces and punctuation."""
    a, b = (re.sub(r"\W+", "", x.casefold()) for x in (part, site_name))
    return bool(a and b) and (a in b or b in a)


COMMENT_ANCHOR = re.compile(r"(?:li-|div-)?comment-(\d+)")


@dataclass(slots=True)
class Extractor:
    url: str
    doc: Node
    meta: PageMeta
    sel: PostSelectors
    platform: str
    relative_base: datetime | None = None
    comment_ids: set[Node] = field(default_factory=set)
    guessed: bool = False  # the kind came from layout alone, not from markup that says so
    chrome: set[Node] | None = None
    permalink: str | None = None  # set when a lone full article links to its own page
    comment_items: list[Node] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how fields were decided, for --debug
    entry: Node | None = None  # the post's own element, when the page has one
    title_el: Node | None = None
    index: TreeIndex = field(init=False)  # the page's elements, for its many selector lists

    def run(self) -> ParsedPage:
        self.index = TreeIndex(self.doc)
        self.comment_items = comment_items(self.doc, self.sel.comments, self.index)
        self.comment_ids = set(self.comment_items)
        entries = self._entries()
        entry = self.entry = entries[0] if len(entries) == 1 else None
        body = self.doc.find("body")
        root = entry if entry is not None else body if body is not None else self.doc
        title, title_el = self._title(root)
        self.title_el = title_el
        kind = self._classify(entries, title, title_el)
        links = page_links(self.doc, self.url)
        cp = comment_page(canonical(self.url))
        if kind not in ("post", "page"):
            return ParsedPage(kind=kind, links=links)
        post_url = cp[0] if cp else self.permalink or sane_canonical(self.url, self.meta.canonical)
        post = self._post(root, title, title_el, kind, post_url)
        post = post.with_(
            comments=thread_order(post.comments),
            comments_status=self._comments_status(post.comments),
        )
        if self.guessed and post.published is None:
            # Nothing but layout said "post": without a date it is a static page.
            post = post.with_(kind="page")
            kind = "page"
        here = self._this_comment_page()
        pages = tuple(
            link
            for link in links
            if (c := comment_page(link)) and canonical(c[0]) == post_url and c[1] not in here
        )
        return ParsedPage(
            kind=kind,
            post=post,
            links=links,
            comment_pages=pages,
            comment_page_of=post_url if cp else None,
            comment_page_no=cp[1] if cp else min(here, default=0),
            notes=tuple(self.notes),
        )

    def _this_comment_page(self) -> set[int]:
        """Numbers of the comment page shown here: its comments' permalinks point at it.

        WordPress links each comment, inside the comment, to `…/comment-page-N/#comment-ID`
        (`…?p=ID&cpage=N#comment-ID` without pretty permalinks): page N is this page, and
        fetching it again would bring nothing new. (A "recent comments" widget elsewhere may
        name other pages for the same comments.)
        """
        here = set()
        for a in self.doc.iter("a"):
            href = a.get("href") or ""
            if "#" not in href or ("comment-page-" not in href and "cpage=" not in href):
                continue
            path, fragment = href.split("#", 1)
            m = COMMENT_ANCHOR.fullmatch(fragment)
            if not m or not (cp := comment_page(path)):
                continue
            for parent in a.iterancestors():
                own = COMMENT_ANCHOR.fullmatch(parent.get("id") or "")
                if own and own.group(1) == m.group(1):
                    here.add(cp[1])
                    break
        return here

    def _entries(self) -> list[Node]:
        found = [
            el
            for el in self.index.all_matches(self.doc, self.sel.entry)
            if not inside(el, self.comment_ids)
        ]
        # Nested matches (an <article> inside a .hentry) are the same entry.
        nested = set(found)
        entries = [el for el in found if not any(p in nested for p in el.iterancestors())]
        if len(entries) > 1:
            # A post page's "read next" cards are entries too: short, each heading a link to
            # another post. One entry that is no such card among them is the post itself
            # (on a listing every entry's heading links away, and it stays a listing).
            # (A listing that shows its newest post whole links that heading to the post.)
            whole = [el for el in entries if not self._heading_links_away(el)]
            if len(whole) == 1 and all(self._teaser(el) for el in entries if el is not whole[0]):
                return whole
        return entries

    def _heading_links_away(self, entry: Node) -> bool:
        return self._title_links_away(next(entry.iter("h1", "h2", "h3", "h4"), None))

    def _teaser(self, entry: Node) -> bool:
        return self._heading_links_away(entry) and len(entry.text_content()) < 1500

    def _classify(self, entries: list[Node], title: str, title_el: Node | None) -> PageKind:
        m = self.meta
        parts = urlsplit(self.url)
        if parts.path in ("", "/", "/index.html", "/index.php") and not parts.query:
            # A blog's home page lists or teases its posts, even where it shows one of them
            # whole; the post is archived under its own permalink.
            return "listing"
        for cls, kind in self.sel.body_kinds:
            if cls in m.body_classes:
                return kind
        if self.sel.page_marker and self.index.first(self.doc, self.sel.page_marker) is not None:
            return "page"
        if (
            self.sel.listing_marker
            and self.index.first(self.doc, self.sel.listing_marker) is not None
        ):
            return "listing"
        if m.ld_types & LISTING_TYPES and not m.article:
            return "listing"
        if m.article or m.og_type == "article":
            return "post"
        if m.ld_types & PAGE_TYPES:
            return "page"
        if len(entries) > 1:
            return "listing"
        self.guessed = True
        if len(entries) == 1 and title:
            heading = next(entries[0].iter("h1", "h2", "h3"), None)
            away = self._title_links_away(title_el) or self._title_links_away(heading)
            # A teaser is short; a whole article under a permalink heading is the post.
            if not away:
                return "post"
            if len(entries[0].text_content()) < 1500:
                return "listing"
            # A whole article under a heading that links to its permalink: archive it under
            # that permalink, so the post page itself and this page make one record.
            link = None
            for el in (title_el, heading):
                if link is None and el is not None:
                    link = el if el.tag == "a" else el.find(".//a[@href]")
            target = resolve(self.url, link.get("href")) if link is not None else None
            if target and same_site(target, self.url):
                self.permalink = canonical(target)
            return "post"
        if title and not entries:
            content = self._content_size()
            if content >= 200 or self._has_body_text():
                return "post"  # no article markup at all, but a heading and a body of text
            if content >= 40:
                # A short static page (About, Impressum) in a theme's content element: a
                # page, since nothing dates it; losing it would leave the archive short.
                return "page"
        return "other"

    def _content_size(self) -> int:
        """The text of the first element a content selector finds (0 when none does)."""
        found = self.index.first(self.doc, self.sel.content, self.comment_ids)
        return len(found.text_content().strip()) if found is not None else 0

    def _has_body_text(self) -> bool:
        block = densest_block(self.doc, self.comment_ids)
        return block is not None and len(block.text_content()) >= 400

    def _content(self, root: Node) -> list[Node]:
        """The post body: the first content selector that matches, unless a later one finds a
        body several times longer (the first may be a teaser or widget of the same theme).
        Themes that split a body around ads repeat the container: siblings are joined."""
        exclude = self._not_body()
        first: Node | None = None
        first_sel = ""
        best: tuple[int, Node] | None = None
        for one, matches in self.index.per_selector(root, self.sel.content, exclude):
            # Each selector's first match speaks for it; measuring every match costs more
            # than the whole rest of the parse on large pages.
            el = next((m for m in matches if not in_consent(m)), None)
            if el is None:
                continue
            size = len(el.text_content())
            if first is None:
                first, first_sel = el, one
            if best is None or size > best[0]:
                best = (size, el)
        if first is None:
            not_text = self.comment_ids | consent_dialogs(self.doc)
            dense = densest_block(self.doc, not_text)
            if dense is None:
                return []
            outside = not_text | self._chrome()
            if dense is not root and inside(dense, {root}):
                # The densest block is one part of the post (a card of a listicle, each an
                # <article> of its own; the caption between comic strips): the post is what
                # holds most of its entry's (or the page's) paragraphs.
                whole = main_part(root, outside)
                if (
                    whole is not dense
                    and inside(dense, {whole})
                    and paragraph_text(dense) < 0.5 * p_text(whole)
                ):
                    return module_run(whole, dense, not_text)
            return with_sibling_modules(dense, outside)
        parent = first.getparent()
        group = [
            el
            for el in self.index.ordered(root, first_sel, exclude)
            if el.getparent() is parent and not in_consent(el)
        ]
        group_size = sum(len(el.text_content()) for el in group)
        if best is not None and best[0] > 3 * group_size + 200 and not inside(first, {best[1]}):
            return [best[1]]
        if group_size < SHORT_BODY:
            # A theme's body class on a teaser, a pop-up or a lead while the text sits in a
            # page builder's own blocks: a block elsewhere with several times its paragraphs
            # is the post.
            dense = densest_block(self.doc, exclude | consent_dialogs(self.doc))
            if (
                dense is not None
                and not any(inside(el, {dense}) or inside(dense, {el}) for el in group)
                and paragraph_text(dense) > 3 * group_size + 400
            ):
                return [dense]
        return group

    def _not_body(self) -> set[Node]:
        """What a body selector must not pick: comments, chrome, other posts (and consent
        dialogs, `in_consent`, asked of the few elements a selector finds)."""
        return self.comment_ids | self._chrome() | set(self.index.select(self.doc, OTHER_POSTS))

    def _lead_above(
        self, root: Node, title: Node, blocks: list[Node], marks: set[Node]
    ) -> Node | None:
        """The first element named as a lead between the post's title and its text."""
        first, started = blocks[0], False
        for el in root.iter():
            if el is first:
                return None
            if el is title:
                started = True
            elif started and isinstance(el.tag, str) and lead_named(el) and not inside(el, marks):
                return el
        return None

    def _comments_status(self, comments: tuple[object, ...]) -> str | None:
        """ "external" when a script service holds the comments, "closed", "complete", or None
        when the page says nothing about comments."""
        if not comments and (
            self.sel.external_comments
            or (
                names_a_comment_service(self.doc)
                and bool(self.index.select(self.doc, EXTERNAL_COMMENTS))
            )
        ):
            return "external"
        # One walk of the tree for each list (select), not one for each of its selectors.
        if comments or self.index.select(self.doc, COMMENT_FORM):
            return "complete"
        body = self.doc.find("body")
        if self.index.select(self.doc, ".comments-closed, .nocomments, p.no-comments") or (
            body is not None and COMMENTS_CLOSED.search(body.text_content())
        ):
            return "closed"
        return None

    def _links_home(self, el: Node) -> bool:
        """A heading whose link goes to the home page names the site, not the post."""
        link = el if el.tag == "a" else el.find(".//a[@href]")
        target = resolve(self.url, link.get("href")) if link is not None else None
        return bool(target) and urlsplit(target).path in ("", "/") and urlsplit(target).query == ""

    def _title_links_away(self, title_el: Node | None) -> bool:
        """A lone entry whose heading links to another page is a summary on a listing."""
        if title_el is None:
            return False
        link = title_el if title_el.tag == "a" else title_el.find(".//a[@href]")
        if link is None or not link.get("href"):
            return False
        target = resolve(self.url, link.get("href"))
        here = {canonical(self.url), sane_canonical(self.url, self.meta.canonical)}
        return bool(target) and canonical(target) not in here

    def _title_neighbours(self) -> list[Node]:
        """The elements just before and just after the post's heading (a title inside a
        link or a header counts from that wrapper), the one before first."""
        el = self.title_el
        if el is None:
            return []
        parent = el.getparent()
        while parent is not None and len(parent) == 1 and parent.tag not in ("body", "article"):
            el, parent = parent, parent.getparent()
        return [
            n
            for n in (el.getprevious(), el.getnext())
            if n is not None and isinstance(n.tag, str) and n.tag not in ("script", "style")
        ]

    def _title(self, root: Node) -> tuple[str, Node | None]:
        """The post's own heading: the first candidate that the page's <title> or og:title
        confirms, so a site name in a header <h1> is not taken for the post's title."""
        og = self.meta.first("og:title", "twitter:title")
        named = " ".join(x for x in (og, self.meta.title_tag) if x).casefold()
        core = (og or strip_site_suffix(self.meta.title_tag, self.meta.site_name)).casefold()
        site = (self.meta.site_name or "").casefold()
        candidates = list(self.index.ordered(root, self.sel.title, self.comment_ids))
        if root is not self.doc:
            candidates += list(
                self.index.ordered(self.doc, self.sel.title, self.comment_ids | self._chrome())
            )
        texts = [text_of(c).casefold() for c in candidates]
        # A heading that is exactly the named title; else the first that the name contains
        # and that is not the site's own name.
        el = next((c for c, t in zip(candidates, texts, strict=True) if t and t == core), None)
        if el is None:
            el = next(
                (
                    c
                    for c, t in zip(candidates, texts, strict=True)
                    if t and t != site and (not named or t in named) and not self._links_home(c)
                ),
                None,
            )
        if el is None:
            # A search-engine title (<title>, og:title) often words the post differently from
            # its heading: a heading the theme marks as the entry's title is the post's
            # title, unless it is the site's name.
            marked = list(self.index.ordered(root, MARKED_TITLE, self.comment_ids))
            if root is not self.doc:  # a header above the entry
                marked += self.index.ordered(
                    self.doc, MARKED_TITLE, self.comment_ids | self._chrome()
                )
            el = next(
                (
                    c
                    for c in marked
                    if (t := text_of(c).casefold()) and t != site and not self._links_home(c)
                ),
                None,
            )
        title = text_of(el)
        if not title and self.meta.article:
            title = clean_text(str(self.meta.article.get("headline") or ""))
        if not title:
            raw = self.meta.first("og:title", "twitter:title") or self.meta.title_tag
            home_names = tuple(text_of(c) for c in candidates if self._links_home(c))
            title = strip_site_suffix(raw, self.meta.site_name, home_names)
        for prefix in self.sel.title_prefixes:
            if title.startswith(prefix):
                title = title.removeprefix(prefix).strip()
        return title, el

    def _post(
        self, root: Node, title: str, title_el: Node | None, kind: PageKind, post_url: str
    ) -> Post:
        blocks = self._content(root)
        skip = [el for block in blocks for el in self.index.select(block, self.sel.boilerplate)]
        # Grids and lists of other posts that a theme puts inside the body.
        skip += [el for block in blocks for el in self.index.select(block, OTHER_POSTS)]
        skip += [el for block in blocks for el in link_lists(block)]
        # Another entry's title inside the body (a theme's list of more posts marks each
        # with the entry-title class) links to that entry: a teaser, not text.
        skip += [
            el
            for block in blocks
            for el in self.index.select(block, ENTRY_TITLES)
            if el is not title_el and self._title_links_away(el)
        ]
        if title_el is not None:  # a body found by density may hold the heading too
            skip.append(title_el)
        skip += [el for el in self.comment_items if blocks and inside(el, set(blocks))]
        skip += [el for block in blocks if (el := trailing_link(block)) is not None]
        text = "\n\n".join(t for block in blocks if (t := html_to_text(block, skip)))
        # Plugins append "you may also like" and newsletter calls to the body without a class
        # we could skip; their lead-in lines are recognisable.
        text = "\n\n".join(p for p in before_site_footer(text.split("\n\n")) if not not_text(p))
        # Lightbox hints in captions are the widget talking, not the author.
        text = ENLARGE_HINT.sub("", text)
        lead = self.index.first(root, LEAD, self.comment_ids) if root is not self.doc else None
        if lead is not None and inside(lead, set(blocks)):
            lead = None  # a lead-named element inside the body is already its text
        if lead is None and blocks and title_el is not None:
            lead = self._lead_above(root, title_el, blocks, self.comment_ids | set(skip))
        # A standfirst above the body (a theme's entry-excerpt lead paragraph) is the post's text.
        intro = html_to_text(lead) if lead is not None and not inside(lead, set(blocks)) else ""
        intro = "\n\n".join(p for p in intro.split("\n\n") if p and not not_text(p))
        if intro and intro not in text:
            text = f"{intro}\n\n{text}" if text else intro
        if self.meta.article:
            # Script-rendered pages (Medium, Next.js) carry the whole body only in JSON-LD.
            body = self.meta.article.get("articleBody")
            if isinstance(body, str) and len(body) > 1.2 * len(text):
                text = "\n\n".join(clean_text(p) for p in body.split("\n") if p.strip())
        art = self.meta.article or self.meta.page_node or {}
        return Post(
            url=post_url,
            title=title,
            text=text,
            kind="page" if kind == "page" else "post",
            author=self._author(root, art),
            published=self._date(
                root,
                self.sel.published,
                art.get("datePublished"),
                PUBLISHED_META,
                from_url=True,
                blocks=blocks,
            ),
            updated=self._date(
                root,
                self.sel.updated,
                art.get("dateModified"),
                ("article:modified_time", "og:updated_time"),
                what="updated",
            ),
            language=self.meta.lang or detect_language(text),
            categories=self._names(
                root, self.sel.categories, ld_list(art.get("articleSection")), "article:section"
            ),
            tags=self._names(
                root,
                self.sel.tags,
                ld_list(art.get("keywords")),
                "article:tag",
                not_in=self.sel.categories,
            ),
            summary=self.meta.first("description", "og:description"),
            html="\n".join(h for block in blocks if (h := clean_html(block, skip))) or None,
            comments=extract_comments(
                self.doc,
                self.url,
                self.meta,
                self.sel.comments,
                self.relative_base,
                items=self.comment_items,
            ),
            platform=self.platform,
            media=post_media(blocks, skip, root, self.meta, self.url, self.comment_items),
        )

    def _author(self, root: Node, art: dict[str, object]) -> str | None:
        el = self.index.first(root, self.sel.author, self.comment_ids)
        name = text_of(el)
        name = re.sub(r"^(von|by|posted by|geschrieben von|autor:?)\s+", "", name, flags=re.I)
        if name and len(name) <= 80:
            return name
        return ld_name(art.get("author")) or self.meta.first("author", "article:author")

    def _date(
        self,
        root: Node,
        selector: str,
        ld_value: object,
        meta_names: tuple[str, ...],
        from_url: bool = False,
        what: str = "published",
        blocks: list[Node] | None = None,
    ) -> datetime | None:
        """The post's date from the best evidence (the order is `dates.py`'s); which one it
        was, and a disagreement, go to `notes` (shown by `--debug`). `blocks`: the post's
        text, after which no date of the post's own header comes."""
        found = self._date_found(root, selector, ld_value, meta_names, from_url, blocks or [])
        if found is None:
            self.notes.append(f"{what}: no date found")
            return None
        when, how = found
        self.notes.append(f"{what}: {when.isoformat()} from {how}")
        return when

    def _date_found(
        self,
        root: Node,
        selector: str,
        ld_value: object,
        meta_names: tuple[str, ...],
        from_url: bool,
        blocks: list[Node],
    ) -> tuple[datetime, str] | None:
        structured = self._structured_date(ld_value, meta_names)
        dated = list(self.index.ordered(root, selector, self.comment_ids))
        if structured and blocks and self.entry is root:
            between = _between(root, self.title_el, blocks, dated)
            shown = [n for n in between if not MODIFIED.search(_marks(n))]
            header = self._date_in(shown, "the post header")
            if header and disagree(structured[0], header[0]):
                # Structured data is often an SEO plugin's (a republished date, another
                # post's): the dateline the reader sees above the post's text wins.
                self.notes.append(f"{structured[1]} says {structured[0].isoformat()}: overruled")
                return header
        if found := structured or self._date_in(dated, "the post"):
            return found
        if not from_url:
            return None
        if (when := date_from_url(self.url)) is not None:
            return when, "the permalink"
        outside = self.comment_ids | self._chrome()
        if root is not self.doc and (
            found := self._date_in(
                list(self.index.ordered(self.doc, selector, outside)), "the page"
            )
        ):
            return found
        # A theme's own dateline: an element named for a date ("meta-date", "blog_detail_date",
        # "articleCreationDate") that holds a date alone; an update's or a comment's is not it.
        for scope in (root, self.doc) if root is not self.doc else (self.doc,):
            for el in self.index.ordered(scope, DATELINE, outside):
                name = f"{el.get('class') or ''} {el.get('id') or ''}".casefold()
                text = text_of(el)
                if NOT_PUBLISHED.search(name) or MODIFIED.search(name) or not 0 < len(text) <= 40:
                    continue
                if when := parse_date(text, self.meta.lang, self.relative_base):
                    return when, f"a dateline element <{el.tag} {name.strip()}>"
        # The kicker or subline printed right above or below the title ("21. Jan 2022 //
        # Autor"): a short line beside the heading is the post header's, whatever its class.
        for el in self._title_neighbours():
            if len(text := text_of(el)) <= 100 and (when := find_date(text)):
                return when, f"the line beside the title <{el.tag}>"
        # Dates in running text of the post's meta lines ("Dieser Artikel wurde am …").
        for el in self.index.ordered(self.doc, META_LINES, outside):
            if when := find_date(text_of(el)):
                return when, f"a meta line <{el.tag}>"
        text = html_to_text(root, [n for n in self.comment_ids if inside(n, {root})])
        for m in PUBLISHED_WORDS.finditer(text):
            if when := find_date(text[m.end() : m.end() + 60]):
                return when, f"the words {m.group(0)!r} in the post"
        return None

    def _structured_date(
        self, ld_value: object, meta_names: tuple[str, ...]
    ) -> tuple[datetime, str] | None:
        """The post's own structured data: its JSON-LD, then its meta tags (in that order)."""
        if isinstance(ld_value, str) and (when := parse_date(ld_value, self.meta.lang)):
            return when, "JSON-LD"
        for name in meta_names:
            raw = self.meta.first(name)
            if raw and (when := parse_date(raw, self.meta.lang)):
                return when, f"<meta {name}>"
        return None

    def _date_in(self, nodes: list[Node], where: str) -> tuple[datetime, str] | None:
        for el in nodes:  # machine-readable attributes first
            raw = el.get("datetime") or el.get("content") or (el.tag == "abbr" and el.get("title"))
            if raw and MONTH_ONLY.match(str(raw).strip()):
                continue  # "2019-06" says less than the "19. Juni 2019" it stands for
            if raw and (when := parse_date(str(raw), self.meta.lang)):
                return when, f"{where}'s <{el.tag}> attribute"
        for el in nodes:
            if when := parse_date(text_of(el), self.meta.lang, self.relative_base):
                return when, f"{where}'s <{el.tag}> text"
        return None

    def _chrome(self) -> set[Node]:
        """Sidebars, navigation and footers: never the post's own metadata. One that wraps
        the page's main content is an unclosed tag (a `<nav>` the parser never saw end), not
        chrome."""
        if self.chrome is None:
            self.chrome = {
                el
                for el in self.doc.iter("aside", "nav", "footer")
                if self.index.first(el, WRAPS_CONTENT) is None
            }
        return self.chrome

    def _names(
        self, root: Node, selector: str, ld_values: list[str], meta_name: str, not_in: str = ""
    ) -> tuple[str, ...]:
        # Block themes mark category links rel="tag" too: a tag is never also a category link.
        exclude = set(self.comment_ids)
        if not_in:
            exclude |= set(self.index.all_matches(root, not_in, self.comment_ids))
        els = self.index.all_matches(root, selector, exclude)
        names = unique_names(text_of(el) for el in els)
        return names or unique_names(ld_values or self.meta.meta.get(meta_name, []))


# Where themes print "posted on …" lines; read as running text when nothing else has a date.


def page_links(doc: Node, url: str) -> tuple[str, ...]:
    """Same-site links of a page, canonical and de-duplicated, in page order."""
    seen: dict[str, None] = {}
    for a in doc.iter("a"):
        target = resolve(url, a.get("href"))
        if target and same_site(target, url):
            seen.setdefault(canonical(target), None)
    for link in doc.iter("link"):
        rel = set((link.get("rel") or "").lower().split())
        if rel & {"next", "prev", "alternate"}:
            target = resolve(url, link.get("href"))
            if target and same_site(target, url):
                seen.setdefault(canonical(target), None)
    return tuple(seen)
