"""The pupils' view (``/?klasse=CODE``): large, simple, phone- and tablet-first, in the
class's language and in plain words for the pupils' age (``classes.words_for``).

Step 1: my way to school (and, if they like, to the after-school activity) with how they
travel. Step 2: places with ready labels and an optional short text. Step 3: «Ferdig» —
thank you. Everything a pupil sends goes through ``classes`` (the class's own budget, the
checks); nothing here decides anything.
"""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit_folium import st_folium

from .. import classes
from ..config import Settings
from ..errors import InvalidInput
from ..i18n import t, tn
from ..model import ClassPart, ClassSession, Consultation, PlaceLabel, Transport
from ..store import Store
from . import flash
from .class_maps import LABEL_SYMBOLS, pupil_map
from .context import client_address, limiter

TRANSPORT_SYMBOLS = {
    Transport.WALK: "🚶",
    Transport.BIKE: "🚲",
    Transport.BUS: "🚌",
    Transport.CAR: "🚗",
    Transport.OTHER: "➕",
}
_WHERE = "pupil"
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
        state.update(class_id=session.id, step=1, routes=[], places=[], point=None)
    return state


def _w(session: ClassSession, key: str, lang: str, **params: object) -> str:
    """Plain words for this class's age («young» 1.–4. trinn, «older» from 5.)."""
    return t(f"pupil.{classes.words_for(session.grade)}.{key}", lang, **params)


def show(
    store: Store, settings: Settings, code: str, session_id: str, lang: str
) -> None:
    try:
        session = classes.find_class(
            store, code, session=session_id, address=client_address(), limiter=limiter()
        )
    except InvalidInput as exc:
        st.title(t("pupil.title", lang), anchor=False)
        st.info(exc.message(lang))
        return
    if not st.session_state.get("pupil-lang") and "lang" not in st.query_params:
        st.session_state["pupil-lang"] = (
            True  # once: the switcher may change it afterwards
        )
        if session.lang != lang:
            st.query_params["lang"] = session.lang
            st.rerun()
    consultation = store.get_consultation(session.consultation_id)
    assert consultation is not None
    st.html(_CSS)
    state = _state(session)
    st.title(t("pupil.title", lang), anchor=False)
    flash.show(_WHERE)
    if state["step"] == 1:
        _step_route(store, settings, session, consultation, state, session_id, lang)
    elif state["step"] == 2:
        _step_places(store, settings, session, consultation, state, session_id, lang)
    else:
        _thanks(session, lang)


# -- step 1: the way to school -----------------------------------------------------------


def _on_draw(key: str) -> None:
    drawn = (st.session_state.get(f"{key}-map") or {}).get("all_drawings") or []
    lines = [
        d.get("geometry")
        for d in drawn
        if (d.get("geometry") or {}).get("type") == "LineString"
    ]
    st.session_state[key] = lines[-1] if lines else None


def _draw_route(
    settings: Settings, consultation: Consultation, lang: str, key: str
) -> None:
    """Draw a line on the map (Leaflet.draw, self-hosted); the last line drawn is the route."""
    import folium
    from folium.plugins import Draw

    from .. import geo
    from .maps import _area_layer, _base

    m = _base(settings, geo.bounds(consultation.area), lang=lang)
    _area_layer(consultation, lang).add_to(m)
    Draw(export=False, position="topleft", show_geometry_on_click=False,
         draw_options={"polyline": {"shapeOptions": {"color": "#08519c", "weight": 6}}, "polygon": False,
                       "rectangle": False, "circle": False, "circlemarker": False, "marker": False},
         edit_options={"edit": True, "remove": True}).add_to(m)  # fmt: skip
    del folium
    st_folium(m, key=f"{key}-map", height=440, use_container_width=True, returned_objects=["all_drawings"],
              on_change=partial(_on_draw, key))  # fmt: skip


def _send_route(
    store: Store,
    session: ClassSession,
    state: dict,
    pupil: str,
    part: ClassPart,
    key: str,
    lang: str,
) -> str | None:
    drawing = st.session_state.get(f"{key}-route")
    if not drawing:
        raise InvalidInput("pupil.route_missing")
    transport = st.session_state.get(f"{key}-transport")
    if transport is None:
        raise InvalidInput("classes.transport_missing")
    stored = classes.submit_route(
        store, session, drawing, transport, pupil=pupil, part=part, limiter=limiter()
    )
    state["routes"].append(stored.drawing)
    state[f"sent-{part.value}"] = True
    if part == ClassPart.SCHOOL:
        state["step"] = 2 if not state.get("activity") else 1
    else:
        state["activity"] = False
        state["step"] = 2
    return t("pupil.route_saved", lang)


