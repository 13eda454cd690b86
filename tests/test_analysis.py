"""Planners' summaries against small cases computed by hand."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from pyproj import Transformer

from consultations.casework import analysis
from consultations import geo
from consultations.casework.analysis import SMALL_LABEL, Place
from consultations.model import Channel, InputDraft, Outcome, Response, SenderType
from consultations.participation.submission import register_input, submit_input
from tests.conftest import INSIDE, NOW, staff

_TO_WGS84 = Transformer.from_crs(25832, 4326, always_xy=True)
DAY = datetime(2026, 11, 20, 12, 0)  # naive UTC, as the store gives it


def inputs(*rows: dict) -> pd.DataFrame:
    """A frame shaped like ``Store.analysis_frame``; each row names what differs."""
    records = []
    for k, row in enumerate(rows, start=1):
        record = dict(
            id=k,
            created_at=DAY,
            category="Annet",
            text=f"Innspill {k}",
            status="published",
            channel="web",
            lat=None,
            lon=None,
            east=None,
            north=None,
            age_group=None,
            relation=None,
            answers="{}",
            sender_type=None,
            sender_name=None,
            session_hash=f"s{k}",
            hidden_reason=None,
            duplicate_of=None,
            supports=0,
            tags=[],
            response_summary=None,
            assessment=None,
            outcome=None,
            plan_change=None,
            response_author=None,
        )
        if "east" in row:
            lon, lat = _TO_WGS84.transform(row["east"], row["north"])
            record.update(lat=lat, lon=lon)
        record.update(row)
        records.append(record)
    return pd.DataFrame(records)


def at(east: float, north: float, **row) -> dict:
    return dict(east=east, north=north, **row)


# -- filters -----------------------------------------------------------------------------


def test_filters_combine_status_category_channel_text_location_and_answered():
    frame = inputs(
        dict(status="published", category="Trafikk", text="Farlig kryss ved SKOLEN"),
        dict(status="hidden", category="Trafikk", text="farlig kryss"),
        dict(status="published", category="Annet", channel="letter", text="Brev om skolen"),
        at(579000, 6632700, status="pending", category="Trafikk", text="Skoleveien", outcome="tatt_til_folge"),
    )
    ids = lambda f: sorted(f["id"])  # noqa: E731
    assert ids(analysis.filter_frame(frame)) == [1, 2, 3, 4]
    assert ids(analysis.filter_frame(frame, statuses=["published", "pending"])) == [1, 3, 4]
    assert ids(analysis.filter_frame(frame, categories=["Trafikk"], channels=[Channel.WEB])) == [1, 2, 4]
    assert ids(analysis.filter_frame(frame, text=" skolen ")) == [1, 3]
    assert ids(analysis.filter_frame(frame, has_location=True)) == [4]
    assert ids(analysis.filter_frame(frame, has_location=False)) == [1, 2, 3]
    assert ids(analysis.filter_frame(frame, responded=True)) == [4]
    assert ids(analysis.filter_frame(frame, responded=False, text="kryss")) == [1, 2]


def test_the_text_filter_finds_a_merknad_by_its_reference_or_its_senders_name():
    frame = inputs(
        dict(text="Om kaia"),
        dict(text="Om turstien", sender_name="Statens vegvesen"),
        *[dict(text="Om skoleveien") for _ in range(3, 13)],
    )
    ids = lambda f: sorted(f["id"])  # noqa: E731
    assert ids(analysis.filter_frame(frame, text="KI-000012")) == [12]
    assert ids(analysis.filter_frame(frame, text="ki-12")) == [12]
    assert ids(analysis.filter_frame(frame, text="12")) == [12]  # no text holds «12»
    assert ids(analysis.filter_frame(frame, text="vegvesen")) == [2]
    assert ids(analysis.filter_frame(frame, text="KI-000099")) == []


def test_date_filter_uses_norwegian_local_dates_with_both_ends_included():
    frame = inputs(
        dict(created_at=datetime(2026, 11, 19, 22, 59)),  # 23:59 on the 19th in Oslo
        dict(created_at=datetime(2026, 11, 19, 23, 0)),  # midnight: the 20th in Oslo
        dict(created_at=datetime(2026, 11, 21, 22, 59)),  # 23:59 on the 21st
        dict(created_at=datetime(2026, 11, 21, 23, 0)),  # the 22nd
    )
    chosen = analysis.filter_frame(frame, date_from=date(2026, 11, 20), date_to=date(2026, 11, 21))
    assert list(chosen["id"]) == [2, 3]
    assert list(analysis.filter_frame(frame, date_to=date(2026, 11, 19))["id"]) == [1]


# -- counts ------------------------------------------------------------------------------


def test_totals_count_each_session_once_and_an_input_without_session_alone():
    frame = inputs(
        dict(session_hash="a", supports=2),
        dict(session_hash="a", supports=0),
        at(579000, 6632700, session_hash="b", supports=5),
        dict(session_hash=None, channel="letter"),
        dict(session_hash=None, channel="email"),
    )
    got = analysis.totals(frame)
    assert got.inputs == 5
    assert got.sessions == 4  # a, b and two letters / e-mails
    assert got.supports == 7
    assert got.with_location == 1 and got.share == pytest.approx(0.2)
    assert got.by_channel == {"web": 3, "email": 1, "letter": 1}
    assert list(got.by_channel) == ["web", "email", "letter"]  # Channel order


def test_totals_of_no_inputs_are_zero():
    got = analysis.totals(inputs().reindex(columns=inputs({}).columns))
    assert (got.inputs, got.sessions, got.supports, got.with_location) == (0, 0, 0, 0)
    assert got.share == 0.0 and got.by_channel == {}


def test_per_category_follows_the_consultation_order_with_zeros_and_strays_last():
    frame = inputs(
        dict(category="Annet", supports=1),
        dict(category="Trafikk", supports=2),
        dict(category="Trafikk", supports=3),
        dict(category="Utgått kategori"),
    )
    got = analysis.per_category(frame, ["Trafikk", "Grønt", "Annet"])
    assert got.to_dict("list") == {
        "category": ["Trafikk", "Grønt", "Annet", "Utgått kategori"],
        "inputs": [2, 0, 1, 1],
        "supports": [5, 0, 1, 0],
    }


def test_per_category_without_an_order_puts_most_inputs_first():
    frame = inputs(dict(category="B"), dict(category="C"), dict(category="C"), dict(category="A"))
    assert analysis.per_category(frame)["category"].tolist() == ["C", "A", "B"]


def test_per_day_lists_every_local_day_of_the_period_with_zeros():
    frame = inputs(
        dict(created_at=datetime(2026, 11, 19, 23, 30)),  # the 20th in Oslo
        dict(created_at=datetime(2026, 11, 20, 10, 0)),
        dict(created_at=datetime(2026, 11, 22, 8, 0)),
        dict(created_at=datetime(2026, 12, 5, 8, 0)),  # after the period: left out
    )
    got = analysis.per_day(frame, date(2026, 11, 19), date(2026, 11, 23))
    assert got["day"].tolist() == [date(2026, 11, d) for d in range(19, 24)]
    assert got["inputs"].tolist() == [0, 2, 0, 1, 0]


def test_per_day_without_a_period_spans_the_first_to_the_last_input():
    frame = inputs(dict(created_at=datetime(2026, 11, 22, 8)), dict(created_at=datetime(2026, 11, 20, 8)))
    got = analysis.per_day(frame)
    assert got["day"].tolist() == [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]
    assert got["inputs"].tolist() == [1, 0, 1]
    assert analysis.per_day(frame.iloc[:0]).empty


# -- where -------------------------------------------------------------------------------


def test_density_puts_each_located_input_in_its_square_cell():
    frame = inputs(
        at(578_750.0, 6_632_500.0),  # the cell's lower-left corner belongs to it
        at(578_999.9, 6_632_749.9),  # the same 250 m cell
        at(579_000.0, 6_632_600.0),  # the next cell east
        dict(),  # no location
    )
    got = analysis.density(frame, cell_m=250)
    cells = {(row.east, row.north): row.count for row in got.itertuples()}
    assert cells == {(578_875.0, 6_632_625.0): 2, (579_125.0, 6_632_625.0): 1}
    centre = got[got["count"] == 2].iloc[0]
    assert geo.to_working_crs(centre["lon"], centre["lat"]) == pytest.approx((578_875.0, 6_632_625.0), abs=0.01)
    assert analysis.density(frame, cell_m=2000)["count"].tolist() == [3]


def _borgen() -> Place:
    return next(p for p in analysis.load_places() if p.name == "Borgen")


def test_places_are_read_with_their_metres():
    borgen = _borgen()
    assert (borgen.lat, borgen.lon, borgen.kind) == (59.8261, 10.4139, "tettsted")
    assert (borgen.east, borgen.north) == geo.to_working_crs(10.4139, 59.8261)
    assert len(analysis.load_places()) == 24


def test_hotspot_has_size_main_categories_and_nearest_place():
    borgen = _borgen()
    e, n = borgen.east + 100, borgen.north  # cluster centre 100 m east of Borgen
    near = [(-20, 0), (20, 0), (0, -20), (0, 20), (-10, 10), (10, -10)]
    categories = ["Trafikk", "Trafikk", "Trafikk", "Grønt", "Grønt", "Annet"]
    rows = [at(e + dx, n + dy, category=c) for (dx, dy), c in zip(near, categories, strict=True)]
    rows += [at(e + 3000 + 15 * k, n, category="Annet") for k in range(4)]  # 4: too few
    rows += [at(e - 5000, n - 5000)]  # alone
    rows += [dict(category="Annet")]  # no location
    got = analysis.hotspots(inputs(*rows), analysis.load_places(), radius_m=200, min_size=5)
    assert len(got) == 1
    spot = got[0]
    assert spot.size == 6 and spot.input_ids == (1, 2, 3, 4, 5, 6)
    assert spot.categories == (("Trafikk", 3), ("Grønt", 2), ("Annet", 1))
    assert spot.place == "Borgen" and spot.place_distance_m == 100
    assert (spot.east, spot.north) == pytest.approx((e, n))
    assert geo.to_working_crs(spot.lon, spot.lat) == pytest.approx((e, n), abs=0.01)


def test_hotspots_apart_are_separate_and_the_largest_comes_first():
    places = [Place("Her", "annet", 0, 0, 500_000.0, 6_600_000.0)]
    rows = [at(500_000 + 10 * k, 6_600_000) for k in range(5)]
    rows += [at(502_000 + 10 * k, 6_600_000) for k in range(7)]
    got = analysis.hotspots(inputs(*rows), places, radius_m=200, min_size=5)
    assert [h.size for h in got] == [7, 5]
    assert got[0].place == "Her" and got[0].place_distance_m == 2030
    assert analysis.hotspots(inputs(*rows[:4]), places) == []
    assert analysis.hotspots(inputs(*rows[:5]), ())[0].place is None


# -- who and what was supported ----------------------------------------------------------


def test_groups_of_one_to_four_are_shown_as_under_five_and_zero_as_zero():
    assert [analysis.suppress_small(n) for n in (0, 1, 4, 5, 12)] == [0, SMALL_LABEL, SMALL_LABEL, 5, 12]
    assert SMALL_LABEL == "< 5"


def test_demographics_list_every_group_with_small_ones_suppressed():
    frame = inputs(
        *[dict(age_group="30_49", relation="bor") for _ in range(5)],
        *[dict(age_group="18_29", relation="bor") for _ in range(2)],
        *[dict(age_group=None, relation="jobber") for _ in range(3)],
    )
    got = analysis.demographics(frame)
    assert got["age_group"].to_dict("list") == {
        "label": ["under_18", "18_29", "30_49", "50_66", "67_plus", "not_answered"],
        "count": [0, "< 5", 5, 0, 0, "< 5"],
    }
    assert got["relation"].to_dict("list") == {
        "label": ["bor", "jobber", "skole", "besoker"],
        "count": [7, "< 5", 0, 0],
    }


def test_most_supported_orders_by_supports_then_earliest_and_leaves_out_unsupported():
    frame = inputs(
        dict(supports=3, created_at=DAY + timedelta(hours=2)),
        dict(supports=9),
        dict(supports=3, created_at=DAY + timedelta(hours=1)),
        dict(supports=0),
    )
    got = analysis.most_supported(frame, n=10)
    assert got["id"].tolist() == [2, 3, 1]
    assert analysis.most_supported(frame, n=2)["supports"].tolist() == [9, 3]
    assert {"id", "text", "category", "supports", "created_at"} <= set(got.columns)


# -- the dashboard on a real store's frame -----------------------------------------------


def test_dashboard_summarises_a_consultation_from_the_store(store, consultation):
    ids = []
    for k, (age, cat) in enumerate([("30_49", "Annet"), ("30_49", "Annet"), (None, "Gange og sykkel")]):
        draft = InputDraft(cat, f"Innspill om Borgen nummer {k}", *INSIDE, age_group=age)
        ids.append(submit_input(store, consultation.id, draft, session=f"dash-{k}", now=NOW).id)
    letter = InputDraft("Annet", "Brev om parkering ved skolen", whole_area=True)
    register_input(
        store,
        consultation.id,
        letter,
        channel=Channel.LETTER,
        sender_type=SenderType.PRIVATE,
        sender_name="Ola",
        received_at=NOW - timedelta(days=1),
        actor=staff(store),
        now=NOW,
    )
    store.add_support(ids[0], "x")
    store.add_support(ids[0], "y")
    store.save_response([ids[1]], Response(0, "s", "v", Outcome.NOTED), "kari")
    frame = store.analysis_frame(consultation.id)
    start = consultation.opens_at.astimezone(analysis.LOCAL_TZ).date()
    end = NOW.astimezone(analysis.LOCAL_TZ).date()

    board = analysis.dashboard(frame, consultation.categories, start, end)

    assert board.totals.inputs == 4 and board.totals.sessions == 4 and board.totals.supports == 2
    assert board.totals.by_channel == {"web": 3, "letter": 1}
    assert board.totals.share == pytest.approx(0.75)
    assert list(board.per_category["category"]) == list(consultation.categories)
    assert board.per_category.set_index("category").loc["Annet"].tolist() == [3, 2]
    assert board.per_day["inputs"].sum() == 4 and len(board.per_day) == (end - start).days + 1
    assert board.density["count"].sum() == 3
    assert board.hotspots == []  # three pins are not a hotspot
    assert board.demographics["age_group"].set_index("label").loc["30_49", "count"] == SMALL_LABEL
    assert board.most_supported["id"].tolist() == [ids[0]]
    answered = analysis.filter_frame(frame, responded=True)
    assert answered["id"].tolist() == [ids[1]] and not math.isnan(answered["lat"].iloc[0])
