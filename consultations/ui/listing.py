"""The home page's pieces: consultation cards and the overview map."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
from streamlit_folium import st_folium

from ..config import Settings
from ..i18n import LOCAL_TZ, format_date, t, tn
from ..model import ConsultationListing, Phase
from ..planning.planprocess import worded
from ..store import Store
from ..text import escape_markdown
from . import style
from .maps import overview_map

HOME_PAGE = "pages/home.py"  # /?id=<consultation id> shows that consultation


def days_left(closes_at: datetime, now: datetime) -> int:
    """Whole calendar days until the deadline in Norwegian time (0 on the last day)."""
    return (closes_at.astimezone(LOCAL_TZ).date() - now.astimezone(LOCAL_TZ).date()).days


def card(listing: ConsultationListing, phase: Phase, now: datetime, lang: str) -> None:
    c = listing.consultation.in_language(lang)
    with st.container(border=True):
        st.subheader(style.heading(c.title, c.written_in(lang)), anchor=False)
        st.caption(" · ".join((t(f"plan_type.{c.plan_type.value}", lang), t(f"stage.{c.stage.value}", lang))))
        if phase == Phase.OPEN:
            deadline = t(worded("home.deadline", c.stage), lang, date=format_date(c.closes_at, lang))
            left = tn("home.days_left", days_left(c.closes_at, now), lang)
            st.markdown(f"**{deadline}** · {left}")
            link = "home.open_link"
        elif phase == Phase.UPCOMING:
            st.markdown(t("home.opens", lang, date=format_date(c.opens_at, lang)))
            link = "home.upcoming_link"
        else:
            st.markdown(t("home.closed_on", lang, date=format_date(c.closes_at, lang)))
            link = "home.closed_link"
        st.markdown(tn(worded("home.inputs", c.stage), listing.published_inputs, lang))
        st.markdown(escape_markdown(c.summary))
        st.page_link(
            HOME_PAGE, label=t(worded(link, c.stage), lang), query_params={"id": c.id}, icon=":material/arrow_forward:"
        )


def cards(listings: list[tuple[ConsultationListing, Phase]], now: datetime, lang: str) -> None:
    columns = st.columns(2)
    for n, (listing, phase) in enumerate(listings):
        with columns[n % 2]:
            card(listing, phase, now, lang)


def overview(settings: Settings, listings: list[ConsultationListing], lang: str) -> None:
    st.subheader(t("home.overview_map", lang), anchor=False)
    st.caption(t("home.overview_map_caption", lang))
    style.map_name(t("map.name", lang))
    m = overview_map(settings, [entry.consultation.in_language(lang) for entry in listings], lang)
    st_folium(m, key="overview-map", height=420, use_container_width=True, returned_objects=[])


def show(store: Store, settings: Settings, lang: str) -> None:
    """Aktuelle høringer: open ones as cards, an overview map, then upcoming and closed."""
    now = datetime.now(UTC)
    by_phase: dict[Phase, list] = {phase: [] for phase in Phase}
    for listing in store.listings():
        phase = listing.consultation.phase(now)
        by_phase[phase].append((listing, phase))

    st.title(t("home.title", lang), anchor=False)
    st.markdown(t("home.intro", lang))
    if any(entry.consultation.is_demo for entry, _ in by_phase[Phase.OPEN] + by_phase[Phase.CLOSED]):
        st.info(t("app.demo_banner", lang), icon=":material/info:")

    st.header(t("home.open_heading", lang), anchor=False)
    if by_phase[Phase.OPEN]:
        cards(by_phase[Phase.OPEN], now, lang)
    else:
        st.markdown(t("home.none_open", lang))

    if by_phase[Phase.UPCOMING]:
        st.header(t("home.upcoming_heading", lang), anchor=False)
        cards(by_phase[Phase.UPCOMING], now, lang)

    on_map = [entry for entry, _ in by_phase[Phase.OPEN] + by_phase[Phase.UPCOMING]]
    if on_map:
        overview(settings, on_map, lang)

    if by_phase[Phase.CLOSED]:
        st.header(t("home.closed_heading", lang), anchor=False)
        cards(by_phase[Phase.CLOSED], now, lang)
