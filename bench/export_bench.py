"""Benchmark: every export format and the merknadsbehandling report at 10,000 and 100,000 inputs.

A synthetic consultation (the demo's Borgen consultation filled up with the demo's real texts
at random places in its area, a tenth of them for the whole area, with themes, responses and
some hidden inputs) is exported in each format; each figure is the median of several runs,
from the store query to the finished bytes. One process fills the database, a fresh one
opens it and runs every export, as the app's process would: its peak memory (RSS) is the
figure printed. Targets: GeoPackage at 100k ≤ 10 s, memory < 2 GB.
Run: .venv/bin/python bench/export_bench.py [--sizes 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consultations import geo  # noqa: E402
from consultations.demo import CONTENT, seed_demo  # noqa: E402
from consultations.outputs.export import Format, export  # noqa: E402
from consultations.model import Channel, InputStatus, Outcome, Response  # noqa: E402
from consultations.outputs.merknadsbehandling import build_report  # noqa: E402
from consultations.store import Store  # noqa: E402

CONSULTATION = "borgen-tettstedsutvikling"
THEMES = ("Trafikk ved skolen", "Grønt og lek", "Parkering", "Fortetting", "Møteplasser")


def fill(store: Store, n: int, rng: random.Random) -> None:
    """``n`` more inputs with the demo's texts; a tenth for the whole area."""
    c = store.get_consultation(CONSULTATION)
    texts = json.loads(CONTENT.read_text("utf-8"))["inputs"]
    points = geo.random_points(c.area, n, rng)
    now = datetime.now(UTC)
    rows = []
    for k, (lat, lon) in enumerate(points):
        item = texts[k % len(texts)]
        if k % 10 == 9:
            rows.append((item["category"], item["text"], None, None, None, None, now - timedelta(minutes=k)))
            continue
        east, north = geo.to_working_crs(lon, lat)
        rows.append((item["category"], item["text"], lat, lon, east, north, now - timedelta(minutes=k)))
    store.bulk_add_inputs(CONSULTATION, rows, Channel.WEB, InputStatus.PUBLISHED)


def plan(store: Store, rng: random.Random) -> None:
    """Themes for a twentieth of the inputs, responses for a fiftieth, a hundredth hidden."""
    ids = [int(i) for i in store.analysis_frame(CONSULTATION)["id"]]
    themed = rng.sample(ids, len(ids) // 20)
    for k, theme in enumerate(THEMES):
        store.add_tag(themed[k :: len(THEMES)], theme, "bench")
    outcomes = list(Outcome)
    answered = rng.sample(ids, len(ids) // 50)
    for k, outcome in enumerate(outcomes):
        response = Response(0, "Ønsker tryggere skolevei.", "Vurderes i det videre planarbeidet.", outcome)
        store.save_response(answered[k :: len(outcomes)], response, "bench")
    store.set_input_status(rng.sample(ids, len(ids) // 100), InputStatus.HIDDEN, "bench", "Test")


def timed(fn, runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def seed(path: Path, n: int) -> None:
    rng = random.Random(1)
    store = Store.open(path)
    seed_demo(store)
    fill(store, n - len(store.analysis_frame(CONSULTATION)), rng)
    plan(store, rng)
    assert len(store.analysis_frame(CONSULTATION)) == n
    store.close()


def measure(path: Path, runs: int) -> dict:
    """Seconds and bytes per format, and this process's peak RSS."""
    store = Store.open(path)
    results = {"query": timed(lambda: store.analysis_frame(CONSULTATION).to_numpy(), runs)[0]}
    for fmt in Format:
        results[fmt.value] = timed(lambda fmt=fmt: export(store, CONSULTATION, fmt), runs)
    results["report"] = timed(lambda: build_report(store, CONSULTATION), runs)
    store.close()
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def child(*args: str) -> str:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", nargs=2, help=argparse.SUPPRESS)  # child: PATH N
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child: PATH
    args = parser.parse_args()
    if args.seed:
        seed(Path(args.seed[0]), int(args.seed[1]))
        return
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.runs)))
        return
    names = [f.value for f in Format] + ["report"]
    print(f"median of {args.runs} runs, seconds (size); query = Store.analysis_frame alone")
    print(f"{'inputs':>8} {'query':>6} " + " ".join(f"{n:>16}" for n in names) + f" {'peak RSS':>9}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "bench.duckdb")
            child("--seed", path, str(n))
            r = json.loads(child("--measure", path, "--runs", str(args.runs)).strip().splitlines()[-1])
        cells = " ".join(f"{r[k][0]:>6.2f} ({r[k][1] / 1e6:>5.1f} MB)" for k in names)
        print(f"{n:>8} {r['query']:>6.2f} {cells} {r['peak_rss_mb']:>6.0f} MB")


if __name__ == "__main__":
    main()
