"""The pupils' view (``/?klasse=CODE``): large, simple, phone- and tablet-first, in the
class's language and in plain words for the pupils' age (``classes.words_for``).

1.–4. trinn get one action per screen (``class_steps``). From 5. trinn up: step 1: my way to school (and, if they like, to the after-school activity) with how they
travel. Step 2: places with ready labels and an optional short text. Step 3: «Ferdig» —
thank you. Everything a pupil sends goes through ``classes`` (the class's own budget, the
checks); nothing here decides anything.
"""

from __future__ import annotations

import streamlit as st

from ..children import classes, pupil_steps
from ..config import Settings
from ..errors import InvalidInput
from ..i18n import t, tn
from ..model import ClassPart, ClassSession, Consultation, PlaceLabel, Transport
from ..store import Store
from . import class_steps, flash, location
from .class_steps import LABEL_SYMBOLS, TRANSPORT_SYMBOLS, prefix, thanks, where_map
from .context import client_address, limiter
from .medvirkning import pupil_view as barnetrakk_questions

_WHERE = class_steps.WHERE
_CSS = """
<style>
.stApp [data-testid="stMarkdownContainer"] p { font-size: 1.25rem; }
.stApp button { font-size: 1.25rem; min-height: 3.2rem; }
.stApp [data-testid="stRadio"] label p { font-size: 1.25rem; }
</style>
"""


def _state(session: ClassSession) -> dict:
    """What this pupil did in this class so far (this browser session only)."""
    state = st.session_state.setdefault("pupil", {})
    if state.get("class_id") != session.id:
        state.clear()
        state.update(class_id=session.id, step=1, places=0)
    return state


def _w(session: ClassSession, key: str, lang: str) -> str:
    """Plain words for this class's age («young» 1.–4. trinn, «older» from 5.)."""
    return t(f"pupil.{classes.words_for(session.grade)}.{key}", lang)


def show(store: Store, settings: Settings, code: str, session_id: str, lang: str) -> None:
    try:
        session = classes.find_class(store, code, session=session_id, address=client_address(), limiter=limiter())
    except InvalidInput as exc:
        st.title(t("pupil.title", lang), anchor=False)
        st.info(exc.message(lang))
        return
    if not st.session_state.get("pupil-lang") and "lang" not in st.query_params:
        st.session_state["pupil-lang"] = True  # once: the switcher may change it afterwards
        if session.lang != lang:
            st.query_params["lang"] = session.lang
            st.rerun()
    consultation = store.get_consultation(session.consultation_id)
    assert consultation is not None
    st.html(_CSS)
    state = _state(session)
    st.title(t("pupil.title", lang), anchor=False)
    flash.show(_WHERE)
    if pupil_steps.one_action_per_screen(session.grade):
        class_steps.show(store, settings, session, consultation, state, session_id, lang)
    elif state["step"] == 1:
        _step_route(store, settings, session, consultation, state, session_id, lang)
    elif state["step"] == 2:
        _step_places(store, settings, session, consultation, state, session_id, lang)
    else:
        thanks(session, lang)


# -- step 1: the way to school -----------------------------------------------------------


def _send_route(
    store: Store,
    settings: Settings,
    session: ClassSession,
    state: dict,
    pupil: str,
    part: ClassPart,
    key: str,
    lang: str,
) -> str:
    _lat, _lon, drawing = location.sketch(session.consultation_id, prefix(session, part)).location
    if not drawing:
        raise InvalidInput("pupil.route_missing")
    transport = st.session_state.get(f"{key}-transport")
    if transport is None:
        raise InvalidInput("classes.transport_missing")
    classes.submit_route(
        store,
        session,
        drawing,
        transport,
        pupil=pupil,
        part=part,
        limiter=limiter(),
        outside_share=settings.profile.line_outside_share,
    )
    location.clear(session.consultation_id, prefix(session, part))
    state[f"sent-{part.value}"] = True
    state["activity"] = False
    state["step"] = 2
    return t("pupil.route_saved", lang)


def _to_activity(state: dict) -> None:
    state["activity"] = True
    state["step"] = 1


