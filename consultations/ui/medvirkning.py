"""The medvirkningsrapport's parts planners write and residents read (#27):

- staff (early medvirkning): the «vi hørte – vi gjør» table per theme (review → responses),
  the activities («Slik gjennomførte vi medvirkningen»: the builder, and review → Eksport
  beside the report), the charts as SVG (review → Eksport);
- residents (the consultation page): the published «vi hørte – vi gjør» table;
- pupils (the class view): Barnetråkk's play / hang-out and avoided places and the wished
  travel mode, on the pin the class view already sets;
- teachers and planners (Klasser): the class map and guide, the class summary, the export.

Every decision is the core's (``feedback``, ``activities``, ``barnetrakk``); text from
residents reaches the page through the escaping path (``safe``).
"""

from __future__ import annotations

import json
from datetime import date

import streamlit as st

from ..planning import activities
from ..children import barnetrakk
from ..outputs import barnetrakk_print, charts, feedback
from ..errors import InvalidInput
from ..i18n import t, tn
from ..outputs.medvirkningsrapport import participation, report_charts
from ..model import (
    ActivityKind,
    AvoidReason,
    ClassPart,
    ClassSession,
    Company,
    Consultation,
    FollowUpKind,
    InputStatus,
    Role,
    Season,
    Transport,
    User,
)
from ..store import Store
from ..text import escape_html
from . import flash, location, safe
from .per_version import PerVersion

_WHERE = "medvirkning27"
_ACTIVITIES = "medvirkning27-activities"  # its own place: the builder shows the editor alone


# -- staff: «vi hørte – vi gjør» -----------------------------------------------------------


def _save_follow_up(store: Store, c: Consultation, theme: str, key: str, user: User, lang: str) -> str:
    feedback.set_follow_up(
        store,
        c.id,
        theme,
        st.session_state.get(f"{key}-kind"),
        st.session_state.get(f"{key}-text"),
        st.session_state.get(f"{key}-reason"),
        user,
    )
    return t("feedback.staff.saved", lang)


def _publish(store: Store, c: Consultation, published: bool, user: User, lang: str) -> str:
    mailed = feedback.publish(store, c.id, published, user)
    said = t("feedback.staff.published" if published else "feedback.staff.unpublished", lang)
    return f"{said} {tn('mail24b.feedback.queued', mailed, lang)}" if mailed else said


def heard_editor(store: Store, c: Consultation, user: User, lang: str) -> None:
    """One row per theme: count and masked quotes pre-filled, the follow-up to write."""
    f = lambda key: t(f"feedback.staff.{key}", lang)
    st.subheader(f("heading"), anchor=False)
    st.caption(f("help"))
    flash.show(_WHERE)
    kinds = ["", *[k.value for k in FollowUpKind]]
    for n, row in enumerate(feedback.table(store, c.id, lang)):
        key = f"heard-{c.id}-{n}"
        with st.expander(
            f"{row.title} · {t('feedback.report.count.other', lang, n=row.count)} · "
            f"{feedback.kind_label(row.kind, lang)}"
        ):
            for quote in row.quotes:
                safe.text_block(quote)
            st.selectbox(
                f("kind"),
                kinds,
                index=kinds.index(row.kind) if row.kind in kinds else 0,
                format_func=lambda k: feedback.kind_label(k, lang),
                key=f"{key}-kind",
            )
            st.text_area(f("follow_up"), value=row.follow_up, key=f"{key}-text", max_chars=feedback.FOLLOW_UP_MAX)
            st.text_input(f("reason"), value=row.reason, key=f"{key}-reason", max_chars=feedback.FOLLOW_UP_MAX)
            st.button(
                f("save"),
                key=f"{key}-save",
                on_click=flash.run,
                args=(_WHERE, lang, _save_follow_up, store, c, row.key, key, user, lang),
            )
    published = store.feedback_published(c.id)
    st.toggle(
        f("publish"),
        value=published,
        key=f"heard-{c.id}-publish",
        on_change=flash.run,
        args=(_WHERE, lang, _publish, store, c, not published, user, lang),
    )


# -- staff: activities ---------------------------------------------------------------------


def _add_activity(store: Store, c: Consultation, key: str, user: User, lang: str) -> str:
    attended = st.session_state.get(f"{key}-attended")
    activities.add_activity(
        store,
        c.id,
        held_on=st.session_state.get(f"{key}-date"),
        place=st.session_state.get(f"{key}-place"),
        kind=st.session_state.get(f"{key}-kind"),
        attended=None if attended is None else int(attended),
        actor=user,
    )
    return t("activities.staff.added", lang)


def _remove_activity(store: Store, c: Consultation, activity_id: int, user: User, lang: str) -> str:
    activities.remove_activity(store, c.id, activity_id, user)
    return t("activities.staff.removed", lang)


