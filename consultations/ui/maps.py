"""Folium maps for the resident pages and the staff's area drawing, from self-hosted assets.

streamlit-folium renames every element by its place in the map tree, so the same map gives
the same script on every rerun and the browser does not reload it.
"""

from __future__ import annotations

import itertools
import math
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple, dataclass, field, replace
from functools import lru_cache
from urllib.parse import quote

import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf
from folium.plugins import Draw, MarkerCluster
from folium.template import Template
from shapely.geometry.base import BaseGeometry

from .. import geo
from ..participation import public
from ..assets import GESTURE_HANDLING, JQUERY, LEAFLET, LEAFLET_DRAW, MARKERCLUSTER
from ..config import Settings
from ..participation.drawing import Sketch, size_words
from ..i18n import t
from ..model import (
    Consultation,
    ContextLayer,
    LayerKind,
    MapPoint,
    Shape,
    Stage,
    drawn_shape,
)
from ..planning.planprocess import worded
from ..participation.public import PublicPhoto
from ..store import Store
from ..text import escape_html, excerpt, js_literal, json_in_script
from .map_markup import keep_rendered_markup
from .map_text import LinkPopup, TextTooltip, escape_map_html
from .map_words import LayerSwitch, MapWords
from .safe import photos_html

# Characters of an input's text in its map popup (the list below the map has it all);
# shorter when there are many, to keep the page light (~1 MB at 10,000 inputs).
POPUP_EXCERPT = 200
POPUP_EXCERPT_MANY = 60
MANY_POINTS = 2_000
CLUSTER_OPTIONS = {"maxClusterRadius": 50, "disableClusteringAtZoom": 18}
MAX_ZOOM = 18
AREA_STYLE = {"color": "#1f4e79", "weight": 3, "fillColor": "#1f4e79", "fillOpacity": 0.08}
PIN_STYLE = {"color": "#ffffff", "weight": 3, "fill_color": "#c0392b", "fill_opacity": 1.0}


def use_local_assets() -> None:
    """Point folium at the app's own copies of Leaflet & co. instead of public CDNs.

    Only what these maps use is kept: Bootstrap, Font Awesome and awesome-markers would
    be further third-party downloads for nothing. Rendered markup stays text, never a
    template again (``map_markup``): residents' words are data.
    """
    keep_rendered_markup()
    folium.Map.default_js = [
        ("leaflet", LEAFLET.url("leaflet.js")),
        ("jquery", JQUERY.url("jquery.min.js")),  # folium's popup template uses $()
        ("gesture_handling", GESTURE_HANDLING.url("leaflet-gesture-handling.min.js")),
    ]
    folium.Map.default_css = [
        ("leaflet_css", LEAFLET.url("leaflet.css")),
        ("gesture_handling_css", GESTURE_HANDLING.url("leaflet-gesture-handling.min.css")),
    ]
    cluster_js = [("markerclusterjs", MARKERCLUSTER.url("leaflet.markercluster.js"))]
    cluster_css = [
        ("markerclustercss", MARKERCLUSTER.url("MarkerCluster.css")),
        ("markerclusterdefaultcss", MARKERCLUSTER.url("MarkerCluster.Default.css")),
    ]
    MarkerCluster.default_js = cluster_js  # inherited by InputCluster below
    MarkerCluster.default_css = cluster_css
    Draw.default_js = [("leaflet_draw_js", LEAFLET_DRAW.url("leaflet.draw.js"))]
    Draw.default_css = [("leaflet_draw_css", LEAFLET_DRAW.url("leaflet.draw.css"))]


def view(
    bounds: tuple[float, float, float, float], width: int = 600, height: int = 380
) -> tuple[tuple[float, float], int]:
    """Centre and zoom that show ``bounds`` in a map of about ``width`` × ``height`` pixels.

    For maps that may be drawn while hidden (in a tab that is not open): Leaflet's
    fitBounds in a container of no size zooms all the way in.
    """
    minlon, minlat, maxlon, maxlat = bounds

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(maxlon - minlon, 1e-6)
    y_span = max(mercator_y(maxlat) - mercator_y(minlat), 1e-8)
    zoom_x = math.log2(360 * width / (256 * lon_span))
    zoom_y = math.log2(2 * math.pi * height / (256 * y_span))
    zoom = max(3, min(MAX_ZOOM, math.floor(min(zoom_x, zoom_y))))
    return ((minlat + maxlat) / 2, (minlon + maxlon) / 2), zoom


def _gestures(lang: str) -> dict:
    """Leaflet.GestureHandling: on a page that scrolls, one finger (or the mouse wheel)
    scrolls the page and the map says how to move it instead."""
    return {
        "gestureHandling": True,
        "gestureHandlingOptions": {
            "text": {
                "touch": t("map.gesture_touch", lang),
                "scroll": t("map.gesture_scroll", lang),
                "scrollMac": t("map.gesture_scroll_mac", lang),
            },
            "duration": 1500,
        },
    }


def _base(
    settings: Settings,
    bounds: tuple[float, float, float, float] | None,
    fit: bool = True,
    lang: str | None = None,
    words_lang: str = "nb",
) -> folium.Map:
    """A map on the configured tiles. ``fit`` fits it to ``bounds`` in the browser (right
    at any width); without it the view is computed here (right also in a hidden tab).
    With ``lang``, the map lets the page scroll over it (residents' maps, phones); Leaflet's
    own texts are in ``lang``, or ``words_lang`` for a staff map."""
    profile = settings.profile
    centre, zoom = (profile.centre, profile.zoom) if fit or bounds is None else view(bounds)
    m = folium.Map(
        location=centre,
        zoom_start=zoom,
        tiles=None,
        control_scale=False,  # MapWords adds a metric one
        maxZoom=MAX_ZOOM,  # on the map itself: MarkerCluster needs it when there are no tiles
        **(_gestures(lang) if lang else {}),
    )
    if settings.tiles is not None:
        folium.TileLayer(
            tiles=settings.tiles.url,
            attr=settings.tiles.attribution,
            max_zoom=MAX_ZOOM,
            max_native_zoom=settings.tiles.max_zoom,
            control=False,  # the one base map: no radio button of its own in a layer control
        ).add_to(m)
    MapWords(lang or words_lang).add_to(m)
    if fit and bounds is not None:
        minlon, minlat, maxlon, maxlat = bounds
        m.fit_bounds([[minlat, minlon], [maxlat, maxlon]], padding=(10, 10))
    return m


