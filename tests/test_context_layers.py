"""Context layers: staff put the plan's own map (WMS) or features from a file under the pins.

Core: what is stored, what is refused (with the message, and nothing stored), which hosts
the HTTP policy then allows, and the consultation map that draws them.
"""

from __future__ import annotations

import json

import geopandas
import pytest
from shapely.geometry import LineString, Point, box, mapping

from consultations.planning import context_layers
from consultations import geo
from consultations.config import load_settings
from consultations.errors import InvalidLayer
from consultations.http_policy import content_security_policy
from consultations.model import LayerKind, Role
from consultations.permissions import NotAllowed
from consultations.ui.maps import rendered_consultation_map
from tests.conftest import staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

EAST, NORTH = geo.to_working_crs(10.414, 59.826)  # Borgen, EPSG:25832
PLOT = box(EAST - 40, NORTH - 30, EAST + 40, NORTH + 30)
ROAD = LineString([(EAST - 300, NORTH), (EAST + 300, NORTH + 50)])
WMS = "https://wms.geonorge.no/skwms1/wms.reguleringsplaner"


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.setenv("KARTINNSPILL_TILES", "kartverket-topo")
    return load_settings()


def add_wms(store, consultation, who, **changes):
    fields = {
        "name": "Planforslag",
        "url": WMS,
        "layers": "Planomrade,Arealformal",
        "legend": "Gult: boliger. Grønt: friområder.",
        "attribution": "© Asker kommune",
    }
    return context_layers.add_wms_layer(store, consultation.id, who, **{**fields, **changes})


def add_file(store, consultation, who, data, filename="bygg.geojson", **changes):
    fields = {
        "name": "Nye bygg",
        "legend": "Omrisset av de nye byggene.",
        "attribution": "",
    }
    return context_layers.add_file_layer(
        store,
        consultation.id,
        who,
        filename=filename,
        data=data,
        **{**fields, **changes},
    )


