"""A resident draws her route in a real Chromium: with the mouse (click the points, then
«Ferdig» in the bar above the map) and with the keyboard only (the address search: choose the places in
order, «Ferdig»), sends it, and sees it on the map and as «strek, … m/km» in the list; at
phone width (375 px) the drawing toolbar is on screen and works. A click on someone else's
published route is not taken as her drawing, and a drawing the checks refuse leaves the map."""

from __future__ import annotations

import dataclasses
import re
import uuid
from pathlib import Path

import duckdb
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.helpers import (
    MAP_IFRAME,
    choose_option,
    wait_for_map,
    wait_idle,
)

BORGEN = "borgen-tettstedsutvikling"
ADDRESSES = ("Bondivannsveien 1, 1388 Borgen", "Bondivannsveien 12, 1388 Borgen")


def _lines_allowed(db_path: Path) -> None:
    """The demo data, with Borgen taking pins, lines and areas."""
    from consultations.demo import seed_demo
    from consultations.model import Shape
    from consultations.store import Store

    store = Store.open(db_path)
    try:
        seed_demo(store)
        c = store.get_consultation(BORGEN)
        store.update_consultation(dataclasses.replace(c, shapes=tuple(Shape)), "test")
    finally:
        store.close()


def _with_published_route(db_path: Path) -> None:
    """As ``_lines_allowed``, with one published route across the upper half of the plan area."""
    from consultations import geo
    from consultations.model import InputDraft
    from consultations.store import Store
    from consultations.participation.submission import submit_input

    _lines_allowed(db_path)
    store = Store.open(db_path)
    try:
        c = store.get_consultation(BORGEN)
        minlon, minlat, maxlon, maxlat = geo.bounds(c.area)
        lat = minlat + (maxlat - minlat) * 0.7
        route = {"type": "LineString", "coordinates": [[minlon + (maxlon - minlon) * f, lat] for f in (0.3, 0.5, 0.7)]}
        submit_input(store, c.id, InputDraft("Gange og sykkel", PUBLISHED_ROUTE, drawing=route), session="test-route")
    finally:
        store.close()


PUBLISHED_ROUTE = "Snarveien over jordet er min vei til bussen."
OWN = "#c0392b"  # the resident's own drawing (maps.SKETCH_STYLE); published ones have their category's colour

# Inside the map iframe: a point on the published route where the route itself is what a
# click there hits (no pin or cluster above it), in the map's own pixels.
_SPOT_ON_ROUTE = """
(own) => {
    if (typeof window.map_div === "undefined") return null;
    const map = window.map_div, box = map.getContainer().getBoundingClientRect();
    const routes = Object.values(map._layers).filter((l) => l instanceof L.Polyline && !(l instanceof L.Polygon)
        && l._path && l.options.color !== own && !l.options.dashArray);
    for (const route of routes) {
        const points = route.getLatLngs().map((p) => map.latLngToContainerPoint(p));
        for (let i = 0; i + 1 < points.length; i++) {
            for (const f of [0.5, 0.25, 0.75]) {
                const x = points[i].x + (points[i + 1].x - points[i].x) * f;
                const y = points[i].y + (points[i + 1].y - points[i].y) * f;
                if (document.elementFromPoint(box.left + x, box.top + y) === route._path) return {x: x, y: y};
            }
        }
    }
    return null;
}
"""

# Inside the map iframe: a point where a click hits the plan area itself (no pin above it).
_SPOT_ON_AREA = """
() => {
    if (typeof window.map_div === "undefined") return null;
    const map = window.map_div, box = map.getContainer().getBoundingClientRect(), size = map.getSize();
    const areas = Object.values(map._layers).filter((l) => l instanceof L.Polygon && l._path && l.options.color === "#1f4e79");
    for (let y = 20; y < size.y - 20; y += 15) {
        for (let x = 60; x < size.x - 20; x += 15) {
            const hit = document.elementFromPoint(box.left + x, box.top + y);
            if (areas.some((a) => a._path === hit)) return {x: x, y: y};
        }
    }
    return null;
}
"""

