"""A few rules on top of Streamlit's theme, for WCAG 2.1 AA: caption contrast (Streamlit
dims captions to 3.9:1), a visible focus ring on links and select boxes, and long Norwegian
words in headings hyphenated on small screens."""

from __future__ import annotations

import streamlit as st

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


def apply() -> None:
    st.html(_CSS)
