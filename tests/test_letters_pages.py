"""Issue 21 through the pages (AppTest, on the demo): the registration form of a formal
høring says «merknad» and keeps a private sender's letter from the public with its postal
address, gnr/bnr and journalpost; the builder refuses a short frist without a reason and
keeps it with one; the export page offers the varslingsliste."""

from __future__ import annotations

from datetime import date

import pytest

from consultations.model import InputStatus, SenderType
from tests.conftest import SLEMMESTAD, app_store, click, open_page

REGISTER = "pages/registrer-innspill.py"


@pytest.fixture
def db(staff_app_db):
    """The app's database (the demo with staff) and the planner's id."""
    path, ids = staff_app_db
    return path, ids["kari"]


TEXT = "Jeg, Kari Nordmann i Kaiveien 3, har astma og ber om at kaia får mer grønt."


def test_a_private_letter_registered_in_a_formal_hearing_waits_with_its_address_and_journalpost(db):
    path, kari = db
    at = open_page(REGISTER, kari)
    at.selectbox(key="register-consultation").set_value(SLEMMESTAD).run()
    at.radio(key="register-channel").set_value("letter")
    at.selectbox(key="register-sender_type").set_value("privatperson").run()
    assert "Merknaden" in [t.label for t in at.text_area]
    at.text_input(key="register-sender_name").input("Kari Nordmann")
    at.text_input(key="register-street").input("Kaiveien 3")
    at.text_input(key="register-postcode").input("3470")
    at.text_input(key="register-place").input("Slemmestad")
    at.text_input(key="register-property").input("12 / 345")
    at.text_input(key="register-journalpost").input("25/4711-12")
    at.date_input(key="register-received").set_value(date.today())
    at.selectbox(key="register-category").set_value("Strandsone og fjord")
    at.text_area(key="register-text").input(TEXT)
    at = click(at, "Registrer merknad")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "ikke offentlig før en saksbehandler publiserer den" in at.success[0].value
    store = app_store(path)
    (item,) = [i for i in store.all_inputs(SLEMMESTAD) if i.text == TEXT]
    assert (item.status, item.sender_type) == (InputStatus.PENDING, SenderType.PRIVATE)
    assert (item.sender_address, item.sender_property) == ("Kaiveien 3, 3470 Slemmestad", "12/345")
    assert store.letter(item.id).journalpost == "25/4711-12"


def test_a_postcode_that_is_not_four_digits_is_refused_on_the_form_and_nothing_stored(db):
    path, kari = db
    before = len(app_store(path).all_inputs(SLEMMESTAD))
    at = open_page(REGISTER, kari)
    at.selectbox(key="register-consultation").set_value(SLEMMESTAD).run()
    at.radio(key="register-channel").set_value("letter")
    at.selectbox(key="register-sender_type").set_value("nabo").run()
    at.text_input(key="register-sender_name").input("Nils Naboen")
    at.text_input(key="register-street").input("Kaiveien 5")
    at.text_input(key="register-postcode").input("347")
    at.text_input(key="register-place").input("Slemmestad")
    at.selectbox(key="register-category").set_value("Strandsone og fjord")
    at.text_area(key="register-text").input("Et brev fra naboen om kaia og utsikten.")
    at = click(at, "Registrer merknad")
    assert any("Postnummeret «347» er ikke fire sifre." in e.value for e in at.error)
    assert len(app_store(path).all_inputs(SLEMMESTAD)) == before


def test_the_export_page_offers_the_varslingsliste_for_a_formal_hearing(db):
    _, kari = db
    at = open_page("pages/gjennomgang.py", kari, SLEMMESTAD)
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Varslingsliste (Excel)" in labels and "Varslingsliste (Word-fletteliste)" in labels
