"""Benchmark: a context layer from a file at the limits, and titles' soft hyphens.

Prints medians of several runs: reading a GeoJSON of 1,000 and 5,000 small polygons
(EPSG:25832) as staff add it (geo.read_context_features), building and rendering the
consultation map with that layer (once per data version, ui/maps.py), the bytes of the map
script, and soft_hyphens on a demo title.
Run: .venv/bin/python bench/context_layer_bench.py [--sizes 1000 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KARTINNSPILL_TILES", "none")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shapely.geometry import box, mapping  # noqa: E402

from consultations import geo  # noqa: E402
from consultations.config import load_settings  # noqa: E402
from consultations.hyphenation import soft_hyphens  # noqa: E402
from consultations.model import ContextLayer, LayerKind  # noqa: E402
from consultations.ui.maps import consultation_map, render_map  # noqa: E402
from tests.conftest import make_consultation  # noqa: E402

RUNS = 5
TITLE = "Varsel om oppstart: Heggedal sentrum – tettstedsutvikling rundt stasjonen"


def median_seconds(action, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def polygons(n: int) -> bytes:
    east, north = geo.to_working_crs(10.414, 59.826)
    features = [
        {
            "type": "Feature",
            "properties": {"navn": f"Bygg {i}"},
            "geometry": mapping(box(x := east + (i % 70) * 12, y := north + (i // 70) * 12, x + 8, y + 8)),
        }
        for i in range(n)
    ]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    return json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000], help="polygons in the file")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    settings, consultation = load_settings(), make_consultation()
    render_map(consultation_map(settings, consultation, [], "nb"), "warm-up")
    for n in args.sizes:
        data = polygons(n)
        read, features = median_seconds(lambda data=data: geo.read_context_features(data, "bygg.geojson"), args.runs)
        layer = ContextLayer(
            1, consultation.id, LayerKind.FILE, "Bygg", "Nye bygg", geojson=features.geojson, areas=features.areas
        )
        draw, rendered = median_seconds(
            lambda layer=layer: render_map(consultation_map(settings, consultation, [], "nb", None, [layer]), "k"),
            args.runs,
        )
        print(
            f"{n:>5} polygons ({len(data) / 1e6:.2f} MB file): read {read:.3f} s, "
            f"map build+render {draw:.3f} s, map script {len(rendered.script) / 1e6:.2f} MB"
        )
    hyphenate, _ = median_seconds(lambda: [soft_hyphens(TITLE, "nb") for _ in range(1_000)], args.runs)
    print(f"soft_hyphens on a demo title: {hyphenate / 1_000 * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
