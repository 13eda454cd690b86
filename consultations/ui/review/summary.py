"""Oppsummering: what people said and where, for the filtered set of inputs.

Figures come from ``analysis`` and ``themes``; this only lays them out. Charts are
Altair, which Streamlit draws with its own bundled code (no outside requests).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import altair as alt
import folium
import pandas as pd
import streamlit as st
from branca.element import MacroElement
from folium.template import Template
from streamlit_folium import st_folium

from ...casework import analysis, themes
from ... import geo
from ...config import Settings
from ...i18n import LOCAL_TZ, t, tn
from ...model import Consultation, reference
from ...store import Store
from ...text import escape_html, excerpt
from ..map_text import FeatureTooltip, TextTooltip
from ..maps import area_map
from .. import per_version
from ..safe import text_block

DENSITY_CELL_M = 250
THEMES_AT_ONCE = 3_000  # more inputs: themes are computed when asked for
DUPLICATES_AT_ONCE = 1_000  # more: near-identical texts when asked for (2,500 took ~3 s)
# routes per cell, one colour per legend class (analysis.density_classes), light to dark
ROUTE_COLOURS = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
AREA_COLOUR = "#e67e22"
T = TypeVar("T")


class Legend(MacroElement):
    """A legend in the map's corner, as a Leaflet control (HTML made here, escaped)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "ki-legend");
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html


def _swatch(colour: str, label: str, border: str | None = None) -> str:
    edge = border or colour
    return (
        f'<div><span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
        f'vertical-align:middle;background:{colour};border:2px solid {edge}"></span>{escape_html(label)}</div>'
    )


def _metric_row(totals: analysis.Totals, lang: str) -> None:
    d = lambda key, **kw: t(f"dashboard.{key}", lang, **kw)  # noqa: E731
    cols = st.columns(5)
    cols[0].metric(d("inputs"), totals.inputs)
    cols[1].metric(d("sessions"), totals.sessions)
    cols[2].metric(d("supports"), totals.supports)
    cols[3].metric(d("with_location"), f"{totals.share:.0%}".replace("%", " %"))
    channels = ", ".join(f"{t(f'channel.{k}', lang)} {v}" for k, v in totals.by_channel.items())
    cols[4].metric(d("channels"), len(totals.by_channel), help=channels or None)
    if channels:
        st.caption(d("by_channel", channels=channels))
    st.caption(d("shapes", points=totals.points, lines=totals.lines, areas=totals.areas))
    st.caption(tn("photo.count", totals.photos, lang))


def _bar(frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar(color="#1f4e79")
        .encode(
            x=alt.X(f"{x}:Q", title=x_title),
            y=alt.Y(f"{y}:N", sort="-x", title=y_title),
            tooltip=[alt.Tooltip(f"{y}:N", title=y_title), alt.Tooltip(f"{x}:Q", title=x_title)],
        )
    )


def _charts(dash: analysis.Dashboard, lang: str) -> None:
    d = lambda key: t(f"dashboard.{key}", lang)  # noqa: E731
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{d('per_category')}**")
        st.altair_chart(
            _bar(dash.per_category, "inputs", "category", d("inputs"), d("category")),
            width="stretch",
        )
    with right:
        st.markdown(f"**{d('supports_per_category')}**")
        st.altair_chart(
            _bar(dash.per_category, "supports", "category", d("supports"), d("category")),
            width="stretch",
        )
    st.markdown(f"**{d('per_day')}**")
    days = dash.per_day.assign(day=pd.to_datetime(dash.per_day["day"]))
    st.altair_chart(
        alt.Chart(days)
        .mark_bar(color="#1f4e79")
        .encode(
            x=alt.X("day:T", title=d("day"), axis=alt.Axis(format="%d.%m")),
            y=alt.Y("inputs:Q", title=d("inputs")),
            tooltip=[alt.Tooltip("day:T", title=d("day"), format="%d.%m.%Y"), "inputs:Q"],
        ),
        width="stretch",
    )
    st.caption(d("charts_text"))
    st.dataframe(
        dash.per_category.rename(columns={"category": d("category"), "inputs": d("inputs"), "supports": d("supports")}),
        hide_index=True,
        width="stretch",
    )