def activities_editor(store: Store, c: Consultation, user: User, lang: str) -> None:
    a = lambda key: t(f"activities.staff.{key}", lang)
    st.subheader(a("heading"), anchor=False)
    st.caption(a("help"))
    flash.show(_ACTIVITIES)
    for item in activities.activities(store, c.id):
        left, right = st.columns([5, 1])
        came = "–" if item.attended is None else str(item.attended)
        left.markdown(
            escape_html(
                f"{item.held_on.isoformat()} · {t(f'activities.kind.{item.kind}', lang)} · {item.place} · {came}"
            )
        )
        right.button(
            a("remove"),
            key=f"activity-{c.id}-{item.id}-remove",
            on_click=flash.run,
            args=(_ACTIVITIES, lang, _remove_activity, store, c, item.id, user, lang),
        )
    key = f"activity-{c.id}-new"
    cols = st.columns(4)
    cols[0].date_input(a("date"), value=date.today(), key=f"{key}-date")
    cols[1].selectbox(
        a("kind"),
        [k.value for k in ActivityKind],
        format_func=lambda k: t(f"activities.kind.{k}", lang),
        key=f"{key}-kind",
    )
    cols[2].text_input(a("place"), key=f"{key}-place", max_chars=activities.PLACE_MAX)
    cols[3].number_input(
        a("attended"), min_value=0, max_value=activities.ATTENDED_MAX, value=None, step=1, key=f"{key}-attended"
    )
    st.button(
        a("add"),
        key=f"{key}-add",
        on_click=flash.run,
        args=(_ACTIVITIES, lang, _add_activity, store, c, key, user, lang),
    )


# -- staff: the charts, as the page shows them ----------------------------------------------


def chart_svgs(store: Store, c: Consultation, lang: str) -> list[str]:
    """The report's four charts as SVG (hidden inputs left out, the < 5 rule in them)."""
    every = store.analysis_frame(c.id)
    frame = every[every["status"] != InputStatus.HIDDEN.value].reset_index(drop=True)
    tables = participation(frame, lang) if len(frame) else {}
    figures = report_charts(c, frame, tables, lang)
    return [charts.render(figures[k], "svg").decode() for k in ("time", "category", "channel", "age_group")]


def charts_view(store: Store, c: Consultation, lang: str) -> None:
    with st.expander(t("feedback.staff.charts", lang)):
        for svg in chart_svgs(store, c, lang):
            st.html(f'<div style="max-width:700px">{svg[svg.index("<svg") :]}</div>')


def staff_view(store: Store, c: Consultation, user: User, lang: str) -> None:
    """Beside the medvirkningsrapport's download: its charts and the activities (the
    «vi hørte – vi gjør» table is written on the review's responses tab)."""
    charts_view(store, c, lang)
    activities_editor(store, c, user, lang)


# -- residents ---------------------------------------------------------------------------


def public_view(store: Store, c: Consultation, lang: str) -> None:
    """The published «vi hørte – vi gjør» table on the consultation page: written once per
    data version and language and shared by every session (``_HEARD``); shown or taken away
    at once when planners publish or withdraw it."""
    published = store.feedback_published(c.id)
    table = _HEARD.get(
        store, (c.id, lang, published), lambda: _heard_table(feedback.public_table(store, c.id, lang), lang)
    )
    if not table:
        return
    st.subheader(t("feedback.public.heading", lang), anchor=False)
    st.caption(t("feedback.public.intro", lang))
    st.html(table)


# (consultation, language, published) → the table's markup, "" while none is published. Every
# resident's page showed it, and computing it (the analysis frame, the quotes masked) was
# over half of a page run's CPU (issue 26). Its counts follow the inputs within
# HEARD_FRESHNESS: counted per theme, a few seconds matter to nobody, and in a busy
# consultation, where every input is a new version, it is then written a few times a minute
# instead of for every input (and for every whole-page run after one).
HEARD_FRESHNESS = 10.0  # seconds
_HEARD: PerVersion[str] = PerVersion(fresh=HEARD_FRESHNESS)


def _heard_table(rows: list[feedback.Heard], lang: str) -> str:
    """The rows as an HTML table, every text escaped (``escape_html``)."""
    if not rows:
        return ""
    head = "".join(
        f"<th scope='col'>{escape_html(t(f'feedback.report.{k}', lang))}</th>" for k in ("theme", "heard", "done")
    )
    body = []
    for r in rows:
        heard = "<br>".join(
            [
                escape_html(t("feedback.report.count.other", lang, n=r.count)),
                *(f"<q>{escape_html(q)}</q>" for q in r.quotes),
            ]
        )
        done = "<br>".join(escape_html(x) for x in (feedback.kind_label(r.kind, lang), r.follow_up, r.reason) if x)
        body.append(f"<tr><th scope='row'>{escape_html(r.title)}</th><td>{heard}</td><td>{done}</td></tr>")
    return f"<table class='ki-heard'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


# -- pupils --------------------------------------------------------------------------------


