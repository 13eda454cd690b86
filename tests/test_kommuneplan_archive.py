"""The archive package at a kommuneplan's size (issue 26): each merknad's map drawn from a
figure made once per category, pixel for pixel the map it was before; the archive command's
store cache bounded."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from PIL import Image

from consultations.outputs.merknadsbehandling import map_png, pin_map_image
from consultations.store import Store
from tests.conftest import INSIDE, OUTSIDE, make_consultation


def pixels_of_map_png(c, lat: float, lon: float, category: str) -> np.ndarray:
    png, _ = map_png(c, pd.DataFrame({"lon": [lon], "lat": [lat], "category": [category]}), 25832, "nb")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_a_merknads_map_is_the_same_picture_when_only_its_dot_is_drawn_again():
    c = make_consultation("test-pin-maps")
    first, other = c.categories[0], c.categories[1]
    places = [
        (INSIDE, first),
        ((INSIDE[0] + 0.002, INSIDE[1] - 0.003), first),  # the same category's figure again
        (INSIDE, other),
        (OUTSIDE, first),  # outside the plan area: the extent moves, drawn in full
    ]
    for (lat, lon), category in places:
        drawn = np.asarray(pin_map_image(c, lon, lat, category, 25832, "nb"))
        assert drawn.shape == (930, 1050, 3)
        assert np.array_equal(drawn, pixels_of_map_png(c, lat, lon, category)), (lat, lon, category)


def test_the_archive_command_bounds_the_duckdb_cache(tmp_path):
    store = Store.open(tmp_path / "k.duckdb")
    try:
        store.bound_memory(128)
        with store._backend.cursor() as cur:
            limit = cur.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert limit.endswith("MiB") and float(limit.split()[0]) < 130
    finally:
        store.close()
