"""Plan-area uploads: every format and CRS a staff member brings, and every bad file.

All files are built here, in tmp dirs; the reference is a 1 km x 1 km square around Borgen,
Asker, drawn in EPSG:25832, so its area is 1 km² by construction.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import tempfile
import zipfile
from contextlib import nullcontext
from functools import cache
from pathlib import Path

import geopandas
import pytest
import shapely
from shapely.geometry import MultiPoint, Polygon, box, mapping

from consultations import geo
from consultations.errors import InvalidArea
from consultations.i18n import t

EAST, NORTH = geo.to_working_crs(10.414, 59.826)  # Borgen
SQUARE = box(EAST - 500, NORTH - 500, EAST + 500, NORTH + 500)  # EPSG:25832
WEST_HALF = box(EAST - 500, NORTH - 500, EAST, NORTH + 500)
EAST_HALF = box(EAST, NORTH - 500, EAST + 500, NORTH + 500)
SQUARE_WGS84 = geopandas.GeoSeries([SQUARE], crs=25832).to_crs(4326).iloc[0]


def frame(*geoms, crs=25832, **columns) -> geopandas.GeoDataFrame:
    return geopandas.GeoDataFrame(columns, geometry=list(geoms), crs=crs)


def geojson_wgs84(*geoms, names=None) -> bytes:
    """RFC 7946 GeoJSON, written by hand: no "crs" member, lon/lat."""
    features = [
        {
            "type": "Feature",
            "properties": {"navn": names[i]} if names else {},
            "geometry": mapping(geopandas.GeoSeries([g], crs=25832).to_crs(4326).iloc[0]),
        }
        for i, g in enumerate(geoms)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def written(f: geopandas.GeoDataFrame, tmp: Path, name: str, **kwargs) -> bytes:
    f.to_file(tmp / name, **kwargs)
    return (tmp / name).read_bytes()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def shapefile_zip(f: geopandas.GeoDataFrame, tmp: Path, drop=()) -> bytes:
    f.to_file(tmp / "plan.shp")
    return zipped({p.name: p.read_bytes() for p in tmp.glob("plan.*") if p.suffix not in drop})


def refused(key: str, data: bytes, filename: str, **kwargs) -> InvalidArea:
    with pytest.raises(InvalidArea) as caught:
        geo.read_area(data, filename, **kwargs)
    assert caught.value.key == key, caught.value.message()
    return caught.value


def assert_is_the_borgen_square(area: geo.AreaImport | geo.AreaFeature) -> None:
    assert area.area_km2 == pytest.approx(1.0, rel=1e-3)
    assert area.bounds == pytest.approx(SQUARE_WGS84.bounds, abs=1e-6)
    minlon, minlat, maxlon, maxlat = area.bounds
    assert 10.40 < minlon < 10.414 < maxlon < 10.43 and 59.82 < minlat < 59.826 < maxlat < 59.835


# --- every format and CRS reads to the same area ------------------------------------------

FORMATS = {
    "geojson-4326": lambda tmp: (geojson_wgs84(SQUARE), "plan.geojson"),
    "json-3857": lambda tmp: (
        written(frame(SQUARE).to_crs(3857), tmp, "plan.json", driver="GeoJSON"),
        "plan.json",
    ),
    "gpkg-25832": lambda tmp: (written(frame(SQUARE), tmp, "plan.gpkg"), "plan.gpkg"),
    "gpkg-25833": lambda tmp: (written(frame(SQUARE).to_crs(25833), tmp, "p.gpkg"), "p.gpkg"),
    "shapefile-25832": lambda tmp: (shapefile_zip(frame(SQUARE), tmp), "plan.zip"),
    "kml": lambda tmp: (
        written(frame(SQUARE).to_crs(4326), tmp, "plan.kml", driver="KML"),
        "plan.kml",
    ),
}
SOURCE_CRS = {
    "geojson-4326": "EPSG:4326",
    "json-3857": "EPSG:3857",
    "gpkg-25832": "EPSG:25832",
    "gpkg-25833": "EPSG:25833",
    "shapefile-25832": "EPSG:25832",
    "kml": "EPSG:4326",
}


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_and_crs_reads_to_the_same_area_in_wgs84(kind, tmp_path):
    data, filename = FORMATS[kind](tmp_path)
    area = geo.read_area(data, filename)
    assert area.source_crs == SOURCE_CRS[kind]
    assert len(area.features) == 1
    assert_is_the_borgen_square(area)
    assert isinstance(area.union, shapely.MultiPolygon)
    assert geo.contains(area.union, 59.826, 10.414)


def test_the_path_part_of_the_filename_is_ignored(tmp_path):
    area = geo.read_area(geojson_wgs84(SQUARE), "../../etc/C:\\plan.GEOJSON")
    assert_is_the_borgen_square(area)


def test_several_features_can_be_used_one_by_one_or_as_their_union(tmp_path):
    area = geo.read_area(geojson_wgs84(WEST_HALF, EAST_HALF, names=["Vest", "Øst"]), "p.json")
    assert [(f.index, f.label) for f in area.features] == [(0, "Vest"), (1, "Øst")]
    assert area.feature(1).area_km2 == pytest.approx(0.5, rel=1e-3)
    east_half = geopandas.GeoSeries([EAST_HALF], crs=25832).to_crs(4326).total_bounds
    assert area.feature(1).bounds == pytest.approx(east_half, abs=1e-6)
    assert_is_the_borgen_square(area)
    assert len(area.union.geoms) == 1  # the halves share an edge: one polygon


def test_features_without_a_name_are_numbered_and_points_are_left_out(tmp_path):
    f = frame(WEST_HALF, MultiPoint([(EAST, NORTH)]), EAST_HALF, planid=[None, "p", ""])
    area = geo.read_area(written(f, tmp_path, "plan.gpkg"), "plan.gpkg")
    assert [f.label for f in area.features] == ["Objekt 1", "Objekt 2"]
    assert_is_the_borgen_square(area)


def test_geopackage_with_several_layers_needs_a_layer_and_names_them(tmp_path):
    frame(SQUARE).to_file(tmp_path / "plan.gpkg", layer="planomrade")
    frame(WEST_HALF).to_file(tmp_path / "plan.gpkg", layer="delfelt")
    data = (tmp_path / "plan.gpkg").read_bytes()
    error = refused("area.choose_layer", data, "plan.gpkg")
    assert "planomrade" in error.message() and "delfelt" in error.message()
    assert_is_the_borgen_square(geo.read_area(data, "plan.gpkg", layer="planomrade"))
    assert "delfelt" in refused("area.layer_unknown", data, "plan.gpkg", layer="x").message()


def test_crs_argument_overrides_what_the_file_declares(tmp_path):
    # 25832 coordinates mislabelled as 3857 in the file
    data = written(frame(SQUARE).set_crs(3857, allow_override=True), tmp_path, "p.gpkg")
    refused("area.outside_norway", data, "p.gpkg")
    area = geo.read_area(data, "p.gpkg", crs="EPSG:25832")
    assert area.source_crs == "EPSG:25832"
    assert_is_the_borgen_square(area)


# --- bad files -----------------------------------------------------------------------------


def test_empty_file_is_refused():
    refused("area.empty", b"", "plan.geojson")


def test_unsupported_file_type_is_refused_with_what_works():
    error = refused("area.format", b"x", "plan.shp")
    assert "zip" in error.message()


def test_random_bytes_named_geojson_are_unreadable():
    refused("area.unreadable", os.urandom(2000), "plan.geojson")


def test_a_file_that_is_not_what_its_name_says_is_refused(tmp_path):
    # a GDAL VRT named .geojson would make the server read another of its files
    (tmp_path / "a.geojson").write_bytes(geojson_wgs84(SQUARE))
    vrt = (
        f'<OGRVRTDataSource><OGRVRTLayer name="a"><SrcDataSource>{tmp_path / "a.geojson"}'
        "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    )
    refused("area.unreadable", vrt.encode(), "plan.geojson")


def test_points_only_are_not_an_area():
    points = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": c}}
            for c in ([10.41, 59.82], [10.42, 59.83])
        ],
    }
    refused("area.no_polygons", json.dumps(points).encode(), "punkter.geojson")


def test_unknown_crs_argument_is_refused():
    refused("area.crs_unknown", geojson_wgs84(SQUARE), "p.geojson", crs="EPSG:99999")
    refused("area.crs_unknown", geojson_wgs84(SQUARE), "p.geojson", crs="UTM 32")


def test_shapefile_without_prj_needs_the_crs_and_works_with_it(tmp_path):
    data = shapefile_zip(frame(SQUARE), tmp_path, drop={".prj"})
    error = refused("area.crs_missing_prj", data, "plan.zip")
    assert error.message() == (
        "Filen mangler koordinatsystem (.prj). Oppgi koordinatsystemet, for eksempel EPSG:25832."
    )
    area = geo.read_area(data, "plan.zip", crs="EPSG:25832")
    assert area.source_crs == "EPSG:25832"
    assert_is_the_borgen_square(area)


def test_shapefile_without_its_index_or_table_is_incomplete(tmp_path):
    data = shapefile_zip(frame(SQUARE), tmp_path, drop={".shx"})
    assert ".shx" in refused("area.shapefile_incomplete", data, "plan.zip").message()


def test_zip_without_a_shapefile_is_refused():
    refused("area.zip_no_shapefile", zipped({"les_meg.txt": b"hei"}), "plan.zip")


def test_zip_with_several_shapefiles_needs_a_layer(tmp_path):
    frame(SQUARE).to_file(tmp_path / "plan.shp")
    frame(WEST_HALF).to_file(tmp_path / "vest.shp")
    data = zipped({f"data/{p.name}": p.read_bytes() for p in tmp_path.iterdir()})
    assert "data/vest" in refused("area.choose_layer", data, "plan.zip").message()
    assert geo.read_area(data, "plan.zip", layer="data/vest").area_km2 == pytest.approx(0.5, 1e-3)


def test_macos_resource_files_in_a_zip_are_ignored(tmp_path):
    frame(SQUARE).to_file(tmp_path / "plan.shp")
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    files["__MACOSX/._plan.shp"] = b"\x00\x05\x16\x07 resource fork"
    assert_is_the_borgen_square(geo.read_area(zipped(files), "plan.zip"))


@pytest.mark.parametrize("entry", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp"])
def test_zip_entries_that_escape_the_folder_are_refused(entry):
    assert entry in refused("area.zip_unsafe", zipped({entry: b"x"}), "plan.zip").message()


def test_zip_inside_a_zip_is_refused():
    refused("area.zip_nested", zipped({"inner.zip": zipped({"a.txt": b"x"})}), "plan.zip")


def test_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(geo, "MAX_UNZIPPED_BYTES", 1_000_000)
    bomb = zipped({"plan.shp": bytes(2_000_000), "plan.shx": b"", "plan.dbf": b""})
    assert len(bomb) < 10_000
    refused("area.zip_too_large", bomb, "plan.zip")


def test_zip_with_too_many_entries_is_refused(monkeypatch):
    monkeypatch.setattr(geo, "MAX_ZIP_ENTRIES", 3)
    refused("area.zip_too_many", zipped({f"{i}.txt": b"" for i in range(4)}), "plan.zip")


def test_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(geo, "MAX_UPLOAD_BYTES", 100)
    error = refused("area.too_large", geojson_wgs84(SQUARE), "plan.geojson")
    assert "MB" in error.message()


def test_metres_read_as_degrees_are_not_in_norway(tmp_path):
    data = written(frame(SQUARE), tmp_path, "plan.gpkg")
    refused("area.outside_norway", data, "plan.gpkg", crs="EPSG:4326")


def test_swapped_longitude_and_latitude_are_not_in_norway():
    swapped = shapely.transform(SQUARE_WGS84, lambda xy: xy[:, ::-1])
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": mapping(swapped)}],
    }
    refused("area.outside_norway", json.dumps(collection).encode(), "plan.geojson")


# --- invalid geometry: repaired when two repairs agree on the area, else refused ------------

# Repair rule (geo.REPAIR_TOLERANCE): make_valid and buffer(0) must agree on the area within
# 1 %. A bow-tie fails it (make_valid keeps both triangles, buffer(0) one), so the file does
# not say which side is inside and staff must fix it; small loops and overlaps are repaired.


def test_bow_tie_is_refused_with_where_the_outline_crosses_itself(tmp_path):
    w, s, e, n = SQUARE.bounds
    bow_tie = Polygon([(w, s), (e, n), (e, s), (w, n)])
    data = written(frame(bow_tie, navn=["Sløyfe"]), tmp_path, "plan.gpkg")
    error = refused("area.self_intersection", data, "plan.gpkg")
    assert error.params["label"] == "Sløyfe"
    lat, lon = float(error.params["lat"]), float(error.params["lon"])
    assert (lat, lon) == pytest.approx((59.826, 10.414), abs=1e-4)
    assert "krysser seg selv" in error.message()


def test_tiny_loop_in_an_outline_is_repaired(tmp_path):
    w, s, e, n = SQUARE.bounds
    mid = (w + e) / 2  # a 2 m twist in the north edge
    looped = Polygon([(w, s), (e, s), (e, n), (mid, n), (mid + 1, n + 1), (mid + 2, n), (w, n)])
    assert not looped.is_valid
    area = geo.read_area(written(frame(looped), tmp_path, "plan.gpkg"), "plan.gpkg")
    assert area.union.is_valid
    assert_is_the_borgen_square(area)


def test_overlapping_parts_of_one_feature_are_repaired_into_their_union(tmp_path):
    overlapping = shapely.MultiPolygon([box(*WEST_HALF.buffer(100).bounds), EAST_HALF])
    assert not overlapping.is_valid
    area = geo.read_area(written(frame(overlapping), tmp_path, "plan.gpkg"), "plan.gpkg")
    assert area.union.is_valid
    assert area.area_km2 == pytest.approx(overlapping.buffer(0).area / 1e6, rel=1e-3)


# --- the command line ----------------------------------------------------------------------


def cli(*args: str, tmp: Path, **env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KARTINNSPILL_DB": str(tmp / "none" / "no.duckdb"), **env}
    return subprocess.run(
        [sys.executable, "-m", "consultations", "import-area", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[1],
        timeout=60,
    )


def test_cli_prints_one_json_object_for_the_union_without_a_database(tmp_path):
    (tmp_path / "plan.zip").write_bytes(shapefile_zip(frame(SQUARE), tmp_path, drop={".prj"}))
    done = cli(str(tmp_path / "plan.zip"), "--crs", "EPSG:25832", tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["area_km2"] == pytest.approx(1.0, abs=0.002)
    assert result["bounds"] == pytest.approx(SQUARE_WGS84.bounds, abs=1e-6)
    assert (result["source_crs"], result["features"]) == ("EPSG:25832", 1)
    assert not (tmp_path / "none").exists()


def test_cli_bad_input_exits_2_with_the_pages_message_on_one_line(tmp_path):
    (tmp_path / "plan.zip").write_bytes(shapefile_zip(frame(SQUARE), tmp_path, drop={".prj"}))
    done = cli(str(tmp_path / "plan.zip"), tmp=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == t("area.crs_missing_prj") + "\n"
    missing = cli(str(tmp_path / "nowhere.geojson"), tmp=tmp_path)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


# --- a hostile zip never writes outside its folder (issue 9, item 1) -----------------------


@cache
def plan_shapefile() -> dict[str, bytes]:
    """The Borgen square as the members of a zipped Shapefile, built in a temp dir of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        frame(SQUARE).to_file(Path(tmp) / "plan.shp")
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir()}


