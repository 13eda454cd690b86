"""One replica of `make cluster` dies while residents are sending inputs: every input a
resident got «Takk … KI-nnnnnn» for is stored exactly once, HAProxy takes the dead replica
out, and new visitors are served by the one left. The residents speak Streamlit's own
websocket protocol, as the browser does (bench/load.py, bench/wire.py)."""

from __future__ import annotations

import collections
import os
import random
import signal
import threading
import time

from bench.load import Outcome, resident, text_of
from bench.wire import BORGEN
from consultations import geo
from consultations.store import Store
from tests.live_server import haproxy_status

RESIDENTS = 30
OVER_S = 15.0
TIMEOUT_S = 60.0


def test_killing_a_replica_loses_no_acknowledged_input_and_new_visitors_reach_the_other(
    start_cluster,
):
    run = start_cluster(replicas=2)
    state = run.state()
    victim = next(r for r in state["replicas"] if r["name"] == "r1")
    mark = f"Failovertest {os.getpid()}"
    store = Store.open(run.db_url)
    try:
        pins = geo.random_points(store.get_consultation(BORGEN).area, RESIDENTS + 3, random.Random(3))
    finally:
        store.close()

    outcomes = [Outcome() for _ in range(RESIDENTS)]  # filled in by each resident as it goes
    begin = time.monotonic()

    def arrive(k: int) -> None:
        time.sleep(max(0.0, begin + k * OVER_S / RESIDENTS - time.monotonic()))
        resident(run.url, k, pins[k], TIMEOUT_S, mark, out=outcomes[k])

    def on_r1_under_way() -> list[int]:
        return [
            k
            for k, o in enumerate(outcomes)
            if o.replicas and o.replicas[-1] == "r1" and not (o.reference or o.failure)
        ]

    threads = [threading.Thread(target=arrive, args=(k,)) for k in range(RESIDENTS)]
    for t in threads:
        t.start()
    # kill r1 once someone has been thanked on it and someone else is in the middle of a visit there
    deadline = time.monotonic() + OVER_S
    while time.monotonic() < deadline:
        if any(o.reference and o.replicas[-1] == "r1" for o in outcomes) and on_r1_under_way():
            break
        time.sleep(0.01)
    hit = on_r1_under_way()
    os.kill(victim["pid"], signal.SIGKILL)
    for t in threads:
        t.join()
    assert hit, "r1 was not killed while a resident was using it"

    # HAProxy finds r1 dead by its health check
    stats = state["balancer"]["stats_socket"]
    deadline = time.monotonic() + 30
    while haproxy_status(stats).get("r1") != "DOWN" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert haproxy_status(stats) == {"r1": "DOWN", "r2": "UP"}, haproxy_status(stats)

    # new visitors: served by r2, and thanked
    newcomers = [resident(run.url, RESIDENTS + j, pins[RESIDENTS + j], TIMEOUT_S, mark) for j in range(3)]
    for o in newcomers:
        assert o.reference and not o.failure, o
        assert set(o.replicas) == {"r2"}, o.replicas

    everyone = [*outcomes, *newcomers]
    store = Store.open(run.db_url)
    try:
        rows = [i for i in store.all_inputs(BORGEN) if i.text.startswith(f"{mark} ")]
    finally:
        store.close()
    copies = collections.Counter(i.text for i in rows)
    by_text = {i.text: i for i in rows}
    thanked = [(k, o) for k, o in enumerate(everyone) if o.reference]
    assert len(thanked) >= RESIDENTS // 2, [(o.replicas, o.failure) for o in everyone]
    for k, o in thanked:
        text = text_of(mark, k)
        assert copies[text] == 1, (text, copies[text])  # stored exactly once
        assert f"{by_text[text].id:06d}" == o.reference
        assert by_text[text].lat is not None
    assert all(n == 1 for n in copies.values()), copies  # nobody's input twice, thanked or not

    # who failed was on the replica that died (or was being sent to it); all on r2 got through
    failed = [o for o in everyone if o.failure]
    assert all("r1" in o.replicas or not o.replicas for o in failed), [(o.replicas, o.failure) for o in failed]
