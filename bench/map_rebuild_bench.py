"""Benchmark: what a new version of the data costs the shared consultation map at 3,000
published inputs — the rows written into the kept frame, and the whole map (frame too).
Run: .venv/bin/python bench/map_rebuild_bench.py (prints medians)."""

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "bench"))
from map_bench import fill, CONSULTATION
from consultations.config import load_settings
from consultations.demo import seed_demo
from consultations.store import Store
from consultations.ui import maps
settings = load_settings({"KARTINNSPILL_TILES": "none"})
with tempfile.TemporaryDirectory() as tmp:
    store = Store.open(Path(tmp) / "b.duckdb"); seed_demo(store)
    fill(store, 3000 - len(store.map_points(CONSULTATION)), random.Random(1))
    c = store.get_consultation(CONSULTATION)
    maps.rendered_consultation_map(store, settings, c, "nb")
    ts = []
    for i in range(9):
        maps._RENDERED.clear()  # a new version: the frame stays, the rows are written again
        t0 = time.perf_counter(); maps.rendered_consultation_map(store, settings, c, "nb"); ts.append(time.perf_counter() - t0)
    print("rows into the frame, 3,000 inputs: median %.1f ms" % (statistics.median(ts) * 1000))
    ts = []
    for i in range(5):
        maps._RENDERED.clear(); maps._FRAMES.clear()
        t0 = time.perf_counter(); maps.rendered_consultation_map(store, settings, c, "nb"); ts.append(time.perf_counter() - t0)
    print("whole map (frame too): median %.1f ms" % (statistics.median(ts) * 1000))
