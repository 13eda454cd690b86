"""A few rules on top of Streamlit's theme, for WCAG 2.1 AA: caption contrast (Streamlit
dims captions to 3.9:1), a visible focus ring on links and select boxes, and long Norwegian
words in headings hyphenated on small screens."""

from __future__ import annotations

import json

import streamlit as st

from ..i18n import t

_CSS = """
<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: #5f5d5a; }
a:focus-visible,
[data-testid="stPageLink-NavLink"]:focus-visible,
[data-testid="stSidebarNavLink"]:focus-visible,
[data-testid="stExpander"] summary:focus-visible {
    outline: 3px solid #1f4e79;
    outline-offset: 2px;
}
/* Streamlit's inputs only darken a 1 px border on focus; a ring shows where you are. */
input:focus-visible, textarea:focus-visible,
[data-baseweb="select"] input:focus {
    outline: 3px solid #1f4e79 !important;
    outline-offset: 2px !important;
}
h1, h2, h3 { hyphens: auto; overflow-wrap: break-word; }
</style>
"""


def apply(lang: str) -> None:
    st.html(_CSS)
    # Map frames get a name screen readers announce (their title is the component's id).
    name = json.dumps(t("map.name", lang))
    st.html(
        "<script>(function () {"
        f"window.kiMapName = {name};"
        "const label = () => document.querySelectorAll("
        "'iframe[title=\"streamlit_folium.st_folium\"]').forEach("
        "f => f.setAttribute('aria-label', window.kiMapName));"
        "label(); new MutationObserver(label).observe(document.body, {childList: true, subtree: true});"
        "})();</script>",
        unsafe_allow_javascript=True,
    )


def map_name(name: str) -> None:
    """The name the maps of this page go by (a formal høring's map shows «merknader»)."""
    st.html(f"<script>window.kiMapName = {json.dumps(name)};</script>", unsafe_allow_javascript=True)