# The resident's own lines on the map: her drawing (Leaflet.draw's or the app's copy of it).
_OWN_LINES = """
(own) => Object.values(map_div._layers).filter((l) => l instanceof L.Polyline && l._path
    && l.options.color === own && !l.options.dashArray).length
"""

# The plan area's east edge at its middle's height, in the map's pixels: a line from just
# inside it to the map's east side runs mostly outside the area.
_EAST_EDGE = """
() => {
    if (typeof window.map_div === "undefined") return null;
    const map = window.map_div;
    const areas = Object.values(map._layers).filter((l) => l instanceof L.Polygon && l.options.color === "#1f4e79");
    if (!areas.length) return null;
    const area = areas.reduce((b, l) => b.extend(l.getBounds()), L.latLngBounds(areas[0].getBounds()));
    const edge = map.latLngToContainerPoint([area.getCenter().lat, area.getEast()]);
    return {x: edge.x, y: edge.y, width: map.getSize().x};
}
"""


def _stored(server, text: str) -> list[tuple]:
    server.stop()  # DuckDB: one process per file
    con = duckdb.connect(str(server.db_path), read_only=True)
    try:
        return con.execute("SELECT drawing, measure, lat, status FROM inputs WHERE text = ?", [text]).fetchall()
    finally:
        con.close()


def _lines_on_map(page: Page) -> int:
    """Published routes drawn on the consultation map (polylines that are not areas)."""
    _, frame = wait_for_map(page)
    frame.wait_for_function("() => typeof window.map_div !== 'undefined'")
    return frame.evaluate(
        "() => Object.values(map_div._layers).filter(l => l instanceof L.Polyline && !(l instanceof L.Polygon)"
        " && !(l.options && l.options.dashArray)).length"
    )


def _send(page: Page, text: str) -> None:
    choose_option(page, "Kategori", "Gange og sykkel")
    page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(text)
    wait_idle(page)
    page.get_by_role("button", name="Send innspill").click()
    expect(page.get_by_text(re.compile(r"^\s*Takk")).first).to_be_visible()


def _click_points(page: Page, offsets: list[tuple[int, int]]) -> None:
    """Clicks on the map around its middle (the map is fitted to the plan area)."""
    box = page.locator(MAP_IFRAME).first.bounding_box()
    assert box is not None
    fl = page.frame_locator(MAP_IFRAME).first
    for dx, dy in offsets:
        fl.locator("#map_div").click(position={"x": box["width"] / 2 + dx, "y": box["height"] / 2 + dy})
        page.wait_for_timeout(250)  # Leaflet.draw tells a click from a double click


def _start_line(page: Page):
    """Choose «Tegn en strek» and wait for the map drawing it (drawing starts at once: the
    bar above the map offers «Ferdig»); returns the frame and the bar's «Tegn en strek»,
    which starts a new line when none is being drawn."""
    wait_for_map(page)
    wait_idle(page)
    page.get_by_text("Tegn en strek", exact=True).first.click()
    fl = page.frame_locator(MAP_IFRAME).first
    expect(fl.get_by_role("button", name="Ferdig", exact=True)).to_be_visible()
    wait_idle(page)
    wait_for_map(page)
    return fl, fl.get_by_role("button", name="Tegn en strek", exact=True)


