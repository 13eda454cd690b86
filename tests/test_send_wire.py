"""A resident's «Send» as the browser sends it (a rerun of the fragment the form is in, over
Streamlit's websocket, bench/wire.py) on the shipped server: the answer thanks her and
brings her input in the list and on the map, from the map's, the form's and the list's
fragments only; the page around them is not drawn again (issue 26)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import random

from bench.wire import BORGEN, Browser, state
from consultations import geo
from consultations.demo import AREAS
from tests.live_server import AppServer, launch


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[AppServer]:
    tmp = tmp_path_factory.mktemp("send")
    app = launch(tmp / "app.duckdb", tmp / "streamlit.log")
    try:
        app.wait_healthy()
    except RuntimeError as e:
        app.stop()
        pytest.fail(f"server did not start: {e}\n{app.log()}", pytrace=False)
    yield app
    app.stop()


def test_the_send_answers_from_the_fragments_with_her_input_in_the_list_and_on_the_map(server):
    query = f"id={BORGEN}"
    browser = Browser(server.url)
    browser.load(query)
    session = browser.session(open_timeout=120)
    try:
        page = session.run(query, timeout=120)
        assert not page.exceptions and page.outside > 0  # a page view draws the page
        folium = page.widget("component_instance", contains="st_folium")
        ((lat, lon),) = geo.random_points(geo.read_areas(AREAS, key="consultation_id")[BORGEN], 1, random.Random(3))
        click = state(folium.id, json_value={"last_clicked": {"lat": lat, "lng": lon}})
        pinned = session.run(query, [click], fragment_id=folium.fragment_id, timeout=120)
        assert not pinned.exceptions and pinned.outside == 0
        text = "Wiretest: en benk i skyggen ved stasjonen, takk."
        submit = page.widget("button", "Send innspill")
        answer = session.run(
            query,
            [
                click,
                state(page.widget("selectbox", "Kategori").id, string_value="Gange og sykkel"),
                state(page.widget("text_area", "Ditt innspill").id, string_value=text),
                state(submit.id, trigger_value=True),
            ],
            fragment_id=submit.fragment_id,
            timeout=120,
        )
    finally:
        session.close()
    assert not answer.exceptions
    assert any(a.startswith("Takk") for a in answer.alerts), answer.alerts
    assert answer.outside == 0  # nothing outside the fragments was drawn again
    listed = [h for h in answer.html if 'class="ki-item"' in h]
    assert listed and text in listed[0]  # the list, newest first
    maps = [w for w in answer.widgets if w.kind == "component_instance" and "st_folium" in w.element.component_name]
    assert maps and any(text in m.element.json_args for m in maps)  # her map


def test_a_merknad_in_a_formal_hearing_gets_its_receipt_link_from_the_fragments(server):
    """The formal form's page links (privacy, receipt) in a run of the fragments only."""
    formal = "asker-sentrum-omraderegulering"
    query = f"id={formal}"
    browser = Browser(server.url)
    browser.load(query)
    session = browser.session(open_timeout=120)
    try:
        page = session.run(query, timeout=120)
        submit = page.widget("button", "Send merknad")
        text = "Wiretest: torget trenger flere benker og trær."
        answer = session.run(
            query,
            [
                state(page.widget("selectbox", "Kategori").id, string_value="Annet"),
                state(page.widget("text_area", "Din merknad").id, string_value=text),
                state(page.widget("checkbox", "Gjelder hele området").id, bool_value=True),
                state(page.widget("text_input", "Navn").id, string_value="Kari Nordmann"),
                state(page.widget("text_input", "Postadresse").id, string_value="Torget 1, 1384 Asker"),
                state(submit.id, trigger_value=True),
            ],
            fragment_id=submit.fragment_id,
            timeout=120,
        )
    finally:
        session.close()
    assert not answer.exceptions
    assert any(a.startswith("Takk") for a in answer.alerts), answer.alerts
    assert answer.outside == 0
    assert any(text in h for h in answer.html if 'class="ki-item"' in h)
    assert any("kvittering" in link for link in answer.links), answer.links  # the receipt
