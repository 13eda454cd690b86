"""A resident's path through `make cluster` — HAProxy in front of two replicas on one
PostgreSQL — in a real Chromium: the pin and a photo upload reach the database, the
browser stays on the replica the balancer gave it (the upload goes to the process that
holds the session), and a second visitor on the other replica sees the input."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.helpers import (
    BORGEN,
    REF,
    choose_option,
    open_consultation_from_home,
    phone_photo,
    wait_for_map,
    wait_idle,
)

AFFINITY = "kartinnspill-replica"
# one HAProxy httplog line: client, [time], frontend, backend/server, … "METHOD path"
SERVED = re.compile(r'\] kartinnspill replicas/(\w+) .*"(\w+) (\S+) HTTP')


def _replica(page: Page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == AFFINITY), None)


def _served(run) -> list[tuple[str, str, str]]:
    """(replica, method, path) of every request the balancer has logged so far (at its end)."""
    log = Path(run.state()["balancer"]["log"]).read_text(errors="replace")
    return [m.groups() for m in SERVED.finditer(log)]


def test_resident_pins_and_uploads_through_the_balancer_and_stays_on_one_replica(
    start_cluster, browser_page: Page, _browser, tmp_path
):
    run = start_cluster(replicas=2)

    # a first visitor opens the consultation and keeps its websocket open on one replica
    other = _browser.new_context(locale="nb-NO", service_workers="block")
    other.set_default_timeout(DEFAULT_TIMEOUT_MS)
    watcher = other.new_page()
    try:
        watcher.goto(f"{run.url}/?id={BORGEN}")
        wait_for_map(watcher)
        wait_idle(watcher)
        watcher_replica = _replica(watcher)

        # the resident arrives by the home page: leastconn gives it the other replica
        page = browser_page
        open_consultation_from_home(page, run.url)
        resident_replica = _replica(page)
        assert {watcher_replica, resident_replica} == {"r1", "r2"}, (
            watcher_replica,
            resident_replica,
        )

        fl, _ = wait_for_map(page)
        wait_idle(page)
        fl.locator("#map_div").click()  # the map is fitted to the plan area: its centre is inside
        expect(page.get_by_text("Valgt punkt").first).to_be_visible()
        choose_option(page, "Kategori", "Trafikk og trafikksikkerhet")
        text = f"Klyngetest {uuid.uuid4().hex[:12]}: fotgjengerfelt ved skolen trengs."
        page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(text)
        page.get_by_text("Bilder (valgfritt)", exact=True).click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            str(phone_photo(tmp_path / "skolevei.jpg"))
        )
        expect(page.get_by_text("skolevei.jpg").first).to_be_visible()
        alt = f"Skolevei {uuid.uuid4().hex[:6]}"
        page.get_by_role("textbox", name="Hva viser bilde 1? (påkrevd, høyst 150 tegn)").fill(alt)
        wait_idle(page)
        page.get_by_role("button", name="Send innspill").click()
        thanks = page.locator('[data-testid="stAlert"]').filter(has_text="Takk").first
        expect(thanks).to_be_visible()
        reference = REF.search(thanks.inner_text())
        assert reference, thanks.inner_text()
        assert _replica(page) == resident_replica  # never moved

        # an input with a photo waits for a planner (security N10); one publishes it
        from consultations.casework import review
        from consultations.model import InputStatus
        from consultations.store import Store
        from tests.conftest import staff

        store = Store.open(run.db_url)
        try:
            (held,) = [i for i in store.all_inputs(BORGEN) if i.text == text]
            assert held.status == InputStatus.PENDING
            review.publish(store, [held.id], staff(store))
        finally:
            store.close()

        # the watcher, still on its own replica, sees the input and its photo after a reload
        watcher.reload()
        wait_idle(watcher)
        expect(watcher.get_by_text(text).first).to_be_visible()
        expect(watcher.locator(f'.ki-photos img[alt="{alt}"]')).to_be_visible()
        assert _replica(watcher) == watcher_replica
    finally:
        other.close()
    page.close()  # the balancer logs a websocket when it ends

    # every request of the resident's — page, static files, websocket, the photo's upload —
    # went to its replica (the watcher's all went to the other one)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        resident_replica,
        "GET",
        "/_stcore/stream",
    ) not in _served(run):
        time.sleep(0.2)
    served = _served(run)
    uploads = {r for r, method, path in served if path.startswith("/_stcore/upload_file")}
    assert uploads == {resident_replica}, served
    streams = [r for r, _m, path in served if path == "/_stcore/stream"]
    assert streams.count(resident_replica) >= 1 and streams.count(watcher_replica) >= 2, served

    from consultations.store import Store

    store = Store.open(run.db_url)
    try:
        (stored,) = [i for i in store.all_inputs(BORGEN) if i.text == text]
        assert f"KI-{stored.id:06d}" == reference.group(0)
        assert stored.lat is not None and stored.lon is not None
        (photo,) = [p for p in store.published_photos(BORGEN) if p.input_id == stored.id]
        assert photo.alt_text == alt
    finally:
        store.close()
