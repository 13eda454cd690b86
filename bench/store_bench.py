"""Benchmark: the store's hot reads and one write, on DuckDB and on PostgreSQL.

The demo data plus 1,000 published inputs in one consultation; for each backend, the median
of many calls of: the data version (on PostgreSQL one query of the database's change
counter, made before every remembered read), the reads a resident's page makes (the
consultation, 20 inputs, the count) remembered and not, the map's points, the analysis
frame, and one input stored. PostgreSQL is a throw-away local cluster (``tests/pg.py``),
or ``KARTINNSPILL_BENCH_PG=postgresql://…`` for an existing empty database.

Run: .venv/bin/python bench/store_bench.py [--extra 1000] [--calls 200] [--backends duckdb postgresql]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consultations import geo
from consultations.demo import seed_demo
from consultations.model import Channel, InputStatus
from consultations.store import Store

CONSULTATION = "borgen-tettstedsutvikling"
EXTRA = 1_000
CALLS = 200


def median_ms(fn, calls: int = CALLS) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def prepare(store: Store, extra: int = EXTRA) -> None:
    seed_demo(store)
    c = store.get_consultation(CONSULTATION)
    rng = random.Random(1)
    now = datetime.now(UTC)
    rows = []
    for lat, lon in geo.random_points(c.area, extra, rng):
        east, north = geo.to_working_crs(lon, lat)
        rows.append((c.categories[0], f"Benkeinnspill {rng.random():.6f}", lat, lon, east, north, now))
    store.bulk_add_inputs(CONSULTATION, rows, Channel.WEB, InputStatus.PUBLISHED)


def measure(store: Store, calls: int = CALLS) -> dict[str, float]:
    """Medians of ``calls`` calls per figure (fewer for the slow ones)."""

    def cold(read):
        def run():
            store._reads.clear()  # what a reader meets after another replica's write
            read()

        return run

    sent = iter(range(10**9))

    def write():
        store.add_input(
            consultation_id=CONSULTATION,
            category="Annet",
            text=f"Bench {next(sent)}",
            lat=59.826,
            lon=10.414,
            east=None,
            north=None,
            age_group=None,
            relation=None,
            channel=Channel.WEB,
            status=InputStatus.PUBLISHED,
            session_hash="b",
            token=None,
            created_at=datetime.now(UTC),
        )

    page = lambda: (
        store.get_consultation(CONSULTATION),
        store.published_inputs(CONSULTATION, limit=20),
        store.count_published(CONSULTATION),
    )
    return {
        "data_version": median_ms(lambda: store.data_version, calls),
        "page reads, remembered": median_ms(page, calls),
        "page reads, not remembered": median_ms(cold(page), calls),
        "published_inputs(20), not remembered": median_ms(
            cold(lambda: store.published_inputs(CONSULTATION, limit=20)), calls
        ),
        "map_points": median_ms(lambda: store.map_points(CONSULTATION), min(calls, 50)),
        "analysis_frame": median_ms(lambda: store.analysis_frame(CONSULTATION), min(calls, 20)),
        "add_input": median_ms(write, min(calls, 100)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra", type=int, default=EXTRA, help="published inputs added to the demo's")
    parser.add_argument("--calls", type=int, default=CALLS, help="calls per figure (at most)")
    parser.add_argument("--backends", nargs="+", choices=["duckdb", "postgresql"], default=["duckdb", "postgresql"])
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    if "duckdb" in args.backends:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "bench.duckdb", secret="b" * 40)
            prepare(store, args.extra)
            results["duckdb"] = measure(store, args.calls)
            store.close()

    cluster = None
    url = os.environ.get("KARTINNSPILL_BENCH_PG")
    if "postgresql" not in args.backends:
        url = None
    elif not url:
        from tests.pg import Cluster, _bindir

        bindir = _bindir()
        if bindir is None:
            print("PostgreSQL is not installed: DuckDB only")
        else:
            cluster = Cluster(bindir, Path(tempfile.mkdtemp(prefix="kartinnspill-bench-")))
            cluster.start(durable=True)  # fsync on: writes cost what they cost
            cluster.execute("CREATE DATABASE bench")
            url = cluster.url("bench")
    try:
        if url:
            store = Store.open(url, secret="b" * 40)
            prepare(store, args.extra)
            results["postgresql"] = measure(store, args.calls)
            store.close()
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.root, ignore_errors=True)

    names = list(next(iter(results.values())))
    print(f"median ms per call, demo data + {args.extra} inputs in one consultation")
    print(f"{'':40}" + "".join(f"{b:>12}" for b in results))
    for name in names:
        print(f"{name:40}" + "".join(f"{results[b][name]:12.3f}" for b in results))


if __name__ == "__main__":
    main()
