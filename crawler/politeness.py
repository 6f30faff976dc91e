"""Politeness across processes: one delay and one concurrency cap per host, kept in Redis.

Scrapy's own delay and per-domain concurrency hold within one process; with three workers a
host would see three times the load. This downloader middleware makes every attempt to
download take a slot for its host from Redis first (a Lua script: at most `per_host`
downloads at once, at least `delay` seconds between starts, across all processes). Slots
expire on their own, so a killed worker cannot hold one for ever.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.shared_frontier import POLICY_KEY, PREFIX, connect

# KEYS: next-start time, active slots (sorted set by expiry). ARGV: per_host, delay ms,
# slot lifetime ms, slot token. Returns 0 when the slot is taken, else ms to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nxt > now then return nxt - now end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then return 10 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], now + tonumber(ARGV[2]), 'PX', tonumber(ARGV[2]) + 1000)
end
return 0
"""
POLICY_REFRESH = 2.0
_tokens = itertools.count()


class GlobalPoliteness:
    def __init__(self, crawler: Crawler) -> None:
        self.server = connect(crawler.settings.get("REDIS_URL"))
        self._acquire = self.server.register_script(_ACQUIRE)
        self.lifetime_ms = int(1000 * (crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 60) + 30))
        self.delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.per_host = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 4)
        self._policy_read = 0.0
        self._policies: dict[str, tuple[float, int]] = {}
        self._prefix = f"{id(self)}-{time.time():.0f}"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _policy(self, host: str) -> tuple[float, int]:
        """The coordinator's delay and cap for the host, re-read every few seconds."""
        now = time.monotonic()
        if now - self._policy_read > POLICY_REFRESH:
            self._policy_read = now
            self._policies = {}
            for name, value in self.server.hgetall(POLICY_KEY).items():
                delay, per_host = value.split()
                self._policies[name.decode()] = (float(delay), int(per_host))
        return self._policies.get(host, (self.delay, self.per_host))

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlsplit(request.url).hostname or ""
        token = f"{self._prefix}-{next(_tokens)}"
        keys = [f"{PREFIX}host:{host}:next", f"{PREFIX}host:{host}:active"]
        while True:
            delay, per_host = self._policy(host)
            wait = int(
                self._acquire(
                    keys=keys, args=[per_host, int(delay * 1000), self.lifetime_ms, token]
                )
            )
            if wait <= 0:
                break
            await asyncio.sleep(wait / 1000)
        request.meta["host_slot"] = (keys[1], token)

    def _release(self, request: Request) -> None:
        if slot := request.meta.pop("host_slot", None):
            self.server.zrem(*slot)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._release(request)
