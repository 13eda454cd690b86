"""The resident pages on PostgreSQL (``KARTINNSPILL_DB=postgresql://…``): the listing, one
consultation, sending an input and supporting one, through the whole app under AppTest.
The same pages on DuckDB: ``test_pages.py``."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from consultations.demo import seed_demo
from consultations.store import Store
from tests.conftest import APP

BORGEN = "borgen-tettstedsutvikling"


@pytest.fixture(scope="module")
def demo_template(pg_cluster) -> str:
    """The demo data in a database of its own, copied for each test."""
    url = pg_cluster.new_database()
    store = Store.open(url)
    seed_demo(store)
    store.close()
    yield url.rsplit("/", 1)[1]
    pg_cluster.drop(url)


@pytest.fixture
def app(pg_cluster, demo_template, monkeypatch):
    from consultations.ui import context

    url = pg_cluster.new_database(template=demo_template)
    monkeypatch.setenv("KARTINNSPILL_DB", url)
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    monkeypatch.delenv("KARTINNSPILL_DEMO", raising=False)
    context._store.clear()
    context._settings.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.store = lambda: context._store(url, False)
    yield at
    at.store().close()
    context._store.clear()
    pg_cluster.drop(url)


def test_the_resident_pages_list_show_take_an_input_and_a_support_on_postgresql(app):
    at = app.run()
    assert not at.exception
    assert any("Borgen" in str(m.value) for m in at.markdown)
    at.query_params["id"] = BORGEN
    at.run()
    assert not at.exception and "Borgen" in at.title[0].value
    assert sum(b.label == "Støtt" for b in at.button) == 20

    text = "Gjelder hele Borgen: flere benker langs gangveien, takk."
    at.selectbox(key=f"form-{BORGEN}-category").set_value("Sentrum og møteplasser")
    at.text_area(key=f"form-{BORGEN}-text").set_value(text)
    at.checkbox(key=f"form-{BORGEN}-whole_area").check()
    at.button[[b.label for b in at.button].index("Send innspill")].click()
    at.run()
    assert not at.exception and not at.error
    (thanks,) = [s for s in at.success if s.value.startswith("Takk")]
    (row,) = [i for i in app.store().all_inputs(BORGEN) if i.text == text]
    assert row.reference in thanks.value

    first = next(b for b in at.button if b.label == "Støtt")
    input_id = int(first.key.removeprefix("support-"))
    before = app.store().get_input(input_id).supports
    first.click()
    at.run()
    assert at.button(key=f"support-{input_id}").label == "Du støtter dette"
    assert app.store().get_input(input_id).supports == before + 1
