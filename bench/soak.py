"""Soak: the server's memory under a steady, realistic load for an hour (issue 12).

The server is started as `make run` starts it (`streamlit run serve.py`, the shipped
.streamlit/config.toml, so no post-script full GC) on a copy of the demo data, rate limits
off (every resident comes from 127.0.0.1). Residents arrive at ``--rate`` a second for
``--duration`` seconds, each in their own thread, as the browser would (bench/wire.py):
- a writer (1 - ``--readers`` of them) opens the consultation page, reloads it (a new
  session), clicks the map and sends an input, then closes the tab (bench/load.py);
- a reader opens the page and closes the tab; every second reader reloads it first.

Every ``--sample`` seconds the server's resident set size is read from /proc (VmRSS of the
process and of any children), with the load average; an in-process probe
(bench/soak_probe/sitecustomize.py, on the server's PYTHONPATH) reports Python's gc
counters, Python's allocated blocks (py blocks), the pauses of its collections,
glibc's heap in use and held free (C used / C free, MB) and Streamlit's session counts. A table per minute and a summary are printed: RSS at 5, 30
and 60 minutes, growth per hour (the slope of a least-squares line through the samples of
the second half), peak, page view p50/p95 for the whole run and its first and last tenth.

``--post-script-gc`` runs the server with Streamlit's default (`runner.postScriptGC`
true: a full collection after every script run) for comparison; ``--compare`` runs both,
one after the other. ``--env KARTINNSPILL_BACKGROUND_GC=60`` passes settings to the server.

Run: .venv/bin/python bench/soak.py --duration 3600 --rate 1 --out /tmp/soak.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from load import Outcome, resident
from wire import BORGEN, ROOT, Session, percentile, seeded_database, server

PROBE = Path(__file__).resolve().parent / "soak_probe"


def reader(url: str, reload: bool, timeout: float) -> Outcome:
    out = Outcome()
    try:
        for _ in range(2 if reload else 1):
            start = time.perf_counter()
            s = Session(url, open_timeout=timeout)
            page = s.run(f"id={BORGEN}", timeout=timeout)
            out.views.append(time.perf_counter() - start)
            s.close()
            if page.exceptions:
                raise RuntimeError(page.exceptions[0])
    except Exception as exc:  # noqa: BLE001 - every failure is a failed session, counted
        out.failure = f"{type(exc).__name__}: {exc}"[:200]
    return out


def rss_kb(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, in kB (0 for a process that is gone)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) points, in MB per hour."""
    if len(points) < 2:
        return float("nan")
    mx = statistics.fmean(t for t, _ in points)
    my = statistics.fmean(v for _, v in points)
    var = sum((t - mx) ** 2 for t, _ in points)
    return 3600 * sum((t - mx) * (v - my) for t, v in points) / var if var else float("nan")


@dataclass
class Soak:
    samples: list[dict] = field(default_factory=list)
    outcomes: list[tuple[float, Outcome]] = field(default_factory=list)  # (arrival s, outcome)
    turned_away: int = 0
    experiment: dict = field(default_factory=dict)  # --collect-at-end
    server_error: str = ""  # the server log's last traceback, when a session failed