def _area_layer(c: Consultation, lang: str) -> folium.GeoJson:
    style = dict(AREA_STYLE)
    return folium.GeoJson(
        geo.area_to_geojson(c.area),
        name=t("map.plan_area", lang),
        style_function=lambda _feature: style,
    )


def overview_map(settings: Settings, consultations: Sequence[Consultation], lang: str) -> folium.Map:
    """Plan areas of the listed consultations, each with a link to its page."""
    union = None
    m = _base(settings, None, lang=lang)
    for c in consultations:
        union = c.area if union is None else union.union(c.area)
        layer = _area_layer(c, lang)
        TextTooltip(c.title, strong=True).add_to(layer)
        link = f"/?id={quote(c.id)}"  # absolute: the map lives in an iframe
        LinkPopup(c.title, link, t(worded("home.open_link", c.stage), lang)).add_to(layer)
        layer.add_to(m)
    if union is not None:
        minlon, minlat, maxlon, maxlat = geo.bounds(union)
        m.fit_bounds([[minlat, minlon], [maxlat, maxlon]], padding=(10, 10))
    return m


class InputCluster(MarkerCluster):
    """Published inputs as markers clustered in the browser, a few bytes per input.

    Like folium's FastMarkerCluster, but the rows are written as UTF-8 JSON (tojson would
    spell every æ, ø and å as a six-byte escape) and each popup is assembled from the
    escaped category heading, sent once, and the row's escaped excerpt. Each pin has its
    category's colour (an inline SVG, one icon per category), the colour its drawn routes
    and areas have (``InputDrawings``).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var headings = {{ this.headings }};
            var rows = {{ this.rows }};
            var icons = headings.map(function (h) {
                return L.divIcon({html: h[2], className: "ki-pin", iconSize: [25, 41],
                                  iconAnchor: [12, 41], popupAnchor: [1, -34]});
            });
            var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var marker = L.marker([r[0], r[1]], {alt: headings[r[2]][1], icon: icons[r[2]]});
                marker.bindPopup(
                    headings[r[2]][0] + r[3] + (r[5] || "") + "<br><small>KI-" + String(r[4]).padStart(6, "0")
                        + "</small>",
                    {maxWidth: 280}
                );
                cluster.addLayer(marker);
            }
            cluster.addTo({{ this._parent.get_name() }});
            return cluster;
        })();
        {% endmacro %}"""
    )

    def __init__(self, headings: str, rows: str) -> None:
        """``headings`` and ``rows``: JavaScript, as ``input_rows`` writes them."""
        super().__init__(name="innspill", control=False, options=CLUSTER_OPTIONS)
        self.headings = headings
        self.rows = rows


def _popup_photos(photos: Sequence[PublicPhoto]) -> str:
    return f"<br>{photos_html(photos, _POPUP_THUMB_STYLE)}"


_POPUP_THUMB_STYLE = "max-width: 80px; max-height: 80px; margin: 4px 4px 0 0;"


# Colours of file layers in turn: none is the plan area's blue or the pins' red.
LAYER_COLOURS = ("#6a3d9a", "#b35806", "#1b7837", "#4d4d4d", "#8c510a", "#2166ac")


def context_layers(m: folium.Map, layers: Sequence[ContextLayer]) -> None:
    """Staff's context layers on ``m``, each switched on and off in a layer control.

    Leaflet writes layer names (in the control) and attributions with innerHTML, and
    folium's GeoJson tooltips insert property values as HTML: every text is escaped here.
    """
    if not layers:
        return
    colours = itertools.cycle(LAYER_COLOURS)
    for layer in layers:
        if layer.kind == LayerKind.WMS:
            folium.WmsTileLayer(
                url=layer.wms_url,
                layers=layer.wms_layers,
                fmt="image/png",
                transparent=True,
                version="1.3.0",
                attr=escape_map_html(layer.attribution),
                name=_control_label(layer),
                overlay=True,
                max_zoom=MAX_ZOOM,
            ).add_to(m)
            continue
        FeatureLayer(layer, next(colours)).add_to(m)
    LayerSwitch().add_to(m)  # folded on a phone


class FeatureLayer(folium.map.Layer):
    """A file layer's features as one ``L.geoJSON``, its stored GeoJSON written into the
    script as it is. (folium's GeoJson parses, restyles and measures every feature again:
    with 5,000 polygons most of the map's build time.) A feature's tooltip is its label, or
    the layer's name, set as text (``textContent``): no HTML from the file is ever parsed."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
            attribution: {{ this.attribution|tojson }},
            style: function () { return {{ this.style|tojson }}; },
            pointToLayer: function (feature, latlng) {
                return L.circleMarker(latlng, {{ this.marker|tojson }});
            },
            onEachFeature: function (feature, layer) {
                layer.bindTooltip(function () {
                    var text = document.createElement("span");
                    text.textContent = feature.properties.label || {{ this.fallback }};
                    return text;
                });
            }
        });
        {% endmacro %}"""
    )

    def __init__(self, layer: ContextLayer, colour: str) -> None:
        super().__init__(name=_control_label(layer), overlay=True, control=True, show=True)
        self.data = json_in_script(layer.geojson)
        self.attribution = escape_map_html(layer.attribution)  # Leaflet writes it as HTML
        self.style = {"color": colour, "weight": 2, "dashArray": "6 4", "fillColor": colour, "fillOpacity": 0.15}
        self.marker = {"radius": 5, "color": colour, "fillColor": colour, "fillOpacity": 0.8}
        self.fallback = js_literal(layer.name)