def density_map(settings: Settings, c: Consultation, dash: analysis.Dashboard, lang: str) -> folium.Map:
    """Inputs per cell over the plan area, and the hotspots with the place nearest."""
    d = lambda key, **kw: t(f"dashboard.{key}", lang, **kw)  # noqa: E731
    epsg = settings.profile.working_crs
    m = area_map(settings, c.area, lang)
    if len(dash.density):
        peak = max(int(dash.density["count"].max()), 1)
        half = DENSITY_CELL_M / 2
        for cell in dash.density.itertuples():
            lon0, lat0 = geo.from_working_crs(cell.east - half, cell.north - half, epsg)
            lon1, lat1 = geo.from_working_crs(cell.east + half, cell.north + half, epsg)
            cell_box = folium.Rectangle(
                bounds=[[lat0, lon0], [lat1, lon1]],
                color=None,
                fill=True,
                fill_color="#c0392b",
                fill_opacity=0.15 + 0.6 * cell.count / peak,
            ).add_to(m)
            TextTooltip(d("cell_tooltip", n=int(cell.count))).add_to(cell_box)
    for spot in dash.hotspots:
        label = tn("dashboard.hotspot_tooltip", spot.size, lang, place=spot.place or "–")
        marker = folium.CircleMarker(
            location=(spot.lat, spot.lon),
            radius=8,
            color="#1f4e79",
            weight=3,
            fill=True,
            fill_opacity=0.3,
        ).add_to(m)
        TextTooltip(label).add_to(marker)
    return m


def _where(settings: Settings, c: Consultation, dash: analysis.Dashboard, lang: str) -> None:
    d = lambda key, **kw: t(f"dashboard.{key}", lang, **kw)  # noqa: E731
    epsg = settings.profile.working_crs
    st.subheader(d("where"), anchor=False)
    st.caption(d("density_help", cell=DENSITY_CELL_M, crs=f"EPSG:{epsg}"))
    m = density_map(settings, c, dash, lang)
    st_folium(m, key=f"dashboard-map-{c.id}", height=420, use_container_width=True, returned_objects=[])
    if dash.hotspots:
        st.markdown(f"**{d('hotspots')}**")
        st.dataframe(
            pd.DataFrame(
                {
                    d("hotspot_size"): [h.size for h in dash.hotspots],
                    d("hotspot_place"): [
                        f"{h.place} ({h.place_distance_m} m)" if h.place else "–" for h in dash.hotspots
                    ],
                    d("hotspot_categories"): [
                        ", ".join(f"{name} ({n})" for name, n in h.categories) for h in dash.hotspots
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )


def routes_map(settings: Settings, c: Consultation, dash: analysis.Dashboard, lang: str) -> folium.Map:
    """Routes per cell and the drawn areas over the plan area, with a legend."""
    d = lambda key, **kw: t(f"dashboard.{key}", lang, **kw)  # noqa: E731
    cells, areas = dash.line_density, dash.areas
    m = area_map(settings, c.area, lang)
    legend = []
    if areas is not None and len(areas):
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(row.drawing),
                "properties": {"label": f"{reference(int(row.id))} · {row.category}"},
            }
            for row in areas.itertuples()
        ]
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=d("areas_layer"),
            style_function=lambda _f: {"color": AREA_COLOUR, "weight": 2, "fillColor": AREA_COLOUR, "fillOpacity": 0.2},
        ).add_to(m).add_child(FeatureTooltip())
        legend.append(_swatch("rgba(230,126,34,0.2)", tn("dashboard.areas_legend", len(areas), lang), AREA_COLOUR))
    if cells is not None and len(cells):
        classes = analysis.density_classes(cells["count"].tolist(), len(ROUTE_COLOURS))
        colour_of = {}
        for (low, high), colour in zip(classes, ROUTE_COLOURS[-len(classes) :], strict=True):
            colour_of.update({n: colour for n in range(low, high + 1)})
            label = d("routes_class", low=low, high=high) if low != high else tn("dashboard.routes_in_cell", low, lang)
            legend.append(_swatch(colour, label))
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [row.ring]},
                "properties": {
                    "count": int(row.count),
                    "colour": colour_of[int(row.count)],
                    "label": tn("dashboard.routes_in_cell", int(row.count), lang),
                },
            }
            for row in cells.itertuples()
        ]
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=d("routes_layer"),
            style_function=lambda f: {
                "color": None,
                "weight": 0,
                "fillColor": f["properties"]["colour"],
                "fillOpacity": 0.75,
            },
        ).add_to(m).add_child(FeatureTooltip())
    Legend("".join(legend)).add_to(m)
    return m


def _routes(settings: Settings, c: Consultation, dash: analysis.Dashboard, lang: str) -> None:
    """Where drawn routes run most (routes per 50 m cell) and the drawn areas, one map."""
    d = lambda key, **kw: t(f"dashboard.{key}", lang, **kw)  # noqa: E731
    cells = dash.line_density
    if not dash.totals.lines and not dash.totals.areas:
        return
    st.subheader(d("routes"), anchor=False)
    st.caption(d("routes_help", cell=analysis.LINE_CELL_M, crs=f"EPSG:{settings.profile.working_crs}"))
    m = routes_map(settings, c, dash, lang)
    st_folium(m, key=f"dashboard-routes-{c.id}", height=420, use_container_width=True, returned_objects=[])
    if cells is not None and len(cells):
        busiest = cells.head(5)
        st.caption(d("routes_busiest", n=int(busiest["count"].iloc[0]), cells=len(cells)))


