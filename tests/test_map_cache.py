"""The consultation map, rendered once per version of the data and sent as st_folium would."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from consultations.config import load_settings
from consultations.model import InputDraft, Shape
from consultations.participation.submission import submit_input
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
    from consultations.participation.drawing import Sketch
    from consultations.model import MapPoint, Stage
    from consultations.ui.maps import (
        consultation_map,
        pin_layer,
        render_map,
        show_map,
        sketch_script,
        use_local_assets,
    )
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
        show_map(
            render_map(m, "map-x"),
            "map-x",
            height=480,
            returned_objects=["last_clicked"],
            pin_script=sketch_script(Sketch().with_pin(*pin), Stage.IDEFASE, "nb"),
        )
    else:
        st_folium(
            m,
            key="map-x",
            height=480,
            use_container_width=True,
            returned_objects=["last_clicked"],
            feature_group_to_add=pin_layer(pin, Stage.IDEFASE, "nb"),
        )


def _sent(cached: bool) -> dict:
    at = AppTest.from_function(_one_map, args=(cached,), default_timeout=30).run()
    assert not at.exception
    (component,) = at.get("component_instance")
    return {"name": component.proto.component_name, **json.loads(component.proto.json_args)}


def test_a_map_rendered_once_is_sent_exactly_as_st_folium_sends_it(settings):
    through_st_folium, rendered_once = _sent(cached=False), _sent(cached=True)
    assert "markerClusterGroup" in rendered_once["script"] and rendered_once["feature_group"]
    assert rendered_once == through_st_folium


def test_the_map_is_rendered_once_until_the_data_changes_then_shows_the_new_input(store, consultation, settings):
    first = rendered_consultation_map(store, settings, consultation, "nb")
    assert rendered_consultation_map(store, settings, consultation, "nb") is first
    text = "Et nytt innspill <script>alert(1)</script> om sykkelveien"
    draft = InputDraft("Annet", text, lat=INSIDE[0], lon=INSIDE[1])
    submit_input(store, consultation.id, draft, session="s", now=NOW)
    after = rendered_consultation_map(store, settings, consultation, "nb", since=store.data_version)
    assert after is not first
    assert "sykkelveien" in after.script and "sykkelveien" not in first.script
    assert "<script>alert(1)" not in after.script  # residents' text stays escaped


def test_each_language_gets_its_own_map(store, consultation, settings):
    nb = rendered_consultation_map(store, settings, consultation, "nb")
    en = rendered_consultation_map(store, settings, consultation, "en")
    assert nb is not en and nb.script != en.script


def test_a_new_input_is_written_into_the_maps_frame_which_is_the_whole_map_rendered_again(
    store, consultation, settings, monkeypatch
):
    """Only the rows change with the data: the frame (plan area, layers, tools) is folium's
    work once; filled in, it is exactly the map folium renders whole for the same inputs."""
    from consultations.participation import public
    from consultations.ui import maps

    monkeypatch.setattr(maps, "_FRAMES", {})  # not the frames earlier tests left under this id
    route = {"type": "LineString", "coordinates": [[INSIDE[1] - 0.002, INSIDE[0]], [INSIDE[1] + 0.002, INSIDE[0]]]}
    c = replace(consultation, shapes=(Shape.POINT, Shape.LINE))
    store.update_consultation(c, "kari")
    submit_input(store, c.id, InputDraft("Annet", "En sti {til} skolen", drawing=route), session="a", now=NOW)
    first = rendered_consultation_map(store, settings, c, "nb")
    (frame,) = [f for k, f in maps._FRAMES.items() if k[0] == c.id and k[2] == "nb"]
    submit_input(store, c.id, InputDraft("Annet", "Et nytt kryss", lat=INSIDE[0], lon=INSIDE[1]), session="b", now=NOW)
    second = rendered_consultation_map(store, settings, c, "nb", since=store.data_version)
    assert second is not first and "Et nytt kryss" in second.script
    assert [f for k, f in maps._FRAMES.items() if k[0] == c.id and k[2] == "nb"] == [frame]  # kept
    points, photos = public.map_points(store, c.id, "nb"), public.photos(store, c.id, "nb")
    whole = maps.render_map(maps.consultation_map(settings, c, points, "nb", photos), f"map-{c.id}")
    assert second == whole


def test_the_frame_is_rendered_again_when_staff_change_what_the_map_shows(store, consultation, settings, monkeypatch):
    from consultations.ui import maps

    monkeypatch.setattr(maps, "_FRAMES", {})  # not the frames earlier tests left under this id

    def frames():
        return [f for k, f in maps._FRAMES.items() if k[0] == consultation.id and k[2] == "nb"]

    first = rendered_consultation_map(store, settings, consultation, "nb")
    (frame,) = frames()
    larger = replace(consultation, area=consultation.area.buffer(0.002, join_style="mitre"))
    store.update_consultation(larger, "kari")
    after = rendered_consultation_map(store, settings, larger, "nb")
    (new_frame,) = frames()  # the old one is dropped
    assert new_frame is not frame and after.script != first.script
    assert json.dumps(larger.area.exterior.coords[0][0]) in after.script  # the new outline (its first longitude)


def test_others_inputs_reach_a_shared_map_within_a_second_and_the_askers_own_at_once(
    store, consultation, settings, monkeypatch
):
    """In a viral consultation every input is a new version: the map is written again at
    most once a second for other people's inputs, at once for the asker's own."""
    from consultations.ui import maps

    clock = [1000.0]
    monkeypatch.setattr(maps, "_clock", lambda: clock[0])
    monkeypatch.setattr(maps, "MAP_FRESHNESS", 1.0)  # as shipped (conftest sets 0)
    first = rendered_consultation_map(store, settings, consultation, "nb")
    others = InputDraft("Annet", "Et innspill fra en annen", lat=INSIDE[0], lon=INSIDE[1])
    submit_input(store, consultation.id, others, session="other", now=NOW)
    clock[0] += 0.5
    assert rendered_consultation_map(store, settings, consultation, "nb") is first  # half a second behind
    mine = InputDraft("Annet", "Mitt eget innspill", lat=INSIDE[0], lon=INSIDE[1])
    submit_input(store, consultation.id, mine, session="me", now=NOW)
    own = rendered_consultation_map(store, settings, consultation, "nb", since=store.data_version)
    assert "Mitt eget innspill" in own.script and "Et innspill fra en annen" in own.script
    submit_input(
        store, consultation.id, replace(others, text="Enda et innspill fra en tredje"), session="third", now=NOW
    )
    clock[0] += maps.MAP_FRESHNESS + 0.01
    later = rendered_consultation_map(store, settings, consultation, "nb")
    assert later is not own and "Enda et innspill" in later.script