LEGEND_ON_MAP = 80  # characters of a layer's legend in the map's layer control; the list has it all


def _control_label(layer: ContextLayer) -> str:
    """The layer's name and the start of its legend, as the layer control shows them (HTML)."""
    legend = escape_map_html(excerpt(" ".join(layer.legend.split()), LEGEND_ON_MAP))
    return f'{escape_map_html(layer.name)}<br><small class="ki-layer-legend">{legend}</small>'


def consultation_map(
    settings: Settings,
    consultation: Consultation,
    points: Sequence[MapPoint],
    lang: str,
    photos: Mapping[int, Sequence[PublicPhoto]] | None = None,
    layers: Sequence[ContextLayer] = (),
) -> folium.Map:
    """The plan area, staff's context ``layers`` and ``points`` as given (residents' maps:
    ``public.map_points``, text already masked); the resident's pin or drawing is added
    separately (``sketch_script``) so moving it does not redraw the map."""
    m = _base(settings, geo.bounds(consultation.area), lang=lang)
    _area_layer(consultation, lang).add_to(m)
    context_layers(m, layers)
    if points:
        rows = input_rows(consultation.categories, points, consultation.labels(lang).category, lang, photos)
        if any(p.drawing for p in points):
            InputDrawings(rows.drawing_headings, rows.drawings).add_to(m)
        InputCluster(rows.pin_headings, rows.pins).add_to(m)
    return m


# A colour per category (by its place in the consultation's list), for pins and drawn
# routes and areas; dark enough for a 4 px line on the grey or topographic base map. No
# red: red is the resident's own pin and drawing (PIN_STYLE, SKETCH_STYLE).
CATEGORY_COLOURS = (
    "#1b6ca8",
    "#27865a",
    "#8e44ad",
    "#d35400",
    "#2c3e50",
    "#b7950b",
    "#16a085",
    "#a93263",
    "#5d6d7e",
    "#6e2c00",
    "#1a5276",
    "#4a235a",
)


def category_colour(index: int) -> str:
    return CATEGORY_COLOURS[index % len(CATEGORY_COLOURS)]


