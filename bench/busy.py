"""A busy loop on one core: the "cluster while one core is busy" target of issue 26 (the
600-resident run of bench/load.py on `make cluster` while something else holds one of
the machine's two cores).

Run it beside the load, e.g.:
    .venv/bin/python bench/busy.py --seconds 240 &
    .venv/bin/python bench/load.py --url http://127.0.0.1:8501 --residents 600 --over 60 --cluster data

Each worker is its own process (one Python process cannot hold more than one core), spinning
until the time is up or Ctrl-C; at the end it prints the CPU time the workers got, which on
a machine the load also wants says how much of a core they really took.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import time


def spin(seconds: float, done: multiprocessing.Queue) -> None:
    """Count until ``seconds`` have passed (wall clock); report the CPU time it got."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers
    end = time.monotonic() + seconds
    loops = 0
    while time.monotonic() < end:
        for _ in range(10_000):
            loops += 1
    done.put((os.getpid(), time.process_time(), loops))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=300, help="how long to spin")
    parser.add_argument("--cores", type=int, default=1, help="how many busy processes")
    args = parser.parse_args()
    done: multiprocessing.Queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=spin, args=(args.seconds, done)) for _ in range(args.cores)]
    started = time.monotonic()
    load_before = os.getloadavg()
    for w in workers:
        w.start()
    try:
        for w in workers:
            w.join()
    except KeyboardInterrupt:
        for w in workers:
            w.terminate()
            w.join()
    took = time.monotonic() - started
    results = [done.get(timeout=5) for w in workers if w.exitcode == 0]  # a stopped one never said
    cpu = sum(r[1] for r in results)
    print(
        f"busy: {args.cores} process(es) for {took:.1f} s, CPU {cpu:.1f} s "
        f"({cpu / took / max(1, args.cores) * 100:.0f} % of a core each)   "
        "load average before: {:.2f} {:.2f} {:.2f}   after: {:.2f} {:.2f} {:.2f}".format(*load_before, *os.getloadavg())
    )


if __name__ == "__main__":
    main()
