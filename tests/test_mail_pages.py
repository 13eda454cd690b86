"""The mail pieces of the pages under AppTest: the resident form's address and consents,
«Følg høringen», the confirmation page, the staff registration field, the builder's
vedtak, and the outbox on the Drift page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from consultations import mail
from consultations.auth import create_user
from consultations.mail_model import FollowKind, MailKind, MailStatus
from consultations.ui import context
from tests.conftest import BORGEN, PASSWORD, log_in


def store_of(at: AppTest):
    return context._store(str(at.db_path), False)


def open_consultation(at: AppTest, cid: str) -> AppTest:
    at.query_params["id"] = cid
    return at.run()


def fill(at: AppTest, text: str) -> None:
    at.selectbox(key=f"form-{BORGEN}-category").set_value("Annet")
    at.text_area(key=f"form-{BORGEN}-text").set_value(text)
    at.checkbox(key=f"form-{BORGEN}-whole_area").check()


def send(at: AppTest) -> AppTest:
    at.button[[b.label for b in at.button].index("Send innspill")].click()
    return at.run()


def test_a_resident_asks_for_a_receipt_and_varsle_meg_with_the_input(app):
    at = open_consultation(app.run(), BORGEN)
    text = "Benker langs stien til Borgen, og lys om kvelden."
    fill(at, text)
    assert at.checkbox(key=f"mail-receipt-{BORGEN}").label == "Send meg kvittering"
    assert at.checkbox(key=f"mail-follow-{BORGEN}").label == "Varsle meg når innspillene er behandlet"
    at.text_input(key=f"mail-email-{BORGEN}").input("beboer@example.no")
    at.checkbox(key=f"mail-receipt-{BORGEN}").check()
    at.checkbox(key=f"mail-follow-{BORGEN}").check()
    at = send(at)
    assert not at.exception and not at.error
    (thanks,) = [s for s in at.success if s.value.startswith("Takk")]
    assert "beboer@example.no" in thanks.value  # «open the link we sent»
    store = store_of(at)
    kinds = sorted(e.kind.value for e in store.outbox())
    assert kinds == [MailKind.CONFIRM.value, MailKind.RECEIPT.value]
    [follow] = store.follows(BORGEN, [FollowKind.INPUT], active=False)
    assert not follow.confirmed
    assert at.text_input(key=f"mail-email-{BORGEN}").value == ""
    # the address is never on the public page
    assert not any("beboer@example.no" in m.value for m in at.markdown)


def test_an_address_without_a_consent_keeps_the_form_and_stores_nothing(app):
    at = open_consultation(app.run(), BORGEN)
    text = "Et innspill med adresse, men uten avkrysning."
    fill(at, text)
    at.text_input(key=f"mail-email-{BORGEN}").input("beboer@example.no")
    at = send(at)
    assert at.error[0].value.startswith("Du har skrevet en e-postadresse")
    assert at.text_area(key=f"form-{BORGEN}-text").value == text
    assert store_of(at).outbox() == []


def test_follow_the_consultation_and_confirm_by_the_link(app):
    at = open_consultation(app.run(), BORGEN)
    at.text_input(key=f"mail-follow_email-{BORGEN}").input("folger@example.no")
    at.button(key=f"mail-follow-button-{BORGEN}").click()
    at = at.run()
    assert not at.exception
    assert any("folger@example.no" in s.value for s in at.success)
    store = store_of(at)
    [follow] = store.follows(BORGEN, [FollowKind.CONSULTATION], active=False)
    [confirmation] = store.outbox()
    assert f"bekreft={follow.token}" in confirmation.text

    page = AppTest.from_file(at._script_path, default_timeout=30)
    page.switch_page("pages/epost.py")
    page.query_params["bekreft"] = follow.token
    page = page.run()
    assert not page.exception
    assert not store.follow(follow.token).confirmed  # opening the link alone confirms nothing
    page.button[[b.label for b in page.button].index("Bekreft e-postadressen")].click()
    page = page.run()
    assert store.follow(follow.token).active
    assert any("bekreftet" in s.value for s in page.success)


def test_an_unknown_link_says_so_calmly(app):
    app.switch_page("pages/epost.py")
    app.query_params["avmeld"] = "ukjent"
    at = app.run()
    assert not at.exception and at.info[0].value.startswith("Lenken er ikke gyldig")


def test_the_unsubscribe_page_stops_a_follow_after_a_click(app):
    store = store_of(app.run())
    c = store.get_consultation(BORGEN)
    follow = mail.follow_consultation(store, c, "f@example.no", "nb")
    mail.confirm(store, follow.token)
    app.switch_page("pages/epost.py")
    app.query_params["avmeld"] = follow.token
    at = app.run()
    assert store.follow(follow.token).active
    at.button[[b.label for b in at.button].index("Meld meg av")].click()
    at = at.run()
    assert store.follow(follow.token).unsubscribed


def test_the_staff_form_takes_the_senders_email(app):
    at = log_in(app, "pages/registrer-innspill.py")
    assert at.text_input(key="register-sender_email").label == "Avsenderens e-postadresse (valgfritt)"


@pytest.fixture
def admin_at(app):
    create_user(store_of(app.run()), "ada", "admin", PASSWORD)
    return log_in(app, "pages/drift.py", "ada")


def test_drift_shows_the_outbox_and_that_no_server_is_set(admin_at, monkeypatch):
    at = admin_at
    store = store_of(at)
    mail.follow_consultation(store, store.get_consultation(BORGEN), "f@example.no", "nb")
    at = at.run()
    assert not at.exception
    assert any("KARTINNSPILL_SMTP_URL" in w.value for w in at.warning)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Venter": "1", "Sendt": "0", "Feilet": "0"}
    assert store.outbox_counts()[MailStatus.WAITING] == 1


def test_the_builder_registers_the_vedtak_and_queues_its_notice(app):
    store = store_of(app.run())
    c = store.get_consultation(BORGEN)
    letter_follow = store.add_follow(BORGEN, FollowKind.NOTICE, "brev@example.no", "nb", confirmed=True)
    assert letter_follow.active
    at = log_in(app, "pages/rediger.py")
    at.query_params["id"] = BORGEN
    at = at.run()
    assert not at.exception
    at.text_area(key=f"vedtak-{BORGEN}-body").set_value("Planen er vedtatt.")
    at.text_input(key=f"vedtak-{BORGEN}-case_number").set_value("24/1234")
    at.button[[b.label for b in at.button].index("Registrer vedtaket og send melding")].click()
    at = at.run()
    assert not at.exception
    assert any("1 melding" in s.value for s in at.success)
    assert store.vedtak(c.id).case_number == "24/1234"
    assert [e.kind for e in store.outbox()] == [MailKind.VEDTAK]
