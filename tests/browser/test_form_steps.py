"""The resident's form as where → what → send, in a real Chromium (issue 22).

On a 375 px phone with a touch screen one part shows at a time: «Neste» brings the next
part and its heading gets the focus; what was typed survives going back, a pin set on the
map (which reruns the map) and a refused send, which shows the part to mend; a sent input
starts the next one at «where». On a wide screen every part shows, in order, with no
«Neste»."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.helpers import (
    BORGEN,
    CATEGORY,
    MAP_IFRAME,
    REF,
    STEP_SEND,
    STEP_WHAT,
    no_serious_axe,
    phone_step,
    wait_for_map,
    wait_idle,
)

PHONE = {"width": 375, "height": 812}
WHERE = "1 av 3 · Hvor gjelder det?"
WHAT = "2 av 3 · Hva vil du si?"
SEND = "3 av 3 · Send"
_FOCUSED = "() => document.activeElement ? document.activeElement.textContent.trim() : ''"


@pytest.fixture
def phone(_browser):
    context = _browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="nb-NO", service_workers="block"
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _tap_map_middle(page: Page) -> None:
    """Tap the map a little below its middle, once it is still and on the screen: after a
    refusal the page scrolls to the part to mend, and a box measured during that scroll
    puts the tap off the screen."""
    area = page.frame_locator(MAP_IFRAME).first.locator("#map_div")
    height = page.viewport_size["height"] if page.viewport_size else 812
    before = None
    for _ in range(20):
        area.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        b = area.bounding_box()
        assert b is not None
        y = b["y"] + b["height"] * 0.55
        if b == before and 0 < y < height:
            page.touchscreen.tap(b["x"] + b["width"] * 0.5, y)
            return
        before = b
    raise AssertionError(f"the map never came to rest on the screen: {before}")


def test_on_a_phone_the_form_is_where_then_what_then_send_and_keeps_what_was_typed(app_server, phone: Page):
    page = phone
    page.goto(f"{app_server.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page)
    heading = lambda name: page.get_by_role("heading", name=name, exact=True)  # noqa: E731
    send = page.get_by_role("button", name="Send innspill", exact=True)
    expect(heading(WHERE)).to_be_visible()
    expect(heading(WHAT)).to_be_hidden()
    expect(send).to_be_hidden()

    phone_step(page, STEP_WHAT)  # without a place first: the server will say so
    assert page.evaluate(_FOCUSED) == WHAT  # the new part's heading has the focus
    expect(page.locator(MAP_IFRAME).first).to_be_hidden()
    category = page.get_by_role("combobox", name="Kategori", exact=True)
    category.tap()
    page.get_by_role("option", name=CATEGORY, exact=True).tap()
    expect(category).to_have_value(CATEGORY)
    text = "Stegtest: en benk ved bussholdeplassen, og lys på stien om vinteren."
    page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(text)
    no_serious_axe(page, "the form's part 2 on a phone")
    phone_step(page, STEP_SEND)
    expect(heading(WHAT)).to_be_hidden()
    no_serious_axe(page, "the form's part 3 on a phone")
    send.tap()
    refused = page.get_by_text(re.compile("Klikk i kartet for å plassere innspillet"))
    expect(refused).to_be_visible()
    expect(heading(WHERE)).to_be_visible()  # the part to mend
    expect(send).to_be_hidden()

    _tap_map_middle(page)  # the map reruns with the pin
    expect(page.get_by_text(re.compile(r"^Valgt punkt: "))).to_be_visible()
    wait_idle(page)
    phone_step(page, STEP_WHAT)
    expect(category).to_have_value(CATEGORY)  # nothing typed was lost
    expect(page.get_by_role("textbox", name="Ditt innspill", exact=True)).to_have_value(text)
    page.get_by_role("button", name="Tilbake", exact=True).first.tap()
    expect(heading(WHERE)).to_be_visible()
    phone_step(page, STEP_WHAT)
    phone_step(page, STEP_SEND)
    send.tap()
    thanks = page.get_by_text(re.compile(r"^\s*Takk"))
    expect(thanks.first).to_be_visible()
    assert REF.search(thanks.first.inner_text())
    expect(heading(WHERE)).to_be_visible()  # the next input starts at «where»
    expect(heading(WHAT)).to_be_hidden()


def test_on_a_wide_screen_every_part_shows_in_order_without_next_buttons(app_server, browser_page: Page):
    page = browser_page
    page.goto(f"{app_server.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page)
    tops = []
    for name in (WHERE, WHAT, SEND):
        h = page.get_by_role("heading", name=name, exact=True)
        expect(h).to_be_visible()
        tops.append(h.bounding_box()["y"])
    assert tops == sorted(tops), tops
    steps = page.locator("button[data-ki-goto]")  # «Neste» ×2, «Tilbake» ×2: on the page, not shown
    expect(steps).to_have_count(4)
    for button in steps.all():
        expect(button).to_be_hidden()
    expect(page.get_by_role("button", name="Send innspill", exact=True)).to_be_visible()
