"""Benchmark: the consultation map with drawn routes instead of pins.

Builds and renders the map (what ``rendered_consultation_map`` does once per version of the
data) for 1,000 published pins and for 1,000 published routes of 20 points each, and prints
the median time and the bytes of the script sent to the browser.
Run: .venv/bin/python bench/drawing_bench.py [--inputs 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("KARTINNSPILL_TILES", "none")

from consultations import geo  # noqa: E402
from consultations.config import load_settings  # noqa: E402
from consultations.demo import seed_demo  # noqa: E402
from consultations.model import MapPoint  # noqa: E402
from consultations.store import Store  # noqa: E402
from consultations.ui.maps import consultation_map, render_map, use_local_assets  # noqa: E402

N, VERTICES, RUNS = 1_000, 20, 5


def route(lat: float, lon: float) -> str:
    return json.dumps(
        {"type": "LineString", "coordinates": [[lon + i * 0.0002, lat + (i % 2) * 0.0001] for i in range(VERTICES)]}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=N)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    use_local_assets()
    settings = load_settings()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.duckdb")
        seed_demo(store)
        c = store.get_consultation("borgen-tettstedsutvikling")
        store.close()
    places = geo.random_points(c.area, args.inputs, random.Random(1))
    for label, drawn in (("pins", False), (f"routes of {VERTICES} points", True)):
        points = [
            MapPoint(
                lat,
                lon,
                c.categories[i % len(c.categories)],
                "Skoleveien går her, og det er farlig. " * 3,
                i + 1,
                route(lat, lon) if drawn else None,
                500.0 if drawn else None,
            )
            for i, (lat, lon) in enumerate(places)
        ]
        times, size = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            rendered = render_map(consultation_map(settings, c, points, "nb"), "map-bench")
            times.append(time.perf_counter() - start)
            size = len(rendered.script.encode())
        print(f"{args.inputs:,} {label}: median {statistics.median(times) * 1000:.0f} ms, script {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
