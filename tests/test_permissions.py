"""Who may do what, decided in the core when the action runs.

A staff page keeps the ``User`` it found when it was drawn; a click may come after the
account was deactivated or demoted. Every staff command re-reads the account from the store,
so a stale ``User`` is refused and nothing changes (no row, no audit entry).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from consultations.planning import documents, lifecycle
from consultations.outputs import downloads, medvirkningsrapport
from consultations.casework import retention, review
from consultations import users
from consultations.config import load_profile
from consultations.errors import InvalidDocument, InvalidInput, InvalidUser
from consultations.outputs.export import Format
from consultations.i18n import LOCAL_TZ, keys
from consultations.planning.lifecycle import ConsultationForm
from consultations.model import (
    Channel,
    InputDraft,
    InputStatus,
    Outcome,
    PlanType,
    Response,
    Role,
    SenderType,
    Stage,
    Status,
)
from consultations.permissions import OPERATOR, NotAllowed, require
from consultations.casework.review import InvalidReview
from consultations.participation.submission import register_input, submit_input
from tests.conftest import BORGEN_SQUARE, INSIDE, NOW, make_consultation, staff


def _one_page_pdf() -> bytes:
    import io

    import pikepdf

    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out)
    return out.getvalue()


PDF = _one_page_pdf()  # a real PDF: the upload check parses it
ANSWER = Response(0, "Ønsker fartsdemper", "Vurderes i reguleringen", Outcome.PARTLY)
DRAFT_ID = "utkast"


@pytest.fixture
def world(store, consultation, kari, ola):
    """A published consultation with three inputs (one hidden, one tagged, one a duplicate),
    a draft, a document; a planner (kari) and an administrator (ola)."""
    a, b, c = (
        submit_input(
            store,
            consultation.id,
            InputDraft("Annet", f"Innspill nummer {k} om skoleveien", *INSIDE),
            session=f"s{k}",
            now=NOW + timedelta(minutes=k),
        ).id
        for k in range(3)
    )
    store.set_input_status([c], InputStatus.HIDDEN, "kari", reason="Reklame")
    store.add_tag([b], "Skolevei", "kari")
    store.mark_duplicate(b, a, "kari")
    store.add_consultation(make_consultation(DRAFT_ID, status=Status.DRAFT))
    doc_id = store.add_document(consultation.id, "plan.pdf", PDF, "kari")
    return {"c": consultation, "a": a, "b": b, "hidden": c, "doc": doc_id}


def snapshot(store, w) -> tuple:
    """Everything a staff command could change, as plain values."""
    cids = [entry.consultation.id for entry in store.listings()]
    return (
        store.audit_entries(),
        store.users(),
        [(e.consultation.id, e.consultation.status, e.consultation.title, e.total_inputs) for e in store.listings()],
        {cid: store.all_inputs(cid) for cid in cids},
        {cid: store.responses(cid) for cid in cids},
        {cid: store.tags(cid) for cid in cids},
        {cid: store.documents(cid) for cid in cids},
        {cid: store.responses_published(cid) for cid in cids},
        {cid: store.use_of_input(cid) for cid in cids},
    )


def _form(**changes) -> ConsultationForm:
    fields = dict(
        id="ny-horing",
        title="Ny høring",
        summary="Kort.",
        body="",
        plan_type=PlanType.TETTSTEDSUTVIKLING,
        plan_id="",
        stage=Stage.IDEFASE,
        opens_at=NOW,
        closes_at=NOW + timedelta(weeks=6),
        area=BORGEN_SQUARE,
        categories=["Annet"],
    )
    fields.update(changes)
    return ConsultationForm(**fields)


def _letter(store, w, actor, received=NOW - timedelta(days=1)):
    return register_input(
        store,
        w["c"].id,
        InputDraft("Annet", "Brev om skoleveien ved Borgen."),
        channel=Channel.LETTER,
        sender_type=SenderType.PRIVATE,
        sender_name="Ola Nordmann",
        received_at=received,
        actor=actor,
        now=NOW,
    )


# Every staff write, as the UI calls it: (name, command(store, world, actor)).
PLANNER_COMMANDS = [
    ("publish", lambda s, w, u: review.publish(s, [w["hidden"]], u)),
    ("hide", lambda s, w, u: review.hide(s, [w["a"]], "Reklame", u)),
    ("tag", lambda s, w, u: review.tag(s, [w["a"]], "Parkering", u)),
    ("untag", lambda s, w, u: review.untag(s, [w["b"]], "Skolevei", u)),
    ("mark_duplicates", lambda s, w, u: review.mark_duplicates(s, w["c"].id, [w["hidden"]], w["a"], u)),
    ("clear_duplicates", lambda s, w, u: review.clear_duplicates(s, [w["b"]], u)),
    ("answer", lambda s, w, u: review.respond(s, [w["a"]], ANSWER, u)),
    ("publish_responses", lambda s, w, u: review.publish_responses(s, w["c"], True, u, w["c"].closes_at)),
    ("create_consultation", lambda s, w, u: lifecycle.save(s, _form(), u)),
    ("edit_consultation", lambda s, w, u: lifecycle.save(s, _form(id=DRAFT_ID, title="Endret"), u, editing=DRAFT_ID)),
    ("publish_consultation", lambda s, w, u: lifecycle.transition(s, DRAFT_ID, Status.PUBLISHED, u)),
    ("close_consultation", lambda s, w, u: lifecycle.transition(s, w["c"].id, Status.CLOSED, u)),
    ("duplicate_consultation", lambda s, w, u: lifecycle.duplicate(s, w["c"].id, u, "Kopi")),
    ("delete_draft", lambda s, w, u: lifecycle.delete_draft(s, DRAFT_ID, u)),
    ("register_letter", lambda s, w, u: _letter(s, w, u)),
    ("add_document", lambda s, w, u: documents.add_document(s, w["c"].id, "kart.pdf", PDF, u)),
    ("delete_document", lambda s, w, u: documents.delete_document(s, w["doc"], u)),
    ("export", lambda s, w, u: downloads.inputs_file(s, w["c"].id, Format.CSV, crs=25832, include_names=True, actor=u)),
    ("report", lambda s, w, u: downloads.report_file(s, w["c"].id, include_names=True, profile=None, actor=u)),
    ("use_of_input", lambda s, w, u: medvirkningsrapport.set_use_of_input(s, w["c"].id, "Brukes i planen.", u)),
    (
        "medvirkning_report",
        lambda s, w, u: downloads.report_file(
            s,
            w["c"].id,
            include_names=True,
            profile=load_profile("asker"),
            actor=u,
            kind=downloads.ReportKind.MEDVIRKNING,
            tiles=None,
        ),
    ),
]
ADMIN_COMMANDS = [
    ("delete_input", lambda s, w, u: retention.delete_input(s, w["a"], "Innbyggerens ønske", u)),
    ("anonymise", lambda s, w, u: retention.anonymise(s, w["c"].id, u, retention=timedelta(0), now=w["c"].closes_at)),
    ("create_user", lambda s, w, u: users.create(s, u, "per", Role.PLANNER, email="per@asker.kommune.no")),
    ("deactivate_user", lambda s, w, u: users.change(s, u, staff(s).id, active=False)),
    ("promote_user", lambda s, w, u: users.change(s, u, staff(s).id, role=Role.ADMIN)),
    ("backup", lambda s, w, u: downloads.backup(s, u)),
]


def _refused(store, w, command, actor, key) -> None:
    before = snapshot(store, w)
    with pytest.raises(NotAllowed) as caught:
        command(store, w, actor)
    assert caught.value.key == key and key in keys()
    assert snapshot(store, w) == before


@pytest.mark.parametrize(
    "command", [c for _, c in PLANNER_COMMANDS + ADMIN_COMMANDS], ids=[n for n, _ in PLANNER_COMMANDS + ADMIN_COMMANDS]
)
def test_a_planner_deactivated_after_opening_the_page_is_refused_and_nothing_changes(store, world, kari, ola, command):
    store.update_user(kari.id, "ola", active=False)  # ``kari`` still says active=True
    _refused(store, world, command, kari, "permission.inactive")


@pytest.mark.parametrize("command", [c for _, c in ADMIN_COMMANDS], ids=[n for n, _ in ADMIN_COMMANDS])
def test_an_admin_deactivated_after_opening_the_page_is_refused_and_nothing_changes(store, world, ola, command):
    other = staff(store, "ada", Role.ADMIN)
    store.update_user(ola.id, other.username, active=False)
    _refused(store, world, command, ola, "permission.inactive")


@pytest.mark.parametrize("command", [c for _, c in ADMIN_COMMANDS], ids=[n for n, _ in ADMIN_COMMANDS])
def test_an_admin_demoted_to_planner_after_opening_the_page_is_refused_and_nothing_changes(store, world, ola, command):
    other = staff(store, "ada", Role.ADMIN)
    store.update_user(ola.id, other.username, role=Role.PLANNER)  # ``ola`` still says admin
    _refused(store, world, command, ola, "permission.need_admin")


@pytest.mark.parametrize("command", [c for _, c in PLANNER_COMMANDS], ids=[n for n, _ in PLANNER_COMMANDS])
def test_an_active_planner_may_do_every_planners_action_and_it_is_audited_as_them(store, world, kari, command):
    before = len(store.audit_entries())
    command(store, world, kari)
    new = store.audit_entries()[: len(store.audit_entries()) - before]
    assert new and {e.actor for e in new} == {"kari"}


@pytest.mark.parametrize("command", [c for _, c in ADMIN_COMMANDS], ids=[n for n, _ in ADMIN_COMMANDS])
def test_admin_only_actions_are_refused_for_a_planner(store, world, kari, command):
    _refused(store, world, command, kari, "permission.need_admin")


def test_an_admin_deletes_an_input_only_with_a_reason_and_the_deletion_is_audited_as_them(store, world, ola):
    with pytest.raises(InvalidReview) as caught:
        retention.delete_input(store, world["a"], "   ", ola)
    assert caught.value.key == "planning.error.delete_reason"
    assert store.get_input(world["a"]) is not None
    retention.delete_input(store, world["a"], " Innbyggerens ønske ", ola)
    assert store.get_input(world["a"]) is None
    entry = store.audit_entries()[0]
    assert (entry.actor, entry.action) == ("ola", "input.delete") and "Innbyggerens ønske" in entry.after
    with pytest.raises(InvalidReview) as caught:
        retention.delete_input(store, world["a"], "Igjen", ola)
    assert caught.value.key == "planning.error.delete_unknown"


@pytest.mark.parametrize("changes", [{"role": Role.PLANNER}, {"active": False}])
def test_an_admin_can_neither_remove_their_own_admin_rights_nor_deactivate_themselves(store, ola, changes):
    before = store.audit_entries()
    with pytest.raises(InvalidUser) as caught:
        users.change(store, ola, ola.id, **changes)
    assert caught.value.key == "user.not_self"
    assert store.get_user(ola.id) == ola and store.audit_entries() == before


def test_an_admin_changes_another_account_as_the_account_is_now(store, kari, ola):
    changed = users.change(store, ola, kari.id, role=Role.ADMIN)
    assert changed.role == Role.ADMIN and store.audit_entries()[0].actor == "ola"
    with pytest.raises(InvalidUser) as caught:
        users.change(store, ola, 999, active=False)
    assert caught.value.key == "user.unknown"


def test_documents_are_added_and_deleted_by_a_planner_checked_and_audited(store, consultation, kari):
    name = documents.add_document(store, consultation.id, "../../Plankart 1.pdf", PDF, kari)
    (doc,) = store.documents(consultation.id)
    assert name == doc.filename == "Plankart 1.pdf"
    assert store.audit_entries()[0].action == "document.add"
    with pytest.raises(InvalidDocument) as caught:
        documents.add_document(store, consultation.id, "x.pdf", b"not a pdf", kari)
    assert caught.value.key == "document.not_pdf" and len(store.documents(consultation.id)) == 1
    with pytest.raises(InvalidDocument) as caught:
        documents.add_document(store, "finnes-ikke", "x.pdf", PDF, kari)
    assert caught.value.key == "consultation_form.unknown"
    documents.delete_document(store, doc.id, kari)
    assert store.documents(consultation.id) == []
    assert (store.audit_entries()[0].actor, store.audit_entries()[0].action) == ("kari", "document.delete")


def _local_day(moment) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def test_a_letters_received_date_can_be_neither_in_the_future_nor_before_opening(store, consultation, kari):
    w = {"c": consultation}
    before = store.audit_entries()
    for day, key in (
        (_local_day(NOW) + timedelta(days=1), "input.received_future"),
        (_local_day(consultation.opens_at) - timedelta(days=1), "input.received_before_opening"),
        (None, "input.received_missing"),
    ):
        with pytest.raises(InvalidInput) as caught:
            _letter(store, w, kari, received=day)
        assert caught.value.key == key
    assert store.audit_entries() == before and store.all_inputs(consultation.id) == []
    today = _letter(store, w, kari, received=_local_day(NOW))  # today: counts from now at the latest
    assert today.created_at <= NOW
    opening = _letter(store, w, kari, received=_local_day(consultation.opens_at))
    assert opening.created_at >= consultation.opens_at


def test_every_export_and_report_download_is_audited_by_the_core(store, world, kari):
    for fmt in Format:
        downloads.inputs_file(store, world["c"].id, fmt, crs=25833, include_names=False, actor=kari)
    downloads.report_file(store, world["c"].id, include_names=True, profile=None, actor=kari)
    entries = store.audit_entries()[: len(Format) + 1]
    assert [e.action for e in entries] == ["consultation.report"] + ["consultation.export"] * len(Format)
    assert {e.actor for e in entries} == {"kari"}
    assert {e.object_id for e in entries} == {world["c"].id}
    geojson = next(e for e in entries if '"geojson"' in e.after)
    assert '"EPSG:4326"' in geojson.after  # GeoJSON is always WGS84, whatever was asked


def test_a_backup_is_an_admins_and_audited(store, world, ola):
    data = downloads.backup(store, ola)
    assert data and store.audit_entries()[0].action == "backup.download"
    assert store.audit_entries()[0].actor == "ola"


def test_the_command_line_acts_as_the_operator_without_an_account(store, world):
    assert store.login_record("cli") is None
    assert require(store, OPERATOR, Role.ADMIN) is OPERATOR
    lookalike = replace(OPERATOR)  # equal, but not the operator: a forged User gets nothing
    with pytest.raises(NotAllowed):
        require(store, lookalike, Role.PLANNER)