def link_entry(name: str, points_at: str) -> zipfile.ZipInfo:
    """A Unix symlink entry, as `zip --symlinks` writes it: the link target is its content."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def hostile_zip(kind: str, target: Path) -> tuple[bytes, str, str]:
    """(zip, the refused entry's name, the error key): a good shapefile plus one bad entry."""
    entries = {
        "double-slash": f"/{target}/evil.shp",  # POSIX keeps "//" as a root of its own
        "absolute": f"{target}/evil.shp",
        "parent": "../evil.shp",
        "parent-inside-a-folder": "a/../../evil.shp",
        "drive-letter": "C:\\evil.shp",
        "symlink": "data",
    }
    name = entries[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "symlink":  # "data" points at the target, then "data/evil.shp" goes there
            archive.writestr(link_entry(name, str(target)), str(target))
            archive.writestr("data/evil.shp", b"x")
        else:
            archive.writestr(zipfile.ZipInfo(name), b"x")
        for member, content in plan_shapefile().items():
            archive.writestr(member, content)
    return buffer.getvalue(), name, "area.zip_link" if kind == "symlink" else "area.zip_unsafe"


HOSTILE = ["double-slash", "absolute", "parent", "parent-inside-a-folder", "drive-letter", "symlink"]


@pytest.fixture
def own_tmpdir(tmp_path, monkeypatch) -> Path:
    """Temp files of this process go to tmp_path/tmp; tmp_path/target is where attacks aim."""
    plan_shapefile()  # built before the temp dir moves
    uploads = tmp_path / "tmp"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))
    return uploads


