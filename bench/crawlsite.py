"""A static blog of N posts for bench/crawl: WordPress-like pages of about 40 KB, each with
some 165 site links (menus, tag cloud, archives, recent posts), a sitemap, a feed-less home
page with pagination; written once into bench/out and served by nginx on loopback. With
`images`, each post shows that many pictures (a figure with a caption and a two-size srcset,
as WordPress writes them), each a JPEG file of its own."""

from __future__ import annotations

import io
import os
import random
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

WORDS = (
    "Kundenbindung Marketing Werbung Flyer Laden Kunden Angebot Stammkunden Gutschein Messe "
    "Schaufenster Handwerk Bäckerei Sichtbarkeit Empfehlung Newsletter Zeitung Strasse Preis "
    "größtenteils Erfolg Budget Idee Nachbarschaft Website Suche Bewertung Geschichte Team "
    "customers small business word of mouth local search window display newsletter budget"
).split()
TAGS = [f"Thema {i}" for i in range(40)]
CATEGORIES = [f"Rubrik {i}" for i in range(12)]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(5, 9)))


def _chrome(base: str, recent: list[tuple[str, str]]) -> tuple[str, str]:
    menu = "".join(
        f'<li><a href="{base}category/rubrik-{i}/">{escape(c)}</a></li>'
        for i, c in enumerate(CATEGORIES)
    )
    header = (
        f'<header id="masthead" class="site-header"><p class="site-title"><a href="{base}">'
        f'Werkstatt Marketing</a></p><nav class="primary-navigation"><ul class="menu">{menu}'
        "</ul></nav></header>"
    )
    tags = "".join(f'<a href="{base}tag/thema-{i}/">{escape(t)}</a> ' for i, t in enumerate(TAGS))
    months = "".join(
        f'<li><a href="{base}{y}/{m:02d}/">{m:02d}/{y}</a></li>'
        for y in range(2015, 2020)
        for m in range(1, 13)
    )
    posts = "".join(f'<li><a href="{url}">{escape(title)}</a></li>' for url, title in recent)
    sidebar = (
        '<aside class="widget-area"><section class="widget widget_recent_entries">'
        f"<h2>Neueste Beiträge</h2><ul>{posts}</ul></section>"
        f'<section class="widget widget_tag_cloud"><h2>Schlagwörter</h2>{tags}</section>'
        f'<section class="widget widget_archive"><h2>Archiv</h2><ul>{months}</ul></section>'
        "</aside>"
    )
    return header, sidebar


def _page(title: str, header: str, main: str, sidebar: str) -> str:
    return (
        '<!doctype html><html lang="de-DE"><head><meta charset="UTF-8">'
        f"<title>{escape(title)} – Werkstatt Marketing</title>"
        '<meta name="generator" content="WordPress 6.4.2">'
        '<link rel="stylesheet" href="/style.css"></head>'
        f'<body class="single single-post"><div id="page" class="site">{header}'
        f'<div id="content" class="site-content"><main id="main" class="site-main">{main}'
        f"</main>{sidebar}</div></div></body></html>"
    )


