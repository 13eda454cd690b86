"""The consultation map, rendered once per version of the data and sent as st_folium would."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from consultations.config import load_settings
from consultations.model import InputDraft, Stage
from consultations.submission import submit_input
from consultations.ui.maps import rendered_consultation_map
from tests.conftest import INSIDE, NOW


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    return load_settings()


def _one_map(cached: bool) -> None:
    """A page with the consultation map and a pin: through st_folium, or rendered once."""
    from streamlit_folium import st_folium

    from consultations.config import load_settings
    from consultations.drawing import Sketch
    from consultations.model import MapPoint, Stage
    from consultations.ui.maps import (
        consultation_map,
        pin_layer,
        sketch_script,
        render_map,
        show_map,
        use_local_assets,
    )  # fmt: skip
    from tests.conftest import make_consultation

    use_local_assets()
    c = make_consultation()
    points = [
        MapPoint(59.826, 10.414, "Annet", "Tekst med <b>tagger</b> & «tegn»", 1),
        MapPoint(59.825, 10.410, "Trafikk og trafikksikkerhet", "Farlig kryss", 2),
    ]
    m = consultation_map(load_settings(), c, points, "nb")
    pin = (59.8262, 10.4141)
    if cached:
        show_map(render_map(m, "map-x"), "map-x", height=480, returned_objects=["last_clicked"],
                 pin_script=sketch_script(Sketch().with_pin(*pin), Stage.IDEFASE, "nb"))  # fmt: skip
    else:
        st_folium(m, key="map-x", height=480, use_container_width=True,
                  returned_objects=["last_clicked"], feature_group_to_add=pin_layer(pin, Stage.IDEFASE, "nb"))  # fmt: skip


def _sent(cached: bool) -> dict:
    at = AppTest.from_function(_one_map, args=(cached,), default_timeout=30).run()
    assert not at.exception
    (component,) = at.get("component_instance")
    return {"name": component.proto.component_name, **json.loads(component.proto.json_args)}


def test_a_map_rendered_once_is_sent_exactly_as_st_folium_sends_it(settings):
    through_st_folium, rendered_once = _sent(cached=False), _sent(cached=True)
    assert "markerClusterGroup" in rendered_once["script"] and rendered_once["feature_group"]
    assert rendered_once == through_st_folium


def test_the_map_is_rendered_once_until_the_data_changes_then_shows_the_new_input(
    store, consultation, settings
):
    first = rendered_consultation_map(store, settings, consultation, "nb")
    assert rendered_consultation_map(store, settings, consultation, "nb") is first
    text = "Et nytt innspill <script>alert(1)</script> om sykkelveien"
    draft = InputDraft("Annet", text, lat=INSIDE[0], lon=INSIDE[1])
    submit_input(store, consultation.id, draft, session="s", now=NOW)
    after = rendered_consultation_map(store, settings, consultation, "nb")
    assert after is not first
    assert "sykkelveien" in after.script and "sykkelveien" not in first.script
    assert "<script>alert(1)" not in after.script  # residents' text stays escaped


def test_each_language_gets_its_own_map(store, consultation, settings):
    nb = rendered_consultation_map(store, settings, consultation, "nb")
    en = rendered_consultation_map(store, settings, consultation, "en")
    assert nb is not en and nb.script != en.script
