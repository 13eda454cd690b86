"""Parties and authorities on the staff pages: «N uløste innsigelser» and who has not
answered, marking an authority's merknad as innsigelse or faglig råd and moving its status,
and the page where staff keep a consultation's høringsinstanser.

The rules are in ``objections`` and ``hearing_parties``; here the widgets ask and show.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import pandas as pd
import streamlit as st

from ..planning import hearing_parties, objections
from ..casework import points
from ..config import Settings
from ..i18n import LOCAL_TZ, format_date, t, tn
from ..model import (
    Consultation,
    HearingParty,
    Input,
    Objection,
    ObjectionStatus,
    Point,
    SenderType,
    Status,
    User,
    reference,
)
from ..store import Store
from ..text import escape_markdown, excerpt
from . import flash, per_version

PAGE = "pages/horingsinstanser.py"
REVIEW_PAGE = "pages/gjennomgang.py"
NONE = "none"  # «neither innsigelse nor faglig råd»


# -- what staff see about a consultation ----------------------------------------------------


class PointFacts(NamedTuple):
    """A consultation's merknadspunkter and what the staff pages say about them."""

    inputs: list[Input]
    found: dict[int, list[Point]]
    standing: list[Point]  # innsigelser not settled
    unassessed: list[Point]


def point_facts(store: Store, consultation_id: str) -> PointFacts:
    """Read and judged once per data version: at a kommuneplan's 10,000 merknader reading
    every merknad and point is a second, and the review page asks on every rerun."""

    def make() -> PointFacts:
        inputs, found = store.all_inputs(consultation_id), store.merknad_points(consultation_id)
        return PointFacts(inputs, found, points.standing(found, inputs), points.unassessed(found, inputs))

    return per_version.memo(store, "point-facts", (consultation_id,), make)


def summary(store: Store, c: Consultation, lang: str) -> None:
    """«N uløste innsigelser» and the høringsinstanser that have not answered yet."""
    facts = point_facts(store, c.id)
    found, standing = facts.found, facts.standing  # per point: a letter may hold two
    if standing:
        refs = ", ".join(p.label if len(found[p.input_id]) > 1 else p.label.split()[0] for p in standing)
        st.warning(tn("parties.unresolved", len(standing), lang, refs=refs))
    parties = store.hearing_parties(c.id)
    waiting = hearing_parties.unanswered(parties)
    if waiting:
        names = ", ".join(escape_markdown(p.name) for p in waiting)
        st.info(t("parties.unanswered", lang, n=len(waiting), total=len(parties), names=names))
    elif parties:
        st.caption(tn("parties.all_answered", len(parties), lang))


def objection_label(objection: object, status: object, lang: str) -> str:
    """«Innsigelse (åpen)», «Faglig råd» or ``""``."""
    if not isinstance(objection, str) or not objection:
        return ""
    kind = t(f"objection.kind.{objection}", lang)
    if isinstance(status, str) and status:
        return t("parties.report.objection_status", lang, kind=kind, status=t(f"objection.status.{status}", lang))
    return kind


def late_label(missed: object, lang: str) -> str:
    """«Etter fristen 12. oktober 2026» for a merknad that missed its frist, else ``""``."""
    if missed is None or pd.isna(missed):
        return ""
    return t("parties.late", lang, frist=format_date(missed, lang))


# -- innsigelse or faglig råd, and its status (review detail) ----------------------------


def _mark(store: Store, input_id: int, key: str, actor: User, lang: str) -> str:
    chosen = st.session_state.get(key)
    item = objections.mark(store, input_id, None if chosen in (None, NONE) else Objection(chosen), actor)
    return t(
        "parties.marked",
        lang,
        ref=item.reference,
        kind=objection_label(item.objection, item.objection_status, lang) or t("objection.kind.none", lang),
    )


