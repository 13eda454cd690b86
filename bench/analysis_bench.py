"""Benchmark: planners' summaries of a consultation with many inputs.

Builds synthetic consultations of 10,000 and 100,000 inputs from the demo texts (sentences
shuffled, some dropped, words from other inputs added; 3 % a copy-paste campaign with small
edits) at random places in the Borgen demo area (10 % without a place), spread over the
consultation period, with some supports. Measures the median of several runs (after one
warm-up) of: loading the analysis frame from the store, the whole dashboard, themes,
keywords and near-duplicates; and the process's peak memory (max RSS, so DuckDB counts too).

Synthetic texts are variants of 150 demo texts, so at 100k nearly every input has hundreds
of near-copies: far more near-duplicate pairs than a real consultation has.

Run: .venv/bin/python bench/analysis_bench.py [--sizes 10000 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consultations.casework import analysis, themes
from consultations import geo  # noqa: E402
from consultations.demo import CONTENT, seed_demo  # noqa: E402
from consultations.model import Channel, InputStatus  # noqa: E402
from consultations.store import Store  # noqa: E402

CONSULTATION = "borgen-tettstedsutvikling"
TARGETS = {  # seconds, by (step, inputs); None: no target
    ("dashboard", 10_000): 0.5,
    ("dashboard", 100_000): 3.0,
    ("themes", 10_000): 5.0,
}
MEMORY_TARGET_MB = 2048
CAMPAIGN = (
    "Vi som bor i Nedre Borgen sier nei til høyhus ved nærsenteret. Bevar grøntdraget mot "
    "Vardåsen og sørg for trygg skolevei før det bygges flere boliger."
)
SUPPORTED_SHARE = 0.01  # inputs that get supports (each support is one write)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def synthetic_texts(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``(category, text)`` pairs: demo texts varied so that few are identical."""
    items = json.loads(CONTENT.read_text("utf-8"))["inputs"]
    words = [w for item in items for w in item["text"].split() if len(w) > 3]
    result = []
    for _ in range(n):
        if rng.random() < 0.03:
            sentences = _SENTENCE.split(CAMPAIGN)
            category = "Bolig og fortetting"
        else:
            item = rng.choice(items)
            sentences = _SENTENCE.split(item["text"])
            category = item["category"]
            rng.shuffle(sentences)
            if len(sentences) > 2 and rng.random() < 0.5:
                sentences.pop()
        text = " ".join(sentences).split()
        for _ in range(rng.randint(1, 4)):
            text.insert(rng.randint(0, len(text)), rng.choice(words))
        result.append((category, " ".join(text)))
    return result


def fill(store: Store, n: int, rng: random.Random) -> None:
    c = store.get_consultation(CONSULTATION)
    points = geo.random_points(c.area, n, rng)
    period = (c.closes_at - c.opens_at).total_seconds()
    rows = []
    for (category, text), (lat, lon) in zip(synthetic_texts(n, rng), points, strict=True):
        located = rng.random() < 0.9
        east, north = geo.to_working_crs(lon, lat) if located else (None, None)
        created = c.opens_at + timedelta(seconds=rng.random() * period)
        if not located:
            lat = lon = None
        rows.append((category, text, lat, lon, east, north, created))
    store.bulk_add_inputs(CONSULTATION, rows, Channel.WEB, InputStatus.PUBLISHED)
    ids = store.analysis_frame(CONSULTATION)["id"].tolist()
    for input_id in rng.sample(ids, int(len(ids) * SUPPORTED_SHARE)):
        for s in range(rng.randint(1, 5)):
            store.add_support(input_id, f"bench-{s}")


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(1)
    print(f"{'inputs':>8} {'step':<16} {'median s':>9} {'target s':>9} {'peak MB':>8}  result")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "bench.duckdb")
            seed_demo(store)
            fill(store, n - len(store.analysis_frame(CONSULTATION)), rng)
            c = store.get_consultation(CONSULTATION)
            start = c.opens_at.astimezone(analysis.LOCAL_TZ).date()
            end = c.closes_at.astimezone(analysis.LOCAL_TZ).date()
            frame = store.analysis_frame(CONSULTATION)
            assert len(frame) == n
            steps: list[tuple[str, Callable[[], object], Callable[[object], str]]] = [
                ("analysis_frame", lambda: store.analysis_frame(CONSULTATION), lambda r: f"{len(r)} rows"),
                (
                    "dashboard",
                    lambda: analysis.dashboard(frame, c.categories, start, end),
                    lambda r: f"{len(r.density)} cells, {len(r.hotspots)} hotspots",
                ),
                ("themes", lambda: themes.themes(frame), lambda r: f"{len(r)} themes, largest {r[0].size}"),
                ("keywords", lambda: themes.keywords(frame), lambda r: f"{len(r)} categories"),
                (
                    "near_duplicates",
                    lambda: themes.near_duplicates(frame),
                    lambda r: f"{len(r)} groups, largest {r[0].size if r else 0}",
                ),
            ]
            for name, fn, describe in steps:
                result = fn()
                seconds = median_time(fn, args.runs)
                target = TARGETS.get((name, n))
                mark = "" if target is None else (" ok" if seconds <= target else " MISSED")
                print(
                    f"{n:>8} {name:<16} {seconds:>9.3f} {target if target else '-':>9} "
                    f"{peak_mb():>8.0f}  {describe(result)}{mark}",
                    flush=True,
                )
            store.close()
    verdict = "ok" if peak_mb() < MEMORY_TARGET_MB else "MISSED"
    print(f"peak memory {peak_mb():.0f} MB (target < {MEMORY_TARGET_MB} MB): {verdict}")
    # Other work on the machine slows every figure (BLAS threads suffer most): say how busy it was.
    print(f"load average at the end (1/5/15 min) {os.getloadavg()} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
