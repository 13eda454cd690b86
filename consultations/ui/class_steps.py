"""The class view for 1.–4. trinn: one action per screen (``children.pupil_steps``).

Each screen is one question (its heading) and one thing to do, with one button forward
(«Neste», «Lagre …», «Ferdig») and «Tilbake» under it. A question without the map is a
form: choosing among the big options costs the server nothing, the button forward is one
run. A map screen reruns only its map when it is tapped (the location widget's fragment).

What a pupil chose or wrote is kept in the pupil's own state (``answers``) when a screen
is left, forward or back, and put back when the screen shows again: Streamlit forgets a
widget's value once the widget is not on the page, a pupil's answer must not go with it.
"""

from __future__ import annotations

import streamlit as st

from ..children import barnetrakk, classes
from ..children.pupil_steps import PLACE_KINDS, More, Screen, after, before, more
from ..config import Settings
from ..errors import InvalidInput
from ..i18n import t, tn
from ..model import AvoidReason, ClassPart, ClassSession, Company, Consultation, PlaceLabel, Season, Shape, Transport
from ..store import Store
from . import flash, location
from .context import limiter

# Each transport option's icon: the app's own SVG (static/icons/), shown before its word as
# a markdown image (no emoji: a device without the emoji font showed empty boxes)
TRANSPORT_SYMBOLS = {mode: f"![](/app/static/icons/{mode.value}.svg)" for mode in Transport}
# and each ready label for a place (static/icons/label-*.svg), for the same reason
LABEL_SYMBOLS = {label: f"![](/app/static/icons/label-{label.value}.svg)" for label in PlaceLabel}
SCHOOL_ICON = "school"  # static/icons/school.svg
WHERE = "pupil"  # the class view's message place (class_view shows it above the screen)
CONTAINER = "ki-young"  # every screen's container (its CSS class is st-key-ki-young)

# Big options: each choice a tile at least 52 px high (WCAG 2.5.8 asks 24, 2.5.5 44)
_CSS = f"""
<style>
.st-key-{CONTAINER} [role="radiogroup"] {{ gap: 10px; width: 100%; }}
.st-key-{CONTAINER} [role="radiogroup"] > label {{
    min-height: 52px; width: 100%; margin: 0; padding: 6px 14px; box-sizing: border-box;
    border: 2px solid #1f4e79; border-radius: 10px; align-items: center;
}}
.st-key-{CONTAINER} [role="radiogroup"] > label img {{ width: 32px; height: 32px; vertical-align: middle; }}
.st-key-{CONTAINER} input[type="text"] {{ min-height: 48px; font-size: 1.25rem; }}
</style>
"""


def _w(key: str, lang: str) -> str:
    return t(f"pupil_steps.{key}", lang)


def _answers(state: dict) -> dict:
    return state.setdefault("answers", {})


def _widget_key(session: ClassSession, name: str) -> str:
    return f"pupil-{session.id}-young-{name}"


def _saved(state: dict, name: str) -> object:
    """What the pupil answered last time this screen showed (its widget's start value)."""
    return _answers(state).get(name)


def _keep(state: dict, session: ClassSession, name: str) -> object:
    """The widget's value, kept in the pupil's answers."""
    value = st.session_state.get(_widget_key(session, name))
    _answers(state)[name] = value
    return value


def _part(state: dict) -> ClassPart:
    return ClassPart(state.get("part") or ClassPart.SCHOOL.value)


def _go(state: dict, screen: Screen) -> None:
    state["screen"] = screen.value


def _back(state: dict, session: ClassSession, names: tuple[str, ...] = ()) -> None:
    for name in names:
        _keep(state, session, name)
    target = before(Screen(state["screen"]), _part(state))
    if target is not None:
        _go(state, target)


def prefix(session: ClassSession, part: ClassPart) -> str:
    """The location widget's prefix for this class and part (its state and keys)."""
    return f"class{session.id}-{part.value}-"


