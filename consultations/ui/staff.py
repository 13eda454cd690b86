"""The staff overview of every consultation, with its life-cycle actions."""

from __future__ import annotations

import streamlit as st

from ..planning import objections
from ..i18n import format_date, t
from ..planning.lifecycle import TRANSITIONS, delete_draft, duplicate, transition
from ..model import Consultation, Status, User
from ..store import Store
from . import flash, parties

BUILDER_PAGE = "pages/rediger.py"
HOME_PAGE = "pages/home.py"


def _transition_label(current: Status, target: Status, lang: str) -> str:
    if current == Status.CLOSED and target == Status.PUBLISHED:
        return t("transition.reopen", lang)
    if current == Status.ARCHIVED:
        return t("transition.restore", lang)
    return t(f"transition.{target.value}", lang)


def _move(store: Store, cid: str, target: Status, actor: User, lang: str) -> str:
    transition(store, cid, target, actor)
    return t("staff_list.moved", lang, status=t(f"status.{target.value}", lang))


def _duplicate(store: Store, c: Consultation, actor: User, lang: str) -> str:
    copy = duplicate(store, c.id, actor, t("staff_list.copy_title", lang, title=c.title))
    st.session_state["staff-selected"] = copy.id
    return t("staff_list.duplicated", lang, title=copy.title)


def _delete(store: Store, cid: str, actor: User, lang: str) -> str:
    delete_draft(store, cid, actor)
    st.session_state.pop("staff-selected", None)
    return t("staff_list.deleted", lang)


def overview(store: Store, user: User, lang: str) -> None:
    st.title(t("staff_list.title", lang), anchor=False)
    st.page_link(BUILDER_PAGE, label=t("staff_list.new", lang), icon=":material/add:")
    flash.show("staff")
    listings = store.listings()
    if not listings:
        st.info(t("staff_list.none", lang))
        return
    counts = objections.overview(store)
    st.dataframe(
        [
            {
                t("staff_list.table_title", lang): entry.consultation.title,
                t("staff_list.table_id", lang): entry.consultation.id,
                t("staff_list.table_status", lang): t(f"status.{entry.consultation.status.value}", lang),
                t("staff_list.table_opens", lang): format_date(entry.consultation.opens_at, lang),
                t("staff_list.table_closes", lang): format_date(entry.consultation.closes_at, lang),
                t("staff_list.table_inputs", lang): entry.total_inputs,
                t("parties.table.unresolved", lang): counts.get(entry.consultation.id, (0, 0))[0],
                t("parties.table.unanswered", lang): counts.get(entry.consultation.id, (0, 0))[1],
            }
            for entry in listings
        ],
        hide_index=True,
        width="stretch",
    )
    by_id = {entry.consultation.id: entry.consultation for entry in listings}
    chosen = st.selectbox(
        t("staff_list.choose", lang),
        options=list(by_id),
        format_func=lambda cid: by_id[cid].title,  # the status below: a label here would go stale
        key="staff-selected",
    )
    c = by_id[chosen]
    st.caption(f"{t('staff_list.table_status', lang)}: {t(f'status.{c.status.value}', lang)} · {c.id}")
    parties.summary(store, c, lang)
    st.page_link(parties.PAGE, label=t("hearing.title", lang), query_params={"id": c.id}, icon=":material/groups:")
    actions = st.columns(3)
    actions[0].page_link(
        BUILDER_PAGE, label=t("staff_list.edit", lang), query_params={"id": c.id}, icon=":material/edit:"
    )
    preview = "staff_list.preview" if c.status == Status.DRAFT else "staff_list.open_public"
    actions[1].page_link(HOME_PAGE, label=t(preview, lang), query_params={"id": c.id}, icon=":material/visibility:")
    actions[2].button(
        t("staff_list.duplicate", lang),
        key=f"dup-{c.id}",
        on_click=flash.run,
        args=("staff", lang, _duplicate, store, c, user, lang),
    )
    moves = st.columns(max(len(TRANSITIONS[c.status]), 1))
    for column, target in zip(moves, sorted(TRANSITIONS[c.status], key=lambda s: s.value), strict=False):
        column.button(
            _transition_label(c.status, target, lang),
            key=f"move-{c.id}-{target.value}",
            type="primary" if target == Status.PUBLISHED else "secondary",
            on_click=flash.run,
            args=("staff", lang, _move, store, c.id, target, user, lang),
        )
    if c.status == Status.DRAFT:
        confirm = st.checkbox(t("staff_list.delete_confirm", lang), key=f"confirm-delete-{c.id}")
        st.button(
            t("staff_list.delete", lang),
            key=f"delete-{c.id}",
            disabled=not confirm,
            on_click=flash.run,
            args=("staff", lang, _delete, store, c.id, user, lang),
        )
