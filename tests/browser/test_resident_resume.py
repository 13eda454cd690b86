"""A resident's session resumed from another browser starts empty (security finding N6).

Streamlit resumes a disconnected session for two minutes for whoever sends its id (it is in
the upload addresses, so in proxy logs). Before, the other browser saw what the resident's
session held: the place chosen on the map, the form, the receipt. Here a resident sets a pin
and types an input, then closes the tab; a second browser context (its own cookies, as
another computer) resumes that very session: no pin, an empty form.
"""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    BORGEN,
    RESUME_SCRIPT,
    SLOW_MS,
    pin_map_centre,
    record_session_ids,
    wait_for_map,
    wait_idle,
)

TYPED = "Hemmelig utkast: Kari Nordmann, Borgenveien 2, ringer om fortauet."


def test_a_resident_session_resumed_from_another_browser_starts_empty(app_server, browser_page: Page, _browser):
    page = browser_page
    session_ids = record_session_ids(page)
    page.goto(f"{app_server.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page, SLOW_MS)
    fl = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
    pin_map_centre(page, fl)
    wait_idle(page, SLOW_MS)
    box = page.get_by_role("textbox", name="Ditt innspill", exact=True)
    box.fill(TYPED)
    box.press("Tab")  # the value goes to the server
    wait_idle(page, SLOW_MS)
    assert session_ids, "the page never received its session id"
    stolen = session_ids[-1]
    page.close()  # Streamlit keeps the session resumable for two minutes

    other = _browser.new_context(locale="nb-NO", service_workers="block")
    try:
        other.add_init_script(RESUME_SCRIPT % json.dumps(stolen))
        thief = other.new_page()
        resumed = record_session_ids(thief)
        thief.goto(f"{app_server.url}/?id={BORGEN}")
        box = thief.get_by_role("textbox", name="Ditt innspill", exact=True)
        expect(box).to_be_visible(timeout=SLOW_MS)
        wait_idle(thief)
        assert resumed and set(resumed) == {stolen}, (resumed, stolen)  # the resident's session
        expect(thief.get_by_text("Ingen nål er plassert ennå.").first).to_be_visible()
        assert thief.get_by_text("Valgt punkt").count() == 0
        expect(box).to_have_value("")
        assert TYPED not in thief.locator("body").inner_text()
    finally:
        other.close()
