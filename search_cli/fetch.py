"""Reading one page for `blogarchive parse`: a saved file, or an http(s) URL fetched once."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from crawler.archive.errors import ArchiveError

USER_AGENT = "blogarchive/0.1 (+https://pypi.org/project/blogarchive/; parse command)"
MAX_BYTES = 20 * 1024 * 1024


def read_source(source: str, url: str | None) -> tuple[bytes, str, str | None]:
    """(body, page URL, Content-Type) of a file or URL."""
    path = Path(source)
    if path.is_file():
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise ArchiveError(f"Cannot read {source}: {exc.strerror}") from exc
        return body, url or f"http://localhost/{path.name}", None
    if not source.startswith(("http://", "https://")):
        raise ArchiveError(f"{source} is neither a file nor an http(s) URL.")
    request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise ArchiveError(f"{source} is larger than {MAX_BYTES // 2**20} MB; not a page.")
            return body, url or response.geturl(), response.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        raise ArchiveError(f"{source}: the server answered {exc.code} {exc.reason}.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ArchiveError(f"Cannot fetch {source}: {reason}") from exc