def objection_controls(store: Store, item: Input, user: User, lang: str, where: str) -> None:
    """For a merknad from an authority or another municipality: mark it as innsigelse or
    faglig råd; an innsigelse's status moves only on the merknadsbehandling tab, point by
    point, with its evidence (``points.set_status``). Each choice is stored when made (and
    audited); the widgets always show what is stored."""
    if item.sender_type is None or not item.sender_type.may_object:
        return
    k = f"objection-{item.id}"
    st.markdown(f"**{t('parties.heading', lang)}**")
    if len(store.input_points(item.id)) > 1:  # a split letter is marked point by point
        st.caption(t("points.error.split_mark", lang))
        return
    st.session_state[f"{k}-kind"] = item.objection.value if item.objection else NONE
    st.radio(
        t("parties.register.objection", lang),
        options=[NONE, *(o.value for o in Objection)],
        horizontal=True,
        format_func=lambda v: t(f"objection.kind.{v}", lang),
        key=f"{k}-kind",
        on_change=flash.run,
        args=(where, lang, _mark, store, item.id, f"{k}-kind", user, lang),
    )
    if item.objection == Objection.INNSIGELSE:
        status = t(f"objection.status.{(item.objection_status or ObjectionStatus.OPEN).value}", lang)
        st.caption(f"{t('parties.status', lang)}: {status}")
        st.caption(t("points.ui.status_elsewhere", lang))


# -- the høringsinstanser page -------------------------------------------------------------


def _frist_date(party: HearingParty) -> date | None:
    return party.frist.astimezone(LOCAL_TZ).date() if party.frist else None


def _prefill(store: Store, c: Consultation, settings: Settings, actor: User, lang: str) -> str:
    n = hearing_parties.prefill(store, c.id, settings.profile.hearing_parties, actor)
    return tn("hearing.prefilled", n, lang)


def _add(store: Store, c: Consultation, k: str, actor: User, lang: str) -> str:
    state = st.session_state
    party = hearing_parties.add(
        store,
        c.id,
        state.get(f"{k}-name"),
        state.get(f"{k}-type"),
        sent_on=state.get(f"{k}-sent"),
        frist=state.get(f"{k}-frist"),
        actor=actor,
    )
    for field in ("name", "type", "frist"):
        state[f"{k}-{field}"] = None
    return t("hearing.added", lang, name=party.name)


def _edit(store: Store, party: HearingParty, k: str, actor: User, lang: str) -> str:
    state = st.session_state
    hearing_parties.edit(store, party.id, sent_on=state.get(f"{k}-sent"), frist=state.get(f"{k}-frist"), actor=actor)
    hearing_parties.link_answer(store, party.id, state.get(f"{k}-answer"), actor)
    return t("hearing.saved", lang, name=party.name)


def _remove(store: Store, party: HearingParty, actor: User, lang: str) -> str:
    hearing_parties.remove(store, party.id, actor)
    return t("hearing.removed", lang, name=party.name)


def _table(c: Consultation, parties: list[HearingParty], lang: str) -> None:
    def col(name: str) -> str:
        return t(f"hearing.col.{name}", lang)

    st.dataframe(
        [
            {
                col("name"): p.name,
                col("type"): t(f"sender_type.{p.sender_type.value}", lang),
                col("sent"): format_date(datetime.combine(p.sent_on, datetime.min.time(), LOCAL_TZ), lang)
                if p.sent_on
                else "",
                col("frist"): format_date(p.frist or c.closes_at, lang),
                col("answer"): reference(p.input_id) if p.input_id else t("hearing.not_answered", lang),
            }
            for p in parties
        ],
        hide_index=True,
        width="stretch",
    )


def _add_form(store: Store, c: Consultation, settings: Settings, user: User, lang: str) -> None:
    k = f"hearing-{c.id}-add"
    st.subheader(t("hearing.add_heading", lang), anchor=False)
    left, right = st.columns(2)
    left.selectbox(
        t("hearing.name", lang),
        options=[
            *settings.profile.authorities,
            *(n for n, _ in settings.profile.hearing_parties if n not in settings.profile.authorities),
        ],
        index=None,
        accept_new_options=True,
        placeholder=t("hearing.name_placeholder", lang),
        key=f"{k}-name",
    )
    right.selectbox(
        t("hearing.type", lang),
        options=[s.value for s in SenderType if not s.is_person],
        index=None,
        format_func=lambda v: t(f"sender_type.{v}", lang),
        placeholder=t("register.sender_type_placeholder", lang),
        key=f"{k}-type",
    )
    left.date_input(t("hearing.sent", lang), value=c.announced_on, format="DD.MM.YYYY", key=f"{k}-sent")
    right.date_input(
        t("hearing.frist", lang),
        value=None,
        format="DD.MM.YYYY",
        help=t("hearing.frist_help", lang),
        key=f"{k}-frist",
    )
    st.button(
        t("hearing.add", lang),
        key=f"{k}-button",
        type="primary",
        on_click=flash.run,
        args=("hearing", lang, _add, store, c, k, user, lang),
    )


