"""Python's full garbage collections kept short, for a server that runs for weeks (issue 12).

The shipped config turns Streamlit's `gc.collect(2)` after every script run off (83 % of
the CPU under load). Python's own collector still runs: a full collection whenever the
objects that survived two younger collections grew by a quarter, about once a minute at
one resident a second, and each one walks every object the process holds — mostly the
~190,000 of the imported libraries (Streamlit, pandas, folium, shapely, DuckDB …), which
are never garbage: ~140 ms with the GIL held, every resident waiting.

``KARTINNSPILL_BACKGROUND_GC``:
- ``freeze`` (the default): at the end of the process's first script run (app.py), when the
  pages' modules are imported, collect once, then ``gc.freeze()``: the import-time heap
  moves to the permanent generation, which no later collection walks. Not earlier, in
  serve.py: a custom component (the map's st_folium) registers itself only when it is
  imported during a script run, so importing the pages at start-up left the map a 404.
  Objects of sessions running at that moment are frozen too (never collected if they
  end up in a cycle): a one-time, bounded cost. Measured in bench/soak.py
  (docs/perf/perf.md).
- ``off``: Python's collector as it comes.
"""

from __future__ import annotations

import gc
import threading
from enum import Enum

from .errors import ConfigError


class Policy(Enum):
    FREEZE = "freeze"
    OFF = "off"


def parse(value: str) -> Policy:
    try:
        return Policy(value.strip().lower() or Policy.FREEZE.value)
    except ValueError:
        raise ConfigError("config.background_gc_invalid", value=value) from None


_LOCK = threading.Lock()
_FROZEN: list[int] = []  # the objects frozen, once per process


def start(policy: Policy) -> int:
    """Apply ``policy`` to this process, once: the number of objects frozen (0 when off)."""
    if policy is Policy.OFF:
        return 0
    with _LOCK:
        if not _FROZEN:
            gc.collect()  # what import left as garbage is freed now, not frozen for good
            gc.freeze()
            _FROZEN.append(gc.get_freeze_count())
        return _FROZEN[0]
