"""Skoleklasser (/klasser): a teacher opens a class session and shows its code and QR code
on the board; planners also see what the classes said and publish a class's result."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ..casework import class_results
from ..children import classes
from ..outputs import downloads
from ..config import Settings
from ..i18n import LANGUAGES, LOCAL_TZ, format_date, t
from ..model import GRADES, ClassSession, Phase, PlaceLabel, Role, User
from ..store import Store
from ..text import escape_html
from . import flash, location
from .class_maps import results_map
from .medvirkning import class_downloads, planner_downloads

_WHERE = "classes"
_FIELDS = (
    "consultation",
    "school",
    "grade",
    "size",
    "lang",
    "day",
    "start",
    "end_day",
    "end",
)
KEYS = {f: f"new-class-{f}" for f in _FIELDS}
ALL = "all"
# the code large enough to read from the back of the classroom (markup only, no words)
_CODE_HTML = "<p class='class-code' style='font-size:3rem;font-weight:700;letter-spacing:.3rem;margin:0'>{code}</p>"


def app_base() -> str:
    """The app's own address as the teacher's browser reached it (for the pupils' link)."""
    url = st.context.url or ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "http://localhost:8501"


def _open_consultations(store: Store) -> dict[str, str]:
    now = datetime.now(LOCAL_TZ)
    return {
        row.consultation.id: row.consultation.title
        for row in store.listings()
        if row.consultation.phase(now) in (Phase.OPEN, Phase.UPCOMING)
    }


def _create(store: Store, user: User, lang: str) -> str:
    state = st.session_state
    start = datetime.combine(state[KEYS["day"]], state[KEYS["start"]], LOCAL_TZ)
    end = datetime.combine(state[KEYS["end_day"]], state[KEYS["end"]], LOCAL_TZ)
    session = classes.create_class(
        store,
        user,
        state.get(KEYS["consultation"]) or "",
        school=state.get(KEYS["school"]) or "",
        grade=state.get(KEYS["grade"]) or "",
        size=int(state.get(KEYS["size"]) or 0),
        opens_at=start,
        closes_at=end,
        lang=state.get(KEYS["lang"]) or "nb",
    )
    state[KEYS["school"]] = ""
    return t("classes.created", lang, code=session.code)


def create_form(store: Store, user: User, lang: str) -> None:
    open_now = _open_consultations(store)
    st.subheader(t("classes.create_heading", lang), anchor=False)
    if not open_now:
        st.info(t("classes.no_open_consultations", lang))
        return
    now = datetime.now(LOCAL_TZ).replace(second=0, microsecond=0)
    closes = now + timedelta(hours=2)
    with st.form("new-class", border=True):
        st.selectbox(
            t("classes.consultation", lang),
            list(open_now),
            format_func=open_now.get,
            key=KEYS["consultation"],
        )
        st.text_input(t("classes.school", lang), max_chars=classes.SCHOOL_MAX, key=KEYS["school"])
        left, right = st.columns(2)
        left.selectbox(
            t("classes.grade", lang),
            GRADES,
            index=4,
            format_func=lambda g: classes.grade_label(g, lang),
            key=KEYS["grade"],
        )
        right.number_input(
            t("classes.size", lang),
            min_value=1,
            max_value=classes.SIZE_MAX,
            value=25,
            step=1,
            key=KEYS["size"],
        )
        left, right = st.columns(2)
        left.date_input(
            t("classes.opens_day", lang),
            value=now.date(),
            format="DD.MM.YYYY",
            key=KEYS["day"],
        )
        right.time_input(t("classes.opens_time", lang), value=now.time(), key=KEYS["start"])
        left.date_input(
            t("classes.closes_day", lang),
            value=closes.date(),  # two hours on may be tomorrow (a late evening)
            format="DD.MM.YYYY",
            key=KEYS["end_day"],
        )
        right.time_input(
            t("classes.closes_time", lang),
            value=closes.time(),
            key=KEYS["end"],
        )
        st.selectbox(
            t("classes.lang", lang),
            LANGUAGES,
            format_func=lambda code: t(f"classes.lang_{code}", lang),
            key=KEYS["lang"],
        )
        st.caption(t("classes.privacy_note", lang))
        st.form_submit_button(
            t("classes.create", lang),
            type="primary",
            on_click=flash.run,
            args=(_WHERE, lang, _create, store, user, lang),
        )


def _state(session: ClassSession, lang: str) -> str:
    now = datetime.now(LOCAL_TZ)
    if session.is_open(now):
        return t("classes.state_open", lang)
    if session.closed_at is None and now < session.opens_at:
        return t("classes.state_upcoming", lang)
    return t("classes.state_closed", lang)


def _close(store: Store, user: User, class_id: int, lang: str) -> str:
    session = classes.close_class(store, user, class_id)
    return t("classes.closed_now", lang, code=session.code)


def _publish(store: Store, user: User, class_id: int, publish: bool, lang: str) -> str:
    session = classes.publish_class(store, user, class_id, publish)
    return t(
        "classes.published" if publish else "classes.unpublished",
        lang,
        school=session.school,
    )


def class_list(store: Store, user: User, lang: str) -> None:
    st.subheader(
        t(
            "classes.list_heading" if user.can(Role.PLANNER) else "classes.list_heading_own",
            lang,
        ),
        anchor=False,
    )
    sessions = classes.classes_of(store, user)
    if not sessions:
        st.caption(t("classes.none", lang))
        return
    counts = classes.progress(store, user)
    titles = {row.consultation.id: row.consultation.title for row in store.listings()}
    base = app_base()
    for session in sessions:
        pupils, routes, places = counts.get(session.id, (0, 0, 0))
        with st.container(border=True, key=f"class-{session.id}"):
            st.markdown(
                f"**{t('classes.heading', lang, school=session.school, grade=classes.grade_label(session.grade, lang))}**"
            )
            st.caption(
                f"{titles.get(session.consultation_id, session.consultation_id)} · "
                f"{format_date(session.opens_at, lang, with_time=True)} – "
                f"{format_date(session.closes_at, lang, with_time=True)} · {_state(session, lang)}"
            )
            left, right = st.columns([3, 2])
            url = classes.join_url(base, session.code)
            left.markdown(t("classes.code_label", lang))
            left.markdown(
                _CODE_HTML.format(code=escape_html(session.code)),
                unsafe_allow_html=True,
            )
            left.caption(t("classes.join_hint", lang, url=url))
            left.write(
                t(
                    "classes.progress",
                    lang,
                    pupils=pupils,
                    size=session.size,
                    routes=routes,
                    places=places,
                )
            )
            # inline, with a text alternative (st.image gives an <img> no alt text)
            right.html(
                f'<figure style="margin:0"><div role="img" aria-label="'
                f'{escape_html(t("classes.qr_alt", lang, url=url))}" style="width:220px;max-width:100%">'
                f"{classes.qr_svg(url)}</div><figcaption>{escape_html(t('classes.qr_caption', lang))}"
                "</figcaption></figure>"
            )
            buttons = st.columns(3)
            if session.closed_at is None and datetime.now(LOCAL_TZ) < session.closes_at:
                buttons[0].button(
                    t("classes.close", lang),
                    key=f"close-class-{session.id}",
                    on_click=flash.run,
                    args=(_WHERE, lang, _close, store, user, session.id, lang),
                )
            if user.can(Role.PLANNER):
                buttons[1].button(
                    t("classes.unpublish" if session.published else "classes.publish", lang),
                    key=f"publish-class-{session.id}",
                    on_click=flash.run,
                    args=(_WHERE, lang, _publish, store, user, session.id, not session.published, lang),
                )
                if session.published:
                    buttons[2].caption(t("classes.is_published", lang))
            school_form(store, user, session, lang)
            class_downloads(store, user, session, lang)


def _place_school(store: Store, user: User, class_id: int, lat: float, lon: float, label: str, lang: str) -> str:
    place = classes.place_school(store, user, class_id, lat, lon, label)
    return t("class_school.saved", lang, label=place.label)


def _choose_school(store: Store, user: User, class_id: int, key: str, lang: str, options: dict) -> None:
    label = st.session_state.get(key)
    if label in options:
        lat, lon = options[label]
        flash.run(_WHERE, lang, _place_school, store, user, class_id, lat, lon, label, lang)


def school_form(store: Store, user: User, session: ClassSession, lang: str) -> None:
    """«Hvor er skolen?»: the teacher finds the school's address (or a named place, or
    coordinates) and the pupils' map marks it (``classes.place_school``)."""
    consultation = store.get_consultation(session.consultation_id)
    if consultation is None:
        return
    school = classes.school_place(store, session)
    with st.expander(t("class_school.heading", lang), expanded=school is None):
        st.caption(t("class_school.placed", lang, label=school.label) if school else t("class_school.none", lang))
        st.caption(t("class_school.help", lang))
        key = f"class-school-{session.id}"
        location.place_search(
            store, consultation, lang, key, partial(_choose_school, store, user, session.id, key, lang)
        )


# -- planners: what the classes said ------------------------------------------------------


def _count_table(rows, prefix: str, heading: str, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("class_results.col_group", lang): [t(f"{prefix}.{code}", lang) for code, _ in rows],
            heading: [str(n) for _, n in rows],
        }
    )


