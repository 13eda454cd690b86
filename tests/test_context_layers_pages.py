"""Context layers in the app (AppTest): a planner adds a WMS layer and a GeoJSON layer in the
builder; residents see both on the consultation's map and as a text list under it."""

from __future__ import annotations

import json

from shapely.geometry import box, mapping
from streamlit.testing.v1 import AppTest

from consultations import geo
from tests.conftest import log_in_as, staff

BORGEN = "borgen-tettstedsutvikling"
PREFIX = f"builder-{BORGEN}"
EAST, NORTH = geo.to_working_crs(10.414, 59.826)
HOUSES = json.dumps(
    {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"navn": "Blokk A"},
                "geometry": mapping(box(EAST, NORTH, EAST + 30, NORTH + 20)),
            },
            {
                "type": "Feature",
                "properties": {"navn": "Blokk B"},
                "geometry": mapping(box(EAST + 50, NORTH, EAST + 80, NORTH + 20)),
            },
        ],
    }
).encode()


def builder(at: AppTest, lang: str = "nb") -> AppTest:
    kari = staff(at.store(), "kari")
    log_in_as(at, kari.id)
    at.query_params["id"] = BORGEN
    if lang != "nb":
        at.query_params["lang"] = lang
    at.switch_page("pages/rediger.py")
    return at.run()


def fill(at: AppTest, form: str, **values: str) -> None:
    for name, value in values.items():
        widget = at.text_area if name == "legend" else at.text_input
        widget(key=f"{PREFIX}-{form}-{name}").input(value)


def shown(at: AppTest) -> list[str]:
    kinds = ("markdown", "caption", "success", "error", "subheader")
    return [str(e.value) for kind in kinds for e in at.get(kind)]


def test_a_planner_adds_a_wms_and_a_geojson_layer_and_residents_see_both_on_the_map_and_as_text(
    demo_app,
):
    at = builder(demo_app)
    assert not at.exception
    fill(
        at,
        "wms",
        url="https://wms.geonorge.no/skwms1/wms.reguleringsplaner?request=GetMap",
        layers="Planomrade",
        name="Planforslaget",
        legend="Gult er nye boliger.",
        attribution="© Asker kommune",
    )
    at.button(key=f"{PREFIX}-wms-add").click()
    at.run()
    assert "Kartlaget «Planforslaget» er lagt til." in shown(at)
    at.file_uploader(key=f"{PREFIX}-file-upload").set_value(("blokker.geojson", HOUSES, "application/geo+json"))
    fill(at, "file", name="Nye blokker", legend="Omrisset av blokkene i forslaget.")
    at.button(key=f"{PREFIX}-file-add").click()
    at.run()
    assert not at.exception
    assert "Kartlaget «Nye blokker» er lagt til." in shown(at)
    assert [layer.name for layer in at.store().context_layers(BORGEN)] == [
        "Planforslaget",
        "Nye blokker",
    ]

    at.switch_page("pages/home.py")
    at.run()
    assert not at.exception
    (listing,) = [h.proto.body for h in at.get("html") if "ki-context-layers" in h.proto.body]
    assert (
        "<strong>Planforslaget</strong> (kartbilde fra wms.geonorge.no)<br>Gult er nye boliger.<br>Kilde: © Asker kommune"
        in listing
    )
    assert "<strong>Nye blokker</strong> (2 områder)<br>Omrisset av blokkene i forslaget." in listing
    (component,) = at.get("component_instance")
    script = json.loads(component.proto.json_args)["script"]
    assert 'L.tileLayer.wms(\n                "https://wms.geonorge.no/skwms1/wms.reguleringsplaner"' in script
    assert "Blokk A" in script and "L.control.layers" in script


def test_a_bad_address_or_file_is_refused_in_the_builder_with_the_reason_and_nothing_stored(
    demo_app,
):
    at = builder(demo_app)
    fill(
        at,
        "wms",
        url="http://kart.asker.kommune.no/wms",
        layers="plan",
        name="Plan",
        legend="Planen.",
    )
    at.button(key=f"{PREFIX}-wms-add").click()
    at.run()
    assert [e.value for e in at.error] == [
        "Kartserveren må nås over https://, så innbyggernes nettlesere kan hente kartet sikkert."
    ]
    at.file_uploader(key=f"{PREFIX}-file-upload").set_value(
        ("plan.geojson", b"<OGRVRTDataSource/>", "application/json")
    )
    fill(at, "file", name="Fil", legend="Noe.")
    at.button(key=f"{PREFIX}-file-add").click()
    at.run()
    assert "Filen kan ikke leses som kartdata" in at.error[-1].value
    assert at.store().context_layers(BORGEN) == []


def test_the_builder_section_speaks_nynorsk_and_english(demo_app):
    at = builder(demo_app, "nn")
    assert "Kartlag under innspela" in shown(at)
    at.query_params["lang"] = "en"
    at.run()
    assert "Map layers under the inputs" in shown(at)
    assert at.button(key=f"{PREFIX}-wms-add").label == "Add map layer from a map server"


def test_a_planner_removes_a_layer_and_it_leaves_the_residents_map(demo_app):
    at = builder(demo_app)
    fill(
        at,
        "wms",
        url="https://wms.geonorge.no/wms",
        layers="plan",
        name="Plan",
        legend="Planen.",
    )
    at.button(key=f"{PREFIX}-wms-add").click()
    at.run()
    (layer,) = at.store().context_layers(BORGEN)
    at.button(key=f"{PREFIX}-layer-delete-{layer.id}").click()
    at.run()
    assert at.store().context_layers(BORGEN) == []
    at.switch_page("pages/home.py")
    at.run()
    assert not [h for h in at.get("html") if "ki-context-layers" in h.proto.body]
    (component,) = at.get("component_instance")
    assert "tileLayer.wms" not in json.loads(component.proto.json_args)["script"]
