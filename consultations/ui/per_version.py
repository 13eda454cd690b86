"""What every session or rerun of a page would compute alike, computed once per data version
and shared (issue 26): a resident's page (the «vi hørte – vi gjør» table) and a planner's
(the filtered and ordered list, the summary's figures, the labels of 10,000 merknader) only
take it. The analysis frame they are made from is the store's to remember
(``Store.analysis_frame``: one read per data version, a copy for each caller).

A plain dict behind a lock, like the map's (ui/maps.py): ``st.cache_data`` would pickle and
copy the value on every hit, ``st.cache_resource`` hashes its arguments on every call. The
data version (``Store.data_version``, read before the data, so a value is never older than
the version it is filed under) says when a value is due again. A resident's value may follow
other people's writes by up to ``fresh`` seconds (in a busy consultation every input is a
new version), never the asking session's own (``since``: ``maps.own_write()``); a staff
page's (``memo``) follows every write at once. Callers treat what they get as read-only
(pandas ``assign``/filtering make copies).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from ..store import Store

V = TypeVar("V")
T = TypeVar("T")
_clock = time.monotonic


@dataclass(frozen=True)
class _Value(Generic[V]):
    store: weakref.ref  # the store it was read from (tests open many in one process)
    version: int  # the data version it was computed at
    at: float  # when (_clock)
    value: V


class PerVersion(Generic[V]):
    """The latest value of each key; at most ``kept`` keys (past that it starts over). A
    value that can no longer be served (an older version, past its freshness) goes when the
    next value is filed."""

    def __init__(self, fresh: float = 0.0, kept: int = 256) -> None:
        self._values: dict[Hashable, _Value[V]] = {}
        self._fresh = fresh
        self._kept = kept
        self._writing = threading.RLock()  # a value may be made of others

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
            now = _clock()
            for old in [k for k, v in self._values.items() if v.version != version and now - v.at >= self._fresh]:
                del self._values[old]
            if len(self._values) >= self._kept:
                self._values.clear()
            self._values[key] = _Value(weakref.ref(store), version, now, value)
        return value

    def _current(self, key: Hashable, store: Store, version: int, since: int) -> _Value[V] | None:
        found = self._values.get(key)
        if found is None or found.store() is not store:
            return None
        if found.version == version:
            return found
        return found if found.version >= since and _clock() - found.at < self._fresh else None


# Staff pages: every write shows at once; at most 32 values (~4 a filter of 10,000 rows,
# ~10 MB each).
_STAFF: PerVersion[object] = PerVersion(fresh=0.0, kept=32)


def memo(store: Store, name: str, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per data version, ``name`` and ``key``."""
    return _STAFF.get(store, (name, *key), compute)  # type: ignore[return-value]


def filter_key(chosen: dict) -> tuple:
    """A filter's widgets' values (``ui.review.inputs.filters``) as a hashable key."""

    def plain(value: object) -> Hashable:
        if isinstance(value, list | tuple | set):
            return tuple(plain(v) for v in value)
        if isinstance(value, date) or value is None or isinstance(value, str | int | float | bool):
            return value
        return str(value)

    return tuple(sorted((name, plain(value)) for name, value in chosen.items()))
