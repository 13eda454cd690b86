"""Warm before traffic in `make cluster`: a replica gets visitors from HAProxy only once it
has run its pages itself (consultations/ui/warmup.py) — at the start, and again after it
died and was started anew."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.live_server import haproxy_status

DONE = "kartinnspill-warmup done"


def test_a_restarted_replica_is_back_in_the_balancer_only_after_its_warmup(start_cluster):
    run = start_cluster(replicas=1, restart=True)
    state = run.state()
    (replica,) = state["replicas"]
    log = Path(replica["log"])  # appended to by every process the replica runs as
    assert log.read_text().count(DONE) == 1  # ready at the start: warm before the balancer
    stats = state["balancer"]["stats_socket"]
    assert haproxy_status(stats)[replica["name"]] == "UP"

    os.kill(replica["pid"], signal.SIGKILL)
    # Back in rotation means: a new process, which has logged its own warm-up (HAProxy asks
    # /_kartinnspill/ready, which answers 200 only after it: tests/test_warmup.py). On a quiet
    # machine the new process may be warm within HAProxy's two failed checks, so the replica
    # need not be seen DOWN on the way.
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = haproxy_status(stats)[replica["name"]]
        if not seen or seen[-1] != status:
            seen.append(status)
        restarted = run.state()["replicas"][0]["pid"] != replica["pid"]
        if status == "UP" and restarted and DONE in _newest_process(log.read_text()):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"replica not back in the balancer, warm: {seen}\n{run.log()}")


def _newest_process(text: str) -> str:
    """What the replica's newest process wrote to its log (each process starts with
    Streamlit's «You can now view» lines; the file may hold the earlier ones too)."""
    return text.rsplit("You can now view your Streamlit app", 1)[-1]