def geojson_25832(*features: tuple[dict, object]) -> bytes:
    """GeoJSON in EPSG:25832 as a GIS exports it (an OGC URN in its "crs" member)."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {
                "type": "name",
                "properties": {"name": "urn:ogc:def:crs:EPSG::25832"},
            },
            "features": [{"type": "Feature", "properties": props, "geometry": mapping(g)} for props, g in features],
        }
    ).encode()


def refused(key: str, call) -> InvalidLayer:
    with pytest.raises(InvalidLayer) as caught:
        call()
    assert caught.value.key == key, caught.value.message()
    assert caught.value.message("nb") != key and caught.value.message("en") != key
    return caught.value


# --- WMS ---------------------------------------------------------------------------------


def test_a_wms_layer_is_stored_with_its_address_normalised_and_audited(store, consultation, kari):
    pasted = f"{WMS.replace('wms.geonorge.no', 'WMS.Geonorge.NO:443')}?SERVICE=WMS&request=GetCapabilities&LAYERS=Planomrade&map=plan#x"
    layer = add_wms(store, consultation, kari, url=pasted, layers="")
    assert layer.kind == LayerKind.WMS
    assert layer.wms_url == f"{WMS}?map=plan"  # no request parameters, no fragment, no :443
    assert layer.wms_layers == "Planomrade"  # taken from the pasted LAYERS=
    assert store.context_layers(consultation.id) == [layer] and store.context_layer(layer.id) == layer
    (entry,) = [e for e in store.audit_entries() if e.action == "context_layer.add"]
    assert entry.actor == "kari" and json.loads(entry.after)["url"] == f"{WMS}?map=plan"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://kart.asker.kommune.no/wms", "context_layer.url_https"),
        (
            "https://kari:hemmelig@kart.asker.kommune.no/wms",
            "context_layer.url_credentials",
        ),
        (
            "https://kart.asker.kommune.no/wms?access_token=abc",
            "context_layer.url_credentials",
        ),
        (
            "https://kart.asker.kommune.no/wms?apiKey=abc",
            "context_layer.url_credentials",
        ),
        ("javascript:alert(1)", "context_layer.url_invalid"),
        ("ftp://kart.asker.kommune.no/wms", "context_layer.url_invalid"),
        ("https://kart asker.no/wms", "context_layer.url_invalid"),
        ("https://kart.asker.no:99999/wms", "context_layer.url_invalid"),
        ("https://kart_asker;.no/wms", "context_layer.url_invalid"),
        ("", "context_layer.url_missing"),
    ],
)
def test_a_wms_address_that_is_not_plain_https_is_refused_and_nothing_stored(store, consultation, kari, url, key):
    refused(key, lambda: add_wms(store, consultation, kari, url=url))
    assert store.context_layers(consultation.id) == []
    assert not [e for e in store.audit_entries() if e.action.startswith("context_layer")]


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://127.0.0.1:8765/wms", "context_layer.url_https"),
        ("http://localhost/wms", "context_layer.url_https"),
        ("https://127.0.0.1/wms", "context_layer.url_host"),
        ("https://[::1]:8765/wms", "context_layer.url_host"),
        ("https://10.0.0.1/wms", "context_layer.url_host"),
        ("https://192.168.1.1/wms", "context_layer.url_host"),
        ("https://93.184.216.34/wms", "context_layer.url_host"),  # any IP literal
        ("https://localhost/wms", "context_layer.url_host"),
        ("https://gis/wms", "context_layer.url_host"),  # an intranet name
        ("https://kart.asker.local/wms", "context_layer.url_host"),
        ("https://router.home.arpa/wms", "context_layer.url_host"),
    ],
)
def test_a_wms_host_must_be_a_public_dns_name_over_https(store, consultation, kari, url, key):
    """Issue 20, N5: before, http to the resident's own loopback and https to any IP
    literal were taken (the resident's router, this server's network)."""
    refused(key, lambda: add_wms(store, consultation, kari, url=url))
    assert store.context_layers(consultation.id) == []


def test_this_machine_s_loopback_is_taken_only_when_the_operator_allows_it_for_tests(store, consultation, kari):
    for url in ("http://127.0.0.1:8765/wms", "http://localhost/wms", "http://[::1]:8765/wms"):
        assert add_wms(store, consultation, kari, url=url, loopback=True).wms_url == url
    refused(
        "context_layer.url_https", lambda: add_wms(store, consultation, kari, url="http://10.0.0.1/wms", loopback=True)
    )


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"name": "  "}, "context_layer.name_missing"),
        ({"legend": ""}, "context_layer.legend_missing"),
        ({"name": "x" * 81}, "context_layer.name_too_long"),
        ({"layers": ""}, "context_layer.wms_names_missing"),
        ({"layers": "plan<script>"}, "context_layer.wms_name_invalid"),
    ],
)
def test_a_wms_layer_needs_a_name_a_legend_and_plain_layer_names(store, consultation, kari, changes, key):
    refused(key, lambda: add_wms(store, consultation, kari, **changes))
    assert store.context_layers(consultation.id) == []


def test_only_an_active_planner_may_add_or_remove_a_layer(store, consultation, kari):
    layer = add_wms(store, consultation, kari)
    store.update_user(kari.id, "ola", active=False)
    with pytest.raises(NotAllowed):
        add_wms(store, consultation, kari)
    with pytest.raises(NotAllowed):
        context_layers.delete_layer(store, layer.id, kari)
    assert store.context_layers(consultation.id) == [layer]


def test_a_consultation_has_at_most_ten_layers(store, consultation, kari):
    for n in range(context_layers.MAX_LAYERS):
        add_wms(store, consultation, kari, name=f"Lag {n}")
    refused("context_layer.too_many_layers", lambda: add_wms(store, consultation, kari))


# --- files -------------------------------------------------------------------------------


def test_a_geojson_file_is_reprojected_and_kept_as_geometry_with_only_a_label(store, consultation, kari):
    data = geojson_25832(
        ({"navn": "Hus A", "eier": "Kari Nordmann", "fnr": "01010112345"}, PLOT),
        ({"navn": None}, ROAD),
        ({}, Point(EAST, NORTH)),
    )
    layer = add_file(store, consultation, kari, data)
    assert (layer.areas, layer.lines, layer.points) == (1, 1, 1)
    stored = json.loads(store.context_layers(consultation.id)[0].geojson)
    assert [f["properties"] for f in stored["features"]] == [
        {"label": "Hus A"},
        {"label": ""},
        {"label": ""},
    ]
    assert "Kari Nordmann" not in layer.geojson and "01010112345" not in layer.geojson
    lon, lat = stored["features"][2]["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx((10.414, 59.826), abs=1e-6)


def test_a_geopackage_layer_is_read_and_one_of_several_must_be_named(store, consultation, kari, tmp_path):
    path = tmp_path / "plan.gpkg"
    geopandas.GeoDataFrame({"navn": ["Vei"]}, geometry=[ROAD], crs=25832).to_file(path, layer="veier")
    geopandas.GeoDataFrame({"navn": ["Bygg"]}, geometry=[PLOT], crs=25832).to_file(path, layer="bygg")
    data = path.read_bytes()
    error = refused(
        "context_layer.choose_layer",
        lambda: add_file(store, consultation, kari, data, "plan.gpkg"),
    )
    assert "veier" in error.message() and "bygg" in error.message()
    layer = add_file(store, consultation, kari, data, "plan.gpkg", file_layer="veier")
    assert (layer.lines, layer.areas) == (1, 0)


VRT = b'<OGRVRTDataSource><OGRVRTLayer name="a"><SrcDataSource>CSV:/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>'


@pytest.mark.parametrize(
    ("data", "filename", "key"),
    [
        (
            VRT,
            "plan.json",
            "area.unreadable",
        ),  # a GDAL VRT would read the server's files
        (VRT, "plan.gpkg", "area.unreadable"),
        (b"", "plan.geojson", "area.empty"),
        (b"PK\x03\x04", "plan.zip", "context_layer.format"),
        (b"<kml/>", "plan.kml", "context_layer.format"),
        (b"\x00\x01 not json", "plan.geojson", "area.unreadable"),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "crs": {
                        "type": "link",
                        "properties": {
                            "href": "http://127.0.0.1:1/crs",
                            "type": "proj4",
                        },
                    },
                    "features": [],
                }
            ).encode(),
            "plan.geojson",
            "area.crs_remote",
        ),
        (  # metres read as degrees: nowhere near Norway
            json.dumps({"type": "Feature", "properties": {}, "geometry": mapping(PLOT)}).encode(),
            "plan.geojson",
            "area.outside_norway",
        ),
        (
            json.dumps({"type": "FeatureCollection", "features": []}).encode(),
            "plan.geojson",
            "context_layer.no_features",
        ),
    ],
)
def test_a_hostile_or_unusable_file_is_refused_with_a_message_and_nothing_stored(
    store, consultation, kari, data, filename, key
):
    refused(key, lambda: add_file(store, consultation, kari, data, filename))
    assert store.context_layers(consultation.id) == []


def test_a_file_with_too_many_features_or_vertices_is_refused(store, consultation, kari, monkeypatch):
    monkeypatch.setattr(geo, "MAX_CONTEXT_FEATURES", 2)
    three = geojson_25832(*[({}, Point(EAST + n, NORTH)) for n in range(3)])
    error = refused("context_layer.too_many", lambda: add_file(store, consultation, kari, three))
    assert "3" in error.message() and "2" in error.message()
    monkeypatch.setattr(geo, "MAX_CONTEXT_VERTICES", 4)
    refused(
        "context_layer.too_detailed",
        lambda: add_file(store, consultation, kari, geojson_25832(({}, PLOT))),
    )
    assert store.context_layers(consultation.id) == []


# --- the hosts the HTTP policy allows -----------------------------------------------------


def test_the_wms_hosts_in_use_are_the_only_map_servers_besides_the_tile_server(
    store, store_location, consultation, kari, settings
):
    assert context_layers.map_origins(store, consultation.id) == ()
    layer = add_wms(store, consultation, kari)
    add_wms(store, consultation, kari, name="Samme server", layers="Arealformal")
    add_file(store, consultation, kari, geojson_25832(({}, PLOT)))
    assert context_layers.map_origins(store, consultation.id) == ("https://wms.geonorge.no",)
    assert context_layers.map_origins_at(store_location, consultation.id) == (
        "https://wms.geonorge.no",
    )  # the open store
    policy = content_security_policy(
        settings,
        "/component/x/index.html",
        "localhost:8501",
        context_layers.map_origins(store, consultation.id),
    )
    images = next(d for d in policy.split("; ") if d.startswith("img-src "))
    assert images.split()[1:] == [
        "'self'",
        "data:",
        "blob:",
        "https://cache.kartverket.no",
        "https://wms.geonorge.no",
    ]
    connect = next(d for d in policy.split("; ") if d.startswith("connect-src "))
    assert "geonorge" not in connect  # images only: Leaflet asks WMS tiles as <img>
    context_layers.delete_layer(store, layer.id, kari)
    assert context_layers.map_origins(store, consultation.id) == ("https://wms.geonorge.no",)  # still used by the other
    for remaining in store.context_layers(consultation.id):
        context_layers.delete_layer(store, remaining.id, kari)
    assert context_layers.map_origins(store, consultation.id) == ()


def test_an_origin_that_is_not_one_is_never_written_into_the_policy(settings):
    policy = content_security_policy(settings, "/", None, ["https://ok.example", "https://x; script-src *", "*"])
    images = next(d for d in policy.split("; ") if d.startswith("img-src "))
    assert images.endswith("https://cache.kartverket.no https://ok.example")
    assert "script-src *" not in policy


# --- the resident's map --------------------------------------------------------------------


def test_the_map_is_rendered_again_with_the_layers_and_their_texts_escaped(store, consultation, kari, settings):
    before = rendered_consultation_map(store, settings, consultation, "nb")
    assert "tileLayer.wms" not in before.script and "L.control.layers" not in before.script
    add_wms(
        store,
        consultation,
        kari,
        name="Plan <b>forslag</b>",
        attribution="<img src=x onerror=alert(1)>",
        legend="Gult er <i>nye</i> boliger.",
    )
    add_file(
        store,
        consultation,
        kari,
        geojson_25832(({"navn": "<script>alert(2)</script>"}, PLOT)),
        attribution="Plankontoret <AS>",
    )
    after = rendered_consultation_map(store, settings, consultation, "nb")
    assert after is not before
    assert f'L.tileLayer.wms(\n                "{WMS}"' in after.script
    assert '"layers": "Planomrade,Arealformal"' in after.script and '"transparent": true' in after.script
    assert "L.control.layers" in after.script
    for raw in ("<b>forslag", "<img src=x", "<script>alert(2)", "<i>nye"):
        assert raw not in after.script
    assert "Plan \\u0026lt;b\\u0026gt;forslag" in after.script  # shown as text in the layer control
    assert 'attribution: "Plankontoret \\u0026lt;AS\\u0026gt;"' in after.script  # the file's source
    assert 'ki-layer-legend\\"\\u003eGult er \\u0026lt;i\\u0026gt;nye' in after.script  # the legend, as text
    assert rendered_consultation_map(store, settings, consultation, "nb") is after


def test_the_map_cache_key_names_the_layers(store, consultation, kari, settings, monkeypatch):
    from consultations.ui import maps

    monkeypatch.setattr(maps, "_RENDERED", {})  # not the maps earlier tests left under this id
    add_wms(store, consultation, kari)
    rendered_consultation_map(store, settings, consultation, "nb")
    (key,) = [k for k in maps._RENDERED if k[0] == consultation.id]
    assert key[-1] == tuple(layer.id for layer in store.context_layers(consultation.id))


def test_a_planner_account_is_needed_not_an_admin(store, consultation):
    planner = staff(store, "per", Role.PLANNER)
    assert add_wms(store, consultation, planner).name == "Planforslag"


def test_a_duplicated_consultation_keeps_its_map_layers(store, consultation, kari):
    from consultations.planning.lifecycle import duplicate

    add_wms(store, consultation, kari)
    add_file(store, consultation, kari, geojson_25832(({"navn": "Hus"}, PLOT)))
    copy = duplicate(store, consultation.id, kari, "Kopi")
    original, copied = store.context_layers(consultation.id), store.context_layers(copy.id)
    assert [(layer.name, layer.wms_url, layer.geojson) for layer in copied] == [
        (layer.name, layer.wms_url, layer.geojson) for layer in original
    ]
    assert {layer.id for layer in copied}.isdisjoint(layer.id for layer in original)
