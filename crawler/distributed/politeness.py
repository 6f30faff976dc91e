"""Politeness across processes: one delay and one concurrency cap per host, kept in Redis.

Scrapy's own delay and per-domain concurrency hold within one process; with three workers a
host would see three times the load. This download handler makes every download take a slot
for its host from Redis first (a Lua script: at most `per_host` downloads at once, at least
`delay` seconds between starts, across all processes). Slots last `SLOT_LIFETIME` seconds unless
the process holding them renews them (a thread, every `RENEW_EVERY` seconds), so a killed
process's slots are free again within seconds.

It is a download handler, not a downloader middleware, because a middleware runs before
Scrapy's own per-host queue: a process would take slots for requests still waiting out its
AutoThrottle delay there, and with all slots held by one slow process the host saw one
request at a time while the other processes waited.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.distributed.frontier import POLICY_KEY, PREFIX, connect

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
# KEYS: the active-slot sets of held slots; ARGV: lifetime ms, then their tokens, in order.
_RENEW = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', until_, ARGV[i + 1])
  redis.call('PEXPIRE', key, tonumber(ARGV[1]))
end
return 0
"""
SLOT_LIFETIME = 10.0
RENEW_EVERY = 2.0
POLICY_REFRESH = 2.0
_tokens = itertools.count()


class PoliteDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, each download holding one of its host's shared slots."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.server = connect(crawler.settings.get("REDIS_URL"))
        self._acquire = self.server.register_script(_ACQUIRE)
        self._renew = self.server.register_script(_RENEW)
        self.lifetime_ms = int(1000 * SLOT_LIFETIME)
        self.delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.per_host = crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 4)
        self._policy_read = 0.0
        self._policies: dict[str, tuple[float, int]] = {}
        self._prefix = f"{id(self)}-{time.time():.0f}"
        self._held: dict[str, str] = {}  # token: its host's active-slot set
        self._lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._keep, daemon=True, name="host-slots").start()

    def _keep(self) -> None:
        """Renews the slots of downloads still running, so only a dead process's lapse."""
        while not self._closed.wait(RENEW_EVERY):
            with self._lock:
                held = list(self._held.items())
            if held:
                try:
                    tokens, keys = zip(*held, strict=True)
                    self._renew(keys=list(keys), args=[self.lifetime_ms, *tokens])
                except RedisError:
                    pass  # Redis gone: the crawl itself says so

    async def close(self) -> None:
        self._closed.set()
        await super().close()

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

    async def download_request(self, request: Request) -> Response:
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
        with self._lock:
            self._held[token] = keys[1]
        try:
            return await super().download_request(request)
        finally:
            with self._lock:
                del self._held[token]
            self.server.zrem(keys[1], token)
