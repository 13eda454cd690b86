"""Benchmark: what a new version of the data costs the shared consultation map at 3,000
published inputs — the rows written into the kept frame, and the whole map (frame too).
Run: .venv/bin/python bench/map_rebuild_bench.py [--inputs 3000] (prints medians)."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from map_bench import CONSULTATION, fill  # noqa: E402

from consultations.config import load_settings  # noqa: E402
from consultations.demo import seed_demo  # noqa: E402
from consultations.store import Store  # noqa: E402
from consultations.ui import maps  # noqa: E402

INPUTS = 3_000


def _median_ms(build, forget, runs: int) -> float:
    times = []
    for _ in range(runs):
        forget()
        start = time.perf_counter()
        build()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=INPUTS, help="at least the demo's inputs")
    args = parser.parse_args()
    settings = load_settings({"KARTINNSPILL_TILES": "none"})
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.duckdb")
        seed_demo(store)
        fill(store, args.inputs - len(store.map_points(CONSULTATION)), random.Random(1))
        c = store.get_consultation(CONSULTATION)

        def build():
            return maps.rendered_consultation_map(store, settings, c, "nb")

        build()
        rows = _median_ms(build, maps._RENDERED.clear, 9)  # a new version: the frame stays

        def forget_all() -> None:
            maps._RENDERED.clear()
            maps._FRAMES.clear()

        whole = _median_ms(build, forget_all, 5)
        store.close()
    print(
        f"{args.inputs:,} inputs: rows into the kept frame {rows:.1f} ms, whole map (frame too) {whole:.1f} ms (medians)"
    )


if __name__ == "__main__":
    main()