def pin_svg(colour: str, label: str) -> str:
    """A map pin in ``colour`` (Leaflet's marker shape, drawn inline: no image to fetch),
    named for screen readers by its category ``label`` (escaped)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="25" height="41" viewBox="0 0 25 41" role="img" '
        f'aria-label="{escape_html(label)}"><path d="M12.5 0C5.6 0 0 5.6 0 12.5 0 22 12.5 41 12.5 41S25 22 25 '
        f'12.5C25 5.6 19.4 0 12.5 0z" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'
        '<circle cx="12.5" cy="12.5" r="4.5" fill="#ffffff"/></svg>'
    )


class InputDrawings(folium.MacroElement):
    """Published inputs drawn as routes and areas, coloured by category, each with the
    escaped popup its pin has and its size («strek, 1,2 km») as tooltip."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var headings = {{ this.headings }};
            var rows = {{ this.rows }};
            var group = L.featureGroup();
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var colour = headings[r[1]][1];
                var layer = L.geoJSON(r[0], {style: {color: colour, weight: 4, opacity: 0.85,
                                                      fillColor: colour, fillOpacity: 0.2}});
                layer.bindPopup(
                    headings[r[1]][0] + r[2] + "<br><small>" + r[4] + " · KI-"
                        + String(r[3]).padStart(6, "0") + "</small>",
                    {maxWidth: 280}
                );
                layer.bindTooltip(r[4]);
                group.addLayer(layer);
            }
            group.addTo({{ this._parent.get_name() }});
            return group;
        })();
        {% endmacro %}"""
    )

    def __init__(self, headings: str, rows: str) -> None:
        """``headings`` and ``rows``: JavaScript, as ``input_rows`` writes them."""
        super().__init__()
        self._name = "InputDrawings"
        self.headings = headings
        self.rows = rows


@dataclass(frozen=True)
class InputRows:
    """Published inputs as the map's script takes them: JavaScript literals for the pins
    (``InputCluster``) and the drawn routes and areas (``InputDrawings``)."""

    pin_headings: str
    pins: str
    drawing_headings: str
    drawings: str


def input_rows(
    categories: Sequence[str],
    points: Sequence[MapPoint],
    label: Callable[[str], str],  # a category as the reader sees it
    lang: str,
    photos: Mapping[int, Sequence[PublicPhoto]] | None = None,  # published inputs' only
) -> InputRows:
    index = {name: n for n, name in enumerate(categories)}
    for name in dict.fromkeys(p.category for p in points if p.category not in index):
        index[name] = len(index)  # a category renamed since the input was sent
    limit = POPUP_EXCERPT if len(points) <= MANY_POINTS else POPUP_EXCERPT_MANY
    headings = {name: f"<strong>{escape_html(label(name))}</strong><br>" for name in index}
    pin_headings = [
        [headings[name], label(name), pin_svg(category_colour(n), label(name))] for name, n in index.items()
    ]
    drawing_headings = [[headings[name], category_colour(n)] for name, n in index.items()]
    pins = [
        [
            round(p.lat, 5),  # 5 decimals: about a metre
            round(p.lon, 5),
            index[p.category],
            escape_html(excerpt(p.text, limit)),
            p.input_id,
            # the thumbnails, only where there are some: the rows stay short
            *([_popup_photos(shown)] if (shown := (photos or {}).get(p.input_id)) else []),
        ]
        for p in points
    ]
    drawn = [p for p in points if p.drawing]
    geometries = geo.rounded_drawings([p.drawing for p in drawn])  # ~1 m: shorter rows
    drawings = [
        [
            geometry,
            index[p.category],
            escape_html(excerpt(p.text, POPUP_EXCERPT)),
            p.input_id,
            escape_html(size_words(drawn_shape(p.drawing), p.measure, lang)),
        ]
        for p, geometry in zip(drawn, geometries, strict=True)
    ]
    return InputRows(js_literal(pin_headings), js_literal(pins), js_literal(drawing_headings), js_literal(drawings))


@dataclass(frozen=True)
class RenderedMap:
    """A map as streamlit-folium's ``st_folium`` sends it to the browser, made once.

    Rendering a map and rewriting its script is st_folium's work on every rerun: at
    10,000 inputs ~0.4 s of a 0.6 s page (bench/page_bench.py). The steps below are
    st_folium's own (streamlit-folium 0.27, pinned), in its order; ``show_map`` sends the
    result as st_folium would (tests/test_map_cache.py compares the two).
    """

    script: str
    header: str
    html: str
    map_id: str
    defaults: dict
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    component_key: str
    version: int = field(default=0, compare=False)  # the data version its inputs are of


def render_map(m: folium.Map, key: str) -> RenderedMap:
    m.get_root().render()
    m.render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    (south, west), (north, east) = m.get_bounds()
    defaults = {
        "last_clicked": None,
        "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        "zoom": m.options.get("zoom"),
    }
    css, js = [], []
    for element in _tree(m):
        if isinstance(element, folium.elements.JSCSSMixin):
            css += [href for _, href in getattr(element, "default_css", [])]
            js += [src for _, src in getattr(element, "default_js", [])]
    return RenderedMap(
        script,
        header,
        html,
        sf.get_full_id(m),
        defaults,
        tuple(dict.fromkeys(css)),
        tuple(dict.fromkeys(js)),
        sf.generate_js_hash(script, key, False),
    )


def _tree(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _tree(child)


def show_map(
    rendered: RenderedMap,
    key: str,
    height: int,
    returned_objects: Sequence[str],
    pin_script: str | None = None,
    on_change: Callable[[], None] | None = None,
):
    """``st_folium(m, key=key, height=height, use_container_width=True, …)`` for a map
    rendered before; ``pin_script`` is its ``feature_group_to_add`` (``sketch_script()``)."""

    def changed() -> None:  # as st_folium: the value under the caller's key, then the callback
        st.session_state[key] = st.session_state.get(rendered.component_key, {})
        if on_change is not None:
            on_change()

    return sf._component_func(
        script=rendered.script,
        header=rendered.header,
        html=rendered.html,
        id=rendered.map_id,
        key=rendered.component_key,
        height=height,
        width=None,
        returned_objects=list(returned_objects),
        default={k: v for k, v in rendered.defaults.items() if k in returned_objects},
        zoom=None,
        center=None,
        feature_group=pin_script,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(rendered.css_links),
        js_links=list(rendered.js_links),
        on_change=changed,
        wrap_longitude=False,
    )


# Where a map frame's script takes the published inputs (``InputRows``), filled in for each
# version of the data. The nonce keeps a context layer's file from spelling one.
_SLOT = f"/*ki-{secrets.token_hex(8)}:{{}}*/"
_SLOTS = InputRows(*(_SLOT.format(part) for part in InputRows.__dataclass_fields__))

# The map without its inputs: (consultation, its plan area and texts, language, drawing tools,
# with inputs, component key, context layers' ids: a layer is never edited)
_FRAMES: dict[tuple[str, int, str, Shape, bool, str, tuple[int, ...]], RenderedMap] = {}

# How far behind other people's inputs a shared map may be. In a viral consultation every
# input is a new version of the data; writing the map for each (~10-20 ms at 3,000 inputs,
# on every replica) was most of what an extra input cost. The asker's own input always
# shows (``since``), and so does a change of the map's layers or of the consultation.
MAP_FRESHNESS = 1.0  # seconds
_clock = time.monotonic


@dataclass(frozen=True)
class _Built:
    store: weakref.ref  # the store it was read from (tests open many in one process)
    drawn: int  # what of the consultation it shows (``_drawn_from``)
    version: int  # the data version it shows
    at: float  # when it was written (_clock)
    map: RenderedMap


# The latest map of: (consultation, language, drawing tools, with inputs, component key,
# context layers' ids)
_RENDERED: dict[tuple[str, str, Shape, bool, str, tuple[int, ...]], _Built] = {}
_RENDERING = threading.Lock()


def rendered_consultation_map(
    store: Store,
    settings: Settings,
    consultation: Consultation,
    lang: str,
    tools: Shape = Shape.POINT,
    *,
    key: str | None = None,
    inputs: bool = True,
    since: int = 0,
    context: bool = True,
) -> RenderedMap:
    """The consultation's map, shared by every session: a rerun only sends it. Written
    again when the data has changed (``Store.data_version``, read before the data) and the
    map is older than ``MAP_FRESHNESS`` or than ``since`` (the version of the asker's own
    last write: ``seen_own_write``). A plain dict, not st.cache_resource, whose argument
    hashing alone cost ~0.5 ms a call.

    The map around the inputs (plan area, context layers, tools) is rendered by folium once
    (``_FRAMES``); a new version only writes the inputs' rows into it (at 3,000 inputs
    ~25 ms for the rows, ~27 for the whole map: bench/map_rebuild_bench.py).

    ``tools`` adds Leaflet.draw's tool for a line or an area (``draw_tools``); ``inputs``
    False leaves the published inputs out (the staff registration form); ``key`` is the
    st_folium key the map is shown under (``map-<id>`` by default); ``context`` False leaves the
    context layers off."""
    key = key or f"map-{consultation.id}"
    version = store.data_version
    layers = store.context_layers(consultation.id) if context else []  # off: a pupil's map
    layer_ids = tuple(layer.id for layer in layers)
    cache_key = (consultation.id, lang, tools, inputs, key, layer_ids)
    drawn = _drawn_from(consultation)
    if (found := _current(cache_key, store, drawn, version, since)) is not None:
        return found
    with _RENDERING:  # many sessions asking at once: one writes it, the rest wait for it
        if (found := _current(cache_key, store, drawn, version, since)) is not None:
            return found
        frame_key = (consultation.id, drawn, lang, tools, inputs, key, layer_ids)
        frame = _FRAMES.get(frame_key)
        if frame is None:
            frame = _frame(settings, consultation, lang, tools, inputs, key, layers)
            for old in [k for k in _FRAMES if k[0] == consultation.id and k[2:6] == frame_key[2:6]]:
                del _FRAMES[old]  # the consultation or its layers changed: never asked for again
            _FRAMES[frame_key] = frame
        found = frame
        if inputs:
            points = public.map_points(store, consultation.id, lang)
            photos = public.photos(store, consultation.id, lang)
            labels = consultation.labels(lang)
            found = _filled(frame, input_rows(consultation.categories, points, labels.category, lang, photos), key)
            found = replace(found, version=version)
        for old in [k for k in _RENDERED if k[:5] == cache_key[:5]]:
            del _RENDERED[old]  # with other layers: never asked for again
        _RENDERED[cache_key] = _Built(weakref.ref(store), drawn, version, _clock(), found)
    return found


def _current(
    cache_key: tuple[str, str, Shape, bool, str, tuple[int, ...]], store: Store, drawn: int, version: int, since: int
) -> RenderedMap | None:
    """The latest map, if it may still be sent (``rendered_consultation_map``)."""
    built = _RENDERED.get(cache_key)
    if built is None or built.store() is not store or built.drawn != drawn:
        return None
    if built.version == version:
        return built.map
    fresh = _clock() - built.at < MAP_FRESHNESS
    return built.map if fresh and built.version >= since else None


_OWN_WRITE = "map-own-write"  # session state: the data version of the session's last write


def seen_own_write(store: Store) -> None:
    """After this session wrote an input: its maps show it from the next run on."""
    st.session_state[_OWN_WRITE] = store.data_version


def own_write() -> int:
    """``since`` for this session's maps (``seen_own_write``)."""
    return st.session_state.get(_OWN_WRITE, 0)


