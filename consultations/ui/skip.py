"""«Hopp over kartet»: a link before a map to just after it, for keyboard users (WCAG 2.4.1).
Hidden until it has the focus; following it puts the next Tab after the map."""

from __future__ import annotations

import streamlit as st

from ..i18n import t
from ..text import escape_html

_STYLE = (
    "<style>.ki-skip:not(:focus){position:absolute;width:1px;height:1px;overflow:hidden;"
    "clip-path:inset(50%);white-space:nowrap}"
    ".ki-skip:focus{display:inline-block;padding:8px 12px;background:#fff;color:#1f4e79;"
    "outline:3px solid #1f4e79}</style>"
)


def _target(key: str) -> str:
    return f"etter-{key}"


def skip_map(key: str, lang: str) -> None:
    """The skip link before the map shown under ``key``."""
    st.html(
        f'{_STYLE}<a class="ki-skip" href="#{escape_html(_target(key))}">{escape_html(t("keyboard.skip_map", lang))}</a>'
    )


def after_map(key: str) -> None:
    """Where the skip link lands: just after the map."""
    st.html(f'<span id="{escape_html(_target(key))}" tabindex="-1"></span>')
