"""How the medvirkning was run, and whom it did not reach.

«Slik gjennomførte vi medvirkningen»: the activities planners record (date, place, kind —
møte, skolebesøk, åpen kontordag, digital — and how many came, when counted).

«Hvem hørte vi ikke fra»: computed from the participation figures (per person, as the
report counts them): the age groups and the named places near the plan area from which
fewer than five took part. When the under-18s are among them, the note on plan- og
bygningsloven § 5-1 second paragraph (a special duty toward children and young people)
and the suggestion to run a school class (``classes``) — unless classes already took
part. People are browser sessions: one person on two devices counts twice, a household
on one device once, so every figure is «about», and a count of participants «at least».
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import shapely

from ..casework import analysis
from .. import geo
from ..casework.analysis import SMALL_GROUP, Place
from ..errors import InvalidConsultation
from ..model import AGE_GROUPS, ActivityKind, Consultation, Role, User
from ..permissions import require
from ..store import Store
from ..text import clean_text

PLACE_MAX = 200
ATTENDED_MAX = 100_000
NEAR_AREA_M = 1_500  # named places this close to the plan area are its neighbourhoods
UNKNOWN_SHARE = 0.3  # more «ikke oppgitt» than this: the age figures say little
YOUNG = ("under_18",)


class InvalidActivity(InvalidConsultation):
    """An activity was refused; nothing was stored."""


@dataclass(frozen=True)
class Activity:
    id: int
    held_on: date
    place: str
    kind: str  # an ActivityKind value
    attended: int | None  # how many came, when counted


def activities(store: Store, consultation_id: str) -> list[Activity]:
    return [Activity(*row) for row in store.activities(consultation_id)]


def add_activity(
    store: Store,
    consultation_id: str,
    *,
    held_on: date | None,
    place: str | None,
    kind: str | None,
    attended: int | None,
    actor: User,
) -> int:
    """Record a meeting, a school visit, an open office day or a digital activity."""
    who = require(store, actor, Role.PLANNER)
    place = clean_text(place or "").strip()
    if not isinstance(held_on, date):
        raise InvalidActivity("activities.error.date")
    if kind not in {k.value for k in ActivityKind}:
        raise InvalidActivity("activities.error.kind")
    if not place:
        raise InvalidActivity("activities.error.place")
    if len(place) > PLACE_MAX:
        raise InvalidActivity("activities.error.place_long", max=PLACE_MAX)
    if attended is not None and (
        isinstance(attended, bool) or not isinstance(attended, int) or not 0 <= attended <= ATTENDED_MAX
    ):
        raise InvalidActivity("activities.error.attended", max=ATTENDED_MAX)
    return store.add_activity(consultation_id, held_on, place, kind, attended, who.username)


def remove_activity(store: Store, consultation_id: str, activity_id: int, actor: User) -> None:
    who = require(store, actor, Role.PLANNER)
    store.remove_activity(consultation_id, int(activity_id), who.username)


# -- whom we did not hear from -----------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """Whom the medvirkning reached too little."""

    age_groups: tuple[str, ...]  # AGE_GROUPS values with fewer than five people
    places: tuple[str, ...]  # named places near the plan area with fewer than five inputs
    unknown_share: float  # of people who did not give their age, 0–1
    children_missing: bool  # fewer than five under 18 — pbl. § 5-1 second paragraph
    classes_took_part: bool  # a school class took part: the children were asked another way


def neighbourhoods(
    consultation: Consultation, places: Sequence[Place], epsg: int, near_m: float = NEAR_AREA_M
) -> list[Place]:
    """The named places inside the plan area or within ``near_m`` of it (``epsg``: the
    working CRS the places' east/north are in)."""
    if not places:
        return []
    area = geo.project_area(consultation.area, epsg)
    distance = shapely.distance(shapely.points([(p.east, p.north) for p in places]), area)
    return [p for p, d in zip(places, distance, strict=True) if d <= near_m]


def missing(
    frame: pd.DataFrame,
    consultation: Consultation,
    places: Sequence[Place],
    *,
    people: pd.DataFrame,
    classes_took_part: bool,
    epsg: int,
) -> Missing:
    """Whom we did not hear from: ``people`` is one row per person (``medvirkning_report.people``)."""
    ages = people["age_group"].value_counts() if len(people) else pd.Series(dtype=int)
    few = tuple(g for g in AGE_GROUPS if int(ages.get(g, 0)) < SMALL_GROUP)
    unknown = float(people["age_group"].isna().mean()) if len(people) else 0.0
    located = frame[frame["east"].notna()] if len(frame) else frame
    near = neighbourhoods(consultation, places, epsg)
    counts: dict[str, int] = {p.name: 0 for p in near}
    if len(located) and near:
        for east, north in zip(located["east"], located["north"], strict=True):
            name, _ = analysis.nearest_place(float(east), float(north), near)
            if name is not None:
                counts[name] += 1
    quiet = tuple(name for name, n in counts.items() if n < SMALL_GROUP)
    children = sum(int(ages.get(g, 0)) for g in YOUNG) < SMALL_GROUP
    return Missing(few, quiet, unknown, children, classes_took_part)
