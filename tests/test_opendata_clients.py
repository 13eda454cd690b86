"""Real clients against the shipped server (`streamlit run serve.py`, tests/live_server.py):
GDAL's OAPIF driver (Debian's ogrinfo/ogr2ogr, and the newer GDAL in pyogrio for Part 2's
``crs``), OWSLib's Features client and feedparser — as QGIS, ArcGIS, a GIS team's scripts
and the municipality's website would read /ogcapi and /feeds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from consultations import geo
from consultations.store import Store
from tests.live_server import NO_PROXY_OPENER, AppServer, running
from tests.opendata_data import ADDRESS, CLOSED, OPEN, PHONE, SENDER, Seeded, seed

MANY = 2_500  # published inputs of the open consultation
NO_PROXY = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[AppServer, Seeded]]:
    tmp = tmp_path_factory.mktemp("opendata")
    db = tmp / "app.duckdb"
    store = Store.open(db)
    seeded = seed(store, many=MANY - 4)
    store.close()
    with running(db, tmp / "streamlit.log", {"KARTINNSPILL_DEMO": "0"}) as server:
        yield server, seeded


@pytest.fixture
def no_proxy(monkeypatch):
    for name, value in NO_PROXY.items():
        monkeypatch.setenv(name, value)
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def gdal_online():
    """This process's GDAL as a GIS has it: without geo.py's offline settings for uploads
    (they are process-wide, so set whenever an earlier test read an upload), restored after."""
    pyogrio = pytest.importorskip("pyogrio")
    saved = {name: pyogrio.get_gdal_config_option(name) for name in geo._GDAL_OFFLINE}
    pyogrio.set_gdal_config_options(dict.fromkeys(saved))
    yield
    pyogrio.set_gdal_config_options(saved)


def _gdal(*argv: str) -> str:
    if shutil.which(argv[0]) is None:
        pytest.fail(f"{argv[0]} not found: apt-get install gdal-bin (.ci/run installs it)", pytrace=False)
    env = {"PATH": "/usr/bin:/bin", "GDAL_HTTP_TIMEOUT": "60", **NO_PROXY}
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _get(server: AppServer, path: str, headers: dict[str, str] | None = None):
    import urllib.request

    return NO_PROXY_OPENER.open(urllib.request.Request(server.url + path, headers=headers or {}), timeout=60)


def test_ogrinfo_lists_the_collections_of_the_public_consultations(served):
    server, _ = served
    listing = _gdal("ogrinfo", "-ro", "-q", f"OAPIF:{server.url}/ogcapi")
    layers = {line.split(":", 1)[1].split("(")[0].strip() for line in listing.splitlines() if ":" in line}
    assert layers == {"planomrader", f"innspill-{OPEN}", f"innspill-{CLOSED}"}
    summary = _gdal("ogrinfo", "-ro", "-so", f"OAPIF:{server.url}/ogcapi", f"innspill-{OPEN}")
    assert f"Feature Count: {MANY}" in summary


def test_ogr2ogr_reads_every_published_input_and_nothing_withheld(served, tmp_path):
    server, seeded = served
    out = tmp_path / "innspill.geojson"
    _gdal("ogr2ogr", "-f", "GeoJSON", str(out), f"OAPIF:{server.url}/ogcapi", f"innspill-{OPEN}")
    features = json.loads(out.read_text())["features"]
    ids = [int(f["properties"]["reference"].removeprefix("KI-")) for f in features]
    assert len(features) == MANY and len(set(ids)) == MANY
    assert set(seeded.published[OPEN]) <= set(ids)
    assert not set(seeded.withheld) & set(ids)
    text = out.read_text()
    for secret in (PHONE, SENDER, ADDRESS, "Skjult innspill", "Venter på moderering"):
        assert secret not in text


def test_gdal_reprojects_to_utm_32_through_the_crs_parameter(served, no_proxy, gdal_online):
    """GDAL ≥ 3.7 asks the server for the CRS (Part 2) when the collection lists it; the
    server's coordinates are rounded to centimetres, a client-side reprojection's are not.
    GDAL runs in this process here: ``gdal_online`` lifts the settings geo.py gives it for
    uploads (a dead proxy, one-second time-outs), which an earlier test may have left."""
    pyogrio = pytest.importorskip("pyogrio")
    server, seeded = served
    frame = pyogrio.read_dataframe(f"OAPIF:{server.url}/ogcapi", layer=f"innspill-{CLOSED}", CRS="EPSG:25832")
    assert frame.crs.to_epsg() == 25832
    assert len(frame) == len(seeded.published[CLOSED])
    point = frame.geometry.iloc[0]
    assert (point.x, point.y) == geo.to_working_crs(10.45, 59.783)


def test_owslib_pages_through_2500_inputs(served, no_proxy):
    from owslib.ogcapi.features import Features

    server, seeded = served
    api = Features(f"{server.url}/ogcapi")
    assert f"innspill-{OPEN}" in {c["id"] for c in api.collections()["collections"]}
    seen: list[int] = []
    params: dict[str, object] = {"limit": 300}
    pages = 0
    while True:
        page = api.collection_items(f"innspill-{OPEN}", **params)
        pages += 1
        seen += [f["id"] for f in page["features"]]
        following = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not following:
            break
        query = parse_qs(urlsplit(following[0]).query)
        params = {name: values[0] for name, values in query.items()}
    assert pages == 9
    assert len(seen) == MANY == len(set(seen))
    assert not set(seeded.withheld) & set(seen)


def test_the_atom_feed_parses_in_feedparser_with_frist_and_link(served):
    feedparser = pytest.importorskip("feedparser")
    server, _ = served
    with _get(server, "/feeds/horinger.atom") as response:
        body = response.read()
        assert response.headers["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert titles == ["Heggedal torg", "Borgen sentrum"]
    borgen = parsed.entries[1]
    assert borgen.link == f"{server.url}/?id={OPEN}"
    assert "Frist:" in borgen.summary and "26/1234" in borgen.summary


def test_api_answers_carry_the_http_policy_and_are_cached_per_version(served):
    server, _ = served
    with _get(server, "/ogcapi/collections") as response:
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        # a shared cache may keep it: no browser cookie (a staff login's binding) in it
        assert headers.get("Set-Cookie") is None
        tag = headers["ETag"]
    with _get(server, "/") as page:
        assert page.headers.get("Set-Cookie")  # the pages still set it
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as not_modified:
        _get(server, "/ogcapi/collections", {"If-None-Match": tag})
    assert not_modified.value.code == 304
