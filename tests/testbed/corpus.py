"""The test bed's corpus: one deterministic blog that every engine is populated with.

`python -m tests.testbed.corpus OUT.json` writes it. The same seed always gives the same
corpus, so ground truth and engine sites agree run after run.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

SEED = 20101027
TZ = ZoneInfo("Europe/Berlin")
AUTHORS = {"anna": "Anna Becker", "joerg": "Jörg Weiß", "claire": "Claire Morgan"}

# Nested categories: WordPress builds the tree; other engines use the leaf names.
CATEGORIES = {
    "de": [
        "Marketing",
        "Marketing/Social Media",
        "Marketing/Suchmaschinenoptimierung",
        "Kundenbindung",
        "Veranstaltungen",
        "Tipps & Tricks",
        "Website",
    ],
    "en": ["Small Business", "Small Business/Pricing", "Content Strategy", "Email Marketing"],
}
TAGS = {
    "de": [
        "Kundenbindung",
        "Lokale Suche",
        "Öffnungszeiten",
        "Mundpropaganda",
        "Größe zeigen",
        "Straßenfest",
        "Newsletter",
        "Einzelhandel",
        "Bäckerei",
        "Handwerk",
        "Datenschutz",
        "Gutscheine",
        "Flyer",
        "Messe",
        "Google Maps",
    ],
    "en": [
        "word of mouth",
        "retail",
        "customer loyalty",
        "pricing",
        "newsletters",
        "photography",
        "storytelling",
        "reviews",
    ],
}
TOPICS = {
    "de": [
        "Kundenbindung",
        "Schaufenster",
        "Newsletter",
        "Bewertungen",
        "Flyer",
        "Messen",
        "Stammkunden",
        "Gutscheine",
        "Öffnungszeiten",
        "Lokale Suche",
        "Pressearbeit",
        "Kooperationen",
        "Straßenfeste",
        "Visitenkarten",
        "Preisschilder",
        "Vereinsarbeit",
    ],
    "en": [
        "Word of Mouth",
        "Pricing",
        "Product Photos",
        "Reviews",
        "Newsletters",
        "Customer Stories",
        "Shop Windows",
        "Loyalty Cards",
    ],
}
TITLE_FORMS = {
    "de": [
        "{t} im kleinen Betrieb",
        "Fünf Fragen zu {t}",
        "{t}: was wirklich hilft",
        "Warum {t} sich lohnen",
        "{t} ohne großes Budget",
        "Neues über {t}",
    ],
    "en": [
        "{t} for Small Shops",
        "Five Questions About {t}",
        "{t}: What Actually Works",
        "Why {t} Still Matter",
        "{t} on a Shoestring",
    ],
}
SENTENCES = {
    "de": [
        "Kleine Unternehmen kennen ihre Kunden oft beim Namen.",
        "Das ist ein Vorteil, den keine große Kette kopieren kann.",
        "Eine gute Idee kostet wenig, wenn man sie konsequent umsetzt.",
        "Viele Betriebe unterschätzen, wie sehr Kunden persönliche Gespräche schätzen.",
        "Fragen Sie nach, was Ihren Stammkunden gefällt und was nicht.",
        "Die Bäckerei an der Ecke zeigt, wie es geht.",
        "Wer regelmäßig schreibt, wird von Suchmaschinen besser gefunden.",
        "Größere Rabatte bringen selten treue Kunden.",
        "Im Herbst beginnt die Planung für das Weihnachtsgeschäft.",
        "Ein Straßenfest bringt die ganze Nachbarschaft zusammen.",
        "Handwerksbetriebe profitieren besonders von der lokalen Suche.",
        "Die Öffnungszeiten müssen überall stimmen.",
        "Ein ehrlicher Newsletter wird gern gelesen.",
        "Bewertungen sollte man immer freundlich beantworten.",
        "Gutscheine bringen im Januar neue Gesichter in den Laden.",
        "Mundpropaganda bleibt das günstigste Marketing überhaupt.",
    ],
    "ch": [
        "Die Hauptstrasse wird einmal im Jahr für das grosse Fest gesperrt.",
        "Grössere Geschäfte machen mit, aber die kleinen profitieren am meisten.",
        "Die Wirkung ist grösstenteils langfristig.",
    ],
    "en": [
        "Small shops know their customers by name.",
        "That is an advantage no chain store can copy.",
        "A good idea costs little when you follow it through.",
        "Ask your regulars what they like and what they miss.",
        "Honest newsletters get read, clever ones get deleted.",
        "Reviews deserve an answer, especially the bad ones.",
        "Word of mouth is still the cheapest advertising there is.",
        "Daylight and patience make better product photos than an expensive camera.",
        "Price your time, not just your materials.",
        "A customer story beats a testimonial every time.",
    ],
}
LIST_ITEMS = {
    "de": [
        "Kunden begrüßen",
        "Namen merken",
        "nachfragen",
        "Öffnungszeiten prüfen",
        "Fotos machen",
    ],
    "en": ["greet every customer", "remember names", "ask for feedback", "check your hours"],
}
QUOTES = {
    "de": "Ein zufriedener Kunde erzählt es drei Leuten, ein unzufriedener zehn.",
    "en": "A happy customer tells three people; an unhappy one tells ten.",
}
COMMENTERS = [
    ("Jörg Müller", "https://mueller-baeckerei.example"),
    ("Petra Schön", None),
    ("Klaus Zimmermann", None),
    ("Sabine Krüger", "https://tsv-beispiel.example"),
    ("Priya Shah", "https://shah-crafts.example"),
    ("Martin Hughes", "https://hughes-books.example"),
    ("Urs Meier", None),
    ("Lena Vogel", None),
]
COMMENT_TEXTS = {
    "de": [
        "Danke für den Beitrag!",
        "Das probiere ich gleich aus.",
        "Bei uns hat das sehr gut funktioniert.",
        "Gibt es dazu noch mehr Tipps?",
        "Sehr hilfreich, besonders der Teil über Stammkunden.",
        "Ich sehe das etwas anders, aber gute Gedanken.",
        "Super Idee 😊",
        "Mehr dazu steht auf https://beispiel-handwerk.example/tipps",
    ],
    "en": [
        "Thanks for this!",
        "We tried it and it worked.",
        "Great points, especially the last one.",
        "I disagree a little, but good thoughts.",
        "Love it 👍",
        "More on this at https://shop-notes.example/pricing",
    ],
}


@dataclass
class Block:
    kind: str  # p, h2, ul, quote, figure, code, link
    text: str  # plain text as a reader sees it (list items joined by newlines)
    extra: str = ""  # image src, link href, …

    def html(self) -> str:
        if self.kind == "h2":
            return f"<h2>{escape(self.text)}</h2>"
        if self.kind == "ul":
            items = "".join(f"<li>{escape(i)}</li>" for i in self.text.split("\n"))
            return f"<ul>{items}</ul>"
        if self.kind == "quote":
            return f"<blockquote><p>{escape(self.text)}</p></blockquote>"
        if self.kind == "figure":
            return (
                f'<figure><img src="{self.extra}" alt="" width="600" height="400">'
                f"<figcaption>{escape(self.text)}</figcaption></figure>"
            )
        if self.kind == "code":
            return f"<pre><code>{escape(self.text)}</code></pre>"
        if self.kind == "link":
            before, word, after = self.text.partition(
                "Beispielseite" if "Beispielseite" in self.text else "example page"
            )
            return (
                f'<p>{escape(before)}<a href="{self.extra}">{escape(word)}</a>{escape(after)}</p>'
            )
        return f"<p>{escape(self.text)}</p>"


@dataclass
class CComment:
    id: int
    parent: int | None
    author: str
    author_url: str | None
    date: str
    text: str
    status: str = "approved"  # approved, pending, spam
    type: str = "comment"  # comment, pingback


@dataclass
class CPost:
    key: str
    slug: str
    title: str
    author: str  # login
    date: str  # ISO with offset, Europe/Berlin
    lang: str
    categories: list[str]
    tags: list[str]
    blocks: list[Block]
    status: str = "publish"  # publish, draft, private
    kind: str = "post"
    sticky: bool = False
    password: str = ""
    comments: list[CComment] = field(default_factory=list)
    featured: str = ""  # the path of its featured image (WordPress shows it above the post)

    @property
    def body_html(self) -> str:
        return "\n".join(b.html() for b in self.blocks)

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)

    @property
    def leaf_categories(self) -> list[str]:
        return [c.rsplit("/", 1)[-1] for c in self.categories]

    @property
    def visible_comments(self) -> list[CComment]:
        return [c for c in self.comments if c.status == "approved"]


def _blocks(rng: random.Random, lang: str, swiss: bool) -> list[Block]:
    pool = SENTENCES["de"] + SENTENCES["ch"] if swiss else SENTENCES["de" if lang == "de" else "en"]
    out = []
    for i in range(rng.randint(3, 6)):
        out.append(Block("p", " ".join(rng.sample(pool, rng.randint(2, 4)))))
        extra = rng.random()
        if i == 1 and extra < 0.5:
            out.append(Block("h2", "Drei einfache Schritte" if lang == "de" else "Three steps"))
            out.append(Block("ul", "\n".join(rng.sample(LIST_ITEMS[lang], 3))))
        elif i == 2 and extra < 0.3:
            out.append(Block("quote", QUOTES[lang]))
        elif i == 2 and extra < 0.5:
            caption = (
                "Das Schaufenster im Herbst." if lang == "de" else "The shop window in autumn."
            )
            out.append(Block("figure", caption, f"/media/photo-{rng.randint(1, 99)}.jpg"))
        elif i == 3 and extra < 0.2:
            out.append(Block("code", "Redirect 301 /alt.html /neu/"))
        elif i == 3 and extra < 0.4:
            text = (
                "Mehr auf der Beispielseite dazu."
                if lang == "de"
                else "See the example page for more."
            )
            out.append(Block("link", text, "https://example.org/mehr"))
    return out


def _comments(rng: random.Random, post: CPost, count: int, next_id: list[int]) -> list[CComment]:
    when = datetime.fromisoformat(post.date)
    out: list[CComment] = []
    depth: dict[int, int] = {}
    texts = COMMENT_TEXTS["de" if post.lang == "de" else "en"]
    for _ in range(count):
        when += timedelta(hours=rng.randint(1, 30))
        parents = [c.id for c in out if depth[c.id] < 3]
        parent = rng.choice(parents) if parents and rng.random() < 0.35 else None
        author, url = rng.choice(COMMENTERS)
        cid = next_id[0]
        next_id[0] += 1
        depth[cid] = depth[parent] + 1 if parent else 1
        text = f"{rng.choice(texts)} ({cid})"
        out.append(CComment(cid, parent, author, url, when.isoformat(), text))
    return out


def build_corpus(n_posts: int = 110) -> dict[str, object]:
    rng = random.Random(SEED)
    start = datetime(2010, 10, 27, 14, 5, tzinfo=TZ)
    posts: list[CPost] = []
    next_id = [1000]
    slugs: set[str] = set()
    for i in range(n_posts):
        lang = "en" if i % 4 == 3 else "de"
        author = "claire" if lang == "en" else rng.choice(["anna", "joerg"])
        swiss = lang == "de" and i % 9 == 4
        topic = rng.choice(TOPICS[lang])
        title = rng.choice(TITLE_FORMS[lang]).format(t=topic)
        slug = _slug(title)
        while slug in slugs:
            slug += "-2"
        slugs.add(slug)
        when = (start + timedelta(days=int(i * 27.5), hours=rng.randint(0, 8))).astimezone(TZ)
        cats = rng.sample(CATEGORIES[lang], rng.randint(1, 2))
        tags = rng.sample(TAGS[lang], rng.randint(0, 4))
        post = CPost(
            f"p{i:03d}",
            slug,
            title,
            author,
            when.isoformat(),
            lang,
            cats,
            tags,
            _blocks(rng, lang, swiss),
        )
        many = i in (5, 17, 42, 77)
        count = rng.randint(25, 60) if many else rng.choice([0, 0, 1, 2, 3, 4, 5])
        post.comments = _comments(rng, post, count, next_id)
        # Without drawing from rng: the rest of the corpus stays as it was.
        post.featured = f"/media/feature-{i % 5}.jpg" if i % 6 == 1 else ""
        posts.append(post)
    _special_cases(posts, next_id)
    return {
        "seed": SEED,
        "authors": AUTHORS,
        "posts": [asdict(p) | {"body_html": p.body_html} for p in posts],
    }


def _special_cases(posts: list[CPost], next_id: list[int]) -> None:
    posts[60].sticky = True
    posts[20].status = "draft"
    posts[21].status = "private"
    posts[22].password = "geheim"
    late = datetime.fromisoformat(posts[10].date) + timedelta(days=3)
    for status in ("pending", "spam"):
        posts[10].comments.append(
            CComment(
                next_id[0],
                None,
                "Spam Bot",
                "https://spam.example",
                late.isoformat(),
                f"Nicht freigegeben ({status})",
                status=status,
            )
        )
        next_id[0] += 1
    posts[12].comments.append(
        CComment(
            next_id[0],
            None,
            "Website-Tipps",
            "https://website-tipps.example/kundenbindung",
            late.isoformat(),
            "Service als Marketing",
            type="pingback",
        )
    )
    next_id[0] += 1
    posts.append(_swiss_post(next_id))
    about = CPost(
        "about",
        "ueber-uns",
        "Über uns",
        "anna",
        posts[0].date,
        "de",
        [],
        [],
        [Block("p", "Werkstatt Marketing ist ein Blog für kleine Unternehmen.")],
        kind="page",
    )
    posts.append(about)


def _swiss_post(next_id: list[int]) -> CPost:
    """The sample blog's Swiss post (ss for ß, one comment by LD), as the engines get it:
    its tag line's empty entries are the seed theme's, no engine writes them."""
    from search_cli.sampleblog.content import load_posts

    source = next(p for p in load_posts() if p.lang == "de-CH")
    blocks: list[Block] = []
    items: list[str] = []
    for line in [*source.body, ""]:
        if line.startswith("- "):
            items.append(line[2:])
            continue
        if items:
            blocks.append(Block("ul", "\n".join(items)))
            items = []
        if line.startswith("### "):
            blocks.append(Block("h2", line[4:]))
        elif line.strip():
            blocks.append(Block("p", line))
    post = CPost(
        "swiss",
        source.slug,
        source.title,
        "joerg",
        source.published.astimezone(TZ).isoformat(),
        "de",
        source.categories,
        source.tags,
        blocks,
    )
    for c in source.comments:
        when = source.published + timedelta(days=1)
        post.comments.append(CComment(next_id[0], None, c.author, None, when.isoformat(), c.text))
        next_id[0] += 1
    return post


def _slug(title: str) -> str:
    import re
    import unicodedata

    s = title.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


PHOTO_SIZE = (1600, 1067)  # larger than WordPress's "large" (1024): srcset offers more


def image_paths(post: CPost) -> list[str]:
    """The corpus's image paths a post shows in its text, in order (`/media/…`)."""
    return [b.extra for b in post.blocks if b.kind == "figure"]


