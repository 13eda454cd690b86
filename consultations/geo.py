"""Every geometry enters and leaves through here: parsing, testing and reprojecting.

Storage is WGS84 (EPSG:4326, lon/lat); the municipality's working CRS (the profile's
``working_crs``) is used for metres: east/north per input, areas, grids and exports. Every
reprojection in the app goes through this module; callers pass the profile's CRS
(``WORKING_CRS`` is only the default of the functions that take one, Asker's). Plan areas uploaded by staff
(GeoJSON, GeoPackage, zipped Shapefile, KML) are read, checked and repaired by ``read_area``.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path, PurePosixPath

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.errors import GEOSException
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from .errors import InvalidArea, InvalidDrawing
from .i18n import t
from .model import Shape

WGS84 = 4326
WORKING_CRS = 25832
WEB_MERCATOR = 3857  # the grid of web base-map tiles


@cache
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


# pyproj keeps a transformation per thread (that is how its objects are thread-safe) and
# builds it again, ~8 ms, on a thread's first call; Streamlit runs every rerun on a new
# thread, so each resident's input paid it. Every transformation runs on this one thread.
_PROJ_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kartinnspill-proj")


def _transform(source: int, target: int, x, y):
    """``(x, y)`` (numbers or arrays, x = east or longitude) from ``source`` to ``target``."""
    return _PROJ_THREAD.submit(_transformer(source, target).transform, x, y).result()


def _projected(geometries, epsg: int):
    """WGS84 geometries (one, or an array; ``None`` stays ``None``) in ``epsg``."""
    return shapely.transform(geometries, lambda x, y: _transform(WGS84, epsg, x, y), interleaved=False)


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
    if isinstance(geom, MultiPolygon):
        return geom
    polygons = _polygons(geom)
    if not polygons:
        raise ValueError(f"not an area: {geom.geom_type}")
    return MultiPolygon(polygons)


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    """The non-empty polygons in ``geom``, however deeply they sit in collections."""
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    return [p for part in getattr(geom, "geoms", ()) for p in _polygons(part)]


def area_to_geojson(area: BaseGeometry) -> str:
    return shapely.to_geojson(area)


def read_areas(path: Path, key: str) -> dict[str, MultiPolygon]:
    """Areas from a shipped vector file, keyed by the property ``key``."""
    import geopandas

    frame = geopandas.read_file(path).to_crs(WGS84)
    return {row[key]: as_multipolygon(row.geometry) for _, row in frame.iterrows()}


def is_valid_coordinate(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


_COORDINATE_SPLIT = re.compile(r"\s*;\s*|\s+|,\s+")


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """``(lat, lon)`` from what a person types: «59.8261, 10.4139», «59,8261; 10,4139» or
    «59.8261 10.4139» (decimal comma or point); ``None`` when it is not two numbers."""
    parts = [p for p in _COORDINATE_SPLIT.split(text.strip()) if p]
    if len(parts) != 2 and "," in text and ";" not in text and " " not in text.strip():
        parts = text.strip().split(",")  # «59.8261,10.4139»
    if len(parts) != 2:
        return None
    try:
        lat, lon = (float(p.replace(",", ".")) for p in parts)
    except ValueError:
        return None
    return lat, lon


# Plan areas are shared by every session's script thread (the store remembers the
# consultation it read), and GEOS's prepared geometries build their indexes lazily without a
# lock: two threads asking a freshly prepared area at once corrupt the heap and abort the
# server (tests/test_geo_threads.py). So nothing here prepares a geometry it was given;
# many points are tested on a private copy, prepared on the thread that asks.


def contains(area: BaseGeometry, lat: float, lon: float) -> bool:
    """Whether the point lies in the area (its boundary counts as inside)."""
    return bool(shapely.intersects(area, Point(lon, lat)))


def contains_many(area: BaseGeometry, points: Sequence[tuple[float, float]]) -> list[bool]:
    """For each ``(lat, lon)``, whether it lies in the area (boundary inside), at once."""
    if not len(points):
        return []
    lat, lon = np.asarray(points, dtype=float).T
    return shapely.intersects_xy(_private_prepared(area), lon, lat).tolist()


def _private_prepared(area: BaseGeometry) -> BaseGeometry:
    """A copy of ``area`` that only the calling thread holds, prepared for many queries."""
    own = shapely.from_wkb(shapely.to_wkb(area))
    shapely.prepare(own)
    return own


def to_working_crs(lon: float, lat: float, epsg: int = WORKING_CRS) -> tuple[float, float]:
    east, north = _transform(WGS84, epsg, lon, lat)
    return round(east, 2), round(north, 2)


def from_working_crs(east, north, epsg: int = WORKING_CRS):
    """Metres in the working CRS back to ``(lon, lat)``; takes numbers or numpy arrays."""
    return _transform(epsg, WGS84, east, north)


def reproject(x, y, source: int, target: int):
    """Coordinates (numbers or numpy arrays, x = east or longitude first) from ``source``
    to ``target``: e.g. an address register's «Øst»/«Nord» in its «EPSG-kode» to WGS84."""
    return _transform(source, target, x, y)