# session state: {consultation id: [(data version of the write, the input as the map shows it)]}
_OWN_INPUTS = "map-own-inputs"


def keep_own_input(store: Store, consultation_id: str, point: MapPoint | None) -> None:
    """After this session stored a published input with a place (``point``, as the public
    map shows it): its map shows it at once, drawn beside the shared map (``own_inputs``),
    until the shared map, written again within ``MAP_FRESHNESS``, has it. Writing the
    shared map for each sender's own input (``since``) was most of a send at 3,000 inputs
    and, in a crowd, a map written for every input (issue 26)."""
    seen_own_write(store)
    if point is None:
        return
    kept = st.session_state.setdefault(_OWN_INPUTS, {})
    kept[consultation_id] = [*kept.get(consultation_id, ()), (store.data_version, point)]


def own_inputs(consultation: Consultation, lang: str, shown: RenderedMap) -> InputRows | None:
    """This session's own inputs that the shared map ``shown`` is older than, as rows for
    ``sketch_script``; the ones it has are forgotten."""
    kept = (st.session_state.get(_OWN_INPUTS) or {}).get(consultation.id)
    if not kept:
        return None
    waiting = [(version, point) for version, point in kept if version > shown.version]
    if len(waiting) != len(kept):
        st.session_state[_OWN_INPUTS][consultation.id] = waiting
    if not waiting:
        return None
    labels = consultation.labels(lang)
    return input_rows(consultation.categories, [point for _, point in waiting], labels.category, lang)


def _drawn_from(consultation: Consultation) -> int:
    """What of the consultation its map shows (plan area, categories and their translations,
    title): a frame is rendered again when staff change any of it."""
    texts = (consultation.title, consultation.categories, repr(sorted(consultation.translations.items())))
    return hash((consultation.area.wkb, texts))


def _frame(
    settings: Settings,
    consultation: Consultation,
    lang: str,
    tools: Shape,
    inputs: bool,
    key: str,
    layers: Sequence[ContextLayer],
) -> RenderedMap:
    m = consultation_map(settings, consultation, [], lang, None, layers)
    if inputs:
        InputDrawings(_SLOTS.drawing_headings, _SLOTS.drawings).add_to(m)
        InputCluster(_SLOTS.pin_headings, _SLOTS.pins).add_to(m)
    if tools != Shape.POINT:
        draw_tools(tools, lang).add_to(m)
    return render_map(m, key)


def _filled(frame: RenderedMap, rows: InputRows, key: str) -> RenderedMap:
    """The frame with the inputs written where its slots are."""
    script = frame.script
    for slot, value in zip(astuple(_SLOTS), astuple(rows), strict=True):
        script = script.replace(slot, value, 1)
    return replace(frame, script=script, component_key=sf.generate_js_hash(script, key, False))


# -- a resident's own line or area ---------------------------------------------------------

SKETCH_STYLE = {"color": PIN_STYLE["fill_color"], "weight": 5, "opacity": 0.9, "fillOpacity": 0.2}


