"""The inputs tab: filters, the table of every input, the map, and for a selection its
detail and the moderation actions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ...outputs import archive
from ...casework import review
from ...config import Settings
from ...outputs.export import missed_frists
from ...i18n import LOCAL_TZ, t, tn
from ...model import (
    Channel,
    Consultation,
    InputStatus,
    MapPoint,
    Moderation,
    User,
    reference,
)
from ...casework.moderation import flags
from ...participation.public import masked
from ...store import Store
from ...text import excerpt
from .. import flash, parties, per_version
from ..maps import consultation_map
from .actions import actions
from .common import tags_of
from .detail import detail

EXCERPT = 120


PAGE_SIZE = 100  # merknader a page: a kommuneplan's 10,000 in one table was seconds a rerun
SHOWN_REFS = 10  # references listed for a selection; the count says the rest


_EITHER = {None: "any", True: "yes", False: "no"}  # a yes/no filter, or none


def filters(c: Consultation, frame: pd.DataFrame, lang: str) -> dict:
    k = f"review-{c.id}-filter"
    every = t("planning.filter.all", lang)
    with st.expander(t("planning.filter.heading", lang), expanded=True):
        first, second = st.columns(3), st.columns(4)
        statuses = first[0].multiselect(
            t("planning.filter.status", lang),
            options=[s.value for s in InputStatus],
            format_func=lambda v: t(f"planning.input_status.{v}", lang),
            placeholder=every,
            key=f"{k}-status",
        )
        categories = first[1].multiselect(
            t("planning.filter.category", lang),
            options=list(dict.fromkeys([*c.categories, *frame["category"]])),  # renamed ones too
            placeholder=every,
            key=f"{k}-category",
        )
        channels = first[2].multiselect(
            t("planning.filter.channel", lang),
            options=[ch.value for ch in Channel],
            format_func=lambda v: t(f"channel.{v}", lang),
            placeholder=every,
            key=f"{k}-channel",
        )
        dates = second[0].date_input(t("planning.filter.dates", lang), value=(), format="DD.MM.YYYY", key=f"{k}-dates")
        text = second[1].text_input(t("planning.filter.text", lang), key=f"{k}-text")
        has_location = second[2].selectbox(
            t("planning.filter.location", lang),
            options=list(_EITHER),
            format_func=lambda v: t(f"planning.filter.location_{_EITHER[v]}", lang),
            key=f"{k}-location",
        )
        responded = second[3].selectbox(
            t("planning.filter.answered", lang),
            options=list(_EITHER),
            format_func=lambda v: t(f"planning.filter.answered_{_EITHER[v]}", lang),
            key=f"{k}-answered",
        )
    dates = tuple(dates) if isinstance(dates, (tuple, list)) else (dates,)
    return dict(
        statuses=statuses,
        categories=categories,
        channels=channels,
        date_from=dates[0] if dates else None,
        date_to=dates[1] if len(dates) > 1 else None,
        text=text,
        has_location=has_location,
        responded=responded,
    )


def _table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The review list; ``frame`` carries ``missed`` (``export.missed_frists``)."""

    def col(name: str) -> str:
        return t(f"planning.table.{name}", lang)

    def label(prefix: str) -> Callable[[object], str]:
        return lambda v: t(f"{prefix}.{v}", lang) if isinstance(v, str) and v else ""

    return pd.DataFrame(
        {
            col("reference"): frame["id"].map(reference),
            col("received"): pd.to_datetime(frame["created_at"]).dt.tz_localize(UTC),
            col("status"): frame["status"].map(label("planning.input_status")),
            t("report11.table.not_merknad", lang): frame["not_merknad"].map(label("report11.not_merknad")),
            col("category"): frame["category"],
            col("channel"): frame["channel"].map(label("channel")),
            col("sender"): frame["sender_type"].map(label("sender_type")),
            t("parties.table.objection", lang): [
                parties.objection_label(o, s, lang)
                for o, s in zip(frame["objection"], frame["objection_status"], strict=True)
            ],
            t("parties.table.late", lang): frame["missed"].map(lambda m: parties.late_label(m, lang)),
            col("text"): frame["text"].map(lambda text: excerpt(text, EXCERPT)),
            col("themes"): frame["tags"].map(lambda v: ", ".join(tags_of(v))),
            col("supports"): frame["supports"],
            col("duplicate_of"): frame["duplicate_of"].map(lambda v: "" if pd.isna(v) else reference(int(v))),
            col("outcome"): frame["outcome"].map(label("planning.outcome")),
            t("archive.table.column", lang): [
                archive.status_label(*row, lang)
                for row in zip(
                    frame["archived_at"],
                    frame["journal_year"],
                    frame["journal_sequence"],
                    frame["journalpost_number"],
                    strict=True,
                )
            ],
            col("flags"): frame["text"].map(lambda text: ", ".join(t(f"planning.flag.{f}", lang) for f in flags(text))),
        }
    )


