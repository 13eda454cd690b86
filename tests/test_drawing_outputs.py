"""Drawn routes and areas in every output: the route density and counts on the dashboard
(analysis), the GeoPackage and GeoJSON exports read back with pyogrio, and the report maps."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pyogrio
import pytest
import shapely
from PIL import Image
from shapely.geometry import Polygon

from consultations.casework import analysis
from consultations import geo
from consultations.outputs.export import Format, export
from consultations.outputs.medvirkningsrapport import map_image
from consultations.model import InputStatus
from consultations.outputs.merknadsbehandling import map_png
from tests.conftest import make_consultation
from tests.drawn import CID, SHAPES, X0, Y0, add, cells, wgs84


@pytest.fixture
def drawn(store):
    """A pin, two routes, an area and an input for the whole area."""
    store.add_consultation(make_consultation(shapes=SHAPES))
    pin, _ = add(store, point=(59.826, 10.414))
    # along row 0 through cells 0, 1 and 2
    straight, straight_drawing = add(store, wgs84(cells((0.2, 0.5), (2.8, 0.5))))
    # winds back and forth in cell 0 before it leaves for cell 1: counted once in each
    winding, _ = add(store, wgs84(cells((0.1, 0.1), (0.9, 0.9), (0.1, 0.8), (1.2, 0.2))))
    square = Polygon(
        [
            (X0 + 300, Y0 + 300),
            (X0 + 380, Y0 + 300),
            (X0 + 380, Y0 + 360),
            (X0 + 300, Y0 + 360),
        ]
    )
    area, area_drawing = add(store, wgs84(square), category="Grøntområder, natur og friluftsliv")
    whole, _ = add(store)
    ids = {
        "pin": pin.id,
        "straight": straight.id,
        "winding": winding.id,
        "area": area.id,
        "whole": whole.id,
    }
    return ids, {"straight": straight_drawing, "area": area_drawing}


# -- the dashboard's figures -------------------------------------------------------------


def test_route_density_counts_distinct_routes_per_50_m_cell(store, drawn):
    frame = store.analysis_frame(CID)
    got = analysis.line_density(frame, 25832)
    counted = {(int((r.east - X0) // 50), int((r.north - Y0) // 50)): r.count for r in got.itertuples()}
    assert counted == {(0, 0): 2, (1, 0): 2, (2, 0): 1}  # pins and areas never count
    assert got["count"].tolist() == [2, 2, 1]  # busiest first
    first = got.iloc[0]
    assert geo.to_working_crs(first["lon"], first["lat"]) == pytest.approx((first["east"], first["north"]), abs=0.01)
    # the cell's outline, for the map, is the 50 m square in WGS84
    ring = np.array(first["ring"])
    east, north = geo.project_coordinates(ring[:, 0], ring[:, 1], 25832)
    assert (east.min(), east.max()) == pytest.approx((first["east"] - 25, first["east"] + 25), abs=0.05)
    assert (north.min(), north.max()) == pytest.approx((first["north"] - 25, first["north"] + 25), abs=0.05)
    assert analysis.line_density(frame[frame["drawing"].isna()], 25832).empty


def test_a_filter_decides_which_routes_are_counted(store, drawn):
    ids, _ = drawn
    store.set_input_status([ids["winding"]], InputStatus.HIDDEN, "planner", reason="Test")
    frame = analysis.filter_frame(store.analysis_frame(CID), statuses=[InputStatus.PUBLISHED.value])
    assert analysis.line_density(frame, 25832)["count"].tolist() == [1, 1, 1]


def test_totals_count_points_lines_and_areas(store, drawn):
    frame = store.analysis_frame(CID)
    totals = analysis.totals(frame)
    assert (totals.points, totals.lines, totals.areas) == (1, 2, 1)
    assert totals.with_location == 4 and totals.inputs == 5
    ids, _ = drawn
    areas = analysis.drawn_areas(frame)
    assert areas["id"].tolist() == [ids["area"]]
    assert areas["measure"].iloc[0] == pytest.approx(80 * 60, rel=0.01)
    dash = analysis.dashboard(frame, epsg=25832)
    assert dash.line_density["count"].sum() == 5 and len(dash.areas) == 1


def test_legend_classes_split_one_to_the_busiest_cell():
    assert analysis.density_classes([9, 3, 1]) == [(1, 2), (3, 4), (5, 7), (8, 9)]
    assert analysis.density_classes([2, 1]) == [(1, 1), (2, 2)]
    assert analysis.density_classes([1]) == [(1, 1)]
    assert analysis.density_classes([]) == []


# -- exports -----------------------------------------------------------------------------


@pytest.mark.parametrize("crs", [None, 25833])
def test_geopackage_has_points_lines_and_areas_as_layers_in_the_crs(store, drawn, tmp_path, crs):
    ids, drawings = drawn
    path = tmp_path / "innspill.gpkg"
    path.write_bytes(export(store, CID, Format.GPKG, **({"crs": crs} if crs else {})))
    epsg = crs or 25832  # the profile's working CRS by default
    assert dict(pyogrio.list_layers(path)) == {
        "innspill_punkt": "Point",
        "innspill_linje": "LineString",
        "innspill_flate": "Polygon",
        "innspill_uten_sted": None,
    }
    read = {
        name: pyogrio.read_dataframe(path, layer=name)
        for name in ("innspill_punkt", "innspill_linje", "innspill_flate")
    }
    assert {name: len(layer) for name, layer in read.items()} == {
        "innspill_punkt": 1,
        "innspill_linje": 2,
        "innspill_flate": 1,
    }
    for layer in read.values():
        assert layer.crs.to_epsg() == epsg
    lines, areas = read["innspill_linje"], read["innspill_flate"]
    assert set(lines.geometry.geom_type) == {"LineString"} and set(areas.geometry.geom_type) == {"Polygon"}
    straight = lines[lines["id"] == ids["straight"]].iloc[0]
    expected = geo.project_area(drawings["straight"].geometry, epsg)
    assert shapely.equals_exact(straight.geometry, expected, tolerance=0.01)
    assert straight["form"] == "strek" and straight["lengde_m"] == pytest.approx(drawings["straight"].measure)
    assert np.isnan(straight["areal_m2"])
    area = areas.iloc[0]
    assert area["referanse"] == f"KI-{ids['area']:06d}" and area["form"] == "område"
    assert area["areal_m2"] == pytest.approx(drawings["area"].measure)
    assert area.geometry.area == pytest.approx(80 * 60, rel=0.02)
    # the point columns of a drawing hold its point, inside the area, in the export's CRS
    assert area.geometry.contains(shapely.Point(area[f"ost_{epsg}"], area[f"nord_{epsg}"]))
    assert pyogrio.read_dataframe(path, layer="innspill_uten_sted")["id"].tolist() == [ids["whole"]]


def test_geojson_holds_each_input_with_the_geometry_drawn(store, drawn, tmp_path):
    ids, drawings = drawn
    doc = json.loads(export(store, CID, Format.GEOJSON))
    by_id = {f["id"]: f for f in doc["features"]}
    kinds = {k: (by_id[i]["geometry"] or {}).get("type") for k, i in ids.items()}
    assert kinds == {
        "pin": "Point",
        "straight": "LineString",
        "winding": "LineString",
        "area": "Polygon",
        "whole": None,
    }
    assert shapely.geometry.shape(by_id[ids["straight"]]["geometry"]).equals(drawings["straight"].geometry)
    assert by_id[ids["area"]]["properties"]["form"] == "område"
    path = tmp_path / "innspill.geojson"
    path.write_text(json.dumps(doc), "utf-8")
    frame = pyogrio.read_dataframe(path)
    assert frame.crs.to_epsg() == 4326
    assert sorted(frame.geometry.dropna().geom_type) == [
        "LineString",
        "LineString",
        "Point",
        "Polygon",
    ]


def test_csv_says_which_shape_and_how_long_or_large(store, drawn):
    ids, drawings = drawn
    text = export(store, CID, Format.CSV).decode("utf-8-sig")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert rows[ids["pin"]]["form"] == "punkt" and rows[ids["pin"]]["lengde_m"] == ""
    assert rows[ids["straight"]]["form"] == "strek"
    assert float(rows[ids["straight"]]["lengde_m"]) == pytest.approx(drawings["straight"].measure)
    assert float(rows[ids["area"]]["areal_m2"]) == pytest.approx(drawings["area"].measure)
    assert rows[ids["whole"]]["form"] == ""


# -- report maps -------------------------------------------------------------------------


def _coloured(png: bytes) -> int:
    """Pixels that are neither white nor grey: what the inputs put on the map."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 60).sum())


def _warm(png: bytes) -> int:
    """Red and orange pixels: the medvirkningsrapport's inputs (its plan area is blue)."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int((rgb[..., 0] - rgb[..., 2] > 80).sum())


def test_the_reports_map_draws_routes_and_areas(store, drawn):
    frame = store.analysis_frame(CID)
    located = frame[frame["lon"].notna()]
    c = store.get_consultation(CID)
    pins_only = located.assign(drawing=None)
    drawn_png, _ = map_png(c, located, 25832, "nb")
    pin_png, _ = map_png(c, pins_only, 25832, "nb")
    # two routes of 130 and 60 m and a 80 × 60 m area cover far more than four dots
    assert _coloured(drawn_png) > 3 * _coloured(pin_png)
    early = map_image(c, frame, [], None, "nb").png
    early_pins = map_image(c, frame.assign(drawing=None), [], None, "nb").png
    assert _warm(early) > 3 * _warm(early_pins)
