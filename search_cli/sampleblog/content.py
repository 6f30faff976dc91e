"""The sample blog's content, read from posts.txt: the ground truth the demo and tests check."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

POSTS_FILE = Path(__file__).with_name("posts.txt")
BLOG_OPENED = datetime(2010, 10, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
COMMENTS_PER_PAGE = 10  # top-level threads per comment page, as WordPress pages them

_GENERATED_AUTHORS = ("Hanna Roth", "Emil Brandt", "Sophie Wagner", "Lukas Hofmann", "Mia Braun")
_GENERATED_LINES = (
    "Der Beitrag über Kundenbindung hat uns am meisten geholfen.",
    "Ich lese seit dem ersten Jahr mit, weiter so!",
    "Die Checkliste für den Relaunch hängt bei uns an der Wand.",
    "Herzlichen Glückwunsch zum Jubiläum!",
    "Mir hat der Text über Bewertungen die Angst vor Kritik genommen.",
    "Dank Ihrer Tipps haben wir endlich einen Newsletter.",
)


@dataclass(frozen=True, slots=True)
class SampleComment:
    id: str
    parent_id: str | None
    author: str
    author_url: str | None
    published: datetime
    text: str
    type: str = "comment"


@dataclass(slots=True)
class SamplePost:
    slug: str
    published: datetime
    author: str
    lang: str
    title: str = ""
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # The tag line as the theme prints it, empty entries included ("; Quartier; ;"): some
    # blogs' tag lines hold empty names, which are no tags.
    tag_line: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # source lines of the body
    comments: list[SampleComment] = field(default_factory=list)
    kind: str = "post"

    @property
    def path(self) -> str:
        if self.kind == "page":
            return f"/{self.slug}/"
        return f"/{self.published:%Y/%m}/{self.slug}/"

    def comment_pages(self) -> list[list[SampleComment]]:
        """Comments split into pages of COMMENTS_PER_PAGE top-level threads, oldest first."""
        threads: list[list[SampleComment]] = []
        for c in self.comments:
            if c.parent_id is None:
                threads.append([c])
            else:
                threads[-1].append(c)
        pages = [
            threads[i : i + COMMENTS_PER_PAGE] for i in range(0, len(threads), COMMENTS_PER_PAGE)
        ]
        return [[c for thread in page for c in thread] for page in pages] or [[]]


def slugify(name: str) -> str:
    """'Öffnungszeiten & Größe' → 'oeffnungszeiten-groesse'."""
    name = name.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def load_posts(path: Path = POSTS_FILE) -> list[SamplePost]:
    posts: list[SamplePost] = []
    section = "body"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not posts and not line.startswith("## "):
            continue
        if line.startswith("## "):
            slug, date, author, lang = (x.strip() for x in line[3:].split("|"))
            posts.append(SamplePost(slug, datetime.fromisoformat(date), author, lang))
            section = "head"
            continue
        post = posts[-1]
        if section == "head" and (m := re.match(r"(title|categories|tags): (.*)", line)):
            key, value = m.groups()
            if key == "title":
                post.title = value
            else:
                setattr(post, key, [v.strip() for v in value.split(";") if v.strip()])
                if key == "tags":
                    post.tag_line = [v.strip() for v in value.split(";")]
            continue
        if line == "### comments":
            section = "comments"
        elif line.startswith("### generated-comments"):
            post.comments = _generated_comments(post, int(line.split()[-1]))
        elif section == "comments" and line.strip():
            post.comments.append(_comment(post, line))
        else:
            section = "body"
            post.body.append(line)
    return posts


def _comment(post: SamplePost, line: str) -> SampleComment:
    cid, parent, author, url, text = (x.strip() for x in line.split("|", 4))
    kind = "comment"
    if text.endswith("!pingback"):
        kind, text = "pingback", text.removesuffix("!pingback").strip()
    return SampleComment(
        id=cid,
        parent_id=None if parent == "-" else parent,
        author=author,
        author_url=None if url == "-" else url,
        published=post.published + timedelta(hours=7 * (len(post.comments) + 1)),
        text=text,
        type=kind,
    )


def _generated_comments(post: SamplePost, count: int) -> list[SampleComment]:
    """A long comment thread, so that comments run over several pages."""
    out: list[SampleComment] = []
    last_top = None
    for i in range(count):
        cid = str(5000 + i)
        parent = last_top if i % 4 == 3 else None
        author = _GENERATED_AUTHORS[i % len(_GENERATED_AUTHORS)]
        text = f"{_GENERATED_LINES[i % len(_GENERATED_LINES)]} (Kommentar {i + 1})"
        out.append(
            SampleComment(
                cid, parent, author, None, post.published + timedelta(hours=3 * i + 1), text
            )
        )
        if parent is None:
            last_top = cid
    return out


def static_pages() -> list[SamplePost]:
    """Pages that are not posts: archived with kind "page"."""
    about = SamplePost("ueber-uns", BLOG_OPENED, "Anna Becker", "de", "Über uns")
    about.kind, about.body = (
        "page",
        [
            "Werkstatt Marketing ist ein Blog für kleine Unternehmen, Handwerksbetriebe"
            " und Vereine.",
            "",
            "Wir schreiben seit 2010 über Marketing, das wenig kostet und viel bewirkt.",
        ],
    )
    imprint = SamplePost("impressum", BLOG_OPENED, "Anna Becker", "de", "Impressum")
    imprint.kind, imprint.body = (
        "page",
        [
            "Werkstatt Marketing, Anna Becker, Musterstraße 1, 12345 Musterstadt.",
            "",
            "Dies ist ein Beispielblog; alle Personen und Firmen sind erfunden.",
        ],
    )
    return [about, imprint]
