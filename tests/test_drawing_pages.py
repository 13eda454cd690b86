"""Routes and areas on the pages (AppTest): a resident draws a line by keyboard only and
sends it; the map carries Leaflet.draw's tool with its texts in the page's language; staff
allow lines and areas in the builder; staff register a letter with a drawn area."""

from __future__ import annotations

import dataclasses
import json

from consultations.model import Role, Shape
from tests.conftest import log_in_as, staff

BORGEN = "borgen-tettstedsutvikling"
ALL = (Shape.POINT, Shape.LINE, Shape.AREA)
FIRST, SECOND, THIRD = (
    "Bondivannsveien 1, 1388 Borgen",
    "Bondivannsveien 12, 1388 Borgen",
    "Bondivannsveien 5, 1388 Borgen",
)


def _allow(at, shapes=ALL, cid: str = BORGEN) -> None:
    store = at.store()
    store.update_consultation(dataclasses.replace(store.get_consultation(cid), shapes=shapes), "test")


def _open(at, cid: str = BORGEN, lang: str | None = None):
    at.query_params["id"] = cid
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def _choose(at, prefix: str, address: str, cid: str = BORGEN) -> None:
    """The keyboard route: type the address, choose it among the results."""
    at.text_input(key=f"{prefix}place-{cid}-query").input(address.split(",")[0]).run()
    box = at.selectbox(key=f"{prefix}place-{cid}")
    assert address in box.options, box.options
    box.set_value(address).run()


def _map_args(at) -> dict:
    (component,) = [c for c in at.get("component_instance") if "st_folium" in c.proto.component_name]
    return json.loads(component.proto.json_args)


def test_a_consultation_that_takes_pins_only_offers_no_drawing(demo_app):
    at = _open(demo_app)
    assert not at.exception
    assert not [r for r in at.radio if r.key == f"shape-{BORGEN}"]
    assert "L.Draw.Polyline" not in _map_args(at)["script"]


def test_a_resident_draws_a_line_by_keyboard_and_sends_it(demo_app):
    at = demo_app
    _allow(at)
    at = _open(at)
    at.radio(key=f"shape-{BORGEN}").set_value("line").run()
    assert not at.exception
    script = _map_args(at)["script"]
    assert (
        "L.Draw.Polyline" in script
        and "ki-draw-bar" in script
        and '"finish": "Ferdig"' in script
        and '"undo": "Angre"' in script
    )
    _choose(at, "", FIRST)
    _choose(at, "", SECOND)
    _choose(at, "", THIRD)
    assert at.selectbox(key=f"place-{BORGEN}").value is None  # ready for the next place
    (listed,) = [x.value for x in at.text if x.value.startswith("Punkter så langt")]
    assert listed == f"Punkter så langt: 1. {FIRST}; 2. {SECOND}; 3. {THIRD}"
    at.button(key=f"undo-{BORGEN}").click().run()  # «Angre»: the third point goes
    (listed,) = [x.value for x in at.text if x.value.startswith("Punkter så langt")]
    assert THIRD not in listed
    at.button(key=f"finish-{BORGEN}").click().run()  # «Ferdig»
    assert any(s.value.startswith("Tegnet: strek, ") and s.value.endswith(" m") for s in at.success), [
        s.value for s in at.success
    ]
    assert "feature_group" in _map_args(at) and "LineString" in _map_args(at)["feature_group"]

    at.selectbox(key=f"form-{BORGEN}-category").set_value("Gange og sykkel")
    at.text_area(key=f"form-{BORGEN}-text").set_value("Skoleveien min går langs Bondivannsveien.")
    at.button[[b.label for b in at.button].index("Send innspill")].click().run()
    assert any(s.value.startswith("Takk") for s in at.success), [e.value for e in at.error]
    (stored,) = [i for i in at.store().all_inputs(BORGEN) if "Skoleveien min" in i.text]
    assert stored.shape == Shape.LINE and stored.measure > 0
    coordinates = json.loads(stored.drawing)["coordinates"]
    assert len(coordinates) == 2
    at.run()
    lines = [h.proto.body for h in at.get("html") if 'class="ki-meta"' in h.proto.body]  # the list's line
    assert any("strek, " in b and stored.reference in b for b in lines)
    assert "LineString" in _map_args(at)["script"]  # drawn on the consultation map for all


def test_a_line_outside_the_plan_area_is_refused_in_the_users_language(demo_app):
    at = demo_app
    _allow(at)
    at = _open(at, lang="en")
    at.radio(key=f"shape-{BORGEN}").set_value("line").run()
    at.text_input(key=f"coordinates-{BORGEN}").input("59.8261, 10.4139").run()
    at.text_input(key=f"coordinates-{BORGEN}").input("59.95, 10.90").run()  # far away
    at.button(key=f"finish-{BORGEN}").click().run()
    assert any(w.value.startswith("The line runs too far outside the plan area") for w in at.warning)
    assert not any(s.value.startswith("Drawn:") for s in at.success)