def _route_form(store: Store, settings: Settings, session: ClassSession, consultation: Consultation,
                state: dict, pupil: str, part: ClassPart, lang: str) -> None:  # fmt: skip
    key = f"pupil-{session.id}-{part.value}"
    _draw_route(settings, consultation, lang, key=f"{key}-route")
    st.radio(
        _w(session, f"transport_{part.value}", lang), [m.value for m in Transport], index=None, horizontal=True,
        format_func=lambda v: f"{TRANSPORT_SYMBOLS[Transport(v)]} {t(f'classes.transport.{v}', lang)}",
        key=f"{key}-transport",
    )  # fmt: skip
    st.button(
        t("pupil.send_route", lang), type="primary", use_container_width=True, key=f"{key}-send",
        on_click=flash.run, args=(_WHERE, lang, _send_route, store, session, state, pupil, part, key, lang),
    )  # fmt: skip


def _to_activity(state: dict) -> None:
    state["activity"] = True
    state["step"] = 1


def _to_places(state: dict) -> None:
    state["activity"] = False
    state["step"] = 2


def _step_route(store: Store, settings: Settings, session: ClassSession, consultation: Consultation,
                state: dict, pupil: str, lang: str) -> None:  # fmt: skip
    part = ClassPart.ACTIVITY if state.get("activity") else ClassPart.SCHOOL
    st.header(_w(session, f"step1_{part.value}_title", lang), anchor=False)
    st.markdown(_w(session, f"step1_{part.value}_help", lang))
    if state.get(f"sent-{ClassPart.SCHOOL.value}") and part == ClassPart.SCHOOL:
        _to_places(state)
        st.rerun()
    _route_form(store, settings, session, consultation, state, pupil, part, lang)
    if part == ClassPart.ACTIVITY:
        st.button(
            t("pupil.skip_activity", lang),
            use_container_width=True,
            key=f"pupil-{session.id}-skip",
            on_click=_to_places,
            args=(state,),
        )


# -- step 2: places ----------------------------------------------------------------------


def _on_click(state: dict, key: str) -> None:
    click = (st.session_state.get(key) or {}).get("last_clicked")
    if click:
        state["point"] = (click["lat"], click["lng"])


def _choose(state: dict, point: dict) -> None:
    state["point"] = (point["lat"], point["lng"])


def _send_place(
    store: Store, session: ClassSession, state: dict, pupil: str, key: str, lang: str
) -> str:
    if state.get("point") is None:
        raise InvalidInput("pupil.point_missing")
    label = st.session_state.get(f"{key}-label")
    if label is None:
        raise InvalidInput("classes.label_missing")
    lat, lon = state["point"]
    text = st.session_state.get(f"{key}-text") or ""
    classes.submit_place(
        store, session, lat, lon, label, text, pupil=pupil, limiter=limiter()
    )
    state["places"].append((lat, lon, label))
    state["point"] = None
    st.session_state[f"{key}-label"] = None
    st.session_state[f"{key}-text"] = ""
    return tn("pupil.place_saved", len(state["places"]), lang)


def _finish(state: dict) -> None:
    state["step"] = 3


def _step_places(store: Store, settings: Settings, session: ClassSession, consultation: Consultation,
                 state: dict, pupil: str, lang: str) -> None:  # fmt: skip
    from .participation import place_search

    key = f"pupil-{session.id}-place"
    st.header(_w(session, "step2_title", lang), anchor=False)
    st.markdown(_w(session, "step2_help", lang))
    m = pupil_map(settings, consultation, state["routes"], state["places"], lang)
    if state.get("point"):
        import folium

        folium.Marker(
            location=state["point"], tooltip=t("pupil.your_point", lang)
        ).add_to(m)
    st_folium(
        m, key=f"{key}-map", height=440, use_container_width=True, returned_objects=["last_clicked"],
        on_change=partial(_on_click, state, f"{key}-map"),
    )  # fmt: skip
    with st.expander(t("pupil.without_map", lang)):
        place_search(
            store, consultation, lang, f"{key}-search", partial(_choose, state)
        )
    if state.get("point") is None:
        st.caption(t("pupil.tap_map", lang))
    else:
        st.success(t("pupil.point_chosen", lang))
    st.radio(
        _w(session, "label_question", lang), [lab.value for lab in PlaceLabel], index=None,
        format_func=lambda v: f"{LABEL_SYMBOLS[PlaceLabel(v)]} {t(f'classes.label.{v}', lang)}",
        key=f"{key}-label",
    )  # fmt: skip
    st.text_input(_w(session, "text_label", lang), max_chars=classes.PLACE_TEXT_MAX, key=f"{key}-text",
                  help=t("pupil.text_help", lang))  # fmt: skip
    st.button(
        t("pupil.add_place", lang), type="primary", use_container_width=True, key=f"{key}-send",
        on_click=flash.run, args=(_WHERE, lang, _send_place, store, session, state, pupil, key, lang),
    )  # fmt: skip
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


# -- step 3: thank you -------------------------------------------------------------------


def _thanks(session: ClassSession, lang: str) -> None:
    st.header(_w(session, "thanks_title", lang), anchor=False)
    st.markdown(_w(session, "thanks_body", lang))
    st.balloons()