@st.fragment
def where_map(
    store: Store,
    settings: Settings,
    session: ClassSession,
    consultation: Consultation,
    part: ClassPart,
    lang: str,
    tap_help: bool = True,
) -> None:
    """The location widget (ui/location.py): a line for a route, a pin for a place; a tap
    reruns only this. ``tap_help=False``: the screen's question already says where to tap."""
    shape = Shape.POINT if part == ClassPart.PLACE else Shape.LINE
    help_text = t("pupil.tap_map", lang) if shape == Shape.POINT and tap_help else None
    school = classes.school_place(store, session)  # the teacher's mark: where the way ends
    marks = ((SCHOOL_ICON, t("class_school.marker", lang), school.lat, school.lon),) if school else ()
    location.widget(
        store,
        settings,
        consultation,
        lang,
        prefix=prefix(session, part),
        shapes=(shape,),
        inputs=False,
        context=False,
        point_help=help_text,
        shape_help=False,
        height=440,
        marks=marks,
    )


def show(
    store: Store,
    settings: Settings,
    session: ClassSession,
    consultation: Consultation,
    state: dict,
    pupil: str,
    lang: str,
) -> None:
    """The screen the pupil is on."""
    st.html(_CSS)
    screen = Screen(state.setdefault("screen", Screen.TRANSPORT.value))
    with st.container(key=CONTAINER):
        if screen == Screen.TRANSPORT:
            _transport(session, state, lang)
        elif screen == Screen.DRAW:
            _draw(store, settings, session, consultation, state, pupil, lang)
        elif screen == Screen.LABEL:
            _label(session, state, lang)
        elif screen == Screen.PLACE:
            _place(store, settings, session, consultation, state, lang)
        elif screen == Screen.WHY:
            _why(store, session, state, pupil, lang)
        elif screen == Screen.SEASON:
            _season(session, state, lang)
        elif screen in (Screen.COMPANY, Screen.REASON):
            _details(store, session, state, pupil, screen, lang)
        elif screen == Screen.MORE:
            _more(session, state, lang)
        elif screen == Screen.WISH:
            _wish(store, session, state, pupil, lang)
        else:
            thanks(session, lang)


def thanks(session: ClassSession, lang: str) -> None:
    """The last screen, in the words for the class's age. (No ``st.balloons``: its images
    have no text alternative — axe-core «image-alt», critical — and it moves by itself.)"""
    words = classes.words_for(session.grade)
    st.header(t(f"pupil.{words}.thanks_title", lang), anchor=False)
    st.markdown(t(f"pupil.{words}.thanks_body", lang))


def _question(text: str, hint: str | None = None) -> None:
    st.header(text, anchor=False)
    if hint:
        st.markdown(hint)


def _forward_and_back(
    state: dict, session: ClassSession, forward: str, action, args: tuple, lang: str, keep: tuple[str, ...] = ()
) -> None:
    """A form's one button forward (first, so Enter means forward), and «Tilbake» under it
    where there is a screen to go back to."""
    st.form_submit_button(
        forward, type="primary", use_container_width=True, on_click=flash.run, args=(WHERE, lang, action, *args)
    )
    if before(Screen(state["screen"]), _part(state)) is not None:
        st.form_submit_button(_w("back", lang), use_container_width=True, on_click=_back, args=(state, session, keep))


def _back_button(state: dict, session: ClassSession, lang: str) -> None:
    st.button(
        _w("back", lang),
        use_container_width=True,
        key=_widget_key(session, f"back-{state['screen']}"),
        on_click=_back,
        args=(state, session),
    )


# -- one question with big options -----------------------------------------------------------


def _chosen(state: dict, session: ClassSession, name: str, missing: str, screen: Screen) -> None:
    """«Neste» on a choice: kept, and on to ``screen``; nothing chosen is said kindly."""
    if _keep(state, session, name) is None:
        raise InvalidInput(missing)
    _go(state, screen)


def _choice(
    session: ClassSession,
    state: dict,
    name: str,
    question: str,
    options: list[str],
    words,
    forward: tuple[str, object, tuple],
    lang: str,
    hint: str | None = None,
) -> None:
    """One question with big options in a form (choosing costs the server nothing), the
    button forward ``(label, action, args)`` and «Tilbake»."""
    with st.form(_widget_key(session, f"form-{name}"), border=False):
        _question(question, hint)
        saved = _saved(state, name)
        st.radio(
            question,
            options,
            index=options.index(saved) if saved in options else None,
            format_func=words,
            key=_widget_key(session, name),
            label_visibility="collapsed",
        )
        label, action, args = forward
        _forward_and_back(state, session, label, action, args, lang, keep=(name,))


def _transport_words(lang: str):
    return lambda v: f"{TRANSPORT_SYMBOLS[Transport(v)]} {t(f'classes.transport.{v}', lang)}"


