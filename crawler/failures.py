"""Why a download failed, in words a crawl report can count (local crawls and workers)."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.middlewares import OFF_LIMITS, Refused


def failure_reason(failure: Failure) -> str:
    """Why a download failed, in words a crawl report can count."""
    exc = failure.value
    response = getattr(exc, "response", None)
    if response is not None:
        return OFF_LIMITS if 300 <= response.status < 400 else f"HTTP {response.status}"
    if isinstance(exc, Refused):
        return exc.reason
    name = type(exc).__name__
    message = str(exc)
    if isinstance(exc, IgnoreRequest):  # Scrapy's own refusals say why only in words
        if "max redirections" in message:
            return "too many redirects"
        if "decompression" in message:
            return "larger than the size cap once decompressed"
        return "ignored: " + message.split(":")[0][:60]
    if "Cancelled" in name:
        return "larger than the size cap"
    if "Timeout" in name or "TimedOut" in name:
        return "timeout"
    if "DNS" in name:
        return "host not found"
    if isinstance(exc, ConnectionError) or "Connect" in name or "Connection" in name:
        return "connection failed"
    if "ResponseFailed" in name or "ResponseNeverReceived" in name or "DataLoss" in name:
        return "connection broken off"
    return name or "download error"