def test_a_resident_draws_a_line_with_the_mouse_sends_it_and_sees_it(start_app, browser_page: Page):
    server = start_app(prepare=_lines_allowed)
    page = browser_page
    page.goto(f"{server.url}/?id={BORGEN}")
    fl, _start = _start_line(page)
    finish = fl.get_by_role("button", name="Ferdig", exact=True)
    expect(finish).to_be_visible()
    expect(fl.get_by_role("button", name="Angre", exact=True)).to_be_visible()
    expect(fl.get_by_role("button", name="Avbryt", exact=True)).to_be_visible()
    _click_points(page, [(-60, 20), (0, -10), (60, 20)])
    finish.click()
    drawn = page.get_by_text(re.compile(r"^Tegnet: strek, \d+ m$|^Tegnet: strek, \d+,\d km$"))
    expect(drawn).to_be_visible()

    text = f"Nettlesertest {uuid.uuid4().hex[:10]}: min skolevei, tegnet med mus."
    _send(page, text)
    page.reload()
    wait_for_map(page)
    wait_idle(page)
    listed = page.get_by_text(re.compile(r"strek, \d+(,\d)? k?m")).first
    expect(listed).to_be_visible()
    assert _lines_on_map(page) == 1  # the published route, drawn for everyone

    ((drawing, measure, lat, status),) = _stored(server, text)
    assert '"LineString"' in drawing and measure > 0 and lat is not None and status == "published"
    assert drawing.count("],[") == 2  # three points


def _settle(page: Page, ms: int = 500) -> None:
    """After a key that starts a rerun: let it start, wait until it ends, let the page paint
    (right after the key the app may still say it is idle, and the old widgets still show)."""
    page.wait_for_timeout(ms)
    wait_idle(page)
    page.wait_for_timeout(ms)


def test_a_resident_draws_a_line_with_the_keyboard_only_and_sends_it(start_app, browser_page: Page):
    server = start_app(prepare=_lines_allowed)
    page = browser_page
    page.goto(f"{server.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page)
    page.get_by_role("radio", name="Tegn en strek").press("Space")
    wait_idle(page)
    expect(page.get_by_text("Ingen strek er tegnet ennå.")).to_be_visible()
    page.locator("summary", has_text="Velg sted uten kart").press("Enter")  # opens the expander
    search = page.get_by_role("textbox", name=re.compile("^Søk etter adresse"))
    for address in ADDRESSES:
        search.fill(address.split(",")[0])
        search.press("Enter")
        _settle(page)  # the search's rerun has started and ended: the results are this search's
        results = page.get_by_role("combobox", name="Velg et treff", exact=True)
        results.press("ArrowDown")  # opens the list; the matching address is typed to filter it
        page.keyboard.type(address.split(",")[0])
        page.get_by_role("option", name=address, exact=True).wait_for()
        page.keyboard.press("Enter")
        _settle(page)
    expect(page.get_by_text(f"Punkter så langt: 1. {ADDRESSES[0]}; 2. {ADDRESSES[1]}")).to_be_visible()
    page.get_by_role("button", name="Ferdig", exact=True).press("Enter")
    expect(page.get_by_text(re.compile(r"^Tegnet: strek, "))).to_be_visible()

    text = f"Nettlesertest {uuid.uuid4().hex[:10]}: min skolevei, valgt med tastaturet."
    page.get_by_role("combobox", name="Kategori", exact=True).press("ArrowDown")
    page.get_by_role("option", name="Gange og sykkel", exact=True).wait_for()
    page.keyboard.type("Gange og")
    page.keyboard.press("Enter")
    page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(text)
    wait_idle(page)
    page.get_by_role("button", name="Send innspill").press("Enter")
    expect(page.get_by_text(re.compile(r"^\s*Takk")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"strek, \d+(,\d)? k?m")).first).to_be_visible()

    ((drawing, measure, _lat, _status),) = _stored(server, text)
    assert '"LineString"' in drawing and measure > 0
    assert drawing.count("],[") == 1  # the two chosen addresses


