"""A resident's «Send» as the browser sends it (a rerun of the fragment the form is in, over
Streamlit's websocket, bench/wire.py) on the shipped server: the answer thanks her and
brings her input in the list and on the map, from the map's, the form's and the list's
fragments only; the page around them is not drawn again (issue 26)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import random

import pytest

from bench.wire import BORGEN, Browser, Run, state
from consultations import geo
from consultations.demo import AREAS
from tests.live_server import AppServer, running


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[AppServer]:
    tmp = tmp_path_factory.mktemp("send")
    with running(tmp / "app.duckdb", tmp / "streamlit.log") as app:
        yield app


def _send(
    server: AppServer, query: str, button: str, fields: Callable[[Run], list], pin: bool = False
) -> tuple[Run, Run]:
    """A page view, then ``button`` with ``fields(page)`` (and, with ``pin``, a pin in the plan
    area first, set by the map's fragment) as the browser sends it: a rerun of the form's
    fragment. The page view and the answer."""
    browser = Browser(server.url)
    browser.load(query)
    session = browser.session(open_timeout=120)
    try:
        page = session.run(query, timeout=120)
        assert not page.exceptions and page.outside > 0  # a page view draws the page
        states = []
        if pin:
            folium = page.widget("component_instance", contains="st_folium")
            area = geo.read_areas(AREAS, key="consultation_id")[BORGEN]
            ((lat, lon),) = geo.random_points(area, 1, random.Random(3))
            click = state(folium.id, json_value={"last_clicked": {"lat": lat, "lng": lon}})
            pinned = session.run(query, [click], fragment_id=folium.fragment_id, timeout=120)
            assert not pinned.exceptions and pinned.outside == 0
            states.append(click)
        submit = page.widget("button", button)
        states += [*fields(page), state(submit.id, trigger_value=True)]
        answer = session.run(query, states, fragment_id=submit.fragment_id, timeout=120)
    finally:
        session.close()
    assert not answer.exceptions
    assert any(a.startswith("Takk") for a in answer.alerts), answer.alerts
    assert answer.outside == 0  # nothing outside the fragments was drawn again
    return page, answer


def test_the_send_answers_from_the_fragments_with_her_input_in_the_list_and_on_the_map(server):
    text = "Wiretest: en benk i skyggen ved stasjonen, takk."
    _, answer = _send(
        server,
        f"id={BORGEN}",
        "Send innspill",
        lambda page: [
            state(page.widget("selectbox", "Kategori").id, string_value="Gange og sykkel"),
            state(page.widget("text_area", "Ditt innspill").id, string_value=text),
        ],
        pin=True,
    )
    listed = [h for h in answer.html if 'class="ki-item"' in h]
    assert listed and text in listed[0]  # the list, newest first
    maps = [w for w in answer.widgets if w.kind == "component_instance" and "st_folium" in w.element.component_name]
    assert maps and any(text in m.element.json_args for m in maps)  # her map
    emptied = answer.widget("text_area", "Ditt innspill").element
    assert emptied.set_value and emptied.value == ""  # the browser is told to empty the form


def test_a_merknad_in_a_formal_hearing_gets_its_receipt_link_from_the_fragments(server):
    """The formal form's page links (privacy, receipt) in a run of the fragments only."""
    text = "Wiretest: torget trenger flere benker og trær."
    _, answer = _send(
        server,
        "id=asker-sentrum-omraderegulering",
        "Send merknad",
        lambda page: [
            state(page.widget("selectbox", "Kategori").id, string_value="Annet"),
            state(page.widget("text_area", "Din merknad").id, string_value=text),
            state(page.widget("checkbox", "Gjelder hele området").id, bool_value=True),
            state(page.widget("text_input", "Navn").id, string_value="Kari Nordmann"),
            state(page.widget("text_input", "Postadresse").id, string_value="Torget 1, 1384 Asker"),
        ],
    )
    assert any(text in h for h in answer.html if 'class="ki-item"' in h)
    assert any("kvittering" in link for link in answer.links), answer.links  # the receipt