# -- how do you travel ----------------------------------------------------------------------


def _transport(session: ClassSession, state: dict, lang: str) -> None:
    name = f"transport-{_part(state).value}"
    _choice(
        session,
        state,
        name,
        t(f"pupil.young.transport_{_part(state).value}", lang),
        [m.value for m in Transport],
        _transport_words(lang),
        (_w("next", lang), _chosen, (state, session, name, "classes.transport_missing", Screen.DRAW)),
        lang,
    )


# -- draw the way ---------------------------------------------------------------------------


def _send_route(store: Store, settings: Settings, session: ClassSession, state: dict, pupil: str, lang: str) -> str:
    part = _part(state)
    _lat, _lon, drawing = location.sketch(session.consultation_id, prefix(session, part)).location
    if not drawing:
        raise InvalidInput("pupil.route_missing")
    classes.submit_route(
        store,
        session,
        drawing,
        _answers(state).get(f"transport-{part.value}") or "",
        pupil=pupil,
        part=part,
        limiter=limiter(),
        outside_share=settings.profile.line_outside_share,
    )
    location.clear(session.consultation_id, prefix(session, part))
    state[f"sent-{part.value}"] = True
    _go(state, after(Screen.DRAW, part))
    return t("pupil.route_saved", lang)


def _draw(
    store: Store,
    settings: Settings,
    session: ClassSession,
    consultation: Consultation,
    state: dict,
    pupil: str,
    lang: str,
) -> None:
    part = _part(state)
    _question(_w(f"draw_{part.value}", lang), _w("draw_hint", lang))
    where_map(store, settings, session, consultation, part, lang)
    st.button(
        t("pupil.send_route", lang),
        type="primary",
        use_container_width=True,
        key=_widget_key(session, f"send-{part.value}"),
        on_click=flash.run,
        args=(WHERE, lang, _send_route, store, settings, session, state, pupil, lang),
    )
    _back_button(state, session, lang)


# -- a place: what kind, where, and why (or when and with whom) --------------------------------


def _kind_words(lang: str):
    def words(v: str) -> str:
        if v in (ClassPart.PLAY.value, ClassPart.AVOID.value):
            return t(f"barnetrakk.pupil.kind_{v}", lang)
        return f"{LABEL_SYMBOLS[PlaceLabel(v)]} {t(f'classes.label.{v}', lang)}"

    return words


def _label(session: ClassSession, state: dict, lang: str) -> None:
    _choice(
        session,
        state,
        "label",
        _w("label_question", lang),
        list(PLACE_KINDS),
        _kind_words(lang),
        (_w("next", lang), _chosen, (state, session, "label", "classes.label_missing", Screen.PLACE)),
        lang,
    )


def _pin(session: ClassSession) -> tuple[float | None, float | None]:
    lat, lon, _drawing = location.sketch(session.consultation_id, prefix(session, ClassPart.PLACE)).location
    return lat, lon


def _placed(session: ClassSession, state: dict) -> None:
    if _pin(session)[0] is None:
        raise InvalidInput("pupil.point_missing")
    _go(state, after(Screen.PLACE, kind=_answers(state).get("label")))


def _place(
    store: Store, settings: Settings, session: ClassSession, consultation: Consultation, state: dict, lang: str
) -> None:
    _question(_w("place_question", lang))
    where_map(store, settings, session, consultation, ClassPart.PLACE, lang, tap_help=False)
    st.button(
        _w("next", lang),
        type="primary",
        use_container_width=True,
        key=_widget_key(session, "placed"),
        on_click=flash.run,
        args=(WHERE, lang, _placed, session, state),
    )
    _back_button(state, session, lang)


def _sent_place(session: ClassSession, state: dict) -> None:
    """The place is stored: the map and the answers start afresh for the next one."""
    location.clear(session.consultation_id, prefix(session, ClassPart.PLACE))
    for name in ("label", "why", "season", "company", "reason"):
        _answers(state).pop(name, None)
        st.session_state.pop(_widget_key(session, name), None)
    _go(state, Screen.MORE)


def _send_place(store: Store, session: ClassSession, state: dict, pupil: str, lang: str) -> str:
    lat, lon = _pin(session)
    if lat is None:
        _go(state, Screen.PLACE)
        raise InvalidInput("pupil.point_missing")
    text = _keep(state, session, "why") or ""
    classes.submit_place(
        store, session, lat, lon, _answers(state).get("label") or "", text, pupil=pupil, limiter=limiter()
    )
    state["places"] = state.get("places", 0) + 1
    _sent_place(session, state)
    return tn("pupil.place_saved", state["places"], lang)


