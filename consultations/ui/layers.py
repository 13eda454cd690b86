"""Context layers on the page: the builder's section where staff add and remove them, and
the text list residents read under the map (what the map's layer control toggles)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ..planning import context_layers
from .. import geo
from ..errors import KartinnspillError
from ..i18n import t, tn
from ..model import Consultation, ContextLayer, LayerKind, User
from ..store import Store
from ..text import escape_html, escape_markdown
from . import flash
from .context import settings

_MB = 1024 * 1024


def describe(layer: ContextLayer, lang: str) -> str:
    """What a layer shows, in words: «kartbilde fra kart.asker.kommune.no» or «3 områder,
    1 linje» (plain text; escape it for where it goes)."""
    if layer.kind == LayerKind.WMS:
        host = context_layers.origin(layer.wms_url).split("://", 1)[1]
        return t("context_layer.resident.wms", lang, host=host)
    parts = [
        tn(f"context_layer.resident.{kind}", n, lang)
        for kind, n in (
            ("areas", layer.areas),
            ("lines", layer.lines),
            ("points", layer.points),
        )
        if n
    ]
    return ", ".join(parts)


def resident_list(layers: Sequence[ContextLayer], lang: str) -> None:
    """The layers of the map as text, for readers who do not see the map: each one's name,
    what it is, its legend and its source. Staff wrote these: escaped HTML."""
    if not layers:
        return
    st.markdown(f"**{escape_markdown(t('context_layer.resident.heading', lang))}**")
    st.caption(t("context_layer.resident.intro", lang))
    items = []
    for layer in layers:
        source = (
            f"<br>{escape_html(t('context_layer.resident.source', lang, attribution=layer.attribution))}"
            if layer.attribution
            else ""
        )
        items.append(
            f"<li><strong>{escape_html(layer.name)}</strong> ({escape_html(describe(layer, lang))})"
            f"<br>{escape_html(layer.legend)}{source}</li>"
        )
    st.html(f'<ul class="ki-context-layers">{"".join(items)}</ul>')


def builder_section(store: Store, consultation: Consultation | None, user: User, lang: str, prefix: str) -> None:
    """Staff add a WMS or file layer to a saved consultation, or take one off."""
    st.subheader(t("context_layer.builder.section", lang), anchor=False)
    if consultation is None:
        st.caption(t("context_layer.builder.new_first", lang))
        return
    st.caption(t("context_layer.builder.help", lang))
    where = f"{prefix}-layers"
    flash.show(where)
    layers = store.context_layers(consultation.id)
    if not layers:
        st.caption(t("context_layer.builder.none", lang))
    for layer in layers:
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(layer.name)}** ({escape_markdown(describe(layer, lang))})")
            st.caption(escape_markdown(layer.legend))
            st.button(
                t("context_layer.builder.delete", lang, name=layer.name),
                key=f"{prefix}-layer-delete-{layer.id}",
                on_click=flash.run,
                args=(where, lang, context_layers.delete_layer, store, layer.id, user),
            )
    wms, from_file = st.tabs(
        [
            t("context_layer.builder.tab_wms", lang),
            t("context_layer.builder.tab_file", lang),
        ]
    )
    with wms:
        _wms_form(store, consultation, user, lang, prefix, where)
    with from_file:
        _file_form(store, consultation, user, lang, prefix, where)


def _texts(lang: str, key: str) -> tuple[str, str, str]:
    name = st.text_input(
        t("context_layer.builder.name", lang),
        key=f"{key}-name",
        max_chars=context_layers.NAME_MAX,
    )
    legend = st.text_area(
        t("context_layer.builder.legend", lang),
        key=f"{key}-legend",
        max_chars=context_layers.LEGEND_MAX,
    )
    attribution = st.text_input(
        t("context_layer.builder.attribution", lang),
        key=f"{key}-attribution",
        max_chars=context_layers.ATTRIBUTION_MAX,
    )
    return name, legend, attribution


def _wms_form(store: Store, c: Consultation, user: User, lang: str, prefix: str, where: str) -> None:
    key = f"{prefix}-wms"
    url = st.text_input(
        t("context_layer.builder.url", lang),
        key=f"{key}-url",
        help=t("context_layer.builder.url_help", lang),
    )
    names = st.text_input(
        t("context_layer.builder.wms_layers", lang),
        key=f"{key}-layers",
        help=t("context_layer.builder.wms_layers_help", lang),
    )
    name, legend, attribution = _texts(lang, key)
    if not st.button(t("context_layer.builder.add_wms", lang), key=f"{key}-add"):
        return
    try:
        layer = context_layers.add_wms_layer(
            store,
            c.id,
            user,
            name=name,
            url=url,
            layers=names,
            legend=legend,
            attribution=attribution,
            loopback=settings().wms_loopback,
        )
    except KartinnspillError as exc:
        st.error(exc.message(lang))
        return
    _added(layer, lang, key, where)


def _file_form(store: Store, c: Consultation, user: User, lang: str, prefix: str, where: str) -> None:
    key = f"{prefix}-file"
    file = st.file_uploader(
        t("context_layer.builder.file", lang),
        type=[suffix.lstrip(".") for suffix in geo.CONTEXT_FORMATS],
        max_upload_size=geo.MAX_CONTEXT_BYTES // _MB,
        key=f"{key}-upload",
    )
    file_layer = st.text_input(t("context_layer.builder.file_layer", lang), key=f"{key}-layer").strip() or None
    name, legend, attribution = _texts(lang, key)
    if not st.button(t("context_layer.builder.add_file", lang), key=f"{key}-add"):
        return
    if file is None:
        st.error(t("area.empty", lang))
        return
    try:
        layer = context_layers.add_file_layer(
            store,
            c.id,
            user,
            name=name,
            filename=file.name,
            data=file.getvalue(),
            legend=legend,
            attribution=attribution,
            file_layer=file_layer,
        )
    except KartinnspillError as exc:
        st.error(exc.message(lang))
        return
    _added(layer, lang, key, where)


def _added(layer: ContextLayer, lang: str, key: str, where: str) -> None:
    flash.say(where, "success", t("context_layer.builder.added", lang, name=layer.name))
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{key}-")]:
        del st.session_state[name]  # an empty form for the next layer
    st.rerun()
