"""School classes (barnetråkk) in the core: class codes, who manages which class, the
class's own submission budget behind one school address, the < 5 rule, dangerous
crossings, and that nothing from a class is public until a planner publishes it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from consultations.casework import class_results
from consultations.children import classes
from consultations import geo
from consultations.participation import public
from consultations.casework.analysis import Place
from consultations.children.classes import InvalidClass
from consultations.errors import InvalidInput
from consultations.outputs.export import CLASS_PLACES_LAYER, CLASS_ROUTES_LAYER, class_gpkg
from consultations.model import (
    ClassPart,
    InputDraft,
    InputStatus,
    PlaceLabel,
    Role,
    Transport,
)
from consultations.permissions import NotAllowed
from consultations.ratelimit import RateLimiter
from consultations.participation.submission import submit_input
from tests.conftest import NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

SCHOOL_ADDRESS = "10.20.30.40"


def route(*points):
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


# a street across the square, west to east, and one north to south
EAST_WEST = route((10.406, 59.826), (10.412, 59.826), (10.420, 59.826))
NORTH_SOUTH = route((10.414, 59.829), (10.414, 59.823))
CROSSING = (59.82601, 10.41401)  # where the two meet


@pytest.fixture
def teacher(store):
    return staff(store, "lena", Role.TEACHER)


@pytest.fixture
def open_class(store, consultation, teacher):
    return classes.create_class(
        store,
        teacher,
        consultation.id,
        school="Heggedal skole",
        grade="6",
        size=24,
        opens_at=NOW - timedelta(hours=1),
        closes_at=NOW + timedelta(hours=2),
        now=NOW,
    )


def pupil_sends(
    store,
    session,
    n,
    limiter,
    *,
    places=((CROSSING, PlaceLabel.UNSAFE_TRAFFIC, ""),),
    line=EAST_WEST,
):
    for k in range(n):
        pupil = f"pupil-{session.id}-{k}"
        classes.submit_route(store, session, line, Transport.WALK, pupil=pupil, now=NOW, limiter=limiter)
        for (lat, lon), label, text in places:
            classes.submit_place(
                store,
                session,
                lat,
                lon,
                label,
                text,
                pupil=pupil,
                now=NOW,
                limiter=limiter,
            )


# -- codes -------------------------------------------------------------------------------


def test_a_class_code_has_no_look_alike_characters_and_reads_any_case():
    assert not set("0O1IL2Z5S8B6GUVDQ") & set(classes.CODE_ALPHABET)
    codes = {classes.new_code() for _ in range(2000)}
    assert len(codes) > 1950  # 47 million codes: a repeat in two thousand is rare (not impossible)
    assert all(len(c) == classes.CODE_LENGTH and set(c) <= set(classes.CODE_ALPHABET) for c in codes)
    assert classes.normalise_code(" acf-hj k ") == "ACFHJK"


def test_a_new_class_gets_a_unique_code_a_qr_code_of_its_address_and_an_audit_row(store, open_class):
    assert store.class_by_code(open_class.code) == open_class
    assert classes.join_url("https://medvirkning.asker.kommune.no/", open_class.code) == (
        f"https://medvirkning.asker.kommune.no/?klasse={open_class.code}"
    )
    png = classes.qr_png(classes.join_url("http://localhost:8501", open_class.code))
    assert png.startswith(b"\x89PNG")
    entry = store.audit_entries(limit=1)[0]
    assert (entry.actor, entry.action, entry.object_id) == (
        "lena",
        "class.create",
        str(open_class.id),
    )
    assert json.loads(entry.after)["school"] == "Heggedal skole"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"school": "  "}, "classes.school_missing"),
        ({"grade": "11"}, "classes.grade_unknown"),
        ({"size": 0}, "classes.size_range"),
        ({"size": 41}, "classes.size_range"),
        ({"lang": "de"}, "classes.lang_unknown"),
        ({"closes_at": NOW - timedelta(hours=2)}, "classes.period_order"),
        ({"closes_at": NOW + timedelta(days=15)}, "classes.period_long"),
        ({"closes_at": NOW + timedelta(days=31)}, "classes.period_long"),
        ({"opens_at": NOW - timedelta(days=11)}, "classes.period_outside"),
    ],
)
def test_a_class_with_a_wrong_field_is_refused_with_the_reason(store, consultation, teacher, changes, key):
    fields = dict(  # noqa: C408
        school="Heggedal skole",
        grade="vg1",
        size=24,
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=2),
    )
    fields.update(changes)
    with pytest.raises(InvalidClass) as info:
        classes.create_class(store, teacher, consultation.id, now=NOW, **fields)
    assert info.value.key == key
    assert store.class_sessions() == []


def test_a_class_cannot_be_opened_for_a_closed_consultation(store, teacher):
    store.add_consultation(
        make_consultation(
            "gammel",
            closes_at=NOW - timedelta(days=1),
            opens_at=NOW - timedelta(days=50),
        )
    )
    with pytest.raises(InvalidClass) as info:
        classes.create_class(
            store,
            teacher,
            "gammel",
            school="S",
            grade="3",
            size=20,
            opens_at=NOW,
            closes_at=NOW + timedelta(hours=1),
            now=NOW,
        )
    assert info.value.key == "classes.consultation_not_open"


# -- who manages which class -------------------------------------------------------------


def test_roles_rank_teacher_below_planner_below_admin(store):
    teacher, planner, admin = (
        staff(store, n, r) for n, r in (("t", Role.TEACHER), ("p", Role.PLANNER), ("a", Role.ADMIN))
    )
    assert teacher.can(Role.TEACHER) and not teacher.can(Role.PLANNER)
    assert planner.can(Role.TEACHER) and planner.can(Role.PLANNER) and not planner.can(Role.ADMIN)
    assert admin.can(Role.TEACHER)


def test_a_teacher_sees_and_manages_only_their_own_classes_and_staff_all(store, consultation, teacher, open_class):
    other = staff(store, "per", Role.TEACHER)
    theirs = classes.create_class(
        store,
        other,
        consultation.id,
        school="Vollen skole",
        grade="4",
        size=20,
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=1),
        now=NOW,
    )
    assert classes.classes_of(store, teacher) == [open_class]
    assert classes.classes_of(store, other) == [theirs]
    with pytest.raises(NotAllowed):
        classes.close_class(store, other, open_class.id, now=NOW)
    assert store.class_session(open_class.id).closed_at is None
    planner = staff(store, "kari", Role.PLANNER)
    assert {s.id for s in classes.classes_of(store, planner)} == {
        open_class.id,
        theirs.id,
    }
    closed = classes.close_class(store, planner, theirs.id, now=NOW)
    assert closed.closed_at == NOW
    assert store.audit_entries(limit=1)[0].action == "class.close"


def test_only_a_planner_publishes_a_classs_result(store, teacher, open_class):
    with pytest.raises(NotAllowed):
        classes.publish_class(store, teacher, open_class.id, now=NOW)
    planner = staff(store, "kari", Role.PLANNER)
    assert classes.publish_class(store, planner, open_class.id, now=NOW).published
    assert store.audit_entries(limit=1)[0].action == "class.publish"
    assert not classes.publish_class(store, planner, open_class.id, publish=False).published


def test_a_teacher_cannot_read_the_pupils_inputs_only_counts(store, consultation, teacher, open_class):
    pupil_sends(store, open_class, 3, RateLimiter())
    assert classes.progress(store, teacher)[open_class.id] == (3, 3, 3)
    with pytest.raises(NotAllowed):
        classes.results_frame(store, teacher, consultation.id)


# -- pupils: the code, the steps ---------------------------------------------------------


def test_a_pupil_finds_an_open_class_by_its_code_in_any_case(store, open_class):
    found = classes.find_class(store, open_class.code.lower(), session="s1", now=NOW, limiter=RateLimiter())
    assert found.id == open_class.id


@pytest.mark.parametrize(
    ("when", "key"),
    [
        (NOW - timedelta(hours=2), "classes.not_open_yet"),
        (NOW + timedelta(hours=3), "classes.closed"),
    ],
)
def test_a_class_outside_its_period_says_so(store, open_class, when, key):
    with pytest.raises(InvalidInput) as info:
        classes.find_class(store, open_class.code, session="s1", now=when, limiter=RateLimiter())
    assert info.value.key == key


def test_a_class_the_teacher_closed_takes_nothing_more(store, teacher, open_class):
    classes.close_class(store, teacher, open_class.id, now=NOW)
    with pytest.raises(InvalidInput) as info:
        classes.submit_route(
            store,
            open_class,
            EAST_WEST,
            "walk",
            pupil="p",
            now=NOW,
            limiter=RateLimiter(),
        )
    assert info.value.key == "classes.closed"


def test_guessing_codes_is_stopped_after_a_few_wrong_ones(store, open_class):
    limiter = RateLimiter(clock=lambda: 0.0)
    for _ in range(classes.GUESS_PER_SESSION.burst):
        with pytest.raises(InvalidInput) as info:
            classes.find_class(store, "AAAAAA", session="guesser", now=NOW, limiter=limiter)
        assert info.value.key == "classes.code_unknown"
    with pytest.raises(InvalidInput) as info:  # even the right code, for a while
        classes.find_class(store, open_class.code, session="guesser", now=NOW, limiter=limiter)
    assert info.value.key == "classes.too_many_tries"
    # a pupil who typed it right in another session is not affected
    assert classes.find_class(store, open_class.code, session="pupil", now=NOW, limiter=limiter).id == open_class.id


def test_a_route_is_stored_as_an_input_with_its_drawing_transport_and_class(store, consultation, open_class):
    stored = classes.submit_route(store, open_class, EAST_WEST, "bike", pupil="p1", now=NOW, limiter=RateLimiter())
    assert stored.drawing is not None and 700 < stored.measure < 900
    frame = store.class_frame(consultation.id)
    row = frame.iloc[0]
    assert (row["class_id"], row["part"], row["transport"], row["grade"]) == (
        open_class.id,
        "school",
        "bike",
        "6",
    )


def test_the_same_route_sent_twice_is_stored_once_and_a_second_school_route_is_refused(store, open_class):
    limiter = RateLimiter()
    first = classes.submit_route(store, open_class, EAST_WEST, "walk", pupil="p1", now=NOW, limiter=limiter)
    again = classes.submit_route(store, open_class, EAST_WEST, "walk", pupil="p1", now=NOW, limiter=limiter)
    assert again.id == first.id
    with pytest.raises(InvalidInput) as info:
        classes.submit_route(store, open_class, NORTH_SOUTH, "walk", pupil="p1", now=NOW, limiter=limiter)
    assert info.value.key == "classes.route_sent_school"
    activity = classes.submit_route(
        store, open_class, NORTH_SOUTH, "bus", pupil="p1", part=ClassPart.ACTIVITY, now=NOW, limiter=limiter
    )
    assert activity.id != first.id


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ((59.826, 10.414, "scary", ""), "classes.label_missing"),
        ((59.90, 10.60, "safe", ""), "classes.place_outside"),
        ((59.826, 10.414, "safe", "x" * 201), "classes.text_long"),
        (("nord", 10.414, "safe", ""), "input.bad_coordinates"),
    ],
)
def test_a_wrong_place_is_refused_with_a_reason(store, open_class, args, key):
    with pytest.raises(InvalidInput) as info:
        classes.submit_place(store, open_class, *args, pupil="p1", now=NOW, limiter=RateLimiter())
    assert info.value.key == key


def test_a_route_without_transport_is_refused(store, open_class):
    with pytest.raises(InvalidInput) as info:
        classes.submit_route(
            store,
            open_class,
            EAST_WEST,
            "jetpack",
            pupil="p1",
            now=NOW,
            limiter=RateLimiter(),
        )
    assert info.value.key == "classes.transport_missing"


def test_a_pupil_marks_at_most_ten_places(store, open_class):
    limiter = RateLimiter()
    for k in range(classes.PLACES_PER_PUPIL):
        classes.submit_place(
            store,
            open_class,
            59.823 + k * 0.0005,
            10.41,
            "nice",
            "",
            pupil="p1",
            now=NOW,
            limiter=limiter,
        )
    with pytest.raises(InvalidInput) as info:
        classes.submit_place(
            store,
            open_class,
            59.829,
            10.41,
            "nice",
            "",
            pupil="p1",
            now=NOW,
            limiter=limiter,
        )
    assert info.value.key == "classes.places_full"


# -- one school address ------------------------------------------------------------------


def test_thirty_pupils_from_one_address_all_get_through_and_the_address_budget_is_untouched(
    store, consultation, teacher
):
    session = classes.create_class(
        store,
        teacher,
        consultation.id,
        school="Heggedal skole",
        grade="5",
        size=30,
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=1),
        now=NOW,
    )
    limiter = RateLimiter(clock=lambda: 0.0)  # all at the same instant
    same = (
        (CROSSING, PlaceLabel.SAFE, ""),
        ((59.8245, 10.41), PlaceLabel.NICE, ""),
        ((59.8285, 10.419), PlaceLabel.SAFE, ""),
    )
    pupil_sends(store, session, 30, limiter, places=same)  # the same label, no text, 30 times
    frame = store.class_frame(consultation.id)
    assert len(frame) == 30 * 4 and frame["pupil"].nunique() == 30
    # the ordinary address budget of that school address is still whole for residents
    draft = InputDraft(
        category=consultation.categories[0],
        text="Et innspill fra skolen",
        lat=59.826,
        lon=10.414,
    )
    assert submit_input(
        store,
        consultation.id,
        draft,
        session="teacher-browser",
        address=SCHOOL_ADDRESS,
        now=NOW,
        limiter=limiter,
    )


def test_a_class_budget_is_sized_by_the_class_and_bounded(store, consultation, teacher):
    small = classes.create_class(
        store,
        teacher,
        consultation.id,
        school="Liten skole",
        grade="3",
        size=2,
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=1),
        now=NOW,
    )
    limiter = RateLimiter(clock=lambda: 0.0)
    budget = classes.class_budget(small).burst
    assert budget == 2 * classes.PER_PUPIL
    sent = 0
    with pytest.raises(InvalidInput) as info:  # a leaked code: many "pupils" from a script
        for k in range(100):
            classes.submit_place(
                store,
                small,
                59.823 + (k % 10) * 0.0006,
                10.41,
                "safe",
                str(k),
                pupil=f"bot-{k}",
                now=NOW,
                limiter=limiter,
            )
            sent += 1
    assert info.value.key == "classes.busy"
    assert sent == budget


# -- what planners see: the < 5 rule, crossings, density -----------------------------------


def test_a_class_of_fewer_than_five_pupils_is_shown_only_in_the_totals(store, consultation, teacher, open_class):
    small = classes.create_class(
        store,
        teacher,
        consultation.id,
        school="Liten skole",
        grade="2",
        size=4,
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=1),
        now=NOW,
    )
    limiter = RateLimiter()
    pupil_sends(store, open_class, 6, limiter)
    pupil_sends(store, small, 4, limiter)
    frame = class_results.counted(store.class_frame(consultation.id))
    sessions = store.class_sessions(consultation.id)
    assert [s.id for s in class_results.shown_alone(frame, sessions)] == [open_class.id]
    assert class_results.grades_shown(frame) == ["6"]
    total = class_results.summary(frame)
    assert total.pupils == 10 and total.routes == 10
    alone = class_results.summary(class_results.select(frame, grade="2"))
    assert dict(alone.by_transport)["walk"] == "< 5"
    assert dict(total.by_grade) == {"2": "< 5", "6": 6}


def test_unsafe_marks_close_together_are_one_crossing_named_by_the_nearest_place(store, consultation, open_class):
    limiter = RateLimiter()
    for k in range(7):  # seven pupils, each one mark within ~20 m of the crossing
        pupil = f"p{k}"
        lat = CROSSING[0] + (k % 3) * 0.0001
        label = PlaceLabel.UNSAFE_TRAFFIC if k < 5 else PlaceLabel.UNSAFE_DARK
        classes.submit_place(
            store,
            open_class,
            lat,
            CROSSING[1],
            label,
            "",
            pupil=pupil,
            now=NOW,
            limiter=limiter,
        )
    classes.submit_place(
        store,
        open_class,
        59.8235,
        10.4075,
        "unsafe_people",
        "",
        pupil="p0",
        now=NOW,
        limiter=limiter,
    )
    classes.submit_place(
        store,
        open_class,
        59.8290,
        10.4200,
        "safe",
        "",
        pupil="p1",
        now=NOW,
        limiter=limiter,
    )
    east, north = geo.to_working_crs(10.4141, 59.8262)
    places = [Place("Borgen", "tettsted", 59.8262, 10.4141, east, north)]
    found = class_results.crossings(store.class_frame(consultation.id), places)
    assert [(c.pupils, c.marks) for c in found] == [
        (7, 7),
        (1, 1),
    ]  # «trygt» is no danger
    assert found[0].reasons == (("unsafe_traffic", 5), ("unsafe_dark", 2))
    assert found[0].place == "Borgen" and found[0].place_distance_m < 40


def test_route_density_counts_each_pupils_route_once_per_50_m_cell(store, consultation, open_class):
    limiter = RateLimiter()
    wiggle = route((10.406, 59.826), (10.4061, 59.82601), (10.406, 59.826), (10.420, 59.826))
    classes.submit_route(store, open_class, EAST_WEST, "walk", pupil="p1", now=NOW, limiter=limiter)
    classes.submit_route(store, open_class, wiggle, "bike", pupil="p2", now=NOW, limiter=limiter)
    classes.submit_place(store, open_class, *CROSSING, "safe", "", pupil="p1", now=NOW, limiter=limiter)
    cells = class_results.route_density(store.class_frame(consultation.id))
    assert cells["count"].max() == 2 and cells["count"].min() >= 1
    assert 15 <= len(cells) <= 25  # about 780 m across 50 m cells (a line on a cell edge touches two rows)
    assert len(class_results.route_density(store.class_frame(consultation.id), minimum=3)) == 0


def test_a_hidden_pupil_input_is_not_counted(store, consultation, open_class):
    stored = classes.submit_place(
        store,
        open_class,
        59.826,
        10.414,
        "dull",
        "stygt",
        pupil="p",
        now=NOW,
        limiter=RateLimiter(),
    )
    planner = staff(store, "kari", Role.PLANNER)
    store.set_input_status([stored.id], InputStatus.HIDDEN, planner.username, "Tull")
    assert len(classes.results_frame(store, planner, consultation.id)) == 0


# -- nothing public until published ------------------------------------------------------


def test_pupils_inputs_are_never_among_the_consultations_public_or_review_inputs(store, consultation, open_class):
    pupil_sends(
        store,
        open_class,
        6,
        RateLimiter(),
        places=((CROSSING, PlaceLabel.SAFE, "Ring meg på 98765432"),),
    )
    assert public.inputs(store, consultation.id, "nb") == []
    assert public.map_points(store, consultation.id, "nb") == []
    assert store.count_published(consultation.id) == 0
    assert len(store.analysis_frame(consultation.id)) == 0
    assert store.all_inputs(consultation.id) == []
    assert store.listings()[0].published_inputs == 0


def test_the_public_sees_a_classs_summary_only_once_published_and_never_a_small_one(
    store, consultation, teacher, open_class
):
    limiter = RateLimiter()
    pupil_sends(store, open_class, 4, limiter)
    planner = staff(store, "kari", Role.PLANNER)
    assert public.class_result(store, consultation.id) is None  # not published
    classes.publish_class(store, planner, open_class.id, now=NOW)
    assert public.class_result(store, consultation.id) is None  # 4 pupils: too few to show
    for k in range(4, 6):
        pupil = f"late-{k}"
        classes.submit_route(store, open_class, EAST_WEST, "walk", pupil=pupil, now=NOW, limiter=limiter)
        classes.submit_place(
            store,
            open_class,
            *CROSSING,
            "unsafe_traffic",
            "",
            pupil=pupil,
            now=NOW,
            limiter=limiter,
        )
    classes.submit_route(store, open_class, NORTH_SOUTH, "walk", pupil="alone", now=NOW, limiter=limiter)
    result = public.class_result(store, consultation.id)
    assert result is not None and result.classes == 1 and result.summary.pupils == 7
    assert (result.routes["count"] >= 5).all() and len(result.routes)
    # the north–south street one pupil walks is in no public cell of its own
    x, _ = geo.to_working_crs(10.414, 59.8285)
    assert not (
        (abs(result.routes["east"] - x) < 25) & (result.routes["north"] > geo.to_working_crs(10.414, 59.8275)[1])
    ).any()
    assert [c.pupils for c in result.crossings] == [6]


# -- exports -------------------------------------------------------------------------------


def test_the_classes_geopackage_has_routes_and_places_in_euref89_utm32_with_masked_text(
    store, consultation, open_class, tmp_path
):
    import pyogrio

    pupil_sends(
        store,
        open_class,
        2,
        RateLimiter(),
        places=((CROSSING, PlaceLabel.UNSAFE_DARK, "Ring 98765432 om kvelden"),),
    )
    data = class_gpkg(store.class_frame(consultation.id))
    path = tmp_path / "klasser.gpkg"
    path.write_bytes(data)
    assert {name for name, _ in pyogrio.list_layers(path)} == {
        CLASS_ROUTES_LAYER,
        CLASS_PLACES_LAYER,
    }
    routes = pyogrio.read_dataframe(path, layer=CLASS_ROUTES_LAYER)
    places = pyogrio.read_dataframe(path, layer=CLASS_PLACES_LAYER)
    assert routes.crs.to_epsg() == 25832 and places.crs.to_epsg() == 25832
    assert list(routes["reisemate"]) == ["Gå", "Gå"] and routes.geometry.iloc[0].geom_type == "LineString"
    assert 560_000 < places.geometry.iloc[0].x < 600_000  # metres east in UTM 32, not degrees
    assert "98765432" not in " ".join(places["tekst"]) and list(places["merkelapp"]) == ["Utrygt: mørkt"] * 2


# -- the medvirkningsrapport ---------------------------------------------------------------


def test_the_medvirkningsrapport_has_a_section_on_the_published_classes(store, consultation, teacher, open_class):
    import io

    from docx import Document

    from consultations.config import load_profile
    from consultations.outputs.medvirkningsrapport import build_medvirkning_report
    from tests.conftest import docx_text

    small = classes.create_class(
        store,
        teacher,
        consultation.id,
        school="Liten skole",
        grade="2",
        size=3,
        opens_at=NOW,
        closes_at=NOW + timedelta(hours=1),
        now=NOW,
    )
    limiter = RateLimiter()
    pupil_sends(store, open_class, 7, limiter)
    pupil_sends(store, small, 3, limiter)
    report = lambda: build_medvirkning_report(
        store, consultation.id, profile=load_profile("asker"), tiles=None, now=NOW
    )
    text = docx_text(Document(io.BytesIO(report())))
    assert "Barn og unges medvirkning" in text
    assert "2 klasser er ikke publisert av saksbehandler ennå" in text and "Heggedal skole" not in text
    planner = staff(store, "kari", Role.PLANNER)
    for session in (open_class, small):
        classes.publish_class(store, planner, session.id, now=NOW)
    document = Document(io.BytesIO(report()))
    text = docx_text(document)
    assert "Heggedal skole, 6. trinn" in text and "Liten skole" not in text  # 3 pupils: only in the totals
    assert "1 klasse med færre enn 5 elever er bare med i totalen" in text
    assert "Hvor barna går og sykler" in text and "Farlige steder flest elever nevnte" in text
    section = text[text.index("Barn og unges medvirkning") :]
    assert "Utrygt: trafikk" in section and "Borgen" in section
    assert len(document.inline_shapes) == 6  # four charts, the inputs' map and the children's map


def test_place_heat_of_a_class_with_routes_but_no_places_is_empty():
    # the teachers' results page crashed here (a list where a frame belongs) before any place
    import pandas as pd

    from consultations.casework import class_results

    frame = pd.DataFrame(
        {"part": ["route"], "label": [None], "east": [None], "north": [None], "lat": [None], "lon": [None]}
    )
    cells = class_results.place_heat(frame)
    assert cells.empty and "count" in cells.columns
