"""Load driver: residents arriving at a real server, each as the browser would.

Every resident (a thread) arrives at a time spread evenly over ``--over`` seconds, and:
1. opens the consultation page (a new websocket session on /_stcore/stream + a run of
   `/?id=borgen-tettstedsutvikling`): a page view;
2. opens it again (a reload: a second new session): a page view;
3. clicks the map in that second session: the st_folium component's value
   (``{"last_clicked": {"lat": …, "lng": …}}``, a JSON widget state under the component's
   widget id) in a rerun of the map's fragment, as the component's frontend sends it;
4. sends an input: the form's widget states (category, text) and the submit button's
   trigger in a rerun; acknowledged when the page answers «Takk … KI-nnnnnn».

A page view is timed from opening the websocket to Streamlit's `script_finished` (so a
handshake that waits counts); a submit from the pin's rerun request to the «Takk».
Afterwards the database is read: every acknowledged reference must be stored, with the pin.

Each resident is one browser with its own cookies: every page view first loads the page
(index.html; a balancer's affinity cookie comes with it) and then opens the websocket with
those cookies, as Chromium does. A page view is timed from that load.

The server is started as `make run` starts it (`streamlit run serve.py`, the shipped
.streamlit/config.toml) on a copy of the demo data, rate limits off for the load
(KARTINNSPILL_RATE_LIMITS=off: every resident comes from 127.0.0.1). ``--cwd`` runs
another checkout of the app (the code before a change) with this driver.

``--url`` drives a server that is already running instead — `make cluster`, whose balancer
keeps each resident on one replica by its cookie (the report counts residents per replica
and any who were moved). The database to check is ``--db`` (a DuckDB path or a
``postgresql://`` URL), by default ``KARTINNSPILL_DB`` (from data/cluster.env). That server
must run with KARTINNSPILL_RATE_LIMITS=off too. Each run marks its texts with a run id, so
earlier runs on the same database are not counted.

Run: .venv/bin/python bench/load.py --residents 200 --over 60
     .venv/bin/python bench/load.py --residents 20 --one-at-a-time   # each one's CPU, no crowd
     KARTINNSPILL_RATE_LIMITS=off make cluster REPLICAS=2      # elsewhere, then:
     set -a; . data/cluster.env; set +a
     .venv/bin/python bench/load.py --url http://127.0.0.1:8501 --residents 600 --over 60 --cluster data

The server CPU time spent during the arrivals is reported too (make run's process; with
``--cluster``, each replica, HAProxy and PostgreSQL): on a shared machine a resident's cost
in CPU says more than wall-clock waits.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.wire, as tests import it

from bench.wire import (
    AFFINITY,
    BORGEN,
    ROOT,
    Browser,
    cpu_seconds,
    percentile,
    seeded_database,
    server,
    state,
)
from consultations.ui.warmup import READY_PATH

REF = re.compile(r"KI-(\d{6})")
MARK = "Lasttest"


@dataclass
class Outcome:
    views: list[float] = field(default_factory=list)
    submit: float | None = None
    reference: str | None = None
    pin: tuple[float, float] | None = None
    failure: str | None = None
    replicas: list[str | None] = field(default_factory=list)  # the affinity cookie, per step


def text_of(mark: str, n: int) -> str:
    return f"{mark} {n}: en trygg sykkelvei forbi skolen her."


def resident(
    url: str, n: int, pin: tuple[float, float], timeout: float, mark: str = MARK, out: Outcome | None = None
) -> Outcome:
    """One resident's visit; ``out`` (filled in as it goes) lets a caller watch it under way."""
    out = out if out is not None else Outcome()
    out.pin = pin
    query = f"id={BORGEN}"
    browser = Browser(url)
    try:
        for view in range(2):
            start = time.perf_counter()
            browser.load(query, timeout=timeout)
            s = browser.session(open_timeout=timeout)
            page = s.run(query, timeout=timeout)
            out.views.append(time.perf_counter() - start)
            out.replicas.append(browser.cookie(AFFINITY))
            if page.exceptions:
                raise RuntimeError(page.exceptions[0])
            if view == 0:
                s.close()
        folium = page.widget("component_instance", contains="st_folium")
        click = state(folium.id, json_value={"last_clicked": {"lat": pin[0], "lng": pin[1]}})
        start = time.perf_counter()
        s.run(query, [click], fragment_id=folium.fragment_id, timeout=timeout)
        category = page.widget("selectbox", "Kategori")
        text = page.widget("text_area", "Ditt innspill")
        submit = page.widget("button", "Send innspill")
        answer = s.run(
            query,
            [
                click,
                state(category.id, string_value="Gange og sykkel"),
                state(text.id, string_value=text_of(mark, n)),
                state(submit.id, trigger_value=True),
            ],
            fragment_id=submit.fragment_id,  # as the browser: a form in a fragment reruns that fragment
            timeout=timeout,
        )
        out.submit = time.perf_counter() - start
        out.replicas.append(browser.cookie(AFFINITY))
        s.close()
        thanks = [a for a in answer.alerts if a.startswith("Takk")]
        if not thanks or not (m := REF.search(thanks[0])):
            raise RuntimeError(f"no «Takk»: {answer.alerts or answer.exceptions}")
        out.reference = m.group(1)
    except Exception as exc:  # noqa: BLE001 - every failure is a failed session, counted
        out.failure = f"{type(exc).__name__}: {exc}"[:200]
    return out


