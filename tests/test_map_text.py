"""No text reaches a map's script as code (security finding N2).

folium 0.20 writes ``Tooltip``/``Popup`` text inside a JavaScript template literal, where
«${…}» runs: a consultation title «Sec-test ${(top.XSS_TITLE=document.domain)}» ran in every
visitor's start page. Every map is rendered here with hostile titles, categories, place
names, context-layer names and school names, and its script is read as JavaScript: outside
its string literals there is no template literal at all (no backtick, no «${»), the hostile
text never stands there, and no ``</script>`` closes a script early.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import folium
import pandas as pd
import pytest

from consultations.casework.analysis import Hotspot
from consultations.config import load_settings
from consultations.participation.drawing import Sketch
from consultations.model import ContextLayer, LayerKind, MapPoint, Shape, Stage
from consultations.ui.class_maps import results_map
from consultations.ui.maps import (
    consultation_map,
    draw_tools,
    overview_map,
    render_map,
    sketch_script,
)
from consultations.ui.review.summary import density_map, routes_map
from tests.conftest import INSIDE, make_consultation

HOSTILE = (
    "Sec-test ${(top.XSS_TITLE=document.domain)}",
    "tick `+(top.XSS_TICK=1)+` tock",
    "</script><script>top.XSS_CLOSE=1</script>",
    "{{7*7}} <img src=x onerror=top.XSS_IMG=1>",
)
ALL_HOSTILE = " · ".join(HOSTILE)

# A JavaScript string literal or comment: what may hold any text without running it.
_INERT = re.compile(r'"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r"|/\*.*?\*/" r"|(?<![:\"'])//[^\n]*", re.S)
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)


def code_outside_strings(script: str) -> str:
    return _INERT.sub('""', script)


def assert_no_text_runs(html: str) -> None:
    """``html``: a rendered map document, or a script alone."""
    scripts = _SCRIPT.findall(html) if "<script" in html.lower() else [html]
    assert scripts
    opened = len(re.findall(r"<script\b", html, re.I))
    assert len(re.findall(r"</script", html, re.I)) == opened, "a text closed a <script> early"
    for script in scripts:
        code = code_outside_strings(script)
        assert "`" not in code, "a template literal in the map's script"
        assert "${" not in code
        for text in HOSTILE:
            for part in (text, text[:12], "XSS_"):
                assert part not in code, part


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    return load_settings()


def full_html(m: folium.Map) -> str:
    return m.get_root().render()


def test_the_scan_finds_what_folium_s_own_tooltip_would_have_let_run(settings):
    """The rule's own check: the way the title went in before (folium.Tooltip/Popup) fails it."""
    m = overview_map(settings, [], "nb")
    area = folium.GeoJson({"type": "Point", "coordinates": [10.41, 59.82]})
    area.add_child(folium.Tooltip(HOSTILE[0]))
    area.add_to(m)
    with pytest.raises(AssertionError):
        assert_no_text_runs(full_html(m))


def test_the_start_page_map_shows_a_hostile_title_as_text_only(settings):
    c = make_consultation(title=ALL_HOSTILE)
    html = full_html(overview_map(settings, [c], "nb"))
    assert_no_text_runs(html)
    assert "bindPopup" in html and "textContent" in html
    # the title is there as data: the JSON read back is the title as written
    data = re.search(r"var data = (\{.*?\});", html).group(1)
    assert json.loads(data)["heading"] == ALL_HOSTILE


def test_a_consultation_map_with_hostile_categories_layers_and_inputs_runs_none_of_them(settings):
    c = make_consultation(categories=list(HOSTILE))
    route = json.dumps({"type": "LineString", "coordinates": [[10.410, 59.825], [10.414, 59.826]]})
    points = [
        MapPoint(INSIDE[0], INSIDE[1], HOSTILE[0], ALL_HOSTILE, 1),
        MapPoint(59.8255, 10.412, HOSTILE[1], ALL_HOSTILE, 2, drawing=route, measure=250.0),
    ]
    feature = {
        "type": "Feature",
        "properties": {"label": ALL_HOSTILE},
        "geometry": {"type": "Point", "coordinates": [10.41, 59.825]},
    }
    layers = [
        ContextLayer(
            1,
            c.id,
            LayerKind.FILE,
            ALL_HOSTILE,
            ALL_HOSTILE,
            ALL_HOSTILE,
            geojson=json.dumps({"type": "FeatureCollection", "features": [feature]}),
        ),
        ContextLayer(
            2,
            c.id,
            LayerKind.WMS,
            ALL_HOSTILE,
            ALL_HOSTILE,
            ALL_HOSTILE,
            wms_url="https://kart.example.no/wms",
            wms_layers="plan",
        ),
    ]
    m = consultation_map(settings, c, points, "nb", layers=layers)
    draw_tools(Shape.LINE, "nb").add_to(m)
    assert_no_text_runs(full_html(m))
    assert_no_text_runs(render_map(m, "map-x").script)


def test_a_resident_s_own_points_named_by_hostile_place_names_run_nothing():
    sketch = Sketch(shape=Shape.LINE, points=tuple())
    for n, text in enumerate(HOSTILE):
        sketch = sketch.with_point(text, 59.825 + n / 1000, 10.41)
    script = sketch_script(sketch, Stage.IDEFASE, "nb")
    assert_no_text_runs(script)
    assert "textContent" in script


def test_the_planners_summary_maps_with_hostile_place_names_and_categories_run_nothing(settings):
    c = make_consultation(title=ALL_HOSTILE)
    spot = Hotspot(12, INSIDE[0], INSIDE[1], 0.0, 0.0, ((HOSTILE[0], 12),), ALL_HOSTILE, 40, (1,))
    area = json.dumps(
        {"type": "Polygon", "coordinates": [[[10.41, 59.825], [10.412, 59.825], [10.412, 59.826], [10.41, 59.825]]]}
    )
    dash = SimpleNamespace(
        density=pd.DataFrame({"east": [], "north": [], "count": []}),
        hotspots=[spot],
        line_density=None,
        areas=pd.DataFrame({"id": [1], "drawing": [area], "category": [ALL_HOSTILE]}),
    )
    assert_no_text_runs(full_html(density_map(settings, c, dash, "nb")))
    assert_no_text_runs(full_html(routes_map(settings, c, dash, "nb")))


def test_the_class_results_map_runs_no_hostile_text(settings):
    """Its tooltips are numbers and translated words; a school's name never reaches it (the
    class's page shows it with Streamlit's escaping) and the title is not on it as script."""
    c = make_consultation(title=ALL_HOSTILE, categories=list(HOSTILE))
    empty = pd.DataFrame({"east": [], "north": [], "count": []})
    assert_no_text_runs(full_html(results_map(settings, c, empty, empty, [], "nb")))


def test_no_map_builder_hands_folium_a_tooltip_or_popup_string():
    """The rule in the source: folium's Tooltip/Popup/GeoJsonTooltip/GeoJsonPopup and its
    ``tooltip=``/``popup=`` arguments are not used anywhere (charts' altair tooltips are not
    maps); ``map_text`` is the way."""
    root = Path(__file__).resolve().parent.parent
    folium_text = re.compile(
        r"folium\.(Tooltip|Popup|GeoJsonTooltip|GeoJsonPopup)\b|(?<!`)\b(tooltip|popup)=(?!\[alt\.)"
    )
    found = []
    for path in [*root.glob("consultations/**/*.py"), *root.glob("pages/*.py"), root / "app.py"]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if folium_text.search(line):
                found.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert found == []
