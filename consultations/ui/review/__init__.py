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
from .. import parties, per_version
from . import exports, summary
from .inputs import filters, inputs_view
from .responses import responses_view

# More merknader than this: the tabs run when opened, not all on every rerun (a kommuneplan,
# bench/kommuneplan.py); fewer: all at once, as a planner is used to.
TABS_ON_DEMAND_AT = 2_000


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
    chosen_filters = filters(c, frame, lang)
    key = per_version.filter_key(chosen_filters)
    filtered = per_version.memo(  # one filter for list and summary
        store, "review-filtered", (c.id, key), lambda: filter_frame(frame, **chosen_filters)
    )
    large = len(frame) > TABS_ON_DEMAND_AT
    tabs = st.tabs(
        [
            t("planning.tab_inputs", lang),
            t("dashboard.tab", lang),
            t("planning.tab_responses", lang),
            t("downloads.tab", lang),
        ],
        # a kommuneplan: only the tab the planner has open runs (its summary alone is seconds)
        **({"key": f"review-{c.id}-tab", "on_change": "rerun"} if large else {}),
    )
    views = (
        lambda: inputs_view(store, settings, c, frame, filtered, key, user, lang),
        lambda: summary.view(settings, c, filtered, lang, store=store, key=key),
        lambda: responses_view(store, c, frame, user, lang),
        lambda: exports.view(store, settings, c, user, lang),
    )
    for tab, view in zip(tabs, views, strict=True):
        if not large or tab.open:
            with tab:
                view()
