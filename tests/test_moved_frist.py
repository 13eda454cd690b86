"""A formal høring's frist on a Saturday, Sunday or holiday holds on the next working day,
and staff confirm that day in a step of their own before anything is saved: the builder
shows both dates with a tick box, the JSON import takes ``frist_confirmed``; the save is
refused (both dates named) without it, the confirmation is audited (issue 21)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from shapely.geometry import mapping

from consultations.planning import lifecycle, planprocess
from consultations.errors import InvalidConsultation
from consultations.i18n import LOCAL_TZ
from consultations.planning.importing import import_consultation
from consultations.planning.lifecycle import ConsultationForm
from consultations.model import PlanType, Stage
from tests.conftest import BORGEN_SQUARE, log_in, staff

SUNDAY, MONDAY = date(2027, 1, 24), date(2027, 1, 25)
OPENS = datetime(2026, 11, 30, tzinfo=LOCAL_TZ)


def _form(closes: date = SUNDAY, **changes) -> ConsultationForm:
    fields = dict(
        id="flyttet",
        title="Flyttet frist",
        summary="Oppsummering.",
        body="",
        plan_type=PlanType.DETALJREGULERING,
        plan_id="2025.14",
        stage=Stage.OFFENTLIG_ETTERSYN,
        opens_at=OPENS.astimezone(UTC),
        closes_at=datetime.combine(closes, planprocess.END_OF_DAY, tzinfo=LOCAL_TZ).astimezone(UTC),
        area=BORGEN_SQUARE,
        categories=["Annet"],
        case_number="25/4711",
        announced_on=OPENS.date(),
    )
    fields.update(changes)
    return ConsultationForm(**fields)


def test_the_core_knows_which_day_a_formal_frist_moves_to():
    assert planprocess.moved_frist(Stage.OFFENTLIG_ETTERSYN, SUNDAY) == MONDAY
    assert planprocess.moved_frist(Stage.OFFENTLIG_ETTERSYN, date(2026, 12, 25)) == date(2026, 12, 28)  # jul
    assert planprocess.moved_frist(Stage.OFFENTLIG_ETTERSYN, MONDAY) is None
    assert planprocess.moved_frist(Stage.IDEFASE, SUNDAY) is None  # early medvirkning keeps its dates
    assert planprocess.moved_frist(Stage.PLANPROGRAM, None) is None


@pytest.mark.parametrize("confirmed", [None, SUNDAY, date(2027, 1, 26)])
def test_a_moved_frist_is_refused_naming_both_dates_unless_the_day_that_holds_is_confirmed(store, confirmed):
    planner = staff(store)
    before = store.audit_entries()
    with pytest.raises(InvalidConsultation) as info:
        lifecycle.save(store, _form(frist_confirmed=confirmed), planner)
    assert info.value.key == "merk21.frist_moved_unconfirmed"
    assert "24.01.2027" in info.value.message() and "25.01.2027" in info.value.message()
    assert store.get_consultation("flyttet") is None and store.audit_entries() == before


def test_the_confirmed_frist_is_saved_on_the_working_day_audited_and_kept_on_the_next_save(store):
    planner = staff(store)
    c, warnings = lifecycle.save(store, _form(frist_confirmed=MONDAY), planner)
    assert c.closes_at.astimezone(LOCAL_TZ).date() == MONDAY
    assert store.case_facts(c.id).announced_frist == SUNDAY
    assert ("merk21.frist_moved_confirmed", {"announced": "24.01.2027", "valid": "25.01.2027"}) in warnings
    entry = next(e for e in store.audit_entries() if e.action == "consultation.frist_confirmed")
    assert (entry.actor, entry.object_id) == (planner.username, c.id)
    assert json.loads(entry.after) == {"announced": "24.01.2027", "valid": "25.01.2027"}
    # saved again with the date that holds (as the builder shows it): nothing to confirm, facts kept
    again, warnings = lifecycle.save(store, _form(MONDAY, title="Nytt navn"), planner, editing=c.id)
    assert again.title == "Nytt navn" and not any(k.startswith("merk21.") for k, _ in warnings)
    assert store.case_facts(c.id).announced_frist == SUNDAY


def test_early_medvirkning_ending_on_a_sunday_needs_no_confirmation(store):
    c, _ = lifecycle.save(
        store,
        _form(
            stage=Stage.IDEFASE, plan_type=PlanType.TETTSTEDSUTVIKLING, plan_id="", case_number="", announced_on=None
        ),
        staff(store),
    )
    assert c.closes_at.astimezone(LOCAL_TZ).date() == SUNDAY


def test_the_json_import_takes_frist_confirmed_and_refuses_a_bad_date(store, tmp_path):
    data = {
        "id": "flyttet",
        "title": "Flyttet frist",
        "summary": "Oppsummering.",
        "plan_type": "detaljregulering",
        "stage": "offentlig_ettersyn",
        "plan_id": "2025.14",
        "case_number": "25/4711",
        "announced": OPENS.date().isoformat(),
        "opens": OPENS.date().isoformat(),
        "closes": SUNDAY.isoformat(),
        "area": mapping(BORGEN_SQUARE),
        "categories": ["Annet"],
    }
    path = tmp_path / "horing.json"
    for value, key in (("25.01.2027", "import.bad_date"), (None, "merk21.frist_moved_unconfirmed")):
        path.write_text(json.dumps({**data, "frist_confirmed": value}), encoding="utf-8")
        with pytest.raises(InvalidConsultation) as info:
            import_consultation(store, path, kommunenummer="3203", now=OPENS)
        assert info.value.key == key and store.get_consultation("flyttet") is None
    path.write_text(json.dumps({**data, "frist_confirmed": MONDAY.isoformat()}), encoding="utf-8")
    c, warnings = import_consultation(store, path, kommunenummer="3203", now=OPENS)
    assert c.closes_at.astimezone(LOCAL_TZ).date() == MONDAY
    assert ("merk21.frist_moved_confirmed", {"announced": "24.01.2027", "valid": "25.01.2027"}) in warnings


# -- the builder page --------------------------------------------------------------------------


def _christmas_draft(at):
    at.text_input(key="builder-new-title").input("Detaljregulering Vollen brygge")
    at.text_area(key="builder-new-summary").input("Forslag til detaljregulering.")
    at.selectbox(key="builder-new-plan_type").set_value(PlanType.DETALJREGULERING)
    at.selectbox(key="builder-new-stage").set_value(Stage.OFFENTLIG_ETTERSYN)
    at.text_input(key="builder-new-plan_id").input("3203 2024.07")
    at.text_input(key="builder-new-case_number").input("24/1234")
    at.date_input(key="builder-new-announced_on").set_value(date(2026, 11, 10))
    at.date_input(key="builder-new-opens_date").set_value(date(2026, 11, 10))
    at.date_input(key="builder-new-closes_date").set_value(date(2026, 12, 25))
    at.session_state["builder-new-area"] = BORGEN_SQUARE
    at.session_state["builder-new-area_source"] = "test"
    return at.run()


def test_the_builder_shows_both_dates_and_saves_only_once_staff_confirm_the_moved_frist(app):
    at = _christmas_draft(log_in(app, "pages/rediger.py"))
    assert not at.exception
    assert "Kunngjort frist 25.12.2026, gjelder 28.12.2026" in " ".join(w.value for w in at.warning)
    confirm = at.checkbox(key="builder-new-frist_confirmed-2026-12-28")
    assert "28.12.2026" in confirm.label and not confirm.value
    at.button(key="builder-new-save").click().run()
    assert at.error[0].value.startswith("Kunngjort frist 25.12.2026 er en lørdag, søndag eller helligdag")
    assert at.store().get_consultation("detaljregulering-vollen-brygge") is None
    at.checkbox(key="builder-new-frist_confirmed-2026-12-28").check()
    at.button(key="builder-new-save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    c = at.store().get_consultation("detaljregulering-vollen-brygge")
    assert c.closes_at.astimezone(LOCAL_TZ).date() == date(2026, 12, 28)
    assert any(e.action == "consultation.frist_confirmed" for e in at.store().audit_entries())


def test_a_working_day_frist_shows_no_confirmation_step(app):
    at = _christmas_draft(log_in(app, "pages/rediger.py"))
    at.date_input(key="builder-new-closes_date").set_value(date(2026, 12, 28)).run()
    assert not any(c.key.startswith("builder-new-frist_confirmed") for c in at.checkbox)
    assert not any("Kunngjort frist" in w.value for w in at.warning)


def test_a_confirmation_for_one_day_does_not_carry_over_to_another(app):
    at = _christmas_draft(log_in(app, "pages/rediger.py"))
    at.checkbox(key="builder-new-frist_confirmed-2026-12-28").check().run()
    at.date_input(key="builder-new-closes_date").set_value(date(2027, 1, 1)).run()  # første nyttårsdag
    assert not at.checkbox(key="builder-new-frist_confirmed-2027-01-04").value
    at.button(key="builder-new-save").click().run()
    assert at.error and "04.01.2027" in at.error[0].value


def test_the_form_given_to_the_core_carries_the_confirmation(store):
    form = replace(_form(), frist_confirmed=MONDAY)
    assert (
        lifecycle.build(
            form, existing=None, taken_ids=set(), input_points=[], categories_in_use=set(), kommunenummer="3203"
        )[0]
        .closes_at.astimezone(LOCAL_TZ)
        .date()
        == MONDAY
    )
