"""The merknadsbehandling's test hearing (an offentlig ettersyn whose frist has passed, with
web inputs and letters from every sender group, answered, tagged, hidden and marked) and the
report built from it, read back with python-docx: shared by tests/test_report.py and
tests/test_report_privacy.py."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import docx
import pytest

from consultations.planning import objections
from consultations.casework import review
from consultations.config import load_profile
from consultations.model import (
    Channel,
    InputDraft,
    NotMerknad,
    ObjectionStatus,
    Outcome,
    Response,
    SenderType,
    Stage,
)
from consultations.outputs.merknadsbehandling import build_report
from consultations.participation.submission import register_input, submit_input
from tests.conftest import (
    INSIDE,
    NOW,
    make_consultation,
    staff,
)


PRIVATE = "Kari Nordmann"
NEIGHBOUR = "Nils Nabo"
ORGANISATION = "Borgen Vel"
AUTHORITY = "Statsforvalteren i Oslo og Viken"
PHONE = "912 34 567"
HIDDEN_TEXT = "Dette innspillet er skjult på nettsiden, men er en merknad."
SPAM_TEXT = "Kjøp billige klokker på nett, klikk her nå."
CLOSES = NOW - timedelta(days=3)  # the frist has passed when the report is made at NOW
ASKER = load_profile("asker")


@pytest.fixture
def hearing(store):
    c = make_consultation(
        "kaia",
        plan_id="3203202501",
        stage=Stage.OFFENTLIG_ETTERSYN,
        case_number="24/1234",
        opens_at=CLOSES - timedelta(weeks=7),
        closes_at=CLOSES,
        announced_on=date(2026, 10, 1),
        announced_where="Budstikka",
    )
    store.add_consultation(c)
    planner = staff(store, "planner")

    def web(category, text, session, received=CLOSES - timedelta(days=5)):
        return submit_input(store, c.id, InputDraft(category, text, *INSIDE), session=session, now=received).id

    def letter(category, text, sender_type, name, received=CLOSES - timedelta(days=2), **kw):
        return register_input(
            store,
            c.id,
            InputDraft(category, text),
            channel=Channel.LETTER,
            sender_type=sender_type,
            sender_name=name,
            received_at=received.date(),
            actor=planner,
            now=NOW,
            **kw,
        ).id

    ids = {
        "speed": web("Trafikk og trafikksikkerhet", "Bilene kjører for fort forbi skolen.", "a"),
        "crossing": web("Trafikk og trafikksikkerhet", "Vi trenger et gangfelt ved butikken.", "b"),
        "copy": web("Trafikk og trafikksikkerhet", "Bilene kjører for fort forbi skolen!", "c"),
        "phone": web("Bolig og fortetting", f"Bygget må bli to etasjer lavere. Ring meg på {PHONE}.", "d"),
        "hidden": web("Annet", HIDDEN_TEXT, "e"),
        "spam": web("Annet", SPAM_TEXT, "f"),
        "private": letter("Gange og sykkel", "Brev om gangvei langs Nesbruveien.", SenderType.PRIVATE, PRIVATE),
        "neighbour": letter(
            "Bolig og fortetting",
            "Naboen ber om mer sol på ettermiddagen.",
            SenderType.NEIGHBOUR,
            NEIGHBOUR,
            received=datetime(2026, 11, 25, 12, tzinfo=UTC),
        ),
        "club": letter(
            "Gange og sykkel", "Velforeningen ønsker sykkelparkering.", SenderType.ORGANISATION, ORGANISATION
        ),
        "advice": letter("Klima, flom og miljø", "Faglig råd om overvann.", SenderType.AUTHORITY, "NVE"),
        "objection": letter(
            "Strandsone og fjord",
            "Innsigelse til byggegrensen mot sjø.",
            SenderType.AUTHORITY,
            AUTHORITY,
            objection="innsigelse",
        ),
    }
    # letters from private senders wait for a planner since issue 21: published here
    review.publish(store, [ids["private"], ids["neighbour"]], planner)
    review.mark_duplicates(store, c.id, [ids["copy"]], ids["speed"], planner)
    review.tag(store, [ids["speed"], ids["crossing"], ids["private"]], "Skolevei", planner)
    review.hide(store, [ids["hidden"], ids["phone"]], "Personopplysninger", planner)
    review.mark_not_merknad(store, [ids["spam"]], NotMerknad.SPAM, "", planner)
    objections.set_status(
        store,
        ids["objection"],
        ObjectionStatus.MAINTAINED,
        planner,
        settled_on=date(2026, 10, 20),
        reference="25/4711-31",
        note="Mekling avtalt.",
    )
    review.respond(
        store,
        [ids["speed"], ids["crossing"]],
        Response(0, "Ønsker tryggere skolevei.", "Fartsdemping vurderes.", Outcome.PARTLY, "Ny fartshump."),
        planner,
    )
    review.respond(store, [ids["private"]], Response(0, "Gangvei.", "Utenfor planområdet.", Outcome.NOT_TAKEN), planner)
    review.respond(store, [ids["club"]], Response(0, "Sykkelparkering.", "Tas inn.", Outcome.TAKEN), planner)
    review.respond(store, [ids["phone"]], Response(0, "Lavere bygg.", f"Ikke ring {PHONE}.", Outcome.NOTED), planner)
    store.add_support(ids["crossing"], store.hash_session("s1", c.id))
    store.add_support(ids["crossing"], store.hash_session("s2", c.id))
    return c, {k: f"KI-{v:06d}" for k, v in ids.items()}, ids


def _report(store, c, **kw):
    kw.setdefault("profile", ASKER)
    kw.setdefault("now", NOW)
    return docx.Document(io.BytesIO(build_report(store, c.id, **kw)))
