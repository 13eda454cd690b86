"""Residents' words on a map are data: no template engine reads them as a tag.

branca renders each folium element, wraps the result in an ``Element`` (which compiles it as
a Jinja template) and renders that again with the figure: before ``map_markup``, a published
input «{{ cycler.__init__.__globals__.os.mkdir(…) }}» ran on the server when the map was
built, and «{#» broke the map for everyone.
"""

from __future__ import annotations

import inspect
import json
import textwrap

import folium
import folium.map
import pytest
from branca.element import MacroElement

from consultations.planning import context_layers
from consultations.config import load_settings
from consultations.model import InputDraft, MapPoint
from consultations.participation.submission import submit_input
from consultations.text import escape_html, js_literal
from consultations.ui import map_markup
from consultations.ui.maps import (
    consultation_map,
    overview_map,
    render_map,
    rendered_consultation_map,
)
from tests.conftest import INSIDE, NOW, make_consultation, staff

# Each would create the folder «ki-ran» in the working directory if it ran as a template.
RUNS_CODE = "Hei {{ cycler.__init__.__globals__.os.mkdir(dict(ki-ran=1)|first) }} der"
RUNS_CODE_TOO = "{% for x in [cycler.__init__.__globals__.os.mkdir(dict(ki-ran=1)|first)] %}{% endfor %}"
BREAKS_TEMPLATE = "Se {# her og {% if"


@pytest.fixture
def settings(monkeypatch, tmp_path):
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    monkeypatch.chdir(tmp_path)  # where a template that ran would have made «ki-ran»
    return load_settings()


def _ran(tmp_path) -> bool:
    return (tmp_path / "ki-ran").exists()


@pytest.mark.parametrize("text", [RUNS_CODE, RUNS_CODE_TOO, BREAKS_TEMPLATE])
def test_a_published_input_that_looks_like_a_template_is_shown_as_written_and_never_run(
    store, consultation, settings, tmp_path, text
):
    draft = InputDraft("Annet", text, lat=INSIDE[0], lon=INSIDE[1])
    submit_input(store, consultation.id, draft, session="s", now=NOW)
    rendered = rendered_consultation_map(store, settings, consultation, "nb")
    assert not _ran(tmp_path)
    rows = [json.loads(part.split(";\n", 1)[0]) for part in rendered.script.split("var rows = ")[1:]]
    pins = [row for part in rows for row in part if isinstance(row[0], float)]  # [lat, lon, category, text, id]
    assert escape_html(text) in [row[3] for row in pins]


def test_drawn_routes_photos_and_planners_maps_keep_template_text_as_data(settings, tmp_path):
    c = make_consultation()
    route = json.dumps({"type": "LineString", "coordinates": [[10.410, 59.825], [10.414, 59.826]]})
    points = [
        MapPoint(59.826, 10.414, "Annet", RUNS_CODE, 1),
        MapPoint(59.8255, 10.412, "Annet", BREAKS_TEMPLATE, 2, drawing=route, measure=250.0),
    ]
    rendered = render_map(consultation_map(settings, c, points, "nb"), "map-x")
    assert not _ran(tmp_path)
    assert "mkdir" in rendered.script and "{# her" not in rendered.script  # written as \u007b# her


def test_a_context_layer_file_whose_properties_look_like_templates_is_drawn_and_never_run(
    store, consultation, settings, tmp_path
):
    feature = {
        "type": "Feature",
        "properties": {"label": RUNS_CODE, "note": BREAKS_TEMPLATE},
        "geometry": {"type": "Point", "coordinates": [INSIDE[1], INSIDE[0]]},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    context_layers.add_file_layer(
        store,
        consultation.id,
        staff(store),
        name="Stier {{ 7*7 }}",
        filename="stier.geojson",
        data=data,
        legend="Turstier {# i området",
        attribution="Kommunen {% raw %}",
    )
    rendered = rendered_consultation_map(store, settings, consultation, "nb")
    assert not _ran(tmp_path)
    assert "7*7 }}" in rendered.script and "49" not in rendered.script.split("Stier", 1)[1][:20]


def test_staff_titles_in_the_overview_maps_popups_are_never_run(settings, tmp_path):
    c = make_consultation(title="Sentrum {{ cycler.__init__.__globals__.os.mkdir(dict(ki-ran=1)|first) }} {#")
    m = overview_map(settings, [c], "nb")
    m.get_root().render()
    render_map(m, "home-map")
    assert not _ran(tmp_path)


def test_js_literal_writes_template_openers_inside_strings_as_escapes():
    value = ["a {{ b }} {% c %} {# d", {"e": {"f": "{#"}}, {}]
    text = js_literal(value)
    assert json.loads(text) == value
    assert "{{" not in text and "{%" not in text and "{#" not in text


def test_the_maps_markup_is_what_branca_itself_renders_for_ordinary_text(settings, monkeypatch):
    """For text without template tags, keeping markup as text changes nothing the browser gets."""
    c = make_consultation()
    points = [MapPoint(59.826, 10.414, "Annet", "Tekst med <b>tagger</b> & «tegn» {ikke en tag}", 1)]
    ours = render_map(consultation_map(settings, c, points, "nb"), "map-x")
    monkeypatch.setattr(MacroElement, "render", map_markup.BRANCA_MACRO_RENDER)
    monkeypatch.setattr(folium.map.Popup, "render", map_markup.FOLIUM_POPUP_RENDER)
    theirs = render_map(consultation_map(settings, c, points, "nb"), "map-x")
    assert (ours.script, ours.header, ours.html) == (theirs.script, theirs.header, theirs.html)


def test_the_library_steps_it_replaces_are_the_ones_it_was_written_against():
    """An upgrade of branca or folium that changes these steps must be looked at again."""
    macro = textwrap.dedent(inspect.getsource(map_markup.BRANCA_MACRO_RENDER))
    for part in ("header", "html", "script"):
        assert f"figure.{part}.add_child(Element({part}(self, kwargs)), name=self.get_name())" in macro
    assert "for name, element in self._children.items():\n        element.render(**kwargs)" in macro
    popup = textwrap.dedent(inspect.getsource(map_markup.FOLIUM_POPUP_RENDER))
    assert "Element(self._template.render(this=self, kwargs=kwargs))" in popup
    assert "child.render(**kwargs)" in popup
    assert MacroElement.render is not map_markup.BRANCA_MACRO_RENDER  # the app's maps use ours
