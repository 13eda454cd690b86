"""The merknadsbehandling tab: progress, the planners' response to one input or a group
(by tag or category), the responses given, and publishing them to residents; in an early
medvirkning also «vi hørte – vi gjør» per theme, published to residents and mailed to
followers (issue 27)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from ...planning import planprocess
from ...casework import review
from ...i18n import format_date, t, tn
from ...model import Consultation, Outcome, User, reference
from ...store import Store
from ...text import escape_markdown
from .. import flash, per_version
from .. import medvirkning as medvirkning_ui
from ..safe import text_block
from . import points
from .common import row_labels, run, tags_of


def _group(
    store: Store, c: Consultation, frame: pd.DataFrame, need: pd.DataFrame, lang: str
) -> tuple[str, pd.DataFrame] | None:
    """The inputs one response will cover: one input, all with a planner's tag, or a
    category; ``None``, with a word why, when there is nothing to respond to. ``frame`` is
    the consultation's whole analysis frame, ``need`` its rows that need an answer."""
    k = f"review-{c.id}-response"

    def r(name: str) -> str:
        return t(f"planning.response.{name}", lang)

    if need.empty:
        st.info(r("none_needed"))
        return None

    scope = st.radio(
        r("scope"),
        options=["input", "theme", "category"],
        horizontal=True,
        format_func=lambda v: r(f"scope_{v}"),
        key=f"{k}-scope",
    )
    if scope == "input":
        ordered = need.assign(done=need["outcome"].notna()).sort_values(["done", "id"])
        every = row_labels(store, c.id, frame)
        answered = r("option_answered")
        labels = {
            int(i): answered.format(label=every[int(i)]) if done else every[int(i)]
            for i, done in zip(ordered["id"], ordered["done"], strict=True)
        }
        chosen = st.selectbox(r("choose_input"), options=list(labels), format_func=labels.get, key=f"{k}-input")
        return f"input-{chosen}", need[need["id"] == chosen]
    if scope == "theme":
        tags = sorted({th for v in need["tags"] for th in tags_of(v)})
        if not tags:
            st.info(r("no_themes"))
            return None
        chosen = st.selectbox(r("choose_theme"), options=tags, key=f"{k}-theme")
        return f"theme-{chosen}", need[need["tags"].map(lambda v: chosen in tags_of(v))]
    used = set(need["category"])
    categories = [cat for cat in dict.fromkeys([*c.categories, *need["category"]]) if cat in used]
    chosen = st.selectbox(r("choose_category"), options=categories, key=f"{k}-category")
    return f"category-{chosen}", need[need["category"] == chosen]


def _save(store: Store, ids: list[int], keys: dict[str, str], actor: User, lang: str) -> str:
    state = st.session_state
    response = review.validate_response(
        state.get(keys["summary"]),
        state.get(keys["assessment"]),
        state.get(keys["outcome"]),
        state.get(keys["plan_change"]),
    )
    return tn("planning.response.saved", review.respond(store, ids, response, actor), lang)


