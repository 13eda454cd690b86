"""Parties and authorities on the staff pages under AppTest, on the demo: registering a
Statsforvalteren innsigelse and a neighbour's late letter, seeing the innsigelse counted and
the late merknad marked, moving an innsigelse's status, and keeping the høringsinstanser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from consultations.i18n import LOCAL_TZ
from consultations.model import Objection, ObjectionStatus, SenderType
from consultations.planning.planprocess import next_working_day
from tests.conftest import APP, BORGEN, SLEMMESTAD, app_store, click, open_page

SENTRUM = "asker-sentrum-omraderegulering"
STATSFORVALTEREN = "Statsforvalteren i Oslo og Viken"
NEIGHBOUR = "Nils Naboen"
LETTER = "Statsforvalteren fremmer innsigelse: byggegrensen mot sjø sikrer ikke allmenn ferdsel langs strandsonen."
NEIGHBOUR_TEXT = "Fire sider fra naboen: byggene i felt B2 tar sola fra hagen vår om ettermiddagen. " * 40
REGISTER, REVIEW, OVERVIEW, PARTIES = (
    "pages/registrer-innspill.py",
    "pages/gjennomgang.py",
    "pages/saksbehandling.py",
    "pages/horingsinstanser.py",
)


@pytest.fixture
def db(staff_app_db):
    """The app's database and the planner's id."""
    path, ids = staff_app_db
    return path, ids["kari"]


def shown(at: AppTest) -> str:
    kinds = ("title", "subheader", "markdown", "caption", "info", "warning", "success", "error")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def register(
    at: AppTest,
    cid: str,
    channel: str,
    sender_type: str,
    text: str,
    received: date,
    authority: str | None = None,
    name: str | None = None,
    objection: str | None = None,
) -> AppTest:
    at.selectbox(key="register-consultation").set_value(cid).run()
    at.radio(key="register-channel").set_value(channel)
    at.selectbox(key="register-sender_type").set_value(sender_type).run()
    if authority:
        at.selectbox(key="register-authority").set_value(authority)
    if name:
        at.text_input(key="register-sender_name").input(name)
    if objection:
        at.radio(key="register-objection").set_value(objection)
    at.date_input(key="register-received").set_value(received)
    at.selectbox(key="register-category").set_value("Strandsone og fjord")
    at.text_area(key="register-text").input(text)
    return click(at, "Registrer merknad")  # a formal høring says «merknad» (issue 21)


def review_table(at: AppTest):
    return next(d for d in at.dataframe if (d.key or "").startswith("review-table-")).value


def test_the_register_form_offers_the_profiles_authorities_and_innsigelse_only_for_authorities(db):
    _, kari = db
    at = open_page(REGISTER, kari)
    at.selectbox(key="register-consultation").set_value(SENTRUM).run()
    at.selectbox(key="register-sender_type").set_value("nabo").run()
    assert not at.get("radio")[1:] and at.text_input(key="register-sender_name")  # no innsigelse for a neighbour
    at.selectbox(key="register-sender_type").set_value("offentlig_myndighet").run()
    options = at.selectbox(key="register-authority").options
    assert STATSFORVALTEREN in options and "Akershus fylkeskommune" in options and "Kystverket" in options
    assert at.radio(key="register-objection").options == [
        "Verken innsigelse eller faglig råd",
        "Innsigelse",
        "Faglig råd",
        "Både innsigelse og faglig råd",
    ]


def test_a_planner_registers_a_statsforvalteren_innsigelse_and_it_answers_the_hoeringsinstans(db):
    path, kari = db
    at = open_page(REGISTER, kari)
    today = date.today()
    at = register(
        at, SENTRUM, "email", "offentlig_myndighet", LETTER, today, authority=STATSFORVALTEREN, objection="innsigelse"
    )
    assert not at.exception and not at.error
    (row,) = [i for i in app_store(path).all_inputs(SENTRUM) if i.text == LETTER]
    assert (row.sender_type, row.sender_name) == (SenderType.AUTHORITY, STATSFORVALTEREN)
    assert (row.objection, row.objection_status) == (Objection.INNSIGELSE, ObjectionStatus.OPEN)
    assert at.success[0].value.endswith(f"Registrert som svaret fra høringsinstansen {STATSFORVALTEREN}.")
    (party,) = [p for p in app_store(path).hearing_parties(SENTRUM) if p.name == STATSFORVALTEREN]
    assert party.input_id == row.id


def test_a_planner_registers_both_letters_and_sees_the_innsigelse_counted_and_the_late_merknad_marked(db):
    path, kari = db
    closes = app_store(path).get_consultation(SLEMMESTAD).closes_at.astimezone(LOCAL_TZ)
    at = open_page(REGISTER, kari)
    at = register(
        at,
        SLEMMESTAD,
        "email",
        "offentlig_myndighet",
        LETTER,
        closes.date(),
        authority=STATSFORVALTEREN,
        objection="innsigelse",
    )
    assert not at.error
    at = register(at, SLEMMESTAD, "email", "nabo", NEIGHBOUR_TEXT, closes.date() + timedelta(days=2), name=NEIGHBOUR)
    assert not at.error
    stored = {i.text: i for i in app_store(path).all_inputs(SLEMMESTAD)}
    innsigelse, late = stored[LETTER], stored[NEIGHBOUR_TEXT.strip()]

    review = open_page(REVIEW, kari, SLEMMESTAD)
    assert not review.exception
    assert "2 uløste innsigelser" in shown(review)  # the demo's open one and the new one
    table = review_table(review).set_index("Ref.")
    frist = f"Etter fristen {closes.day}. "
    assert table.at[late.reference, "Etter fristen"].startswith(frist)
    assert table.at[innsigelse.reference, "Etter fristen"] == ""
    assert table.at[innsigelse.reference, "Innsigelse"] == "Innsigelse (åpen)"

    overview = open_page(OVERVIEW, kari)
    counts = next(d for d in overview.dataframe).value.set_index("ID")
    assert counts.at[SLEMMESTAD, "Uløste innsigelser"] == 2


def _select(at: AppTest, reference: str) -> AppTest:
    table = next(d for d in at.dataframe if (d.key or "").startswith("review-table-"))
    refs = list(table.value["Ref."])
    at.session_state[table.key] = {"selection": {"rows": [refs.index(reference)], "columns": [], "cells": []}}
    return at.run()


def test_the_detail_shows_the_innsigelse_status_but_moves_it_only_on_the_merknadsbehandling_with_evidence(db):
    # issue 21: no more one-click status; the demo's letter is split into points, its
    # opprettholdt point still stands (test_points_pages moves it with date and reference)
    path, kari = db
    (demo,) = [i for i in app_store(path).all_inputs(SLEMMESTAD) if i.objection == Objection.INNSIGELSE]
    at = open_page(REVIEW, kari, SLEMMESTAD)
    assert "1 uløst innsigelse" in shown(at)
    at = _select(at, demo.reference)
    assert not at.exception and not at.error
    assert f"{STATSFORVALTEREN} (Innsigelse (opprettholdt – mekling))" in shown(at)
    assert not [s for s in at.selectbox if s.key == f"objection-{demo.id}-status"]
    assert "Merknaden er delt i punkter: merk innsigelse eller faglig råd på hvert punkt." in shown(at)
    assert app_store(path).get_input(demo.id).objection_status == ObjectionStatus.MAINTAINED


def test_a_planner_marks_an_authoritys_merknad_as_faglig_raad_in_the_detail(db):
    path, kari = db
    (advice,) = [
        i for i in app_store(path).all_inputs("heggedal-tettstedsutvikling") if i.sender_type == SenderType.AUTHORITY
    ]
    at = open_page(REVIEW, kari, "heggedal-tettstedsutvikling")
    at = _select(at, advice.reference)
    at.radio(key=f"objection-{advice.id}-kind").set_value("innsigelse").run()
    assert not at.error
    assert app_store(path).get_input(advice.id).objection == Objection.INNSIGELSE
    assert "1 uløst innsigelse" in shown(at.run())


def test_the_overview_names_the_hoeringsinstanser_that_have_not_answered(db):
    _, kari = db
    at = open_page(OVERVIEW, kari)
    at.selectbox(key="staff-selected").set_value(SLEMMESTAD).run()
    text = shown(at)
    assert "7 av 9 høringsinstanser har ikke svart ennå" in text
    assert "Akershus fylkeskommune" in text and "1 uløst innsigelse" in text


def test_the_hoeringsinstanser_page_prefills_adds_one_with_its_own_frist_and_links_an_answer(db):
    path, kari = db
    at = open_page(PARTIES, kari, BORGEN)
    assert not at.exception and at.title[0].value == "Høringsinstanser"
    at = click(at, "Fyll inn standardlisten")
    assert "9 høringsinstanser er lagt til." in [s.value for s in at.success]
    closes = app_store(path).get_consultation(BORGEN).closes_at.astimezone(LOCAL_TZ).date()
    k = f"hearing-{BORGEN}-add"
    at.selectbox(key=f"{k}-name").set_value("Riksantikvaren")
    at.selectbox(key=f"{k}-type").set_value("offentlig_myndighet")
    earlier = closes - timedelta(days=1)
    while next_working_day(earlier) != earlier:  # a holiday before it would move past it
        earlier -= timedelta(days=1)
    at.date_input(key=f"{k}-frist").set_value(earlier)
    at = click(at, "Legg til")
    assert [e.value for e in at.error] == [f"En egen frist må være senere enn høringens frist ({closes:%d.%m.%Y})."]
    at.date_input(key=f"{k}-frist").set_value(closes + timedelta(days=21))
    at = click(at, "Legg til")
    assert not at.error
    (party,) = [p for p in app_store(path).hearing_parties(BORGEN) if p.name == "Riksantikvaren"]
    assert party.frist is not None and party.frist.astimezone(LOCAL_TZ).date() >= closes + timedelta(days=21)

    answer = app_store(path).published_inputs(BORGEN)[0]
    at.selectbox(key=f"hearing-{BORGEN}-chosen").set_value(party.id).run()
    at.selectbox(key=f"hearing-{BORGEN}-{party.id}-answer").set_value(answer.id)
    at = click(at, "Lagre")
    assert not at.error and app_store(path).hearing_party(party.id).input_id == answer.id
    assert "9 av 10 høringsinstanser har ikke svart ennå" in shown(at)
    (link,) = [e for e in at.get("page_link") if answer.reference in e.proto.label]
    assert link.proto.page.endswith("gjennomgang") and f"id={BORGEN}" in link.proto.query_string


def test_a_neighbours_name_stays_off_the_resident_page_of_the_demo(db):
    path, _ = db
    names = [i.sender_name for i in app_store(path).all_inputs(SLEMMESTAD) if i.sender_type == SenderType.NEIGHBOUR]
    assert len(names) == 2
    resident = AppTest.from_file(APP, default_timeout=60)
    resident.query_params["id"] = SLEMMESTAD
    resident.run()
    page = shown(resident) + " ".join(h.proto.body for h in resident.get("html"))
    assert "(Fiktivt demobrev) Som nabo" in page  # the letter is listed …
    assert not any(name in page for name in names)  # … without its sender
