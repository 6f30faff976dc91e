"""One frontier for many crawler processes, in Redis: scrapy-redis's scheduler, queue and
duplicate filter, plus leases so that a worker killed mid-page loses nothing.

Roles. The *coordinator* (`blogarchive crawl --redis`) runs the normal blog spider: it does
discovery, plans every page request, writes the one archive, and fetches pages too. Page
requests go to a per-blog Redis queue (scrapy-redis `PriorityQueue`) behind scrapy-redis's
`RFPDupeFilter`, so no URL is queued twice. *Workers* (`blogarchive worker --redis`) take
requests from those queues, fetch and parse them, and send what they found (posts, links,
"unchanged", "gone", errors) back to the coordinator's inbox. Discovery requests (robots.txt,
sitemaps, feeds, the REST API) stay in the coordinator: they feed its plan, not the archive.

Leases. A worker takes a request and records it under a lease in one atomic step (a Lua
script); it sends its findings and drops the lease in one transaction. A worker that stops
sending heartbeats is dead: the coordinator puts its leased requests back on the queue.
The crawl is finished when queue, inbox and leases are all empty.

Keys, all under `blogarchive:`: `crawl` (the coordinator, with a time to live), `sites` (the
blogs being crawled), `<site>:queue|seen|inbox|leases|seq`, `worker:<id>` (heartbeats),
`host:<host>:next|active` (politeness, see `crawler.distributed.politeness`), `policy`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import time
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.scheduler import Scheduler as LocalScheduler
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.archive.errors import ArchiveError
from crawler.distributed import codec as redis_codec

PREFIX = "blogarchive:"
CRAWL_KEY = PREFIX + "crawl"
SITES_KEY = PREFIX + "sites"
POLICY_KEY = PREFIX + "policy"
COORDINATOR_TTL = 15  # seconds a killed coordinator keeps the database
WORKER_TTL = 10  # seconds without a heartbeat before a worker counts as dead
HEARTBEAT = 2.0


def prefetch(settings: Any) -> int:
    """How many shared requests one process holds at a time: enough to keep its share of
    the host busy, few enough that the others get theirs."""
    return 2 * settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 4)


def site_key(site: str) -> str:
    return hashlib.sha1(site.encode()).hexdigest()[:12]


def keys(site: str) -> dict[str, str]:
    base = f"{PREFIX}{site_key(site)}:"
    return {name: base + name for name in ("queue", "seen", "inbox", "leases", "seq")}


def connect(url: str) -> Any:
    """A Redis client for URL, checked: a wrong address fails here, in one line."""
    import redis

    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ArchiveError(f"Cannot reach Redis at {url}: {exc}") from exc
    return server


def redis_settings(url: str, site: str) -> dict[str, object]:
    """The Scrapy settings that put a blog spider's page requests into the shared frontier."""
    k = keys(site)
    return {
        "REDIS_URL": url,
        "SCHEDULER": "crawler.distributed.frontier.SharedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.frontier.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": k["queue"],
        "SCHEDULER_DUPEFILTER_KEY": k["seen"],
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_SERIALIZER": "crawler.distributed.codec",
        "SCHEDULER_FLUSH_ON_START": True,  # a resumed crawl re-plans from the archive
        "SCHEDULER_PERSIST": False,
    }


# Take the best request of the first non-empty queue (starting at ARGV[2], for fairness)
# and lease it to worker ARGV[1]: KEYS are queue keys; each blog's leases sit beside its queue.
_TAKE = """
local n = #KEYS
for i = 0, n - 1 do
  local key = KEYS[((tonumber(ARGV[2]) + i) % n) + 1]
  local item = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if #item > 0 then
    redis.call('ZREM', key, item[1])
    local base = string.sub(key, 1, -6)
    local lease = ARGV[1] .. ':' .. redis.call('INCR', base .. 'seq') .. ':' .. item[2]
    redis.call('HSET', base .. 'leases', lease, item[1])
    return {key, lease, item[1]}
  end
end
return false
"""


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue; workers take from it under a lease (see `WorkerLink`)."""


class SharedScheduler(RedisScheduler):
    """Page requests go to the shared Redis queue (behind the shared duplicate filter);
    everything else stays in a local scheduler of Scrapy's own."""

    local: LocalScheduler
    page_headers: dict[str, str]

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        instance = super().from_crawler(crawler)
        instance.local = LocalScheduler.from_crawler(crawler)
        instance.crawler = crawler
        settings = crawler.settings
        instance.prefetch = prefetch(settings)
        # Workers have their own settings: what the user chose for this crawl travels
        # with each request.
        instance.user_agent = settings.get("USER_AGENT")
        instance.obey_robots = settings.getbool("ROBOTSTXT_OBEY")
        instance.timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        return instance

    def open(self, spider: Any) -> Any:
        super().open(spider)
        return self.local.open(spider)

    def close(self, reason: str) -> Any:
        super().close(reason)
        return self.local.close(reason)

    def enqueue_request(self, request: Request) -> bool:
        if not request.meta.get("requested"):
            return bool(self.local.enqueue_request(request))
        request.headers.setdefault("User-Agent", self.user_agent)
        request.meta.setdefault("download_timeout", self.timeout)
        if not self.obey_robots:
            request.meta["dont_obey_robotstxt"] = True
        return bool(super().enqueue_request(request))

    def next_request(self) -> Request | None:
        if request := self.local.next_request():
            return request
        engine = self.crawler.engine
        if engine is not None and len(engine.downloader.active) >= self.prefetch:
            return None  # leave the rest of the queue to the workers
        return super().next_request()

    def has_pending_requests(self) -> bool:
        return self.local.has_pending_requests() or super().has_pending_requests()

    def __len__(self) -> int:
        return len(self.local) + super().__len__()


