"""The planners' summary in a real browser: Heggedal's drawn school routes as a density layer
with its legend, and the drawn areas, on a map Leaflet really draws."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import (
    LOGIN_TITLE,
    PASSWORD,
    USERNAME,
    choose_by_typing,
    main,
    seed_with_planner,
    visible,
    wait_idle,
)

SLOW_MS = 60_000


def test_the_route_density_and_the_drawn_areas_are_drawn_with_a_legend(start_app, browser_page):
    server = start_app(prepare=seed_with_planner)
    page = browser_page
    page.goto(f"{server.url}/logg-inn")
    visible(page.get_by_role("heading", name=LOGIN_TITLE))
    wait_idle(page)
    page.get_by_role("textbox", name="Brukernavn", exact=True).fill(USERNAME)
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.wait_for_url(re.compile(r"/saksbehandling(\?|$)"))
    wait_idle(page)
    page.get_by_role("link", name="gjennomgang", exact=True).click()  # the sidebar: the same session
    page.wait_for_url(re.compile(r"/gjennomgang"))
    wait_idle(page)
    choose_by_typing(page, "Høring", "Heggedal sentrum")
    wait_idle(page)
    page.get_by_role("tab", name="Oppsummering").click()
    wait_idle(page)
    heading = main(page).get_by_role("heading", name="Streker og områder")
    visible(heading)
    heading.scroll_into_view_if_needed()

    # the summary's last map: routes and areas (after the inputs tab's and the density map)
    frame = page.locator('iframe[title="streamlit_folium.st_folium"]').last
    frame.scroll_into_view_if_needed()
    legend = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').last
    expect(legend.locator("#map_div")).to_be_visible(timeout=90_000)
    box = legend.locator(".ki-legend")
    expect(box).to_be_visible(timeout=SLOW_MS)
    expect(box).to_contain_text("streker i ruten")
    expect(box).to_contain_text("5 tegnede områder")
    # Leaflet draws each 50 m cell and each area as an SVG path: many cells, five areas
    cells = legend.locator('path.leaflet-interactive[fill="#08306b"]')
    expect(cells.first).to_be_attached(timeout=SLOW_MS)
    areas = legend.locator('path.leaflet-interactive[stroke="#e67e22"]')
    expect(areas).to_have_count(5, timeout=SLOW_MS)
    assert legend.locator("path.leaflet-interactive").count() > 40