@pytest.mark.parametrize("kind", HOSTILE)
def test_zip_entry_that_could_write_outside_the_folder_is_refused_and_nothing_written(kind, tmp_path, own_tmpdir):
    data, name, key = hostile_zip(kind, tmp_path / "target")
    assert name in refused(key, data, "plan.zip").message()
    assert not (tmp_path / "target").exists()
    assert list(tmp_path.rglob("*")) == [own_tmpdir]  # its temp dir is gone, nothing beside


@pytest.mark.parametrize("kind", HOSTILE)
def test_cli_refuses_a_zip_entry_that_could_write_outside_the_folder_and_writes_nothing(kind, tmp_path, own_tmpdir):
    data, name, key = hostile_zip(kind, tmp_path / "target")
    (tmp_path / "plan.zip").write_bytes(data)
    done = cli(str(tmp_path / "plan.zip"), tmp=tmp_path, TMPDIR=str(own_tmpdir))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", t(key, name=name) + "\n")
    assert not (tmp_path / "target").exists()
    assert sorted(tmp_path.rglob("*")) == [tmp_path / "plan.zip", own_tmpdir]


@pytest.mark.parametrize("second", ["plan.shp", "PLAN.SHP", "Plan.Shp"])
def test_zip_with_two_entries_of_one_name_is_refused(second):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in plan_shapefile().items():
            archive.writestr(member, content)
        with pytest.warns(UserWarning) if second == "plan.shp" else nullcontext():
            archive.writestr(second, b"\x00\x00\x27\x0a another shape")
    assert second in refused("area.zip_duplicate", buffer.getvalue(), "plan.zip").message()