class DrawTools(Draw):
    """Drawing one line or one area, by mouse or by touch, with big labelled buttons
    outside the map (WCAG 2.5.8): a bar above the map in the map's frame with «Tegn en
    strek» (or «Tegn et område»), «Ferdig», «Angre», «Avbryt» and a line saying what to do
    next. Drawing starts as soon as the map is there (choosing the shape is the one step);
    each click or tap sets a point; a click on the last point (the first, for an area) or
    «Ferdig» finishes; «Angre» takes the last point away. Leaflet.draw's handler (texts from
    the translation layer, escaped) keeps the points and makes the drawing, but not from
    its own mouse and touch events: on a touch screen its touchstart sets a point and the
    click the browser makes of the same tap then lands on that point — for a line its
    finishing point — so every line ended at the second tap (Leaflet/Leaflet.draw#789).
    Here the browser's click (a mouse's or a tap's) sets the point.

    One drawing at a time: a new one replaces the last. st_folium returns it as
    ``last_active_drawing`` — but also any layer clicked (the plan area, a published route),
    so what is drawn here carries ``MARK`` (``made``). It stays on the map until the app has
    answered: the sketch script then takes it off (``sketch_script``), and the app's own copy
    shows it if it was taken."""

    MARK = "kartinnspill_drawn"  # the only property of a drawing made here: its number on the page
    CLOSE_PX = 16  # a click this near the last point (an area's first) finishes

    @classmethod
    def made(cls, drawing: object) -> bool:
        """Whether st_folium's ``last_active_drawing`` was drawn with these tools (not a
        layer of the map that was clicked)."""
        if not isinstance(drawing, dict) or drawing.get("type") != "Feature":
            return False
        properties = drawing.get("properties")
        return isinstance(properties, dict) and properties.keys() == {cls.MARK}

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map, words, html, type, options, mark, closePx, css) {
                var draw = L.drawLocal.draw;  // Leaflet.draw writes these as HTML: escaped
                draw.handlers.polyline.tooltip = {start: html.line_start, cont: html.line_cont, end: html.line_end};
                draw.handlers.polyline.error = html.crossing;
                draw.handlers.polygon.tooltip = {start: html.area_start, cont: html.area_cont, end: html.area_end};
                if (!document.getElementById("ki-drawing-style")) {
                    var style = document.createElement("style");
                    style.id = "ki-drawing-style";
                    style.textContent = css;
                    document.head.appendChild(style);
                }
                var drawn = new L.FeatureGroup().addTo(map);
                map.kiDrawn = drawn;  // for the sketch script
                var count = 0;
                var line = type === "polyline";
                var handler = new (line ? L.Draw.Polyline : L.Draw.Polygon)(map, options);
                // Leaflet.draw's own input off (see DrawTools): the clicks below set the points.
                handler._onTouch = handler._onMouseDown = handler._onMouseUp = L.Util.falseFn;
                var container = map.getContainer();

                var bar = document.createElement("div");
                bar.className = "ki-draw-bar";
                bar.setAttribute("role", "toolbar");
                bar.setAttribute("aria-label", words.toolbar);
                function button(name, text, title, act) {
                    var b = document.createElement("button");
                    b.type = "button";
                    b.className = "ki-draw-" + name;
                    b.textContent = text;
                    b.title = title;
                    b.addEventListener("click", function (e) { e.preventDefault(); act(); update(); });
                    bar.appendChild(b);
                    return b;
                }
                var startButton = button("start", line ? words.polyline : words.polygon, words.start_title, start);
                var finishButton = button("finish", words.finish, words.finish_title, finish);
                var undoButton = button("undo", words.undo, words.undo_title, undo);
                var cancelButton = button("cancel", words.cancel, words.cancel_title, function () { handler.disable(); });
                var status = document.createElement("p");
                status.className = "ki-draw-status";
                status.setAttribute("aria-live", "polite");
                bar.appendChild(status);
                var frame = document.getElementById("parent") || container;
                frame.parentNode.insertBefore(bar, frame);
                var full = parseInt(container.style.height, 10) || container.offsetHeight;
                var taken = -1;

                function start() {
                    if (handler.enabled()) { return; }
                    // Leaflet.draw focuses the map, which scrolls the page to it: the page
                    // keeps its focus and its place (the map starts drawing as it loads)
                    container.focus = L.Util.falseFn;
                    try { handler.enable(); } finally { delete container.focus; }
                }
                function points() { return handler.enabled() ? handler._markers.length : 0; }
                function enough() { return points() >= (line ? 2 : 3); }
                function finish() { if (enough()) { handler.completeShape(); } }
                function undo() {
                    if (points() > 1) { handler.deleteLastVertex(); }
                    else if (points() === 1) { handler.disable(); start(); }
                }
                function near(marker, point) {
                    return map.latLngToContainerPoint(marker.getLatLng()).distanceTo(point) < closePx;
                }
                function update(message) {
                    // Leaflet.draw's markers (the invisible one under the pointer, the points
                    // set) are Leaflet «buttons» with no name (axe-core aria-command-name,
                    // serious), yet no control: the bar's buttons are. No role, no tab stop.
                    container.querySelectorAll(".leaflet-mouse-marker, .leaflet-editing-icon").forEach(function (m) {
                        m.removeAttribute("role"); m.tabIndex = -1;
                    });
                    var on = handler.enabled(), n = points();
                    startButton.hidden = on;
                    finishButton.hidden = undoButton.hidden = cancelButton.hidden = !on;
                    finishButton.disabled = !enough();
                    undoButton.disabled = n === 0;
                    var key = !on ? "idle" : n === 0 ? "first" : enough() ? "more" : "next";
                    status.textContent = message || words[(line ? "line_" : "area_") + key].replace("{n}", n);
                    if (bar.offsetHeight !== taken) {  // the map gets what the bar leaves
                        taken = bar.offsetHeight;
                        container.style.height = Math.max(full - taken, 120) + "px";
                        map.invalidateSize();
                    }
                }
                // The browser's click on the map, whatever it landed on: Leaflet gives a click
                // on a marker (Leaflet.draw's point under the mouse) to the marker alone.
                L.DomEvent.on(container, "click", function (e) {
                    if (!handler.enabled() || e.target.closest(".leaflet-control-container")) { return; }
                    if (map.dragging && map.dragging.moved()) { return; }
                    var point = map.mouseEventToContainerPoint(e);
                    var markers = handler._markers, n = markers.length;
                    if (n >= 2 && line && near(markers[n - 1], point)) { finish(); return; }
                    if (n >= 3 && !line && near(markers[0], point)) { finish(); return; }
                    handler.addVertex(map.containerPointToLatLng(point));
                    if (handler._markers.length === n) { update(words.crossing); return; }
                    if (options.maxPoints && handler._markers.length >= options.maxPoints) { finish(); }
                    update();
                });
                map.on(L.Draw.Event.DRAWSTART, function () {
                    L.DomUtil.addClass(container, "ki-drawing");
                    update();
                });
                map.on(L.Draw.Event.DRAWSTOP, function () {
                    L.DomUtil.removeClass(container, "ki-drawing");
                    update();
                });
                map.on(L.Draw.Event.DRAWVERTEX, function () { update(); });
                // Before st_folium's own handler (added after this script): the drawing goes to
                // the app marked as the resident's, which a clicked layer of the map never is.
                map.on(L.Draw.Event.CREATED, function (e) {
                    drawn.clearLayers();
                    count += 1;
                    e.layer.feature = {type: "Feature", properties: {}};
                    e.layer.feature.properties[mark] = count;
                    drawn.addLayer(e.layer);
                });
                update();
                map.whenReady(start);
            })({{ this._parent.get_name() }}, {{ this.words }}, {{ this.html_words }}, {{ this.shape|tojson }},
               {{ this.handler_options|tojson }}, {{ this.MARK|tojson }}, {{ this.CLOSE_PX }},
               {{ this.drawing_css|tojson }});
        {% endmacro %}
        """
    )

    # While drawing, the map's own layers (plan area, pins, published routes) take no
    # clicks: a click there sets a point. Leaflet.draw's tooltip is not shown (it was cut
    # off at a phone's right edge): the bar's status line says what to do next.
    drawing_css = (
        ".ki-drawing .leaflet-pane > svg path.leaflet-interactive,"
        " .ki-drawing .leaflet-marker-icon:not(.leaflet-mouse-marker):not(.leaflet-editing-icon)"
        " { pointer-events: none !important; }"
        " .leaflet-draw-tooltip { display: none !important; }"
        " .ki-draw-bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 4px 2px 8px;"
        " font: 16px/1.35 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1b1b1b; }"
        " .ki-draw-bar button { min-height: 48px; min-width: 48px; padding: 0 18px; font: inherit; font-weight: 600;"
        " border: 2px solid #1f4e79; border-radius: 8px; background: #fff; color: #1f4e79; cursor: pointer;"
        " touch-action: manipulation; }"
        " .ki-draw-bar button.ki-draw-start, .ki-draw-bar button.ki-draw-finish { background: #1f4e79; color: #fff; }"
        " .ki-draw-bar button[hidden] { display: none; }"
        " .ki-draw-bar button:disabled { background: #f0f0f0; color: #595959; border-color: #8c8c8c; cursor: default; }"
        " .ki-draw-bar button:focus-visible { outline: 3px solid #1b1b1b; outline-offset: 2px; }"
        " .ki-draw-status { flex-basis: 100%; margin: 0; }"
    )


# Leaflet.draw's texts (tooltips, written as HTML)
_HANDLER_WORDS = ("line_start", "line_cont", "line_end", "area_start", "area_cont", "area_end", "crossing")

# Texts of the drawing bar (set as text; «more» is said of 2 points or 3 corners and up:
# the plural form, its {n} filled in by the script)
_TOOLBAR_WORDS = {
    "finish": "draw_toolbar.finish",
    "finish_title": "draw_toolbar.finish_title",
    "undo": "draw_toolbar.undo",
    "undo_title": "draw_toolbar.undo_title",
    "cancel": "draw_toolbar.cancel",
    "cancel_title": "draw_toolbar.cancel_title",
    "polyline": "draw_toolbar.polyline",
    "polygon": "draw_toolbar.polygon",
    "crossing": "draw_toolbar.crossing",
    "toolbar": "touch.toolbar",
    "start_title": "touch.start_title",
    "line_idle": "touch.line_idle",
    "line_first": "touch.line_first",
    "line_next": "touch.line_next",
    "line_more": "touch.line_more.other",
    "area_idle": "touch.area_idle",
    "area_first": "touch.area_first",
    "area_next": "touch.area_next",
    "area_more": "touch.area_more.other",
}


def draw_tools(shape: Shape, lang: str) -> DrawTools:
    """The drawing tools for ``shape`` (LINE or AREA). Leaflet.draw puts its texts into the
    page as HTML (tooltips): ours go in escaped, through the translation layer; the bar sets
    its texts as text."""
    common = {"shapeOptions": SKETCH_STYLE, "showLength": False, "showArea": False, "metric": True}
    if shape == Shape.LINE:
        options = {**common, "maxPoints": geo.MAX_DRAWN_VERTICES}
    else:
        options = {**common, "allowIntersection": False}
    tools = DrawTools(export=False, position="topleft", show_geometry_on_click=False)
    tools.shape = "polyline" if shape == Shape.LINE else "polygon"
    tools.handler_options = options
    tools.words = js_literal({w: t(key, lang) for w, key in _TOOLBAR_WORDS.items()})
    tools.html_words = js_literal({w: escape_html(t(f"draw_toolbar.{w}", lang)) for w in _HANDLER_WORDS})
    return tools


@lru_cache(maxsize=4096)
def _sketch_script(
    pin: tuple[float, float] | None,
    points: tuple[tuple[str, float, float], ...],
    drawing: str | None,
    shape: Shape,
    stage: Stage,
    lang: str,
    marks: tuple[tuple[str, str, float, float], ...] = (),
    own: InputRows | None = None,
) -> str:
    group = pin_layer(pin, stage, lang)
    if own is not None:  # the resident's own inputs the shared map does not have yet
        if own.drawings != "[]":
            InputDrawings(own.drawing_headings, own.drawings).add_to(group)
        InputCluster(own.pin_headings, own.pins).add_to(group)
    for icon, label, lat, lon in marks:  # a landmark with its word: the pupils' school
        folium.Marker(location=(lat, lon), icon=landmark_icon(icon, label), interactive=False, keyboard=False).add_to(
            group
        )
    if len(points) > 1:
        locations = [(lat, lon) for _, lat, lon in points]
        closing = locations[:1] if shape == Shape.AREA and len(points) > 2 else []
        folium.PolyLine(locations + closing, color=SKETCH_STYLE["color"], weight=4, dash_array="6 6").add_to(group)
    for n, (label, lat, lon) in enumerate(points, start=1):
        marker = folium.CircleMarker(location=(lat, lon), radius=6, **PIN_STYLE).add_to(group)
        TextTooltip(f"{n}. {label}").add_to(marker)
    if drawing is not None:
        style = dict(SKETCH_STYLE)
        folium.GeoJson(drawing, style_function=lambda _feature: style).add_to(group)
    return sf._get_feature_group_string(group, map=folium.Map(tiles=None), idx=0)


def landmark_icon(icon: str, label: str) -> folium.DivIcon:
    """A landmark on the map: the app's own SVG (``static/icons/<icon>.svg``) and its word
    beside it, in the page's font (no emoji font needed), the word escaped."""
    html = (
        '<div class="ki-landmark" style="display:flex;align-items:center;gap:4px;background:#fff;'
        "border:2px solid #1b1b1b;border-radius:6px;padding:2px 6px;font:600 14px/1.2 sans-serif;"
        f'white-space:nowrap;color:#1b1b1b"><img src="/app/static/icons/{escape_html(icon)}.svg" alt="" '
        f'width="20" height="20"><span>{escape_html(label)}</span></div>'
    )
    return folium.DivIcon(html=html, icon_size=(None, None), icon_anchor=(14, 14), class_name="ki-landmark-icon")