def stored(db: Path | str, mark: str) -> list[tuple[int, str, float | None]]:
    """(reference, text, latitude) of every input this run sent that the database holds."""
    from consultations.store import Store

    store = Store.open(db)
    try:
        return [(i.id, i.text, i.lat) for i in store.all_inputs(BORGEN) if i.text.startswith(f"{mark} ")]
    finally:
        store.close()


def plan_area(db: Path | str):
    from consultations.store import Store

    store = Store.open(db)
    try:
        return store.get_consultation(BORGEN).area
    finally:
        store.close()


def arrivals(url: str, pins: list, over: float, timeout: float, mark: str) -> tuple[list[Outcome], float]:
    """Every resident on its own thread, arriving evenly spread over ``over`` seconds."""
    outcomes = [Outcome() for _ in pins]
    begin = time.perf_counter()

    def arrive(k: int) -> None:
        time.sleep(max(0.0, begin + k * over / len(pins) - time.perf_counter()))
        outcomes[k] = resident(url, k, pins[k], timeout, mark)

    threads = [threading.Thread(target=arrive, args=(k,)) for k in range(len(pins))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes, time.perf_counter() - begin


def one_by_one(url: str, pins: list, timeout: float, mark: str, spent) -> tuple[list[Outcome], float, list[float]]:
    """The residents one after another, none waiting for another: what each costs the
    server (``spent()``: its CPU seconds so far) without the queueing a crowd adds, which on
    a shared machine also inflates CPU time. Gives the outcomes, the time, each one's CPU."""
    outcomes, costs = [], []
    begin = time.perf_counter()
    for k, pin in enumerate(pins):
        before = spent()
        outcomes.append(resident(url, k, pin, timeout, mark))
        costs.append(spent() - before)
    return outcomes, time.perf_counter() - begin, costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--over", type=float, default=60, help="arrivals spread over this many s")
    parser.add_argument("--published", type=int, default=0, help="fill Borgen up to this many")
    parser.add_argument("--cwd", type=Path, default=ROOT, help="the checkout of the app to run")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--url", help="a running server or balancer (make cluster) to drive")
    parser.add_argument("--db", help="with --url: its database (default: KARTINNSPILL_DB)")
    parser.add_argument(
        "--cluster",
        type=Path,
        metavar="DATA",
        help="with --url: make cluster's data directory, to count the CPU time of its processes",
    )
    parser.add_argument(
        "--one-at-a-time",
        action="store_true",
        help="residents one after another (ignores --over): each one's server CPU, no crowd",
    )
    args = parser.parse_args()

    from consultations import geo

    mark = f"{MARK} {secrets.token_hex(3)}"
    costs: list[float] = []
    load_before = os.getloadavg()
    log = ""
    if args.url:
        db = args.db or os.environ.get("KARTINNSPILL_DB")
        if not db:
            parser.error("--url needs --db or KARTINNSPILL_DB (set -a; . data/cluster.env; set +a)")
        first_page(args.url, args.timeout)  # an empty database gets the demo data here
        servers = cluster_processes(args.cluster) if args.cluster else {}
        for port in replica_ports(args.cluster) if args.cluster else ():
            warm(f"http://127.0.0.1:{port}", args.timeout)
            first_page(f"http://127.0.0.1:{port}", args.timeout)  # every replica's own first run
        pins = geo.random_points(plan_area(db), args.residents, random.Random(7))
        cpu = {name: cpu_seconds(pid, tree) for name, (pid, tree) in servers.items()}
        if args.one_at_a_time:
            spent = lambda: sum(cpu_seconds(pid, tree) for pid, tree in servers.values())  # noqa: E731
            outcomes, took, costs = one_by_one(args.url, pins, args.timeout, mark, spent)
        else:
            outcomes, took = arrivals(args.url, pins, args.over, args.timeout, mark)
        cpu = {name: cpu_since(pid, tree, cpu[name]) for name, (pid, tree) in servers.items()}
        rows = stored(db, mark)
        target = args.url
    else:
        with tempfile.TemporaryDirectory() as tmp:
            db = seeded_database(Path(tmp) / "load.duckdb", args.published)
            pins = geo.random_points(plan_area(db), args.residents, random.Random(7))
            with server(db, Path(tmp) / "server.log", cwd=args.cwd) as app:
                warm(app.url, args.timeout)
                first_page(app.url, args.timeout)
                before = cpu_seconds(app.proc.pid)
                if args.one_at_a_time:
                    spent = lambda: cpu_seconds(app.proc.pid)  # noqa: E731
                    outcomes, took, costs = one_by_one(app.url, pins, args.timeout, mark, spent)
                else:
                    outcomes, took = arrivals(app.url, pins, args.over, args.timeout, mark)
                cpu = {"streamlit": cpu_seconds(app.proc.pid) - before}
                log = app.log()
            rows = stored(db, mark)
        target = f"make run's server, code: {args.cwd}"
    load_after = os.getloadavg()
    report(outcomes, rows, mark, target, args, took, load_before, load_after, log, cpu)
    if args.one_at_a_time and costs and servers_known(cpu):
        print(
            f"server CPU a resident, one at a time: median {statistics.median(costs) * 1000:.0f} ms  "
            f"(min {min(costs) * 1000:.0f}, max {max(costs) * 1000:.0f})"
        )


def warm(url: str, timeout: float) -> None:
    """Until the server says it has run its pages itself (consultations/ui/warmup.py), so
    its warm-up is not counted as the residents' CPU; an app without that address (404, an
    older checkout) is taken as it is."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with opener.open(url.rstrip("/") + READY_PATH, timeout=10):
                return
        except urllib.error.HTTPError as e:
            if e.code != 503:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready within {timeout:.0f} s")


def first_page(url: str, timeout: float) -> None:
    """One page before the clock starts: the server's first run imports the app (and, on an
    empty database with KARTINNSPILL_DEMO=1, loads the demo data) — a cost paid once, not
    by a resident of the crowd."""
    session = Browser(url).session(open_timeout=timeout)
    try:
        session.run(f"id={BORGEN}", timeout=timeout)
    finally:
        session.close()


def servers_known(cpu: dict) -> bool:
    """Every server process's CPU time was read (none died during the run)."""
    return bool(cpu) and all(v is not None for v in cpu.values())


