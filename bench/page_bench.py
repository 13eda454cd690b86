"""Benchmark: the consultation page's script run in a real server, 1,000 and 10,000
published inputs in one consultation.

For each size: a database with the demo data and Borgen filled up to that many published
inputs; `streamlit run serve.py` with the shipped config (bench/wire.py); then SESSIONS
websocket sessions, each opening `/?id=borgen-tettstedsutvikling` once (a page view) and
rerunning it RERUNS times (what every click outside a fragment costs).

What is timed, and why it is honest: the time from sending the rerun request to receiving
Streamlit's `script_finished` message, measured by the client. It is the whole script run
(app.py's navigation and the page), plus handing every delta to the websocket and reading
it on loopback — an upper bound of the script's own time, with no timer inside the app
that could leave something out. Medians, because the machine is shared.

Run: .venv/bin/python bench/page_bench.py [--sizes 1000 10000] [--reruns 15]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from wire import BORGEN, Session, percentile, seeded_database, server


def measure(size: int, sessions: int, reruns: int) -> tuple[list[float], list[float], int]:
    with tempfile.TemporaryDirectory() as tmp:
        db = seeded_database(Path(tmp) / "bench.duckdb", size)
        with server(db, Path(tmp) / "server.log") as app:
            views, runs, sent = [], [], 0
            for _ in range(sessions):
                s = Session(app)
                try:
                    first = s.run(f"id={BORGEN}")
                    if first.exceptions:
                        raise RuntimeError(first.exceptions)
                    views.append(first.seconds)
                    for _ in range(reruns):
                        run = s.run(f"id={BORGEN}")
                        runs.append(run.seconds)
                        sent = run.bytes
                finally:
                    s.close()
    return views, runs, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--reruns", type=int, default=15)
    args = parser.parse_args()
    print(f"{'inputs':>7} {'first view ms':>14} {'rerun ms p50':>13} {'p95':>6} {'min':>6} {'MB/run':>7}")
    for size in args.sizes:
        views, runs, sent = measure(size, args.sessions, args.reruns)
        print(
            f"{size:>7} {statistics.median(views) * 1000:>14.0f} "
            f"{statistics.median(runs) * 1000:>13.1f} {percentile(runs, 0.95) * 1000:>6.0f} "
            f"{min(runs) * 1000:>6.1f} {sent / 1e6:>7.2f}"
        )


if __name__ == "__main__":
    main()
