"""Rate limits on residents' submissions and supports, per browser session and per
network address (keyed by a keyed hash, never the raw address). Counters live in the
process, like the sessions they limit; a restart forgets them. With several processes on one
PostgreSQL database they live in the database instead (``SharedLimiter``).

Each limit is a token bucket: ``burst`` events at once, refilled at ``per_hour`` events an
hour. A school class or an office shares one address: thirty pupils pressing "send" in the
same minute fit in the burst, while a script sending all day meets the sustained rate.
A sliding window cannot tell the two apart — a window large enough for the class lets the
script send that many every window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    burst: int  # events allowed at once, from a full bucket
    per_hour: float  # sustained events an hour once the burst is spent

    def __post_init__(self) -> None:
        if self.burst < 1 or self.per_hour <= 0:
            raise ValueError(f"a limit needs burst ≥ 1 and per_hour > 0, not {self}")


@dataclass(frozen=True)
class Limits:
    """The four limits a municipality profile can set (``[limits]`` in its TOML file)."""

    # A resident writing several inputs in a sitting is normal; a script is not.
    submit_per_session: Limit = Limit(burst=10, per_hour=60)
    # A school class or an office behind one address: the whole class at once, then
    # about one a minute.
    submit_per_address: Limit = Limit(burst=60, per_hour=60)
    support_per_session: Limit = Limit(burst=60, per_hour=360)
    support_per_address: Limit = Limit(burst=300, per_hour=600)
    # An IPv6 address counts as its network of this many bits: one home or office gets a
    # /64 (or a /56, /48) and can use 2^64 addresses of it (security N4).
    ipv6_prefix: int = 64

    def __post_init__(self) -> None:
        if not 16 <= self.ipv6_prefix <= 128:
            raise ValueError(f"ipv6_prefix must be between 16 and 128, not {self.ipv6_prefix}")

    @classmethod
    def from_profile(cls, table: Mapping[str, object]) -> Limits:
        """From a profile's ``[limits]`` table: ``submit_per_address = {burst, per_hour}``,
        …, ``ipv6_prefix = 64``; what it leaves out keeps the default."""
        unknown = set(table) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown limits: {', '.join(sorted(unknown))}")
        values: dict[str, object] = {}
        for name, value in table.items():
            if name == "ipv6_prefix":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"ipv6_prefix must be a whole number, not {value!r}")
                values[name] = value
            else:
                values[name] = Limit(burst=int(value["burst"]), per_hour=float(value["per_hour"]))  # type: ignore[index]
        return cls(**values)  # type: ignore[arg-type]


DEFAULT_LIMITS = Limits()


@dataclass
class _Bucket:
    tokens: float
    at: float
    limit: Limit

    def full_at(self, now: float) -> bool:
        gained = max(0.0, now - self.at) * self.limit.per_hour / 3600
        return self.tokens + gained >= self.limit.burst


_PRUNE_ABOVE = 10_000  # keys; a full bucket is the same as none, so it can go


@dataclass
class RateLimiter:
    """Token buckets per key; thread-safe. ``clock`` gives seconds (monotonic)."""

    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def allow(self, checks: list[tuple[str, Limit]]) -> bool:
        """Take one token under every key if all their buckets have one, else take none."""
        now = self.clock()
        with self._lock:
            if len(self._buckets) > _PRUNE_ABOVE:
                self._buckets = {k: b for k, b in self._buckets.items() if not b.full_at(now)}
            buckets = [(self._refilled(key, limit, now), limit) for key, limit in checks]
            if any(bucket.tokens < 1 for bucket, _ in buckets):
                return False
            for bucket, _ in buckets:
                bucket.tokens -= 1
        return True

    def available(self, checks: list[tuple[str, Limit]]) -> bool:
        """Whether every key's bucket has a token now; takes none (a guard that is only
        charged for failures, such as wrong class codes)."""
        now = self.clock()
        with self._lock:
            return all(self._refilled(key, limit, now).tokens >= 1 for key, limit in checks)

    def _refilled(self, key: str, limit: Limit, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(limit.burst), now, limit)
        else:
            gained = max(0.0, now - bucket.at) * limit.per_hour / 3600
            bucket.tokens = min(float(limit.burst), bucket.tokens + gained)
            bucket.at = now
        return bucket

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


class SharedLimiter(RateLimiter):
    """The same buckets kept in the store's database (PostgreSQL), for replicas: a limit
    per network address holds however many processes that address reaches."""

    def __init__(self, store) -> None:
        super().__init__()
        self._store = store

    def allow(self, checks: list[tuple[str, Limit]]) -> bool:
        return self._store.take_tokens(_rows(checks))

    def available(self, checks: list[tuple[str, Limit]]) -> bool:
        return self._store.take_tokens(_rows(checks), take=False)


def _rows(checks: list[tuple[str, Limit]]) -> list[tuple[str, int, float]]:
    return [(key, limit.burst, limit.per_hour) for key, limit in checks]


class NoLimit(RateLimiter):
    """For bulk work that is not a resident at a keyboard: imports, benchmarks, load tests."""

    def allow(self, checks: list[tuple[str, Limit]]) -> bool:
        return True

    def available(self, checks: list[tuple[str, Limit]]) -> bool:
        return True


LIMITER = RateLimiter()


def limiter_for(store) -> RateLimiter:
    """Where a store's limits are counted: in its database when other processes share it
    (PostgreSQL replicas), else in this process (``LIMITER``)."""
    return SharedLimiter(store) if store.shared else LIMITER
