"""The school classes' map for planners: where the pupils go (route cells), their places
by label as a heat layer, the dangerous spots numbered.

Cells are drawn as GeoJSON squares coloured here (no colormap plugin: branca's pulls d3
from a CDN); every tooltip is a number or a translated word, never a pupil's text.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import pandas as pd

from .. import geo
from ..casework.class_results import Crossing, cell_rings
from ..config import Settings
from ..i18n import t
from ..model import Consultation
from .map_text import FeatureTooltip, TextTooltip
from .maps import _area_layer, _base

# light to dark: few routes to many
ROUTE_COLOURS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
PLACE_COLOURS = ("#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")


def _colour(count: int, top: int, colours: Sequence[str]) -> str:
    step = min(len(colours) - 1, int((count - 1) * len(colours) / max(top, 1)))
    return colours[max(0, step)]


def _cells_geojson(cells: pd.DataFrame, colours: Sequence[str], word: str) -> dict:
    top = int(cells["count"].max()) if len(cells) else 1
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring.tolist()]},
            "properties": {
                "colour": _colour(int(count), top, colours),
                "label": f"{int(count)} {word}",
            },
        }
        for ring, count in zip(cell_rings(cells), cells["count"], strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _cell_layer(cells: pd.DataFrame, colours: Sequence[str], name: str, word: str) -> folium.GeoJson:
    layer = folium.GeoJson(
        _cells_geojson(cells, colours, word),
        name=name,
        style_function=lambda f: {
            "color": f["properties"]["colour"],
            "weight": 0,
            "fillColor": f["properties"]["colour"],
            "fillOpacity": 0.7,
        },
    )
    return layer.add_child(FeatureTooltip())


def results_map(
    settings: Settings,
    consultation: Consultation,
    routes: pd.DataFrame,
    places: pd.DataFrame,
    crossings: Sequence[Crossing],
    lang: str,
) -> folium.Map:
    """Route cells, place cells and the numbered dangerous spots over the plan area."""
    m = _base(settings, geo.bounds(consultation.area), fit=False)
    _area_layer(consultation, lang).add_to(m)
    if len(routes):
        _cell_layer(
            routes,
            ROUTE_COLOURS,
            t("class_results.layer_routes", lang),
            t("class_results.cell_routes", lang),
        ).add_to(m)
    if len(places):
        _cell_layer(
            places,
            PLACE_COLOURS,
            t("class_results.layer_places", lang),
            t("class_results.cell_places", lang),
        ).add_to(m)
    spots = folium.FeatureGroup(name=t("class_results.layer_crossings", lang))
    for number, spot in enumerate(crossings, start=1):
        marker = folium.CircleMarker(
            location=(spot.lat, spot.lon),
            radius=12,
            color="#000000",
            weight=2,
            fill=True,
            fill_color="#d73027",
            fill_opacity=0.9,
        ).add_to(spots)
        TextTooltip(t("class_results.crossing_tooltip", lang, number=number, pupils=spot.pupils)).add_to(marker)
    spots.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