def sketch_script(
    sketch: Sketch,
    stage: Stage,
    lang: str,
    answered: int = 0,
    marks: tuple[tuple[str, str, float, float], ...] = (),
    own: InputRows | None = None,
) -> str:
    """What a form has on the map so far (``feature_group_to_add``): the pin, the points of
    a route or area being built by keyboard, or the finished drawing. Made once per sketch.

    For a line or an area it also takes Leaflet.draw's own drawing off the map
    (``DrawTools``): once the app has answered, what is on the map is what will be sent — a
    drawing taken is the sketch's, a refused one is gone. ``answered`` counts the drawings
    the app has answered: a refusal leaves the sketch as it was, and st_folium runs the
    script again only when it changes. ``own``: the resident's own inputs the shared map
    does not show yet (``own_inputs``), drawn as the map draws every input."""
    points = tuple((p.label, p.lat, p.lon) for p in sketch.points)
    drawing = sketch.drawing.geojson if sketch.drawing else None
    pin = sketch.pin if sketch.shape == Shape.POINT else None
    script = _sketch_script(pin, points, drawing, sketch.shape, stage, lang, marks, own)
    if sketch.shape == Shape.POINT:
        return script  # no drawing tools on the map
    return script + f"\nif (map_div.kiDrawn) {{ map_div.kiDrawn.clearLayers(); }}  // drawings answered: {answered}\n"