def _what(frame: pd.DataFrame, c: Consultation, lang: str, words: dict) -> None:
    d = lambda key, **kw: t(f"dashboard.{key}", lang, **kw)  # noqa: E731
    st.subheader(d("what"), anchor=False)
    if words:
        st.markdown(f"**{d('keywords')}**")
        st.dataframe(
            pd.DataFrame({d("category"): list(words), d("keywords"): [", ".join(w) for w in words.values()]}),
            hide_index=True,
            width="stretch",
        )
    key = f"dashboard-themes-{c.id}"
    if len(frame) <= THEMES_AT_ONCE or st.button(d("compute_themes", n=len(frame)), key=key):
        found = themes.themes(frame)
        st.markdown(f"**{d('themes', n=len(found))}**")
        for n, theme in enumerate(found, start=1):
            with st.expander(tn("dashboard.theme_title", theme.size, lang, number=n, terms=", ".join(theme.terms))):
                for quote in theme.quotes:
                    st.caption(reference(quote.input_id))
                    text_block(excerpt(quote.text, 400))
    if len(frame) > DUPLICATES_AT_ONCE and not st.button(
        t("review_paging.compute_duplicates", lang, n=len(frame)), key=f"dashboard-duplicates-{c.id}"
    ):
        return  # seconds at a kommuneplan's size: computed when asked for, as the themes
    groups = _near_duplicates(frame[["id", "text"]])
    if groups:
        st.markdown(f"**{tn('dashboard.near_duplicates', len(groups), lang)}**")
        for group in groups:
            with st.expander(d("duplicate_title", size=group.size, ref=reference(group.example.input_id))):
                text_block(excerpt(group.example.text, 400))


@st.cache_data(max_entries=16, show_spinner=False)
def _near_duplicates(texts: pd.DataFrame) -> list[themes.DuplicateGroup]:
    """``themes.near_duplicates`` once per set of texts, for every session and rerun: at a
    kommuneplan's 10,000 merknader it is seconds, and a filter, an answer or another tab's
    click leaves the texts as they were (bench/kommuneplan.py)."""
    return themes.near_duplicates(texts)


def _who(dash: analysis.Dashboard, lang: str) -> None:
    d = lambda key, **kw: t(f"dashboard.{key}", lang, **kw)  # noqa: E731
    st.subheader(d("who"), anchor=False)
    st.caption(d("who_help", n=analysis.SMALL_GROUP))
    columns = st.columns(2)
    for column, (name, table) in zip(columns, dash.demographics.items(), strict=False):
        prefix = "age_group" if name == "age_group" else "relation"
        shown = table.assign(
            label=table["label"].map(
                lambda v, p=prefix: d("not_answered") if v == analysis.NOT_ANSWERED else t(f"{p}.{v}", lang)
            ),
            count=table["count"].astype(str),
        )
        with column:
            st.markdown(f"**{d(name)}**")
            st.dataframe(
                shown.rename(columns={"label": d("group"), "count": d("count")}),
                hide_index=True,
                width="stretch",
            )


def _supported(dash: analysis.Dashboard, lang: str) -> None:
    d = lambda key: t(f"dashboard.{key}", lang)  # noqa: E731
    st.subheader(d("most_supported"), anchor=False)
    if not len(dash.most_supported):
        st.caption(d("no_supports"))
        return
    for row in dash.most_supported.itertuples():
        with st.container(border=True):
            st.caption(f"{reference(int(row.id))} · {row.category} · {t('dashboard.supports', lang)}: {row.supports}")
            text_block(excerpt(row.text, 400))


def view(
    settings: Settings,
    c: Consultation,
    frame: pd.DataFrame,
    lang: str,
    *,
    store: Store | None = None,
    key: tuple = (),
) -> None:
    """The whole summary of ``frame`` (already filtered). With ``store``, the figures are
    computed once per data version and filter (``key``) and reused on every rerun."""
    if not len(frame):
        st.info(t("dashboard.empty", lang))
        return
    end = min(c.closes_at, datetime.now(UTC)).astimezone(LOCAL_TZ).date()

    def figures() -> analysis.Dashboard:
        return analysis.dashboard(
            frame,
            categories=c.categories,
            start=c.opens_at.astimezone(LOCAL_TZ).date(),
            end=end,
            places=analysis.load_places(settings.profile),
            epsg=settings.profile.working_crs,
        )

    def once(name: str, compute: Callable[[], T]) -> T:
        return compute() if store is None else per_version.memo(store, name, (c.id, key, end), compute)

    dash = once("summary-dashboard", figures)
    _metric_row(dash.totals, lang)
    _charts(dash, lang)
    _where(settings, c, dash, lang)
    _routes(settings, c, dash, lang)
    _what(frame, c, lang, once("summary-keywords", lambda: themes.keywords(frame)))
    _who(dash, lang)
    _supported(dash, lang)
