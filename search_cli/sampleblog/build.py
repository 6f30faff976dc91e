"""Render the sample blog to static files: posts, comment pages, listings, feed, sitemap.

The markup is a plain theme with microformats2 and schema.org, as many small blogs have:
h-entry posts, threaded p-comment lists paged like WordPress (/comment-page-N/), category
and tag archives, a share widget inside the post body and a comment form.
"""

from __future__ import annotations

import json
from email.utils import format_datetime
from html import escape
from pathlib import Path

from search_cli.sampleblog.content import (
    SampleComment,
    SamplePost,
    load_posts,
    slugify,
    static_pages,
)

SITE = "Werkstatt Marketing"
PER_PAGE = 10
MONTHS_DE = (
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
).split()


def visible_date(post_lang: str, when: object) -> str:
    from datetime import datetime

    assert isinstance(when, datetime)
    if post_lang.startswith("de"):
        return f"{when.day}. {MONTHS_DE[when.month - 1]} {when.year} um {when:%H:%M} Uhr"
    return f"{when:%B} {when.day}, {when.year} at {when:%H:%M}"


def _body_html(lines: list[str]) -> str:
    out: list[str] = []
    para: list[str] = []
    in_list = in_code = False

    def flush() -> None:
        nonlocal in_list
        if para:
            out.append(f"<p>{escape(' '.join(para))}</p>")
            para.clear()
        if in_list:
            out.append("</ul>")
            in_list = False

    for line in lines:
        if line.startswith("```"):
            flush()
            out.append("</code></pre>" if in_code else "<pre><code>")
            in_code = not in_code
        elif in_code:
            out.append(escape(line) + "\n")
        elif not line.strip():
            flush()
        elif line.startswith("### "):
            flush()
            out.append(f"<h2>{escape(line[4:])}</h2>")
        elif line.startswith("- "):
            if para:
                flush()
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{escape(line[2:])}</li>")
        elif line.startswith("> "):
            flush()
            out.append(f"<blockquote><p>{escape(line[2:])}</p></blockquote>")
        elif line.startswith("!img "):
            flush()
            src, caption = (x.strip() for x in line[5:].split("|"))
            small = _smaller(src)
            out.append(
                f'<figure><img src="{escape(small)}" srcset="{escape(small)} 600w,'
                f' {escape(src)} 1200w" sizes="(max-width: 600px) 100vw, 600px" width="600"'
                f' height="400" alt=""><figcaption>{escape(caption)}</figcaption></figure>'
            )
        else:
            para.append(line.strip())
    flush()
    return "\n".join(out)


def _smaller(src: str) -> str:
    """The 600-pixel copy of an image, as blog engines name their resized files."""
    stem, dot, ext = src.rpartition(".")
    return f"{stem}-600.{ext}" if dot else f"{src}-600"


def _write_images(root: Path, posts: list[SamplePost]) -> None:
    """The pictures the posts show, in two sizes: calm gradients, the same bytes every time."""
    from PIL import Image

    for post in posts:
        for line in post.body:
            if not line.startswith("!img "):
                continue
            path = line[5:].split("|")[0].strip()
            seed = sum(path.encode())
            image = Image.linear_gradient("L").resize((1200, 800)).convert("RGB")
            tint = Image.new("RGB", image.size, (seed % 200, 120, 80 + seed % 150))
            image = Image.blend(image, tint, 0.5)
            for target, size in ((path, (1200, 800)), (_smaller(path), (600, 400))):
                out = root / target.lstrip("/")
                out.parent.mkdir(parents=True, exist_ok=True)
                image.resize(size).save(out, "JPEG", quality=85)