def test_at_phone_width_the_drawing_toolbar_is_on_screen_and_works(start_app, _browser):
    server = start_app(prepare=_lines_allowed)
    context = _browser.new_context(viewport={"width": 375, "height": 812}, locale="nb-NO", service_workers="block")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/?id={BORGEN}")
        fl, _start = _start_line(page)
        finish = fl.get_by_role("button", name="Ferdig", exact=True)
        undo = fl.get_by_role("button", name="Angre", exact=True)
        cancel = fl.get_by_role("button", name="Avbryt", exact=True)
        finish.scroll_into_view_if_needed()
        expect(finish).to_be_visible()
        frame_box = page.locator(MAP_IFRAME).first.bounding_box()
        assert frame_box is not None and frame_box["width"] <= 375
        for button in (finish, undo, cancel):
            box = button.bounding_box()  # page coordinates: inside the phone's screen
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
            assert box["height"] >= 44, box  # a finger can hit it (WCAG 2.5.8)
        _click_points(page, [(-40, 10), (0, -10), (40, 10)])
        vertices = fl.locator(".leaflet-marker-pane .leaflet-editing-icon")
        expect(vertices).to_have_count(3)
        undo.click()  # «Angre»: the last point goes
        expect(vertices).to_have_count(2)
        finish.click()
        expect(page.get_by_text(re.compile(r"^Tegnet: strek, "))).to_be_visible()
    finally:
        context.close()


def test_a_click_on_a_published_route_before_drawing_is_not_taken_as_her_route(start_app, browser_page: Page):
    server = start_app(prepare=_with_published_route)
    page = browser_page
    page.goto(f"{server.url}/?id={BORGEN}")
    fl, start = _start_line(page)  # «Tegn en strek» chosen …
    fl.get_by_role("button", name="Avbryt", exact=True).click()  # … and no line being drawn
    expect(start).to_be_visible()
    _, frame = wait_for_map(page)
    # focused first: a press on a map without focus focuses it, and the page scrolls the map
    # into view between the press and the release (the click then lands elsewhere)
    fl.locator("#map_div").focus()
    spot = frame.wait_for_function(_SPOT_ON_ROUTE, arg=OWN).json_value()
    fl.locator("#map_div").click(position=spot)
    expect(fl.locator(".leaflet-popup-content")).to_contain_text(PUBLISHED_ROUTE)  # the click hit the route
    _settle(page, 1_000)  # a rerun the click may have started has ended
    expect(page.get_by_text("Ingen strek er tegnet ennå.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Tegnet: "))).to_have_count(0)
    fl.locator("#map_div").click(position=frame.wait_for_function(_SPOT_ON_AREA).json_value())
    _settle(page, 1_000)  # nor is the plan area her area
    expect(page.get_by_text("Ingen strek er tegnet ennå.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Tegnet: "))).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)  # and no refusal either

    start.click()  # the tool still draws her own route
    _click_points(page, [(-60, 20), (0, -10), (60, 20)])
    fl.get_by_role("button", name="Ferdig", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Tegnet: strek, "))).to_be_visible()
    _settle(page)
    assert frame.evaluate(_OWN_LINES, OWN) == 1  # shown once: the app's copy, not also Leaflet.draw's


def test_a_refused_drawing_is_taken_off_the_map_with_the_reason(start_app, browser_page: Page):
    server = start_app(prepare=_lines_allowed)
    page = browser_page
    page.goto(f"{server.url}/?id={BORGEN}")
    fl, start = _start_line(page)
    _, frame = wait_for_map(page)
    fl.locator("#map_div").focus()  # see above
    edge = frame.wait_for_function(_EAST_EDGE).json_value()
    assert edge["x"] + 60 < edge["width"], edge  # room east of the area
    east = edge["width"] - 15
    refusal = page.get_by_text(re.compile("^Streken går for langt utenfor planområdet"))
    for attempt in (1, 2):  # the same refusal twice: the second drawing goes too
        if attempt == 2:
            start.click()  # a new line (the first is drawing from the start)
        for x, dy in ((edge["x"] - 40, -10 * attempt), ((edge["x"] + east) / 2, 10), (east, -10)):
            fl.locator("#map_div").click(position={"x": x, "y": edge["y"] + dy})
            page.wait_for_timeout(250)  # Leaflet.draw tells a click from a double click
        fl.get_by_role("button", name="Ferdig", exact=True).click()
        expect(refusal).to_be_visible()
        frame.wait_for_function(f"(own) => ({_OWN_LINES})(own) === 0", arg=OWN, timeout=15_000)
        expect(page.get_by_text("Ingen strek er tegnet ennå.")).to_be_visible()
