"""Benchmark: the resident's place search on a municipality-sized address register.

Writes a Kartverket «Adresser» CSV with 30,000 invented addresses (600 streets × 50
numbers, EPSG:25832, around Asker), imports it as `import-addresses` does, then times
`places.search` for 300 different queries of each kind a resident types — a street and
number, the start of a street name, a gnr/bnr — each asked once (the store remembers a
repeated query until the next write, so a repeat costs nothing) and prints the median and
the 95th percentile in milliseconds, and the import time.
Run: .venv/bin/python bench/address_search_bench.py [--streets 600] [--numbers 50] [--queries 300]
"""

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

from consultations.participation import places  # noqa: E402
from consultations.casework.analysis import load_places  # noqa: E402
from consultations.permissions import OPERATOR  # noqa: E402
from consultations.store import Store  # noqa: E402

STREETS, NUMBERS = 600, 50
PARTS = [
    "Bondi",
    "Borgen",
    "Åsgård",
    "Heggedal",
    "Vollen",
    "Skaug",
    "Kirke",
    "Bjørnstad",
    "Søndre",
    "Ærtebekk",
    "Hval",
    "Gjellum",
    "Blakstad",
    "Holm",
    "Nes",
    "Torv",
    "Mølle",
    "Sjø",
    "Ekeberg",
    "Leine",
]
ENDS = ["veien", "vei", "gata", "stien", "bakken", "lia", "åsen", "tunet", "kroken", "jordet"]


def register(streets: int = STREETS, numbers: int = NUMBERS) -> tuple[bytes, list[str]]:
    rng = random.Random(14)
    names = sorted({f"{rng.choice(PARTS)}{rng.choice(PARTS).lower()}{rng.choice(ENDS)}" for _ in range(5000)})[:streets]
    lines = ["adresseTekst;gardsnummer;bruksnummer;EPSG-kode;Nord;Øst;postnummer;poststed"]
    for s, street in enumerate(names):
        east, north = 575_000 + rng.uniform(0, 12_000), 6_620_000 + rng.uniform(0, 20_000)
        for n in range(1, numbers + 1):
            lines.append(
                f"{street} {n};{1 + s // 10};{1 + (s % 10) * 100 + n};25832;{north + 8 * n:.2f};{east:.2f};1388;BORGEN"
            )
    return ("\n".join(lines) + "\n").encode(), names


def timed(store: Store, queries: list[str], named) -> list[float]:
    times = []
    for q in queries:
        start = time.perf_counter()
        places.search(store, q, named)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streets", type=int, default=STREETS)
    parser.add_argument("--numbers", type=int, default=NUMBERS, help="house numbers per street")
    parser.add_argument("--queries", type=int, default=300, help="queries of each kind")
    args = parser.parse_args()
    data, streets = register(args.streets, args.numbers)
    rng = random.Random(2026)
    named = load_places()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.duckdb")
        start = time.perf_counter()
        n = places.import_addresses(store, OPERATOR, data)
        print(f"import of {n} addresses: {time.perf_counter() - start:.2f} s")
        kinds = {
            "street and number": [
                f"{s} {rng.randint(1, args.numbers)}" for s in rng.sample(streets, min(args.queries, len(streets)))
            ],
            "start of a street": sorted({s[: rng.randint(3, 8)].lower() for s in streets})[: args.queries],
            "gnr/bnr": [f"{rng.randint(1, 60)}/{rng.randint(1, 950)}" for _ in range(args.queries)],
        }
        for kind, queries in kinds.items():
            ms = sorted(timed(store, queries, named))
            print(
                f"{kind:>18}: median {statistics.median(ms):.1f} ms, p95 {ms[int(0.95 * len(ms))]:.1f} ms ({len(ms)} queries)"
            )
        store.close()


if __name__ == "__main__":
    main()
