"""Warm before traffic (consultations/ui/warmup.py): a server runs its pages once itself and
only then says ready on READY_PATH, the address HAProxy's health check asks."""

from __future__ import annotations

import time
import urllib.error
from datetime import UTC, datetime

from consultations.demo import seed_demo
from consultations.model import Phase
from consultations.ui import warmup
from consultations.ui.warmup import READY_PATH, Warmup, public_pages, self_url
from tests.live_server import NO_PROXY_OPENER, launch


def test_the_server_says_ready_only_after_it_has_run_the_start_page_and_the_consultations(demo_db, tmp_path):
    db = tmp_path / "warm.duckdb"
    db.write_bytes(demo_db.read_bytes())
    app = launch(db, tmp_path / "server.log", env={"KARTINNSPILL_WARMUP": "on"})  # as shipped
    try:
        app.wait_healthy(timeout=120)
        deadline = time.monotonic() + 300
        status = None
        while time.monotonic() < deadline:
            try:
                with NO_PROXY_OPENER.open(app.url + READY_PATH, timeout=5) as r:
                    status = r.status
                    break
            except urllib.error.HTTPError as e:
                assert e.code == 503  # warming up: not yet
            time.sleep(0.2)
        assert status == 200, app.log()[-2000:]
        (line,) = [x for x in app.log().splitlines() if x.startswith("kartinnspill-warmup done")]
        opened = line.split(": ", 1)[1].split(", ")
        assert opened[0] == "/" and "id=borgen-tettstedsutvikling" in opened
    finally:
        app.stop()


def test_the_pages_warmed_are_the_public_consultations_open_ones_first(store):
    seed_demo(store)
    now = datetime.now(UTC)
    pages = public_pages(store, now)
    phases = {listing.consultation.id: listing.consultation.phase(now) for listing in store.listings()}
    shown = [p.removeprefix("id=") for p in pages]
    assert shown and all(phases[c] != Phase.HIDDEN for c in shown)
    assert set(shown) == {c for c, p in phases.items() if p != Phase.HIDDEN}
    opened = [phases[c] == Phase.OPEN for c in shown]
    assert opened == sorted(opened, reverse=True)
    assert public_pages(None) == []  # the store not yet open: the start page alone


def test_a_server_warms_itself_on_loopback_when_it_listens_everywhere():
    assert self_url("", 8501) == "http://127.0.0.1:8501"
    assert self_url("0.0.0.0", 8501, "/kart/") == "http://127.0.0.1:8501/kart"
    assert self_url("10.0.0.5", 80, "") == "http://10.0.0.5:80"
    assert self_url("::1", 8501) == "http://[::1]:8501"


def test_without_warmup_it_is_ready_at_once_and_a_failed_warmup_still_ends_ready(monkeypatch):
    assert Warmup("http://127.0.0.1:1", list, enabled=False).ready.is_set()
    monkeypatch.setattr(warmup, "STARTUP_TIMEOUT_S", 0.5)
    failing = Warmup("http://127.0.0.1:1", list)  # nobody listens there
    assert not failing.ready.is_set()
    failing.start()
    assert failing.ready.wait(30)  # served cold rather than not at all
    assert failing.opened == []
