"""Benchmark: what a store on PostgreSQL does while its server is away, and how soon it
answers again once the server is back.

A throw-away local cluster (``tests/pg.py``, fsync on) is stopped as a crash
(``pg_ctl -m immediate``) for 1, 5 and 20 s, ``REPEATS`` times each, while one caller asks
for the listings every 0.2 s; the server is started again and the caller asks every 0.1 s
until the store answers. Printed per outage length: the median time a refused call took
(``StoreUnavailable``: the visitor's «try again shortly»), and the median time from the
server being ready (``pg_ctl -w``) to the first answer.

Run: .venv/bin/python bench/outage_bench.py [--outages 1 5 20] [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consultations.errors import StoreUnavailable
from consultations.store import Store
from tests.conftest import make_consultation
from tests.pg import Cluster, need_postgresql

OUTAGES = (1.0, 5.0, 20.0)
REPEATS = 3


def refused_ms(store: Store) -> float | None:
    start = time.perf_counter()
    try:
        store.listings()
    except StoreUnavailable:
        return (time.perf_counter() - start) * 1000
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outages", type=float, nargs="+", default=list(OUTAGES), help="seconds")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kartinnspill-outage-"))
    cluster = Cluster(need_postgresql(), root)
    cluster.start(durable=True)
    try:
        cluster.execute("CREATE DATABASE outage")
        store = Store.open(cluster.url("outage"))
        store.add_consultation(make_consultation())
        print("outage s | refused call, median ms | answered again after the server was back, median s")
        for outage in args.outages:
            refused, back = [], []
            for _ in range(args.repeats):
                cluster.stop()
                started = time.perf_counter()
                while time.perf_counter() - started < outage:
                    if (took := refused_ms(store)) is not None:
                        refused.append(took)
                    time.sleep(0.2)
                cluster.resume()
                ready = time.perf_counter()
                while refused_ms(store) is not None:
                    time.sleep(0.1)
                back.append(time.perf_counter() - ready)
            print(f"{outage:>8.0f} | {statistics.median(refused):>23.1f} | {statistics.median(back):.2f}")
        store.close()
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