def _edit_form(store: Store, c: Consultation, parties: list[HearingParty], user: User, lang: str) -> None:
    st.subheader(t("hearing.edit_heading", lang), anchor=False)
    by_id = {p.id: p for p in parties}
    chosen = st.selectbox(
        t("hearing.choose", lang),
        options=list(by_id),
        format_func=lambda i: by_id[i].name,
        key=f"hearing-{c.id}-chosen",
    )
    party = by_id[chosen]
    k = f"hearing-{c.id}-{party.id}"
    inputs = {i.id: i for i in store.all_inputs(c.id)}
    options = [None, *inputs]
    left, right = st.columns(2)
    left.date_input(t("hearing.sent", lang), value=party.sent_on, format="DD.MM.YYYY", key=f"{k}-sent")
    right.date_input(
        t("hearing.frist", lang),
        value=_frist_date(party),
        format="DD.MM.YYYY",
        help=t("hearing.frist_help", lang),
        key=f"{k}-frist",
    )
    st.selectbox(
        t("hearing.answer", lang),
        options=options,
        index=options.index(party.input_id) if party.input_id in inputs else 0,
        format_func=lambda i: (
            t("hearing.not_answered", lang)
            if i is None
            else f"{reference(i)} · {inputs[i].sender_name or ''} · {excerpt(inputs[i].text, 60)}"
        ),
        key=f"{k}-answer",
    )
    if party.input_id in inputs:
        st.page_link(
            REVIEW_PAGE,
            label=t("hearing.open_answer", lang, ref=reference(party.input_id)),
            query_params={"id": c.id},
            icon=":material/open_in_new:",
        )
    buttons = st.columns(2)
    buttons[0].button(
        t("hearing.save", lang),
        key=f"{k}-save",
        type="primary",
        on_click=flash.run,
        args=("hearing", lang, _edit, store, party, k, user, lang),
    )
    buttons[1].button(
        t("hearing.remove", lang),
        key=f"{k}-remove",
        on_click=flash.run,
        args=("hearing", lang, _remove, store, party, user, lang),
    )


def page(store: Store, settings: Settings, user: User, lang: str) -> None:
    st.title(t("hearing.title", lang), anchor=False)
    st.caption(t("hearing.intro", lang))
    by_id = {e.consultation.id: e.consultation for e in store.listings() if e.consultation.status != Status.ARCHIVED}
    if not by_id:
        st.info(t("hearing.none", lang))
        return
    ids = list(by_id)
    wanted = st.query_params.get("id")
    chosen = st.selectbox(
        t("hearing.consultation", lang),
        options=ids,
        index=ids.index(wanted) if wanted in by_id else 0,
        format_func=lambda cid: by_id[cid].title,
        key="hearing-consultation",
    )
    st.query_params["id"] = chosen
    c = by_id[chosen]
    flash.show("hearing")
    parties = store.hearing_parties(c.id)
    summary(store, c, lang)
    if settings.profile.hearing_parties:
        st.button(
            t("hearing.prefill", lang),
            key=f"hearing-{c.id}-prefill",
            help=t("hearing.prefill_help", lang),
            on_click=flash.run,
            args=("hearing", lang, _prefill, store, c, settings, user, lang),
        )
    if parties:
        _table(c, parties, lang)
        _edit_form(store, c, parties, user, lang)
    else:
        st.caption(t("hearing.empty", lang))
    _add_form(store, c, settings, user, lang)
