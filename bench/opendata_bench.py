"""Benchmark: OGC API – Features items requests a second on a 10,000-input collection, and
the weight of an embedded consultation page.

1. Items. A database with the demo data and Borgen filled up to SIZE published inputs;
   `streamlit run serve.py` as shipped (rate limits off: bench/wire.py); CLIENTS threads
   asking `/ogcapi/collections/innspill-borgen-tettstedsutvikling/items` for SECONDS each,
   one kind of request at a time:
   - page of 100 at a random offset (what QGIS asks per map move, CRS84);
   - the same in EPSG:25832 (`crs`, reprojected per request);
   - a bbox of about a tenth of the area (filtered over all 10,000);
   - a page of 1,000 (GDAL's and OWSLib's bulk paging);
   - revalidation with the ETag (`If-None-Match`: 304 while the data version holds).
   The first request after a write builds the collection (timed once, "cold"); every
   later one filters arrays. Each request on a new connection: on a kept-alive one the
   shipped server (Streamlit's uvicorn set-up, its own /_stcore/health as much as these)
   answers every request after the first ~45 ms late, which hides the work itself; one
   row shows that too.
2. Page weight. Chromium opens `/?id=borgen-tettstedsutvikling&embed=true` (and the same
   without `embed`) in a fresh context; every HTTP response body as transferred
   (Network.loadingFinished) plus every websocket frame the server sent, until the map
   has drawn its points and the network is quiet.

Run: .venv/bin/python bench/opendata_bench.py [--size 10000] [--seconds 10] [--clients 4] [--cwd checkout]
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from wire import BORGEN, ROOT, seeded_database, server

COLLECTION = f"/ogcapi/collections/innspill-{BORGEN}/items"
UTM32 = "http://www.opengis.net/def/crs/EPSG/0/25832"


def _get(
    connection: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None
) -> tuple[int, int, str]:
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    return response.status, len(body), response.getheader("etag") or ""


def rate(
    port: int, clients: int, seconds: float, path_for, headers=None, keep_alive: bool = False
) -> tuple[float, float, float]:
    """(requests a second, median ms, median bytes) of ``clients`` threads for ``seconds``;
    a new connection per request unless ``keep_alive``."""
    latencies: list[float] = []
    sizes: list[int] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, mine_sizes = [], []
        while time.perf_counter() < stop:
            start = time.perf_counter()
            if not keep_alive:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status, size, _ = _get(connection, path_for(rng), headers)
            if status not in (200, 304):
                raise RuntimeError(f"HTTP {status} for {path_for(rng)}")
            mine.append(time.perf_counter() - start)
            mine_sizes.append(size)
        connection.close()
        with lock:
            latencies.extend(mine)
            sizes.extend(mine_sizes)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, statistics.median(sizes)


def items(size: int, seconds: float, clients: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = seeded_database(Path(tmp) / "bench.duckdb", size)
        with server(db, Path(tmp) / "server.log") as app:
            connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=120)
            start = time.perf_counter()
            status, _, tag = _get(connection, f"{COLLECTION}?limit=1")
            cold = time.perf_counter() - start
            connection.request("GET", f"{COLLECTION}?limit=1")
            total = connection.getresponse().read().count(b'"numberMatched"')
            connection.close()
            assert status == 200 and total == 1
            print(f"collection of {size:,} inputs; first request (builds it): {cold * 1000:.0f} ms")
            print(f"{'request':<34} {'req/s':>7} {'median ms':>10} {'bytes':>9}")
            kinds = {
                "page of 100, CRS84": lambda r: f"{COLLECTION}?limit=100&offset={r.randrange(0, max(1, size - 100))}",
                "page of 100, EPSG:25832": lambda r: (
                    f"{COLLECTION}?limit=100&offset={r.randrange(0, max(1, size - 100))}&crs={UTM32}"
                ),
                "bbox (~1/10 of the area), 100": lambda r: _bbox_path(r),
                "page of 1,000": lambda r: f"{COLLECTION}?limit=1000&offset={r.randrange(0, max(1, size - 1000))}",
            }
            for name, path_for in kinds.items():
                per_second, median_ms, body = rate(app.port, clients, seconds, path_for)
                print(f"{name:<34} {per_second:>7.0f} {median_ms:>10.1f} {body:>9,.0f}")
            per_second, median_ms, body = rate(app.port, clients, seconds, kinds["page of 100, CRS84"], keep_alive=True)
            print(f"{'page of 100, kept-alive connection':<34} {per_second:>7.0f} {median_ms:>10.1f} {body:>9,.0f}")
            fixed = f"{COLLECTION}?limit=100"
            connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=60)
            _, _, tag = _get(connection, fixed)
            connection.close()
            per_second, median_ms, body = rate(app.port, clients, seconds, lambda r: fixed, {"If-None-Match": tag})
            print(f"{'revalidation (304)':<34} {per_second:>7.0f} {median_ms:>10.1f} {body:>9,.0f}")


def _bbox_path(rng: random.Random) -> str:
    # Borgen's demo area: 10.4036–10.4233 E, 59.8219–59.8299 N; a box a third of each side
    lon, lat = 10.4036 + rng.random() * 0.0131, 59.8219 + rng.random() * 0.0053
    return f"{COLLECTION}?limit=100&bbox={lon:.5f},{lat:.5f},{lon + 0.0066:.5f},{lat + 0.0027:.5f}"


def page_weight(cwd: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as tmp:
        db = seeded_database(Path(tmp) / "bench.duckdb", 0)
        with server(db, Path(tmp) / "server.log", cwd=cwd) as app, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            print(f"{'page':<34} {'HTTP bytes':>11} {'websocket':>10} {'total':>10} {'requests':>9}")
            for name, query in (("embedded (?embed=true)", "&embed=true"), ("the app's own page", "")):
                context = browser.new_context(viewport={"width": 1024, "height": 900})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                transferred: list[float] = []
                frames: list[int] = []
                cdp.on("Network.loadingFinished", lambda e, seen=transferred: seen.append(e["encodedDataLength"]))
                cdp.on(
                    "Network.webSocketFrameReceived",
                    lambda e, seen=frames: seen.append(len(e["response"]["payloadData"])),
                )
                page.goto(f"{app.url}/?id={BORGEN}{query}")
                # the map is below the fold: a resident scrolls to it (and then it draws)
                page.locator('iframe[title="streamlit_folium.st_folium"]').first.scroll_into_view_if_needed()
                map_frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
                map_frame.locator(".leaflet-marker-icon, .marker-cluster").first.wait_for(
                    state="attached", timeout=90_000
                )
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(1500)  # the last deltas after the map
                http_bytes, ws_bytes = sum(transferred), sum(frames)
                print(
                    f"{name:<34} {http_bytes:>11,.0f} {ws_bytes:>10,} {http_bytes + ws_bytes:>10,.0f} {len(transferred):>9}"
                )
                context.close()
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--skip-weight", action="store_true")
    # a checkout whose static/vendor holds the files themselves (Streamlit refuses to serve
    # a symlinked static/vendor, and the map then never draws)
    parser.add_argument("--cwd", type=Path, default=ROOT)
    args = parser.parse_args()
    if args.size:
        items(args.size, args.seconds, args.clients)
    if not args.skip_weight:
        print()
        page_weight(args.cwd)


if __name__ == "__main__":
    main()
