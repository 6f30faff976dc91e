"""A crawl's images: which of a post's images to fetch, how to ask, what an answer means.

The same in a local crawl and on a distributed worker: when a post is archived, the spider
(`BlogSpider.media_requests`) decides which of its images to fetch and asks with
`media_request`; whoever downloads one hands over what it `Fetched` (a worker through Redis),
`judge` reads it, and the run keeps the file (`ArchiveRun.media_answer`, `MediaShelf.save`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.archive.mediatype import MediaFile, NotAnImage, identify
from crawler.archive.model import MediaRef
from crawler.failures import failure_reason
from crawler.parsers.urls import host_in

# Failures that may pass: the next crawl asks again.
PASSING = ("timeout", "host not found", "connection failed", "connection broken off")
# The status kept for an image that failed for good without an HTTP error of its own.
FAILED = -1
DEFAULT_MODE = "images"  # of MEDIA_MODES; "comments": the images in comments too
DEFAULT_MAX_SIZE = 20 * 1024 * 1024
# Where the platforms we parse keep a blog's uploads when not on the blog's own host; a
# name matches the host and its subdomains. Ghost keeps uploads under /content/images/ on
# the blog's own host, which the blog's host already allows.
PLATFORM_CDNS = (
    "i0.wp.com", "i1.wp.com", "i2.wp.com", "i3.wp.com",  # WordPress.com / Jetpack's Photon
    "files.wordpress.com",  # WordPress.com uploads (<blog>.files.wordpress.com)
    "bp.blogspot.com",  # Blogger (1.bp.blogspot.com …)
    "blogger.googleusercontent.com",  # Blogger since 2020
    "miro.medium.com", "cdn-images-1.medium.com",  # Medium
    "substackcdn.com", "substack-post-media.s3.amazonaws.com",  # Substack
    "images.squarespace-cdn.com", "static1.squarespace.com",  # Squarespace
)  # fmt: skip
ANSWERS = [304, 401, 403, 404, 410, 451]
# Images come before pages: a post's pictures are fetched soon after it, while the blog is
# known to be up.
PRIORITY = 5


@dataclass(frozen=True, slots=True)
class MediaPolicy:
    """`--media`, `--media-hosts` and `--max-media-size` of one crawl."""

    mode: str = DEFAULT_MODE
    hosts: tuple[str, ...] = ()
    max_size: int = DEFAULT_MAX_SIZE

    @classmethod
    def from_settings(cls, settings: Any) -> MediaPolicy:
        hosts = settings.get("MEDIA_HOSTS") or ()
        if isinstance(hosts, str):
            hosts = [h for h in hosts.replace(",", " ").split() if h]
        return cls(
            mode=str(settings.get("MEDIA") or DEFAULT_MODE),
            hosts=tuple(h.strip().lower().removeprefix("*.") for h in hosts),
            max_size=int(settings.get("MEDIA_MAXSIZE") or DEFAULT_MAX_SIZE),
        )

    def wants(self, ref: MediaRef, site: str) -> bool:
        """Whether the crawl fetches this image of a post of `site`."""
        if self.mode == "none" or (ref.role == "comment" and self.mode != "comments"):
            return False
        return self.allowed(ref.url, site)

    def allowed(self, url: str, site: str) -> bool:
        """The blog's own host (with or without www., and its subdomains), the platforms'
        image CDNs, and what --media-hosts adds."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        host = (parts.hostname or "").lower()
        blog = (urlsplit(site).hostname or "").lower().removeprefix("www.")
        if host.removeprefix("www.") == blog or host.endswith("." + blog):
            return True
        return host_in(host, PLATFORM_CDNS) or host_in(host, self.hosts)


def media_request(
    url: str,
    policy: MediaPolicy,
    *,
    validators: tuple[str | None, str | None] = (None, None),
    callback: Callable[..., Any],
    errback: Callable[..., Any],
) -> Request:
    """The request for an image: conditional when a copy is kept, capped in size, offsite
    allowed (image CDNs), every status handed to the callback (a 404 is an answer)."""
    headers = {"Accept": "image/avif,image/webp,image/*;q=0.9,*/*;q=0.5"}
    etag, modified = validators
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    return Request(
        url,
        callback=callback,
        errback=errback,
        headers=headers,
        priority=PRIORITY,
        dont_filter=True,  # a recrawl asks again for an image of a changed post
        meta={
            "media": url,
            "allow_offsite": True,
            "download_maxsize": policy.max_size,
            "download_warnsize": 0,
            # Answers the callback records (a 404 is an answer); redirects are still followed.
            "handle_httpstatus_list": ANSWERS,
        },
    )


def failed_answer(url: str, failure: Any) -> MediaAnswer:
    """An image request that ended in an error: no answer (0, tried again by the next crawl),
    an HTTP error, or a refusal for good (too large, too many redirects)."""
    reason = failure_reason(failure)
    response = getattr(failure.value, "response", None)
    if response is not None and response.status >= 400:
        return MediaAnswer(url, response.status, error=f"HTTP {response.status}")
    return MediaAnswer(url, 0 if reason in PASSING else FAILED, error=reason)


@dataclass(frozen=True, slots=True)
class MediaAnswer:
    """What an image request brought: a file, "unchanged" (304), or a failure in words."""

    url: str  # the URL as the post names it (before redirects)
    status: int
    file: MediaFile | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def unchanged(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class Fetched:
    """An image response as it came: what a worker sends the coordinator to judge."""

    url: str  # as the post names it
    final_url: str  # after redirects
    status: int
    body: bytes = field(repr=False)
    etag: str | None = None
    modified: str | None = None

    @classmethod
    def of(cls, response: Response) -> Fetched:
        header = response.headers.get
        return cls(
            response.meta.get("media") or response.url,
            response.url,
            response.status,
            response.body,
            (header("ETag") or b"").decode("latin-1") or None,
            (header("Last-Modified") or b"").decode("latin-1") or None,
        )


def judge(fetched: Fetched, policy: MediaPolicy, site: str) -> MediaAnswer:
    """What an image response means for the archive, judged by its bytes."""
    url, final_url, status, body = fetched.url, fetched.final_url, fetched.status, fetched.body
    etag, modified = fetched.etag, fetched.modified
    if status == 304:
        return MediaAnswer(url, 304, etag=etag, last_modified=modified)
    if status != 200:
        return MediaAnswer(url, status, error=f"HTTP {status}")
    if len(body) > policy.max_size:  # a worker's own cap may have been larger
        return MediaAnswer(url, FAILED, error="larger than --max-media-size")
    if final_url != url and not policy.allowed(final_url, site):
        return MediaAnswer(url, FAILED, error="redirected to a host not allowed (--media-hosts)")
    try:
        file = identify(body)
    except NotAnImage as exc:
        return MediaAnswer(url, FAILED, error=f"not an image ({exc})")
    return MediaAnswer(url, 200, file=file, etag=etag, last_modified=modified)
