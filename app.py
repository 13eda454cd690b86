"""Kartinnspill: navigation and page setup; nothing else."""

import streamlit as st

from consultations import assets
from consultations.i18n import t
from consultations.ui.context import lang
from consultations.ui.maps import use_local_assets

st.set_page_config(page_title=t("app.name", lang()), page_icon="🗺️", layout="wide")
use_local_assets()
if missing := assets.missing():
    st.error(t("app.assets_missing", lang(), files=", ".join(missing[:3])))
    st.stop()

pages = [st.Page("pages/home.py", title=t("home.title", lang()), default=True)]
st.navigation(pages, position="hidden").run()
