"""Every geometry enters and leaves through here: parsing, testing and reprojecting.

Storage is WGS84 (EPSG:4326, lon/lat); the municipality's working CRS (EPSG:25832 for
Asker) is used for metres: east/north per input and areas.
"""

from __future__ import annotations

import json
import math
import random
from functools import cache
from pathlib import Path

import shapely
import shapely.ops
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

WGS84 = 4326
WORKING_CRS = 25832


@cache
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def area_from_geojson(data: str | dict) -> MultiPolygon:
    """A plan area from GeoJSON (geometry, feature or collection, WGS84) as a MultiPolygon."""
    obj = json.loads(data) if isinstance(data, str) else data
    if obj.get("type") == "FeatureCollection":
        geoms = [shape(f["geometry"]) for f in obj["features"]]
        geom = shapely.union_all(geoms)
    elif obj.get("type") == "Feature":
        geom = shape(obj["geometry"])
    else:
        geom = shape(obj)
    return as_multipolygon(geom)


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    polygons = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    if not polygons:
        raise ValueError(f"not an area: {geom.geom_type}")
    return MultiPolygon(polygons)


def area_to_geojson(area: BaseGeometry) -> str:
    return shapely.to_geojson(area)


def read_areas(path: Path, key: str) -> dict[str, MultiPolygon]:
    """Areas from a shipped vector file, keyed by the property ``key``."""
    import geopandas

    frame = geopandas.read_file(path).to_crs(WGS84)
    return {row[key]: as_multipolygon(row.geometry) for _, row in frame.iterrows()}


def is_valid_coordinate(lat: float, lon: float) -> bool:
    return (
        math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
    )


def contains(area: BaseGeometry, lat: float, lon: float) -> bool:
    """Whether the point lies in the area (its boundary counts as inside)."""
    return bool(shapely.intersects_xy(area, lon, lat))


def to_working_crs(lon: float, lat: float, epsg: int = WORKING_CRS) -> tuple[float, float]:
    east, north = _transformer(WGS84, epsg).transform(lon, lat)
    return round(east, 2), round(north, 2)


def bounds(area: BaseGeometry) -> tuple[float, float, float, float]:
    """``(minlon, minlat, maxlon, maxlat)``."""
    return tuple(float(v) for v in area.bounds)  # type: ignore[return-value]


def centre(area: BaseGeometry) -> tuple[float, float]:
    """A point inside the area, as ``(lat, lon)``."""
    p = area.representative_point()
    return p.y, p.x


def area_km2(area: BaseGeometry, epsg: int = WORKING_CRS) -> float:
    projected = shapely.ops.transform(_transformer(WGS84, epsg).transform, area)
    return projected.area / 1e6


def random_points(area: BaseGeometry, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """``n`` points, uniformly inside the area, as ``(lat, lon)`` (demo and benchmark data)."""
    minx, miny, maxx, maxy = area.bounds
    prepared = prep(area)
    points: list[tuple[float, float]] = []
    while len(points) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if prepared.contains(Point(x, y)):
            points.append((y, x))
    return points