def test_a_pin_is_refused_where_only_lines_are_taken(demo_app):
    at = demo_app
    _allow(at, (Shape.LINE,))
    at = _open(at)
    assert not [r for r in at.radio if r.key == f"shape-{BORGEN}"]  # one shape: nothing to choose
    assert "ki-draw-bar" in _map_args(at)["script"] and '"maxPoints"' in _map_args(at)["script"]  # the line tools
    at.selectbox(key=f"form-{BORGEN}-category").set_value("Annet")
    at.text_area(key=f"form-{BORGEN}-text").set_value("Her mangler det noe viktig.")
    at.button[[b.label for b in at.button].index("Send innspill")].click().run()
    assert not [i for i in at.store().all_inputs(BORGEN) if "mangler det noe" in i.text]


def test_staff_allow_lines_and_areas_and_the_change_is_audited(demo_app):
    at = demo_app
    kari = staff(at.store(), "kari", Role.PLANNER)
    at.switch_page("pages/rediger.py")
    at.query_params["id"] = BORGEN
    log_in_as(at, kari.id).run()
    assert not at.exception
    box = at.multiselect(key=f"builder-{BORGEN}-shapes")
    assert box.value == ["point"]
    box.set_value(["point", "line", "area"]).run()
    at.button(key=f"builder-{BORGEN}-save").click().run()
    assert not at.exception, at.exception
    assert at.store().get_consultation(BORGEN).shapes == ALL
    (entry, *_) = [e for e in at.store().audit_entries() if e.object_id == BORGEN and e.actor == "kari"]
    assert json.loads(entry.before)["shapes"] == ["point"]
    assert json.loads(entry.after)["shapes"] == ["point", "line", "area"]


def test_staff_register_a_letter_with_an_area_drawn_by_keyboard(demo_app):
    at = demo_app
    kari = staff(at.store(), "kari", Role.PLANNER)
    at.switch_page("pages/registrer-innspill.py")
    log_in_as(at, kari.id).run()
    at.selectbox(key="register-consultation").set_value(BORGEN).run()
    at.checkbox(key="register-whole_area").uncheck().run()
    at.radio(key=f"register-shape-{BORGEN}").set_value("area").run()  # staff may draw any shape
    for address in (FIRST, SECOND, "Borgenveien 3, 1388 Borgen"):
        _choose(at, "register-", address)
    at.button(key=f"register-finish-{BORGEN}").click().run()
    assert any(s.value.startswith("Tegnet: område, ") for s in at.success), [w.value for w in at.warning]
    at.radio(key="register-channel").set_value("letter")
    at.selectbox(key="register-sender_type").set_value("privatperson")
    at.selectbox(key="register-category").set_value("Annet")
    at.text_area(key="register-text").set_value("Brevet ber om at dette området blir park.")
    at.button[[b.label for b in at.button].index("Registrer innspill")].click().run()
    assert not at.exception
    (stored,) = [i for i in at.store().all_inputs(BORGEN) if "blir park" in i.text]
    assert stored.shape == Shape.AREA and stored.measure > 0


def test_planners_see_a_drawn_input_on_the_review_map_and_its_shape_and_size_in_the_detail(demo_app):
    from consultations.model import InputDraft
    from consultations.participation.submission import submit_input

    at = demo_app
    _allow(at)
    route = {"type": "LineString", "coordinates": [[10.4125, 59.8255], [10.4150, 59.8262]]}
    stored = submit_input(
        at.store(), BORGEN, InputDraft("Annet", "Stien bak skolen er for smal.", drawing=route), session="r"
    )
    kari = staff(at.store(), "kari", Role.PLANNER)
    at.switch_page("pages/gjennomgang.py")
    at.query_params["id"] = BORGEN
    log_in_as(at, kari.id).run()
    assert not at.exception
    shown = next(d for d in at.dataframe if (d.key or "").startswith("review-table-"))
    refs = list(shown.value["Ref."])
    at.session_state[shown.key] = {"selection": {"rows": [refs.index(stored.reference)], "columns": [], "cells": []}}
    at.run()
    texts = "\n".join(str(e.value) for kind in ("markdown", "caption") for e in at.get(kind))
    expected = f"strek, {round(stored.measure)} m; punkt på tegningen: "
    assert expected in texts, texts[-2000:]
    maps = [
        json.loads(c.proto.json_args)["script"]
        for c in at.get("component_instance")
        if "st_folium" in c.proto.component_name
    ]
    assert any("LineString" in script and "Stien bak skolen" in script for script in maps)
