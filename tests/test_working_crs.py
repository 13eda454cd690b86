"""The profile's working CRS is used everywhere: a municipality in UTM zone 33 (EPSG:25833)
gets its stored east/north, its places, the route grid and its exports' default in 25833,
and may only export in the CRSs its profile offers."""

from __future__ import annotations

import re

import pyogrio
import pytest

from consultations.casework import analysis
from consultations import config, geo
from consultations.errors import ConfigError, KartinnspillError
from consultations.outputs.export import Format, export, parse_crs
from consultations.model import InputDraft
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW, make_consultation
from tests.drawn import CID, SHAPES, add, cells, wgs84


@pytest.fixture
def utm33(tmp_path, monkeypatch):
    """The Asker profile as a municipality in EPSG:25833 would write it, configured."""
    text = (config.PROFILES / "asker.toml").read_text("utf-8")
    text = re.sub(r"(?m)^working_crs = .*$", "working_crs = 25833", text)
    text = re.sub(r"(?m)^export_crs = .*$", "export_crs = [4326]", text)
    (tmp_path / "utm33.toml").write_text(text, "utf-8")
    (tmp_path / "asker.toml").write_text((config.PROFILES / "asker.toml").read_text("utf-8"), "utf-8")
    monkeypatch.setattr(config, "PROFILES", tmp_path)
    monkeypatch.setenv("KARTINNSPILL_PROFILE", "utm33")
    config._profile.cache_clear()
    yield config.current_profile()
    config._profile.cache_clear()


def test_asker_keeps_its_crs_places_and_export_choices():
    asker = config.load_profile("asker")
    assert (asker.working_crs, asker.export_choices) == (25832, (25832, 25833, 4326))
    assert asker.places == "asker_places.csv"


def test_the_profile_names_its_crs_and_export_choices(utm33):
    assert utm33.working_crs == 25833
    assert utm33.export_choices == (
        25833,
        4326,
    )  # the working CRS first, always offered


def test_an_unknown_export_crs_in_a_profile_is_refused_with_a_sentence(utm33, tmp_path):
    text = (tmp_path / "utm33.toml").read_text("utf-8").replace("export_crs = [4326]", "export_crs = [999999]")
    (tmp_path / "feil.toml").write_text(text, "utf-8")
    with pytest.raises(ConfigError) as refused:
        config.load_profile("feil")
    assert "EPSG:999999" in refused.value.message("nb") and "feil" in refused.value.message("nb")


def test_stored_east_north_and_places_are_in_the_profiles_crs(store, utm33):
    store.add_consultation(make_consultation())
    stored = submit_input(
        store,
        "test-borgen",
        InputDraft("Annet", "Et innspill i sone 33.", *INSIDE),
        session="a",
        now=NOW,
    )
    assert (stored.east, stored.north) == geo.to_working_crs(INSIDE[1], INSIDE[0], 25833)
    assert abs(stored.east - geo.to_working_crs(INSIDE[1], INSIDE[0], 25832)[0]) > 100_000
    borgen = next(p for p in analysis.load_places() if p.name == "Borgen")
    assert (borgen.east, borgen.north) == geo.to_working_crs(borgen.lon, borgen.lat, 25833)


def test_the_route_grid_and_the_export_follow_the_profile(store, utm33, tmp_path):
    store.add_consultation(make_consultation(shapes=SHAPES))
    _, drawing = add(store, wgs84(cells((0.2, 0.5), (2.8, 0.5))), epsg=25833)
    frame = store.analysis_frame(CID)
    got = analysis.line_density(frame)  # the configured profile's CRS
    assert len(got) >= 3
    for cell in got.itertuples():
        assert cell.east % 50 == 25 and cell.north % 50 == 25  # the 50 m grid of EPSG:25833
        assert geo.to_working_crs(cell.lon, cell.lat, 25833) == pytest.approx((cell.east, cell.north), abs=0.01)
    assert drawing.measure == pytest.approx(130, abs=1)  # measured in 25833 too

    path = tmp_path / "innspill.gpkg"
    path.write_bytes(export(store, CID, Format.GPKG))
    for layer in ("innspill_punkt", "innspill_linje", "innspill_flate"):
        assert pyogrio.read_info(path, layer=layer)["crs"] == "EPSG:25833"
    line = pyogrio.read_dataframe(path, layer="innspill_linje").iloc[0]
    assert line.geometry.length == pytest.approx(drawing.measure, abs=0.5)
    assert "ost_25833" in line.index and "ost_25832" not in line.index
    with pytest.raises(KartinnspillError) as refused:
        parse_crs("EPSG:25832")
    assert "EPSG:25833, EPSG:4326" in refused.value.message()


def test_a_route_a_resident_sends_is_measured_in_the_profiles_crs(store, utm33):
    store.add_consultation(make_consultation(shapes=SHAPES))
    route = wgs84(cells((0.2, 0.5), (2.8, 0.5)))
    draft = InputDraft("Annet", "Skoleveien vår i sone 33.", drawing=route)
    stored = submit_input(store, CID, draft, session="a", now=NOW)
    in_33 = geo.read_drawing(route, SHAPES, store.get_consultation(CID).area, epsg=25833)
    in_32 = geo.read_drawing(route, SHAPES, store.get_consultation(CID).area, epsg=25832)
    assert stored.measure == in_33.measure != in_32.measure
    assert (stored.east, stored.north) == geo.to_working_crs(stored.lon, stored.lat, 25833)