def soak(args, post_script_gc: bool, label: str) -> Soak:
    from consultations import geo
    from consultations.store import Store

    result = Soak()
    lock = threading.Lock()
    with tempfile.TemporaryDirectory() as tmp:
        db = seeded_database(Path(tmp) / "soak.duckdb", args.published)
        s = Store.open(db)
        area = s.get_consultation(BORGEN).area
        s.close()
        rng = random.Random(7)
        probe = Path(tmp) / "probe.jsonl"
        env = {
            "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true" if post_script_gc else "false",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROBE), os.environ.get("PYTHONPATH")])),
            "KARTINNSPILL_SOAK_PROBE": str(probe),
            "KARTINNSPILL_SOAK_PROBE_EVERY": str(args.sample),
            **dict(kv.split("=", 1) for kv in args.env),
        }
        if args.tracemalloc:
            env["KARTINNSPILL_SOAK_TRACEMALLOC"] = str(args.tracemalloc)
        with server(db, Path(tmp) / "server.log", env=env, cwd=args.cwd) as app:
            pid = app.proc.pid
            begin = time.monotonic()
            stop = threading.Event()
            inflight = threading.Semaphore(args.max_inflight)

            def visit(k: int, arrival: float, pin) -> None:
                try:
                    if pin is None:
                        out = reader(app.url, reload=k % 2 == 0, timeout=args.timeout)
                    else:
                        out = resident(app.url, k, pin, args.timeout)
                finally:
                    inflight.release()
                with lock:
                    result.outcomes.append((arrival, out))

            def arrivals() -> None:
                k = 0
                while not stop.is_set():
                    arrival = k / args.rate
                    if arrival >= args.duration:
                        return
                    wait = begin + arrival - time.monotonic()
                    if wait > 0 and stop.wait(wait):
                        return
                    pin = None
                    if rng.random() >= args.readers:
                        pin = geo.random_points(area, 1, rng)[0]
                    if not inflight.acquire(blocking=False):
                        with lock:
                            result.turned_away += 1
                    else:
                        threading.Thread(target=visit, args=(k, arrival, pin), daemon=True).start()
                    k += 1

            driver = threading.Thread(target=arrivals, daemon=True)
            driver.start()
            print(
                f"\n== {label}: server pid {pid}, runner.postScriptGC={post_script_gc}, "
                f"{args.rate}/s for {args.duration:.0f} s, readers {args.readers:.0%}, "
                f"extra env {args.env or '-'}",
                flush=True,
            )
            print(
                f"{'min':>5} {'RSS MB':>8} {'sessions':>9} {'inputs':>7} {'failed':>6} "
                f"{'p95 view':>8} {'st.sess':>7} {'py blocks':>9} {'gen2':>5} "
                f"{'gen2 ms':>8} {'C used':>6} {'C free':>6} {'duckdb':>6} {'load':>5}",
                flush=True,
            )
            probe_pos = 0
            last_row = -1
            gen2_since_row = [0, 0.0]
            while True:
                elapsed = time.monotonic() - begin
                finished = elapsed >= args.duration + args.drain or (
                    not driver.is_alive() and elapsed >= args.duration and not _busy(inflight, args)
                )
                if finished:
                    stop.set()
                target = begin + (len(result.samples) + 1) * args.sample
                if not finished and not app.running():
                    print("  server exited:", app.log()[-800:], flush=True)
                    break
                sample = {"t": elapsed, "rss_mb": rss_kb(pid) / 1024, "load": loadavg()}
                with lock:
                    done = list(result.outcomes)
                sample["sessions"] = sum(len(o.views) for _, o in done)
                sample["inputs"] = sum(1 for _, o in done if o.reference)
                sample["failed"] = sum(1 for _, o in done if o.failure)
                try:
                    with open(probe) as f:
                        f.seek(probe_pos)
                        lines = f.readlines()
                        probe_pos = f.tell()
                except OSError:
                    lines = []
                for raw in lines:
                    p = json.loads(raw)
                    gen2_since_row[0] += p["pauses"]["2"][0]
                    gen2_since_row[1] += p["pauses"]["2"][1]
                    sample["probe"] = p
                result.samples.append(sample)
                if args.out:
                    with open(args.out, "a") as f:
                        f.write(json.dumps({"label": label, **sample}) + "\n")
                minute = int(elapsed // 60)
                if minute != last_row or finished:
                    last_row = minute
                    recent = [v for a, o in done if a >= elapsed - 60 for v in o.views]
                    p = sample.get("probe", {})
                    print(
                        f"{minute:>5} {sample['rss_mb']:>8.1f} {sample['sessions']:>9} "
                        f"{sample['inputs']:>7} {sample['failed']:>6} "
                        f"{percentile(recent, 0.95):>8.3f} {p.get('sessions', '-'):>7} "
                        f"{p.get('py_blocks', '-'):>9} {gen2_since_row[0]:>5} "
                        f"{1000 * gen2_since_row[1]:>8.0f} {p.get('malloc_used_mb', float('nan')):>6.0f} "
                        f"{p.get('malloc_free_mb', float('nan')):>6.0f} "
                        f"{p.get('duckdb_mb', float('nan')):>6.0f} {sample['load']:>5.2f}",
                        flush=True,
                    )
                    gen2_since_row = [0, 0.0]
                if finished:
                    if args.collect_at_end:
                        result.experiment = collect_now(probe, args.sample)
                    if sample["failed"] and "Traceback" in (log := app.log()):
                        last = log[log.rindex("Traceback") :]
                        result.server_error = last if len(last) < 1500 else f"{last[:300]}\n…\n{last[-1200:]}"
                    break
                time.sleep(max(0.0, target - time.monotonic()))
    return result


def collect_now(probe: Path, every: float) -> dict:
    """Ask the probe for one full collection and malloc_trim(0) in the server, once the load
    is over: what a background collector (or trimming the C heap) would give back."""
    Path(f"{probe}.collect").touch()
    answer = Path(f"{probe}.collected")
    deadline = time.monotonic() + 10 * every + 60
    while not answer.exists() and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(0.5)  # the probe writes it in one go; let it finish
    return json.loads(answer.read_text()) if answer.exists() else {}


def _busy(inflight: threading.Semaphore, args) -> bool:
    return inflight._value < args.max_inflight  # threads still at work


def summary(label: str, result: Soak, duration: float) -> None:
    samples = result.samples
    if not samples:
        print(f"{label}: no samples")
        return

    def at(seconds: float) -> str:
        if samples[-1]["t"] < seconds - 30:
            return "-"
        return f"{min(samples, key=lambda s: abs(s['t'] - seconds))['rss_mb']:.1f}"

    half = samples[-1]["t"] / 2
    first = [(s["t"], s["rss_mb"]) for s in samples if s["t"] < half]
    second = [(s["t"], s["rss_mb"]) for s in samples if s["t"] >= half]
    views = [v for _, o in result.outcomes for v in o.views]
    tenth = duration / 10
    first_views = [v for a, o in result.outcomes if a < tenth for v in o.views]
    last_views = [v for a, o in result.outcomes if a >= duration - tenth for v in o.views]
    failures = [o.failure for _, o in result.outcomes if o.failure]
    gen2 = [s["probe"]["pauses"]["2"] for s in samples if "probe" in s]
    pauses = sum(g[0] for g in gen2)
    print(
        f"\n{label}: {samples[-1]['t'] / 60:.1f} min, {len(result.outcomes)} residents, "
        f"{sum(len(o.views) for _, o in result.outcomes)} page views, "
        f"{sum(1 for _, o in result.outcomes if o.reference)} inputs, {len(failures)} failed, "
        f"{result.turned_away} turned away (more than --max-inflight at once)"
    )
    print(
        f"  RSS MB  start {samples[0]['rss_mb']:.1f}  5 min {at(300)}  30 min {at(1800)}  "
        f"60 min {at(3600)}  peak {max(s['rss_mb'] for s in samples):.1f}  "
        f"end {samples[-1]['rss_mb']:.1f}"
    )
    heap = [s["probe"] for s in samples if "malloc_used_mb" in s.get("probe", {})]
    if heap:
        print(
            f"  glibc heap MB (mallinfo2) in use / held free: at the middle "
            f"{heap[len(heap) // 2]['malloc_used_mb']:.0f} / {heap[len(heap) // 2]['malloc_free_mb']:.0f}, "
            f"at the end {heap[-1]['malloc_used_mb']:.0f} / {heap[-1]['malloc_free_mb']:.0f}"
        )
    print(
        f"  growth over the first half: {slope_per_hour(first):+.1f} MB/h, over the second half: "
        f"{slope_per_hour(second):+.1f} MB/h ({len(first)} and {len(second)} samples)"
    )
    duck = [s["probe"]["duckdb_mb"] for s in samples if "duckdb_mb" in s.get("probe", {})]
    if duck:
        print(
            f"  DuckDB's memory MB (duckdb_memory()): at the middle {duck[len(duck) // 2]:.0f}, "
            f"at the end {duck[-1]:.0f}"
        )
    if views:
        print(
            f"  page view p50 {statistics.median(views):.3f} s  p95 {percentile(views, 0.95):.3f} s"
            f"  | first tenth p95 {percentile(first_views, 0.95):.3f} s  "
            f"last tenth p95 {percentile(last_views, 0.95):.3f} s"
        )
    if gen2:
        cpu = [g[3] for g in gen2 if len(g) > 3]  # older probe lines have no CPU time
        print(
            f"  full collections in the server: {pauses}, wall total {sum(g[1] for g in gen2):.2f} s, "
            f"longest {1000 * max(g[2] for g in gen2):.0f} ms"
            + (f", CPU total {sum(cpu):.2f} s ({1000 * sum(cpu) / max(pauses, 1):.0f} ms each)" if cpu else "")
        )
    print(
        f"  load average mean {statistics.fmean(s['load'] for s in samples):.2f}  "
        f"max {max(s['load'] for s in samples):.2f}"
    )
    for reason in sorted(set(failures))[:5]:
        print("  failure:", reason)
    if result.server_error:
        print("  the server's last traceback:\n   ", result.server_error.replace("\n", "\n    "))
    if e := result.experiment:
        print(
            f"  at the end, load over: RSS {e['rss_before']:.1f} MB; gc.collect() found "
            f"{e['unreachable']} unreachable objects in {1000 * e['collect_s']:.0f} ms -> "
            f"{e['rss_after_collect']:.1f} MB; malloc_trim(0) -> {e['rss_after_trim']:.1f} MB"
        )
    grown = [s["probe"].get("grown") for s in samples if s.get("probe", {}).get("grown")]
    if grown:
        print("  tracemalloc, most grown since the first probe line:")
        for where, size, count in grown[-1][:15]:
            print(f"    {size / 1024:>+9.0f} kB {count:>+8} blocks  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=3600, help="seconds of arrivals")
    parser.add_argument("--rate", type=float, default=1.0, help="residents arriving a second")
    parser.add_argument("--readers", type=float, default=0.3, help="share who only read")
    parser.add_argument("--sample", type=float, default=10, help="seconds between samples")
    parser.add_argument("--published", type=int, default=0, help="fill Borgen up to this many")
    parser.add_argument(
        "--post-script-gc", action="store_true", help="run with runner.postScriptGC true (Streamlit's default)"
    )
    parser.add_argument("--compare", action="store_true", help="run the shipped config, then runner.postScriptGC true")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an environment variable for the server (repeatable)",
    )
    parser.add_argument(
        "--tracemalloc", type=int, default=0, metavar="FRAMES", help="trace allocations in the server (slows it down)"
    )
    parser.add_argument(
        "--collect-at-end", action="store_true", help="when the load is over: RSS after gc.collect() and malloc_trim(0)"
    )
    parser.add_argument("--max-inflight", type=int, default=200)
    parser.add_argument("--drain", type=float, default=120, help="s to wait for the last ones")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--cwd", type=Path, default=ROOT, help="the checkout of the app to run")
    parser.add_argument("--out", type=Path, help="append every sample to this JSON-lines file")
    args = parser.parse_args()

    runs = [(False, "shipped config"), (True, "runner.postScriptGC true")]
    if not args.compare:
        runs = [runs[1] if args.post_script_gc else runs[0]]
    results = [(label, soak(args, gc_on, label)) for gc_on, label in runs]
    for label, result in results:
        summary(label, result, args.duration)


if __name__ == "__main__":
    main()
