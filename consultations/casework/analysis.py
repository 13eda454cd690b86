"""Summaries of a consultation's inputs for planners: counts, time line, density, hotspots,
who took part and what was supported.

Pure functions over ``Store.analysis_frame`` (one row per input). Callers filter first
(``filter_frame``) and summarise the filtered set. Text mining (keywords, themes,
near-duplicates) lives in ``themes.py``: it is slower and computed on demand.

Times in the frame are naive UTC; every date a planner sees or chooses is a Norwegian
local date. East/north are metres in the profile's working CRS (as the store keeps them),
where grids and distances are computed; functions that go back to lon/lat take that CRS as
``epsg`` (default: the configured profile's).

Drawn routes and areas (``drawing``, GeoJSON in WGS84) count as inputs at their point (on
the line, inside the area) for every point-based summary; ``line_density`` counts the
routes themselves, cell by cell.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from .. import geo
from ..config import Municipality, current_profile
from ..i18n import LOCAL_TZ
from ..model import AGE_GROUPS, RELATIONS, Channel, Shape
from ..store import ANALYSIS_FRAME  # noqa: F401  (the contract of the frame read here, named here too)

GEODATA = Path(__file__).resolve().parent.parent.parent / "geodata"
LINE_CELL_M = 50  # the line-density grid: where routes run most
# Groups smaller than this are shown as "< 5" so that no one can be singled out.
SMALL_GROUP = 5
SMALL_LABEL = f"< {SMALL_GROUP}"
NOT_ANSWERED = "not_answered"  # demographics label for inputs without the profile answer
# Hotspot positions are snapped to a grid of radius/SNAP before clustering, so the cost
# depends on the occupied cells, not on the number of inputs (100k inputs in 0.6 km²
# would give every point ~20k neighbours). At 200 m the snap moves a point ≤ 14 m.
SNAP = 10
TOP_CATEGORIES = 3


@dataclass(frozen=True)
class Totals:
    inputs: int
    sessions: int  # distinct browser sessions; an input without one (a letter) counts alone
    supports: int
    with_location: int
    share: float  # of inputs with a location, 0–1; 0 when there are no inputs
    by_channel: dict[str, int]  # in Channel order, channels with inputs only
    photos: int = 0  # sent with the inputs (attachments.check_photos)
    # inputs with a place, by what was put on the map: a pin, a drawn route, a drawn area
    points: int = 0
    lines: int = 0
    areas: int = 0


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    lat: float
    lon: float
    east: float
    north: float


@dataclass(frozen=True)
class Hotspot:
    size: int
    lat: float  # mean position of its inputs
    lon: float
    east: float
    north: float
    categories: tuple[tuple[str, int], ...]  # the main ones, most inputs first
    place: str | None  # nearest named place
    place_distance_m: int | None
    input_ids: tuple[int, ...]
    street: str | None = None  # the nearest street (address register), when one is given

    @property
    def name(self) -> str | None:
        """«Bondivannsveien, Borgen»: the nearest street and named place, as far as known."""
        parts = [p for p in (self.street, self.place) if p]
        return ", ".join(dict.fromkeys(parts)) or None


@dataclass(frozen=True)
class Dashboard:
    totals: Totals
    per_category: pd.DataFrame
    per_day: pd.DataFrame
    density: pd.DataFrame
    hotspots: list[Hotspot]
    demographics: dict[str, pd.DataFrame]
    most_supported: pd.DataFrame
    line_density: pd.DataFrame | None = None  # routes per LINE_CELL_M cell (line_density)
    areas: pd.DataFrame | None = None  # the drawn areas (drawn_areas)


# -- filtering ---------------------------------------------------------------------------


def local_days(created_at: pd.Series) -> pd.Series:
    """Naive-UTC timestamps as Norwegian local midnights (datetime64, cheap to compare)."""
    return pd.to_datetime(created_at).dt.tz_localize("UTC").dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).dt.normalize()


def filter_frame(
    frame: pd.DataFrame,
    *,
    statuses: Sequence[str] = (),
    categories: Sequence[str] = (),
    channels: Sequence[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    text: str = "",
    has_location: bool | None = None,
    responded: bool | None = None,
) -> pd.DataFrame:
    """The inputs that pass every given filter; an empty or ``None`` filter lets all pass.
    Dates are Norwegian local dates, both ends included; ``text`` is a case-insensitive
    substring of the text or the sender's name, or the merknad's reference; ``responded`` means the input has a planner's response with an outcome
    (merknadsbehandling; residents' ``answers`` to questions are another thing)."""
    keep = pd.Series(True, index=frame.index)
    for column, values in (("status", statuses), ("category", categories), ("channel", channels)):
        if values:
            keep &= frame[column].isin([str(v) for v in values])
    if date_from is not None or date_to is not None:
        days = local_days(frame["created_at"])
        if date_from is not None:
            keep &= days >= pd.Timestamp(date_from)
        if date_to is not None:
            keep &= days <= pd.Timestamp(date_to)
    if text.strip():
        keep &= _matching(frame, text.strip())
    if has_location is not None:
        keep &= frame["lat"].notna() == has_location
    if responded is not None:
        keep &= frame["outcome"].notna() == responded
    return frame[keep]


_REFERENCE = re.compile(r"(?:KI-?)?0*(\d{1,9})", re.IGNORECASE)


def _matching(frame: pd.DataFrame, text: str) -> pd.Series:
    """Rows whose text or sender contains ``text`` (any case), or whose reference it is
    («KI-000123», «ki-123», «123»): among 10,000 merknader a planner finds one by the number
    the sender quotes."""
    found = frame["text"].str.contains(text, case=False, regex=False, na=False)
    if "sender_name" in frame:
        found |= frame["sender_name"].str.contains(text, case=False, regex=False, na=False)
    if (number := _REFERENCE.fullmatch(text)) is not None:
        found |= frame["id"] == int(number.group(1))
    return found


# -- counts ------------------------------------------------------------------------------


def totals(frame: pd.DataFrame) -> Totals:
    n = len(frame)
    sessions = frame["session_hash"]
    located = int(frame["lat"].notna().sum())
    counts = frame["channel"].value_counts()
    order = [c.value for c in Channel] + sorted(set(counts.index) - {c.value for c in Channel})
    kinds = shapes(frame)
    return Totals(
        inputs=n,
        sessions=int(sessions.nunique(dropna=True) + sessions.isna().sum()),
        supports=int(frame["supports"].sum()),
        with_location=located,
        share=located / n if n else 0.0,
        by_channel={c: int(counts[c]) for c in order if c in counts.index},
        photos=int(frame["photos"].sum()) if "photos" in frame else 0,
        points=int((kinds == Shape.POINT.value).sum()),
        lines=int((kinds == Shape.LINE.value).sum()),
        areas=int((kinds == Shape.AREA.value).sum()),
    )


def shapes(frame: pd.DataFrame) -> pd.Series:
    """Per input what it put on the map: ``point``, ``line``, ``area`` (``Shape`` values),
    or ``None`` for an input without a place (the whole area)."""
    kinds = pd.Series(np.where(frame["lat"].notna(), Shape.POINT.value, None), index=frame.index, dtype=object)
    if "drawing" in frame:
        drawn = frame["drawing"].notna()
        # the store writes drawings with shapely.to_geojson: the type comes first, spelled so
        is_line = frame["drawing"].str.contains('"LineString"', regex=False, na=False)
        kinds[drawn & is_line] = Shape.LINE.value
        kinds[drawn & ~is_line] = Shape.AREA.value
    return kinds


def per_category(frame: pd.DataFrame, categories: Sequence[str] = ()) -> pd.DataFrame:
    """Inputs and supports per category: in the consultation's order when ``categories``
    is given (every one of them, zeros included, then any others), else most inputs first."""
    grouped = frame.groupby("category", sort=False).agg(inputs=("id", "size"), supports=("supports", "sum"))
    if categories:
        extra = sorted(set(grouped.index) - set(categories))
        grouped = grouped.reindex([*categories, *extra], fill_value=0)
    else:
        grouped = (
            grouped.reset_index().sort_values(["inputs", "category"], ascending=[False, True]).set_index("category")
        )
    result = grouped.rename_axis("category").reset_index()
    return result.astype({"inputs": "int64", "supports": "int64"})


def per_day(frame: pd.DataFrame, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Inputs per Norwegian local day, every day from ``start`` to ``end`` (default: the
    first and last day with inputs) with zeros; inputs outside the range are left out."""
    days = local_days(frame["created_at"])
    if start is None or end is None:
        if days.empty:
            return pd.DataFrame({"day": pd.Series(dtype=object), "inputs": pd.Series(dtype="int64")})
        start = start or days.min().date()
        end = end or days.max().date()
    index = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    counts = days.value_counts().reindex(index, fill_value=0)
    return pd.DataFrame({"day": index.date, "inputs": counts.to_numpy(dtype="int64")})


def suppress_small(n: int) -> int | str:
    """``"< 5"`` for 1–4, the number otherwise. A zero is shown as 0: it points at nobody."""
    return SMALL_LABEL if 0 < n < SMALL_GROUP else int(n)


def demographics(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Counts per age group and per relation to the area, small groups as ``"< 5"``.
    Every known group is listed in the model's order (zeros as 0), then any other stored
    value, then ``NOT_ANSWERED`` for inputs without the answer (when there are any)."""
    result = {}
    for column, known in (("age_group", AGE_GROUPS), ("relation", RELATIONS)):
        counts = frame[column].value_counts()
        labels = [*known, *sorted(set(counts.index) - set(known))]
        rows = [(label, int(counts.get(label, 0))) for label in labels]
        missing = int(frame[column].isna().sum())
        if missing:
            rows.append((NOT_ANSWERED, missing))
        counts_shown = pd.Series([suppress_small(count) for _, count in rows], dtype=object)
        result[column] = pd.DataFrame({"label": [label for label, _ in rows], "count": counts_shown})
    return result


def most_supported(frame: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` inputs with the most supports (ties: earliest first); unsupported ones never."""
    supported = frame[frame["supports"] > 0]
    top = supported.sort_values(["supports", "created_at", "id"], ascending=[False, True, True])
    columns = ["id", "created_at", "category", "text", "status", "supports"]
    return top.head(n)[columns].reset_index(drop=True)


# -- where -------------------------------------------------------------------------------


def _epsg(epsg: int | None) -> int:
    return current_profile().working_crs if epsg is None else epsg


def _to_wgs84(east: np.ndarray, north: np.ndarray, epsg: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(lat, lon)`` arrays for working-CRS metres."""
    lon, lat = geo.from_working_crs(east, north, _epsg(epsg))
    return np.asarray(lat), np.asarray(lon)


def _located(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["east"].notna() & frame["north"].notna()]


def density(frame: pd.DataFrame, cell_m: int = 250, epsg: int | None = None) -> pd.DataFrame:
    """Inputs per square cell of ``cell_m`` metres (cells with inputs only). A cell holds
    ``[k·cell_m, (k+1)·cell_m)`` in east and north; its centre is given in both CRSs."""
    located = _located(frame)
    ix = np.floor_divide(located["east"].to_numpy(dtype=float), cell_m).astype(np.int64)
    iy = np.floor_divide(located["north"].to_numpy(dtype=float), cell_m).astype(np.int64)
    cells, counts = np.unique(np.stack([ix, iy], axis=1), axis=0, return_counts=True)
    east = (cells[:, 0] + 0.5) * cell_m
    north = (cells[:, 1] + 0.5) * cell_m
    lat, lon = _to_wgs84(east, north, epsg) if len(cells) else (np.empty(0), np.empty(0))
    return pd.DataFrame({"east": east, "north": north, "lat": lat, "lon": lon, "count": counts.astype("int64")})


def _drawn(frame: pd.DataFrame, shape: Shape) -> pd.DataFrame:
    if "drawing" not in frame:
        return frame.iloc[:0]
    return frame[shapes(frame) == shape.value]


def line_density(frame: pd.DataFrame, epsg: int | None = None, cell_m: int = LINE_CELL_M) -> pd.DataFrame:
    """Where drawn routes run most: per square cell of ``cell_m`` metres in the working CRS
    (``[k·cell_m, (k+1)·cell_m)`` in east and north), how many distinct routes cross it —
    a route counts once in a cell however often it winds through, and a cell it only
    touches at a point does not count. Cells with routes only, the busiest first; each
    with its centre (east/north, lat/lon) and its outline in WGS84 (``ring``, for maps)."""
    epsg = _epsg(epsg)
    columns = {"east": float, "north": float, "lat": float, "lon": float, "count": "int64", "ring": object}
    lines = _drawn(frame, Shape.LINE)
    if lines.empty:
        return pd.DataFrame({k: pd.Series(dtype=v) for k, v in columns.items()})
    projected = geo.project_geometries(shapely.from_geojson(lines["drawing"].to_numpy(dtype=object)), epsg)
    # Cut every route into steps of at most a cell: a step's bounding box then spans at
    # most 2 × 2 cells, and those are tested exactly (Liang–Barsky clipping, in numpy).
    coords, owner = shapely.get_coordinates(shapely.segmentize(projected, cell_m), return_index=True)
    same = owner[1:] == owner[:-1]
    start, end, route = coords[:-1][same], coords[1:][same], owner[:-1][same]
    low = np.floor_divide(np.minimum(start, end), cell_m).astype(np.int64)
    candidates = [low + (di, dj) for di in (0, 1) for dj in (0, 1)]
    cell = np.concatenate(candidates)
    a, b, route = np.tile(start, (4, 1)), np.tile(end, (4, 1)), np.tile(route, 4)
    crossed_at = _clipped(a, b, cell * cell_m, (cell + 1) * cell_m)
    cell, route = cell[crossed_at], route[crossed_at]
    # one count per route and cell, however often the route winds through it
    origin = cell.min(axis=0)
    span = cell.max(axis=0) - origin + 1
    flat = (cell[:, 0] - origin[0]) * span[1] + (cell[:, 1] - origin[1])
    pairs = np.unique(route.astype(np.int64) * int(span[0] * span[1]) + flat)
    ids, counts = np.unique(pairs % int(span[0] * span[1]), return_counts=True)
    crossed = np.column_stack([ids // span[1] + origin[0], ids % span[1] + origin[1]])
    order = np.lexsort((crossed[:, 1], crossed[:, 0], -counts))
    crossed, counts = crossed[order], counts[order]
    east, north = (crossed[:, 0] + 0.5) * cell_m, (crossed[:, 1] + 0.5) * cell_m
    lat, lon = _to_wgs84(east, north, epsg)
    corners = np.array([(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)], dtype=float)
    xs = (crossed[:, 0, None] + corners[None, :, 0]) * cell_m
    ys = (crossed[:, 1, None] + corners[None, :, 1]) * cell_m
    ring_lon, ring_lat = geo.from_working_crs(xs.ravel(), ys.ravel(), epsg)
    rings = np.round(np.stack([ring_lon, ring_lat], axis=-1).reshape(len(crossed), 5, 2), 6)
    return pd.DataFrame(
        {
            "east": east,
            "north": north,
            "lat": lat,
            "lon": lon,
            "count": counts.astype("int64"),
            "ring": [r.tolist() for r in rings],
        }
    )


def _clipped(a: np.ndarray, b: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Whether each segment ``a``–``b`` runs a positive length inside its box
    ``[low, high]`` (Liang–Barsky: the part of the segment between entering and leaving)."""
    d = b - a
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    for axis in (0, 1):
        moving = d[:, axis] != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ta = (low[:, axis] - a[:, axis]) / d[:, axis]
            tb = (high[:, axis] - a[:, axis]) / d[:, axis]
        enter, leave = np.minimum(ta, tb), np.maximum(ta, tb)
        t0 = np.where(moving, np.maximum(t0, enter), t0)
        t1 = np.where(moving, np.minimum(t1, leave), t1)
        # a segment parallel to this axis is inside only between the box's two sides
        outside = ~moving & ((a[:, axis] < low[:, axis]) | (a[:, axis] > high[:, axis]))
        t1 = np.where(outside, -1.0, t1)
    length = np.hypot(d[:, 0], d[:, 1])
    return (t1 - t0) * length > 1e-6


def density_classes(counts: Sequence[int], n: int = 4) -> list[tuple[int, int]]:
    """Up to ``n`` legend classes ``(low, high)`` (both included) that split ``counts``
    (routes per cell) from 1 to the busiest cell: ``[(1, 2), (3, 4), (5, 7), (8, 9)]`` for 9."""
    peak = max((int(c) for c in counts), default=0)
    if peak <= 0:
        return []
    bounds = sorted({max(1, round(peak * k / n)) for k in range(1, n + 1)})
    classes, low = [], 1
    for high in bounds:
        if high >= low:
            classes.append((low, high))
            low = high + 1
    return classes


def drawn_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """The drawn areas of the frame: ``id``, ``category``, ``measure`` (m²), ``drawing``."""
    return _drawn(frame, Shape.AREA)[["id", "category", "measure", "drawing"]].reset_index(drop=True)


@cache
def _places(path: Path, epsg: int) -> tuple[Place, ...]:
    if not path.is_file():
        return ()
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    places = []
    for row in rows:
        lat, lon = float(row["lat"]), float(row["lon"])
        east, north = geo.to_working_crs(lon, lat, epsg)
        places.append(Place(row["name"], row["kind"], lat, lon, east, north))
    return tuple(places)


def load_places(profile: Municipality | None = None) -> tuple[Place, ...]:
    """The profile's named places (its ``places`` file, a ``name,kind,lat,lon`` CSV in
    WGS84 in geodata/), with their metres in its working CRS; the configured profile's by
    default, none when it names no file."""
    profile = profile or current_profile()
    if not profile.places:
        return ()
    return _places(GEODATA / profile.places, profile.working_crs)


def hotspots(
    frame: pd.DataFrame,
    places: Sequence[Place] = (),
    radius_m: float = 200,
    min_size: int = 5,
    epsg: int | None = None,
    split_m: float | None = None,
    streets: Sequence[Place] = (),
) -> list[Hotspot]:
    """Spatial clusters of inputs, largest first: DBSCAN (eps ``radius_m``, at least
    ``min_size`` inputs around a core point) on positions snapped to a radius/10 grid and
    weighted by the inputs in each snapped cell.

    DBSCAN chains neighbours: where inputs lie everywhere (a small plan area), it gives one
    cluster as large as the area, which says nothing. A cluster wider than ``split_m``
    (default 2 × ``radius_m``) is therefore split into compact parts, none wider than
    ``split_m`` (complete-linkage clustering of its cells), and the parts with at least
    ``min_size`` inputs are the hotspots. Each is named by the nearest place in ``places``
    and, when ``streets`` (``places.street_places``) are given, the nearest street."""
    located = _located(frame)
    if len(located) < min_size:
        return []
    split_m = 2 * radius_m if split_m is None else split_m
    points = located[["east", "north"]].to_numpy(dtype=float)
    snap = radius_m / SNAP
    snapped = np.floor_divide(points, snap).astype(np.int64)
    cells, cell_of, weight = np.unique(snapped, axis=0, return_inverse=True, return_counts=True)
    centres = (cells + 0.5) * snap
    from sklearn.cluster import DBSCAN  # here: scikit-learn is ~80 MB in every process that imports this

    clusters = DBSCAN(eps=radius_m, min_samples=min_size).fit(centres, sample_weight=weight)
    cell_labels = _split_wide(centres, clusters.labels_, split_m)
    labels = cell_labels[cell_of.reshape(-1)]
    found = []
    ids = located["id"].to_numpy()
    categories = located["category"].to_numpy()
    for label in np.unique(labels[labels >= 0]):
        members = labels == label
        if members.sum() < min_size:
            continue
        east, north = points[members].mean(axis=0)
        (lat,), (lon,) = _to_wgs84(np.array([east]), np.array([north]), epsg)
        cats = pd.Series(categories[members]).value_counts()
        cats = cats.sort_index().sort_values(ascending=False, kind="stable").head(TOP_CATEGORIES)
        place, distance = _nearest(places, east, north)
        found.append(
            Hotspot(
                size=int(members.sum()),
                lat=float(lat),
                lon=float(lon),
                east=float(east),
                north=float(north),
                categories=tuple((str(c), int(k)) for c, k in cats.items()),
                place=place,
                place_distance_m=distance,
                input_ids=tuple(int(i) for i in ids[members]),
                street=_nearest(streets, east, north)[0],
            )
        )
    return sorted(found, key=lambda h: (-h.size, h.input_ids[0]))


SPLIT_CELLS_MAX = 3_000  # complete linkage is O(n²) in memory: coarser cells above this


def _split_wide(centres: np.ndarray, labels: np.ndarray, split_m: float) -> np.ndarray:
    """``labels`` (one per cell, -1 noise) with every cluster wider than ``split_m`` cut
    into parts no wider than it (complete linkage: a part's farthest two cells are at
    most ``split_m`` apart); parts get new label numbers."""
    from sklearn.cluster import AgglomerativeClustering

    out = labels.copy()
    following = int(labels.max()) + 1 if len(labels) else 0
    for label in np.unique(labels[labels >= 0]):
        index = np.flatnonzero(labels == label)
        span = centres[index].max(axis=0) - centres[index].min(axis=0)
        if len(index) < 2 or float(np.hypot(*span)) <= split_m:
            continue
        pts, back = centres[index], np.arange(len(index))
        if len(index) > SPLIT_CELLS_MAX:  # coarser cells, the parts then drawn on them
            coarse = split_m / 8
            pts, back = np.unique(np.floor_divide(pts, coarse), axis=0, return_inverse=True)
            pts, back = (pts + 0.5) * coarse, back.reshape(-1)
        parts = AgglomerativeClustering(n_clusters=None, distance_threshold=split_m, linkage="complete").fit_predict(
            pts
        )
        out[index] = following + parts[back]
        following += int(parts.max()) + 1
    return out


def nearest_place(east: float, north: float, places: Sequence[Place] | None = None) -> tuple[str | None, int | None]:
    """The nearest named place and its distance in metres (working CRS)."""
    return _nearest(load_places() if places is None else places, east, north)


def _nearest(places: Sequence[Place], east: float, north: float) -> tuple[str | None, int | None]:
    if not places:
        return None, None
    distances = [np.hypot(p.east - east, p.north - north) for p in places]
    k = int(np.argmin(distances))
    return places[k].name, int(round(distances[k]))


# -- everything at once ------------------------------------------------------------------


def dashboard(
    frame: pd.DataFrame,
    categories: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    places: Sequence[Place] | None = None,
    epsg: int | None = None,
) -> Dashboard:
    """Every summary of the (filtered) frame except themes, which are computed on demand.
    ``epsg``: the working CRS the frame's east/north are in (default: the profile's)."""
    epsg = _epsg(epsg)
    return Dashboard(
        totals=totals(frame),
        per_category=per_category(frame, categories),
        per_day=per_day(frame, start, end),
        density=density(frame, epsg=epsg),
        hotspots=hotspots(frame, load_places() if places is None else places, epsg=epsg),
        demographics=demographics(frame),
        most_supported=most_supported(frame),
        line_density=line_density(frame, epsg),
        areas=drawn_areas(frame),
    )
