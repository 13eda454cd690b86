"""Building, editing and moving a consultation through its life, all audit-logged."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from shapely.geometry import MultiPolygon, Polygon

from consultations.errors import InvalidConsultation
from consultations.planning.lifecycle import (
    ConsultationForm,
    delete_draft,
    duplicate,
    save,
    slugify,
    transition,
    unique_slug,
)
from consultations.model import InputDraft, PlanType, Question, QuestionKind, Stage, Status
from consultations.participation.submission import submit_input
from tests.conftest import BORGEN_SQUARE, INSIDE, NOW, attach_required_documents, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

CATEGORIES = ("Trafikk og trafikksikkerhet", "Gange og sykkel", "Annet")


def form(**changes) -> ConsultationForm:
    fields = dict(
        id="vollen-sentrum",
        title="Vollen sentrum",
        summary="Hvordan skal Vollen utvikle seg?",
        body="## Bakgrunn\nTekst.",
        plan_type=PlanType.OMRADEREGULERING,
        plan_id="3203202501",
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


def refused(store, f, key, editing=None):
    actor = staff(store)
    before = store.audit_entries()
    with pytest.raises(InvalidConsultation) as info:
        save(store, f, actor, editing=editing)
    assert info.value.key == key and info.value.message()
    assert store.audit_entries() == before
    return info.value


def test_new_consultation_is_a_draft_and_audit_logged(store, kari):
    c, warnings = save(store, form(), kari)
    # seven weeks from 27 November run over Christmas: staff are told, and may go on
    assert c.status == Status.DRAFT and warnings == [("plan_process.warn_christmas", {})]
    assert store.get_consultation("vollen-sentrum") == c
    entry = store.audit_entries()[0]  # after the accounts the fixtures made
    assert (entry.actor, entry.action, entry.object_id) == ("kari", "consultation.create", c.id)
    assert '"title": "Vollen sentrum"' in entry.after


def test_slugs_are_readable_and_unique():
    assert slugify("Områderegulering for Asker sentrum – Askerelva") == "omraderegulering-for-asker-sentrum-askerelva"
    assert unique_slug("Vollen", {"vollen", "vollen-2"}) == "vollen-3"


@pytest.mark.parametrize(
    "changes, key",
    [
        (dict(title="  "), "consultation_form.title"),
        (dict(summary=""), "consultation_form.summary"),
        (dict(id="Vollen Sentrum!"), "consultation_form.id_invalid"),
        (dict(plan_id="32/03"), "plan_process.plan_id_invalid"),
        (dict(plan_id="x" * 17), "plan_process.plan_id_invalid"),
        (dict(plan_id=""), "plan_process.plan_id_required"),
        (dict(case_number=""), "plan_process.case_number_required"),
        (dict(case_number="1234"), "plan_process.case_number_invalid"),
        (dict(announced_on=None), "plan_process.announced_required"),
        (dict(plan_type=PlanType.TETTSTEDSUTVIKLING), "plan_process.no_formal"),
        (dict(closes_at=NOW - timedelta(days=2)), "consultation_form.closes_before_opens"),
        (dict(area=None), "consultation_form.area_missing"),
        (dict(categories=[" ", ""]), "consultation_form.categories_empty"),
        (dict(categories=["Annet", "annet"]), "consultation_form.categories_duplicate"),
        (
            dict(questions=[Question("q1", QuestionKind.SINGLE, "Bor du her?", ("Ja",))]),
            "consultation_form.question_options",
        ),
    ],
)
def test_bad_form_is_refused_and_nothing_is_created(store, changes, key):
    refused(store, form(**changes), key)
    assert store.get_consultation("vollen-sentrum") is None


def test_duplicate_id_is_refused(store, kari):
    save(store, form(), kari)
    refused(store, form(title="Noe annet"), "consultation_form.id_taken")


def test_early_medvirkning_needs_no_plan_id_case_number_or_announcement():
    c, _ = save_in_memory(
        form(plan_type=PlanType.TETTSTEDSUTVIKLING, stage=Stage.IDEFASE, plan_id="", case_number="", announced_on=None)
    )
    assert (c.plan_id, c.case_number, c.announced_on) == ("", "", None)


def save_in_memory(f):
    from consultations.planning.lifecycle import build

    return build(f, existing=None, taken_ids=set())


def test_hearing_shorter_than_six_weeks_is_refused_without_a_reason(store, kari):
    # pbl. § 12-10: a shorter offentlig ettersyn is a saksbehandlingsfeil (was a warning)
    refused(store, form(closes_at=NOW + timedelta(weeks=3)), "letters.frist_short")
    assert store.get_consultation(form().id) is None


def test_hearing_shorter_than_six_weeks_with_a_reason_warns_but_saves(store, kari):
    c, warnings = save(
        store,
        form(closes_at=NOW + timedelta(weeks=3), short_frist_reason="Mindre justering, avtalt med Statsforvalteren"),
        kari,
    )
    assert store.case_facts(c.id).short_frist_reason == "Mindre justering, avtalt med Statsforvalteren"
    assert warnings == [("plan_process.warn_short", {"paragraph": "§§ 11-14 og 12-10", "earliest": "07.01.2027"})]
    assert store.get_consultation(c.id) is not None
    _, idea_warnings = save_in_memory(form(id="x", stage=Stage.IDEFASE, closes_at=NOW + timedelta(weeks=3)))
    assert idea_warnings == []


def test_questions_are_stored_with_the_consultation(store, kari):
    questions = [
        Question("q1", QuestionKind.SINGLE, "Hvor ofte er du her?", ("Daglig", "Ukentlig", " ")),
        Question("q2", QuestionKind.SCALE, "Hvor trygt føles det?"),
    ]
    c, _ = save(store, form(questions=questions), kari)
    assert store.get_consultation(c.id).questions == (
        Question("q1", QuestionKind.SINGLE, "Hvor ofte er du her?", ("Daglig", "Ukentlig")),
        Question("q2", QuestionKind.SCALE, "Hvor trygt føles det?"),
    )


def published_with_input(store):
    save(store, form(), staff(store))
    attach_required_documents(store, "vollen-sentrum")
    transition(store, "vollen-sentrum", Status.PUBLISHED, staff(store))
    submit_input(
        store, "vollen-sentrum", InputDraft("Annet", "Et innspill i planområdet.", *INSIDE), session="s", now=NOW
    )


def test_life_cycle_moves_forward_and_is_audit_logged(store, kari, ola):
    save(store, form(), kari)
    attach_required_documents(store, "vollen-sentrum")
    for target in (Status.PUBLISHED, Status.CLOSED, Status.ARCHIVED, Status.CLOSED):
        assert transition(store, "vollen-sentrum", target, ola).status == target
    entries = [e for e in reversed(store.audit_entries()) if not e.action.startswith(("user.", "document."))]
    assert [e.action for e in entries] == [
        "consultation.create",
        "consultation.status.published",
        "consultation.status.closed",
        "consultation.status.archived",
        "consultation.status.closed",
    ]
    assert '"status": "published"' in entries[1].after


@pytest.mark.parametrize("start, target", [(Status.DRAFT, Status.CLOSED), (Status.DRAFT, Status.ARCHIVED)])
def test_skipping_steps_is_refused(store, start, target, kari, ola):
    save(store, form(), kari)
    with pytest.raises(InvalidConsultation):
        transition(store, "vollen-sentrum", target, ola)
    assert store.get_consultation("vollen-sentrum").status == start


def test_published_consultation_with_inputs_cannot_go_back_to_draft(store, ola):
    published_with_input(store)
    with pytest.raises(InvalidConsultation) as info:
        transition(store, "vollen-sentrum", Status.DRAFT, ola)
    assert info.value.key == "lifecycle.has_inputs"


def test_edit_may_not_orphan_inputs(store, kari):
    published_with_input(store)
    elsewhere = MultiPolygon([Polygon([(10.44, 59.84), (10.45, 59.84), (10.45, 59.85), (10.44, 59.85)])])
    refused(store, form(area=elsewhere), "consultation_form.area_orphans", editing="vollen-sentrum")
    refused(
        store,
        form(categories=["Trafikk og trafikksikkerhet"]),
        "consultation_form.categories_orphans",
        editing="vollen-sentrum",
    )
    # adding and reordering categories is fine, and so is a new text
    c, _ = save(
        store,
        form(categories=["Annet", "Ny kategori", *CATEGORIES[:2]], title="Vollen sentrum 2030"),
        kari,
        editing="vollen-sentrum",
    )
    assert c.categories[0] == "Annet" and c.status == Status.PUBLISHED
    assert store.audit_entries()[0].action == "consultation.edit"


def test_a_draft_may_get_a_new_id_but_a_published_one_keeps_its_address(store, kari):
    save(store, form(), kari)
    c, _ = save(store, form(id="vollen-2030"), kari, editing="vollen-sentrum")
    assert store.get_consultation("vollen-sentrum") is None and store.get_consultation("vollen-2030") == c
    assert store.audit_entries()[1].action == "consultation.rename"
    attach_required_documents(store, "vollen-2030")
    transition(store, "vollen-2030", Status.PUBLISHED, kari)
    refused(store, form(id="vollen-igjen"), "consultation_form.id_fixed", editing="vollen-2030")


def test_duplicate_makes_a_new_draft_without_inputs(store, kari):
    published_with_input(store)
    copy = duplicate(store, "vollen-sentrum", kari, "Kopi av Vollen sentrum")
    assert copy.id == "vollen-sentrum-kopi" and copy.status == Status.DRAFT
    assert store.all_inputs(copy.id) == []
    assert store.get_consultation(copy.id).area.equals(store.get_consultation("vollen-sentrum").area)


def test_only_drafts_without_inputs_can_be_deleted(store, kari):
    published_with_input(store)
    with pytest.raises(InvalidConsultation):
        delete_draft(store, "vollen-sentrum", kari)
    save(store, form(id="utkast", title="Utkast"), kari)
    delete_draft(store, "utkast", kari)
    assert store.get_consultation("utkast") is None
    assert store.audit_entries()[0].action == "consultation.delete"


def test_plan_id_is_kept_apart_from_the_kommunenummer():
    from consultations.planning.lifecycle import build

    c, _ = build(form(plan_id="3203 2024.07"), existing=None, taken_ids=set(), kommunenummer="3203")
    assert c.plan_id == "2024.07"


def test_case_number_and_announcement_are_stored(store, kari):
    c, _ = save(store, form(announced_where="Asker og Bærums Budstikke"), kari)
    stored = store.get_consultation(c.id)
    assert (stored.case_number, stored.announced_on, stored.announced_where) == (
        "25/1234",
        (NOW - timedelta(days=1)).date(),
        "Asker og Bærums Budstikke",
    )


def test_texts_in_other_languages_are_kept_and_shown_to_those_who_chose_them(store, kari):
    c, _ = save(
        store,
        form(
            translations={
                "nn": {"title": "Vollen sentrum (nynorsk)", "summary": " ", "body": ""},
                "en": {"title": "Vollen centre", "summary": "What do you want for Vollen?"},
            }
        ),
        kari,
    )
    stored = store.get_consultation(c.id)
    assert stored.translations == {
        "nn": {"title": "Vollen sentrum (nynorsk)"},
        "en": {"title": "Vollen centre", "summary": "What do you want for Vollen?"},
    }
    english = stored.in_language("en")
    assert english.title == "Vollen centre" and english.body == stored.body  # no body given
    assert stored.in_language("nn").summary == stored.summary
    assert stored.in_language("nb") == stored


def test_a_translation_into_an_unknown_language_is_refused(store):
    refused(store, form(translations={"se": {"title": "Sámegiella"}}), "consultation_form.translation_language")
