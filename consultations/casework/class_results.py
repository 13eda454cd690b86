"""What the school classes said, for planners (and, once published, the public's summary
in ``public.class_result``): where the pupils walk and cycle (routes per 50 m cell), their
places by label, the dangerous crossings most of them mentioned, by class, grade and
transport mode.

Pure functions over ``Store.class_frame`` (one row per pupil input). A pupil is a browser
session's hash, never a name. The < 5 rule (``analysis.SMALL_GROUP``): a class, a grade or
a transport mode with fewer than five pupils is never shown on its own — small classes are
counted only in the totals of all classes — and every count of pupils under five is shown
as «< 5».
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import analysis
from .. import geo
from .analysis import SMALL_GROUP, Place, suppress_small
from ..config import current_profile
from ..model import GRADES, ClassPart, ClassSession, InputStatus, PlaceLabel, Transport

CELL_M = analysis.LINE_CELL_M  # the route-density grid, as the dashboard's
CROSSING_RADIUS_M = 40  # unsafe marks this close together are one place
CROSSINGS = 10  # the most mentioned, at most
ROUTE_PARTS = (ClassPart.SCHOOL.value, ClassPart.ACTIVITY.value)  # the Barnetråkk parts are no routes


@dataclass(frozen=True)
class Summary:
    pupils: int
    routes: int
    places: int
    by_transport: tuple[tuple[str, int | str], ...]  # Transport value → routes («< 5» under five)
    by_label: tuple[tuple[str, int | str], ...]  # PlaceLabel value → places
    by_grade: tuple[tuple[str, int | str], ...]  # grade → pupils


@dataclass(frozen=True)
class Crossing:
    """Unsafe places close together: one dangerous spot, how many marks and pupils, why."""

    marks: int
    pupils: int
    lat: float
    lon: float
    east: float
    north: float
    reasons: tuple[tuple[str, int], ...]  # unsafe label → marks, most first
    place: str | None  # the nearest named place
    place_distance_m: int | None
    input_ids: tuple[int, ...]


def counted(frame: pd.DataFrame) -> pd.DataFrame:
    """What the class views count: every pupil input a planner did not hide."""
    return frame[frame["status"] != InputStatus.HIDDEN.value].reset_index(drop=True)


def pupils(frame: pd.DataFrame) -> int:
    return int(frame["pupil"].nunique()) if len(frame) else 0


def shown_alone(frame: pd.DataFrame, sessions: Sequence[ClassSession]) -> list[ClassSession]:
    """The classes that may be shown on their own: five pupils or more took part."""
    per_class = frame.groupby("class_id")["pupil"].nunique() if len(frame) else pd.Series(dtype=int)
    return [s for s in sessions if int(per_class.get(s.id, 0)) >= SMALL_GROUP]


def grades_shown(frame: pd.DataFrame) -> list[str]:
    """Grades with five pupils or more, in school order."""
    per_grade = frame.groupby("grade")["pupil"].nunique() if len(frame) else pd.Series(dtype=int)
    return [g for g in GRADES if int(per_grade.get(g, 0)) >= SMALL_GROUP]


def transports_shown(frame: pd.DataFrame) -> list[str]:
    """Transport modes five pupils or more took to school."""
    routes = frame[frame["part"] == ClassPart.SCHOOL.value]
    per_mode = routes.groupby("transport")["pupil"].nunique() if len(routes) else pd.Series(dtype=int)
    return [m.value for m in Transport if int(per_mode.get(m.value, 0)) >= SMALL_GROUP]


def select(
    frame: pd.DataFrame,
    class_ids: Sequence[int] | None = None,
    grade: str | None = None,
    transport: str | None = None,
) -> pd.DataFrame:
    """Some classes, one grade, and/or the pupils who go to school by one ``transport``
    (their routes and their places)."""
    chosen = frame
    if class_ids is not None:
        chosen = chosen[chosen["class_id"].isin(list(class_ids))]
    if grade is not None:
        chosen = chosen[chosen["grade"] == grade]
    if transport is not None:
        school = chosen[(chosen["part"] == ClassPart.SCHOOL.value) & (chosen["transport"] == transport)]
        chosen = chosen[chosen["pupil"].isin(set(school["pupil"]))]
    return chosen.reset_index(drop=True)


def summary(frame: pd.DataFrame) -> Summary:
    routes = frame[frame["part"].isin(ROUTE_PARTS)]
    places = frame[frame["part"] == ClassPart.PLACE.value]
    school = routes[routes["part"] == ClassPart.SCHOOL.value]
    modes = school["transport"].value_counts()
    labels = places["label"].value_counts()
    per_grade = frame.groupby("grade")["pupil"].nunique() if len(frame) else pd.Series(dtype=int)
    return Summary(
        pupils=pupils(frame),
        routes=len(routes),
        places=len(places),
        by_transport=tuple((m.value, suppress_small(int(modes.get(m.value, 0)))) for m in Transport),
        by_label=tuple((lab.value, suppress_small(int(labels.get(lab.value, 0)))) for lab in PlaceLabel),
        by_grade=tuple((g, suppress_small(int(per_grade[g]))) for g in GRADES if g in per_grade.index),
    )


def route_density(frame: pd.DataFrame, cell_m: int = CELL_M, minimum: int = 1) -> pd.DataFrame:
    """Routes per ``cell_m`` cell (``analysis.line_density``: a route counts once in every
    cell it crosses); cells with fewer than ``minimum`` routes left out (the public's
    summary asks for five)."""
    cells = analysis.line_density(frame[frame["part"].isin(ROUTE_PARTS)], cell_m=cell_m)
    return cells[cells["count"] >= minimum].reset_index(drop=True)


def cell_rings(cells: pd.DataFrame, cell_m: int = CELL_M) -> np.ndarray:
    """The outline of each cell (``east``/``north`` its centre, working CRS) in WGS84:
    an array of shape (cells, 5, 2) of lon/lat, the first corner repeated (for maps)."""
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)], dtype=float) * cell_m / 2
    east = cells["east"].to_numpy(dtype=float)[:, None] + corners[None, :, 0]
    north = cells["north"].to_numpy(dtype=float)[:, None] + corners[None, :, 1]
    lon, lat = geo.from_working_crs(east.ravel(), north.ravel(), current_profile().working_crs)
    return np.stack([np.asarray(lon), np.asarray(lat)], axis=-1).reshape(len(cells), 5, 2)


def place_heat(
    frame: pd.DataFrame,
    labels: Sequence[str] = (),
    cell_m: int = CELL_M,
    minimum: int = 1,
) -> pd.DataFrame:
    """Places per ``cell_m`` cell, of some labels (all when none are given)."""
    places = frame[frame["part"] == ClassPart.PLACE.value]
    if labels:
        places = places[places["label"].isin(list(labels))]
    cells = analysis.density(places, cell_m)  # no places: no cells
    return cells[cells["count"] >= minimum].reset_index(drop=True)


def crossings(
    frame: pd.DataFrame,
    places: Sequence[Place] | None = None,
    radius_m: float = CROSSING_RADIUS_M,
    limit: int = CROSSINGS,
    min_pupils: int = 1,
) -> list[Crossing]:
    """The dangerous spots most pupils mentioned: «utrygt» places (traffic, dark, people)
    clustered (DBSCAN, ``radius_m``, a single mark is a spot too), each with the nearest
    named place; most pupils first, then most marks."""
    places = analysis.load_places() if places is None else places
    unsafe = frame[
        (frame["part"] == ClassPart.PLACE.value) & frame["label"].isin([lab.value for lab in PlaceLabel if lab.unsafe])
    ]
    unsafe = unsafe[unsafe["east"].notna()]
    if not len(unsafe):
        return []
    points = unsafe[["east", "north"]].to_numpy(dtype=float)
    from sklearn.cluster import DBSCAN  # here: scikit-learn is ~80 MB in every process that imports this

    labels = DBSCAN(eps=radius_m, min_samples=1).fit(points).labels_
    found = []
    for cluster in np.unique(labels):
        members = unsafe[labels == cluster]
        n_pupils = int(members["pupil"].nunique())
        if n_pupils < min_pupils:
            continue
        east, north = points[labels == cluster].mean(axis=0)
        lon, lat = geo.from_working_crs(east, north, current_profile().working_crs)
        reasons = members["label"].value_counts()
        reasons = reasons.sort_index().sort_values(ascending=False, kind="stable")
        place, distance = analysis.nearest_place(float(east), float(north), places)
        found.append(
            Crossing(
                marks=len(members),
                pupils=n_pupils,
                lat=float(lat),
                lon=float(lon),
                east=float(east),
                north=float(north),
                reasons=tuple((str(k), int(v)) for k, v in reasons.items()),
                place=place,
                place_distance_m=distance,
                input_ids=tuple(int(i) for i in members["id"]),
            )
        )
    found.sort(key=lambda c: (-c.pupils, -c.marks, c.input_ids[0]))
    return found[:limit]
