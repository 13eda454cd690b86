"""Routes and areas a resident draws: how geo.read_drawing checks them, and how the store
keeps them (migration 18). The drawing widget and the views build on this contract."""

from __future__ import annotations

import json

import pytest

from consultations import geo
from consultations.errors import InvalidDrawing
from consultations.model import Channel, InputStatus, Shape
from tests.conftest import BORGEN_SQUARE, NOW, make_consultation
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

LINE_AND_AREA = (Shape.POINT, Shape.LINE, Shape.AREA)


def line(*points):
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def polygon(*points):
    ring = [list(p) for p in points]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def test_a_line_inside_the_plan_area_is_measured_in_metres_and_pinned_at_its_middle():
    drawing = geo.read_drawing(line((10.406, 59.823), (10.420, 59.823)), LINE_AND_AREA, BORGEN_SQUARE)
    assert drawing.shape == Shape.LINE
    # 0.014° of longitude at 59.823° N is about 783 m
    assert 770 < drawing.measure < 800
    assert drawing.lat == pytest.approx(59.823)
    assert drawing.lon == pytest.approx(10.413)
    assert json.loads(drawing.geojson)["type"] == "LineString"


def test_an_area_is_measured_in_square_metres_and_pinned_inside_it():
    drawing = geo.read_drawing(
        polygon((10.410, 59.824), (10.412, 59.824), (10.412, 59.825), (10.410, 59.825)),
        LINE_AND_AREA,
        BORGEN_SQUARE,
    )
    assert drawing.shape == Shape.AREA
    assert 12_000 < drawing.measure < 13_000  # about 112 m × 111 m
    assert geo.contains(drawing.geometry, drawing.lat, drawing.lon)


def test_a_feature_is_read_as_its_geometry():
    feature = {"type": "Feature", "properties": {}, "geometry": line((10.406, 59.823), (10.41, 59.824))}
    assert geo.read_drawing(json.dumps(feature), LINE_AND_AREA, BORGEN_SQUARE).shape == Shape.LINE


@pytest.mark.parametrize(
    ("data", "allowed", "key"),
    [
        (line((10.406, 59.823), (10.41, 59.824)), (Shape.POINT,), "drawing.line_not_allowed"),
        (
            polygon((10.410, 59.824), (10.412, 59.824), (10.412, 59.825)),
            (Shape.POINT, Shape.LINE),
            "drawing.area_not_allowed",
        ),
        ({"type": "Point", "coordinates": [10.41, 59.824]}, LINE_AND_AREA, "drawing.unreadable"),
        ("not json", LINE_AND_AREA, "drawing.unreadable"),
        (line((10.406, 59.823), (10.406, 59.823)), LINE_AND_AREA, "drawing.line_too_short"),
        (line((10.406, 59.823), (500, 59.823)), LINE_AND_AREA, "drawing.unreadable"),
        # most of the route runs east of the square
        (line((10.415, 59.823), (10.45, 59.823)), LINE_AND_AREA, "drawing.line_outside"),
        (
            polygon((10.42, 59.824), (10.43, 59.824), (10.43, 59.825), (10.42, 59.825)),
            LINE_AND_AREA,
            "drawing.area_outside",
        ),
        # a bow-tie: the outline crosses itself
        (
            polygon((10.410, 59.824), (10.412, 59.825), (10.412, 59.824), (10.410, 59.825)),
            LINE_AND_AREA,
            "drawing.area_crosses_itself",
        ),
    ],
)
def test_a_drawing_that_breaks_a_rule_is_refused_with_its_reason(data, allowed, key):
    with pytest.raises(InvalidDrawing) as info:
        geo.read_drawing(data, allowed, BORGEN_SQUARE)
    assert info.value.key == key
    assert info.value.message("nb")  # a sentence in every language, never the key
    assert info.value.message("en") != info.value.message("nb")


def test_a_line_of_more_than_500_points_is_refused_and_500_are_taken():
    points = [(10.406 + i * 0.00002, 59.823 + (i % 2) * 0.00001) for i in range(501)]
    with pytest.raises(InvalidDrawing) as info:
        geo.read_drawing(line(*points), LINE_AND_AREA, BORGEN_SQUARE)
    assert info.value.key == "drawing.too_many_points"
    assert geo.read_drawing(line(*points[:500]), LINE_AND_AREA, BORGEN_SQUARE).shape == Shape.LINE


def test_a_line_may_leave_the_plan_area_by_the_configured_share():
    # 0.002° of 0.012° outside: a sixth of its length
    data = line((10.412, 59.823), (10.424, 59.823))
    assert geo.read_drawing(data, LINE_AND_AREA, BORGEN_SQUARE).shape == Shape.LINE
    with pytest.raises(InvalidDrawing):
        geo.read_drawing(data, LINE_AND_AREA, BORGEN_SQUARE, outside_share=0.1)


def test_the_store_keeps_a_consultations_shapes_and_an_inputs_drawing(store):
    store.add_consultation(make_consultation(shapes=LINE_AND_AREA))
    assert store.get_consultation("test-borgen").shapes == LINE_AND_AREA
    drawing = geo.read_drawing(line((10.406, 59.823), (10.420, 59.823)), LINE_AND_AREA, BORGEN_SQUARE)
    east, north = geo.to_working_crs(drawing.lon, drawing.lat)
    stored, created = store.add_input(
        consultation_id="test-borgen",
        category="Trafikk",
        text="Skoleveien min",
        lat=drawing.lat,
        lon=drawing.lon,
        east=east,
        north=north,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash=None,
        token=None,
        created_at=NOW,
        drawing=drawing.geojson,
        measure=drawing.measure,
    )
    assert created
    again = store.get_input(stored.id)
    assert again.shape == Shape.LINE
    assert again.measure == drawing.measure
    assert geo.drawing_geometry(again.drawing).equals(drawing.geometry)
    frame = store.analysis_frame("test-borgen")
    assert frame.loc[0, "drawing"] == drawing.geojson
    assert frame.loc[0, "measure"] == drawing.measure


def test_a_consultation_stored_before_shapes_existed_takes_pins_only(store):
    store.add_consultation(make_consultation())
    assert store.get_consultation("test-borgen").shapes == (Shape.POINT,)
    stored, _ = store.add_input(
        consultation_id="test-borgen",
        category="Trafikk",
        text="Her",
        lat=59.826,
        lon=10.414,
        east=None,
        north=None,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash=None,
        token=None,
        created_at=NOW,
    )
    assert stored.shape == Shape.POINT and stored.drawing is None
