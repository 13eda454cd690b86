"""Folium maps for the resident pages, built from self-hosted assets.

streamlit-folium renames every element by its place in the map tree, so the same map gives
the same script on every rerun and the browser does not reload it.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import folium
from folium.plugins import FastMarkerCluster, MarkerCluster

from .. import geo
from ..assets import JQUERY, LEAFLET, MARKERCLUSTER
from ..config import Settings
from ..i18n import t
from ..model import Consultation, MapPoint
from ..text import escape_html, excerpt, js_literal

POPUP_EXCERPT = 80  # characters of an input's text in its map popup; the list has it all
MAX_ZOOM = 18
AREA_STYLE = {"color": "#1f4e79", "weight": 3, "fillColor": "#1f4e79", "fillOpacity": 0.08}
PIN_STYLE = {"color": "#ffffff", "weight": 3, "fill_color": "#c0392b", "fill_opacity": 1.0}


def use_local_assets() -> None:
    """Point folium at the app's own copies of Leaflet & co. instead of public CDNs.

    Only what these maps use is kept: Bootstrap, Font Awesome and awesome-markers would
    be further third-party downloads for nothing.
    """
    folium.Map.default_js = [
        ("leaflet", LEAFLET.url("leaflet.js")),
        ("jquery", JQUERY.url("jquery.min.js")),  # folium's popup template uses $()
    ]
    folium.Map.default_css = [("leaflet_css", LEAFLET.url("leaflet.css"))]
    cluster_js = [("markerclusterjs", MARKERCLUSTER.url("leaflet.markercluster.js"))]
    cluster_css = [
        ("markerclustercss", MARKERCLUSTER.url("MarkerCluster.css")),
        ("markerclusterdefaultcss", MARKERCLUSTER.url("MarkerCluster.Default.css")),
    ]
    for cls in (MarkerCluster, FastMarkerCluster):
        cls.default_js = cluster_js
        cls.default_css = cluster_css


def _base(settings: Settings, bounds: tuple[float, float, float, float] | None) -> folium.Map:
    profile = settings.profile
    m = folium.Map(
        location=profile.centre,
        zoom_start=profile.zoom,
        tiles=None,
        control_scale=True,
        maxZoom=MAX_ZOOM,  # on the map itself: MarkerCluster needs it when there are no tiles
    )
    if settings.tiles is not None:
        folium.TileLayer(
            tiles=settings.tiles.url,
            attr=settings.tiles.attribution,
            max_zoom=MAX_ZOOM,
            max_native_zoom=settings.tiles.max_zoom,
        ).add_to(m)
    if bounds is not None:
        minlon, minlat, maxlon, maxlat = bounds
        m.fit_bounds([[minlat, minlon], [maxlat, maxlon]], padding=(10, 10))
    return m


def _area_layer(c: Consultation, lang: str, tooltip_html: str | None = None) -> folium.GeoJson:
    style = dict(AREA_STYLE)
    return folium.GeoJson(
        geo.area_to_geojson(c.area),
        name=t("map.plan_area", lang),
        style_function=lambda _feature: style,
        tooltip=folium.Tooltip(tooltip_html) if tooltip_html else None,
    )


def overview_map(
    settings: Settings, consultations: Sequence[Consultation], lang: str
) -> folium.Map:
    """Plan areas of the listed consultations, each with a link to its page."""
    union = None
    m = _base(settings, None)
    for c in consultations:
        union = c.area if union is None else union.union(c.area)
        layer = _area_layer(c, lang, tooltip_html=f"<strong>{escape_html(c.title)}</strong>")
        link = f"/?id={quote(c.id)}"  # absolute: the map lives in an iframe
        folium.Popup(
            f"<strong>{escape_html(c.title)}</strong><br>"
            f'<a href="{escape_html(link)}" target="_parent">{escape_html(t("home.open_link", lang))}</a>',
            max_width=280,
        ).add_to(layer)
        layer.add_to(m)
    if union is not None:
        minlon, minlat, maxlon, maxlat = geo.bounds(union)
        m.fit_bounds([[minlat, minlon], [maxlat, maxlon]], padding=(10, 10))
    return m


# folium writes "var callback = " before this expression.
_CALLBACK = """(function () {{
    var categories = {categories};
    return function (row) {{
        var marker = L.marker(new L.LatLng(row[0], row[1]), {{alt: categories[row[2]][1]}});
        marker.bindPopup(categories[row[2]][0] + row[3], {{maxWidth: 280}});
        return marker;
    }};
}})()"""


def _points_layer(consultation: Consultation, points: Sequence[MapPoint]) -> FastMarkerCluster:
    """Published inputs, clustered in the browser: a few bytes per input, popups escaped.

    Each row is [lat, lon, category index, escaped excerpt]; the escaped category
    headings are sent once.
    """
    index = {name: n for n, name in enumerate(consultation.categories)}
    extra = [p.category for p in points if p.category not in index]
    for name in dict.fromkeys(extra):
        index[name] = len(index)
    categories = [
        [f"<strong>{escape_html(name)}</strong><br>", name] for name in index
    ]
    rows = [
        [
            round(p.lat, 6),
            round(p.lon, 6),
            index[p.category],
            escape_html(excerpt(p.text, POPUP_EXCERPT)),
        ]
        for p in points
    ]
    return FastMarkerCluster(
        rows,
        callback=_CALLBACK.format(categories=js_literal(categories)),
        name="innspill",
        control=False,
        options={"maxClusterRadius": 50, "disableClusteringAtZoom": MAX_ZOOM},
    )


def consultation_map(
    settings: Settings, consultation: Consultation, points: Sequence[MapPoint], lang: str
) -> folium.Map:
    """The plan area and the published inputs; the resident's pin is added separately
    (``pin_layer``) so moving it does not redraw the map."""
    m = _base(settings, geo.bounds(consultation.area))
    _area_layer(consultation, lang).add_to(m)
    if points:
        _points_layer(consultation, points).add_to(m)
    return m


def pin_layer(pin: tuple[float, float] | None, lang: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="pin")
    if pin is not None:
        folium.CircleMarker(
            location=pin,
            radius=11,
            tooltip=escape_html(t("map.your_pin", lang)),
            **PIN_STYLE,
        ).add_to(group)
    return group