def test_only_the_shapefile_members_of_a_zip_are_read_and_other_files_are_ignored():
    files = {**plan_shapefile(), "les_meg.txt": b"hei", "kart/plan.qml": b"<qgis/>"}
    assert_is_the_borgen_square(geo.read_area(zipped(files), "plan.zip"))


def test_a_shp_that_is_not_a_shapefile_is_unreadable():
    refused("area.unreadable", zipped({**plan_shapefile(), "plan.shp": b"<kml/>"}), "plan.zip")


# --- GDAL opens an upload only as its file type, and never over the network (item 2) -------


# Listener and FIFO writer run in processes of their own: GDAL holds the GIL while it reads,
# so a thread in this process could never answer it (the old code hung the test instead).
LISTENER = """
import http.server, sys
log = open(sys.argv[1], "a", buffering=1)
class Recorder(http.server.BaseHTTPRequestHandler):
    def answer(self):
        log.write(self.path + "\\n")
        self.send_response(404)
        self.end_headers()
    do_GET = do_HEAD = do_POST = answer
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture
def listener(tmp_path):
    """A loopback HTTP server that records every request: (its URL, the paths asked so far)."""
    log = tmp_path / "asked.log"
    log.touch()
    server = subprocess.Popen([sys.executable, "-c", LISTENER, str(log)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}", lambda: log.read_text().splitlines()
    finally:
        server.kill()
        server.wait()


def vrt(source: str, layer: str = "plan") -> bytes:
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="{layer}"><SrcDataSource>{source}'
        "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


VRT_AS = {
    "json": lambda v: (v, "plan.json"),
    "geojson": lambda v: (v, "plan.geojson"),
    "gpkg": lambda v: (v, "plan.gpkg"),
    "kml": lambda v: (v, "plan.kml"),
    "zipped-shp": lambda v: (zipped({**plan_shapefile(), "plan.shp": v}), "plan.zip"),
}


@pytest.mark.parametrize("kind", VRT_AS)
def test_a_vrt_under_any_file_type_is_refused_and_fetches_nothing(kind, listener):
    url, asked = listener
    data, filename = VRT_AS[kind](vrt(f"/vsicurl/{url}/plan.geojson"))
    refused("area.unreadable", data, filename)
    assert asked() == []


def unread(path: Path) -> Path:
    """``path`` with its access time set before its change time, so a read moves it."""
    os.utime(path, (0, path.stat().st_mtime))
    return path


def test_a_vrt_naming_a_local_file_never_reads_it(tmp_path):
    control = tmp_path / "control.csv"
    control.write_text("x\n")
    unread(control).read_text()
    if control.stat().st_atime == 0:
        pytest.skip("this file system does not record reads (noatime)")
    square = SQUARE_WGS84.wkt
    secret = tmp_path / "secret.csv"
    secret.write_text(f'navn,WKT\nhemmelig,"{square}"\n')
    for kind in ("json", "gpkg", "kml"):
        refused("area.unreadable", *VRT_AS[kind](vrt(f"CSV:{unread(secret)}")))
        assert secret.stat().st_atime == 0, kind
    refused("area.unreadable", vrt("CSV:/etc/passwd"), "plan.json")


def geojson_with_crs(crs: dict) -> bytes:
    document = json.loads(geojson_wgs84(SQUARE))
    return json.dumps({**document, "crs": crs}).encode()


@pytest.mark.parametrize("form", ["link", "url-name", "ogc-url-name"])
def test_geojson_whose_crs_points_at_a_url_is_refused_and_fetches_nothing(form, listener):
    url, asked = listener
    crs = {
        "link": {"type": "link", "properties": {"href": f"{url}/crs.proj4", "type": "proj4"}},
        "url-name": {"type": "name", "properties": {"name": f"{url}/crs"}},
        "ogc-url-name": {
            "type": "name",
            "properties": {"name": "http://www.opengis.net/def/crs/EPSG/0/4326"},
        },
    }[form]
    error = refused("area.crs_remote", geojson_with_crs(crs), "plan.geojson")
    assert (crs["properties"].get("href") or crs["properties"]["name"]) in error.message()
    refused("area.crs_remote", geojson_with_crs(crs), "plan.geojson", crs="EPSG:4326")
    assert asked() == []


def test_geojson_crs_given_as_an_ogc_urn_is_read():
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    assert_is_the_borgen_square(geo.read_area(geojson_with_crs(crs), "plan.geojson"))


def test_gdal_reading_an_upload_never_fetches_a_url_even_past_the_content_check(listener, tmp_path, monkeypatch):
    # the second line of defence: GDAL's own HTTP goes nowhere while it reads uploads
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    url, asked = listener
    path = tmp_path / "plan.json"
    path.write_bytes(geojson_with_crs({"type": "link", "properties": {"href": f"{url}/x"}}))
    geo._read(path, ".json", None)
    assert asked() == []
