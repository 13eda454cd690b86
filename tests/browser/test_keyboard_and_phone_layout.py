"""The consultation page for a keyboard and for a phone, in a real Chromium (issue 22):
from the page's start «Velg sted uten kart» is at most ten Tabs away, the map being one tab
stop with «Hopp over kartet» before it, and each «Støtt» names its input; on a 375 px phone
the page leads with the title, the frist and «Gi innspill i kartet», the map comes before
the background texts (folded) and the facts — in the page itself, so the focus moves down
the screen as a finger would (no CSS order: WCAG 1.3.2, 2.4.3); a wide screen shows the
background open beside the map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.helpers import MAP_IFRAME, wait_for_map, wait_idle

# the three only read the page (tabbing, a tap that scrolls): one server for the module
pytestmark = pytest.mark.shared_server

BORGEN = "borgen-tettstedsutvikling"
MAX_TABS = 10

# What has the focus: inside the map's frame, or on the page
_FOCUS = """() => {
    const e = document.activeElement;
    if (e && e.tagName === "IFRAME") return "map:" + (e.contentDocument.activeElement.id || e.contentDocument.activeElement.className);
    return e ? e.tagName + ":" + (e.textContent || "").trim().slice(0, 60) : "";
}"""


def test_velg_sted_uten_kart_is_at_most_ten_tabs_from_the_start_and_the_map_is_one(app_server, browser_page: Page):
    page = browser_page
    page.goto(f"{app_server.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page)
    page.wait_for_timeout(1_000)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    stops = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(_FOCUS))
        if "Velg sted uten kart" in stops[-1]:
            break
    assert "Velg sted uten kart" in stops[-1], " | ".join(stops)
    in_map = [s for s in stops if s.startswith("map:")]
    assert in_map == ["map:map_div"], stops  # the map: one stop, its container
    skip = stops.index("A:Hopp over kartet")
    assert stops[skip + 1].startswith("map:")

    page.reload()  # from the start again
    wait_for_map(page)
    wait_idle(page)
    page.wait_for_timeout(1_000)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for _ in range(skip + 1):
        page.keyboard.press("Tab")
    assert page.evaluate(_FOCUS) == "A:Hopp over kartet"
    page.keyboard.press("Enter")  # past the map
    page.keyboard.press("Tab")
    assert "Velg sted uten kart" in page.evaluate(_FOCUS)

    supports = page.get_by_role("button", name=re.compile(r"^Støtt KI-\d{6}$"))
    expect(supports.first).to_be_visible()
    names = supports.all_inner_texts()
    assert len(names) == len(set(names)) > 1  # each names its own input
    expect(page.get_by_role("button", name="Støtt", exact=True)).to_have_count(0)


def test_on_a_phone_the_map_comes_first_and_the_background_is_folded_below(app_server, _browser):
    context = _browser.new_context(
        viewport={"width": 375, "height": 812}, has_touch=True, locale="nb-NO", service_workers="block"
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{app_server.url}/?id={BORGEN}")
        wait_for_map(page)
        wait_idle(page)
        cta = page.get_by_role("link", name="Gi innspill i kartet")
        expect(cta).to_be_visible()
        box = cta.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 812 and box["height"] >= 44  # on the first screen
        background = page.locator(".st-key-ki-background details")
        expect(background).not_to_have_attribute("open", "")  # folded on a phone
        top = page.evaluate(
            """() => {
                const y = (e) => e.getBoundingClientRect().top + window.scrollY;
                return {map: y(document.querySelector('iframe[title="streamlit_folium.st_folium"]')),
                        background: y(document.querySelector('.st-key-ki-background')),
                        facts: y(document.querySelector('.ki-facts-box'))};
            }"""
        )
        assert top["map"] < top["background"] < top["facts"], top
        cta.tap()  # the call to action brings the map up
        page.wait_for_timeout(500)
        frame = page.locator(MAP_IFRAME).first.bounding_box()
        assert frame is not None and frame["y"] < 812, frame
    finally:
        context.close()


def test_on_a_wide_screen_the_background_stays_open_beside_the_map(app_server, browser_page: Page):
    page = browser_page
    page.goto(f"{app_server.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page)
    page.wait_for_timeout(1_000)
    expect(page.locator(".st-key-ki-background details")).to_have_attribute("open", "")


# Where the focus is, as the screen shows it: the element's top in the page's main part (the
# map frame's, when the focus is inside it; measured from the main part's own top, since
# that part, not the window, scrolls), and whether it is in the main part at all.
_FOCUS_AT = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const r = e.getBoundingClientRect();
    const name = e.tagName === "IFRAME" ? "map" : e.tagName + ":" + (e.getAttribute("aria-label") || e.textContent || "").trim().slice(0, 50);
    const main = document.querySelector('[data-testid="stMain"]');
    const block = document.querySelector('[data-testid="stMainBlockContainer"]') || main;
    const y = Math.round(r.top - block.getBoundingClientRect().top);
    return {name, y, inMain: !!(main && main.contains(e)), shown: r.height > 0};
}"""


def test_on_a_phone_the_focus_moves_down_the_screen_in_the_order_shown(app_server, _browser):
    context = _browser.new_context(
        viewport={"width": 375, "height": 812}, has_touch=True, locale="nb-NO", service_workers="block"
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{app_server.url}/?id={BORGEN}")
        wait_for_map(page)
        wait_idle(page)
        expect(page.locator(".st-key-ki-background details")).not_to_have_attribute("open", "")  # folded
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
        stops, tabs, without_map = [], 0, None
        for _ in range(40):
            page.keyboard.press("Tab")
            tabs += 1
            at = page.evaluate(_FOCUS_AT)
            if at and "Velg sted uten kart" in at["name"] and without_map is None:
                without_map = tabs
            if at and at["inMain"] and at["shown"]:
                stops.append(at)
            if at and "Om planen og dokumentene" in at["name"]:
                break
        names = [s["name"] for s in stops]
        route = " | ".join(f"{s['name']} @{s['y']}" for s in stops)
        assert any("Gi innspill i kartet" in n for n in names), route
        assert "map" in names and any("Om planen og dokumentene" in n for n in names), route
        cta = next(i for i, n in enumerate(names) if "Gi innspill i kartet" in n)
        assert cta < names.index("map") < next(i for i, n in enumerate(names) if "Om planen og dokumentene" in n), route
        assert without_map is not None and without_map <= MAX_TABS, route  # on a phone too
        ys = [s["y"] for s in stops]
        assert all(b >= a - 2 for a, b in zip(ys, ys[1:])), route  # never back up the screen
    finally:
        context.close()
