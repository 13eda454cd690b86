"""A resident's path through the running app, in a real Chromium.

What only a browser can show: a click on the Leaflet map becomes a pin and an input in
the database; the map works with no request leaving the app's host; user-written HTML
in a published input is shown as text and runs nothing; a shared link opens the
consultation on the first visit after a start.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    BORGEN,
    CATEGORY,
    CONSULTATION_PATH,
    REF,
    choose_option,
    off_host,
    open_consultation_from_home,
    page_not_found_dialog,
    pin_map_centre,
    wait_for_map,
    wait_idle,
)

# One marker per sort of attack: tag with handler, script tag, markdown link to javascript:.
PAYLOAD = (
    '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> **fet** [lenke](javascript:window.__xss=3)'
)


# --------------------------------------------------------------------------- tests


def test_resident_pins_and_sends_input_from_home_page(app_server, browser_page: Page):
    page = browser_page
    open_consultation_from_home(page, app_server.url)

    fl, _ = wait_for_map(page)
    wait_idle(page)
    # The map is fitted to the plan area, so its centre lies inside it.
    pin_map_centre(page, fl)

    choose_option(page, "Kategori", CATEGORY)
    text = f"Nettlesertest {uuid.uuid4().hex[:12]}: fotgjengerfelt ved skolen trengs."
    page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(text)
    page.get_by_role("button", name="Send innspill").click()

    thanks = page.get_by_text(re.compile(r"^\s*Takk")).first
    expect(thanks).to_be_visible()
    shown = thanks.inner_text()
    if not REF.search(shown):  # the reference may sit in the alert next to the first line
        alert = thanks.locator("xpath=ancestor::*[@data-testid='stAlert'][1]")
        shown = alert.inner_text() if alert.count() else page.locator("body").inner_text()
    assert REF.search(shown), f"no reference KI-nnnnnn in the thank-you message: {shown!r}"

    app_server.stop()  # DuckDB: one process per file
    con = duckdb.connect(str(app_server.db_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT lat, lon, status, consultation_id, category FROM inputs WHERE text = ?",
            [text],
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1, rows
    lat, lon, status, consultation_id, category = rows[0]
    assert lat is not None and lon is not None, rows[0]
    assert status == "published", rows[0]
    assert consultation_id == BORGEN, rows[0]
    assert category == CATEGORY, rows[0]


def test_no_request_leaves_the_app_host_with_tiles_none(app_server, browser_page: Page):
    page = browser_page
    seen: list[str] = page.requests_seen  # type: ignore[attr-defined]

    page.goto(app_server.url)
    expect(page.get_by_role("heading", name="Si din mening om planer i kommunen")).to_be_visible()
    page.wait_for_load_state("networkidle")

    page.goto(f"{app_server.url}{CONSULTATION_PATH}")
    try:
        _, frame = wait_for_map(page)
        map_error = None
    except PlaywrightError as e:  # e.g. Leaflet asked of a CDN: report the URLs first
        frame, map_error = None, e
    page.wait_for_load_state("networkidle")
    time.sleep(0.5)  # late image/tile requests inside the iframe
    page.wait_for_load_state("networkidle")

    distinct = sorted(set(seen))
    bad = off_host(distinct, app_server.port)
    assert not bad, (
        "requests left the app host:\n" + "\n".join(bad) + ("\n--- all distinct URLs ---\n" + "\n".join(distinct))
    )
    if map_error is not None:
        raise map_error
    vendor = [u for u in distinct if urlsplit(u).path.startswith("/app/static/vendor/")]
    assert vendor, "no request to /app/static/vendor/ (self-hosted Leaflet):\n" + "\n".join(distinct)
    assert frame.evaluate("typeof window.L") != "undefined"


def _seed_html_input(db_path: Path) -> None:
    """Demo data plus PAYLOAD twice: once for the whole area (list only), once pinned
    inside the plan area (list and map popup)."""
    import random

    from consultations import geo
    from consultations.demo import seed_demo
    from consultations.model import InputDraft
    from consultations.store import Store
    from consultations.participation.submission import submit_input

    store = Store.open(db_path)
    try:
        seed_demo(store)
        c = store.get_consultation(BORGEN)
        whole = InputDraft(category=c.categories[0], text=PAYLOAD, whole_area=True)
        submit_input(store, c.id, whole, session="test")
        ((lat, lon),) = geo.random_points(c.area, 1, random.Random(7))
        pinned = InputDraft(category=c.categories[0], text=PAYLOAD, lat=lat, lon=lon)
        submit_input(store, c.id, pinned, session="test-2")
    finally:
        store.close()


# Inside the map iframe: find the marker of the published input carrying PAYLOAD among
# the clustered markers, zoom in until clustering stops and mark its icon for a click.
# Polled: the map may be redrawn by a late rerun, and the zoom is then asked again.
_SHOW_PAYLOAD_MARKER = """
() => {
    const map = window.map;
    if (!map) return false;
    const groups = Object.values(map._layers).filter((l) => l && l.getLayers && l.zoomToShowLayer);
    for (const g of groups) {
        for (const m of g.getLayers()) {
            const p = m.getPopup && m.getPopup();
            const content = p && p.getContent();
            if (typeof content === "string" && content.includes("__xss")) {
                if (m._map && m._icon) {
                    m._icon.setAttribute("data-test", "payload-marker");
                    return true;
                }
                if (map.getZoom() !== map.getMaxZoom() || !map.getBounds().contains(m.getLatLng())) {
                    map.setView(m.getLatLng(), map.getMaxZoom(), {animate: false});
                }
                return false;
            }
        }
    }
    return false;
}
"""


def test_html_in_published_input_shows_as_text_and_runs_nothing(start_app, browser_page: Page):
    server = start_app(prepare=_seed_html_input)
    page = browser_page
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)

    page.goto(f"{server.url}{CONSULTATION_PATH}")
    fl, map_frame = wait_for_map(page)
    wait_idle(page)
    if page_not_found_dialog(page).count():  # covered by its own test; not this one's subject
        page.keyboard.press("Escape")

    # The list below the map shows the text as typed.
    literal = page.get_by_text("<script>window.__xss=2</script>", exact=False).first
    expect(literal).to_be_visible()
    expect(page.get_by_text('<img src=x onerror="window.__xss=1">', exact=False).first).to_be_visible()

    # The map popup shows it as text too: a click on its marker opens it.
    map_frame.wait_for_function(_SHOW_PAYLOAD_MARKER, polling=250)
    fl.locator('[data-test="payload-marker"]').dispatch_event("click")
    popup = fl.locator(".leaflet-popup-content").first
    expect(popup).to_contain_text('<img src=x onerror="window.__xss=1">')
    assert popup.locator("img, script").count() == 0

    page.wait_for_load_state("networkidle")  # give an injected <img src=x> time to error
    time.sleep(0.3)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert map_frame.evaluate("typeof window.__xss") == "undefined"
    for frame in page.frames:
        if frame.is_detached():
            continue
        assert frame.evaluate("typeof window.__xss") == "undefined", frame.url
    assert not dialogs, dialogs
    for doc in (page, fl):
        assert doc.locator('img[src="x"]').count() == 0
        assert doc.locator('a[href^="javascript:" i]').count() == 0


def test_shared_link_opens_the_consultation_on_a_first_visit(app_server, browser_page: Page):
    """A resident arriving by the municipality's link, the first visit after a start:
    the consultation, and no Streamlit "Page not found" dialog over it."""
    page = browser_page
    page.goto(f"{app_server.url}{CONSULTATION_PATH}")
    wait_for_map(page)
    wait_idle(page)
    expect(page.get_by_role("heading", name=re.compile("Borgen", re.I)).first).to_be_visible()
    expect(page_not_found_dialog(page)).to_have_count(0)
