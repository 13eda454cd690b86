"""Benchmark: the route-density layer (analysis.line_density) of many drawn routes.

Synthetic routes in the Heggedal demo area: random walks of 10–40 vertices with steps of
30–80 m (a route of 0.3–3 km), as drawn on a map. Prints the median of several runs of
``line_density`` (50 m cells) per number of routes, and the cells found.

Run: .venv/bin/python bench/route_density_bench.py [--sizes 1000 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consultations.casework import analysis
from consultations import geo  # noqa: E402
from consultations.demo import AREAS  # noqa: E402

EPSG = 25832


def routes(n: int, rng: random.Random) -> pd.DataFrame:
    area = geo.read_areas(AREAS, key="consultation_id")["heggedal-tettstedsutvikling"]
    inside = geo.project_area(area, EPSG)
    starts = geo.random_points(area, n, rng)
    drawings = []
    for lat, lon in starts:
        x, y = geo.to_working_crs(lon, lat, EPSG)
        heading = rng.uniform(0, 2 * math.pi)
        points = [(x, y)]
        for _ in range(rng.randint(10, 40)):
            heading += rng.gauss(0, 0.4)
            step = rng.uniform(30, 80)
            x, y = x + step * math.cos(heading), y + step * math.sin(heading)
            if not inside.contains(shapely.Point(x, y)):
                heading += math.pi
                continue
            points.append((x, y))
        if len(points) < 2:
            points.append((points[0][0] + 40, points[0][1]))
        xy = np.array(points)
        lon, lat = geo.from_working_crs(xy[:, 0], xy[:, 1], EPSG)
        drawings.append(shapely.to_geojson(shapely.LineString(np.column_stack([lon, lat]))))
    return pd.DataFrame({"id": range(n), "lat": [p[0] for p in starts], "drawing": drawings})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(14)
    for n in args.sizes:
        frame = routes(n, rng)
        analysis.line_density(frame, EPSG)  # warm-up
        times, cells = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            cells = len(analysis.line_density(frame, EPSG))
            times.append(time.perf_counter() - start)
        print(f"line_density, {n:>6} routes: median {statistics.median(times):.3f} s ({cells} cells)")


if __name__ == "__main__":
    main()
