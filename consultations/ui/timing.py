"""Script-run timing for the benchmarks (bench/page_bench.py), off unless asked for.

With ``KARTINNSPILL_TIMING=1`` every full script run writes one line to the server's
standard error: ``kartinnspill-timing ms=<duration> query=<query string>``. Measured inside
the process because Streamlit holds a rerun's first messages back for about 40 ms (a
one-line script answers in 44 ms on this machine), which hides a shorter script's own time
from any client.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

ENABLED = os.environ.get("KARTINNSPILL_TIMING", "").strip() == "1"
PREFIX = "kartinnspill-timing"


@contextmanager
def script_run(started: float) -> Iterator[None]:
    """Around the page's run; ``started`` is ``time.perf_counter()`` at the top of app.py."""
    try:
        yield
    finally:
        if ENABLED:
            ms = (time.perf_counter() - started) * 1000
            query = "&".join(f"{k}={v}" for k, v in st.query_params.to_dict().items())
            print(f"{PREFIX} ms={ms:.1f} query={query}", file=sys.stderr, flush=True)
