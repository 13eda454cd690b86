"""Rate limits on residents' submissions and supports, per browser session and per
network address (salted hash, never stored raw). Counters live in the process, like the
sessions they limit; a restart forgets them.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: float


# A resident writing several inputs in a sitting is normal; a script is not.
SUBMIT_PER_SESSION = Limit(10, 600)
SUBMIT_PER_ADDRESS = Limit(30, 3600)  # a school class or an office behind one address
SUPPORT_PER_SESSION = Limit(60, 600)
SUPPORT_PER_ADDRESS = Limit(300, 3600)


class RateLimiter:
    """Sliding windows of event times per key; thread-safe."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, checks: list[tuple[str, Limit]]) -> bool:
        """Record one event under every key if all their limits allow it, else none."""
        now = self._clock()
        with self._lock:
            for key, limit in checks:
                window = self._events[key]
                while window and now - window[0] >= limit.seconds:
                    window.popleft()
                if len(window) >= limit.count:
                    return False
            for key, _ in checks:
                self._events[key].append(now)
        return True

    def reset(self) -> None:
        with self._lock:
            self._events.clear()


class NoLimit(RateLimiter):
    """For bulk work that is not a resident at a keyboard: imports, benchmarks, load tests."""

    def allow(self, checks: list[tuple[str, Limit]]) -> bool:
        return True


LIMITER = RateLimiter()