def _page(title: str, lang: str, head: str, main: str, body_class: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="blogarchive sample theme">
<title>{escape(title)}</title>
<link rel="alternate" type="application/rss+xml" title="{SITE}" href="/feed.xml">
<meta property="og:site_name" content="{SITE}">
{head}
</head>
<body class="{body_class}">
<div class="cookie-notice">Diese Website verwendet keine Cookies. <button>OK</button></div>
<header class="site-header"><a class="site-title" href="/">{SITE}</a>
<nav class="main-nav"><a href="/">Start</a> <a href="/ueber-uns/">Über uns</a>
<a href="/impressum/">Impressum</a></nav></header>
<main id="main">
{main}
</main>
{{sidebar}}
<footer class="site-footer">© 2010–2023 {SITE} · <a href="/impressum/">Impressum</a></footer>
</body>
</html>
"""


def _comment_html(
    c: SampleComment, children: dict[str | None, list[SampleComment]], lang: str, depth: int
) -> str:
    who = (
        f'<a class="u-url p-name url" href="{escape(c.author_url)}" rel="external nofollow">'
        f"{escape(c.author)}</a>"
        if c.author_url
        else f'<span class="p-name">{escape(c.author)}</span>'
    )
    says = "sagt:" if lang.startswith("de") else "says:"
    reply = "Antworten" if lang.startswith("de") else "Reply"
    kind = "pingback" if c.type == "pingback" else "comment"
    kids = children.get(c.id, [])
    nested = ""
    if kids:
        nested = (
            '<ol class="children">'
            + "".join(_comment_html(k, children, lang, depth + 1) for k in kids)
            + "</ol>"
        )
    return f"""<li id="comment-{c.id}" class="{kind} p-comment h-cite depth-{depth}">
<article class="comment-body" id="div-comment-{c.id}">
<footer class="comment-meta"><span class="comment-author p-author h-card">{who}
<span class="says">{says}</span></span>
<a class="comment-permalink" href="#comment-{c.id}"><time class="dt-published"
datetime="{c.published.isoformat()}">{visible_date(lang, c.published)}</time></a></footer>
<div class="comment-content e-content"><p>{escape(c.text)}</p></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link"
href="?replytocom={c.id}#respond">{reply}</a></div>
</article>{nested}</li>
"""


def _comments_section(post: SamplePost, page_no: int, pages: list[list[SampleComment]]) -> str:
    de = post.lang.startswith("de")
    comments = pages[page_no - 1]
    children: dict[str | None, list[SampleComment]] = {}
    ids = {c.id for c in comments}
    for c in comments:
        children.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
    items = "".join(_comment_html(c, children, post.lang, 1) for c in children.get(None, []))
    nav = ""
    if len(pages) > 1:
        links = []
        if page_no > 1:
            prev = post.path if page_no == 2 else f"{post.path}comment-page-{page_no - 1}/"
            label = "Ältere Kommentare" if de else "Older comments"
            links.append(f'<a class="prev" href="{prev}#comments">{label}</a>')
        if page_no < len(pages):
            label = "Neuere Kommentare" if de else "Newer comments"
            links.append(
                f'<a class="next" href="{post.path}comment-page-{page_no + 1}/#comments">'
                f"{label}</a>"
            )
        nav = f'<nav class="comment-navigation">{" ".join(links)}</nav>'
    count = len(post.comments)
    heading = f"{count} Kommentare" if de else f"{count} comments"
    form_title = "Schreibe einen Kommentar" if de else "Leave a Reply"
    return f"""<section id="comments" class="comments-area">
<h2 class="comments-title">{heading}</h2>
<ol class="comment-list">{items}</ol>
{nav}
<div id="respond" class="comment-respond"><h3 id="reply-title">{form_title}</h3>
<form action="/kommentar" method="post"><p>Name * <input name="author"></p>
<p><textarea name="comment"></textarea></p><p>* = benötigte Eingabe</p>
<button type="submit">Kommentar abschicken</button></form></div>
</section>"""


def _terms(names: list[str], base: str, rel: str) -> str:
    # An empty name is printed as the theme of such a blog prints it: an empty link.
    return ", ".join(
        f'<a href="/{base}/{slugify(n)}/" rel="{rel}">{escape(n)}</a>'
        if n
        else f'<a rel="{rel}"></a>'
        for n in names
    )


def render_post(post: SamplePost, page_no: int = 1, base: str = "") -> str:
    de = post.lang.startswith("de")
    pages = post.comment_pages()
    url = post.path if page_no == 1 else f"{post.path}comment-page-{page_no}/"
    ld = {
        "@context": "https://schema.org",
        "@type": "WebPage" if post.kind == "page" else "BlogPosting",
        "headline": post.title,
        "datePublished": post.published.isoformat(),
        "author": {"@type": "Person", "name": post.author},
        "inLanguage": post.lang,
    }
    if post.kind == "post":
        ld |= {"articleSection": post.categories, "keywords": post.tags}
    head = (
        f'<link rel="canonical" href="{base}{url}">\n'
        f'<meta property="og:type" content="{"article" if post.kind == "post" else "website"}">\n'
        f'<meta property="og:title" content="{escape(post.title)}">\n'
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    )
    meta = footer = comments = ""
    if post.kind == "post":
        by = "Von" if de else "By"
        meta = (
            f'<p class="entry-meta">{by} <a class="p-author h-card" href="/autor/'
            f'{slugify(post.author)}/"><span class="p-name">{escape(post.author)}</span></a>'
            f' · <time class="dt-published" datetime="{post.published.isoformat()}">'
            f"{visible_date(post.lang, post.published)}</time></p>"
        )
        footer = (
            f'<footer class="entry-footer"><span class="cat-links">'
            f"{'Kategorien' if de else 'Categories'}: "
            f"{_terms(post.categories, 'kategorie', 'category')}</span>"
        )
        if post.tags:
            footer += (
                f' <span class="tags-links">{"Schlagwörter" if de else "Tags"}: '
                f"{_terms(post.tag_line or post.tags, 'schlagwort', 'tag')}</span>"
            )
        footer += "</footer>"
        comments = _comments_section(post, page_no, pages)
    share = (
        '<div class="sharedaddy"><h3>Teilen mit:</h3><a href="?share=twitter">Twitter</a>'
        ' <a href="?share=facebook">Facebook</a> <span class="likes">Gefällt mir</span></div>'
        if post.kind == "post"
        else ""
    )
    main = f"""<article class="h-entry post">
<h1 class="p-name entry-title">{escape(post.title)}</h1>
{meta}
<div class="e-content entry-content">
{_body_html(post.body)}
{share}
</div>
{footer}
</article>
{comments}"""
    body_class = "page" if post.kind == "page" else "single single-post"
    return _page(f"{post.title} – {SITE}", post.lang, head, main, body_class)


def render_listing(title: str, posts: list[SamplePost], base: str, page_no: int, pages: int) -> str:
    items = []
    for post in posts:
        summary = next((line for line in post.body if line.strip()), "")
        items.append(
            f"""<article class="h-entry post-summary">
<h2 class="p-name"><a class="u-url" href="{post.path}">{escape(post.title)}</a></h2>
<p class="meta"><time class="dt-published" datetime="{post.published.isoformat()}">
{visible_date(post.lang, post.published)}</time> · {escape(post.author)}</p>
<p class="p-summary">{escape(summary)}</p>
<a class="more-link" href="{post.path}">Weiterlesen</a></article>"""
        )
    nav = []
    if page_no > 1:
        prev = base if page_no == 2 else f"{base}page/{page_no - 1}/"
        nav.append(f'<a class="newer" href="{prev}">Neuere Beiträge</a>')
    if page_no < pages:
        nav.append(f'<a class="older" href="{base}page/{page_no + 1}/">Ältere Beiträge</a>')
    ld = {"@context": "https://schema.org", "@type": "CollectionPage", "name": title}
    head = (
        '<meta property="og:type" content="website">\n'
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    )
    main = (
        f'<h1 class="page-title">{escape(title)}</h1><div class="h-feed">{"".join(items)}</div>'
        f'<nav class="pagination">{" ".join(nav)}</nav>'
    )
    return _page(f"{title} – {SITE}", "de", head, main, "archive blog")


def _sidebar(posts: list[SamplePost]) -> str:
    recent = "".join(f'<li><a href="{p.path}">{escape(p.title)}</a></li>' for p in posts[:5])
    tags = sorted({t for p in posts for t in p.tags}, key=str.casefold)
    cloud = " ".join(
        f'<a class="tag-cloud-link" href="/schlagwort/{slugify(t)}/">{escape(t)}</a>'
        for t in tags[:20]
    )
    return (
        f'<aside class="sidebar widget-area"><section class="widget"><h2>Neueste Beiträge</h2>'
        f'<ul>{recent}</ul></section><section class="widget"><h2>Schlagwörter</h2>{cloud}'
        "</section></aside>"
    )


def _write(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def build_site(root: Path, base: str) -> list[SamplePost]:
    """Write the whole blog below `root` for serving at `base` (feed and sitemap need absolute
    URLs); returns its posts and pages, the ground truth."""
    base = base.rstrip("/")
    posts = sorted(load_posts(), key=lambda p: p.published, reverse=True)
    pages = static_pages()
    sidebar = _sidebar(posts)

    def write(path: str, html: str) -> None:
        _write(root, path, html.replace("{sidebar}", sidebar))

    for post in [*posts, *pages]:
        for n in range(1, len(post.comment_pages()) + 1):
            path = post.path if n == 1 else f"{post.path}comment-page-{n}/"
            write(path, render_post(post, n, base))
    _write_listings(write, posts)
    _write_images(root, [*posts, *pages])
    _write_feed(root, base, posts)
    _write_sitemap(root, base, [*posts, *pages])
    (root / "robots.txt").write_text(
        f"User-agent: *\nDisallow: /kommentar\nSitemap: {base}/sitemap.xml\n"
    )
    return [*posts, *pages]


def _write_listings(write: object, posts: list[SamplePost]) -> None:
    assert callable(write)
    groups: dict[tuple[str, str], list[SamplePost]] = {("/", "Werkstatt Marketing"): posts}
    for post in posts:
        for c in post.categories:
            groups.setdefault((f"/kategorie/{slugify(c)}/", f"Kategorie: {c}"), []).append(post)
        for t in post.tags:
            groups.setdefault((f"/schlagwort/{slugify(t)}/", f"Schlagwort: {t}"), []).append(post)
        key = (f"/autor/{slugify(post.author)}/", f"Autor: {post.author}")
        groups.setdefault(key, []).append(post)
    for (base, title), members in groups.items():
        pages = max(1, -(-len(members) // PER_PAGE))
        for n in range(1, pages + 1):
            path = base if n == 1 else f"{base}page/{n}/"
            chunk = members[(n - 1) * PER_PAGE : n * PER_PAGE]
            write(path, render_listing(title, chunk, base, n, pages))


def _write_feed(root: Path, base: str, posts: list[SamplePost]) -> None:
    items = "".join(
        f"""<item><title>{escape(p.title)}</title><link>{base}{p.path}</link>
<pubDate>{format_datetime(p.published)}</pubDate><dc:creator>{escape(p.author)}</dc:creator>
{"".join(f"<category>{escape(c)}</category>" for c in p.categories + p.tags)}
<slash:comments>{len(p.comments)}</slash:comments></item>
"""
        for p in posts[:PER_PAGE]
    )
    (root / "feed.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
        f"<channel><title>{SITE}</title><link>{base}/</link>{items}</channel></rss>\n",
        encoding="utf-8",
    )


def _write_sitemap(root: Path, base: str, posts: list[SamplePost]) -> None:
    urls = "".join(
        f"<url><loc>{base}{p.path}</loc><lastmod>{p.published.date().isoformat()}</lastmod></url>"
        for p in posts
    )
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n',
        encoding="utf-8",
    )