def _response_form(store: Store, c: Consultation, name: str, group: pd.DataFrame, user: User, lang: str) -> None:
    def r(key: str) -> str:
        return t(f"planning.response.{key}", lang)

    ids = [int(i) for i in group["id"]]
    st.caption(tn("planning.response.group", len(ids), lang))
    if len(ids) == 1:
        row = group.iloc[0]
        with st.container(border=True):
            st.caption(f"{reference(ids[0])} · {escape_markdown(row['category'])}")
            text_block(row["text"])
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    t("planning.table.reference", lang): group["id"].map(reference),
                    t("planning.table.category", lang): group["category"],
                    t("planning.table.text", lang): group["text"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    answered = group[group["outcome"].notna()]
    earlier = {
        (row["response_summary"], row["assessment"], row["outcome"], row["plan_change"])
        for _, row in answered.iterrows()
    }
    prefill = earlier.pop() if len(answered) == len(group) and len(earlier) == 1 else ("", "", None, "")
    if len(answered) and not prefill[0]:
        st.warning(t("planning.response.replaces", lang, n=len(answered)))
    outcomes = [o.value for o in Outcome]
    k = f"review-{c.id}-response-{name}"
    keys = {f: f"{k}-{f}" for f in ("summary", "assessment", "outcome", "plan_change")}
    with st.form(f"{k}-form", border=True):
        st.text_area(r("summary"), value=prefill[0], max_chars=review.SUMMARY_MAX, key=keys["summary"])
        st.text_area(
            r("assessment"),
            value=prefill[1],
            max_chars=review.ASSESSMENT_MAX,
            height=180,
            key=keys["assessment"],
        )
        st.radio(
            r("outcome"),
            options=outcomes,
            index=outcomes.index(prefill[2]) if prefill[2] else None,
            format_func=lambda v: t(f"planning.outcome.{v}", lang),
            key=keys["outcome"],
        )
        st.text_area(r("plan_change"), value=prefill[3], max_chars=review.PLAN_CHANGE_MAX, key=keys["plan_change"])
        st.form_submit_button(
            r("save"),
            type="primary",
            on_click=run,
            args=("responses", lang, _save, store, ids, keys, user, lang),
        )


def _existing(frame: pd.DataFrame, lang: str) -> None:
    st.subheader(t("planning.response.existing", lang), anchor=False)
    answered = frame[frame["outcome"].notna()]
    if answered.empty:
        st.caption(t("planning.response.existing_none", lang))
        return

    def col(name: str) -> str:
        return t(f"planning.table.{name}", lang)

    st.dataframe(
        pd.DataFrame(
            {
                col("reference"): answered["id"].map(reference),
                col("category"): answered["category"],
                col("summary"): answered["response_summary"],
                col("outcome"): answered["outcome"].map(lambda v: t(f"planning.outcome.{v}", lang)),
                col("assessment"): answered["assessment"],
                col("plan_change"): answered["plan_change"],
                col("author"): answered["response_author"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _publish_responses(store: Store, c: Consultation, key: str, actor: User, lang: str) -> str:
    wanted = bool(st.session_state.get(key))
    review.publish_responses(store, c, wanted, actor, datetime.now(UTC))
    return t("planning.response.published_on" if wanted else "planning.response.published_off", lang)


def _publishing(store: Store, c: Consultation, user: User, lang: str) -> None:
    st.subheader(t("planning.response.publish_heading", lang), anchor=False)
    published = store.responses_published(c.id)
    allowed = review.responses_may_be_published(c, datetime.now(UTC))
    if not allowed:
        st.caption(t("planning.response.publish_open", lang, date=format_date(c.closes_at, lang, with_time=True)))
    key = f"review-{c.id}-publish"
    st.session_state[key] = published  # the toggle always shows what residents see
    st.toggle(
        t("planning.response.publish", lang),
        key=key,
        disabled=not allowed and not published,  # withdrawing stays possible
        on_change=run,
        args=("responses", lang, _publish_responses, store, c, key, user, lang),
    )


@st.fragment
def _answering(store: Store, c: Consultation, user: User, lang: str) -> None:
    """Progress and the response form: a fragment, so «Lagre» reruns this part (with the
    progress it moves), not the page's 10,000-merknad list, map and tabs."""
    frame = store.analysis_frame(c.id)  # read again when the fragment reruns after a save
    answered, total = review.progress(frame)
    st.progress(
        answered / total if total else 0.0,
        text=t("planning.response.progress", lang, answered=answered, total=total),
    )
    st.caption(t("planning.response.progress_note", lang))
    points.overview(store, c, lang)
    flash.show("review-responses")
    need = per_version.memo(store, "review-need", (c.id,), lambda: review.needing_response(frame))
    if chosen := _group(store, c, frame, need, lang):
        _response_form(store, c, *chosen, user, lang)


def responses_view(store: Store, c: Consultation, frame: pd.DataFrame, user: User, lang: str) -> None:
    _answering(store, c, user, lang)
    points.points_view(store, c, frame, user, lang)
    _existing(frame, lang)
    _publishing(store, c, user, lang)
    if planprocess.mode(c.stage) == planprocess.Mode.EARLY:  # the medvirkning's answer to residents
        medvirkning_ui.heard_editor(store, c, user, lang)
