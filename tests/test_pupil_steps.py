"""The pupils' path for 1.–4. trinn, one action per screen (issue 22): which screen follows
which (``children.pupil_steps``), and under AppTest a grade-3 pupil going through every
screen — one question and one button forward on each, «Tilbake» losing nothing — while a
grade-6 class keeps its two-step page."""

from __future__ import annotations


import pytest

from consultations import geo
from consultations.children.pupil_steps import FIRST, More, Screen, after, before, more, one_action_per_screen
from consultations.model import ClassPart, Shape
from consultations.participation.drawing import Sketch
from tests.helpers_classes import CID, ROUTE, open_class, pupil
from tests.helpers_classes import app, class_db  # noqa: F401  (fixtures)


# -- the order of the screens ----------------------------------------------------------------


@pytest.mark.parametrize(
    "grade, young", [("1", True), ("3", True), ("4", True), ("5", False), ("10", False), ("vg1", False)]
)
def test_grades_one_to_four_get_one_action_per_screen(grade, young):
    assert one_action_per_screen(grade) is young


def test_a_pupil_goes_from_how_they_travel_to_their_way_then_a_place_step_by_step():
    order = [FIRST]
    while order[-1] != Screen.MORE:
        order.append(after(order[-1], ClassPart.SCHOOL))
    assert order == [Screen.TRANSPORT, Screen.DRAW, Screen.LABEL, Screen.PLACE, Screen.WHY, Screen.MORE]
    assert after(Screen.WISH) == Screen.THANKS


def test_back_goes_one_screen_back_and_nowhere_from_the_first_or_the_thanks():
    assert before(Screen.TRANSPORT, ClassPart.SCHOOL) is None
    assert before(Screen.THANKS) is None
    assert before(Screen.DRAW) == Screen.TRANSPORT
    assert before(Screen.WHY) == Screen.PLACE and before(Screen.PLACE) == Screen.LABEL
    assert before(Screen.LABEL) == Screen.MORE and before(Screen.WISH) == Screen.MORE


def test_the_way_to_an_activity_is_chosen_on_more_and_leads_back_there():
    assert more(More.ACTIVITY) == (Screen.TRANSPORT, ClassPart.ACTIVITY)
    assert before(Screen.TRANSPORT, ClassPart.ACTIVITY) == Screen.MORE
    assert after(Screen.DRAW, ClassPart.ACTIVITY) == Screen.MORE
    assert more(More.PLACE)[0] == Screen.LABEL and more(More.DONE)[0] == Screen.WISH


# -- a grade-3 pupil under AppTest -----------------------------------------------------------


def _pupil(at, grade: str):
    session = open_class(at, grade=grade)
    return session, pupil(at, session.code)


def _screen(at) -> tuple[str, list[str]]:
    """The screen's one question (its only heading under the title) and its primary buttons."""
    assert not at.exception, at.exception
    (question,) = [h.value for h in at.header]
    primary = [b.label for b in at.button if b.proto.type == "primary"]
    return question, primary


def _press(at, label: str):
    (button,) = [b for b in at.button if b.label == label]
    return button.click().run()


def _said(at) -> str:
    return "\n".join(str(e.value) for kind in ("success", "error", "caption", "markdown") for e in getattr(at, kind))


