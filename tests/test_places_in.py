"""The keyboard route's named places are found once per plan area and shared by every
session (issue 26), and a consultation whose area changed gets the places of its new one."""

from __future__ import annotations

import dataclasses

from shapely.geometry import MultiPolygon, Polygon

from consultations.ui.location import MIDDLE, places_in
from tests.conftest import make_consultation

FAR_AWAY = MultiPolygon([Polygon([(5.30, 60.38), (5.31, 60.38), (5.31, 60.39), (5.30, 60.39)])])  # Bergen


def test_the_places_follow_the_plan_area_and_callers_get_their_own_list():
    c = make_consultation("steder")
    first = places_in(c)
    assert first[-1][0] is MIDDLE and len(first) > 1
    first.clear()  # a caller's list is its own
    assert places_in(c)[-1][0] is MIDDLE and len(places_in(c)) > 1
    moved = dataclasses.replace(c, area=FAR_AWAY)
    assert [name for name, _ in places_in(moved)] == [MIDDLE]
    assert len(places_in(c)) > 1
