"""Issue 10, staff side: the kontaktperson as fields, the forslagsstiller of a private plan,
the postal route, and the documents a formal høring needs before it is published."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import duckdb
import pytest

from consultations.planning import documents, planprocess
from consultations.config import load_profile
from consultations.errors import InvalidConsultation, InvalidDocument, MissingDocuments
from consultations.planning.lifecycle import ConsultationForm, save, transition
from consultations.model import (
    Contact,
    DocumentKind,
    MerknadRecipient,
    PlanType,
    Proposer,
    Stage,
    Status,
)
from consultations.store import SCHEMA_VERSION_TABLE, LATEST, MIGRATIONS, Store
from tests.conftest import BORGEN_SQUARE, NOW, make_consultation, one_page_pdf

CATEGORIES = ("Trafikk og trafikksikkerhet", "Annet")


def form(**changes) -> ConsultationForm:
    fields = dict(
        id="vollen-sentrum",
        title="Vollen sentrum",
        summary="Forslag til detaljregulering.",
        body="Tekst.",
        plan_type=PlanType.DETALJREGULERING,
        plan_id="2025.03",
        stage=Stage.OFFENTLIG_ETTERSYN,
        case_number="25/1234",
        announced_on=(NOW - timedelta(days=1)).date(),
        opens_at=NOW - timedelta(days=1),
        closes_at=NOW + timedelta(weeks=7),
        area=BORGEN_SQUARE,
        categories=CATEGORIES,
    )
    fields.update(changes)
    return ConsultationForm(**fields)


# -- kontaktperson and forslagsstiller ------------------------------------------------------


def test_contact_person_is_kept_as_name_role_email_and_phone(store, kari):
    contact = Contact("  Kari  Nordmann ", "Arealplanlegger", "kari@asker.kommune.no", "+47 66 90 90 00")
    save(store, form(contact=contact), kari)
    assert store.get_consultation("vollen-sentrum").contact == Contact(
        "Kari Nordmann", "Arealplanlegger", "kari@asker.kommune.no", "+47 66 90 90 00"
    )


@pytest.mark.parametrize(
    "contact, key",
    [
        (Contact(email="kari.asker.kommune.no"), "contact_person.email_invalid"),
        (Contact(phone="ring meg"), "contact_person.phone_invalid"),
        (Contact(name="x" * 201), "consultation_form.contact_long"),
    ],
)
def test_a_contact_person_in_a_bad_form_is_refused_and_nothing_saved(store, kari, contact, key):
    with pytest.raises(InvalidConsultation) as info:
        save(store, form(contact=contact), kari)
    assert info.value.key == key and info.value.message()
    assert store.get_consultation("vollen-sentrum") is None


def test_a_private_plan_keeps_its_proposer_and_who_receives_the_merknader(store, kari):
    proposer = Proposer("Slemmestad Brygge AS", "Plankontoret AS", MerknadRecipient.CONSULTANT, "post@plankontoret.no")
    save(store, form(proposer=proposer), kari)
    assert store.get_consultation("vollen-sentrum").proposer == proposer


@pytest.mark.parametrize(
    "changes, key",
    [
        (
            dict(proposer=Proposer("Utbygger AS"), plan_type=PlanType.KOMMUNEPLANENS_AREALDEL, plan_id=""),
            "proposer.only_regulation",
        ),
        (dict(proposer=Proposer(consultant="Plankontoret AS")), "proposer.name_missing"),
        (
            dict(proposer=Proposer("Utbygger AS", "Plankontoret AS", MerknadRecipient.CONSULTANT)),
            "proposer.consultant_address_missing",
        ),
    ],
)
def test_a_proposer_where_the_law_has_none_or_without_an_address_is_refused(store, kari, changes, key):
    with pytest.raises(InvalidConsultation) as info:
        save(store, form(**changes), kari)
    assert info.value.key == key and info.value.message()
    assert store.get_consultation("vollen-sentrum") is None


def test_postal_route_is_the_postmottak_unless_the_plankonsulent_receives_the_merknader():
    asker = load_profile("asker")
    c = make_consultation(case_number="25/1234")
    route = planprocess.postal_route(c, asker.name, asker.postal_address, asker.postmottak_email)
    assert route == planprocess.PostalRoute("Asker kommune", "Postboks 353, 1372 Asker", "postmottak@asker.kommune.no")
    private = replace(
        c, proposer=Proposer("Utbygger AS", "Plankontoret AS", MerknadRecipient.CONSULTANT, "Storgata 1, 0155 Oslo")
    )
    assert planprocess.postal_route(private, asker.name, asker.postal_address, asker.postmottak_email) == (
        planprocess.PostalRoute("Plankontoret AS", "Storgata 1, 0155 Oslo", "")
    )


def _database_at_version_8(path) -> None:
    """A file as the app left it before the kontaktperson migration: free-text contact, documents unkinded."""
    conn = duckdb.connect(str(path))
    conn.execute(SCHEMA_VERSION_TABLE)
    for version in range(1, 9):
        for statement in MIGRATIONS[version]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, ?)", (version, datetime(2026, 1, 1)))
    conn.execute(
        """INSERT INTO consultations (id, title, summary, body, plan_type, plan_id, stage, status,
           opens_at, closes_at, area_geojson, categories, moderation, contact, is_demo, created_at)
           VALUES ('gammel', 'Gammel', 'S', 'B', 'tettstedsutvikling', '', 'idefase', 'draft',
           '2026-01-01', '2026-02-01', ?, ['Annet'], 'post', 'Ola Planlegger, Plan og bygg',
           false, '2026-01-01')""",
        (
            '{"type": "Polygon", "coordinates": [[[10.405, 59.822], [10.422, 59.822], [10.422, 59.83], [10.405, 59.822]]]}',
        ),
    )
    conn.execute(
        """INSERT INTO documents (consultation_id, filename, content, uploaded_at)
           VALUES ('gammel', 'plan.pdf', ?, '2026-01-01')""",
        (one_page_pdf(),),
    )
    conn.close()


def test_an_old_free_text_contact_becomes_the_name_and_old_documents_become_annet(tmp_path):
    path = tmp_path / "old.duckdb"
    _database_at_version_8(path)
    store = Store.open(path)
    try:
        assert store.get_consultation("gammel").contact == Contact(name="Ola Planlegger, Plan og bygg")
        assert [d.kind for d in store.documents("gammel")] == [DocumentKind.ANNET]
        assert store.schema_version() == LATEST
    finally:
        store.close()


# -- documents required before publishing ---------------------------------------------------


def test_offentlig_ettersyn_is_not_published_without_plankart_bestemmelser_and_planbeskrivelse(store, kari):
    save(store, form(), kari)
    documents.add_document(store, "vollen-sentrum", "kart.pdf", one_page_pdf(), kari, DocumentKind.PLANKART)
    before = store.audit_entries()
    with pytest.raises(MissingDocuments) as info:
        transition(store, "vollen-sentrum", Status.PUBLISHED, kari)
    assert info.value.message() == (
        "Høringen kan ikke publiseres før disse dokumentene er lagt ved: Planbestemmelser, Planbeskrivelse."
    )
    assert "Planning provisions, Plan description" in info.value.message("en")
    assert store.get_consultation("vollen-sentrum").status == Status.DRAFT
    assert store.audit_entries() == before


def test_offentlig_ettersyn_with_its_three_documents_is_published(store, kari):
    save(store, form(), kari)
    for kind in (DocumentKind.PLANKART, DocumentKind.BESTEMMELSER, DocumentKind.PLANBESKRIVELSE):
        documents.add_document(store, "vollen-sentrum", f"{kind}.pdf", one_page_pdf(), kari, kind)
    assert transition(store, "vollen-sentrum", Status.PUBLISHED, kari).status == Status.PUBLISHED


@pytest.mark.parametrize(
    "plan_type, stage, required",
    [
        (PlanType.DETALJREGULERING, Stage.ANDRE_GANGS_ETTERSYN, ("plankart", "bestemmelser", "planbeskrivelse")),
        (PlanType.DETALJREGULERING, Stage.BEGRENSET_HORING, ("plankart", "bestemmelser")),
        (PlanType.KOMMUNEPLANENS_AREALDEL, Stage.PLANPROGRAM, ("planprogram",)),
        (PlanType.OMRADEREGULERING, Stage.VARSEL_OG_PLANPROGRAM, ("planprogram",)),
        (PlanType.KOMMUNEPLANENS_SAMFUNNSDEL, Stage.OFFENTLIG_ETTERSYN, ("planbeskrivelse",)),
        (PlanType.DETALJREGULERING, Stage.VARSEL_OM_OPPSTART, ()),
        (PlanType.DETALJREGULERING, Stage.MINDRE_ENDRING, ()),
        (PlanType.TETTSTEDSUTVIKLING, Stage.IDEFASE, ()),
    ],
)
def test_each_stage_asks_for_the_documents_pbl_expects(plan_type, stage, required):
    assert tuple(k.value for k in planprocess.required_documents(plan_type, stage)) == required


def test_a_planprogram_hearing_is_not_published_without_the_program(store, kari):
    save(store, form(stage=Stage.PLANPROGRAM, plan_type=PlanType.OMRADEREGULERING), kari)
    documents.add_document(store, "vollen-sentrum", "notat.pdf", one_page_pdf(), kari)
    with pytest.raises(MissingDocuments, match="Planprogram"):
        transition(store, "vollen-sentrum", Status.PUBLISHED, kari)


def test_a_new_plankart_replaces_the_old_one_in_its_slot(store, kari):
    save(store, form(), kari)
    documents.add_document(store, "vollen-sentrum", "kart-v1.pdf", one_page_pdf("v1"), kari, DocumentKind.PLANKART)
    documents.add_document(store, "vollen-sentrum", "annet.pdf", one_page_pdf(), kari)
    documents.add_document(store, "vollen-sentrum", "kart-v2.pdf", one_page_pdf("v2"), kari, DocumentKind.PLANKART)
    assert sorted((d.kind.value, d.filename) for d in store.documents("vollen-sentrum")) == [
        ("annet", "annet.pdf"),
        ("plankart", "kart-v2.pdf"),
    ]
    assert store.audit_entries()[0].action == "document.replace"


def test_a_required_document_stays_while_the_hearing_is_published(store, kari):
    save(store, form(), kari)
    for kind in (DocumentKind.PLANKART, DocumentKind.BESTEMMELSER, DocumentKind.PLANBESKRIVELSE):
        documents.add_document(store, "vollen-sentrum", f"{kind}.pdf", one_page_pdf(), kari, kind)
    transition(store, "vollen-sentrum", Status.PUBLISHED, kari)
    plankart = next(d for d in store.documents("vollen-sentrum") if d.kind == DocumentKind.PLANKART)
    with pytest.raises(InvalidDocument) as info:
        documents.delete_document(store, plankart.id, kari)
    assert info.value.key == "required_documents.keep_while_published"
    assert len(store.documents("vollen-sentrum")) == 3


def test_a_published_hearing_moved_to_offentlig_ettersyn_needs_its_documents(store, kari):
    save(store, form(stage=Stage.VARSEL_OM_OPPSTART), kari)
    transition(store, "vollen-sentrum", Status.PUBLISHED, kari)
    with pytest.raises(MissingDocuments):
        save(store, form(), kari, editing="vollen-sentrum")
    assert store.get_consultation("vollen-sentrum").stage == Stage.VARSEL_OM_OPPSTART


def test_store_atomic_keeps_nothing_of_a_block_that_fails(store, kari):
    with pytest.raises(RuntimeError), store.atomic():
        save(store, form(), kari)
        assert store.get_consultation("vollen-sentrum") is not None  # seen inside
        raise RuntimeError("a later step failed")
    assert store.get_consultation("vollen-sentrum") is None
    assert not [e for e in store.audit_entries() if e.action.startswith("consultation.")]


# -- the demo ----------------------------------------------------------------------------


def test_demo_asker_sentrum_has_its_three_labelled_documents_and_passes_the_publish_rule(demo_db):
    from consultations.planning.lifecycle import check_documents

    store = Store.open(demo_db)  # the demo as seed_demo made it for this run (read only)
    try:
        docs = store.documents("asker-sentrum-omraderegulering")
        assert sorted(d.kind.value for d in docs) == ["bestemmelser", "planbeskrivelse", "plankart"]
        for doc in docs:
            data = store.document_content(doc.id)
            assert documents.check_pdf(doc.filename, data) == doc.filename
            assert "Demo – illustrativt dokument" in _pdf_title(data)
        check_documents(store, store.get_consultation("asker-sentrum-omraderegulering"))
        assert store.get_consultation("asker-sentrum-omraderegulering").contact.name == "Henrik Aas (fiktiv)"
    finally:
        store.close()


def _pdf_title(data: bytes) -> str:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return str(pdf.docinfo["/Title"])
