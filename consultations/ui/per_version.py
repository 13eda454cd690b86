"""What every session of a page would compute alike, computed once per data version and
shared: a resident's page run only takes it (issue 26: per-session work that is the same for
all was most of a resident's server CPU).

A plain dict behind a lock, like the map's (ui/maps.py): ``st.cache_data`` would pickle and
copy the value on every hit, ``st.cache_resource`` hashes its arguments on every call. The
data version (``Store.data_version``, read before the data, so a value is never older than
the version it is filed under) says when a value is due again; like the map, a value may
follow other people's writes by up to ``fresh`` seconds (in a busy consultation every input
is a new version), never the asking session's own (``since``: ``maps.own_write()``).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..store import Store

V = TypeVar("V")
_clock = time.monotonic


@dataclass(frozen=True)
class _Value(Generic[V]):
    store: weakref.ref  # the store it was read from (tests open many in one process)
    version: int  # the data version it was computed at
    at: float  # when (_clock)
    value: V


class PerVersion(Generic[V]):
    """The latest value of each key; at most ``kept`` keys (past that it starts over)."""

    def __init__(self, fresh: float = 0.0, kept: int = 256) -> None:
        self._values: dict[Hashable, _Value[V]] = {}
        self._fresh = fresh
        self._kept = kept
        self._writing = threading.Lock()

    def get(self, store: Store, key: Hashable, make: Callable[[], V], since: int = 0) -> V:
        """The value for ``key``: computed again (``make()``, by one session while the
        others asking at the same time wait for it) when the data changed, it is older than
        ``fresh`` seconds and than ``since`` (a data version)."""
        version = store.data_version
        if (found := self._current(key, store, version, since)) is not None:
            return found.value
        with self._writing:
            if (found := self._current(key, store, version, since)) is not None:
                return found.value
            value = make()
            if len(self._values) >= self._kept:
                self._values.clear()
            self._values[key] = _Value(weakref.ref(store), version, _clock(), value)
        return value

    def _current(self, key: Hashable, store: Store, version: int, since: int) -> _Value[V] | None:
        found = self._values.get(key)
        if found is None or found.store() is not store:
            return None
        if found.version == version:
            return found
        return found if found.version >= since and _clock() - found.at < self._fresh else None
