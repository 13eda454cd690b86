"""The plan process: stages per plan type, plan-ID and saksnummer, and the frist rules."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from consultations.planning import planprocess
from consultations.errors import InvalidConsultation
from consultations.i18n import LOCAL_TZ, t
from consultations.model import PlanType, Stage
from consultations.planning.planprocess import Mode


def local(day: date, at: time = time(23, 59)) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    "stage, mode",
    [
        (Stage.IDEFASE, Mode.EARLY),
        (Stage.STEDSANALYSE, Mode.EARLY),
        (Stage.INNSPILLSRUNDE, Mode.EARLY),
        (Stage.VARSEL_OM_OPPSTART, Mode.FORMAL),
        (Stage.VARSEL_OG_PLANPROGRAM, Mode.FORMAL),
        (Stage.OFFENTLIG_ETTERSYN, Mode.FORMAL),
        (Stage.ANDRE_GANGS_ETTERSYN, Mode.FORMAL),
        (Stage.BEGRENSET_HORING, Mode.FORMAL),
        (Stage.MINDRE_ENDRING, Mode.FORMAL),
    ],
)
def test_the_stage_decides_between_early_medvirkning_and_formal_hearing(stage, mode):
    assert planprocess.mode(stage) == mode


@pytest.mark.parametrize(
    "plan_type, stage, key",
    [
        (PlanType.TETTSTEDSUTVIKLING, Stage.OFFENTLIG_ETTERSYN, "plan_process.no_formal"),
        (PlanType.PLANSTRATEGI, Stage.PLANPROGRAM, "plan_process.no_formal"),
        (PlanType.ANNET, Stage.VARSEL_OM_OPPSTART, "plan_process.no_formal"),
        (PlanType.KOMMUNEPLANENS_SAMFUNNSDEL, Stage.MINDRE_ENDRING, "plan_process.no_stage"),
    ],
)
def test_stages_that_do_not_exist_in_law_for_the_plan_type_are_refused_with_the_reason(plan_type, stage, key):
    with pytest.raises(InvalidConsultation) as info:
        planprocess.check_stage(plan_type, stage)
    assert info.value.key == key
    assert plan_type.value in info.value.message()


def test_every_plan_type_may_run_early_medvirkning_and_plans_their_formal_stages():
    for plan_type in PlanType:
        planprocess.check_stage(plan_type, Stage.IDEFASE)
    planprocess.check_stage(PlanType.DETALJREGULERING, Stage.OFFENTLIG_ETTERSYN)
    planprocess.check_stage(PlanType.KOMMUNEPLANENS_SAMFUNNSDEL, Stage.OFFENTLIG_ETTERSYN)
    planprocess.check_stage(PlanType.KOMMUNEPLANENS_AREALDEL, Stage.MINDRE_ENDRING)
    assert Stage.OFFENTLIG_ETTERSYN not in planprocess.allowed_stages(PlanType.TETTSTEDSUTVIKLING)


@pytest.mark.parametrize(
    "written, stored",
    [
        ("2024.07", "2024.07"),
        ("3203 2024.07", "2024.07"),  # kommunenummer, space, planid: kept apart
        ("3203202402", "3203202402"),
        ("R-12_b 3", "R-12_b 3"),
        ("  2024.07 ", "2024.07"),
    ],
)
def test_plan_id_accepts_any_sosi_planidentifikasjon(written, stored):
    assert planprocess.check_plan_id(written, PlanType.DETALJREGULERING, Stage.OFFENTLIG_ETTERSYN, "3203") == stored


@pytest.mark.parametrize("written", ["x" * 17, "24/07", "2024:07", "...", "<b>"])
def test_plan_id_of_the_wrong_form_is_refused(written):
    with pytest.raises(InvalidConsultation) as info:
        planprocess.check_plan_id(written, PlanType.DETALJREGULERING, Stage.OFFENTLIG_ETTERSYN)
    assert info.value.key == "plan_process.plan_id_invalid"


def test_plan_id_is_optional_early_and_required_from_varsel_om_oppstart_for_regulation_plans():
    assert planprocess.check_plan_id("", PlanType.OMRADEREGULERING, Stage.IDEFASE) == ""
    assert planprocess.check_plan_id("", PlanType.KOMMUNEPLANENS_AREALDEL, Stage.OFFENTLIG_ETTERSYN) == ""
    with pytest.raises(InvalidConsultation) as info:
        planprocess.check_plan_id("", PlanType.OMRADEREGULERING, Stage.VARSEL_OM_OPPSTART)
    assert info.value.key == "plan_process.plan_id_required"


def test_national_plan_id_shows_the_kommunenummer_apart():
    assert planprocess.national_plan_id("3203", "2024.07") == "3203 2024.07"
    assert planprocess.national_plan_id("3203", "") == ""


@pytest.mark.parametrize("written, stored", [("24/1234", "24/1234"), ("2024/ 1234", "2024/1234")])
def test_case_number_in_noark_form_is_accepted(written, stored):
    assert planprocess.check_case_number(written, Stage.OFFENTLIG_ETTERSYN) == stored


def test_case_number_is_required_in_formal_hearing_only():
    assert planprocess.check_case_number("", Stage.IDEFASE) == ""
    for value, key in [("", "case_number_required"), ("24-1234", "case_number_invalid")]:
        with pytest.raises(InvalidConsultation) as info:
            planprocess.check_case_number(value, Stage.VARSEL_OM_OPPSTART)
        assert info.value.key == f"plan_process.{key}"


@pytest.mark.parametrize(
    "frist, moved",
    [
        (date(2026, 12, 25), date(2026, 12, 28)),  # 1. juledag, a Friday
        (date(2026, 12, 26), date(2026, 12, 28)),  # 2. juledag, a Saturday
        (date(2027, 3, 27), date(2027, 3, 30)),  # the Saturday of påske: 2. påskedag follows
        (date(2027, 5, 17), date(2027, 5, 18)),  # grunnlovsdagen, a Monday
        (date(2027, 1, 2), date(2027, 1, 4)),  # a Saturday
    ],
)
def test_a_frist_on_a_weekend_or_public_holiday_moves_to_the_next_working_day(frist, moved):
    result = planprocess.frist(Stage.VARSEL_OM_OPPSTART, local(date(2026, 10, 1), time(0, 0)), local(frist))
    assert result.closes_at == local(moved)
    key, values = result.warnings[0]
    assert key == "plan_process.warn_moved"
    assert values == {"date": frist.strftime("%d.%m.%Y"), "moved": moved.strftime("%d.%m.%Y")}
    assert moved.strftime("%d.%m.%Y") in t(key, "nb", **values)


def test_a_frist_on_a_working_day_is_kept():
    result = planprocess.frist(Stage.VARSEL_OM_OPPSTART, local(date(2026, 9, 1), time(0, 0)), local(date(2026, 10, 6)))
    assert result == planprocess.Frist(local(date(2026, 10, 6)), ())


def test_six_weeks_are_counted_from_the_announcement_and_the_paragraph_is_named():
    result = planprocess.frist(
        Stage.PLANPROGRAM,
        local(date(2026, 9, 1), time(0, 0)),
        local(date(2026, 10, 12)),  # a Monday, 41 days after the kunngjøring
        announced=date(2026, 9, 1),
    )
    assert result.warnings == (("plan_process.warn_short", {"paragraph": "§ 4-1", "earliest": "13.10.2026"}),)
    ok = planprocess.frist(
        Stage.PLANPROGRAM,
        local(date(2026, 9, 1), time(0, 0)),
        local(date(2026, 10, 13)),
        announced=date(2026, 9, 1),
    )
    assert ok.warnings == ()


@pytest.mark.parametrize(
    "opens, closes, season",
    [
        (date(2027, 6, 14), date(2027, 8, 16), "july"),
        (date(2026, 12, 1), date(2027, 1, 15), "christmas"),
        (date(2027, 3, 1), date(2027, 4, 13), "easter"),  # påske 2027: 21.3–29.3
    ],
)
def test_a_period_over_july_christmas_or_easter_warns(opens, closes, season):
    result = planprocess.frist(Stage.OFFENTLIG_ETTERSYN, local(opens, time(0, 0)), local(closes))
    assert (f"plan_process.warn_{season}", {}) in result.warnings


def test_early_medvirkning_keeps_its_dates_without_frist_rules():
    closes = local(date(2026, 12, 25))
    result = planprocess.frist(Stage.IDEFASE, local(date(2026, 12, 1), time(0, 0)), closes)
    assert result == planprocess.Frist(closes, ())
