"""What a follower hears after the consultation, delivered by a real SMTP server (aiosmtpd
on loopback): a merknad split into points is answered point by point, the published «vi
hørte – vi gjør» goes to followers once per publication, and an early medvirkning's mails
never call it a «høring»."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from consultations.outputs import feedback
from consultations import mail, mail_sender
from consultations.casework import points
from consultations.i18n import LANGUAGES, keys, t
from consultations.mail_model import FollowKind, MailKind, Vedtak
from consultations.model import Objection, Outcome, Response, SenderType, Stage
from consultations.casework.review import mark_duplicates, publish_responses, respond
from tests.conftest import NOW, make_consultation, staff
from tests.helpers_mail import close, letter, smtp, web
from tests.helpers_mail import public_url, server  # noqa: F401  (fixtures; public_url autouse)


def confirmed_input(store, consultation_id, email, session, lang="nb"):
    item = web(store, consultation_id, mail.MailRequest(email, follow=True, lang=lang), session=session)
    [follow] = [f for f in store.follows(consultation_id, [FollowKind.INPUT], active=False) if f.input_id == item.id]
    mail.confirm(store, follow.token)
    return item


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


# -- the answer, point by point --------------------------------------------------------------


def test_a_merknad_split_into_points_is_answered_with_each_points_vurdering_and_forslag(store, consultation, server):
    planner = staff(store)
    split = confirmed_input(store, consultation.id, "delt@example.no", "s1")
    duplicate = confirmed_input(store, consultation.id, "kopi@example.no", "s2")
    whole = confirmed_input(store, consultation.id, "hel@example.no", "s3")
    points.edit(
        store,
        split.id,
        "a",
        points.PointEdit(
            summary="Fortau langs skolevegen",
            assessment="Vi legger inn <fortau>.",
            outcome=Outcome.TAKEN,
            plan_change="Fortau på østsiden",
        ),
        planner,
    )
    points.edit(
        store,
        split.id,
        "b",
        points.PointEdit(
            summary="Byggehøyder", assessment="Høydene er i tråd med kommuneplanen.", outcome=Outcome.NOT_TAKEN
        ),
        planner,
    )
    mark_duplicates(store, consultation.id, [duplicate.id], split.id, planner)
    respond(store, [whole.id], Response(0, "Benker", "Vi setter ut benker.", Outcome.TAKEN, ""), planner)
    publish_responses(store, close(store, consultation.id), True, planner, datetime.now(UTC))
    mail_sender.run_once(store, smtp(server))

    [answer] = [m for m in server.to("delt@example.no") if m["Subject"].startswith("Innspillet ditt er behandlet")]
    body = plain(answer)
    assert "Innspillet ditt er delt i 2 punkter" in body
    a, b = body.index("Punkt a: Fortau langs skolevegen"), body.index("Punkt b: Byggehøyder")
    assert a < body.index("Vurdering: Vi legger inn <fortau>.") < body.index("Forslag til vedtak: Tatt til følge") < b
    assert body.index("Endring i planen: Fortau på østsiden") < b
    assert (
        b
        < body.index("Vurdering: Høydene er i tråd med kommuneplanen.")
        < body.index("Forslag til vedtak: Ikke tatt til følge")
    )
    assert "a) " not in body and "Konklusjon" not in body  # not the merknad's joined answer
    assert "&lt;fortau&gt;" in answer.get_body(("html",)).get_content()
    assert f"https://innspill.asker.kommune.no/?id={consultation.id}&lang=nb&svar={split.reference}" in body
    # the duplicate carries its original's answer: the same points
    [copy] = [m for m in server.to("kopi@example.no") if m["Subject"].startswith("Innspillet ditt er behandlet")]
    assert "Punkt b: Byggehøyder" in plain(copy) and duplicate.reference in plain(copy)
    # a merknad of one point keeps the one answer
    [single] = [m for m in server.to("hel@example.no") if m["Subject"].startswith("Innspillet ditt er behandlet")]
    assert "Konklusjon: Tatt til følge" in plain(single) and "Punkt a" not in plain(single)


# -- «vi hørte – vi gjør» to followers ----------------------------------------------------------


def test_publishing_vi_horte_vi_gjor_mails_followers_once_per_publication(store, consultation, server):
    planner = staff(store)
    follower = mail.follow_consultation(store, consultation, "folger@example.no", "nn")
    mail.confirm(store, follower.token)
    confirmed_input(store, consultation.id, "innspill@example.no", "s1")
    confirmed_input(store, consultation.id, "Folger@example.no", "s2")  # follows both: one mail
    web(store, consultation.id, mail.MailRequest("ubekreftet@example.no", follow=True), session="s3")
    gone = mail.follow_consultation(store, consultation, "avmeldt@example.no", "nb")
    mail.confirm(store, gone.token)
    mail.unsubscribe(store, gone.token)
    feedback.set_follow_up(
        store,
        consultation.id,
        "category:Trafikk og trafikksikkerhet",
        "utredning",
        "Trafikkanalyse <kap. 5>",
        "",
        planner,
    )
    mail_sender.run_once(store, smtp(server))
    before = len(server.messages)

    assert feedback.publish(store, consultation.id, True, planner) == 2
    assert feedback.publish(store, consultation.id, True, planner) == 0  # already published: nothing again
    mail_sender.run_once(store, smtp(server))
    sent = server.messages[before:]
    assert sorted(m["To"] for m in sent) == ["folger@example.no", "innspill@example.no"]
    nynorsk = next(m for m in sent if m["To"] == "folger@example.no")
    assert nynorsk["Subject"].startswith("Vi høyrde – vi gjer")
    body = plain(nynorsk)
    assert "Trafikk og trafikksikkerhet (3 innspel)" in body
    assert f"Slik følgjer vi det opp: {t('feedback.kind.utredning', 'nn')}" in body
    assert "Trafikkanalyse <kap. 5>" in body and "&lt;kap. 5&gt;" in nynorsk.get_body(("html",)).get_content()
    assert all(m["List-Unsubscribe"] and m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in sent)
    assert [e.kind for e in store.outbox() if e.recipient in ("folger@example.no", "innspill@example.no")].count(
        MailKind.FEEDBACK
    ) == 2

    feedback.publish(store, consultation.id, False, planner)
    assert feedback.publish(store, consultation.id, True, planner) == 2  # a new publication


def test_a_failed_outbox_write_leaves_vi_horte_vi_gjor_unpublished(store, consultation, monkeypatch):
    planner = staff(store)
    follower = mail.follow_consultation(store, consultation, "folger@example.no", "nb")
    mail.confirm(store, follower.token)
    feedback.set_follow_up(store, consultation.id, "category:Annet", "senere_fase", "Tas i neste fase", "", planner)

    def broken(*args, **kwargs):
        raise RuntimeError("the outbox write failed")

    monkeypatch.setattr(store, "queue_mail", broken)
    with pytest.raises(RuntimeError):
        feedback.publish(store, consultation.id, True, planner)
    assert not store.feedback_published(consultation.id)


# -- early medvirkning says «medvirkning», never «høring» -------------------------------------

PROCESS_WORDS = {"nb": "høring", "nn": "høyring", "en": "hearing"}


def test_every_staged_mail_text_has_an_early_form_without_hoering():
    for lang in LANGUAGES:
        for key in mail.STAGED:
            assert f"mail.early.{key}" in keys(lang), (lang, key)
            assert PROCESS_WORDS[lang] not in t(f"mail.early.{key}", lang, title="x").lower(), (lang, key)


def every_mail(store, consultation_id: str, lang: str) -> list[str]:
    """Each kind of mail a follower, a sender or a kontaktperson can get, queued for one
    consultation; their subjects and texts (plain and HTML)."""
    from consultations.model import Contact

    planner = staff(store, f"p-{consultation_id}")
    c = store.get_consultation(consultation_id)
    follow = mail.follow_consultation(store, c, f"folger-{lang}@example.no", lang)
    mail.confirm(store, follow.token)
    mail.set_digest(store, replace(c, contact=Contact(name="Kari", email="kari@asker.kommune.no")), True, lang, planner)
    item = web(
        store,
        consultation_id,
        mail.MailRequest(f"r-{lang}@example.no", receipt=True, follow=True, lang=lang),
        session=f"{consultation_id}-{lang}",
    )
    [input_follow] = store.follows(consultation_id, [FollowKind.INPUT], active=False)
    mail.confirm(store, input_follow.token)
    today = datetime.now(UTC)  # after the digest's opt-in: the digest counts it
    letter(
        store,
        consultation_id,
        email=f"brev-{lang}@example.no",
        lang=lang,
        received_at=today,
        now=today,
        sender_type=SenderType.AUTHORITY,
        objection=Objection.INNSIGELSE,
    )
    with store.atomic():
        mail.document_added(store, c, "Plankart")
        mail.deadline_changed(store, c)
    respond(store, [item.id], Response(0, "Sammendrag", "Vurdert.", Outcome.TAKEN, ""), planner)
    publish_responses(store, close(store, consultation_id), True, planner, datetime.now(UTC))
    feedback.set_follow_up(
        store, consultation_id, "category:Trafikk og trafikksikkerhet", "planprogram", "Kap. 2", "", planner
    )
    feedback.publish(store, consultation_id, True, planner)
    mail.register_vedtak(
        store, c, Vedtak(consultation_id, "Vedtatt.", date(2026, 12, 1), "24/1", "", date(2026, 12, 22)), planner
    )
    assert mail.queue_digests(store, datetime.now(UTC) + timedelta(days=2)) == 1
    entries = [e for e in store.outbox(limit=None) if e.consultation_id == consultation_id]
    assert {e.kind for e in entries} == set(MailKind)  # every kind of mail was looked at
    return [x for e in entries for x in (e.subject, e.text, e.html)]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_no_mail_of_an_early_medvirkning_says_hoering(store, lang):
    store.add_consultation(make_consultation("tidlig", title="Borgen sentrum", stage=Stage.IDEFASE))
    store.add_consultation(
        make_consultation(
            "formell",
            title="Borgen sentrum",
            stage=Stage.OFFENTLIG_ETTERSYN,
            opens_at=NOW - timedelta(days=50),
            closes_at=NOW + timedelta(days=30),
        )
    )
    early = every_mail(store, "tidlig", lang)
    slips = [text for text in early if PROCESS_WORDS[lang] in text.lower()]
    assert not slips, slips
    assert any("medvirkning" in x or "medverknad" in x for x in early)
    formal = every_mail(store, "formell", lang)
    assert any(PROCESS_WORDS[lang] in x.lower() for x in formal)  # the check can see the word