def _to_places(state: dict) -> None:
    state["activity"] = False
    state["step"] = 2


def _step_route(
    store: Store,
    settings: Settings,
    session: ClassSession,
    consultation: Consultation,
    state: dict,
    pupil: str,
    lang: str,
) -> None:
    part = ClassPart.ACTIVITY if state.get("activity") else ClassPart.SCHOOL
    key = f"pupil-{session.id}-{part.value}"
    st.header(_w(session, f"step1_{part.value}_title", lang), anchor=False)
    st.markdown(_w(session, f"step1_{part.value}_help", lang))
    st.radio(  # first: one thing at a time, and the map is then the last thing before «Lagre»
        _w(session, f"transport_{part.value}", lang),
        [m.value for m in Transport],
        index=None,
        horizontal=True,
        format_func=lambda v: f"{TRANSPORT_SYMBOLS[Transport(v)]} {t(f'classes.transport.{v}', lang)}",
        key=f"{key}-transport",
    )
    where_map(store, settings, session, consultation, part, lang)
    st.button(
        t("pupil.send_route", lang),
        type="primary",
        use_container_width=True,
        key=f"{key}-send",
        on_click=flash.run,
        args=(_WHERE, lang, _send_route, store, settings, session, state, pupil, part, key, lang),
    )
    if part == ClassPart.ACTIVITY:
        st.button(
            t("pupil.skip_activity", lang),
            use_container_width=True,
            key=f"{key}-skip",
            on_click=_to_places,
            args=(state,),
        )


# -- step 2: places ----------------------------------------------------------------------


def _send_place(store: Store, session: ClassSession, state: dict, pupil: str, key: str, lang: str) -> str:
    place = prefix(session, ClassPart.PLACE)
    lat, lon, _drawing = location.sketch(session.consultation_id, place).location
    if lat is None:
        raise InvalidInput("pupil.point_missing")
    label = st.session_state.get(f"{key}-label")
    if label is None:
        raise InvalidInput("classes.label_missing")
    text = st.session_state.get(f"{key}-text") or ""
    classes.submit_place(store, session, lat, lon, label, text, pupil=pupil, limiter=limiter())
    location.clear(session.consultation_id, place)
    state["places"] += 1
    st.session_state[f"{key}-label"] = None
    st.session_state[f"{key}-text"] = ""
    return tn("pupil.place_saved", state["places"], lang)


def _finish(state: dict) -> None:
    state["step"] = 3


def _step_places(
    store: Store,
    settings: Settings,
    session: ClassSession,
    consultation: Consultation,
    state: dict,
    pupil: str,
    lang: str,
) -> None:
    key = f"pupil-{session.id}-place"
    st.header(_w(session, "step2_title", lang), anchor=False)
    st.markdown(_w(session, "step2_help", lang))
    where_map(store, settings, session, consultation, ClassPart.PLACE, lang)
    st.radio(
        _w(session, "label_question", lang),
        [lab.value for lab in PlaceLabel],
        index=None,
        format_func=lambda v: f"{LABEL_SYMBOLS[PlaceLabel(v)]} {t(f'classes.label.{v}', lang)}",
        key=f"{key}-label",
    )
    st.text_input(
        _w(session, "text_label", lang),
        max_chars=classes.PLACE_TEXT_MAX,
        key=f"{key}-text",
        help=t("pupil.text_help", lang),
    )
    st.button(
        t("pupil.add_place", lang),
        type="primary",
        use_container_width=True,
        key=f"{key}-send",
        on_click=flash.run,
        args=(_WHERE, lang, _send_place, store, session, state, pupil, key, lang),
    )
    barnetrakk_questions(store, session, prefix(session, ClassPart.PLACE), pupil, _WHERE, lang)
    st.divider()
    if not state.get(f"sent-{ClassPart.ACTIVITY.value}"):
        st.button(
            t("pupil.add_activity", lang),
            use_container_width=True,
            key=f"{key}-activity",
            on_click=_to_activity,
            args=(state,),
        )
    st.button(
        t("pupil.done", lang),
        use_container_width=True,
        key=f"{key}-done",
        on_click=_finish,
        args=(state,),
    )
