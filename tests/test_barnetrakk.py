"""Children's mode after Barnetråkk: play / hang-out places with season and company, places
avoided with a reason, the wished travel mode; a class session with a grade-3 and a
grade-9 class gives each teacher a one-page summary of their class (the < 5 rule), a
printable class map with the teacher's guide for the grade band, the export documented
field by field, and a paragraph the merknadsbehandling and planbeskrivelse can cite."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document

from consultations.children import barnetrakk, classes
from consultations.outputs import barnetrakk_print
from consultations.config import load_profile
from consultations.errors import InvalidInput
from consultations.model import (
    AvoidReason,
    ClassPart,
    Company,
    Role,
    Season,
    Transport,
)
from consultations.permissions import NotAllowed
from consultations.ratelimit import RateLimiter
from consultations.outputs.merknadsbehandling import build_report
from tests.conftest import NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

EAST_WEST = {"type": "LineString", "coordinates": [[10.406, 59.826], [10.412, 59.826], [10.420, 59.826]]}
PLAYGROUND = (59.8270, 10.4120)
ROAD = (59.8250, 10.4150)
DOC = Path(__file__).resolve().parent.parent / "docs" / "barnetrakk-export.md"


@pytest.fixture
def school(store):
    """A consultation with a grade-3 class (6 pupils) and a grade-9 class (7 pupils), each
    with its own teacher; every pupil draws the way to school, marks a play place and a
    place they avoid, and says how they would like to travel; a third class of 3 pupils."""
    c = make_consultation("skole")
    store.add_consultation(c)
    limiter = RateLimiter()
    made = {}
    for name, grade, n, travel, wish in (
        ("ina", "3", 6, Transport.CAR, Transport.BIKE),
        ("ola", "9", 7, Transport.WALK, Transport.WALK),
        ("per", "9", 3, Transport.BUS, Transport.BUS),
    ):
        teacher = staff(store, name, Role.TEACHER)
        session = classes.create_class(
            store,
            teacher,
            c.id,
            school="Vardåsen skole",
            grade=grade,
            size=30,
            opens_at=NOW - timedelta(hours=1),
            closes_at=NOW + timedelta(hours=2),
            now=NOW,
        )
        for k in range(n):
            pupil = f"{name}-{k}"
            classes.submit_route(store, session, EAST_WEST, travel, pupil=pupil, now=NOW, limiter=limiter)
            barnetrakk.submit_registration(
                store,
                session,
                ClassPart.PLAY,
                *PLAYGROUND,
                season=Season.WINTER if k < 2 else Season.SUMMER,
                company=Company.FRIENDS,
                pupil=pupil,
                now=NOW,
                limiter=limiter,
            )
            barnetrakk.submit_registration(
                store,
                session,
                ClassPart.AVOID,
                *ROAD,
                reason=AvoidReason.TRAFFIC,
                text="Bilene kjører fort",
                pupil=pupil,
                now=NOW,
                limiter=limiter,
            )
            barnetrakk.submit_wish(store, session, wish, pupil=pupil, now=NOW, limiter=limiter)
        made[grade if name != "per" else "small"] = (teacher, session)
    return c, made


def test_a_play_place_needs_a_season_and_company_and_an_avoided_place_a_reason(store, school):
    _c, made = school
    _teacher, session = made["3"]
    for kwargs, key in (
        ({"part": ClassPart.PLAY, "company": Company.ALONE}, "barnetrakk.season_missing"),
        ({"part": ClassPart.PLAY, "season": Season.SUMMER}, "barnetrakk.company_missing"),
        ({"part": ClassPart.AVOID}, "barnetrakk.reason_missing"),
        ({"part": ClassPart.PLACE, "reason": "traffic"}, "barnetrakk.kind_missing"),
        ({"part": "nonsense"}, "barnetrakk.kind_missing"),
    ):
        part = kwargs.pop("part")
        with pytest.raises(InvalidInput) as err:
            barnetrakk.submit_registration(store, session, part, *PLAYGROUND, pupil="new", now=NOW, **kwargs)
        assert err.value.key == key
    with pytest.raises(InvalidInput) as err:
        barnetrakk.submit_wish(store, session, Transport.BUS, pupil="ina-0", now=NOW)
    assert err.value.key == "barnetrakk.wish_sent"


def test_registrations_are_stored_with_their_details_and_are_no_routes(store, school):
    c, made = school
    rows = barnetrakk.frame(store, c.id)
    grade3 = rows[rows["class_id"] == made["3"][1].id]
    play = grade3[grade3["part"] == "play"]
    assert sorted(play["season"]) == ["summer"] * 4 + ["winter"] * 2
    assert set(grade3.loc[grade3["part"] == "avoid", "reason"]) == {"traffic"}
    assert set(grade3.loc[grade3["part"] == "wish", "wished"]) == {"bike"}
    from consultations.casework import class_results

    assert class_results.summary(grade3).routes == 6  # play, avoid and wish are no routes
    teacher, session = made["3"]
    assert classes.progress(store, teacher)[session.id] == (6, 6, 0)  # pupils, routes, labelled places


def test_each_teacher_gets_a_summary_of_their_own_class_only_under_the_small_group_rule(store, school):
    _c, made = school
    teacher3, session3 = made["3"]
    teacher9, session9 = made["9"]
    s3 = barnetrakk.class_summary(store, teacher3, session3.id)
    assert (s3.pupils, s3.grade, s3.play, s3.avoid) == (6, "3", 6, 6)
    assert dict(s3.travel)["car"] == 6 and dict(s3.wished)["bike"] == 6
    assert dict(s3.play_season) == {"summer": "< 5", "winter": "< 5", "all_year": 0}
    s9 = barnetrakk.class_summary(store, teacher9, session9.id)
    assert dict(s9.travel)["walk"] == 7 and dict(s9.play_season)["summer"] == 5
    with pytest.raises(NotAllowed):
        barnetrakk.class_summary(store, teacher3, session9.id)
    small_teacher, small = made["small"]
    with pytest.raises(barnetrakk.TooFewPupils):
        barnetrakk.class_summary(store, small_teacher, small.id)


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_class_summary_is_one_page_of_that_class(store, school, tmp_path):
    _c, made = school
    teacher, session = made["9"]
    data = barnetrakk_print.class_summary_pdf(store, teacher, session.id, None, "nb")
    assert data.startswith(b"%PDF")
    text = _pdf_text(data, tmp_path)
    assert text.count("\f") <= 1  # one page
    assert "Dette sa klassen deres" in text and "9. trinn" in text and "7 elever" in text


def test_the_printable_class_map_has_the_guide_for_the_grade_band(store, school, tmp_path):
    _c, made = school
    young = _pdf_text(barnetrakk_print.class_map_pdf(store, made["3"][0], made["3"][1].id, None, "nb"), tmp_path)
    older = _pdf_text(barnetrakk_print.class_map_pdf(store, made["9"][0], made["9"][1].id, None, "nb"), tmp_path)
    assert "1.–4. trinn" in young and "Grønn ring" in young and made["3"][1].code in young
    assert "5.–10. trinn" in older and "§ 5-1" in older
    with pytest.raises(NotAllowed):
        barnetrakk_print.class_map_pdf(store, made["3"][0], made["9"][1].id, None, "nb")


def test_the_export_has_every_registration_of_classes_of_five_or_more_and_every_field_documented(store, school):
    c, made = school
    planner = staff(store)
    data = barnetrakk.export_features(store, planner, c.id)
    features = data["features"]
    classes_in = {f["properties"]["klasse"] for f in features}
    assert classes_in == {made["3"][1].id, made["9"][1].id}  # the class of three is left out
    kinds = {f["properties"]["registreringstype"] for f in features}
    assert kinds == {"skolevei", "lek_og_opphold", "unngaar", "onsket_reisemate"}
    assert len(features) == (6 + 7) * 4
    play = next(f for f in features if f["properties"]["registreringstype"] == "lek_og_opphold")
    assert play["geometry"]["type"] == "Point" and play["properties"]["sammen_med"] == "friends"
    assert {f["properties"]["trinngruppe"] for f in features} == {"1-4", "5-10"}
    assert "elev" not in play["properties"]  # a route and a place are never linked
    documented = DOC.read_text(encoding="utf-8")
    for field in play["properties"]:
        assert f"`{field}`" in documented, field
    for kind in barnetrakk.BARNETRAKK_TYPE.values():
        assert f"`{kind}`" in documented, kind
    with pytest.raises(NotAllowed):
        barnetrakk.export_features(store, made["3"][0], c.id)
    assert store.audit_entries(text="consultation.export")[0].after.startswith('{"format": "barnetrakk.geojson"')


def test_the_merknadsbehandling_cites_the_published_classes_with_figures(store, school):
    c, made = school
    planner = staff(store)
    assert barnetrakk.citation(store, c.id) is None  # nothing published
    profile = load_profile("asker")
    doc = Document(io.BytesIO(build_report(store, c.id, include_names=False, profile=profile)))
    assert "Barn og unges medvirkning" not in "\n".join(p.text for p in doc.paragraphs)
    for grade in ("3", "9", "small"):
        classes.publish_class(store, planner, made[grade][1].id, now=NOW)
    text = barnetrakk.citation(store, c.id)
    assert "16 elever i 3 klasser (3. trinn, 9. trinn)" in text
    assert "16 steder de unngår" in text and "0 steder de opplever som utrygge" in text
    assert "44 % går eller sykler" in text and "81 % vil helst gå eller sykle" in text
    assert "Trafikk" in text
    doc = Document(io.BytesIO(build_report(store, c.id, include_names=False, profile=profile)))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Barn og unges medvirkning" in body and "§ 5-1 andre ledd" in body and text in body
    from consultations.outputs.medvirkningsrapport import build_medvirkning_report

    report = Document(io.BytesIO(build_medvirkning_report(store, c.id, profile=profile, tiles=None)))
    assert text in "\n".join(p.text for p in report.paragraphs)  # the medvirkningsrapport says the same