def cpu_since(pid: int, tree: bool, before: float) -> float | None:
    """CPU seconds a process spent since ``before``; ``None`` if it died meanwhile (a replica
    that crashed: `make cluster` restarts it under a new pid)."""
    try:
        return cpu_seconds(pid, tree) - before
    except OSError:
        return None


def replica_ports(data: Path) -> list[int]:
    state = json.loads((data / "cluster" / "state.json").read_text())
    return [r["port"] for r in state["replicas"]]


def cluster_processes(data: Path) -> dict[str, tuple[int, bool]]:
    """name → (pid, count its children too) of what `make cluster` runs in ``data``."""
    state = json.loads((data / "cluster" / "state.json").read_text())
    found = {r["name"]: (r["pid"], False) for r in state["replicas"]}
    found["haproxy"] = (state["balancer"]["pid"], False)
    postmaster = int((data / "pg" / "postmaster.pid").read_text().split("\n", 1)[0])
    found["postgres"] = (postmaster, True)  # a backend process per pooled connection
    return found


def report(outcomes, rows, mark, target, args, took, load_before, load_after, log, cpu) -> None:
    views = [v for o in outcomes for v in o.views]
    submits = [o.submit for o in outcomes if o.submit is not None and o.reference]
    acked = {int(o.reference): o for o in outcomes if o.reference}
    failed = [o for o in outcomes if o.failure]
    by_ref = {ref: (text, lat) for ref, text, lat in rows}
    copies = collections.Counter(text for _ref, text, _lat in rows)
    lost = [ref for ref in acked if ref not in by_ref]
    pinless = [ref for ref in acked if ref in by_ref and by_ref[ref][1] is None]
    twice = [text for text, n in copies.items() if n > 1]
    print(
        f"target: {target}   residents: {args.residents} over {args.over:.0f} s "
        f"(all done after {took:.0f} s)   run mark: «{mark}»"
    )
    print(
        "load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}   after: {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )
    print(
        f"page view  p50 {statistics.median(views):.3f} s  p95 {percentile(views, 0.95):.3f} s  "
        f"max {max(views):.3f} s  ({len(views)} views)"
        if views
        else "page view: none"
    )
    if submits:
        print(f"submit     p50 {statistics.median(submits):.3f} s  p95 {percentile(submits, 0.95):.3f} s")
    print(
        f"failed sessions {len(failed)}   acknowledged {len(acked)}   stored {len(rows)}   "
        f"acknowledged but not stored {len(lost)}   stored more than once {len(twice)}   "
        f"stored without the pin {len(pinless)}"
    )
    died = [name for name, spent in cpu.items() if spent is None]
    if cpu and not died:
        per_resident = sum(cpu.values()) / max(1, len(outcomes))
        print(
            "server CPU during the run: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in cpu.items())
            + f"   ({per_resident * 1000:.0f} ms a resident)"
        )
    for name in died:
        print(f"  DIED during the run: {name} (its CPU time is unknown; see its log in the cluster's data)")
    served = collections.Counter(o.replicas[0] for o in outcomes if o.replicas and o.replicas[0])
    if served:
        moved = sum(1 for o in outcomes if len({r for r in o.replicas if r}) > 1)
        print(
            "replicas (first page view): "
            + ", ".join(f"{k} {v}" for k, v in sorted(served.items()))
            + f"   residents moved to another replica: {moved}"
        )
    for reason in sorted({o.failure for o in failed})[:5]:
        print("  failure:", reason)
    if failed and "Traceback" in log:
        print("  server log (tail):", log[-800:].replace("\n", "\n    "))


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        raise
