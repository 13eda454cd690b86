"""Categories and questions in nynorsk and English: kept with the consultation, checked like
the originals, shown to residents who chose the language — and inputs keep the originals."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from shapely.geometry import mapping

from consultations.errors import InvalidConsultation, InvalidInput
from consultations.planning.importing import import_consultation
from consultations.planning.lifecycle import ConsultationForm, save, transition
from consultations.model import (
    InputDraft,
    PlanType,
    Question,
    QuestionKind,
    Stage,
    Status,
)
from consultations.participation.submission import submit_input
from tests.conftest import BORGEN_SQUARE, NOW

CATEGORIES = ("Trafikk og trafikksikkerhet", "Gange og sykkel", "Annet")
OFTEN = Question("q1", QuestionKind.SINGLE, "Hvor ofte er du her?", ("Daglig", "Ukentlig", "Sjelden"))
SAFE = Question("q2", QuestionKind.SCALE, "Hvor trygt føles det?")
ENGLISH = {
    "title": "Vollen centre",
    "categories": {"Trafikk og trafikksikkerhet": "Traffic and road safety", "Annet": " Other "},
    "questions": {"q1": {"text": "How often are you here?", "options": ["Daily", "Weekly", "Rarely"]}},
}


def form(**changes) -> ConsultationForm:
    fields = {
        "id": "vollen-sentrum",
        "title": "Vollen sentrum",
        "summary": "Hvordan skal Vollen utvikle seg?",
        "body": "Tekst.",
        "plan_type": PlanType.TETTSTEDSUTVIKLING,
        "plan_id": "",
        "stage": Stage.IDEFASE,
        "opens_at": NOW - timedelta(days=1),
        "closes_at": NOW + timedelta(weeks=7),
        "area": BORGEN_SQUARE,
        "categories": CATEGORIES,
        "questions": (OFTEN, SAFE),
    }
    fields.update(changes)
    return ConsultationForm(**fields)


def refused(store, actor, translations, key) -> InvalidConsultation:
    before = store.audit_entries()
    with pytest.raises(InvalidConsultation) as info:
        save(store, form(translations=translations), actor)
    assert info.value.key == key and info.value.message("en")
    assert store.audit_entries() == before and store.get_consultation("vollen-sentrum") is None
    return info.value


def test_category_and_question_translations_are_kept_and_shown_in_that_language(store, kari):
    c, _ = save(
        store, form(translations={"en": ENGLISH, "nn": {"categories": {"Annet": "Anna", "Gange og sykkel": " "}}}), kari
    )
    stored = store.get_consultation(c.id)
    assert stored.translations["en"]["categories"] == {
        "Trafikk og trafikksikkerhet": "Traffic and road safety",
        "Annet": "Other",
    }
    assert stored.translations["nn"] == {"categories": {"Annet": "Anna"}}  # empty ones dropped
    english = stored.in_language("en").labels("en")
    assert [english.category(name) for name in stored.categories] == [
        "Traffic and road safety",
        "Gange og sykkel",
        "Other",
    ]
    assert english.question(OFTEN) == "How often are you here?"
    assert [english.option(OFTEN, o) for o in OFTEN.options] == ["Daily", "Weekly", "Rarely"]
    assert english.question(SAFE) == SAFE.text  # not translated: as written
    # the consultation itself keeps its categories and questions as written
    assert stored.in_language("en").categories == CATEGORIES
    assert stored.in_language("en").questions == (OFTEN, SAFE)
    bokmal = stored.labels("nb")
    assert bokmal.category("Annet") == "Annet" and bokmal.option(OFTEN, "Daglig") == "Daglig"
    assert stored.labels("nn").question(OFTEN) == OFTEN.text


def test_a_translation_of_a_category_the_consultation_lacks_is_refused_and_nothing_stored(store, kari):
    error = refused(store, kari, {"en": {"categories": {"Parkering": "Parking"}}}, "translated_labels.unknown_category")
    assert "Parkering" in error.message("nb")


def test_a_translation_of_a_question_the_consultation_lacks_is_refused(store, kari):
    refused(
        store, kari, {"nn": {"questions": {"q9": {"text": "Kva meiner du?"}}}}, "translated_labels.unknown_question"
    )


@pytest.mark.parametrize(
    "options", [["Daily", "Weekly"], ["Daily", "Weekly", "Rarely", "Never"], ["Daily", " ", "Rarely"]]
)
def test_translated_options_must_be_as_many_as_the_originals(store, kari, options):
    error = refused(store, kari, {"en": {"questions": {"q1": {"options": options}}}}, "translated_labels.options_count")
    assert "3" in error.message("en")


def test_a_scale_question_has_no_options_to_translate(store, kari):
    refused(store, kari, {"en": {"questions": {"q2": {"options": ["Low", "High"]}}}}, "translated_labels.options_count")


def test_a_translated_category_may_be_no_longer_than_a_category(store, kari):
    refused(store, kari, {"en": {"categories": {"Annet": "O" * 81}}}, "translated_labels.category_long")
    save(store, form(translations={"en": {"categories": {"Annet": "O" * 80}}}), kari)


def test_a_translated_question_may_be_no_longer_than_a_question(store, kari):
    refused(store, kari, {"nn": {"questions": {"q1": {"text": "k" * 201}}}}, "translated_labels.question_long")


def test_two_categories_shown_under_one_name_are_refused(store, kari):
    # «Annet» translated to what another category is called would give residents two «Gange og sykkel»
    refused(store, kari, {"nn": {"categories": {"Annet": "gange og sykkel"}}}, "translated_labels.category_twice")


def test_a_question_translation_with_an_unknown_part_is_refused(store, kari):
    refused(store, kari, {"en": {"questions": {"q1": {"help": "Tell us"}}}}, "translated_labels.unknown_part")


def test_an_input_keeps_the_original_category_and_option_whatever_language_its_sender_read(store, kari):
    save(store, form(translations={"en": ENGLISH}), kari)
    transition(store, "vollen-sentrum", Status.PUBLISHED, kari)
    draft = InputDraft(category="Annet", text="Mer benker ved fjorden.", whole_area=True, answers={"q1": "Daglig"})
    stored = submit_input(store, "vollen-sentrum", draft, session="s1", now=NOW)
    assert (stored.category, stored.answers) == ("Annet", {"q1": "Daglig"})
    # a translated label is neither a category nor an option of the consultation
    for category, answers in (("Other", {}), ("Annet", {"q1": "Daily"})):
        draft = InputDraft(category=category, text="Flere benker ved fjorden.", whole_area=True, answers=answers)
        with pytest.raises(InvalidInput):
            submit_input(store, "vollen-sentrum", draft, session="s2", now=NOW)


def import_file(folder: Path, translations: object) -> Path:
    """An early medvirkning as ``import-consultation`` reads it, with ``translations``."""
    data = {
        "id": "vollen-sentrum",
        "title": "Vollen sentrum",
        "summary": "Hvordan skal Vollen utvikle seg?",
        "plan_type": "tettstedsutvikling",
        "stage": "idefase",
        "opens": "2026-11-26",
        "closes": "2027-01-15",
        "area": mapping(BORGEN_SQUARE),
        "categories": list(CATEGORIES),
        "translations": translations,
    }
    path = folder / "horing.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_carries_translated_texts_and_categories(store, tmp_path):
    given = {
        "en": {"title": "Vollen centre", "categories": {"Annet": "Other"}},
        "nn": {"categories": {"Annet": "Anna"}},
    }
    c, _ = import_consultation(store, import_file(tmp_path, given), kommunenummer="3203", now=NOW)
    stored = store.get_consultation(c.id)
    assert stored.translations == given
    assert stored.in_language("en").title == "Vollen centre" and stored.labels("nn").category("Annet") == "Anna"


@pytest.mark.parametrize(
    "translations, key",
    [
        ({"en": {"categories": {"Parkering": "Parking"}}}, "translated_labels.unknown_category"),
        ({"en": {"categories": ["Other"]}}, "translated_labels.import_shape"),
        ({"en": {"questions": {"q1": {"options": "Daily; Weekly"}}}}, "translated_labels.import_shape"),
        ({"en": {"title": 7}}, "translated_labels.import_shape"),
        (["en"], "translated_labels.import_shape"),
        ({"en": {"questions": {"q1": {"text": "How often?"}}}}, "translated_labels.unknown_question"),
    ],
)
def test_import_refuses_translations_the_builder_could_not_give_and_stores_nothing(store, tmp_path, translations, key):
    with pytest.raises(InvalidConsultation) as info:
        import_consultation(store, import_file(tmp_path, translations), kommunenummer="3203", now=NOW)
    assert info.value.key == key and info.value.message()
    assert store.get_consultation("vollen-sentrum") is None