def project_points(lon, lat, epsg: int):
    """WGS84 lon/lat arrays to ``(x, y)`` arrays in ``epsg`` (e.g. ``WEB_MERCATOR``)."""
    return _transform(WGS84, epsg, lon, lat)


def project_area(area: BaseGeometry, epsg: int) -> BaseGeometry:
    """A geometry stored in WGS84 (an area, a drawn route), in ``epsg``."""
    return _projected(area, epsg)


def project_coordinates(lon, lat, epsg: int, decimals: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat arrays (NaN where an input has no place) to ``epsg`` x/y arrays,
    rounded to ``decimals`` (2: centimetres); NaN stays NaN."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = np.full(len(lon), np.nan), np.full(len(lat), np.nan)
    has = ~np.isnan(lon) & ~np.isnan(lat)
    if has.any():
        x[has], y[has] = _transform(WGS84, epsg, lon[has], lat[has])
    return np.round(x, decimals), np.round(y, decimals)


def project_geometries(geometries, epsg: int) -> np.ndarray:
    """WGS84 shapely geometries (an array or list; ``None`` stays ``None``) in ``epsg``,
    reprojected in one call."""
    return _projected(np.asarray(geometries, dtype=object), epsg)


@cache
def crs_name(epsg: int) -> str:
    """A CRS as people name it: «ETRS89 / UTM zone 32N (EPSG:25832)»."""
    return f"{CRS.from_epsg(epsg).name} (EPSG:{epsg})"


def is_known_crs(epsg: int) -> bool:
    try:
        CRS.from_epsg(epsg)
    except CRSError:
        return False
    return True


def bounds(area: BaseGeometry) -> tuple[float, float, float, float]:
    """``(minlon, minlat, maxlon, maxlat)``."""
    return tuple(float(v) for v in area.bounds)  # type: ignore[return-value]


def centre(area: BaseGeometry) -> tuple[float, float]:
    """A point inside the area, as ``(lat, lon)``."""
    p = area.representative_point()
    return p.y, p.x


def area_km2(area: BaseGeometry, epsg: int = WORKING_CRS) -> float:
    return project_area(area, epsg).area / 1e6


MAX_DRAWN_VERTICES = 500  # a route or area a resident draws
LINE_OUTSIDE_SHARE = 0.2  # how much of a drawn route may run outside the plan area (default)
AREA_OUTSIDE_SHARE = 0.01  # an area lies inside; a hand's wobble over the border is let through


@dataclass(frozen=True)
class Drawing:
    """A route or an area a resident drew, checked: what the store keeps of it."""

    geometry: LineString | Polygon  # WGS84
    measure: float  # metres of a line, square metres of an area, in the working CRS
    lat: float  # a point on the line (its middle) or inside the area: where its pin goes
    lon: float

    @property
    def shape(self) -> Shape:
        return Shape.LINE if isinstance(self.geometry, LineString) else Shape.AREA

    @property
    def geojson(self) -> str:
        return shapely.to_geojson(self.geometry)


def read_drawing(
    data: str | dict,
    allowed: tuple[Shape, ...] | frozenset[Shape],
    area: BaseGeometry,
    *,
    epsg: int = WORKING_CRS,
    outside_share: float = LINE_OUTSIDE_SHARE,
) -> Drawing:
    """A route or area as drawn on the map (GeoJSON geometry or feature, WGS84), checked:
    a shape the consultation allows, at most ``MAX_DRAWN_VERTICES`` points, inside the plan
    area (a line may leave it by at most ``outside_share`` of its length), an area that does
    not cross itself (small loops are repaired as for plan areas, a bow-tie is refused).
    Raises ``InvalidDrawing`` with a message key in ``drawing.*``."""
    try:
        obj = json.loads(data) if isinstance(data, str) else data
        if obj.get("type") == "Feature":
            obj = obj["geometry"]
        geom = shape(obj)
    except (ValueError, TypeError, KeyError, AttributeError, GEOSException) as exc:
        raise InvalidDrawing("drawing.unreadable") from exc
    except RecursionError:  # a value nested 100,000 deep (N8): JSON's or shapely's recursion
        raise InvalidDrawing("drawing.unreadable") from None
    if isinstance(geom, LineString):
        kind = Shape.LINE
    elif isinstance(geom, Polygon):
        kind = Shape.AREA
    else:
        raise InvalidDrawing("drawing.unreadable")
    if kind not in allowed:
        raise InvalidDrawing(f"drawing.{kind.value}_not_allowed")
    coords = shapely.get_coordinates(geom)
    if len(coords) > MAX_DRAWN_VERTICES + (kind == Shape.AREA):  # a ring repeats its first point
        raise InvalidDrawing("drawing.too_many_points", limit=MAX_DRAWN_VERTICES)
    if not all(is_valid_coordinate(lat, lon) for lon, lat in coords):
        raise InvalidDrawing("drawing.unreadable")
    coords = np.array([c for i, c in enumerate(coords) if i == 0 or tuple(c) != tuple(coords[i - 1])])
    if kind == Shape.LINE:
        if len(coords) < 2:
            raise InvalidDrawing("drawing.line_too_short")
        geom = LineString(coords)
    else:
        if len(coords) < 4:  # three corners and the closing point
            raise InvalidDrawing("drawing.area_too_small")
        if not geom.is_valid:
            try:
                repaired = _repaired(MultiPolygon([geom]), "")
            except InvalidArea as exc:
                raise InvalidDrawing("drawing.area_crosses_itself") from exc
            if repaired is None or len(repaired.geoms) != 1:
                raise InvalidDrawing("drawing.area_crosses_itself")
            geom = repaired.geoms[0]
    projected = project_area(geom, epsg)  # any WGS84 geometry, not only areas
    measure = projected.length if kind == Shape.LINE else projected.area
    if measure <= 0:
        raise InvalidDrawing("drawing.line_too_short" if kind == Shape.LINE else "drawing.area_too_small")
    if kind == Shape.LINE:
        inside = shapely.intersection(projected, project_area(area, epsg)).length
        if measure - inside > outside_share * measure + 1e-6:
            raise InvalidDrawing("drawing.line_outside", share=round(outside_share * 100))
        middle = geom.interpolate(0.5, normalized=True)
        lat, lon = middle.y, middle.x
    else:
        inside = shapely.intersection(projected, project_area(area, epsg)).area
        if measure - inside > AREA_OUTSIDE_SHARE * measure:
            raise InvalidDrawing("drawing.area_outside")
        point = geom.representative_point()
        lat, lon = point.y, point.x
    return Drawing(geometry=geom, measure=round(float(measure), 1), lat=lat, lon=lon)


def drawing_geometry(geojson: str) -> LineString | Polygon:
    """A stored drawing (``Input.drawing``) as a shapely geometry, WGS84."""
    return shape(json.loads(geojson))


def rounded_drawings(drawings: Sequence[str], decimals: int = 5) -> list[dict]:
    """Stored drawings (GeoJSON, WGS84) as GeoJSON dicts with ``decimals`` decimals (5: about
    a metre), for the map: all at once, twice as fast as one by one (1,000 routes of 20
    points: ~0.1 s against ~0.22 s here)."""
    if not drawings:
        return []
    rounded = shapely.transform(shapely.from_geojson(list(drawings)), lambda c: np.round(c, decimals))
    return [json.loads(text) for text in shapely.to_geojson(rounded)]


def random_points(area: BaseGeometry, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """``n`` points, uniformly inside the area, as ``(lat, lon)`` (demo and benchmark data)."""
    minx, miny, maxx, maxy = area.bounds
    own = _private_prepared(area)
    points: list[tuple[float, float]] = []
    while len(points) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(own, x, y):
            points.append((y, x))
    return points


# Plan areas uploaded by staff ----------------------------------------------------------

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 50
# minlon, minlat, maxlon, maxlat: mainland Norway with a margin (no Svalbard). An area
# outside it was almost always read in the wrong CRS or with lon/lat swapped.
NORWAY = (3.0, 57.0, 32.0, 72.0)
# A repair is accepted when make_valid and buffer(0) agree on the area within this share:
# two independent repairs that disagree mean the file does not say what is inside.
REPAIR_TOLERANCE = 0.01
# GDAL picks a driver by content, whatever the name says: an OGR VRT named "plan.json" made
# the server fetch an attacker's URL and can read any file it may read. So the file type
# decides the driver before GDAL sees the file: GeoJSON and GeoPackage are opened with
# GDAL's "DRIVER:" prefix, which tries that driver only; GDAL has no such prefix for KML and
# Shapefile, so their content is checked first (a kml root element, the .shp file code) and
# the VRT drivers are removed from the process (_gdal). Suffix -> (drivers, path prefix).
_FORMATS = {
    ".geojson": ({"GeoJSON"}, "GeoJSON:"),
    ".json": ({"GeoJSON"}, "GeoJSON:"),
    ".gpkg": ({"GPKG"}, "GPKG:"),
    ".kml": ({"KML", "LIBKML"}, ""),
    ".zip": ({"ESRI Shapefile"}, ""),
}
# GDAL settings while it reads an upload: no driver that reads other files (VRT), and no
# network. A GeoJSON "link" CRS is fetched with plain HTTP (tried here: the GeoJSON driver
# fetched it even when forced), so HTTP goes to a closed loopback port as proxy (curl still
# honours NO_PROXY; the CRS check in _check_content is what refuses such files), /vsicurl/
# may open no file at all, and PROJ never downloads grids.
_GDAL_OFFLINE = {
    "GDAL_SKIP": "VRT OGR_VRT",
    "GDAL_HTTP_PROXY": "http://127.0.0.1:1",
    "GDAL_HTTPS_PROXY": "http://127.0.0.1:1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/kartinnspill/uploads/never/use/the/network",
    "GDAL_DISABLE_READDIR_ON_OPEN": "TRUE",
    "GDAL_ALLOW_REMOTE_RESOURCE_TO_ACCESS_LOCAL_FILE": "NO",
    "PROJ_NETWORK": "OFF",
}
# The members of a zipped Shapefile that are read; everything else in the zip is ignored.
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_SHP_FILE_CODE = b"\x00\x00\x27\x0a"  # 9994, big-endian: the first bytes of every .shp
# How a GeoJSON "crs" member may name its CRS: an OGC URN or an EPSG code. A URL (even an
# opengis.net one) or a "link" CRS would make GDAL fetch it.
_SAFE_CRS_NAME = re.compile(r"(?i)urn:ogc:def:crs:[a-z0-9._:-]+|epsg:\d{4,6}")
_LABEL_FIELDS = ("plannavn", "navn", "name", "tittel", "title", "planid", "planidentifikasjon")


@dataclass(frozen=True)
class AreaFeature:
    """One polygon feature of an upload, in WGS84."""

    index: int
    label: str
    geometry: MultiPolygon

    @property
    def area_km2(self) -> float:
        return area_km2(self.geometry)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return bounds(self.geometry)


@dataclass(frozen=True)
class AreaImport:
    """The polygon features of an upload; the plan area is one of them or their union."""

    features: tuple[AreaFeature, ...]
    source_crs: str

    def feature(self, index: int) -> AreaFeature:
        return self.features[index]

    @cached_property
    def union(self) -> MultiPolygon:
        return as_multipolygon(shapely.union_all([f.geometry for f in self.features]))

    @property
    def area_km2(self) -> float:
        return area_km2(self.union)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return bounds(self.union)


def read_area(data: bytes, filename: str, *, layer: str | None = None, crs: str | None = None) -> AreaImport:
    """A plan area from an uploaded file, as a staff member gives it.

    ``filename`` only tells the format; ``layer`` picks one of several layers (or
    shapefiles in a zip); ``crs`` ("EPSG:25832") replaces or supplies the file's CRS.
    Raises ``InvalidArea`` with a message that says what to change.
    """
    basename = PurePosixPath(filename.replace("\\", "/")).name
    suffix = PurePosixPath(basename).suffix.lower()
    if suffix not in _FORMATS:
        raise InvalidArea("area.format", name=basename)
    if not data:
        raise InvalidArea("area.empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidArea("area.too_large", mb=_mb(MAX_UPLOAD_BYTES))
    override = _parse_crs(crs) if crs else None
    with tempfile.TemporaryDirectory(prefix="kartinnspill-area-") as tmp:
        if suffix == ".zip":
            path = _shapefile(data, Path(tmp), layer)
            layer = None
        else:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
        _check_content(path, suffix)
        frame = _read(path, suffix, layer)
    if override is not None:
        frame = frame.set_crs(override, allow_override=True)
    elif frame.crs is None:
        raise InvalidArea("area.crs_missing_prj" if suffix == ".zip" else "area.crs_missing")
    return AreaImport(_features(frame), _crs_name(frame.crs))


POINT_FORMATS = (".geojson", ".json", ".gpkg")


def read_points(data: bytes, filename: str) -> list[tuple[dict[str, object], float, float]]:
    """The point features of a GeoJSON or GeoPackage file (one layer), as ``(properties,
    lon, lat)`` in WGS84 — an address register in Kartverket's vector formats. Read with the
    same guards as a plan-area upload; a feature without a point is left out."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix not in POINT_FORMATS:
        raise InvalidArea("area.format", name=PurePosixPath(filename).name)
    if not data:
        raise InvalidArea("area.empty")
    with tempfile.TemporaryDirectory(prefix="kartinnspill-points-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        _check_content(path, suffix)
        frame = _read(path, suffix, None)
    if frame.crs is None:
        raise InvalidArea("area.crs_missing")
    frame = frame[frame.geometry.notna() & (frame.geometry.geom_type == "Point")].to_crs(WGS84)
    properties = frame.drop(columns=frame.geometry.name).to_dict("records")
    return [(p, float(g.x), float(g.y)) for p, g in zip(properties, frame.geometry, strict=True)]


def _features(frame) -> tuple[AreaFeature, ...]:
    """The polygon features of a GeoDataFrame, in WGS84, checked and repaired."""
    import geopandas

    field = next((c for wanted in _LABEL_FIELDS for c in frame.columns if str(c).lower() == wanted), None)
    names = frame[field].tolist() if field else [None] * len(frame)
    rows = [
        (name, MultiPolygon(polygons))
        for name, geom in zip(names, frame.geometry, strict=True)
        if geom is not None and (polygons := _polygons(shapely.force_2d(geom)))
    ]
    if not rows:
        raise InvalidArea("area.no_polygons")
    projected = geopandas.GeoSeries([g for _, g in rows], crs=frame.crs).to_crs(WGS84)
    minlon, minlat, maxlon, maxlat = projected.total_bounds
    west, south, east, north = NORWAY
    # written so that NaN and inf (impossible coordinates) fail too
    if not (west <= minlon and south <= minlat and maxlon <= east and maxlat <= north):
        raise InvalidArea("area.outside_norway")

    features: list[AreaFeature] = []
    for (name, _), geom in zip(rows, projected, strict=True):
        label = _label(name, len(features) + 1)
        if (repaired := _repaired(geom, label)) is not None:
            features.append(AreaFeature(len(features), label, repaired))
    if not features:
        raise InvalidArea("area.no_polygons")
    return tuple(features)


def _mb(n: int) -> str:
    return f"{n / 2**20:.3g}"


def _parse_crs(value: str) -> CRS:
    if re.fullmatch(r"(?i)(epsg:)?\d{4,6}", value.strip()):
        try:
            return CRS.from_epsg(int(value.strip().split(":")[-1]))
        except CRSError:
            pass
    raise InvalidArea("area.crs_unknown", crs=value)


def _crs_name(crs: CRS) -> str:
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.name


def _shapefile(data: bytes, target: Path, layer: str | None) -> Path:
    """The chosen shapefile of a zip, written into ``target`` as ``layer.shp`` (and .shx, ...).

    Entry names are only ever read, never joined to a path: only the allow-listed members
    of one shapefile are written, under names chosen here. A zip with a path that could
    leave a folder, a link, or two entries with one name is refused as a whole, before
    anything is written.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise InvalidArea("area.zip_too_many", max=MAX_ZIP_ENTRIES)
            seen: set[str] = set()
            for entry in entries:
                _check_entry(entry, seen)
            # zipfile never yields more than an entry's declared size (it fails the CRC
            # instead), so the declared sizes are a safe bound against zip bombs
            if sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
                raise InvalidArea("area.zip_too_large", mb=_mb(MAX_UNZIPPED_BYTES))
            shapefiles = _zipped_shapefiles(entries)
            if not shapefiles:
                raise InvalidArea("area.zip_no_shapefile")
            members = shapefiles[_choose(sorted(shapefiles), layer)]
            if missing := [s for s in (".shx", ".dbf") if s not in members]:
                raise InvalidArea("area.shapefile_incomplete", missing=", ".join(missing))
            for suffix, entry in members.items():
                _extract(archive, entry, target, f"layer{suffix}")
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
        # RuntimeError: encrypted entry; NotImplementedError: compression zipfile lacks
        raise InvalidArea("area.unreadable") from exc
    return target / "layer.shp"


def _check_entry(entry: zipfile.ZipInfo, seen: set[str]) -> None:
    """Refuse an entry that is a link, could name a path outside a folder, or repeats one."""
    name = entry.filename
    shown = "".join(c if c.isprintable() else "?" for c in name)
    # the Unix file type sits in the high 16 bits; a link's target is its content, and
    # an unpacker that follows it writes wherever it points
    mode = entry.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise InvalidArea("area.zip_link", name=shown)
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise InvalidArea("area.zip_unsafe", name=shown)
    parts = (name[:-1] if entry.is_dir() else name).split("/")
    # "//tmp/x" is its own root to POSIX, "C:" and "\\" mean something on Windows
    if (
        name.startswith("/")
        or "\\" in name
        or ":" in name
        or shown != name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise InvalidArea("area.zip_unsafe", name=shown)
    if parts[-1].lower().endswith(".zip"):
        raise InvalidArea("area.zip_nested", name=shown)
    key = _name_key("/".join(parts))
    if key in seen:  # Windows and macOS unpack PLAN.SHP and plan.shp into one file
        raise InvalidArea("area.zip_duplicate", name=shown)
    seen.add(key)


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _zipped_shapefiles(entries: list[zipfile.ZipInfo]) -> dict[str, dict[str, zipfile.ZipInfo]]:
    """The shapefiles of a (checked) zip: name without .shp -> {".shp": entry, ".dbf": ...}."""
    groups: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for entry in entries:
        parts = entry.filename.split("/")
        # macOS adds __MACOSX/._name.shp copies of every file; they are not shapefiles
        if entry.is_dir() or parts[0] == "__MACOSX" or parts[-1].startswith("._"):
            continue
        stem, dot, extension = entry.filename.rpartition(".")
        suffix = f".{extension.lower()}"
        if dot and "/" not in extension and suffix in _SHAPEFILE_PARTS:
            groups.setdefault(_name_key(stem), {})[suffix] = entry
    return {g[".shp"].filename[:-4]: g for g in groups.values() if ".shp" in g}


def _extract(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, target: Path, name: str) -> None:
    """Write one member to ``target/name``, a new file that is no link and stays in ``target``."""
    dest = target / name
    if dest.resolve().parent != target.resolve():
        raise InvalidArea("area.zip_unsafe", name=entry.filename)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with archive.open(entry) as src, os.fdopen(os.open(dest, flags, 0o600), "wb") as out:
        shutil.copyfileobj(src, out)


def _check_content(path: Path, suffix: str) -> None:
    """Refuse a file whose content another GDAL driver could claim, or that names a URL."""
    if suffix == ".zip":
        with path.open("rb") as f:
            if f.read(4) != _SHP_FILE_CODE:
                raise InvalidArea("area.unreadable")
    elif suffix == ".kml":
        if _xml_root(path.read_bytes()[:65536]) != "kml":
            raise InvalidArea("area.unreadable")
    elif suffix in (".geojson", ".json"):
        try:
            document = json.loads(path.read_bytes())
        except (ValueError, RecursionError) as exc:
            raise InvalidArea("area.unreadable") from exc
        for crs in _geojson_crs_members(document):
            _check_geojson_crs(crs)


def _xml_root(head: bytes) -> str | None:
    """The local name of the first element in an XML document (``None`` with a DOCTYPE)."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    prolog = re.match(r"(?s)(\s|<\?.*?\?>|<!--.*?-->)*<([A-Za-z_][\w.:-]*)", text)
    return prolog[2].rpartition(":")[2] if prolog else None


def _geojson_crs_members(document: object) -> list[object]:
    """Every "crs" member GDAL reads: of the document, its features and their geometries."""
    found: list[object] = []
    stack = [document]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, dict):
            continue
        if "crs" in obj:
            found.append(obj["crs"])
        for member in ("features", "geometries"):
            if isinstance(obj.get(member), list):
                stack.extend(obj[member])
        stack.append(obj.get("geometry"))
    return found


def _check_geojson_crs(crs: object) -> None:
    """Refuse a GeoJSON "crs" member that is not an OGC URN or EPSG code (null is no CRS)."""
    if crs is None:
        return
    properties = crs.get("properties") if isinstance(crs, dict) else None
    properties = properties if isinstance(properties, dict) else {}
    name = properties.get("name")
    named = isinstance(crs, dict) and crs.get("type") == "name" and isinstance(name, str)
    if named and _SAFE_CRS_NAME.fullmatch(name):
        return
    shown = properties.get("href") or name or json.dumps(crs, ensure_ascii=False)
    raise InvalidArea("area.crs_remote", crs=str(shown)[:200])


@cache
def _gdal():
    """pyogrio, with GDAL set up to read uploads (see _GDAL_OFFLINE)."""
    import pyogrio
    import pyproj.network
    from pyogrio._ogr import _register_drivers

    pyogrio.set_gdal_config_options(_GDAL_OFFLINE)
    pyproj.network.set_network_enabled(False)
    _register_drivers()  # GDAL drops the drivers in GDAL_SKIP when it registers
    if "OGR_VRT" in pyogrio.list_drivers():  # refuse every upload rather than open a VRT
        raise RuntimeError("GDAL still has its VRT driver; uploads cannot be read safely")
    return pyogrio


def _read(path: Path, suffix: str, layer: str | None):
    """The chosen layer of the file at ``path`` as a GeoDataFrame (CRS as declared)."""
    from pyogrio.errors import DataLayerError, DataSourceError

    pyogrio = _gdal()
    drivers, prefix = _FORMATS[suffix]
    source = f"{prefix}{path}"
    try:
        if pyogrio.read_info(source, layer=0)["driver"] not in drivers:
            raise InvalidArea("area.unreadable")
        spatial = [name for name, kind in pyogrio.list_layers(source) if kind is not None]
        return pyogrio.read_dataframe(source, layer=_choose(spatial, layer))
    except (DataSourceError, DataLayerError, GEOSException) as exc:
        raise InvalidArea("area.unreadable") from exc


def _choose(layers: list[str], layer: str | None) -> str:
    if layer is not None:
        if layer not in layers:
            raise InvalidArea("area.layer_unknown", layer=layer, layers=", ".join(layers))
        return layer
    if not layers:
        raise InvalidArea("area.no_polygons")
    if len(layers) > 1:
        raise InvalidArea("area.choose_layer", layers=", ".join(layers))
    return layers[0]


def _label(value: object, n: int) -> str:
    text = "" if value is None or value != value else str(value).strip()  # NaN != NaN
    return text or t("area.unnamed", n=n)


def _repaired(geom: MultiPolygon, label: str) -> MultiPolygon | None:
    """A valid ``geom``, repaired when the repair is unambiguous (see REPAIR_TOLERANCE).

    A bow-tie (an outline crossing itself) is refused: make_valid keeps both triangles,
    buffer(0) only one, so the file does not say which is meant. Small loops, overlapping
    parts of one feature and rings that touch themselves are repaired.
    """
    if geom.is_valid:
        return geom
    polygons = _polygons(shapely.make_valid(geom, method="structure"))
    if not polygons:
        return None
    repaired = as_multipolygon(shapely.union_all(polygons))
    reference = geom.buffer(0).area
    if abs(repaired.area - reference) <= REPAIR_TOLERANCE * max(repaired.area, reference):
        return repaired
    reason = shapely.is_valid_reason(geom)
    at = re.search(r"\[(\S+) (\S+)\]", reason)
    lon, lat = (float(at[1]), float(at[2])) if at else shapely.get_coordinates(geom)[0]
    crossing = "self-intersection" in reason.lower()
    key = "area.self_intersection" if crossing else "area.invalid_geometry"
    raise InvalidArea(key, label=label, lat=f"{lat:.5f}", lon=f"{lon:.5f}")


# Context layers: what staff show under the pins (plan boundaries, proposed buildings, roads)

CONTEXT_FORMATS = (".geojson", ".json", ".gpkg")
MAX_CONTEXT_BYTES = MAX_UPLOAD_BYTES  # as a plan area: the vertex limit below keeps maps light
MAX_CONTEXT_FEATURES = 5_000
# Every vertex is sent to every resident's browser: ~20 bytes each, so 100,000 is ~2 MB of map.
MAX_CONTEXT_VERTICES = 100_000
_CONTEXT_DECIMALS = 6  # about 10 cm: finer only makes the page heavier


@dataclass(frozen=True)
class ContextFeatures:
    """A context file as residents' maps draw it: a GeoJSON FeatureCollection in WGS84
    whose features carry only ``label`` (a name from the file, or none), and how many
    points, lines and areas it has."""

    geojson: str
    points: int
    lines: int
    areas: int
    source_crs: str

    @property
    def count(self) -> int:
        return self.points + self.lines + self.areas


def read_context_features(data: bytes, filename: str, *, layer: str | None = None) -> ContextFeatures:
    """The features of a GeoJSON or GeoPackage file staff add as a context layer, read with
    the same guards as a plan-area upload (allow-listed driver, no network, no remote CRS),
    reprojected to WGS84, repaired, limited in size, and reduced to geometry and a label:
    nothing else from a hostile file reaches residents' maps. ``InvalidArea`` says why not."""
    basename = PurePosixPath(filename.replace("\\", "/")).name
    suffix = PurePosixPath(basename).suffix.lower()
    if suffix not in CONTEXT_FORMATS:
        raise InvalidArea("context_layer.format", name=basename)
    if not data:
        raise InvalidArea("area.empty")
    if len(data) > MAX_CONTEXT_BYTES:
        raise InvalidArea("area.too_large", mb=_mb(MAX_CONTEXT_BYTES))
    with tempfile.TemporaryDirectory(prefix="kartinnspill-context-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        _check_content(path, suffix)
        try:
            frame = _read(path, suffix, layer)
        except InvalidArea as exc:  # the plan-area words («which is the plan area») do not fit
            if exc.key == "area.choose_layer":
                raise InvalidArea("context_layer.choose_layer", **exc.params) from exc
            if exc.key == "area.no_polygons":
                raise InvalidArea("context_layer.no_features") from exc
            raise
    if frame.crs is None:
        raise InvalidArea("area.crs_missing")
    if len(frame) > MAX_CONTEXT_FEATURES:
        raise InvalidArea("context_layer.too_many", max=MAX_CONTEXT_FEATURES, n=len(frame))
    field = next((c for wanted in _LABEL_FIELDS for c in frame.columns if str(c).lower() == wanted), None)
    names = frame[field].tolist() if field else [None] * len(frame)
    kept = [
        (name, shapely.force_2d(g))
        for name, g in zip(names, frame.geometry, strict=True)
        if g is not None and not g.is_empty
    ]
    if not kept:
        raise InvalidArea("context_layer.no_features")
    vertices = int(sum(shapely.get_num_coordinates(g) for _, g in kept))
    if vertices > MAX_CONTEXT_VERTICES:
        raise InvalidArea("context_layer.too_detailed", max=MAX_CONTEXT_VERTICES, n=vertices)
    import geopandas

    projected = geopandas.GeoSeries([g for _, g in kept], crs=frame.crs).to_crs(WGS84)
    minlon, minlat, maxlon, maxlat = projected.total_bounds
    west, south, east, north = NORWAY
    if not (west <= minlon and south <= minlat and maxlon <= east and maxlat <= north):
        raise InvalidArea("area.outside_norway")
    geoms = np.asarray(projected.values, dtype=object)  # whole arrays: one GEOS call per step
    invalid = ~shapely.is_valid(geoms)
    geoms[invalid] = shapely.make_valid(geoms[invalid])
    geoms = shapely.set_precision(geoms, 10**-_CONTEXT_DECIMALS)
    shown = ~shapely.is_empty(geoms)
    if not shown.any():
        raise InvalidArea("context_layer.no_features")
    kinds = np.clip(shapely.get_dimensions(geoms[shown]), 0, 2)
    labels = [_label_text(name) for (name, _), keep in zip(kept, shown, strict=True) if keep]
    # the geometries' GeoJSON as GEOS writes it, put together as text (no parse and dump)
    features = ",".join(
        f'{{"type":"Feature","properties":{json.dumps({"label": label}, ensure_ascii=False)},"geometry":{geometry}}}'
        for label, geometry in zip(labels, shapely.to_geojson(geoms[shown]), strict=True)
    )
    counts = [int((kinds == dimension).sum()) for dimension in (0, 1, 2)]
    collection = f'{{"type":"FeatureCollection","features":[{features}]}}'
    return ContextFeatures(collection, *counts, _crs_name(frame.crs))


def _label_text(name: object) -> str:
    """A feature's name from the file as plain text (none: ``""``), at most 200 characters."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    return str(name).strip()[:200]


# -- coordinates for OGC API clients (ogcapi.py): CRSs by their URI, axis order as defined --

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/"


def crs_uri(epsg: int | None) -> str:
    """The OGC URI of a CRS: ``None`` is CRS84 (WGS84, longitude first: GeoJSON's own)."""
    return CRS84_URI if epsg is None else f"{_EPSG_URI}{epsg}"


def crs_from_uri(uri: str) -> int | None:
    """``None`` for CRS84, the EPSG code for an EPSG URI (also ``EPSG:n`` and ``[EPSG:n]``);
    ``ValueError`` for anything else."""
    value = uri.strip().strip("[]")
    if value in (CRS84_URI, "OGC:CRS84", "CRS84"):
        return None
    for prefix in (_EPSG_URI, "EPSG:"):
        if value.startswith(prefix) and value[len(prefix) :].isdigit():
            return int(value[len(prefix) :])
    raise ValueError(uri)


@cache
def lat_first(epsg: int | None) -> bool:
    """Whether the CRS's first axis is northing/latitude (EPSG:4326 is; CRS84 and
    EPSG:25832 are not): OGC API Part 2 writes coordinates in the CRS's own axis order."""
    if epsg is None:
        return False
    return CRS.from_epsg(epsg).axis_info[0].direction.lower() == "north"


def geometries_in(geometries, epsg: int | None, decimals: int | None = None):
    """WGS84 shapely geometries (``None`` stays ``None``) in ``epsg`` (``None``: CRS84), in
    that CRS's axis order, optionally rounded (GeoJSON of a metric CRS: centimetres)."""
    array = np.asarray(geometries, dtype=object)
    out = array if epsg is None or epsg == WGS84 else _projected(array, epsg)
    if lat_first(epsg):
        out = shapely.transform(out, lambda xy: xy[:, ::-1])
    if decimals is not None:
        out = shapely.transform(out, lambda xy: np.round(xy, decimals))
    return out


def bbox_to_wgs84(bbox: Sequence[float], epsg: int | None) -> tuple[float, float, float, float]:
    """A bbox ``(min x, min y, max x, max y)`` given in ``epsg`` (its own axis order) as
    ``(minlon, minlat, maxlon, maxlat)``, every edge densified so the box covers it."""
    a, b, c, d = (float(v) for v in bbox)
    if lat_first(epsg):
        a, b, c, d = b, a, d, c
    if epsg is None or epsg == WGS84:
        return a, b, c, d
    return _PROJ_THREAD.submit(_transformer(epsg, WGS84).transform_bounds, a, b, c, d, 21).result()


@cache
def is_projected(epsg: int) -> bool:
    """Whether the CRS is in metres (UTM) rather than degrees."""
    return CRS.from_epsg(epsg).is_projected