class Coordination:
    """The coordinator's side: holds the database for one crawl, reads workers' findings,
    puts a dead worker's requests back, and tells when all work is done."""

    def __init__(self, server: Any, sites: list[str]) -> None:
        self.server = server
        self.sites = sites
        self.me = f"{socket.gethostname()}:{os.getpid()}:{time.time():.0f}"
        if not server.set(CRAWL_KEY, self.me, nx=True, ex=COORDINATOR_TTL):
            holder = (server.get(CRAWL_KEY) or b"?").decode()
            raise ArchiveError(
                f"Another crawl ({holder}) is using this Redis database; wait for it, or use "
                f"another database number (redis://host:port/N). A killed crawl frees it "
                f"within {COORDINATOR_TTL} s."
            )
        server.sadd(SITES_KEY, *(site_key(s) for s in sites))
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._keep, daemon=True, name="coordinator-beat")
        self._beat.start()

    def set_policy(self, site: str, *, delay: float, per_host: int) -> None:
        """The host's delay and concurrency cap, for every process (see `politeness`)."""
        host = urlsplit(site).hostname or ""
        self.server.hset(POLICY_KEY, host, f"{delay} {per_host}")

    def _keep(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            try:
                self.server.expire(CRAWL_KEY, COORDINATOR_TTL)
            except Exception:  # Redis gone for a moment: the next beat tries again
                continue

    def inbox(self, site: str, batch: int = 200) -> list[Any]:
        raw = self.server.rpop(keys(site)["inbox"], batch) or []
        return [redis_codec.loads(message) for message in raw]

    def quiet(self, site: str) -> bool:
        """No request queued, leased or unanswered for this blog (dead workers' given back)."""
        k = keys(site)
        self.reclaim(site)
        pipe = self.server.pipeline()
        pipe.zcard(k["queue"]).llen(k["inbox"]).hlen(k["leases"])
        return not any(pipe.execute())

    def reclaim(self, site: str) -> int:
        k = keys(site)
        leases = self.server.hgetall(k["leases"])
        given_back = 0
        for lease, data in leases.items():
            worker, _, rest = lease.decode().partition(":")
            # The lease is "<worker>:<seq>:<score>"; the worker id itself has no colon.
            if self.server.exists(PREFIX + "worker:" + worker):
                continue
            score = float(rest.partition(":")[2] or 0)
            pipe = self.server.pipeline()
            pipe.zadd(k["queue"], {data: score}).hdel(k["leases"], lease)
            pipe.execute()
            given_back += 1
        return given_back

    def site_done(self, site: str) -> None:
        self.server.srem(SITES_KEY, site_key(site))
        self.server.delete(*keys(site).values())

    def close(self) -> None:
        self._stop.set()
        for site in self.sites:
            self.site_done(site)
        if self.server.get(CRAWL_KEY) == self.me.encode():
            self.server.delete(CRAWL_KEY, POLICY_KEY)


class WorkerLink:
    """A worker's side: heartbeats, taking leased requests, answering with findings."""

    def __init__(self, server: Any) -> None:
        self.server = server
        seed = f"{socket.gethostname()} {os.getpid()} {time.time()}"
        self.id_text = hashlib.sha1(seed.encode()).hexdigest()[:12]
        self._take = server.register_script(_TAKE)
        self._turn = 0
        self._stop = threading.Event()
        self._beat_once()
        self._beat = threading.Thread(target=self._keep, daemon=True, name="worker-beat")
        self._beat.start()

    def _beat_once(self) -> None:
        self.server.set(PREFIX + "worker:" + self.id_text, "1", ex=WORKER_TTL)

    def _keep(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            try:
                self._beat_once()
            except Exception:
                continue

    def crawl_running(self) -> str | None:
        holder = self.server.get(CRAWL_KEY)
        return holder.decode() if holder else None

    def take(self) -> tuple[str, str, dict[str, Any]] | None:
        """(queue key, lease, request dict) of the best waiting request, or None."""
        sites = sorted(s.decode() for s in self.server.smembers(SITES_KEY))
        if not sites:
            return None
        self._turn += 1
        queues = [f"{PREFIX}{s}:queue" for s in sites]
        got = self._take(keys=queues, args=[self.id_text, self._turn % len(queues)])
        if not got:
            return None
        queue, lease, data = got
        return queue.decode(), lease.decode(), redis_codec.loads(data)

    def answer(self, queue: str, lease: str, message: dict[str, Any]) -> None:
        """Send the findings and drop the lease, in one transaction."""
        base = queue.removesuffix("queue")
        pipe = self.server.pipeline(transaction=True)
        pipe.lpush(base + "inbox", redis_codec.dumps(message)).hdel(base + "leases", lease)
        pipe.execute()

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(Exception):
            self.server.delete(PREFIX + "worker:" + self.id_text)
