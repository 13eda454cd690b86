"""The foot of every resident page: the privacy statement and the staff entrance."""

from __future__ import annotations

import streamlit as st

from ..i18n import t


def footer(lang: str) -> None:
    st.divider()
    st.page_link("pages/personvern.py", label=t("privacy_page.link", lang))