def _send_registration(store: Store, session: ClassSession, prefix: str, pupil: str, key: str, lang: str) -> str:
    from .context import limiter

    lat, lon, _drawing = location.sketch(session.consultation_id, prefix).location
    if lat is None:
        raise InvalidInput("pupil.point_missing")
    barnetrakk.submit_registration(
        store,
        session,
        st.session_state.get(f"{key}-kind") or "",
        lat,
        lon,
        season=st.session_state.get(f"{key}-season"),
        company=st.session_state.get(f"{key}-company"),
        reason=st.session_state.get(f"{key}-reason"),
        pupil=pupil,
        limiter=limiter(),
    )
    location.clear(session.consultation_id, prefix)
    return t("barnetrakk.pupil.saved", lang)


def _send_wish(store: Store, session: ClassSession, pupil: str, key: str, lang: str) -> str:
    from .context import limiter

    barnetrakk.submit_wish(store, session, st.session_state.get(f"{key}-wish") or "", pupil=pupil, limiter=limiter())
    return t("barnetrakk.pupil.wish_saved", lang)


def pupil_view(store: Store, session: ClassSession, prefix: str, pupil: str, where: str, lang: str) -> None:
    """Barnetråkk's questions under the class view's place step: the pin set on its map
    (``prefix``: that map's location state) becomes a play or an avoided place."""
    p = lambda k: t(f"barnetrakk.pupil.{k}", lang)
    key = f"pupil-{session.id}-barnetrakk"
    st.subheader(p("heading"), anchor=False)
    st.markdown(p("help"))
    kind = st.radio(
        p("kind"),
        [ClassPart.PLAY.value, ClassPart.AVOID.value],
        index=None,
        format_func=lambda v: p(f"kind_{v}"),
        key=f"{key}-kind",
    )
    if kind == ClassPart.PLAY.value:
        st.radio(
            p("season"),
            [s.value for s in Season],
            index=None,
            horizontal=True,
            format_func=lambda v: t(f"barnetrakk.season.{v}", lang),
            key=f"{key}-season",
        )
        st.radio(
            p("company"),
            [x.value for x in Company],
            index=None,
            format_func=lambda v: t(f"barnetrakk.company.{v}", lang),
            key=f"{key}-company",
        )
    elif kind == ClassPart.AVOID.value:
        st.radio(
            p("reason"),
            [r.value for r in AvoidReason],
            index=None,
            format_func=lambda v: t(f"barnetrakk.reason.{v}", lang),
            key=f"{key}-reason",
        )
    st.button(
        p("send"),
        use_container_width=True,
        key=f"{key}-send",
        on_click=flash.run,
        args=(where, lang, _send_registration, store, session, prefix, pupil, key, lang),
    )
    st.subheader(p("wish_heading"), anchor=False)
    st.radio(
        p("wish_heading"),
        [m.value for m in Transport],
        index=None,
        horizontal=True,
        label_visibility="collapsed",
        format_func=lambda v: t(f"classes.transport.{v}", lang),
        key=f"{key}-wish",
    )
    st.button(
        p("wish_send"),
        use_container_width=True,
        key=f"{key}-wish-send",
        on_click=flash.run,
        args=(where, lang, _send_wish, store, session, pupil, key, lang),
    )


# -- teachers and planners -------------------------------------------------------------------


def class_downloads(store: Store, user: User, session: ClassSession, lang: str) -> None:
    """The printable class map with the teacher's guide, and the class summary once five
    pupils took part."""
    from .context import settings as current_settings

    settings = current_settings()
    b = lambda k: t(f"barnetrakk.staff.{k}", lang)
    left, right = st.columns(2)
    left.download_button(
        b("map_pdf"),
        data=lambda: barnetrakk_print.class_map_pdf(store, user, session.id, settings.tiles, lang),
        file_name=f"klassekart-{session.id}.pdf",
        mime="application/pdf",
        key=f"class-map-{session.id}",
    )
    try:
        barnetrakk.class_summary(store, user, session.id)
    except barnetrakk.TooFewPupils:
        right.caption(b("too_few"))
        return
    right.download_button(
        b("summary_pdf"),
        data=lambda: barnetrakk_print.class_summary_pdf(store, user, session.id, settings.tiles, lang),
        file_name=f"klassen-{session.id}.pdf",
        mime="application/pdf",
        key=f"class-summary-{session.id}",
    )


def planner_downloads(store: Store, user: User, consultation_id: str, lang: str) -> None:
    """The Barnetråkk export and the paragraph for the planbeskrivelse (planners)."""
    if not user.can(Role.PLANNER):
        return
    b = lambda k: t(f"barnetrakk.staff.{k}", lang)
    st.download_button(
        b("export"),
        help=b("export_help"),
        mime="application/geo+json",
        key=f"barnetrakk-{consultation_id}",
        data=lambda: json.dumps(barnetrakk.export_features(store, user, consultation_id, lang), ensure_ascii=False),
        file_name=f"{consultation_id}-barnetrakk.geojson",
    )
    text = barnetrakk.citation(store, consultation_id, lang)
    st.text_area(
        b("planbeskrivelse"),
        value=text or b("planbeskrivelse_none"),
        disabled=text is None,
        key=f"barnetrakk-{consultation_id}-cite",
    )