def photo(name: str) -> bytes:
    """A photo-like JPEG for an image path of the corpus, the same bytes on every run."""
    from io import BytesIO

    from PIL import Image, ImageFilter

    rng = random.Random(f"{SEED}-{name}")
    small = Image.frombytes("RGB", (80, 54), rng.randbytes(80 * 54 * 3))
    image = small.resize(PHOTO_SIZE, Image.Resampling.BICUBIC).filter(ImageFilter.SMOOTH)
    out = BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def write_media(posts: list[CPost], folder: Path) -> dict[str, bytes]:
    """Every image file the corpus's posts show (text and featured), written to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {
        p.rsplit("/", 1)[-1] for post in posts for p in [*image_paths(post), post.featured] if p
    }
    files = {name: photo(name) for name in sorted(names)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def load_posts(data: dict[str, object]) -> list[CPost]:
    out = []
    for raw in data["posts"]:  # type: ignore[attr-defined]
        raw = dict(raw)
        raw.pop("body_html", None)
        raw["blocks"] = [Block(**b) for b in raw["blocks"]]
        raw["comments"] = [CComment(**c) for c in raw["comments"]]
        out.append(CPost(**raw))
    return out


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "-"
    text = json.dumps(build_corpus(), ensure_ascii=False, indent=1)
    if target == "-":
        print(text)
    else:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text)