def _why(store: Store, session: ClassSession, state: dict, pupil: str, lang: str) -> None:
    question = _w("why_question", lang)
    with st.form(_widget_key(session, "form-why"), border=False):
        _question(question, _w("may_skip", lang))
        st.text_input(
            question,
            value=_saved(state, "why") or "",
            max_chars=classes.PLACE_TEXT_MAX,
            key=_widget_key(session, "why"),
            label_visibility="collapsed",
        )
        st.caption(t("pupil.text_help", lang))
        _forward_and_back(
            state,
            session,
            t("pupil.add_place", lang),
            _send_place,
            (store, session, state, pupil, lang),
            lang,
            keep=("why",),
        )


def _season(session: ClassSession, state: dict, lang: str) -> None:
    _choice(
        session,
        state,
        "season",
        t("barnetrakk.pupil.season", lang),
        [s.value for s in Season],
        lambda v: t(f"barnetrakk.season.{v}", lang),
        (_w("next", lang), _chosen, (state, session, "season", "barnetrakk.season_missing", Screen.COMPANY)),
        lang,
    )


def _send_registration(store: Store, session: ClassSession, state: dict, pupil: str, name: str, lang: str) -> str:
    lat, lon = _pin(session)
    if lat is None:
        _go(state, Screen.PLACE)
        raise InvalidInput("pupil.point_missing")
    _keep(state, session, name)
    answers = _answers(state)
    barnetrakk.submit_registration(
        store,
        session,
        answers.get("label") or "",
        lat,
        lon,
        season=answers.get("season"),
        company=answers.get("company"),
        reason=answers.get("reason"),
        pupil=pupil,
        limiter=limiter(),
    )
    _sent_place(session, state)
    return t("barnetrakk.pupil.saved", lang)


def _details(store: Store, session: ClassSession, state: dict, pupil: str, screen: Screen, lang: str) -> None:
    """The last question about a place to play (with whom) or one avoided (why); sends it."""
    name, kinds = ("company", Company) if screen == Screen.COMPANY else ("reason", AvoidReason)
    _choice(
        session,
        state,
        name,
        t(f"barnetrakk.pupil.{name}", lang),
        [k.value for k in kinds],
        lambda v: t(f"barnetrakk.{name}.{v}", lang),
        (t("pupil.add_place", lang), _send_registration, (store, session, state, pupil, name, lang)),
        lang,
    )


# -- what next -------------------------------------------------------------------------------


def _choose(state: dict, choice: More) -> None:
    screen, part = more(choice)
    state["part"] = part.value
    _go(state, screen)


def _more(session: ClassSession, state: dict, lang: str) -> None:
    _question(_w("more_question", lang))
    st.button(
        _w("more_place", lang),
        type="primary",
        use_container_width=True,
        key=_widget_key(session, "more-place"),
        on_click=_choose,
        args=(state, More.PLACE),
    )
    if not state.get(f"sent-{ClassPart.ACTIVITY.value}"):
        st.button(
            _w("more_activity", lang),
            use_container_width=True,
            key=_widget_key(session, "more-activity"),
            on_click=_choose,
            args=(state, More.ACTIVITY),
        )
    st.button(
        _w("more_done", lang),
        use_container_width=True,
        key=_widget_key(session, "more-done"),
        on_click=_choose,
        args=(state, More.DONE),
    )


# -- how would you like to travel ------------------------------------------------------------


def _send_wish(store: Store, session: ClassSession, state: dict, pupil: str, lang: str) -> str | None:
    wished = _keep(state, session, "wish")
    if wished is not None and not state.get("wish-sent"):
        barnetrakk.submit_wish(store, session, wished, pupil=pupil, limiter=limiter())
        state["wish-sent"] = True
    _go(state, after(Screen.WISH))
    return None


def _wish(store: Store, session: ClassSession, state: dict, pupil: str, lang: str) -> None:
    _choice(
        session,
        state,
        "wish",
        _w("wish_question", lang),
        [m.value for m in Transport],
        _transport_words(lang),
        (t("pupil.done", lang), _send_wish, (store, session, state, pupil, lang)),
        lang,
        hint=_w("may_skip", lang),
    )
