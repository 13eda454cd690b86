"""The planners' review page: every input with filters, a map and moderation actions on a
selection, the summary, then the merknadsbehandling — progress, responses per input or
group, and publishing them to residents — and the exports. One module per tab:
``inputs`` (the table, the map, ``detail`` of one input, ``actions`` on a selection),
``summary``, ``responses`` and ``exports``.

Actions run in widget callbacks, before the rerun, so the table, progress and map drawn
afterwards already show their effect; each leaves one message where it was taken.
"""

from __future__ import annotations

import streamlit as st

from ...casework.analysis import filter_frame
from ...config import Settings
from ...i18n import t
from ...model import Status, User
from ...store import Store
from .. import parties
from . import exports, summary
from .inputs import filters, inputs_view
from .responses import responses_view


def page(store: Store, settings: Settings, user: User, lang: str) -> None:
    st.title(t("planning.title", lang), anchor=False)
    st.caption(t("planning.intro", lang))
    by_id = {
        entry.consultation.id: entry.consultation
        for entry in store.listings()
        if entry.consultation.status != Status.DRAFT  # drafts have no inputs
    }
    if not by_id:
        st.info(t("planning.none", lang))
        return
    ids = list(by_id)
    wanted = st.query_params.get("id")
    chosen = st.selectbox(
        t("planning.choose", lang),
        options=ids,
        index=ids.index(wanted) if wanted in by_id else 0,
        format_func=lambda cid: t(
            "planning.choose_option",
            lang,
            title=by_id[cid].title,
            status=t(f"status.{by_id[cid].status.value}", lang),
        ),
        key="review-consultation",
    )
    st.query_params["id"] = chosen  # the address always links to what is on screen
    c = by_id[chosen]
    parties.summary(store, c, lang)
    frame = store.analysis_frame(c.id)
    filtered = filter_frame(frame, **filters(c, frame, lang))  # one filter for list and summary
    inputs_tab, summary_tab, responses_tab, downloads_tab = st.tabs(
        [
            t("planning.tab_inputs", lang),
            t("dashboard.tab", lang),
            t("planning.tab_responses", lang),
            t("downloads.tab", lang),
        ]
    )
    with inputs_tab:
        inputs_view(store, settings, c, frame, filtered, user, lang)
    with summary_tab:
        summary.view(settings, c, filtered, lang)
    with responses_tab:
        responses_view(store, c, frame, user, lang)
    with downloads_tab:
        exports.view(store, settings, c, user, lang)
