"""Published inputs and plan areas as open data: the one table behind the OGC API
(``ogcapi.py``), the GeoJSON/CSV downloads and the data description page (``web.py``).

Everything comes through ``public.py``: only published inputs of consultations the public
may see, their text masked as on the consultation page, and an answer only where the page
shows it (after the consultation, once staff published the answers). A record has no field
for a name, an address, an e-mail, a hidden reason or a session: they cannot leak by a
forgotten filter.

A collection is built once per data version (``Store.data_version``) and language and kept,
so paging through 10,000 inputs filters arrays instead of reading the database per page.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from . import export
from .. import geo
from ..participation import public
from ..config import Municipality
from ..i18n import t
from ..model import Consultation
from ..store import Store

INPUTS_PREFIX = "innspill-"
PLAN_AREAS = "planomrader"
WHOLE_AREA = "whole_area"  # the shape of an input about the whole plan area (no place)

# The properties of a published input, in the order of a CSV's columns. Every one is
# public on the consultation page already.
INPUT_PROPERTIES = (
    "reference",  # KI-000123, what the resident was told
    "category",  # as shown in the chosen language
    "text",  # personal data masked
    "shape",  # point, line, area or whole_area
    "size",  # metres of a line, square metres of an area
    "supports",
    "received",  # date (Europe/Oslo)
    "outcome",  # tatt_til_folge, … — only where the answers are published
    "answer",  # the administration's assessment, idem
    "plan_change",
)
PLAN_AREA_PROPERTIES = (
    "consultation",
    "title",
    "summary",
    "plan_type",
    "plan_id",
    "stage",
    "phase",
    "opens",
    "closes",
    "case_number",
    "inputs",
)
# The properties a client may filter on with ``?name=value`` (equality): every one
QUERYABLE = {"innspill": INPUT_PROPERTIES, PLAN_AREAS: PLAN_AREA_PROPERTIES}
NUMERIC = frozenset({"size", "supports"})  # compared as numbers (size=812 finds 812.0)


@dataclass(frozen=True)
class Collection:
    """A collection's features as columns: ``geometries`` in WGS84 (``None`` for an input
    about the whole area), ``bounds`` (minlon, minlat, maxlon, maxlat; NaN without a
    geometry), ``start``/``end`` the time each feature covers (epoch seconds)."""

    id: str
    title: str
    description: str
    ids: np.ndarray  # feature ids (int)
    properties: dict[str, list]
    geometries: np.ndarray
    bounds: np.ndarray
    start: np.ndarray
    end: np.ndarray
    consultation: Consultation | None = None  # in the language asked for; None: plan areas
    extent: tuple[float, float, float, float] | None = None  # of the plan area(s)
    _index: dict[int, int] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, feature_id: int) -> int | None:
        if not self._index:
            self._index.update({int(f): i for i, f in enumerate(self.ids)})
        return self._index.get(feature_id)

    def select(
        self,
        bbox: tuple[float, float, float, float] | None = None,
        interval: tuple[datetime | None, datetime | None] | None = None,
        equals: Mapping[str, str] | None = None,
    ) -> np.ndarray:
        """Positions of the features that meet every filter, in the collection's order.
        ``bbox`` in WGS84 (a feature without a geometry is outside every box); ``interval``
        open at either end (``None``); ``equals`` exact values of queryable properties."""
        keep = np.ones(len(self.ids), dtype=bool)
        if bbox is not None:
            minx, miny, maxx, maxy = bbox
            b = self.bounds
            with np.errstate(invalid="ignore"):
                keep &= (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
        if interval is not None:
            since, until = interval
            if since is not None:
                keep &= self.end >= since.timestamp()
            if until is not None:
                keep &= self.start <= until.timestamp()
        for name, value in (equals or {}).items():
            column = self.properties[name]
            if name in NUMERIC:  # the caller checked that value is a number
                wanted = float(value)
                found = (v is not None and float(v) == wanted for v in column)
            else:
                found = (v is not None and str(v) == value for v in column)
            keep &= np.fromiter(found, bool, len(column))
        return np.flatnonzero(keep)

    def feature(self, i: int, geometry: BaseGeometry | None) -> dict:
        """Feature ``i`` as GeoJSON, with ``geometry`` (already in the CRS asked for)."""
        return {
            "type": "Feature",
            "id": int(self.ids[i]),
            "geometry": mapping(geometry) if geometry is not None else None,
            "properties": {name: values[i] for name, values in self.properties.items()},
        }

    def features(self, positions: Sequence[int], epsg: int | None = None, decimals: int | None = None) -> list[dict]:
        """The features at ``positions`` as GeoJSON in ``epsg`` (``None``: CRS84)."""
        geometries = geo.geometries_in(self.geometries[list(positions)], epsg, decimals)
        return [self.feature(i, g) for i, g in zip(positions, geometries, strict=True)]


def decimals_for(epsg: int | None) -> int:
    """Coordinates written to about a centimetre: 7 decimals of a degree, 2 of a metre."""
    return 7 if epsg is None or not geo.is_projected(epsg) else 2


# -- building collections ------------------------------------------------------------------


def _epoch(when: datetime) -> float:
    return when.timestamp()


def _bounds(geometries: np.ndarray) -> np.ndarray:
    if len(geometries) == 0:
        return np.empty((0, 4))
    return shapely.bounds(geometries)  # NaN rows for None


def _local_date(when: datetime) -> str:
    from ..i18n import LOCAL_TZ

    return when.astimezone(LOCAL_TZ).date().isoformat()


def inputs_collection(store: Store, c: Consultation, lang: str, now: datetime) -> Collection:
    """The published inputs of ``c`` (a consultation the public may see), oldest first."""
    answers = public.answers_shown(store, c, now)
    shown = c.in_language(lang)
    labels = c.labels(lang)
    outcomes = public.outcomes(store, c.id, lang)
    columns: dict[str, list] = {name: [] for name in INPUT_PROPERTIES}
    geometries: list[BaseGeometry | None] = []
    for o in outcomes:
        item = o.input
        response = o.response if answers else None
        if item.drawing is not None:
            geometry: BaseGeometry | None = shape(json.loads(item.drawing))
        elif item.has_location:
            geometry = Point(item.lon, item.lat)
        else:
            geometry = None
        geometries.append(geometry)
        columns["reference"].append(item.reference)
        columns["category"].append(labels.category(item.category))
        columns["text"].append(item.text)
        columns["shape"].append(item.shape.value if item.has_location else WHOLE_AREA)
        columns["size"].append(round(item.measure, 1) if item.measure is not None else None)
        columns["supports"].append(item.supports)
        columns["received"].append(_local_date(item.created_at))
        columns["outcome"].append(response.outcome.value if response else None)
        columns["answer"].append(response.assessment if response else None)
        columns["plan_change"].append((response.plan_change or None) if response else None)
    array = np.empty(len(geometries), dtype=object)
    array[:] = geometries
    times = np.array([_epoch(o.input.created_at) for o in outcomes], dtype=float)
    return Collection(
        id=INPUTS_PREFIX + c.id,
        title=t("opendata.inputs_title", lang, title=shown.title),
        description=t("opendata.inputs_description", lang, title=shown.title),
        ids=np.array([o.input.id for o in outcomes], dtype=np.int64),
        properties=columns,
        geometries=array,
        bounds=_bounds(array),
        start=times,
        end=times,
        consultation=shown,
        extent=geo.bounds(c.area),
    )


def plan_areas_collection(store: Store, lang: str, now: datetime, link: Callable[[str], str]) -> Collection:
    """The plan areas of every consultation the public may see; ``link(id)`` is the
    address of a consultation's page."""
    found = public.consultations(store, now)
    columns: dict[str, list] = {name: [] for name in PLAN_AREA_PROPERTIES}
    for c in found:
        shown = c.in_language(lang)
        columns["consultation"].append(c.id)
        columns["title"].append(shown.title)
        columns["summary"].append(shown.summary)
        columns["plan_type"].append(c.plan_type.value)
        columns["plan_id"].append(c.plan_id or None)
        columns["stage"].append(c.stage.value)
        columns["phase"].append(c.phase(now).value)
        columns["opens"].append(c.opens_at.isoformat())
        columns["closes"].append(c.closes_at.isoformat())
        columns["case_number"].append(c.case_number or None)
        columns["inputs"].append(INPUTS_PREFIX + c.id)
    columns["link"] = [link(c.id) for c in found]
    array = np.empty(len(found), dtype=object)
    array[:] = [c.area for c in found]
    bounds = _bounds(array)
    extent = (
        (float(bounds[:, 0].min()), float(bounds[:, 1].min()), float(bounds[:, 2].max()), float(bounds[:, 3].max()))
        if len(found)
        else None
    )
    return Collection(
        id=PLAN_AREAS,
        title=t("opendata.plan_areas_title", lang),
        description=t("opendata.plan_areas_description", lang),
        ids=np.arange(1, len(found) + 1, dtype=np.int64),
        properties=columns,
        geometries=array,
        bounds=bounds,
        start=np.array([_epoch(c.opens_at) for c in found], dtype=float),
        end=np.array([_epoch(c.closes_at) for c in found], dtype=float),
        extent=extent,
    )