def test_a_grade_3_pupil_answers_one_question_a_screen_and_nothing_is_lost_going_back(app):
    session, at = _pupil(app, "3")
    key = lambda name: f"pupil-{session.id}-young-{name}"  # noqa: E731
    assert _screen(at) == ("Hvordan kommer du til skolen?", ["Neste"])
    _press(at, "Neste")
    assert "Velg hvordan du reiser." in _said(at) and _screen(at)[0] == "Hvordan kommer du til skolen?"
    at.radio(key=key("transport-school")).set_value("bike")
    _press(at, "Neste")
    assert _screen(at) == ("Tegn veien din til skolen", ["Lagre veien"])
    _press(at, "Tilbake")
    assert _screen(at)[0] == "Hvordan kommer du til skolen?"
    assert at.radio(key=key("transport-school")).value == "bike"  # still chosen
    _press(at, "Neste")

    line = geo.read_drawing(ROUTE, (Shape.LINE,), at.store().get_consultation(CID).area)
    at.session_state["location"] = {f"class{session.id}-school-{CID}": Sketch(shape=Shape.LINE, drawing=line)}
    _press(at, "Lagre veien")
    assert "Veien er lagret. Bra!" in _said(at)
    assert _screen(at) == ("Hva slags sted vil du vise oss?", ["Neste"])
    at.radio(key=key("label")).set_value("unsafe_traffic")
    _press(at, "Neste")
    assert _screen(at) == ("Trykk på kartet der stedet er", ["Neste"])
    _press(at, "Neste")  # no place tapped yet
    assert "Trykk på kartet der stedet er først." in _said(at)
    search = at.selectbox(key=f"class{session.id}-place-place-{CID}")
    search.set_value(search.options[-1]).run()  # the middle of the area, without the map
    _press(at, "Neste")
    assert _screen(at) == ("Vil du si hvorfor?", ["Lagre stedet"])
    at.text_input(key=key("why")).input("Bilene kjører fort her")
    _press(at, "Tilbake")
    _press(at, "Neste")
    assert at.text_input(key=key("why")).value == "Bilene kjører fort her"  # kept through «Tilbake»
    _press(at, "Lagre stedet")
    assert "Du har merket 1 sted." in _said(at)
    assert _screen(at) == ("Vil du vise oss et sted til?", ["Ja, et sted til"])
    _press(at, "Nei, jeg er ferdig")
    assert _screen(at) == ("Hvordan vil du helst komme deg til skolen?", ["Ferdig"])
    at.radio(key=key("wish")).set_value("walk")
    _press(at, "Ferdig")
    assert _screen(at) == ("Takk!", [])

    frame = at.store().class_frame(CID)
    assert sorted(frame["part"]) == ["place", "school", "wish"]
    school = frame[frame["part"] == "school"].iloc[0]
    place = frame[frame["part"] == "place"].iloc[0]
    assert school["transport"] == "bike" and place["label"] == "unsafe_traffic"
    assert frame["pupil"].nunique() == 1


def test_a_grade_3_pupil_draws_the_way_to_an_activity_from_the_choice_of_what_next(app):
    session, at = _pupil(app, "3")
    at.session_state["pupil"] = {"class_id": session.id, "step": 1, "places": 0, "screen": "more", "sent-school": True}
    at.run()
    _press(at, "Tegn veien til noe du gjør etter skolen")
    assert _screen(at) == ("Hvordan kommer du dit?", ["Neste"])
    _press(at, "Tilbake")
    assert _screen(at)[0] == "Vil du vise oss et sted til?"


def test_kinds_of_place_lead_to_their_own_questions():
    assert after(Screen.PLACE, kind="unsafe_traffic") == Screen.WHY
    assert after(Screen.PLACE, kind="play") == Screen.SEASON and after(Screen.SEASON) == Screen.COMPANY
    assert after(Screen.PLACE, kind="avoid") == Screen.REASON
    assert after(Screen.COMPANY) == after(Screen.REASON) == Screen.MORE
    assert before(Screen.COMPANY) == Screen.SEASON and before(Screen.REASON) == Screen.PLACE


def test_a_grade_6_class_keeps_its_page_with_the_map_and_the_transport_together(app):
    session, at = _pupil(app, "6")
    assert not at.exception
    assert [h.value for h in at.header] == ["1. Skoleveien din"]
    assert at.radio(key=f"pupil-{session.id}-school-transport") is not None
    assert [b.label for b in at.button if b.proto.type == "primary"] == ["Lagre veien"]


def test_a_grade_3_pupil_marks_where_they_play_with_when_and_with_whom_one_screen_each(app):
    from consultations.children import barnetrakk

    session, at = _pupil(app, "3")
    at.session_state["pupil"] = {"class_id": session.id, "step": 1, "places": 0, "screen": "more", "sent-school": True}
    at.run()
    _press(at, "Ja, et sted til")
    at.radio(key=f"pupil-{session.id}-young-label").set_value("play")
    _press(at, "Neste")
    search = at.selectbox(key=f"class{session.id}-place-place-{CID}")
    search.set_value(search.options[-1]).run()
    _press(at, "Neste")
    assert _screen(at) == ("Når er du der?", ["Neste"])
    at.radio(key=f"pupil-{session.id}-young-season").set_value("winter")
    _press(at, "Neste")
    assert _screen(at) == ("Hvem er du der med?", ["Lagre stedet"])
    _press(at, "Tilbake")
    assert at.radio(key=f"pupil-{session.id}-young-season").value == "winter"
    _press(at, "Neste")
    at.radio(key=f"pupil-{session.id}-young-company").set_value("friends")
    _press(at, "Lagre stedet")
    assert "Stedet er lagret. Takk!" in _said(at) and _screen(at)[0] == "Vil du vise oss et sted til?"
    play = barnetrakk.frame(at.store(), CID)
    assert list(play["part"]) == ["play"]
    assert list(play["season"]) == ["winter"] and list(play["company"]) == ["friends"]
