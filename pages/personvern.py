"""Personvernerklæring: what Kartinnspill collects about residents, why, and for how long."""

from urllib.parse import urlparse

import streamlit as st

from consultations.i18n import t
from consultations.ui import context
from consultations.ui.frame import bottom, top

lang, settings = context.lang(), context.settings()
top(lang)
st.page_link("pages/home.py", label=t("app.back_home", lang))
st.title(t("privacy_page.title", lang), anchor=False)
tiles = urlparse(settings.tiles.url).netloc if settings.tiles else t("privacy_page.no_tiles", lang)
st.markdown(t("privacy_page.body", lang, municipality=settings.profile.name, tiles=tiles))
rule = t(f"privacy_formal.rule_{settings.profile.identified_merknader.value}", lang)
st.markdown(t("privacy_formal.body", lang, rule=rule))
st.markdown(t("privacy_archive.body", lang))
st.markdown(t(f"privacy_photos.{'held' if settings.profile.photos_premoderated else 'not_held'}", lang))
st.markdown(t("mail.privacy.body", lang))
st.markdown(t("privacy_page.cookie", lang))
bottom(lang)
