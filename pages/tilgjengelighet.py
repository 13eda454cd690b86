"""Tilgjengelighetserklæring: what is and is not yet met of WCAG 2.1 AA."""

import streamlit as st

from consultations.i18n import t
from consultations.ui import context
from consultations.ui.frame import bottom, top

lang, settings = context.lang(), context.settings()
top(lang)
st.page_link("pages/home.py", label=t("app.back_home", lang))
st.title(t("accessibility_page.title", lang), anchor=False)
st.markdown(t("accessibility_page.body", lang, municipality=settings.profile.name))
bottom(lang)
