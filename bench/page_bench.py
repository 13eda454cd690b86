"""Benchmark: the consultation page's script run in a real server, 1,000 and 10,000
published inputs in one consultation.

For each size: a database with the demo data and Borgen filled up to that many published
inputs; `streamlit run serve.py` with the shipped config (bench/wire.py); then SESSIONS
websocket sessions, each opening `/?id=borgen-tettstedsutvikling` once (a page view) and
rerunning it RERUNS times (what every click outside a fragment costs).

What is timed, and why it is honest:
- script run (the target's figure): the server times each full run itself, from the top of
  app.py to the end of the page, and logs it (KARTINNSPILL_TIMING=1, consultations/ui/
  timing.py). A client cannot see below ~44 ms here: Streamlit holds a rerun's first
  messages back for ~40 ms (a one-line `st.write` script answers in 44 ms), so any script
  shorter than that looks the same from outside;
- client (what a browser waits): from sending the rerun request to receiving Streamlit's
  `script_finished`; the client keeps the large messages like the browser does
  (bench/wire.py), so an unchanged map is not sent again;
- server CPU per rerun (user + system from /proc, 10 ms ticks summed over all reruns):
  the script, plus serialising and sending, whatever else the machine is doing.
Medians, because the machine is shared.

Run: .venv/bin/python bench/page_bench.py [--sizes 1000 10000] [--reruns 15] [--cwd checkout]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from pathlib import Path

from wire import BORGEN, ROOT, Session, cpu_seconds, percentile, seeded_database, server


def script_runs(log: str) -> list[float]:
    """The consultation page's script runs the server timed (KARTINNSPILL_TIMING=1), in s."""
    found = re.findall(rf"^kartinnspill-timing ms=([\d.]+) query=.*id={BORGEN}", log, re.MULTILINE)
    return [float(ms) / 1000 for ms in found]


def measure(
    size: int, sessions: int, reruns: int, cwd: Path
) -> tuple[list[float], list[float], int, float, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        db = seeded_database(Path(tmp) / "bench.duckdb", size)
        with server(db, Path(tmp) / "server.log", env={"KARTINNSPILL_TIMING": "1"}, cwd=cwd) as app:
            views, runs, sent, cpu = [], [], 0, 0.0
            for _ in range(sessions):
                s = Session(app.url)
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
            timed = script_runs(app.log())
    # the first run of each session is a page view, not a rerun
    reruns_timed = [t for k, t in enumerate(timed) if k % (reruns + 1)]
    return views, runs, sent, cpu / (sessions * reruns), reruns_timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--reruns", type=int, default=15)
    parser.add_argument("--cwd", type=Path, default=ROOT, help="the checkout of the app to run")
    args = parser.parse_args()
    print(
        f"{'inputs':>7} {'script run ms p50':>18} {'p95':>5} | {'client: first view':>18} "
        f"{'rerun p50':>9} {'p95':>5} | {'server CPU/rerun':>16} {'MB/rerun':>8}"
    )
    for size in args.sizes:
        views, runs, sent, cpu, timed = measure(size, args.sessions, args.reruns, args.cwd)
        script = (
            f"{statistics.median(timed) * 1000:>18.1f} {percentile(timed, 0.95) * 1000:>5.0f}"
            if timed
            else f"{'(no timer)':>18} {'':>5}"
        )
        print(
            f"{size:>7} {script} | {statistics.median(views) * 1000:>18.0f} "
            f"{statistics.median(runs) * 1000:>9.1f} {percentile(runs, 0.95) * 1000:>5.0f} | "
            f"{cpu * 1000:>16.1f} {sent / 1e6:>8.2f}"
        )


if __name__ == "__main__":
    main()
