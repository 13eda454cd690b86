"""Moderation actions on a selection of inputs (one input or many: the same code)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ...casework import retention, review
from ...i18n import t, tn
from ...model import Consultation, InputStatus, NotMerknad, Role, User, reference
from ...store import Store
from .. import parties
from .common import row_labels, run, tags_of


def _publish(store: Store, ids: list[int], actor: User, lang: str) -> str:
    return tn("planning.action.published", review.publish(store, ids, actor), lang)


def _hide(store: Store, ids: list[int], actor: User, lang: str, key: str) -> str:
    n = review.hide(store, ids, st.session_state.get(key), actor)
    st.session_state[key] = ""
    return tn("planning.action.hidden", n, lang)


def _tag(store: Store, ids: list[int], actor: User, lang: str, existing_key: str, new_key: str) -> str:
    name = review.tag(store, ids, st.session_state.get(new_key) or st.session_state.get(existing_key), actor)
    st.session_state[new_key] = ""
    return t("planning.action.tagged", lang, theme=name, n=len(ids))


def _untag(store: Store, ids: list[int], actor: User, lang: str, key: str) -> str:
    name = review.untag(store, ids, st.session_state.get(key), actor)
    return t("planning.action.untagged", lang, theme=name, n=len(ids))


def _duplicate(store: Store, c: Consultation, ids: list[int], actor: User, lang: str, key: str) -> str:
    of_id = st.session_state.get(key)
    n = review.mark_duplicates(store, c.id, ids, of_id, actor)
    return tn("planning.action.duplicated", n, lang, ref=reference(of_id))


def _not_duplicate(store: Store, ids: list[int], actor: User, lang: str) -> str:
    review.clear_duplicates(store, ids, actor)
    return t("planning.action.not_duplicated", lang)


def _not_merknad(store: Store, ids: list[int], actor: User, lang: str, key: str) -> str:
    n = review.mark_not_merknad(
        store, ids, st.session_state.get(f"{key}-kind"), st.session_state.get(f"{key}-note"), actor
    )
    st.session_state[f"{key}-note"] = ""
    return tn("report11.action.marked", n, lang)


def _merknad_again(store: Store, ids: list[int], actor: User, lang: str) -> str:
    return tn("report11.action.restored", review.restore_merknad(store, ids, actor), lang)


def _not_merknad_controls(store: Store, chosen: pd.DataFrame, ids: list[int], user: User, lang: str, key: str) -> None:
    """Mark the selection as no merknad at all (it leaves the merknadsbehandling), or undo."""
    with st.expander(t("report11.action.heading", lang)):
        st.caption(t("report11.action.help", lang))
        st.selectbox(
            t("report11.action.kind", lang),
            options=[k.value for k in NotMerknad],
            format_func=lambda v: t(f"report11.not_merknad.{v}", lang),
            key=f"{key}-kind",
        )
        st.text_input(t("report11.action.note", lang), max_chars=review.REASON_MAX, key=f"{key}-note")
        st.button(
            t("report11.action.mark", lang),
            key=f"{key}-mark",
            on_click=run,
            args=("inputs", lang, _not_merknad, store, ids, user, lang, key),
        )
        if chosen["not_merknad"].notna().any():
            st.button(
                t("report11.action.restore", lang),
                key=f"{key}-restore",
                on_click=run,
                args=("inputs", lang, _merknad_again, store, ids, user, lang),
            )


def actions(store: Store, c: Consultation, frame: pd.DataFrame, ids: list[int], user: User, lang: str) -> None:
    k = f"review-{c.id}-action"
    chosen = frame[frame["id"].isin(ids)]

    def a(name: str) -> str:
        return t(f"planning.action.{name}", lang)

    st.markdown(f"**{a('heading')}**")
    st.button(
        a("publish"),
        key=f"{k}-publish",
        type="primary",
        disabled=set(chosen["status"]) == {InputStatus.PUBLISHED.value},
        on_click=run,
        args=("inputs", lang, _publish, store, ids, user, lang),
    )
    st.text_input(a("reason"), max_chars=review.REASON_MAX, key=f"{k}-reason")
    st.button(
        a("hide"),
        key=f"{k}-hide",
        on_click=run,
        args=("inputs", lang, _hide, store, ids, user, lang, f"{k}-reason"),
    )

    every_tag = sorted({th for v in frame["tags"] for th in tags_of(v)})
    left, right = st.columns(2)
    left.selectbox(
        a("theme_existing"),
        options=every_tag,
        index=None,
        placeholder=a("theme_existing_placeholder"),
        key=f"{k}-theme",
    )
    right.text_input(a("theme_new"), max_chars=review.TAG_MAX, key=f"{k}-theme-new")
    st.button(
        a("tag"),
        key=f"{k}-tag",
        on_click=run,
        args=("inputs", lang, _tag, store, ids, user, lang, f"{k}-theme", f"{k}-theme-new"),
    )
    if present := sorted({th for v in chosen["tags"] for th in tags_of(v)}):
        st.selectbox(a("theme_remove"), options=present, key=f"{k}-untheme")
        st.button(
            a("untag"),
            key=f"{k}-untag",
            on_click=run,
            args=("inputs", lang, _untag, store, ids, user, lang, f"{k}-untheme"),
        )

    chosen_ids = set(ids)
    labels = {i: label for i, label in row_labels(store, c.id, frame).items() if i not in chosen_ids}
    st.selectbox(
        a("duplicate_of"),
        options=list(labels),
        index=None,
        format_func=labels.get,
        placeholder=a("duplicate_placeholder"),
        key=f"{k}-original",
    )
    st.button(
        a("duplicate"),
        key=f"{k}-duplicate",
        on_click=run,
        args=("inputs", lang, _duplicate, store, c, ids, user, lang, f"{k}-original"),
    )
    if chosen["duplicate_of"].notna().any():
        st.button(
            a("not_duplicate"),
            key=f"{k}-not-duplicate",
            on_click=run,
            args=("inputs", lang, _not_duplicate, store, ids, user, lang),
        )
    _not_merknad_controls(store, chosen, ids, user, lang, f"{k}-not-merknad")
    if len(ids) == 1 and (item := store.get_input(ids[0])) is not None:
        parties.objection_controls(store, item, user, lang, "review-inputs")
    if len(ids) == 1 and user.can(Role.ADMIN):  # shown to admins; the core decides
        _deletion(store, ids[0], user, lang, f"{k}-delete")


def _delete(store: Store, input_id: int, actor: User, lang: str, key: str) -> str:
    if not st.session_state.get(f"{key}-confirm"):
        raise review.InvalidReview("planning.error.delete_reason")
    done = retention.delete_input(store, input_id, st.session_state.get(f"{key}-reason"), actor)
    if done == retention.Deletion.ANONYMISED:
        return t("archive.anonymised", lang, ref=reference(input_id))
    return t("planning.action.deleted", lang, ref=reference(input_id))


def _deletion(store: Store, input_id: int, actor: User, lang: str, key: str) -> None:
    """Admins: delete an input for good when the resident asks (personvern)."""
    with st.expander(t("planning.action.delete_heading", lang)):
        st.caption(t("planning.action.delete_help", lang))
        st.caption(t("archive.delete_note", lang))
        st.text_input(t("planning.action.delete_reason", lang), key=f"{key}-reason", max_chars=200)
        st.checkbox(t("planning.action.delete_confirm", lang), key=f"{key}-confirm")
        st.button(
            t("planning.action.delete", lang),
            key=key,
            on_click=run,
            args=("inputs", lang, _delete, store, input_id, actor, lang, key),
        )
