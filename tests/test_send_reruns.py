"""After a resident's «Send» her input is in the list and on her map at once. (That a
browser's send reruns only the map, the form and the list, not the page around them, is
tests/test_send_wire.py: AppTest runs the whole page for every interaction.)"""

from __future__ import annotations

from tests.conftest import BORGEN, folium_args


def _send(at, text: str, pin: bool = True):
    cid = BORGEN
    if pin:
        place = at.selectbox(key=f"place-{cid}")
        place.set_value(place.options[0])
        at.run()
    category = at.selectbox(key=f"form-{cid}-category")
    category.set_value(category.options[0])
    at.text_area(key=f"form-{cid}-text").set_value(text)
    at.button[[b.label for b in at.button].index("Send innspill")].click()
    return at.run()


def _listed(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if 'class="ki-item"' in h.proto.body]


def test_a_sent_input_is_in_the_list_and_on_her_map_at_once(demo_app):
    demo_app.query_params["id"] = BORGEN
    at = demo_app.run()
    text = "Benkene ved elva trengs om sommeren, med skygge."
    at = _send(at, text)
    assert not at.exception
    assert any(s.value.startswith("Takk") for s in at.success)
    assert text in _listed(at)[0]  # the newest first, at once
    (shown,) = folium_args(at)
    assert text in shown["script"]  # and on her map


def test_a_refused_input_keeps_what_was_typed_and_the_list_as_it_was(demo_app):
    demo_app.query_params["id"] = BORGEN
    at = demo_app.run()
    before = _listed(at)
    at = _send(at, "kort", pin=False)  # too short: refused
    assert not at.exception
    assert at.text_area(key=f"form-{BORGEN}-text").value == "kort"
    assert _listed(at) == before
    assert not any(s.value.startswith("Takk") for s in at.success)


def test_her_route_is_drawn_on_her_map_until_the_shared_map_has_it(demo_app, monkeypatch):
    """The shared map is not written again for a sender's own input: her route is drawn
    beside it, as the map draws every route (maps.own_inputs), until the shared map —
    written again when it is MAP_FRESHNESS old — has it."""
    import dataclasses

    from consultations import geo
    from consultations.model import Shape
    from consultations.participation.drawing import Sketch
    from consultations.ui import maps

    clock = [7000.0]
    monkeypatch.setattr(maps, "_clock", lambda: clock[0])
    monkeypatch.setattr(maps, "MAP_FRESHNESS", 1.0)  # as shipped (conftest sets 0)
    store = demo_app.store()
    c = dataclasses.replace(store.get_consultation(BORGEN), shapes=(Shape.POINT, Shape.LINE))
    store.update_consultation(c, "test")
    demo_app.query_params["id"] = BORGEN
    at = demo_app.run()
    way = {"type": "LineString", "coordinates": [[10.406, 59.826], [10.412, 59.826], [10.420, 59.826]]}
    at.session_state["location"] = {BORGEN: Sketch(shape=Shape.LINE, drawing=geo.read_drawing(way, c.shapes, c.area))}
    at.run()  # the map with the line's tools, as she drew
    (before,) = folium_args(at)
    text = "Skoleveien min langs vannet, trygg og fin."
    at = _send(at, text, pin=False)
    assert any(s.value.startswith("Takk") for s in at.success), [e.value for e in at.error]
    (after,) = folium_args(at)
    assert after["script"] == before["script"]  # the shared map as it was
    assert text in after["feature_group"] and "L.geoJSON" in after["feature_group"]  # her route
    clock[0] += maps.MAP_FRESHNESS + 0.01
    at.run()
    (later,) = folium_args(at)
    assert text in later["script"] and text not in later["feature_group"]  # once, in the shared map
