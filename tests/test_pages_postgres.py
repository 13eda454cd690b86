"""The resident pages on PostgreSQL (``KARTINNSPILL_DB=postgresql://…``): the listing, one
consultation, sending an input and supporting one, through the whole app under AppTest.
The same pages on DuckDB: ``test_pages.py``."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from consultations.demo import seed_demo
from consultations.store import Store
from consultations.ui.participation import PAGE_SIZE
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
    assert sum(b.label.startswith("Støtt KI-") for b in at.button) == PAGE_SIZE  # each names its input

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

    first = next(b for b in at.button if b.label.startswith("Støtt KI-"))
    input_id = int(first.key.removeprefix("support-"))
    before = app.store().get_input(input_id).supports
    first.click()
    at.run()
    assert at.button(key=f"support-{input_id}").label == "Du støtter dette"
    assert app.store().get_input(input_id).supports == before + 1


# -- school classes (barnetråkk): the teacher, a pupil, the planner, the residents ---------

WAY_TO_SCHOOL = {"type": "LineString", "coordinates": [[10.406, 59.826], [10.412, 59.826], [10.420, 59.826]]}


def _page_text(at: AppTest) -> str:
    kinds = ("title", "header", "subheader", "markdown", "caption", "success", "info", "warning", "error")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def test_a_class_is_opened_filled_by_a_pupil_and_published_on_postgresql(app):
    """The class pages' main path on PostgreSQL: a teacher opens a class (/klasser), a pupil
    draws the way to school and marks a place (/?klasse=CODE), a planner reads the results
    and publishes them, and residents then see the class's summary (the full set of class
    page tests runs on DuckDB: ``test_classes_pages.py``)."""
    from consultations.children import classes
    from consultations import geo
    from consultations.participation.drawing import Sketch
    from consultations.model import Role, Shape
    from consultations.ratelimit import RateLimiter
    from consultations.ui.classes import KEYS
    from tests.conftest import log_in_as, staff

    store = app.store()
    teacher, planner = staff(store, "lena", Role.TEACHER), staff(store, "kari", Role.PLANNER)

    def visitor() -> AppTest:  # a new browser session on the same app and database
        return AppTest.from_file(APP, default_timeout=30)

    log_in_as(app, teacher.id)
    at = app.switch_page("pages/klasser.py").run()
    at.text_input(key=KEYS["school"]).input("Heggedal skole")
    at.selectbox(key=KEYS["grade"]).set_value("6")
    at.number_input(key=KEYS["size"]).set_value(24)
    at.button[0].click().run()  # «Opprett klasse»
    assert not at.exception
    [session] = store.class_sessions()
    assert session.consultation_id == BORGEN  # the open consultation the form offered first
    assert f"Klassekoden er {session.code}" in _page_text(at)

    pupil = visitor()
    pupil.query_params["klasse"] = session.code
    pupil.run()
    assert not pupil.exception and "1. Skoleveien din" in _page_text(pupil)
    line = geo.read_drawing(WAY_TO_SCHOOL, (Shape.LINE,), store.get_consultation(BORGEN).area)
    pupil.session_state["location"] = {f"class{session.id}-school-{BORGEN}": Sketch(shape=Shape.LINE, drawing=line)}
    school = f"pupil-{session.id}-school"
    pupil.radio(key=f"{school}-transport").set_value("bike")
    pupil.button(key=f"{school}-send").click().run()
    assert "Veien er lagret" in _page_text(pupil)
    search = pupil.selectbox(key=f"class{session.id}-place-place-{BORGEN}")
    search.set_value(search.options[-1]).run()  # a place chosen without the map
    place = f"pupil-{session.id}-place"
    pupil.radio(key=f"{place}-label").set_value("unsafe_traffic")
    pupil.text_input(key=f"{place}-text").input("Bilene kjører fort her")
    pupil.button(key=f"{place}-send").click().run()
    assert not pupil.exception and "Du har merket 1 sted." in _page_text(pupil)
    frame = store.class_frame(BORGEN)
    assert sorted(frame["part"]) == ["place", "school"] and set(frame["transport"].dropna()) == {"bike"}

    for k in range(5):  # five more pupils: six, past the < 5 rule
        classes.submit_route(store, session, WAY_TO_SCHOOL, "walk", pupil=f"p{k}", limiter=RateLimiter())
        classes.submit_place(
            store, session, 59.82601, 10.41401, "unsafe_traffic", "", pupil=f"p{k}", limiter=RateLimiter()
        )

    staff_view = visitor()
    log_in_as(staff_view, planner.id)
    staff_view.switch_page("pages/klasser.py").run()
    assert not staff_view.exception and "Hva klassene sa" in _page_text(staff_view)
    assert [m.value for m in staff_view.metric] == ["6", "6", "6"]
    staff_view.button(key=f"publish-class-{session.id}").click().run()
    assert not staff_view.exception and store.class_session(session.id).published

    resident = visitor()
    resident.query_params["id"] = BORGEN
    resident.run()
    assert not resident.exception
    assert "1 skoleklasse var med: 6 elever tegnet 6 veier og merket 6 steder." in _page_text(resident)
