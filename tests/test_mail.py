"""Mail: queued with the event that causes it, delivered over a real SMTP server (aiosmtpd on
loopback) at most once, and nothing lost while the server is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consultations import mail, mail_sender
from consultations.outputs import postal_list
from consultations.config import mail_settings
from consultations.errors import InvalidInput
from consultations.mail_model import FollowKind, MailKind, MailStatus
from consultations.model import (
    Channel,
    Outcome,
    Response,
    SenderType,
)
from consultations.casework.retention import anonymise
from consultations.casework.review import publish_responses, respond
from tests.conftest import NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)
from tests.smtp import MailServer
from tests.helpers_mail import CATEGORY, FROM, TEXT, close, letter, smtp, web
from tests.helpers_mail import public_url, server  # noqa: F401  (fixtures; public_url autouse)


def test_a_registered_letter_with_an_address_gets_one_receipt_naming_its_reference(store, consultation, server):
    stored = letter(store, consultation.id)
    assert store.outbox_counts()[MailStatus.WAITING] == 1
    report = mail_sender.run_once(store, smtp(server))
    assert report.line() == "sent 1, waiting 0, failed 0"
    assert mail_sender.run_once(store, smtp(server)).line() == "sent 0, waiting 0, failed 0"
    [message] = server.messages
    assert message["To"] == "a@example.no" and message["From"] == FROM
    assert stored.reference in message["Subject"] and consultation.title in message["Subject"]
    assert stored.reference in message.get_body(("plain",)).get_content()
    assert message["Message-ID"] == store.outbox()[0].message_id
    assert message["Message-ID"].endswith("@asker.kommune.no>")
    assert message["List-Unsubscribe"] is None  # a receipt is no subscription


def test_the_subject_names_the_saksnummer(store, server):
    store.add_consultation(make_consultation("formal", case_number="24/1234"))
    letter(store, "formal")
    mail_sender.run_once(store, smtp(server))
    assert "(24/1234)" in server.messages[0]["Subject"]


def test_mail_is_plain_text_and_html_with_the_residents_text_escaped(store, consultation, server):
    letter(store, consultation.id)
    mail_sender.run_once(store, smtp(server))
    message = server.messages[0]
    plain = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    assert TEXT in plain
    assert "<b>snarest</b>" not in page and "&lt;b&gt;snarest&lt;/b&gt; &amp; fort." in page
    assert '<html lang="nb">' in page


def test_the_recipients_language_is_used(store, consultation, server):
    letter(store, consultation.id, lang="en")
    letter(store, consultation.id, email="b@example.no", lang="nn")
    mail_sender.run_once(store, smtp(server))
    assert server.to("a@example.no")[0]["Subject"].startswith("Receipt for input")
    assert server.to("b@example.no")[0]["Subject"].startswith("Kvittering for innspel")


def test_a_bad_address_refuses_the_letter_and_stores_nothing(store, consultation):
    with pytest.raises(InvalidInput) as info:
        letter(store, consultation.id, email="ikke en adresse")
    assert info.value.key == "mail.invalid_address"
    assert store.all_inputs(consultation.id) == [] and store.outbox() == []


def test_the_mail_is_kept_or_lost_with_its_input(store, consultation, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the outbox write failed")

    monkeypatch.setattr(store, "queue_mail", broken)
    with pytest.raises(RuntimeError):
        letter(store, consultation.id)
    assert store.all_inputs(consultation.id) == []  # one transaction: no input without its mail


def test_smtp_down_loses_nothing_and_sends_it_once_when_back(store, consultation, server):
    letter(store, consultation.id)
    server.stop()
    settings = smtp(server)
    now = datetime.now(UTC)
    for n in range(3):  # an hour and more of outage: every round finds it down
        report = mail_sender.run_once(store, settings, now)
        assert report.line() == "sent 0, waiting 1, failed 0"
        [entry] = store.outbox()
        assert entry.status == MailStatus.WAITING and entry.attempts == n + 1
        assert "connect" in entry.last_error
        assert mail_sender.run_once(store, settings, now).line() == "sent 0, waiting 1, failed 0"  # backing off
        now = entry.next_attempt_at
    server.start()
    assert mail_sender.run_once(store, settings, now).line() == "sent 1, waiting 0, failed 0"
    assert mail_sender.run_once(store, settings, now + timedelta(hours=5)).line() == "sent 0, waiting 0, failed 0"
    assert len(server.messages) == 1


def test_the_back_off_doubles_up_to_an_hour():
    assert [mail_sender.retry_after(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_after_the_attempt_limit_the_mail_is_failed(store, consultation, server):
    letter(store, consultation.id)
    server.stop()
    now = datetime.now(UTC)
    for _ in range(mail_sender.ATTEMPTS):
        report = mail_sender.run_once(store, smtp(server), now)
        now += timedelta(hours=2)
    assert report.line() == "sent 0, waiting 0, failed 1"
    assert store.outbox()[0].last_error.startswith(f"gave up after {mail_sender.ATTEMPTS} attempts")


def test_a_refused_recipient_fails_at_once(store, consultation, server):
    letter(store, consultation.id, email="a@example.no")
    letter(store, consultation.id, email="b@example.no")
    original = server._controller.handler

    class Refuse:
        async def handle_RCPT(self, smtp, session, envelope, address, options):
            if address == "a@example.no":
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        handle_DATA = original.handle_DATA

    server.stop()
    server._Keep = None
    from aiosmtpd.controller import Controller

    server._controller = Controller(Refuse(), hostname="127.0.0.1", port=server.port)
    server._controller.start()
    report = mail_sender.run_once(store, smtp(server))
    assert report.line() == "sent 1, waiting 0, failed 1"
    failed = [e for e in store.outbox() if e.status == MailStatus.FAILED]
    assert failed[0].recipient == "a@example.no" and "550" in failed[0].last_error


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_tls_and_login(store, consultation, tmp_path, tls):
    server = MailServer(tmp_path, tls=tls, login=True).start()
    try:
        letter(store, consultation.id)
        assert mail_sender.run_once(store, smtp(server)).line() == "sent 1, waiting 0, failed 0"
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_a_wrong_password_keeps_the_mail_waiting(store, consultation, tmp_path):
    server = MailServer(tmp_path, tls="starttls", login=True).start()
    try:
        letter(store, consultation.id)
        settings = mail_settings(
            {"KARTINNSPILL_SMTP_URL": server.url.replace("hemmelig", "feil"), "KARTINNSPILL_MAIL_FROM": FROM}
        )
        assert mail_sender.run_once(store, settings).line() == "sent 0, waiting 1, failed 0"
        assert server.messages == [] and "hemmelig" not in store.outbox()[0].last_error
    finally:
        server.stop()


def test_smtp_settings_are_read_from_the_url():
    found = mail_settings(
        {"KARTINNSPILL_SMTP_URL": "smtps://u%40x:p@relay.asker.kommune.no", "KARTINNSPILL_MAIL_FROM": FROM}
    )
    assert (found.scheme, found.host, found.port, found.username, found.password) == (
        "smtps",
        "relay.asker.kommune.no",
        465,
        "u@x",
        "p",
    )
    assert mail_settings({"KARTINNSPILL_SMTP_URL": "smtp://relay:587", "KARTINNSPILL_MAIL_FROM": FROM}).port == 587
    assert mail_settings({"KARTINNSPILL_SMTP_URL": ""}) is None
    with pytest.raises(Exception) as info:
        mail_settings({"KARTINNSPILL_SMTP_URL": "http://u:secret@relay", "KARTINNSPILL_MAIL_FROM": FROM})
    assert info.value.key == "mail.smtp_invalid" and "secret" not in info.value.message()
    with pytest.raises(Exception) as info:
        mail_settings({"KARTINNSPILL_SMTP_URL": "smtp://relay:25"})
    assert info.value.key == "mail.mail_from_missing"


# -- residents ------------------------------------------------------------------------------


def test_a_resident_asking_only_for_a_receipt_gets_only_the_receipt(store, consultation, server):
    web(store, consultation.id, mail.MailRequest("r@example.no", receipt=True))
    mail_sender.run_once(store, smtp(server))
    [message] = server.messages
    assert message["Subject"].startswith("Kvittering for innspill KI-")
    assert store.follows(consultation.id, list(FollowKind), active=False) == []


def test_an_address_without_a_consent_is_refused(store, consultation):
    with pytest.raises(InvalidInput) as info:
        web(store, consultation.id, mail.MailRequest("r@example.no"))
    assert info.value.key == "mail.no_consent"
    with pytest.raises(InvalidInput) as info:
        web(store, consultation.id, mail.MailRequest("", follow=True))
    assert info.value.key == "mail.address_missing"
    assert store.all_inputs(consultation.id) == []


def test_the_same_input_sent_twice_queues_its_mails_once(store, consultation):
    request = mail.MailRequest("r@example.no", receipt=True, follow=True)
    web(store, consultation.id, request)
    web(store, consultation.id, request)
    assert len(store.outbox()) == 2  # one receipt, one confirmation


def test_varsle_meg_needs_the_confirmation_link_before_the_answer_is_sent(store, consultation, server):
    planner = staff(store)
    confirmed_input = web(store, consultation.id, mail.MailRequest("r@example.no", follow=True, lang="en"))
    unconfirmed_input = web(store, consultation.id, mail.MailRequest("u@example.no", follow=True), session="s2")
    mail_sender.run_once(store, smtp(server))
    confirmation = server.to("r@example.no")[0]
    assert confirmation["Subject"].startswith("Confirm your e-mail address")
    assert confirmation["List-Unsubscribe"] is None
    link = next(w for w in confirmation.get_body(("plain",)).get_content().split() if "bekreft=" in w)
    assert link.startswith("https://innspill.asker.kommune.no/epost?")
    token = link.split("bekreft=")[1].split("&")[0]
    assert mail.confirm(store, token).active

    answer = Response(0, "Oppsummert", "Vi har vurdert <dette>.", Outcome.TAKEN, "Nytt fortau", "", NOW)
    respond(store, [confirmed_input.id, unconfirmed_input.id], answer, planner)
    c = close(store, consultation.id)
    publish_responses(store, c, True, planner, datetime.now(UTC))
    mail_sender.run_once(store, smtp(server))
    [_, answered] = server.to("r@example.no")
    assert answered["Subject"].startswith("Your input has been dealt with")
    body = answered.get_body(("plain",)).get_content()
    assert confirmed_input.reference in body and "Vi har vurdert <dette>." in body and "Nytt fortau" in body
    assert "&lt;dette&gt;" in answered.get_body(("html",)).get_content()
    assert answered["List-Unsubscribe"].startswith("<https://innspill.asker.kommune.no/mail/unsubscribe?token=")
    assert answered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(server.to("u@example.no")) == 1  # the confirmation only: never confirmed

    publish_responses(store, c, False, planner, datetime.now(UTC))
    publish_responses(store, c, True, planner, datetime.now(UTC))
    mail_sender.run_once(store, smtp(server))
    assert len(server.to("r@example.no")) == 2  # published again: no second answer


def test_an_unsubscribed_follower_gets_nothing_more(store, consultation, server):
    planner = staff(store)
    follow = mail.follow_consultation(store, consultation, "f@example.no", "nb")
    mail.confirm(store, follow.token)
    mail.unsubscribe(store, follow.token)
    with store.atomic():
        mail.document_added(store, consultation, "Plankart")
    assert [e.kind for e in store.outbox()] == [MailKind.CONFIRM]
    assert planner


def test_a_followed_consultation_tells_of_documents_deadline_and_responses(store, consultation, server):
    follow = mail.follow_consultation(store, consultation, "f@example.no", "nb")
    mail.confirm(store, follow.token)
    with store.atomic():
        mail.document_added(store, consultation, "Plankart <utkast>")
        mail.deadline_changed(store, consultation)
    mail_sender.run_once(store, smtp(server))
    texts = [m.get_body(("plain",)).get_content() for m in server.to("f@example.no")[1:]]
    assert "«Plankart <utkast>»" in texts[0] and "Ny frist" in texts[1]
    assert all(m["List-Unsubscribe"] for m in server.to("f@example.no")[1:])


def test_the_vedtak_notice_goes_to_the_varslingsliste_once_per_address(store, consultation, server):
    from datetime import date

    from consultations.mail_model import Vedtak

    letter(store, consultation.id, email="brev@example.no")
    letter(store, consultation.id, email="Brev@example.no")  # the same person twice
    web(store, consultation.id, mail.MailRequest("ubekreftet@example.no", follow=True))
    mail_sender.run_once(store, smtp(server))
    vedtak = Vedtak(
        consultation.id,
        "Planen er vedtatt med endringer.",
        date(2026, 12, 1),
        "24/1234",
        "https://asker.kommune.no/vedtak/1",
        date(2026, 12, 22),
    )
    assert mail.register_vedtak(store, consultation, vedtak, staff(store)) == 1
    mail_sender.run_once(store, smtp(server))
    notice = server.to("brev@example.no")[-1]
    assert notice["Subject"].startswith("Melding om vedtak") and notice["List-Unsubscribe"] is None
    body = notice.get_body(("plain",)).get_content()
    assert "22.12.2026" in body and "24/1234" in body and "https://asker.kommune.no/vedtak/1" in body
    assert store.vedtak(consultation.id) == vedtak
    assert any(e.action == "vedtak.register" for e in store.audit_entries())


def test_the_kontaktperson_gets_a_digest_and_innsigelse_notices_when_opted_in(store, server):
    from consultations.model import Contact, Objection

    store.add_consultation(make_consultation("k", contact=Contact(name="Kari", email="kari@asker.kommune.no")))
    c = store.get_consultation("k")
    letter(store, "k", email=None, sender_type=SenderType.AUTHORITY, objection=Objection.INNSIGELSE)
    assert store.outbox() == []  # not opted in
    mail.set_digest(store, c, True, "nb", staff(store))
    today = datetime.now(UTC)  # the digest counts what came after the opt-in
    letter(
        store,
        "k",
        email=None,
        sender_type=SenderType.AUTHORITY,
        sender_name="Statsforvalteren",
        objection=Objection.INNSIGELSE,
        received_at=today,
        now=today,
    )
    assert mail.queue_digests(store, datetime.now(UTC)) == 0  # a day has not passed
    assert mail.queue_digests(store, datetime.now(UTC) + timedelta(days=1, minutes=1)) == 1
    mail_sender.run_once(store, smtp(server), datetime.now(UTC) + timedelta(days=1, minutes=2))
    subjects = [m["Subject"] for m in server.to("kari@asker.kommune.no")]
    assert subjects[0].startswith("Innsigelse mottatt") and subjects[1].startswith("Nye innspill siste døgn")
    assert "Statsforvalteren" in server.to("kari@asker.kommune.no")[0].get_body(("plain",)).get_content()
    mail.set_digest(store, c, False, "nb", staff(store))
    assert mail.digest_follow(store, c) is None


def test_retention_forgets_every_address_of_the_consultation(store, consultation):
    from consultations.model import Role

    letter(store, consultation.id)
    web(store, consultation.id, mail.MailRequest("r@example.no", receipt=True, follow=True))
    c = close(store, consultation.id)
    admin = staff(store, "admin", Role.ADMIN)
    anonymise(store, c.id, admin, now=c.closes_at + timedelta(days=400))
    assert store.follows(c.id, list(FollowKind), active=False) == [] and store.outbox() == []


# -- the one-click unsubscribe address (RFC 8058) -------------------------------------------


def test_one_click_post_stops_the_follow_and_get_leads_to_the_page(store, consultation):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from consultations.mail_routes import PATH, routes

    follow = mail.follow_consultation(store, consultation, "f@example.no", "nb")
    mail.confirm(store, follow.token)
    client = TestClient(Starlette(routes=routes(lambda: store)))
    shown = client.get(PATH, params={"token": follow.token}, follow_redirects=False)
    assert shown.status_code == 303 and shown.headers["location"] == f"../epost?avmeld={follow.token}"
    assert store.follow(follow.token).active  # a GET (a link scanner) stops nothing
    posted = client.post(PATH, params={"token": follow.token}, data={"List-Unsubscribe": "One-Click"})
    assert posted.status_code == 200 and store.follow(follow.token).unsubscribed
    assert client.post(PATH, params={"token": "ukjent"}).status_code == 404
    closed = TestClient(Starlette(routes=routes(lambda: None)))
    assert closed.post(PATH, params={"token": follow.token}).status_code == 503


def test_a_vedtak_without_its_text_or_with_a_bad_link_is_refused(store, consultation):
    from datetime import date

    from consultations.mail_model import Vedtak

    planner = staff(store)
    good = Vedtak(consultation.id, "Vedtatt.", date(2026, 12, 1), "24/1", "https://x.no/v", date(2026, 12, 22))
    for bad, key in [
        (good.__class__(**{**good.__dict__, "body": "  "}), "mail.vedtak_form.body_missing"),
        (good.__class__(**{**good.__dict__, "case_number": ""}), "mail.vedtak_form.case_missing"),
        (good.__class__(**{**good.__dict__, "link": "javascript:alert(1)"}), "mail.vedtak_form.link_invalid"),
        (good.__class__(**{**good.__dict__, "appeal_by": date(2026, 11, 1)}), "mail.vedtak_form.appeal_early"),
    ]:
        with pytest.raises(InvalidInput) as info:
            mail.register_vedtak(store, consultation, bad, planner)
        assert info.value.key == key
    assert store.vedtak(consultation.id) is None


def test_a_resident_cannot_register_a_vedtak(store, consultation):
    from datetime import date

    from consultations.mail_model import Vedtak
    from consultations.model import Role
    from consultations.permissions import NotAllowed

    teacher = staff(store, "lærer", Role.TEACHER)
    vedtak = Vedtak(consultation.id, "Vedtatt.", date(2026, 12, 1), "24/1", "", date(2026, 12, 22))
    with pytest.raises(NotAllowed):
        mail.register_vedtak(store, consultation, vedtak, teacher)


def test_an_input_deleted_on_request_takes_its_address_and_mails_along(store, consultation):
    from consultations.model import Role
    from consultations.casework.retention import delete_input

    mine = web(store, consultation.id, mail.MailRequest("r@example.no", receipt=True, follow=True))
    other = web(store, consultation.id, mail.MailRequest("o@example.no", receipt=True), session="s2")
    delete_input(store, mine.id, "Innbyggeren ba om det", staff(store, "admin", Role.ADMIN))
    assert [e.recipient for e in store.outbox()] == ["o@example.no"]
    assert store.follows(consultation.id, list(FollowKind), active=False) == []
    assert store.get_input(other.id) is not None


def test_the_letter_list_holds_the_postal_senders_who_get_no_mail(store, consultation):
    import io

    from openpyxl import load_workbook

    from consultations.model import InputStatus

    def formal(name, address):  # a formal merknad with the sender's postal address
        stored, _ = store.add_input(
            consultation_id=consultation.id,
            category=CATEGORY,
            text=TEXT,
            lat=None,
            lon=None,
            east=None,
            north=None,
            age_group=None,
            relation=None,
            channel=Channel.WEB,
            status=InputStatus.PUBLISHED,
            session_hash=None,
            token=None,
            created_at=NOW,
            sender_name=name,
            sender_address=address,
        )
        return stored

    by_post = formal("Kari Brev", "Borgenveien 1, 1388 Borgen")
    mailed = formal("Ola Epost", "Vardåsveien 2")
    store.add_follow(consultation.id, FollowKind.INPUT, "ola@example.no", "nb", input_id=mailed.id, confirmed=True)
    data = postal_list.letter_list(store, consultation.id, "nb", staff(store))
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].values)
    assert rows == [
        ("Referanse", "Navn", "Adresse", "Postnummer", "Poststed", "Gnr/bnr"),
        (by_post.reference, "Kari Brev", "Borgenveien 1", "1388", "Borgen", None),
    ]
    assert any(e.action == "vedtak.letters" for e in store.audit_entries())


def test_the_letter_list_joins_the_registered_letters_postal_addresses_each_person_once(store, consultation):
    """#21's registered letters with a postal address are on the list once per person and
    address (with every reference); a sender told by e-mail is not, nor a merknad a
    planner found to be none; a gnr/bnr alone is kept for the matrikkel; a høringsinstans
    not on it by its answer is there by name."""
    import io

    from openpyxl import load_workbook

    from consultations.planning import hearing_parties

    from consultations.casework.review import mark_not_merknad

    planner = staff(store)
    first = letter(store, consultation.id, email=None, sender_address="Borgenveien 1, 1388 Borgen")
    again = letter(
        store, consultation.id, email=None, sender_name="ola nordmann", sender_address="Borgenveien 1,  1388 Borgen"
    )
    by_mail = letter(
        store,
        consultation.id,
        email="kari@example.no",
        sender_name="Kari Epost",
        sender_address="Vardåsveien 2, 1384 Asker",
    )
    owner = letter(store, consultation.id, email=None, sender_name="Per Eier", sender_property="12/345")
    spam = letter(store, consultation.id, email=None, sender_name="Reklame", sender_address="Gata 9, 0150 Oslo")
    mark_not_merknad(store, [spam.id], "spam", None, planner)
    silent = hearing_parties.add(
        store, consultation.id, "Statsforvalteren i Oslo og Viken", SenderType.AUTHORITY, actor=planner
    )
    answered = hearing_parties.add(store, consultation.id, "Viken fylkeskommune", SenderType.AUTHORITY, actor=planner)
    hearing_parties.link_answer(store, answered.id, by_mail.id, planner)  # told by e-mail
    found = postal_list.recipients(store, consultation.id)
    assert [(r.name, r.street, r.postcode, r.place, r.property, r.references) for r in found] == [
        ("Ola Nordmann", "Borgenveien 1", "1388", "Borgen", "", (first.reference, again.reference)),
        ("Per Eier", "", "", "", "12/345", (owner.reference,)),
        (silent.name, "", "", "", "", ()),  # by name: its address is in the archive
    ]
    assert by_mail.reference not in {ref for r in found for ref in r.references}
    rows = list(
        load_workbook(io.BytesIO(postal_list.letter_list(store, consultation.id, "nb", planner))).worksheets[0].values
    )
    assert rows[1][0] == f"{first.reference}, {again.reference}" and len(rows) == 4


def test_follow_the_consultation_is_rate_limited_per_session(store, consultation):
    from consultations.ratelimit import Limit, Limits, RateLimiter

    limits = Limits(submit_per_session=Limit(burst=2, per_hour=1))
    limiter = RateLimiter(clock=lambda: 0.0)  # no time passes: no refill
    for n in range(2):
        mail.follow_consultation(
            store, consultation, f"f{n}@example.no", "nb", session="s", limiter=limiter, limits=limits
        )
    with pytest.raises(InvalidInput) as info:
        mail.follow_consultation(
            store, consultation, "f9@example.no", "nb", session="s", limiter=limiter, limits=limits
        )
    assert info.value.key == "input.rate_limited" and len(store.outbox()) == 2
