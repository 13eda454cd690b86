"""The class's school on the pupils' map: the teacher places it (from the place search),
only for their own class and near the plan area, audited; the pupils' map marks it with
the app's own school icon and a word, on both store backends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultations.children import classes
from consultations import geo
from consultations.children.classes import InvalidClass
from consultations.model import Role, Shape, Stage
from consultations.participation.drawing import Sketch
from consultations.permissions import NotAllowed
from consultations.ui.maps import sketch_script
from tests.conftest import NOW, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)
from tests.helpers_classes import CID, open_class, pupil
from tests.helpers_classes import app, class_db  # noqa: F401  (fixtures)


@pytest.fixture
def own_class(store, consultation):
    teacher = staff(store, "lena", Role.TEACHER)
    session = classes.create_class(
        store,
        teacher,
        consultation.id,
        school="Heggedal skole",
        grade="3",
        size=24,
        opens_at=NOW - timedelta(hours=1),
        closes_at=NOW + timedelta(hours=2),
        now=NOW,
    )
    return teacher, session


def test_the_teacher_places_the_school_and_it_is_audited(store, consultation, own_class):
    teacher, session = own_class
    assert classes.school_place(store, session) is None
    lat, lon = geo.centre(consultation.area)
    placed = classes.place_school(store, teacher, session.id, lat, lon, "Heggedal skole, Gjellumveien 2")
    assert classes.school_place(store, session) == placed
    assert (placed.lat, placed.lon, placed.label) == (lat, lon, "Heggedal skole, Gjellumveien 2")
    moved = classes.place_school(store, teacher, session.id, lat + 0.001, lon, "Gjellumveien 4")
    assert classes.school_place(store, session) == moved  # moved, not a second school
    assert [e.action for e in store.audit_entries() if e.action == "class.school"] == ["class.school"] * 2


def test_another_teacher_cannot_place_the_school(store, consultation, own_class):
    _, session = own_class
    other = staff(store, "per", Role.TEACHER)
    with pytest.raises(NotAllowed):
        classes.place_school(store, other, session.id, *geo.centre(consultation.area), "Et annet sted")
    assert classes.school_place(store, session) is None


@pytest.mark.parametrize(("lat", "lon"), [(69.65, 18.96), (float("nan"), 10.4), ("59.8", 10.4), (91.0, 10.4)])
def test_a_place_far_from_the_plan_area_or_no_place_is_refused(store, own_class, lat, lon):
    teacher, session = own_class
    with pytest.raises(InvalidClass) as refused:
        classes.place_school(store, teacher, session.id, lat, lon, "Tromsø")
    assert refused.value.message("nb")  # said in words
    assert classes.school_place(store, session) is None


def test_the_pupils_map_marks_the_school_with_its_own_icon_and_a_word_escaped():
    marks = (("school", "<b>Skolen</b>", 59.78, 10.45),)
    script = sketch_script(Sketch(shape=Shape.LINE), Stage.IDEFASE, "nb", 0, marks)
    assert "/app/static/icons/school.svg" in script
    # the word escaped for HTML (the script writes «&» as \u0026): shown as text, no markup
    assert "\\u0026lt;b\\u0026gt;Skolen" in script and "<b>" not in script and "\\u003cb\\u003e" not in script
    assert '"keyboard": false' in script  # not a tab stop


def test_the_pupils_page_shows_the_school_the_teacher_placed(app):  # noqa: F811
    session = open_class(app, grade="3")
    store = app.store()
    teacher = store.get_user(app.ids["lena"])
    lat, lon = geo.centre(store.get_consultation(CID).area)
    classes.place_school(store, teacher, session.id, lat, lon, "Heggedal skole")
    # 3. trinn answers one screen at a time: the map is on the screen «draw your way»
    app.session_state["pupil"] = {"class_id": session.id, "step": 1, "places": 0, "screen": "draw"}
    at = pupil(app, session.code)
    assert not at.exception
    maps = [e for e in at.get("component_instance") if "school.svg" in e.proto.json_args]
    assert len(maps) == 1 and "Skolen" in maps[0].proto.json_args
