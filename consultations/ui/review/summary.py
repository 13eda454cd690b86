"""Oppsummering: what people said and where, for the filtered set of inputs.

Figures come from ``analysis`` and ``themes``; this only lays them out. Charts are
Altair, which Streamlit draws with its own bundled code (no outside requests).
"""

from __future__ import annotations

from datetime import UTC, datetime

import altair as alt
import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ... import analysis, geo, themes
from ...config import Settings
from ...i18n import LOCAL_TZ, t, tn
from ...model import Consultation, reference
from ...text import escape_html, excerpt
from ..maps import area_map
from ..safe import text_block

DENSITY_CELL_M = 250
THEMES_AT_ONCE = 3_000  # more inputs: themes are computed when asked for


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
        dash.per_category.rename(
            columns={"category": d("category"), "inputs": d("inputs"), "supports": d("supports")}
        ),
        hide_index=True,
        width="stretch",
    )


def _where(settings: Settings, c: Consultation, dash: analysis.Dashboard, lang: str) -> None:
    d = lambda key, **kw: t(f"dashboard.{key}", lang, **kw)  # noqa: E731
    st.subheader(d("where"), anchor=False)
    st.caption(d("density_help", cell=DENSITY_CELL_M))
    m = area_map(settings, c.area, lang)
    if len(dash.density):
        peak = max(int(dash.density["count"].max()), 1)
        half = DENSITY_CELL_M / 2
        for cell in dash.density.itertuples():
            lon0, lat0 = geo.from_working_crs(cell.east - half, cell.north - half)
            lon1, lat1 = geo.from_working_crs(cell.east + half, cell.north + half)
            folium.Rectangle(
                bounds=[[lat0, lon0], [lat1, lon1]],
                color=None,
                fill=True,
                fill_color="#c0392b",
                fill_opacity=0.15 + 0.6 * cell.count / peak,
                tooltip=d("cell_tooltip", n=int(cell.count)),
            ).add_to(m)
    for spot in dash.hotspots:
        label = tn("dashboard.hotspot_tooltip", spot.size, lang, place=spot.place or "–")
        folium.CircleMarker(
            location=(spot.lat, spot.lon), radius=8, color="#1f4e79", weight=3,
            fill=True, fill_opacity=0.3, tooltip=escape_html(label),
        ).add_to(m)  # fmt: skip
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


def _what(frame: pd.DataFrame, c: Consultation, lang: str) -> None:
    d = lambda key, **kw: t(f"dashboard.{key}", lang, **kw)  # noqa: E731
    st.subheader(d("what"), anchor=False)
    words = themes.keywords(frame)
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
    groups = themes.near_duplicates(frame)
    if groups:
        st.markdown(f"**{tn('dashboard.near_duplicates', len(groups), lang)}**")
        for group in groups:
            with st.expander(d("duplicate_title", size=group.size, ref=reference(group.example.input_id))):
                text_block(excerpt(group.example.text, 400))


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


def view(settings: Settings, c: Consultation, frame: pd.DataFrame, lang: str) -> None:
    """The whole summary of ``frame`` (already filtered)."""
    if not len(frame):
        st.info(t("dashboard.empty", lang))
        return
    dash = analysis.dashboard(
        frame,
        categories=c.categories,
        start=c.opens_at.astimezone(LOCAL_TZ).date(),
        end=min(c.closes_at, datetime.now(UTC)).astimezone(LOCAL_TZ).date(),
    )
    _metric_row(dash.totals, lang)
    _charts(dash, lang)
    _where(settings, c, dash, lang)
    _what(frame, c, lang)
    _who(dash, lang)
    _supported(dash, lang)
