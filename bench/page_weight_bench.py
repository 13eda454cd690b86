"""Benchmark: what a phone downloads for a consultation page, and how soon it shows a pin.

Starts the shipped server (``streamlit run serve.py``, demo data, no base-map tiles) on a
fresh database, opens the Borgen consultation in Chromium as a 375×812 touch phone in a
fresh browser (empty cache) and prints, per run and as medians: the bytes received (response
bodies, as transferred), the number of requests, and the time from navigation to the first
published input's marker in the map. ``--app-dir`` measures another checkout (e.g. the code
before a change) with this script.
Run: .venv/bin/python bench/page_weight_bench.py [--runs 3] [--app-dir PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import STARTUP_TIMEOUT_S, launch

BORGEN = "borgen-tettstedsutvikling"
MAP = 'iframe[title="streamlit_folium.st_folium"]'


def one_run(browser, url: str, seen: list[tuple[str, int]] | None = None) -> tuple[int, int, float]:
    """Bytes, requests and seconds to the first marker; ``seen`` gets each (address, bytes)."""
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, has_touch=True, is_mobile=True, locale="nb-NO", service_workers="block"
    )
    sizes: list[int] = []
    seen = [] if seen is None else seen

    def finished(request) -> None:
        sizes.append(size := request.sizes()["responseBodySize"])
        seen.append((urlsplit(request.url).path, size))

    context.on("requestfinished", finished)
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(f"{url}/?id={BORGEN}")
        page.frame_locator(MAP).first.locator(".leaflet-marker-icon").first.wait_for(state="attached", timeout=120_000)
        first_marker = time.perf_counter() - start
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1_000)
        return sum(sizes), len(sizes), first_marker
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--app-dir", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument(
        "--heaviest",
        type=int,
        default=0,
        help="list the N heaviest addresses of the last run, and those asked more than once",
    )
    args = parser.parse_args()
    seen: list[tuple[str, int]] = []
    folder = Path(tempfile.mkdtemp(prefix="page-weight-"))
    server = launch(folder / "bench.duckdb", folder / "streamlit.log", cwd=args.app_dir.resolve())
    try:
        server.wait_healthy(STARTUP_TIMEOUT_S)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                one_run(browser, server.url)  # the server's first page: imports, demo seeding
                runs = [one_run(browser, server.url, seen if n == args.runs - 1 else None) for n in range(args.runs)]
            finally:
                browser.close()
    finally:
        server.stop()
    print(f"app: {args.app_dir.resolve()}  page: /?id={BORGEN}  phone 375x812, empty cache, no tiles")
    for n, (size, requests, marker) in enumerate(runs, start=1):
        print(f"run {n}: {size / 1e6:.2f} MB in {requests} requests, first marker after {marker:.2f} s")
    print(
        f"median: {statistics.median(r[0] for r in runs) / 1e6:.2f} MB, "
        f"{statistics.median(r[1] for r in runs):.0f} requests, "
        f"first marker {statistics.median(r[2] for r in runs):.2f} s"
    )
    if args.heaviest:
        weight: Counter[str] = Counter()
        asked: Counter[str] = Counter()
        for path, size in seen:
            weight[path] += size
            asked[path] += 1
        print(f"the {args.heaviest} heaviest addresses of the last run (bytes, times asked):")
        for path, size in weight.most_common(args.heaviest):
            print(f"  {size / 1e3:8.1f} kB  ×{asked[path]}  {path}")
        repeated = [(path, n) for path, n in asked.most_common() if n > 1]
        print(f"asked more than once: {len(repeated)} addresses, {sum(n - 1 for _, n in repeated)} extra requests")
        for path, n in repeated[: args.heaviest]:
            print(f"  ×{n}  {path}")


if __name__ == "__main__":
    main()
