"""Merknadspunkter on the review page under AppTest, on the demo's Slemmestad case: the
count of points without a vurdering and the plain «cannot be adopted alone», splitting a
neighbour's letter and assessing its new point, moving an innsigelse's status (refused
without its date, accepted with date, reference and note), and a felles vurdering on points."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from consultations.model import ObjectionStatus, Outcome
from tests.conftest import app_store, open_page

SLEMMESTAD = "slemmestad-detaljregulering-kai"
REVIEW = "pages/gjennomgang.py"
STATSFORVALTEREN = "Statsforvalteren i Oslo og Viken"
NEIGHBOUR = "Per Hansen (fiktiv)"


@pytest.fixture
def db(staff_app_db):
    path, ids = staff_app_db
    return path, ids["kari"]


def shown(at: AppTest) -> str:
    kinds = ("subheader", "markdown", "caption", "info", "warning", "success", "error")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _letter(path, name):
    return next(i for i in app_store(path).all_inputs(SLEMMESTAD) if i.sender_name == name)


def _choose(at: AppTest, input_id: int, letter: str | None = None) -> AppTest:
    at.selectbox(key=f"points-{SLEMMESTAD}-input").set_value(input_id).run()
    if letter:
        at.radio(key=f"points-{SLEMMESTAD}-{input_id}-point").set_value(letter).run()
    return at


def test_the_review_says_how_many_points_have_no_vurdering_and_that_the_plan_cannot_be_adopted_alone(db):
    path, kari = db
    at = open_page(REVIEW, kari, SLEMMESTAD)
    assert not at.exception
    store = app_store(path)
    from consultations.casework import points

    missing = points.unassessed(store.merknad_points(SLEMMESTAD), store.all_inputs(SLEMMESTAD))
    assert f"{len(missing)} punkter uten vurdering" in shown(at)
    letter = _letter(path, STATSFORVALTEREN)
    assert f"Planen kan ikke vedtas av kommunestyret alene: 1 innsigelse står fortsatt ({letter.reference} b)" in shown(
        at
    )


def test_a_planner_splits_a_neighbours_letter_and_assesses_the_new_point(db):
    path, kari = db
    neighbour = _letter(path, NEIGHBOUR)
    at = _choose(open_page(REVIEW, kari, SLEMMESTAD), neighbour.id)
    before = shown(at)
    at = click(at, "Legg til punkt b")
    assert not at.exception and f"Punkt {neighbour.reference} b er lagt til." in [s.value for s in at.success]
    assert [p.letter for p in app_store(path).input_points(neighbour.id)] == ["a", "b"]
    k = f"points-{SLEMMESTAD}-{neighbour.id}-b"
    assert at.radio(key=f"points-{SLEMMESTAD}-{neighbour.id}-point").value == "b"
    at.text_area(key=f"{k}-summary").input("Ber om sol- og skyggediagrammer for vårjevndøgn.")
    at.text_area(key=f"{k}-assessment").input("Diagrammene legges ved til andre gangs behandling.")
    at.radio(key=f"{k}-outcome").set_value(Outcome.TAKEN.value)
    at = click(at, "Lagre punktet")
    assert not at.error, [e.value for e in at.error]
    assert f"Punkt {neighbour.reference} b er lagret." in [s.value for s in at.success]
    b = app_store(path).input_points(neighbour.id)[1]
    assert (b.summary, b.outcome) == ("Ber om sol- og skyggediagrammer for vårjevndøgn.", Outcome.TAKEN)
    # one point fewer without a vurdering (a new one was added, then assessed)
    count = lambda text: int(next(line for line in text.splitlines() if "punkter uten vurdering" in line).split()[0])
    assert count(shown(at)) == count(before)


def test_a_vurdering_without_forslag_is_refused_on_the_page_and_nothing_is_stored(db):
    path, kari = db
    neighbour = _letter(path, NEIGHBOUR)
    at = _choose(open_page(REVIEW, kari, SLEMMESTAD), neighbour.id)
    at.text_area(key=f"points-{SLEMMESTAD}-{neighbour.id}-a-assessment").input("Vurdert.")
    at = click(at, "Lagre punktet")
    assert [e.value for e in at.error] == ["Velg forslag til vurderingen."]
    assert not app_store(path).input_points(neighbour.id)[0].assessed


def test_an_innsigelse_status_moves_on_the_page_only_with_date_reference_and_note(db):
    path, kari = db
    letter = _letter(path, STATSFORVALTEREN)
    at = _choose(open_page(REVIEW, kari, SLEMMESTAD), letter.id, "b")
    k = f"points-{SLEMMESTAD}-{letter.id}-b-status"
    at.selectbox(key=f"{k}-status").set_value(ObjectionStatus.WITHDRAWN.value)
    at.text_input(key=f"{k}-reference").input("25/4711-44")
    at.text_area(key=f"{k}-note").input("Statsforvalteren frafaller innsigelsen etter mekling.")
    at = click(at, "Endre status")
    assert [e.value for e in at.error] == ["Oppgi datoen for myndighetens brev eller møtet som endrer statusen."]
    assert app_store(path).input_points(letter.id)[1].status == ObjectionStatus.MAINTAINED

    at.selectbox(key=f"{k}-status").set_value(ObjectionStatus.WITHDRAWN.value)
    at.date_input(key=f"{k}-date").set_value(date(2026, 12, 1))
    at.text_input(key=f"{k}-reference").input("25/4711-44")
    at.text_area(key=f"{k}-note").input("Statsforvalteren frafaller innsigelsen etter mekling.")
    at = click(at, "Endre status")
    assert not at.error, [e.value for e in at.error]
    assert f"Innsigelse {letter.reference} b har nå status frafalt." in [s.value for s in at.success]
    b = app_store(path).input_points(letter.id)[1]
    assert (b.status, b.settled_on, b.settled_reference) == (ObjectionStatus.WITHDRAWN, date(2026, 12, 1), "25/4711-44")
    assert app_store(path).audit_entries()[0].action == "point.innsigelse_status"
    assert "kommunestyret alene" not in shown(at.run())


def test_a_felles_vurdering_is_given_to_chosen_points(db):
    path, kari = db
    neighbour = _letter(path, NEIGHBOUR)
    web = next(i for i in app_store(path).all_inputs(SLEMMESTAD) if i.sender_name is None)
    at = open_page(REVIEW, kari, SLEMMESTAD)
    k = f"points-{SLEMMESTAD}-group"
    at.multiselect(key=f"{k}-points").set_value([f"{neighbour.id}:a", f"{web.id}:a"])
    at.text_area(key=f"{k}-assessment").input("Høyden i B2 reduseres med én etasje.")
    at.radio(key=f"{k}-outcome").set_value(Outcome.PARTLY.value)
    at = click(at, "Lagre felles vurdering")
    assert not at.error and "Felles vurdering er lagret for 2 punkter." in [s.value for s in at.success]
    store = app_store(path)
    a, b = store.input_points(neighbour.id)[0], store.input_points(web.id)[0]
    assert a.group_id == b.group_id is not None and a.outcome == b.outcome == Outcome.PARTLY
