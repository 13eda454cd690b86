"""Builders for tests of drawn routes and areas: shapes drawn in working-CRS metres and
stored as a resident's input is (geo.read_drawing, then Store.add_input)."""

from __future__ import annotations

import json

import numpy as np
import shapely
from shapely.geometry import LineString

from consultations import geo
from consultations.model import Channel, InputStatus, Shape
from tests.conftest import BORGEN_SQUARE, NOW

SHAPES = (Shape.POINT, Shape.LINE, Shape.AREA)
CID = "test-borgen"
# a corner of the 50 m grid in the middle of the Borgen square (EPSG:25832)
X0, Y0 = (np.floor(np.array(geo.to_working_crs(10.4135, 59.826)) / 50) * 50).tolist()


def wgs84(geom, epsg: int = 25832) -> dict:
    """A shape drawn in working-CRS metres, as the map sends it (GeoJSON, WGS84)."""
    back = shapely.transform(geom, lambda xy: np.column_stack(geo.from_working_crs(xy[:, 0], xy[:, 1], epsg)))
    return json.loads(shapely.to_geojson(back))


def cells(*xy) -> LineString:
    """A line through points given in cells of 50 m from (X0, Y0)."""
    return LineString([(X0 + 50 * x, Y0 + 50 * y) for x, y in xy])


def add(
    store,
    drawing: dict | None = None,
    *,
    point=None,
    category="Trafikk og trafikksikkerhet",
    status=InputStatus.PUBLISHED,
    epsg: int = 25832,
):
    """An input as a resident sends it: a drawing checked by geo.read_drawing, a pin, or
    neither (the whole area)."""
    checked = geo.read_drawing(drawing, SHAPES, BORGEN_SQUARE, epsg=epsg) if drawing else None
    lat, lon = (checked.lat, checked.lon) if checked else point or (None, None)
    east, north = geo.to_working_crs(lon, lat, epsg) if lat is not None else (None, None)
    stored, _ = store.add_input(
        consultation_id=CID,
        category=category,
        text="Skoleveien vår går her.",
        lat=lat,
        lon=lon,
        east=east,
        north=north,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=status,
        session_hash=None,
        token=None,
        created_at=NOW,
        drawing=checked.geojson if checked else None,
        measure=checked.measure if checked else None,
    )
    return stored, checked
