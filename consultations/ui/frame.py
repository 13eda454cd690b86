"""What frames every resident page: the language choice at the top, the privacy statement
at the foot, with the accessibility statement."""

from __future__ import annotations

import streamlit as st

from ..i18n import t
from .language import switcher


def top(lang: str) -> None:
    _, right = st.columns([5, 1])
    with right:
        switcher(lang)


def bottom(lang: str) -> None:
    st.divider()
    left, right = st.columns(2)
    left.page_link("pages/personvern.py", label=t("privacy_page.link", lang))
    right.page_link("pages/tilgjengelighet.py", label=t("accessibility_page.link", lang))
