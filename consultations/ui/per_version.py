"""What a staff page computes from a whole consultation (its analysis frame, the filtered and
ordered list, the summary's figures, the labels of 10,000 merknader), computed once per data
version (``Store.data_version``) and reused by every rerun and session until the next write.

At a kommuneplan's 10,000 merknader each of these is a tenth of a second to seconds, and a
planner's page reruns on every click (bench/kommuneplan.py). Versions only grow and are unique
in the process across stores, so a value filed under an older version is never asked for
again: it goes when a newer one is filed. Callers treat what they get as read-only (pandas
``assign``/filtering make copies).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import date
from typing import TypeVar

from ..store import Store

T = TypeVar("T")

# (data version, name, key…) → value; a plain dict like the resident list's (ui/list_markup.py)
_FOUND: dict[tuple, object] = {}
_KEPT = 32  # values within one version (~4 a filter of 10,000 rows, ~10 MB each); past that, start over
_WRITING = threading.RLock()  # a value may be made of others


def memo(store: Store, name: str, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per data version, ``name`` and ``key``. The version is read before
    the data, so a value is never older than the version it is filed under."""
    full = (store.data_version, name, *key)
    found = _FOUND.get(full, _FOUND)
    if found is not _FOUND:
        return found  # type: ignore[return-value]
    with _WRITING:  # many sessions after one write: one computes, the rest take it
        found = _FOUND.get(full, _FOUND)
        if found is not _FOUND:
            return found  # type: ignore[return-value]
        found = compute()
        for old in [k for k in _FOUND if k[0] != full[0]]:
            del _FOUND[old]
        if len(_FOUND) >= _KEPT:
            _FOUND.clear()
        _FOUND[full] = found
        return found  # type: ignore[return-value]


def filter_key(chosen: dict) -> tuple:
    """A filter's widgets' values (``ui.review.inputs.filters``) as a hashable key."""

    def plain(value: object) -> Hashable:
        if isinstance(value, list | tuple | set):
            return tuple(plain(v) for v in value)
        if isinstance(value, date) or value is None or isinstance(value, str | int | float | bool):
            return value
        return str(value)

    return tuple(sorted((name, plain(value)) for name, value in chosen.items()))
