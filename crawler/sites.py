"""Sites files: many blogs for one `crawl --sites FILE` or `schedule add --sites FILE`.

Either one URL per line (blank lines and `#` comments skipped), or TOML with a table per
blog and the crawl's options for it alone:

    [[site]]
    url = "https://blog.example/"
    delay = 2.0
    max-pages = 5000

Options: delay, max-pages, max-depth, timeout, ignore-robots, contact, media (none, images
or comments), media-hosts (a list of host names), max-media-size (bytes, or "20MB").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.archive.errors import ArchiveError
from crawler.parsers.urls import check_url

OPTIONS = (
    "delay", "max-pages", "max-depth", "timeout", "ignore-robots", "contact",
    "media", "media-hosts", "max-media-size",
)  # fmt: skip
MEDIA_MODES = ("none", "images", "comments")
HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", re.IGNORECASE)


def parse_size(value: object) -> int:
    """Bytes from 20000000, "20MB", "500 kB" or "1.5G" (powers of 1024); ValueError else."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.fullmatch(str(value)) if isinstance(value, str) else None
    if match is None or float(match.group(1)) <= 0:
        raise ValueError(f"{value!r} is not a size (20MB, 500kB, 1048576)")
    unit = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(float(match.group(1)) * unit)


def parse_hosts(value: object) -> list[str]:
    """Host names from a list or a comma- or space-separated string; ValueError else."""
    items = value if isinstance(value, list) else str(value).replace(",", " ").split()
    hosts = []
    for item in items:
        host = str(item).strip().lower().removeprefix("*.")
        if not HOST.fullmatch(host):
            raise ValueError(f"{item!r} is not a host name")
        hosts.append(host)
    return hosts


# What a site owner can reach: an address (one @, a dot in the domain) or a web page.
CONTACT = re.compile(r"[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>().]+|https?://[^\s<>()]+\.[^\s<>()]+")


def is_contact(value: str) -> bool:
    """Whether `--contact` is an e-mail address or an http(s) URL (it goes in the User-Agent
    header, where anything else would be useless to a site owner or break the header)."""
    return CONTACT.fullmatch(value.strip()) is not None


# Path segments where a blog's own pages begin: what comes before them is the blog's root.
POST_PATHS = frozenset(
    ("page", "category", "categories", "tag", "tags", "author", "archives", "archive",
     "posts", "post", "feed", "comments", "search", "kategorie", "schlagwort")
)  # fmt: skip
YEAR = re.compile(r"(?:19|20)\d\d$")
FILE = re.compile(r"\.(?:html?|php|aspx?)$", re.IGNORECASE)


def site_key(url: str) -> str:
    """What makes two URLs one blog: the host without `www.` and a default port, and the
    path with a trailing slash; http and https are the same blog.

    >>> site_key("https://www.blog.example:443/") == site_key("http://blog.example")
    True
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    if parts.port and parts.port != default:
        host = f"{host}:{parts.port}"
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return host + path


def blog_root(url: str) -> str:
    """The root of the blog a URL belongs to, read from the URL alone: its path up to where a
    blog's own pages begin (a year, `page/`, `category/`, `tag/`, …), without a file or a
    post's slug. `https://blog.example/2010/10/post/` → `https://blog.example/`;
    `https://example.org/blog/tag/x/` → `https://example.org/blog/`."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    kept: list[str] = []
    for segment in segments:
        if YEAR.fullmatch(segment) or segment.lower() in POST_PATHS:
            break
        kept.append(segment)
    else:
        if kept and (FILE.search(kept[-1]) or "-" in kept[-1] or parts.query):
            kept.pop()  # a post's slug or a page's file, not a folder
    path = "/" + "".join(f"{s}/" for s in kept)
    return f"{parts.scheme}://{parts.netloc}{path}"


def resolve_site(url: str, known: list[str]) -> str:
    """The blog a URL belongs to: a known blog whose root it lies under (the deepest), else
    the root its path shows (`blog_root`). One blog is one site, however it is written."""
    key = site_key(url)
    inside = [site for site in known if key.startswith(site_key(site))]
    if inside:
        return max(inside, key=lambda site: len(site_key(site)))
    return blog_root(url)


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """One blog to crawl, with the options that apply to it alone (`OPTIONS`, as named there)."""

    url: str
    options: dict[str, Any] = field(default_factory=dict)