def _jpegs(count: int, seed: int) -> list[bytes]:
    """Photo-like JPEGs (about 40 KB at 1024 × 683) to make each post's files from."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    out = []
    for _ in range(count):
        image = Image.effect_noise((1024, 683), 60).convert("RGB")
        tint = Image.new("RGB", image.size, tuple(rng.randrange(256) for _ in range(3)))
        image = Image.blend(image, tint, 0.6).filter(ImageFilter.GaussianBlur(2))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        out.append(buffer.getvalue())
    return out


def _figures(root: Path, base: str, path: str, n: int, images: int, pool: list[bytes]) -> str:
    """The post's pictures: each a file of its own (a pool picture with its own trailer after
    the JPEG end marker, which viewers ignore), in two sizes."""
    html = []
    folder = root / "wp-content/uploads" / path.split("/")[0] / path.split("/")[1]
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(images):
        picture = pool[(n * images + k) % len(pool)]
        large = folder / f"beitrag-{n}-{k}-1024x683.jpg"
        large.write_bytes(picture + f"blogarchive {n}/{k}".encode())
        small = folder / f"beitrag-{n}-{k}-300x200.jpg"  # never fetched: the same file
        small.unlink(missing_ok=True)
        os.link(large, small)
        stem = f"{base}wp-content/uploads/{path[:7]}/beitrag-{n}-{k}"
        html.append(
            f'<figure class="wp-block-image size-large"><img src="{stem}-300x200.jpg"'
            f' srcset="{stem}-300x200.jpg 300w, {stem}-1024x683.jpg 1024w" width="300"'
            f' height="200" alt="" class="wp-image-{n * 10 + k}"><figcaption>Bild {k + 1}'
            " zum Beitrag.</figcaption></figure>"
        )
    return "".join(html)


def build(root: Path, base: str, posts: int, seed: int = 7, images: int = 0) -> list[str]:
    """Write the blog under `root` for serving at `base`; returns the post URLs."""
    rng = random.Random(seed)
    pool = _jpegs(min(50, posts * images), seed) if images else []
    start = datetime(2015, 1, 1, 9, 0, tzinfo=UTC)
    entries = []
    for n in range(posts):
        when = start + timedelta(hours=9 * n)
        slug = f"beitrag-{n}"
        path = f"{when:%Y/%m}/{slug}/"
        title = f"Beitrag {n}: " + " ".join(rng.choice(WORDS) for _ in range(4))
        entries.append((path, title, when))
    recent = [(base + p, t) for p, t, _ in entries[-30:]]
    header, sidebar = _chrome(base, recent)
    for n, (path, title, when) in enumerate(entries):
        body = "".join(f"<p>{escape(_paragraph(rng))}</p>" for _ in range(rng.randint(30, 44)))
        if images:
            body += _figures(root, base, path, n, images, pool)
        tags = rng.sample(range(len(TAGS)), 3)
        comments = "".join(
            f'<li id="comment-{n}{c}" class="comment even depth-1"><article class="comment-body">'
            f'<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">'
            f'Leserin {c}</b></div><div class="comment-metadata"><a href="{base}{path}'
            f'#comment-{n}{c}"><time datetime="{when + timedelta(days=c):%Y-%m-%dT%H:%M:%S}'
            f'+00:00">{when + timedelta(days=c):%d.%m.%Y}</time></a></div></footer>'
            f'<div class="comment-content"><p>{escape(_sentence(rng))}</p></div>'
            f'<div class="reply"><a class="comment-reply-link" href="{base}{path}'
            f'?replytocom={n}{c}#respond">Antworten</a></div></article></li>'
            for c in range(1, 4)
        )
        article = (
            f'<article id="post-{n}" class="post-{n} post type-post status-publish hentry">'
            f'<header class="entry-header"><h1 class="entry-title">{escape(title)}</h1>'
            f'</header><div class="entry-content">{body}</div><footer class="entry-footer">'
            f'<span class="posted-on"><time class="entry-date published" datetime="'
            f'{when:%Y-%m-%dT%H:%M:%S}+00:00">{when:%d.%m.%Y}</time></span>'
            f'<span class="byline"><a class="url fn n" href="{base}author/anna/">Anna</a></span>'
            f'<span class="cat-links"><a href="{base}category/rubrik-{n % 12}/" rel="category">'
            f'{CATEGORIES[n % 12]}</a></span><span class="tags-links">'
            + ", ".join(f'<a href="{base}tag/thema-{t}/" rel="tag">{TAGS[t]}</a>' for t in tags)
            + "</span></footer></article>"
            f'<div id="comments" class="comments-area"><h2 class="comments-title">3 Kommentare'
            f'</h2><ol class="comment-list">{comments}</ol><div id="respond" class="comment-'
            'respond"><h3>Schreibe einen Kommentar</h3><form><textarea name="comment">'
            "</textarea></form></div></div>"
        )
        out = root / path / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(_page(title, header, article, sidebar), encoding="utf-8")
    per_page = 10
    pages = (posts + per_page - 1) // per_page
    for page in range(1, pages + 1):
        chunk = entries[::-1][(page - 1) * per_page : page * per_page]
        items = "".join(
            f'<article class="post hentry"><h2 class="entry-title"><a href="{base}{p}">'
            f"{escape(t)}</a></h2><p>{escape(t)}</p></article>"
            for p, t, _ in chunk
        )
        nav = f'<a class="next" href="{base}page/{page + 1}/">Ältere</a>' if page < pages else ""
        out = root / ("index.html" if page == 1 else f"page/{page}/index.html")
        out.parent.mkdir(parents=True, exist_ok=True)
        html = _page("Werkstatt Marketing", header, items + nav, sidebar)
        out.write_text(html.replace("single single-post", "home blog"), encoding="utf-8")
    urls = "".join(
        f"<url><loc>{base}{p}</loc><lastmod>{w:%Y-%m-%d}</lastmod></url>" for p, _, w in entries
    )
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
        f'schemas/sitemap/0.9">{urls}</urlset>',
        encoding="utf-8",
    )
    (root / "robots.txt").write_text(f"User-agent: *\nSitemap: {base}sitemap.xml\n")
    return [base + p for p, _, _ in entries]
