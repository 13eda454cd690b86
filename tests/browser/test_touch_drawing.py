"""Drawing by touch, in a real Chromium with a touch screen (``has_touch``, taps through
``page.touchscreen``), on a phone (375×812) and a tablet (768×1024), on a consultation with
a context layer: choosing «Tegn en strek» starts drawing at once, each tap sets a point (the
line does not end at the second tap, Leaflet/Leaflet.draw#789), «Angre» takes the last point
away, «Ferdig» ends it; the line or area sent is stored with the points tapped. The drawing
buttons are outside the map, at least 44 px, and nothing covers them: each is the element at
its own centre, with the layer control folded on the phone."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import box, mapping

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.helpers import (
    MAP_IFRAME,
    STEP_SEND,
    STEP_WHAT,
    choose_option,
    no_serious_axe,
    phone_step,
    tap_map,
    wait_for_map,
    wait_idle,
)

BORGEN = "borgen-tettstedsutvikling"
PHONE = {"width": 375, "height": 812}
TABLET = {"width": 768, "height": 1024}


def _borgen_with_a_layer(db_path: Path) -> None:
    """The demo data, Borgen taking pins, lines and areas, with a file context layer."""
    from consultations.planning import context_layers
    from consultations import geo
    from consultations.demo import seed_demo
    from consultations.model import Shape
    from consultations.permissions import OPERATOR
    from consultations.store import Store

    store = Store.open(db_path)
    try:
        seed_demo(store)
        c = store.get_consultation(BORGEN)
        store.update_consultation(dataclasses.replace(c, shapes=tuple(Shape)), "test")
        east, north = geo.to_working_crs(10.414, 59.826)
        houses = {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
            "features": [
                {
                    "type": "Feature",
                    "properties": {"navn": "Blokk A"},
                    "geometry": mapping(box(east, north, east + 60, north + 40)),
                }
            ],
        }
        context_layers.add_file_layer(
            store,
            BORGEN,
            OPERATOR,
            name="Nye blokker",
            filename="blokker.geojson",
            data=json.dumps(houses).encode(),
            legend="Omrisset av de nye blokkene i planforslaget.",
        )
    finally:
        store.close()


@pytest.fixture
def touch_context(_browser):
    contexts = []

    def _open(viewport: dict) -> Page:
        context = _browser.new_context(viewport=viewport, has_touch=True, locale="nb-NO", service_workers="block")
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


# Inside the map frame: each drawing button that shows, whether it is the element at its
# own centre (nothing covers it), its size, and whether it lies outside the map.
_BUTTONS_UNCOVERED = """
() => {
    const map = document.getElementById("map_div").getBoundingClientRect();
    return Array.from(document.querySelectorAll(".ki-draw-bar button")).filter((b) => !b.hidden).map((b) => {
        const r = b.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        return {name: b.textContent, top: document.elementFromPoint(x, y) === b, width: r.width,
                height: r.height, outside: r.bottom <= map.top || r.top >= map.bottom,
                inFrame: r.left >= 0 && r.right <= window.innerWidth};
    });
}
"""


def _stored(server, text: str) -> str:
    server.stop()  # DuckDB: one process per file
    con = duckdb.connect(str(server.db_path), read_only=True)
    try:
        ((drawing,),) = con.execute("SELECT drawing FROM inputs WHERE text = ?", [text]).fetchall()
        return drawing
    finally:
        con.close()


def _send(page: Page, text: str, phone: bool = False) -> None:
    if phone:  # one part of the form at a time: «Neste» from where to what, and to send
        phone_step(page, STEP_WHAT)
    choose_option(page, "Kategori", "Gange og sykkel")
    page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(text)
    wait_idle(page)
    if phone:
        phone_step(page, STEP_SEND)
    page.get_by_role("button", name="Send innspill").tap()
    expect(page.get_by_text(re.compile(r"^\s*Takk")).first).to_be_visible()


def _check_bar(page: Page) -> None:
    _, frame = wait_for_map(page)
    buttons = frame.evaluate(_BUTTONS_UNCOVERED)
    assert {b["name"] for b in buttons} == {"Ferdig", "Angre", "Avbryt"}, buttons
    for b in buttons:
        assert b["top"] and b["outside"] and b["inFrame"], b
        assert b["width"] >= 44 and b["height"] >= 44, b  # WCAG 2.5.8, and 2.5.5's 44 px


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_a_four_point_line_is_drawn_by_touch_undone_once_and_stored(start_app, touch_context, viewport):
    server = start_app(prepare=_borgen_with_a_layer)
    page = touch_context(viewport)
    page.goto(f"{server.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page)
    page.get_by_text("Tegn en strek", exact=True).first.tap()  # the one step: drawing starts
    fl = page.frame_locator(MAP_IFRAME).first
    finish = fl.get_by_role("button", name="Ferdig", exact=True)
    undo = fl.get_by_role("button", name="Angre", exact=True)
    expect(finish).to_be_visible()  # the map with the drawing bar (a new frame)
    wait_idle(page)
    expect(finish).to_be_disabled()
    expect(fl.locator(".leaflet-draw-toolbar")).to_have_count(0)  # no 30 px icon in the corner
    layers = fl.locator(".leaflet-control-layers")
    expect(layers).to_have_count(1)  # the context layer's control is there …
    if viewport is PHONE:
        expect(fl.locator(".leaflet-control-layers-expanded")).to_have_count(0)  # … folded on a phone
    _check_bar(page)

    vertices = fl.locator(".leaflet-marker-pane .leaflet-editing-icon")
    tap_map(page, [(-0.2, 0.1), (-0.07, -0.05), (0.07, 0.08)])
    expect(vertices).to_have_count(3)  # the second tap did not end the line
    expect(fl.get_by_text("3 punkter.", exact=False)).to_be_visible()
    no_serious_axe(page, "drawing a line")  # the page while drawing, its bar included
    undo.tap()
    expect(vertices).to_have_count(2)
    tap_map(page, [(0.05, 0.1), (0.18, -0.06)])
    expect(vertices).to_have_count(4)
    _check_bar(page)  # drawing: still uncovered
    finish.tap()
    expect(page.get_by_text(re.compile(r"^Tegnet: strek, "))).to_be_visible()

    text = f"Berøringstest {uuid.uuid4().hex[:10]}: min vei, tegnet med fingeren."
    _send(page, text, phone=viewport is PHONE)
    drawing = json.loads(_stored(server, text))
    assert drawing["type"] == "LineString" and len(drawing["coordinates"]) == 4


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_a_four_corner_area_is_drawn_by_touch_undone_once_and_stored(start_app, touch_context, viewport):
    server = start_app(prepare=_borgen_with_a_layer)
    page = touch_context(viewport)
    page.goto(f"{server.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page)
    page.get_by_text("Tegn et område", exact=True).first.tap()
    fl = page.frame_locator(MAP_IFRAME).first
    finish = fl.get_by_role("button", name="Ferdig", exact=True)
    expect(finish).to_be_visible()
    wait_idle(page)
    _check_bar(page)
    vertices = fl.locator(".leaflet-marker-pane .leaflet-editing-icon")
    tap_map(page, [(-0.15, -0.1), (0.15, -0.1), (0.15, 0.12), (0.0, 0.2)])
    expect(vertices).to_have_count(4)
    fl.get_by_role("button", name="Angre", exact=True).tap()
    expect(vertices).to_have_count(3)
    tap_map(page, [(-0.15, 0.12)])
    expect(vertices).to_have_count(4)
    no_serious_axe(page, "drawing an area")  # the page while drawing, its bar included
    finish.tap()
    expect(page.get_by_text(re.compile(r"^Tegnet: område, "))).to_be_visible()

    text = f"Berøringstest {uuid.uuid4().hex[:10]}: dette området, tegnet med fingeren."
    _send(page, text, phone=viewport is PHONE)
    drawing = json.loads(_stored(server, text))
    assert drawing["type"] == "Polygon" and len(drawing["coordinates"][0]) == 5  # four corners, closed


CLASS_CID = "heggedal-skolevei"


def test_a_grade_3_pupil_draws_a_four_point_way_to_school_by_touch(start_app, touch_context):
    from datetime import UTC, datetime, timedelta

    from consultations.children import classes
    from consultations.model import Role
    from consultations.store import Store
    from tests.conftest import make_consultation, staff

    made: dict[str, object] = {}

    def prepare(db_path: Path) -> None:
        now = datetime.now(UTC)
        store = Store.open(db_path)
        store.add_consultation(
            make_consultation(
                CLASS_CID,
                title="Heggedal: skoleveien",
                opens_at=now - timedelta(days=5),
                closes_at=now + timedelta(days=30),
            )
        )
        teacher = staff(store, "lena", Role.TEACHER)
        made["class"] = classes.create_class(
            store,
            teacher,
            CLASS_CID,
            school="Heggedal skole",
            grade="3",
            size=24,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(hours=2),
        )
        store.close()

    server = start_app(prepare=prepare)
    page = touch_context(TABLET)
    page.goto(f"{server.url}/?klasse={made['class'].code}")
    # 3. trinn: one question a screen (test_pupil_steps.py) — how I travel, then my way
    expect(page.get_by_role("heading", name="Hvordan kommer du til skolen?")).to_be_visible()
    bike = page.locator('img[src="/app/static/icons/bike.svg"]')  # the app's own icon, no emoji font needed
    expect(bike).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth > 0", bike.element_handle())
    page.get_by_text("Sykle", exact=True).tap()
    wait_idle(page)
    page.get_by_role("button", name="Neste", exact=True).tap()
    expect(page.get_by_role("heading", name="Tegn veien din til skolen")).to_be_visible()
    fl = page.frame_locator(MAP_IFRAME).first
    finish = fl.get_by_role("button", name="Ferdig", exact=True)
    expect(finish).to_be_visible()  # drawing from the start: no tool to find first
    wait_for_map(page)
    wait_idle(page)
    _check_bar(page)
    tap_map(page, [(-0.2, 0.1), (-0.07, -0.05), (0.07, 0.08), (0.2, -0.04)])
    expect(fl.locator(".leaflet-marker-pane .leaflet-editing-icon")).to_have_count(4)
    finish.tap()
    expect(page.get_by_text("Tegnet: strek").first).to_be_visible()
    wait_idle(page)
    page.get_by_role("button", name="Lagre veien").tap()
    expect(page.get_by_role("heading", name="Hva slags sted vil du vise oss?")).to_be_visible()

    server.stop()
    store = Store.open(server.db_path)
    try:
        frame = store.class_frame(CLASS_CID)
    finally:
        store.close()
    (drawing,) = frame[frame["part"] == "school"]["drawing"]
    assert len(json.loads(drawing)["coordinates"]) == 4