class Collections:
    """The collections of one store, each built once per data version and language."""

    _KEPT = 64  # collections kept; a version's collections are all dropped at the next

    def __init__(self, store: Store, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.clock = clock
        self._lock = threading.Lock()
        self._kept: dict[tuple, Collection] = {}

    def _cached(self, key: tuple, build: Callable[[], Collection]) -> Collection:
        key = (self.store.data_version, *key)
        with self._lock:
            found = self._kept.get(key)
        if found is not None:
            return found
        built = build()
        with self._lock:
            if len(self._kept) >= self._KEPT or any(k[0] != key[0] for k in self._kept):
                self._kept.clear()
            self._kept[key] = built
        return built

    def consultations(self) -> list[Consultation]:
        return public.consultations(self.store, self.clock())

    def inputs(self, consultation_id: str, lang: str) -> Collection | None:
        """``None`` for a consultation the public may not see (or none of that id)."""
        now = self.clock()
        found = {c.id: c for c in self.consultations()}.get(consultation_id)
        if found is None:
            return None
        # whether answers are shown changes with the clock (the frist passes), not the data
        answers = public.answers_shown(self.store, found, now)
        return self._cached(
            ("inputs", consultation_id, lang, answers), lambda: inputs_collection(self.store, found, lang, now)
        )

    def plan_areas(self, lang: str, link: Callable[[str], str], base: str) -> Collection:
        now = self.clock()
        phases = tuple(c.phase(now) for c in self.consultations())  # phases move with the clock
        return self._cached(
            ("plan_areas", lang, base, phases), lambda: plan_areas_collection(self.store, lang, now, link)
        )

    def get(self, collection_id: str, lang: str, link: Callable[[str], str], base: str) -> Collection | None:
        if collection_id == PLAN_AREAS:
            return self.plan_areas(lang, link, base)
        if collection_id.startswith(INPUTS_PREFIX):
            return self.inputs(collection_id[len(INPUTS_PREFIX) :], lang)
        return None


# -- downloads -----------------------------------------------------------------------------


def licence(profile: Municipality) -> tuple[str, str]:
    """The open-data licence's name and address (the profile's ``[open_data]``)."""
    return profile.open_data_licence, profile.open_data_licence_url


def geojson_download(collection: Collection, profile: Municipality) -> bytes:
    """Every feature as one GeoJSON FeatureCollection (RFC 7946: WGS84, longitude first),
    with the licence as a foreign member."""
    name, url = licence(profile)
    document = {
        "type": "FeatureCollection",
        "name": collection.id,
        "license": {"name": name, "url": url},
        "publisher": profile.name,
        "features": collection.features(range(len(collection)), None, decimals_for(None)),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def csv_download(collection: Collection, profile: Municipality) -> bytes:
    """Every feature as a CSV row, written as every CSV of the app (``export.rows_to_csv``:
    Norwegian Excel, no formulas): the properties, then where it is — ``lon``/``lat`` (a
    point on it, WGS84), ``east``/``north`` in the working CRS and the whole drawn route or
    area as WKT (WGS84)."""
    working = profile.working_crs
    points = np.empty(len(collection), dtype=object)
    points[:] = [
        None if g is None else (g if g.geom_type == "Point" else g.representative_point())
        for g in collection.geometries
    ]
    projected = geo.geometries_in(points, working, 2)
    names = list(collection.properties)
    header = ["id", *names, "lon", "lat", f"east_{working}", f"north_{working}", "wkt"]
    rows = []
    for i in range(len(collection)):
        point, there, geometry = points[i], projected[i], collection.geometries[i]
        place = (
            [round(point.x, 7), round(point.y, 7), there.x, there.y, shapely.to_wkt(geometry, rounding_precision=7)]
            if point is not None
            else [None] * 5
        )
        rows.append([int(collection.ids[i]), *(collection.properties[n][i] for n in names), *place])
    return export.rows_to_csv(header, rows)