def crawl_settings(options: dict[str, Any]) -> dict[str, object]:
    """Scrapy settings for crawl options, by their command-line names (unset ones left out)."""
    mapping = {
        "delay": "DOWNLOAD_DELAY",
        "max-pages": "CLOSESPIDER_PAGECOUNT",
        "max-depth": "DEPTH_LIMIT",
        "timeout": "DOWNLOAD_TIMEOUT",
        "contact": "CONTACT",
        "media": "MEDIA",
        "media-hosts": "MEDIA_HOSTS",
        "max-media-size": "MEDIA_MAXSIZE",
    }
    settings: dict[str, object] = {
        mapping[name]: value
        for name, value in options.items()
        if name in mapping and value is not None
    }
    if options.get("ignore-robots"):
        settings["ROBOTSTXT_OBEY"] = False
    if "MEDIA_HOSTS" in settings:
        settings["MEDIA_HOSTS"] = parse_hosts(settings["MEDIA_HOSTS"])
    if "MEDIA_MAXSIZE" in settings:
        settings["MEDIA_MAXSIZE"] = parse_size(settings["MEDIA_MAXSIZE"])
    return settings


def read_sites(path: Path) -> list[SiteSpec]:
    """The blogs a sites file names, checked: a bad line or option fails in one line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"Cannot read the sites file {path}: {exc}") from exc
    specs = _read_toml(path, text) if _is_toml(path, text) else _read_lines(path, text)
    if not specs:
        raise ArchiveError(f"The sites file {path} names no blog.")
    seen: set[str] = set()
    unique = []
    for spec in specs:
        if spec.url not in seen:
            seen.add(spec.url)
            unique.append(spec)
    return unique


def _is_toml(path: Path, text: str) -> bool:
    return path.suffix == ".toml" or text.lstrip().startswith("[[")


def _read_lines(path: Path, text: str) -> list[SiteSpec]:
    specs = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if not line:
            continue
        try:
            specs.append(SiteSpec(check_url(line)))
        except ArchiveError as exc:
            raise ArchiveError(f"{path}, line {number}: {exc}") from None
    return specs


def _read_toml(path: Path, text: str) -> list[SiteSpec]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ArchiveError(f"{path} is not valid TOML: {exc}") from None
    tables = data.get("site", [])
    if not isinstance(tables, list):
        raise ArchiveError(f"{path}: write each blog as a [[site]] table.")
    specs = []
    for number, table in enumerate(tables, 1):
        where = f"{path}, site {number}"
        if not isinstance(table, dict) or "url" not in table:
            raise ArchiveError(f"{where}: every [[site]] needs a url.")
        unknown = set(table) - {"url", *OPTIONS}
        if unknown:
            known = ", ".join(OPTIONS)
            raise ArchiveError(f"{where}: unknown option {sorted(unknown)[0]!r} (known: {known}).")
        options = {k: v for k, v in table.items() if k != "url"}
        _check_types(where, options)
        try:
            specs.append(SiteSpec(check_url(str(table["url"])), options))
        except ArchiveError as exc:
            raise ArchiveError(f"{where}: {exc}") from None
    return specs


def _check_types(where: str, options: dict[str, Any]) -> None:
    for name, value in options.items():
        if name in ("delay", "timeout"):
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        elif name in ("max-pages", "max-depth"):
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        elif name == "ignore-robots":
            ok = isinstance(value, bool)
        elif name == "contact":
            ok = isinstance(value, str) and is_contact(value)
        elif name == "media":
            ok = value in MEDIA_MODES
        elif name in ("media-hosts", "max-media-size"):
            try:
                (parse_hosts if name == "media-hosts" else parse_size)(value)
                ok = True
            except ValueError:
                ok = False
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ArchiveError(f"{where}: {name} = {value!r} is not a valid value.")
