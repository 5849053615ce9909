"""Fixed-window counters shared by every worker process.

A request of a client is counted under ``(client, window start)``, the window being the
rate's period aligned on the epoch (a ``/minute`` window starts at second 0 of each minute,
UTC). Two backends, both atomic across processes:

- Redis, when ``REGISTRY_RATE_LIMIT_REDIS_URL`` (``REDIS_URL``) is set: ``INCR`` and
  ``EXPIRE`` in one MULTI/EXEC pipeline; the key expires with its window.
- PostgreSQL otherwise: one ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` on the UNLOGGED
  table ``ratelimits_counter``; each process purges expired windows at most once a minute,
  in the same statement.

When Redis is configured but fails (down, timing out), requests are not refused and do not
fail: the failure is logged and the process counts in PostgreSQL for the next
``REDIS_RETRY_SECONDS`` before it tries Redis again.
"""

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from registry.ratelimits.rates import Rate

logger = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 60
REDIS_RETRY_SECONDS = 10
REDIS_TIMEOUT_SECONDS = 0.5


def clock():
    """Seconds since the epoch. Every window computation reads the time here (the tests
    stop and move it)."""
    return time.time()


@dataclass(frozen=True)
class Decision:
    """The outcome of counting one request."""

    rate: Rate
    count: int  # requests of this client in the current window, this one included
    reset: int  # whole seconds until the window ends (at least 1)

    @property
    def allowed(self):
        return self.count <= self.rate.limit

    @property
    def remaining(self):
        return max(0, self.rate.limit - self.count)


class DatabaseCounter:
    """Counting in PostgreSQL: one statement per request, safe across processes (the row of
    a window is created or locked and incremented atomically)."""

    name = "database"
    _INCREMENT = """
        WITH purged AS (
            DELETE FROM ratelimits_counter WHERE %(purge)s AND expires_at <= %(now)s
        )
        INSERT INTO ratelimits_counter AS counter (key, window_start, expires_at, count)
        VALUES (%(key)s, %(window_start)s, %(expires_at)s, 1)
        ON CONFLICT (key, window_start) DO UPDATE SET count = counter.count + 1
        RETURNING counter.count
    """

    def __init__(self):
        self._next_purge = 0.0

    def increment(self, key, window_start, window_end, now):
        purge = now >= self._next_purge
        if purge:
            self._next_purge = now + PURGE_INTERVAL_SECONDS
        with connection.cursor() as cursor:
            cursor.execute(
                self._INCREMENT,
                {
                    "purge": purge,
                    "now": int(now),
                    "key": key,
                    "window_start": window_start,
                    "expires_at": window_end,
                },
            )
            return cursor.fetchone()[0]


class RedisCounter:
    """Counting in Redis: ``INCR`` and ``EXPIRE`` of ``<key>:<window start>`` in one
    transaction; the key disappears a second after its window ends."""

    name = "redis"

    def __init__(self, url):
        import redis

        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )

    def increment(self, key, window_start, window_end, now):
        name = f"{key}:{window_start}"
        pipeline = self.client.pipeline(transaction=True)
        pipeline.incr(name)
        pipeline.expire(name, math.ceil(window_end - now) + 1)
        count, _ = pipeline.execute()
        return count


database_counter = DatabaseCounter()
_redis_counters = {}  # URL -> RedisCounter (each holds its connection pool)
_redis_retry_at = 0.0  # time.monotonic() before which Redis is not tried again


def redis_counter(url):
    if url not in _redis_counters:
        _redis_counters[url] = RedisCounter(url)
    return _redis_counters[url]


def increment(key, window_start, window_end, now):
    """Count one request under ``(key, window_start)`` and return the window's count."""
    global _redis_retry_at
    url = settings.REGISTRY_RATE_LIMIT_REDIS_URL
    if url and time.monotonic() >= _redis_retry_at:
        import redis

        try:
            return redis_counter(url).increment(key, window_start, window_end, now)
        except redis.RedisError as exc:
            _redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            logger.warning(
                "Rate limits: Redis failed (%s); counting in PostgreSQL for the next %d s.",
                exc,
                REDIS_RETRY_SECONDS,
            )
    return database_counter.increment(key, window_start, window_end, now)


def hit(bucket, rate):
    """Count one request of ``bucket`` (e.g. ``ip:203.0.113.9``) against ``rate``."""
    now = clock()
    window_start = int(now // rate.period) * rate.period
    window_end = window_start + rate.period
    key = f"{settings.REGISTRY_RATE_LIMIT_PREFIX}{bucket}/{int(rate.period)}"
    count = increment(key, window_start, window_end, now)
    return Decision(rate=rate, count=count, reset=max(1, math.ceil(window_end - now)))
