"""Aktuelle høringer: open consultations as cards, an overview map, then the closed ones."""

from datetime import UTC, datetime

import streamlit as st

from consultations.i18n import t
from consultations.model import Phase
from consultations.ui import context
from consultations.ui.listing import CONSULTATION_PAGE, cards, overview

lang = context.lang()
if "id" in st.query_params:  # /?id=… is the same link as /horing?id=…
    st.switch_page(CONSULTATION_PAGE, query_params={"id": st.query_params["id"]})

store = context.store()
settings = context.settings()
now = datetime.now(UTC)
by_phase: dict[Phase, list] = {phase: [] for phase in Phase}
for listing in store.listings():
    phase = listing.consultation.phase(now)
    by_phase[phase].append((listing, phase))

st.title(t("home.title", lang), anchor=False)
st.markdown(t("home.intro", lang))
if any(entry.consultation.is_demo for entry, _ in by_phase[Phase.OPEN] + by_phase[Phase.CLOSED]):
    st.info(t("app.demo_banner", lang), icon="ℹ️")

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
