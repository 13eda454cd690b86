"""Python's full garbage collections kept short, for a server that runs for weeks (issue 12).

The shipped config turns Streamlit's `gc.collect(2)` after every script run off (83 % of
the CPU under load). Python's own collector still runs: a full collection whenever the
objects that survived two younger collections grew by a quarter, about once a minute at
one resident a second, and each one walks every object the process holds — mostly the
~190,000 of the imported libraries (Streamlit, pandas, folium, shapely, DuckDB …), which
are never garbage: ~140 ms with the GIL held, every resident waiting.

``KARTINNSPILL_BACKGROUND_GC`` (read by serve.py at start-up):
- ``freeze`` (the default): import the app's modules while the server starts, collect once,
  then ``gc.freeze()``: the import-time heap moves to the permanent generation, which no
  later collection walks. Measured in bench/soak.py (docs/perf/perf.md).
- ``off``: Python's collector as it comes.
"""

from __future__ import annotations

import ast
import gc
import importlib
import importlib.util
import threading
from enum import Enum
from pathlib import Path

from .errors import ConfigError

ENV = "KARTINNSPILL_BACKGROUND_GC"
ROOT = Path(__file__).resolve().parent.parent
# what a resident's first visit runs: the navigation and the start/consultation page
RESIDENT_SCRIPTS = ("app.py", "pages/home.py")


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
            import_app_modules()
            gc.collect()  # what import left as garbage is freed now, not frozen for good
            gc.freeze()
            _FROZEN.append(gc.get_freeze_count())
        return _FROZEN[0]


def import_app_modules() -> None:
    """The modules app.py and the resident start page import, as the first script run
    would import them: their objects are frozen too, and the first resident no longer
    waits for the imports. The staff pages' libraries (scikit-learn, matplotlib, altair,
    python-docx, fpdf: +66 MB) load when staff first use them, as before."""
    for script in RESIDENT_SCRIPTS:
        for node in ast.walk(ast.parse((ROOT / script).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    importlib.import_module(alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                module = importlib.import_module(node.module)
                for alias in node.names:  # `from package import module`
                    if hasattr(module, "__path__") and importlib.util.find_spec(
                        f"{node.module}.{alias.name}"
                    ):
                        importlib.import_module(f"{node.module}.{alias.name}")
