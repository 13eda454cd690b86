"""Failed mails tried again: an administrator puts them back in the queue (the core, from
the Drift page or ``send-mail --retry-failed``), audited, with the same Message-ID, and a
real SMTP server (aiosmtpd on loopback) then gets each once; a mail the server may already
have is retried only when the administrator says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from consultations import mail, mail_sender
from consultations.auth import create_user
from consultations.errors import InvalidInput
from consultations.mail_model import INTERRUPTED, MailStatus
from consultations.model import Role
from consultations.permissions import NotAllowed
from consultations.store import Store
from tests.conftest import BORGEN, PASSWORD, log_in, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)
from tests.smtp import MailServer
from tests.helpers_mail import cli, environment, letter, smtp
from tests.helpers_mail import public_url  # noqa: F401  (a fixture, autouse)


def failed_for_good(store, server: MailServer) -> datetime:
    """Every waiting mail tried until it is «failed» with the server down; the server is
    back after. Returns the time the last round ran at."""
    server.stop()
    now = datetime.now(UTC)
    for _ in range(mail_sender.ATTEMPTS):
        mail_sender.run_once(store, smtp(server), now)
        now += timedelta(hours=2)
    server.start()
    return now


def interrupted(store, consultation_id: str, now: datetime) -> int:
    """A mail whose sender was killed mid-send: failed, delivery unknown."""
    letter(store, consultation_id, email="kanskje@example.no")
    [entry] = store.claim_mail(now, 1, "asker.kommune.no", mail_sender.LEASE, due=now + timedelta(minutes=5))
    store.claim_mail(now + mail_sender.LEASE + timedelta(minutes=1), 0, "asker.kommune.no", mail_sender.LEASE)
    return entry.id


def test_an_administrator_retries_a_failed_mail_and_it_is_delivered_once_with_its_message_id(
    store, consultation, tmp_path
):
    server = MailServer(tmp_path).start()
    try:
        letter(store, consultation.id)
        now = failed_for_good(store, server)
        [failed] = store.outbox((MailStatus.FAILED,))
        unknown_id = interrupted(store, consultation.id, now)
        assert {e.id: e.delivery_unknown for e in store.outbox((MailStatus.FAILED,))} == {
            failed.id: False,
            unknown_id: True,
        }

        with pytest.raises(NotAllowed):
            mail.retry_failed(store, staff(store))  # a planner may not
        admin = staff(store, "ada", Role.ADMIN)
        assert mail.retry_failed(store, admin) == 1  # every failed one the server cannot have
        [entry] = [e for e in store.outbox() if e.id == failed.id]
        assert (entry.status, entry.attempts) == (MailStatus.WAITING, 0)
        [audit] = [e for e in store.audit_entries() if e.action == "mail.retry"]
        assert audit.actor == "ada" and audit.object_id == str(failed.id) and "gave up after" in audit.before

        report = mail_sender.run_once(store, smtp(server), now)
        assert report.line() == "sent 1, waiting 0, failed 1"
        [message] = server.messages
        assert message["To"] == "a@example.no" and message["Message-ID"] == failed.message_id

        assert mail.retry_failed(store, admin, [unknown_id], unknown=True) == 1  # knowing it may arrive twice
        assert mail_sender.run_once(store, smtp(server), now).line() == "sent 1, waiting 0, failed 0"
        assert [m["To"] for m in server.messages] == ["a@example.no", "kanskje@example.no"]

        with pytest.raises(InvalidInput) as info:
            mail.retry_failed(store, admin, [failed.id])  # sent: nothing to retry
        assert info.value.key == "mail24b.retry.not_failed"
        assert len([e for e in store.audit_entries() if e.action == "mail.retry"]) == 2
    finally:
        server.stop()


def test_a_mail_the_server_may_have_is_not_retried_by_accident(store, consultation):
    unknown_id = interrupted(store, consultation.id, datetime.now(UTC))
    [entry] = store.outbox((MailStatus.FAILED,))
    assert entry.last_error == INTERRUPTED
    admin = staff(store, "ada", Role.ADMIN)
    assert mail.retry_failed(store, admin) == 0
    assert mail.retry_failed(store, admin, [unknown_id]) == 0
    assert store.outbox()[0].status == MailStatus.FAILED


def test_send_mail_retry_failed_puts_them_back_and_sends_them(store_location, tmp_path):  # noqa: F811
    store = Store.open(store_location)
    store.add_consultation(make_consultation("brev"))
    server = MailServer(tmp_path).start()
    try:
        letter(store, "brev")
        failed_for_good(store, server)
        store.close()
        env = environment(store_location, server, tmp_path)
        plain = cli(env, "send-mail", "--once")
        assert plain.stdout.strip() == "sent 0, waiting 0, failed 1", plain.stderr  # failed stays failed
        retried = cli({**env, "KARTINNSPILL_ACTOR": "drift-ola"}, "send-mail", "--once", "--retry-failed")
        assert retried.returncode == 0, retried.stderr
        assert retried.stdout.strip() == "sent 1, waiting 0, failed 0"
        assert "1 e-post er lagt i køen på nytt." in retried.stderr
        assert len(server.messages) == 1
    finally:
        server.stop()
    store = Store.open(store_location)
    assert [e.actor for e in store.audit_entries() if e.action == "mail.retry"] == ["drift-ola"]
    store.close()


# -- the Drift page ------------------------------------------------------------------------


def test_drift_lists_failed_mails_with_the_reason_and_tries_one_again(app):
    from consultations.ui import context

    store = context._store(str(app.db_path), False)
    create_user(store, "ada", "admin", PASSWORD)
    letter(store, BORGEN, email="feil@example.no")
    [entry] = store.outbox()
    store.claim_mail(datetime.now(UTC), 1, "asker.kommune.no", mail_sender.LEASE)
    store.mark_mail_failed(entry.id, "refused: 550 no such user")
    unknown_id = interrupted(store, BORGEN, datetime.now(UTC))
    at: AppTest = log_in(app, "pages/drift.py", "ada")
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown).replace("\\", "")  # as the reader sees it
    assert "E-poster som feilet" in shown and "550 no such user" in shown and "feil@example.no" in shown
    assert any("kan ha kommet fram" in w.value for w in at.warning)  # the interrupted one says so
    at.button(key=f"mail-retry-{entry.id}").click()
    at = at.run()
    assert not at.exception
    assert "1 e-post er lagt i køen på nytt." in [s.value for s in at.success]
    statuses = {e.id: e.status for e in store.outbox()}
    assert statuses == {entry.id: MailStatus.WAITING, unknown_id: MailStatus.FAILED}
    assert [e.actor for e in store.audit_entries() if e.action == "mail.retry"] == ["ada"]
