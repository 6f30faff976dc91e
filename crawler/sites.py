"""Sites files: many blogs for one `crawl --sites FILE` or `schedule add --sites FILE`.

Either one URL per line (blank lines and `#` comments skipped), or TOML with a table per
blog and the crawl's options for it alone:

    [[site]]
    url = "https://blog.example/"
    delay = 2.0
    max-pages = 5000

Options: delay, max-pages, max-depth, timeout, ignore-robots, contact.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.archive.errors import ArchiveError
from crawler.parsers.urls import check_url

OPTIONS = ("delay", "max-pages", "max-depth", "timeout", "ignore-robots", "contact")
# What a site owner can reach: an address (one @, a dot in the domain) or a web page.
CONTACT = re.compile(r"[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>().]+|https?://[^\s<>()]+\.[^\s<>()]+")


def is_contact(value: str) -> bool:
    """Whether `--contact` is an e-mail address or an http(s) URL (it goes in the User-Agent
    header, where anything else would be useless to a site owner or break the header)."""
    return CONTACT.fullmatch(value.strip()) is not None


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
    }
    settings: dict[str, object] = {
        mapping[name]: value
        for name, value in options.items()
        if name in mapping and value is not None
    }
    if options.get("ignore-robots"):
        settings["ROBOTSTXT_OBEY"] = False
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
        else:
            ok = isinstance(value, str)
        if not ok:
            raise ArchiveError(f"{where}: {name} = {value!r} is not a valid value.")
