"""The plan's own map under the pins, in a real Chromium: a WMS layer is asked from the
configured map server only (a stub on loopback that answers with a PNG and counts what it
is asked), any other host stays blocked by the page's policy, and the layer control
switches the WMS and file layers off and on."""

from __future__ import annotations

import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import box, mapping

from tests.browser.helpers import MAP_IFRAME, wait_for_map, wait_idle

BORGEN = "borgen-tettstedsutvikling"


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (256, 256), (200, 30, 30, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


class MapServerStub:
    """A WMS on 127.0.0.1 that answers every GetMap with the same PNG and records it."""

    def __init__(self) -> None:
        png, asked = _png(), []
        self.asked: list[str] = asked

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                asked.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def wms() -> Iterator[MapServerStub]:
    stub = MapServerStub()
    yield stub
    stub.close()


@pytest.fixture
def other_host() -> Iterator[MapServerStub]:
    """A second image server no layer names: the page must never reach it."""
    stub = MapServerStub()
    yield stub
    stub.close()


def _seed_with_layers(origin: str):
    def prepare(db_path: Path) -> None:
        from consultations.planning import context_layers
        from consultations import geo
        from consultations.demo import seed_demo
        from consultations.permissions import OPERATOR
        from consultations.store import Store

        store = Store.open(db_path)
        try:
            seed_demo(store)
            context_layers.add_wms_layer(
                store,
                BORGEN,
                OPERATOR,
                name="Planforslaget",
                url=f"{origin}/wms?map=plan",
                layers="plan",
                legend="Rødt er det nye planområdet.",
                attribution="Test-WMS",
                loopback=True,  # the stub runs on 127.0.0.1 over http (KARTINNSPILL_WMS_LOOPBACK)
            )
            east, north = geo.to_working_crs(10.414, 59.826)
            houses = {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"navn": "Blokk A"},
                        "geometry": mapping(box(east, north, east + 60, north + 40)),
                    },
                ],
            }
            context_layers.add_file_layer(
                store,
                BORGEN,
                OPERATOR,
                name="Nye blokker",
                filename="blokker.geojson",
                data=json.dumps(houses).encode(),
                legend="Omrisset av blokkene.",
            )
        finally:
            store.close()

    return prepare


def _wms_tiles(frame_locator, origin: str):
    return frame_locator.locator(f'.leaflet-tile-pane img[src^="{origin}/wms"]')


def test_the_wms_layer_is_asked_only_from_its_server_and_the_layer_control_switches_layers(
    start_app, browser_page: Page, wms: MapServerStub, other_host: MapServerStub
):
    server = start_app(prepare=_seed_with_layers(wms.origin), env={"KARTINNSPILL_WMS_LOOPBACK": "on"})
    page = browser_page
    page.goto(f"{server.url}/?id={BORGEN}")
    wait_idle(page)
    fl, frame = wait_for_map(page)

    expect(_wms_tiles(fl, wms.origin).first).to_be_attached()
    frame.wait_for_function(
        "origin => [...document.querySelectorAll('.leaflet-tile-pane img')]"
        ".some(i => i.src.startsWith(origin) && i.complete && i.naturalWidth === 256)",
        arg=wms.origin,
    )
    assert wms.asked, "the WMS stub was never asked"
    for path in wms.asked:
        query = {k.upper(): v for k, v in parse_qs(urlsplit(path).query).items()}
        assert urlsplit(path).path == "/wms"
        assert query["REQUEST"] == ["GetMap"] and query["LAYERS"] == ["plan"] and query["MAP"] == ["plan"]
    outside = [
        u
        for u in page.requests_seen  # type: ignore[attr-defined]
        if not u.startswith(("data:", "blob:", "about:", server.url, wms.origin))
    ]
    assert outside == []

    # the page's policy lets images come from the WMS in use, not from any other host
    loaded = frame.evaluate(
        """src => new Promise(done => {
            const img = new Image();
            img.onload = () => done("loaded");
            img.onerror = () => done("blocked");
            img.src = src;
        })""",
        f"{other_host.origin}/x.png",
    )
    assert loaded == "blocked" and other_host.asked == []

    # the layer control names both layers as text and switches them off and on
    control = fl.locator(".leaflet-control-layers-overlays")
    expect(control).to_contain_text("Planforslaget")
    expect(control).to_contain_text("Nye blokker")
    expect(control).to_contain_text("Rødt er det nye planområdet.")  # the legend beside its switch
    wms_box = control.locator("label", has_text="Planforslaget").locator("input[type=checkbox]")
    houses_box = control.locator("label", has_text="Nye blokker").locator("input[type=checkbox]")
    paths = fl.locator(".leaflet-overlay-pane path")
    with_houses = paths.count()
    wms_box.uncheck()
    expect(_wms_tiles(fl, wms.origin)).to_have_count(0)
    houses_box.uncheck()
    expect(paths).to_have_count(with_houses - 1)
    wms_box.check()
    expect(_wms_tiles(fl, wms.origin).first).to_be_attached()
    houses_box.check()
    expect(paths).to_have_count(with_houses)

    # and the same layers as text under the map
    listing = page.locator("ul.ki-context-layers")
    expect(listing).to_contain_text("Planforslaget")
    expect(listing).to_contain_text("Rødt er det nye planområdet.")
    expect(listing).to_contain_text("Nye blokker (1 område)")
    assert page.locator(MAP_IFRAME).count() == 1
