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
that could leave something out. Medians, because the machine is shared. On a loaded
machine wall time also counts waiting for a core, so the server process's CPU time per
rerun (/proc, user + system, 10 ms ticks summed over all reruns) is printed beside it.
The client keeps the large messages like the browser does (bench/wire.py), so an
unchanged map is not sent again.

Run: .venv/bin/python bench/page_bench.py [--sizes 1000 10000] [--reruns 15] [--cwd checkout]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from wire import BORGEN, ROOT, Session, percentile, seeded_database, server


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(size: int, sessions: int, reruns: int, cwd: Path) -> tuple[list[float], list[float], int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = seeded_database(Path(tmp) / "bench.duckdb", size)
        with server(db, Path(tmp) / "server.log", cwd=cwd) as app:
            views, runs, sent, cpu = [], [], 0, 0.0
            for _ in range(sessions):
                s = Session(app)
                try:
                    first = s.run(f"id={BORGEN}")
                    if first.exceptions:
                        raise RuntimeError(first.exceptions)
                    views.append(first.seconds)
                    before = cpu_seconds(app.proc.pid)
                    for _ in range(reruns):
                        run = s.run(f"id={BORGEN}")
                        runs.append(run.seconds)
                        sent = run.bytes
                    cpu += cpu_seconds(app.proc.pid) - before
                finally:
                    s.close()
    return views, runs, sent, cpu / (sessions * reruns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--reruns", type=int, default=15)
    parser.add_argument("--cwd", type=Path, default=ROOT, help="the checkout of the app to run")
    args = parser.parse_args()
    print(f"{'inputs':>7} {'first view ms':>14} {'rerun ms p50':>13} {'p95':>6} {'min':>6} "
          f"{'server CPU ms/rerun':>20} {'MB/rerun':>9}")  # fmt: skip
    for size in args.sizes:
        views, runs, sent, cpu = measure(size, args.sessions, args.reruns, args.cwd)
        print(
            f"{size:>7} {statistics.median(views) * 1000:>14.0f} "
            f"{statistics.median(runs) * 1000:>13.1f} {percentile(runs, 0.95) * 1000:>6.0f} "
            f"{min(runs) * 1000:>6.1f} {cpu * 1000:>20.1f} {sent / 1e6:>9.2f}"
        )


if __name__ == "__main__":
    main()