def results(store: Store, settings: Settings, user: User, lang: str) -> None:
    st.subheader(t("class_results.heading", lang), anchor=False)
    sessions_all = store.class_sessions()
    with_classes = list(dict.fromkeys(s.consultation_id for s in sessions_all))
    if not with_classes:
        st.caption(t("class_results.no_classes", lang))
        return
    titles = {row.consultation.id: row.consultation.title for row in store.listings()}
    cid = st.selectbox(
        t("classes.consultation", lang),
        with_classes,
        format_func=lambda c: titles.get(c, c),
        key="class-results-consultation",
    )
    consultation = store.get_consultation(cid)
    frame = classes.results_frame(store, user, cid)
    sessions = [s for s in sessions_all if s.consultation_id == cid]
    alone = class_results.shown_alone(frame, sessions)
    st.caption(t("class_results.small_rule", lang))
    left, middle, right = st.columns(3)
    options = {ALL: t("class_results.all_classes", lang)} | {
        str(s.id): t("classes.heading", lang, school=s.school, grade=classes.grade_label(s.grade, lang)) for s in alone
    }
    chosen_class = left.selectbox(
        t("class_results.class", lang),
        list(options),
        format_func=options.get,
        key="class-results-class",
    )
    grades = [ALL, *class_results.grades_shown(frame)]
    grade = middle.selectbox(
        t("classes.grade", lang),
        grades,
        key="class-results-grade",
        format_func=lambda g: t("class_results.all_grades", lang) if g == ALL else classes.grade_label(g, lang),
    )
    modes = [ALL, *class_results.transports_shown(frame)]
    mode = right.selectbox(
        t("class_results.transport", lang),
        modes,
        key="class-results-transport",
        format_func=lambda m: t("class_results.all_transport", lang) if m == ALL else t(f"classes.transport.{m}", lang),
    )
    labels = st.multiselect(
        t("class_results.heat_labels", lang),
        [lab.value for lab in PlaceLabel],
        default=[lab.value for lab in PlaceLabel if lab.unsafe],
        key="class-results-labels",
        format_func=lambda v: t(f"classes.label.{v}", lang),
    )
    chosen = class_results.select(
        frame,
        None if chosen_class == ALL else [int(chosen_class)],
        None if grade == ALL else grade,
        None if mode == ALL else mode,
    )
    summary = class_results.summary(chosen)
    a, b, c = st.columns(3)
    a.metric(
        t("class_results.pupils", lang),
        str(class_results.suppress_small(summary.pupils)),
    )
    b.metric(t("class_results.routes", lang), summary.routes)
    c.metric(t("class_results.places", lang), summary.places)
    spots = class_results.crossings(chosen)
    m = results_map(
        settings,
        consultation,
        class_results.route_density(chosen),
        class_results.place_heat(chosen, labels),
        spots,
        lang,
    )
    st_folium(
        m,
        key=f"class-results-map-{cid}",
        height=520,
        use_container_width=True,
        returned_objects=[],
    )
    st.caption(t("class_results.map_caption", lang, cell=class_results.CELL_M))
    st.markdown(f"**{t('class_results.crossings_heading', lang)}**")
    if spots:
        st.dataframe(
            pd.DataFrame(
                {
                    t("class_results.col_number", lang): list(range(1, len(spots) + 1)),
                    t("class_results.col_place", lang): [
                        t("class_results.near", lang, place=s.place, metres=s.place_distance_m) if s.place else "–"
                        for s in spots
                    ],
                    t("class_results.col_pupils", lang): [str(class_results.suppress_small(s.pupils)) for s in spots],
                    t("class_results.col_marks", lang): [s.marks for s in spots],
                    t("class_results.col_why", lang): [
                        ", ".join(f"{t(f'classes.label.{k}', lang)} ({n})" for k, n in s.reasons) for s in spots
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption(t("class_results.no_crossings", lang))
    cols = st.columns(3)
    with cols[0]:
        st.dataframe(
            _count_table(
                summary.by_transport,
                "classes.transport",
                t("class_results.routes", lang),
                lang,
            ),
            hide_index=True,
        )
    with cols[1]:
        st.dataframe(
            _count_table(summary.by_label, "classes.label", t("class_results.places", lang), lang),
            hide_index=True,
        )
    with cols[2]:
        st.dataframe(
            pd.DataFrame(
                {
                    t("classes.grade", lang): [classes.grade_label(g, lang) for g, _ in summary.by_grade],
                    t("class_results.pupils", lang): [str(n) for _, n in summary.by_grade],
                }
            ),
            hide_index=True,
        )
    st.download_button(
        t("class_results.download_gpkg", lang),
        data=lambda: downloads.classes_file(store, cid, actor=user, crs=settings.profile.working_crs, lang=lang),
        file_name=f"{cid}-klasser.gpkg",
        mime="application/geopackage+sqlite3",
        key=f"class-gpkg-{cid}",
    )
    planner_downloads(store, user, cid, lang)


def page(store: Store, settings: Settings, user: User, lang: str) -> None:
    st.title(t("classes.title", lang), anchor=False)
    st.caption(t("classes.intro", lang))
    flash.show(_WHERE)
    if user.can(Role.PLANNER):
        mine, said = st.tabs([t("classes.tab_classes", lang), t("class_results.tab", lang)])
        with mine:
            create_form(store, user, lang)
            class_list(store, user, lang)
        with said:
            results(store, settings, user, lang)
    else:
        create_form(store, user, lang)
        class_list(store, user, lang)
