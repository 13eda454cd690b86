"""Benchmark: building the consultation page's map with many published inputs.

Measures, for 1,000 / 10,000 / 50,000 inputs, the Python time per rerun (store query +
folium map + the script streamlit-folium sends) and the bytes sent to the browser.
Prints medians of several runs. Run: `make bench` (or .venv/bin/python bench/map_bench.py
[--sizes 1000 10000 50000] [--runs 5]).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from streamlit_folium import _get_header, _get_html, _get_map_string

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consultations import geo  # noqa: E402
from consultations.config import load_settings  # noqa: E402
from consultations.demo import CONTENT, seed_demo  # noqa: E402
from consultations.model import Channel, InputStatus  # noqa: E402
from consultations.store import Store  # noqa: E402
from consultations.ui.maps import consultation_map, pin_layer, use_local_assets  # noqa: E402

SIZES = (1_000, 10_000, 50_000)
RUNS = 5
CONSULTATION = "borgen-tettstedsutvikling"


def fill(store: Store, n: int, rng: random.Random) -> None:
    """Add inputs with the demo's real texts and categories at random places in the area."""
    c = store.get_consultation(CONSULTATION)
    texts = [i for i in json.loads(CONTENT.read_text("utf-8"))["inputs"]]
    points = geo.random_points(c.area, n, rng)
    now = datetime.now(UTC)
    rows = []
    for k, (lat, lon) in enumerate(points):
        item = texts[k % len(texts)]
        east, north = geo.to_working_crs(lon, lat)
        rows.append((item["category"], item["text"], lat, lon, east, north, now - timedelta(minutes=k)))
    store.bulk_add_inputs(CONSULTATION, rows, Channel.WEB, InputStatus.PUBLISHED)


def measure(store: Store, settings) -> tuple[float, int]:
    start = time.perf_counter()
    c = store.get_consultation(CONSULTATION)
    m = consultation_map(settings, c, store.map_points(CONSULTATION), "nb")
    m.render()
    sent = _get_map_string(m) + _get_html(m) + _get_header(m)
    pin_layer((59.826, 10.414), c.stage, "nb")
    elapsed = time.perf_counter() - start
    return elapsed, len(sent.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="at least the demo's inputs")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    use_local_assets()
    settings = load_settings({"KARTINNSPILL_TILES": "kartverket-topo"})
    rng = random.Random(1)
    print(f"{'inputs':>8} {'median s':>9} {'min s':>7} {'max s':>7} {'bytes':>10}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "bench.duckdb")
            seed_demo(store)
            existing = len(store.map_points(CONSULTATION))
            fill(store, n - existing, rng)
            assert len(store.map_points(CONSULTATION)) == n
            times, sizes = [], []
            for _ in range(args.runs):
                elapsed, size = measure(store, settings)
                times.append(elapsed)
                sizes.append(size)
            store.close()
        print(
            f"{n:>8} {statistics.median(times):>9.3f} {min(times):>7.3f} {max(times):>7.3f}"
            f" {statistics.median(sizes):>10,}"
        )


if __name__ == "__main__":
    main()