def pin_layer(pin: tuple[float, float] | None, stage: Stage, lang: str) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="pin")
    if pin is not None:
        marker = folium.CircleMarker(location=pin, radius=11, **PIN_STYLE).add_to(group)
        TextTooltip(t(worded("map.your_pin", stage), lang)).add_to(marker)
    return group


# Staff draw plan areas: polygons and rectangles only, no self-intersections.
_DRAW_SHAPE = dict(AREA_STYLE, fillOpacity=0.15)
DRAW_OPTIONS = {
    "polygon": {
        "allowIntersection": False,
        "showArea": True,
        "metric": ["km", "ha", "m"],
        "shapeOptions": _DRAW_SHAPE,
    },
    "rectangle": {"showArea": True, "metric": ["km", "ha", "m"], "shapeOptions": _DRAW_SHAPE},
    "polyline": False,
    "circle": False,
    "circlemarker": False,
    "marker": False,
}
EDIT_OPTIONS = {"edit": True, "remove": True, "poly": {"allowIntersection": False}}


def draw_map(settings: Settings, area: BaseGeometry | None = None, lang: str = "nb") -> folium.Map:
    """The consultation builder's map: staff draw, edit and remove the plan area.

    The current area, if any, is put into the Draw control's own layer group as one
    editable polygon per part (holes kept), so st_folium's ``all_drawings`` is always
    the whole area as it now stands: the current area as edited plus what was drawn.
    """
    m = _base(
        settings, geo.bounds(area) if area is not None and not area.is_empty else None, fit=False, words_lang=lang
    )
    drawn = folium.FeatureGroup(name=t("map.plan_area", lang), control=False)
    if area is not None and not area.is_empty:
        for polygon in geo.as_multipolygon(area).geoms:
            rings = [polygon.exterior, *polygon.interiors]
            folium.Polygon(
                locations=[[(lat, lon) for lon, lat, *_ in ring.coords] for ring in rings],
                color=AREA_STYLE["color"],
                weight=AREA_STYLE["weight"],
                fill=True,
                fill_color=AREA_STYLE["fillColor"],
                fill_opacity=AREA_STYLE["fillOpacity"],
            ).add_to(drawn)
    drawn.add_to(m)  # before the control, whose script refers to it
    Draw(
        export=False,
        feature_group=drawn,
        position="topleft",
        show_geometry_on_click=False,
        draw_options=DRAW_OPTIONS,
        edit_options=EDIT_OPTIONS,
    ).add_to(m)
    return m


def area_map(settings: Settings, area: BaseGeometry, lang: str) -> folium.Map:
    """A plan area on its own: the builder's preview, the summary's density map."""
    m = _base(settings, geo.bounds(area), fit=False, words_lang=lang)
    folium.GeoJson(
        geo.area_to_geojson(area),
        name=t("map.plan_area", lang),
        style_function=lambda _feature: dict(AREA_STYLE),
    ).add_to(m)
    return m


# Every process that builds a map uses the app's own assets, whichever page it starts from
# (app.py also calls this at the top of every run).
use_local_assets()
