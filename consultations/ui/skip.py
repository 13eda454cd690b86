"""«Hopp over kartet»: a link before a map to just after it, for keyboard users (WCAG 2.4.1).
Hidden until it has the focus; following it puts the next Tab after the map.

Each goes out with the line said just before or after the map, if any (how to use it,
what is chosen so far): one element instead of two, on every run of the map (issue 26)."""

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


# Streamlit's caption (st.caption): small, in ui/style.py's caption colour (4.5:1 on white)
_NOTE = '<p class="ki-note" style="font-size: 0.875rem; color: #5f5d5a; margin: 0 0 0.5rem;">{}</p>'


def skip_map(key: str, lang: str, intro: str | None = None) -> None:
    """The skip link before the map shown under ``key``, after ``intro`` (plain text: how
    to use the map) if there is one."""
    said = _NOTE.format(escape_html(intro)) if intro else ""
    st.html(
        f'{said}{_STYLE}<a class="ki-skip" href="#{escape_html(_target(key))}">'
        f"{escape_html(t('keyboard.skip_map', lang))}</a>"
    )


def after_map(key: str, note: str | None = None) -> None:
    """Where the skip link lands: just after the map; then ``note`` (plain text: what is
    chosen so far) if there is one."""
    said = _NOTE.format(escape_html(note)) if note else ""
    st.html(f'<span id="{escape_html(_target(key))}" tabindex="-1"></span>{said}')
