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
