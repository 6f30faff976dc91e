"""WARC files of a crawl (`crawl --warc DIR`, `worker --warc DIR`), written with warcio.

Every download (pages, comment pages, sitemaps, feeds, robots.txt, errors too) becomes a
request record and a response record, as the server sent it: the body before Scrapy
decompresses it, the headers as received except Transfer-Encoding (the body is stored
de-chunked). Files rotate when they pass WARC_MAX_SIZE; each starts with a warcinfo record.
Each process writes files of its own (host and process id in the name), so the workers of
a distributed crawl never share a file; `blogarchive import-warc` reads any number of them.
"""

from __future__ import annotations

import io
import os
import socket
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.archive.errors import ArchiveError

WARC_MAX_SIZE = 1_000_000_000  # bytes per file, as Heritrix and wget do by default
SOFTWARE = "blogarchive/0.1 (warcio)"


class WarcRecorder:
    """A Scrapy extension: on every `response_downloaded`, a request/response record pair."""

    def __init__(self, folder: Path, max_size: int) -> None:
        from warcio.warcwriter import WARCWriter

        self._writer_class = WARCWriter
        self.folder = folder
        self.max_size = max_size
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"Cannot create the WARC folder {folder}: {exc}") from exc
        self.prefix = f"blogarchive-{socket.gethostname()}-{os.getpid()}"
        self.serial = 0
        self.file: IO[bytes] | None = None
        self.writer: Any = None
        self.paths: list[Path] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        folder = crawler.settings.get("WARC_DIR")
        if not folder:
            raise NotConfigured
        recorder = cls(Path(folder), crawler.settings.getint("WARC_MAX_SIZE", WARC_MAX_SIZE))
        crawler.signals.connect(recorder.downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(recorder.close, signal=signals.spider_closed)
        return recorder

    def _open(self) -> None:
        self.serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        path = self.folder / f"{self.prefix}-{stamp}-{self.serial:05d}.warc.gz"
        self.file = path.open("xb")
        self.paths.append(path)
        self.writer = self._writer_class(self.file, gzip=True)
        info = self.writer.create_warcinfo_record(
            path.name, {"software": SOFTWARE, "format": "WARC File Format 1.0"}
        )
        self.writer.write_record(info)

    def downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        if self.file is None:
            self._open()
        assert self.file is not None
        writer = self.writer
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Unknown"
        # The body is stored de-chunked, so its Transfer-Encoding would mislead a reader.
        headers = _pairs(response.headers, skip=b"transfer-encoding")
        protocol = response.protocol or "HTTP/1.1"
        http = StatusAndHeaders(f"{response.status} {reason}", headers, protocol=protocol)
        date = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        warc_headers = {"WARC-Date": date}
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        record = writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            http_headers=http,
            warc_headers_dict=warc_headers,
        )
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = _pairs(request.headers)
        if not any(name.lower() == "host" for name, _ in request_headers):
            request_headers.insert(0, ("Host", parts.netloc))
        sent = StatusAndHeaders(
            f"{request.method} {target} HTTP/1.1", request_headers, is_http_request=True
        )
        asked = writer.create_warc_record(
            request.url,
            "request",
            payload=io.BytesIO(request.body),
            http_headers=sent,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_request_response_pair(asked, record)
        self.file.flush()
        if self.file.tell() >= self.max_size:
            self._close_file()

    def _close_file(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
            self.writer = None

    def close(self, spider: Any = None) -> None:
        self._close_file()


def _pairs(headers: Any, skip: bytes = b"") -> list[tuple[str, str]]:
    """Scrapy's headers (a name with its values) as the (name, value) lines warcio writes."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
        if name.lower() != skip
    ]
