"""What frames every resident page: the language choice at the top, the privacy statement
at the foot, with the accessibility statement.

Each is one row (a horizontal container), not a row of columns: a column is one more
element on every run of every page (issue 26). The line above the foot is its border
(style.py), not an element of its own."""

from __future__ import annotations

import streamlit as st

from ..i18n import t
from .language import switcher

FOOT = "ki-foot"
LANGUAGE_WIDTH = 224  # px: as wide as the longest language's name in its box


def top(lang: str) -> None:
    with st.container(horizontal=True, horizontal_alignment="right"):
        switcher(lang, width=LANGUAGE_WIDTH)


def bottom(lang: str) -> None:
    with st.container(horizontal=True, gap="large", key=FOOT):
        st.page_link("pages/personvern.py", label=t("privacy_page.link", lang))
        st.page_link("pages/tilgjengelighet.py", label=t("accessibility_page.link", lang))
