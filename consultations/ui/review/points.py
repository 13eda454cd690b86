"""Merknadspunkter on the merknadsbehandling tab: how many points have no vurdering, whether
the plan can be adopted by the kommunestyre alone, splitting a merknad into points, editing
one point, moving an innsigelse's status with its evidence, and a felles vurdering for
several points. The rules are in ``points``; here the widgets ask and show."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ...casework import points
from ...i18n import t, tn
from ...model import (
    Consultation,
    Input,
    ObjectionStatus,
    Outcome,
    Point,
    PointKind,
    User,
    reference,
)
from ...casework.review import (
    ASSESSMENT_MAX,
    PLAN_CHANGE_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    needs_response,
)
from ...store import Store
from ...text import escape_markdown, excerpt
from .. import flash, parties
from ..safe import text_block
from .common import row_labels, run

WHERE = "points"


def _w(key: str, lang: str, **params: object) -> str:
    return t(f"points.ui.{key}", lang, **params)


def _status_name(status: ObjectionStatus | None, lang: str) -> str:
    return t(f"objection.status.{(status or ObjectionStatus.OPEN).value}", lang)


def _label(p: Point, found: dict[int, list[Point]]) -> str:
    return p.label if len(found.get(p.input_id, ())) > 1 else reference(p.input_id)


def overview(store: Store, c: Consultation, lang: str) -> None:
    """«N punkter uten vurdering», and plainly when the plan cannot be adopted alone."""
    facts = parties.point_facts(store, c.id)
    found, standing, missing = facts.found, facts.standing, facts.unassessed
    if standing:
        st.warning(tn("points.report.blocked", len(standing), lang, refs=", ".join(_label(p, found) for p in standing)))
    if missing:
        st.warning(tn("points.ui.unassessed", len(missing), lang))
        st.caption(", ".join(_label(p, found) for p in missing))
    else:
        st.caption(tn("points.ui.unassessed", 0, lang))


# -- actions (widget callbacks) ---------------------------------------------------------------


def _split(store: Store, input_id: int, key: str, actor: User, lang: str) -> str:
    new = points.split(store, input_id, actor)
    st.session_state[key] = new.letter  # show the new point
    return _w("split_done", lang, point=new.label)


def _save(store: Store, input_id: int, letter: str, k: str, actor: User, lang: str) -> str:
    state = st.session_state
    saved = points.edit(
        store,
        input_id,
        letter,
        points.PointEdit(
            summary=state.get(f"{k}-summary"),
            theme=state.get(f"{k}-theme"),
            kind=state.get(f"{k}-kind"),
            assessment=state.get(f"{k}-assessment"),
            outcome=state.get(f"{k}-outcome"),
            plan_change=state.get(f"{k}-plan_change"),
            new_hearing=bool(state.get(f"{k}-new_hearing")),
        ),
        actor,
    )
    return _w("saved", lang, point=saved.label)


def _status(store: Store, input_id: int, letter: str, k: str, actor: User, lang: str) -> str:
    state = st.session_state
    moved = points.set_status(
        store,
        input_id,
        letter,
        state.get(f"{k}-status"),
        state.get(f"{k}-date"),
        state.get(f"{k}-reference"),
        state.get(f"{k}-note"),
        actor,
    )
    for field in ("reference", "note"):
        state[f"{k}-{field}"] = ""
    return _w("status_saved", lang, point=moved.label, status=_status_name(moved.status, lang))


def _group(store: Store, k: str, actor: User, lang: str) -> str:
    state = st.session_state
    keys = [tuple(v.split(":", 1)) for v in state.get(f"{k}-points") or ()]
    n = points.answer_group(
        store,
        [(int(i), letter) for i, letter in keys],
        state.get(f"{k}-assessment"),
        state.get(f"{k}-outcome"),
        state.get(f"{k}-plan_change"),
        actor,
        new_hearing=bool(state.get(f"{k}-new_hearing")),
    )
    return tn("points.ui.group_saved", n, lang)


# -- the forms -------------------------------------------------------------------------------


def _point_form(store: Store, c: Consultation, item: Input, p: Point, user: User, lang: str) -> None:
    k = f"points-{c.id}-{item.id}-{p.letter}"
    kinds = [PointKind.MERKNAD.value]
    if item.sender_type is not None and item.sender_type.may_object:
        kinds += [PointKind.INNSIGELSE.value, PointKind.ADVICE.value]
    outcomes = [o.value for o in Outcome]
    with st.form(f"{k}-form", border=True):
        st.text_area(_w("summary", lang), value=p.summary, max_chars=SUMMARY_MAX, key=f"{k}-summary")
        st.text_input(_w("theme", lang), value=p.theme, max_chars=TAG_MAX, key=f"{k}-theme")
        st.radio(
            _w("kind", lang),
            options=kinds,
            index=kinds.index(p.kind.value) if p.kind.value in kinds else 0,
            horizontal=True,
            format_func=lambda v: t(f"points.kind.{v}", lang),
            key=f"{k}-kind",
        )
        st.text_area(
            _w("assessment", lang), value=p.assessment, max_chars=ASSESSMENT_MAX, height=150, key=f"{k}-assessment"
        )
        st.radio(
            _w("outcome", lang),
            options=outcomes,
            index=outcomes.index(p.outcome.value) if p.outcome else None,
            format_func=lambda v: t(f"planning.outcome.{v}", lang),
            key=f"{k}-outcome",
        )
        st.text_area(_w("plan_change", lang), value=p.plan_change, max_chars=PLAN_CHANGE_MAX, key=f"{k}-plan_change")
        st.checkbox(_w("new_hearing", lang), value=p.new_hearing, key=f"{k}-new_hearing")
        st.form_submit_button(
            _w("save", lang),
            type="primary",
            on_click=run,
            args=(WHERE, lang, _save, store, item.id, p.letter, k, user, lang),
        )
    if p.kind == PointKind.INNSIGELSE:
        _status_form(store, c, item, p, user, lang)


def _status_form(store: Store, c: Consultation, item: Input, p: Point, user: User, lang: str) -> None:
    k = f"points-{c.id}-{item.id}-{p.letter}-status"
    st.markdown(f"**{_w('status_heading', lang)}**")
    st.caption(_w("status_current", lang, status=_status_name(p.status, lang)))
    if p.settled_on is not None:
        st.caption(
            escape_markdown(
                _w(
                    "status_evidence",
                    lang,
                    date=f"{p.settled_on:%d.%m.%Y}",
                    reference=p.settled_reference,
                    note=p.settled_note,
                )
            )
        )
    others = [s.value for s in ObjectionStatus if s != (p.status or ObjectionStatus.OPEN)]
    with st.form(f"{k}-form", border=True):
        st.selectbox(
            _w("new_status", lang),
            options=others,
            format_func=lambda v: t(f"objection.status.{v}", lang),
            key=f"{k}-status",
        )
        st.date_input(_w("date", lang), value=None, format="DD.MM.YYYY", key=f"{k}-date")
        st.text_input(_w("reference", lang), max_chars=points.REFERENCE_MAX, key=f"{k}-reference")
        st.text_area(_w("note", lang), max_chars=points.NOTE_MAX, key=f"{k}-note")
        st.form_submit_button(
            _w("status_save", lang),
            on_click=run,
            args=(WHERE, lang, _status, store, item.id, p.letter, k, user, lang),
        )


def _group_form(
    store: Store, c: Consultation, need: list[Input], found: dict[int, list[Point]], user: User, lang: str
) -> None:
    k = f"points-{c.id}-group"
    options = {f"{p.input_id}:{p.letter}": p for i in need for p in found.get(i.id, ())}
    texts = {i.id: i.text for i in need}  # a point without its own sammendrag: its merknad's words
    st.subheader(_w("group_heading", lang), anchor=False)
    with st.form(f"{k}-form", border=True):
        st.multiselect(
            _w("group_points", lang),
            options=list(options),
            format_func=lambda v: (
                f"{_label(options[v], found)} · {excerpt(options[v].summary or texts[options[v].input_id], 60)}"
            ),
            key=f"{k}-points",
        )
        st.text_area(_w("assessment", lang), max_chars=ASSESSMENT_MAX, height=150, key=f"{k}-assessment")
        st.radio(
            _w("outcome", lang),
            options=[o.value for o in Outcome],
            index=None,
            format_func=lambda v: t(f"planning.outcome.{v}", lang),
            key=f"{k}-outcome",
        )
        st.text_area(_w("plan_change", lang), max_chars=PLAN_CHANGE_MAX, key=f"{k}-plan_change")
        st.checkbox(_w("new_hearing", lang), key=f"{k}-new_hearing")
        st.form_submit_button(
            _w("group_save", lang), type="primary", on_click=run, args=(WHERE, lang, _group, store, k, user, lang)
        )


def points_view(store: Store, c: Consultation, frame: pd.DataFrame, user: User, lang: str) -> None:
    st.subheader(_w("heading", lang), anchor=False)
    st.caption(_w("intro", lang))
    flash.show(f"review-{WHERE}")
    facts = parties.point_facts(store, c.id)
    shown = set(frame["id"].astype(int))
    need = [i for i in facts.inputs if i.id in shown and needs_response(i.not_merknad, i.duplicate_of)]
    if not need:
        return
    found = facts.found
    by_id = {i.id: i for i in need}
    labels = row_labels(store, c.id, frame)
    k = f"points-{c.id}"
    chosen = st.selectbox(
        _w("choose_input", lang),
        options=list(by_id),
        format_func=labels.get,
        key=f"{k}-input",
    )
    item = by_id[chosen]
    text_block(item.text)
    mine = found.get(item.id) or points.points_of(store, item.id)
    letters = [p.letter for p in mine]
    pick = f"{k}-{item.id}-point"
    if st.session_state.get(pick) not in letters:
        st.session_state[pick] = letters[0]
    left, right = st.columns([3, 1])
    left.radio(
        _w("choose_point", lang),
        options=letters,
        horizontal=True,
        format_func=lambda x: f"{x}) {t(f'points.kind.{next(p for p in mine if p.letter == x).kind.value}', lang)}",
        key=pick,
    )
    if len(letters) < len(points.LETTERS):
        right.button(
            _w("split", lang, letter=points.next_letter(mine)),
            key=f"{k}-{item.id}-split",
            on_click=run,
            args=(WHERE, lang, _split, store, item.id, pick, user, lang),
        )
    current = next(p for p in mine if p.letter == st.session_state[pick])
    _point_form(store, c, item, current, user, lang)
    _group_form(store, c, need, found, user, lang)