def table_key(consultation_id: str, ids: list[int]) -> str:
    """The table's widget key: a new set of rows starts a new selection, so a row number
    chosen under one filter never points at another input under the next."""
    digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:12]
    return f"review-table-{consultation_id}-{digest}"


def _page_of(c: Consultation, key: tuple, shown: int) -> int:
    """The page of the list on screen (from 0): the first again when the filter changed, and
    never past the last (after a filter or an action left fewer merknader)."""
    state, k = st.session_state, f"review-{c.id}-page"
    if state.get(f"{k}-filter") != key:
        state[f"{k}-filter"], state[k] = key, 0
    pages = max(1, -(-shown // PAGE_SIZE))
    state[k] = min(max(int(state.get(k, 0)), 0), pages - 1)
    return state[k]


def _turn(k: str, step: int) -> None:
    st.session_state[k] = int(st.session_state.get(k, 0)) + step


def _pager(c: Consultation, page: int, shown: int, lang: str) -> None:
    """«Innspill 51–100 av 9 200 · side 2 av 184» with «Forrige» and «Neste»: every merknad
    is a page turn (or a search by its reference) away."""
    pages = max(1, -(-shown // PAGE_SIZE))
    if pages == 1:
        return
    k = f"review-{c.id}-page"
    first, last = page * PAGE_SIZE + 1, min((page + 1) * PAGE_SIZE, shown)
    where, back, forward = st.columns([4, 1, 1], vertical_alignment="center")
    where.caption(t("review_paging.page", lang, first=first, last=last, shown=shown, page=page + 1, pages=pages))
    back.button(
        t("review_paging.previous", lang),
        key=f"{k}-previous",
        disabled=page == 0,
        on_click=_turn,
        args=(k, -1),
        icon=":material/chevron_left:",
    )
    forward.button(
        t("review_paging.next", lang),
        key=f"{k}-next",
        disabled=page >= pages - 1,
        on_click=_turn,
        args=(k, 1),
        icon=":material/chevron_right:",
    )


def ordered(store: Store, c: Consultation, filtered: pd.DataFrame, key: tuple) -> pd.DataFrame:
    """The filtered merknader in the review order with their missed frist, once per data
    version and filter."""

    def make() -> pd.DataFrame:
        shown = review.order_frame(filtered, c.moderation)
        return shown.assign(missed=pd.Series(missed_frists(shown, c), index=shown.index, dtype=object))

    return per_version.memo(store, "review-ordered", (c.id, key), make)


def inputs_view(
    store: Store,
    settings: Settings,
    c: Consultation,
    frame: pd.DataFrame,
    filtered: pd.DataFrame,
    key: tuple,
    user: User,
    lang: str,
) -> None:
    if c.moderation == Moderation.PRE:
        st.caption(t("planning.pre_moderated", lang))
    if waiting := review.photos_waiting(frame):
        st.warning(tn("photo.waiting", waiting, lang))
    every = ordered(store, c, filtered, key)
    st.caption(tn("planning.filter.count", len(frame), lang, shown=len(every)))
    page = _page_of(c, key, len(every))
    _pager(c, page, len(every), lang)
    shown = every.iloc[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ids = [int(i) for i in shown["id"]]
    event = st.dataframe(
        _table(shown, lang),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key=table_key(c.id, ids),
        column_config={
            t("planning.table.received", lang): st.column_config.DatetimeColumn(
                format="DD.MM.YYYY HH:mm", timezone=str(LOCAL_TZ)
            )
        },
    )
    st.caption(t("planning.table.help", lang))
    selected = [ids[row] for row in event.selection.rows if row < len(ids)]
    left, right = st.columns([3, 2], gap="large")
    with left:
        flash.show("review-inputs")
        if not selected:
            st.info(t("planning.detail.none_selected", lang))
        else:
            if len(selected) == 1:
                detail(store, c, shown[shown["id"] == selected[0]].iloc[0], lang, user)
            else:
                refs = ", ".join(reference(i) for i in selected[:SHOWN_REFS])
                more = "…" if len(selected) > SHOWN_REFS else ""
                st.markdown(t("planning.detail.selected", lang, n=len(selected), refs=refs + more))
            actions(store, c, frame, selected, user, lang)
    with right:
        _map(settings, c, shown, lang, paged=len(every) > PAGE_SIZE)


def _map(settings: Settings, c: Consultation, shown: pd.DataFrame, lang: str, paged: bool = False) -> None:
    """The merknader on screen (the page's, when the list has more than one) on the map."""
    located = shown[shown["lat"].notna()]
    points = [
        MapPoint(
            r.lat,
            r.lon,
            r.category,
            masked(r.text, lang),
            int(r.id),
            *((r.drawing, r.measure) if isinstance(r.drawing, str) else ()),
        )
        for r in located.itertuples()
    ]
    st.subheader(t("planning.map.heading", lang), anchor=False)
    st.caption(t("review_paging.map_caption" if paged else "planning.map.caption", lang, n=len(points)))
    st_folium(
        consultation_map(settings, c, points, lang),
        key=f"review-map-{c.id}",
        height=420,
        use_container_width=True,
        returned_objects=[],
    )
