"""«Vi hørte – vi gjør» on the consultation page is shared by every session (issue 26):
written once per data version by one of the page runs asking at the same time (each on
its own thread), the same for all of them, and again after a write. Its quotes come from
plain lookups, safe from many threads at once. And the soak's probe no longer breaks page
runs (``gc.get_objects()`` from its thread made pandas fail with a SystemError)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from consultations.casework.review import tag
from consultations.model import InputDraft
from consultations.outputs import feedback
from consultations.participation.submission import submit_input
from consultations.ui.per_version import PerVersion
from tests.conftest import INSIDE, NOW, make_consultation, staff

ROOT = Path(__file__).resolve().parent.parent
THREADS = 8
TRAFFIC = "Trafikk og trafikksikkerhet"


def _consultation_with_inputs(store):
    c = make_consultation("trader")
    store.add_consultation(c)
    ids = [
        submit_input(
            store,
            c.id,
            InputDraft(TRAFFIC, f"Innspill {k}: et fortau langs skoleveien ved krysset.", *INSIDE),
            session=f"s{k}",
            now=NOW,
        ).id
        for k in range(12)
    ]
    tag(store, ids[:6], "Skolevei", staff(store))
    return c, ids


def _all_at_once(call, n: int = THREADS) -> list:
    start = threading.Barrier(n)

    def one(_k):
        start.wait()
        return call()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_masked_quotes_from_many_threads_at_once_are_the_same_as_from_one(store):
    c, ids = _consultation_with_inputs(store)
    frame = store.analysis_frame(c.id)
    alone = feedback.masked_quotes(frame, ids, "nb")
    assert len(alone) == feedback.QUOTES

    def many_times():
        return [feedback.masked_quotes(frame, ids[k:], "nb") for k in range(len(ids))]

    expected = many_times()
    assert all(got == expected for got in _all_at_once(many_times))
    assert expected[0] == alone


def test_the_public_table_is_written_once_per_data_version_for_every_thread_asking(store):
    c, ids = _consultation_with_inputs(store)
    shared: PerVersion[tuple] = PerVersion()  # fresh=0: written again for every new version
    written = []

    def make():
        written.append(threading.get_ident())
        time.sleep(0.05)  # the others arrive while it is being written
        return tuple(feedback.table(store, c.id, "nb"))

    first = _all_at_once(lambda: shared.get(store, (c.id, "nb"), make))
    assert len(written) == 1 and all(got is first[0] for got in first)
    assert {r.key: r.count for r in first[0]} == {"tag:Skolevei": 6, f"category:{TRAFFIC}": 12}

    tag(store, ids[6:8], "Skolevei", staff(store))  # a write: a new data version
    again = _all_at_once(lambda: shared.get(store, (c.id, "nb"), make))
    assert len(written) == 2 and all(got is again[0] for got in again)
    assert {r.key: r.count for r in again[0]}["tag:Skolevei"] == 8


def test_the_soak_probe_reports_without_asking_for_every_object(tmp_path):
    """gc.get_objects() hands back a reference to every tuple another thread is still
    building; that thread's resize then fails (CPython 3.11). The probe must not call it."""
    probe = tmp_path / "probe.jsonl"
    script = (
        "import gc, time\n"
        "calls = []\n"
        "gc.get_objects = lambda *a, **k: calls.append(1) or []\n"
        "deadline = time.monotonic() + 30\n"
        f"while time.monotonic() < deadline and len(open({str(probe)!r}).read().splitlines()) < 2:\n"
        "    time.sleep(0.05)\n"
        "print('calls', len(calls))\n"
    )
    probe.write_text("")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "bench" / "soak_probe"),
        "KARTINNSPILL_SOAK_PROBE": str(probe),
        "KARTINNSPILL_SOAK_PROBE_EVERY": "0.05",
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(probe.read_text().splitlines()) >= 2  # the probe ran
    assert done.stdout.strip() == "calls 0"


def test_a_shared_table_follows_others_writes_within_its_freshness_and_ones_own_at_once(store, monkeypatch):
    from consultations.ui import per_version

    now = [100.0]
    monkeypatch.setattr(per_version, "_clock", lambda: now[0])
    c, ids = _consultation_with_inputs(store)
    shared: PerVersion[int] = PerVersion(fresh=1.0)
    count = lambda: {r.key: r.count for r in feedback.table(store, c.id, "nb")}["tag:Skolevei"]  # noqa: E731
    assert shared.get(store, c.id, count) == 6
    tag(store, ids[6:7], "Skolevei", staff(store))  # someone else's write, 0.5 s later
    now[0] += 0.5
    assert shared.get(store, c.id, count) == 6
    assert shared.get(store, c.id, count, since=store.data_version) == 7  # the asker's own write
    tag(store, ids[7:8], "Skolevei", staff(store))
    now[0] += 1.0  # older than its freshness
    assert shared.get(store, c.id, count) == 8


def test_the_page_shows_or_takes_away_the_table_at_once_when_planners_publish_or_withdraw(store, monkeypatch):
    """Within the table's freshness, a publication or a withdrawal still shows at the
    next page run (``feedback_published`` is part of its key)."""
    from consultations.ui import medvirkning

    shown = []

    class Page:  # what public_view writes, instead of a Streamlit page
        def html(self, markup):
            shown.append(markup)

        def subheader(self, *args, **kwargs):
            pass

        caption = subheader

    monkeypatch.setattr(medvirkning, "st", Page())
    c, _ids = _consultation_with_inputs(store)
    kari = staff(store)
    feedback.set_follow_up(store, c.id, f"category:{TRAFFIC}", "planprogram", "Vi ser på fortauene.", "", kari)

    def page() -> str | None:
        shown.clear()
        medvirkning.public_view(store, c, "nb")
        return shown[0] if shown else None

    assert page() is None
    feedback.publish(store, c.id, True, kari)
    assert "Vi ser på fortauene." in page()
    feedback.publish(store, c.id, False, kari)
    assert page() is None
