"""The demo's drawn school routes and areas: where they lie, and the same every time."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import shapely

from consultations.casework import analysis
from consultations import geo
from consultations.demo import seed_demo
from consultations.model import Shape
from consultations.store import Store

HEGGEDAL = "heggedal-tettstedsutvikling"
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _drawings(path):
    store = Store.open(path)
    try:
        seed_demo(store, now=NOW)
        return store.get_consultation(HEGGEDAL), store.analysis_frame(HEGGEDAL)
    finally:
        store.close()


def _demo(demo_db, tmp_path) -> Store:
    """A copy of the demo the test run seeded once (conftest ``demo_db``)."""
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_db.read_bytes())
    return Store.open(path)


def test_heggedal_takes_lines_and_areas_and_its_routes_end_at_the_school(demo_db, tmp_path):
    store = _demo(demo_db, tmp_path)
    try:
        c, frame = store.get_consultation(HEGGEDAL), store.analysis_frame(HEGGEDAL)
    finally:
        store.close()
    assert c.shapes == (Shape.POINT, Shape.LINE, Shape.AREA)
    kinds = analysis.shapes(frame)
    assert (kinds == "line").sum() == 40 and (kinds == "area").sum() == 5
    lines = [geo.drawing_geometry(d) for d in frame.loc[kinds == "line", "drawing"]]
    ends = np.array([line.coords[-1] for line in lines])
    assert np.allclose(ends, ends[0])  # one school
    for geom in [
        *lines,
        *(geo.drawing_geometry(d) for d in frame.loc[kinds == "area", "drawing"]),
    ]:
        assert shapely.covered_by(geom, c.area.buffer(1e-6))
    # the stored point of a drawing lies on its route or in its area, in the working CRS
    for row in frame[kinds.isin(["line", "area"])].itertuples():
        assert geo.to_working_crs(row.lon, row.lat) == (row.east, row.north)


def test_the_demo_drawings_are_the_same_every_time(tmp_path):
    _, first = _drawings(tmp_path / "a.duckdb")
    _, second = _drawings(tmp_path / "b.duckdb")
    drawn = first["drawing"].notna()
    assert drawn.sum() == 45
    assert first.loc[drawn, "drawing"].tolist() == second.loc[drawn, "drawing"].tolist()
    assert first.loc[drawn, "created_at"].tolist() == second.loc[drawn, "created_at"].tolist()


VOLLEN = "vollen-kyststi-idefase"


def test_an_open_demo_consultation_takes_points_lines_and_areas_and_has_a_context_layer(demo_db, tmp_path):
    store = _demo(demo_db, tmp_path)  # seeded with the run's own time: open
    try:
        c = store.get_consultation(VOLLEN)
        assert c.is_demo and c.shapes == (Shape.POINT, Shape.LINE, Shape.AREA)
        assert c.phase(datetime.now(UTC)).value == "open"
        (layer,) = store.context_layers(VOLLEN)
        assert layer.name == "Dagens kyststi (illustrasjon)" and layer.lines == 1
    finally:
        store.close()
