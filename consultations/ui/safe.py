"""Residents' text on the page exactly as typed.

Markdown is no place for it: even fully escaped, Streamlit's markdown turns bare web
addresses into links and ``:material/…:`` into icons. Text goes out as escaped HTML
instead — the one escaping path, ``escape_html`` — keeping line breaks and wrapping long
words so the layout holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ..participation.public import PublicPhoto
from ..text import escape_html

_STYLE = "white-space: pre-wrap; overflow-wrap: anywhere; margin: 0 0 0.5rem 0;"


def text_block(text: str) -> None:
    st.html(f'<p class="ki-text" style="{_STYLE}">{escape_html(text)}</p>')


def titled_text_html(title: str, text: str) -> str:
    """A bold title (an input's category) over a resident's text, both escaped."""
    return f'<p class="ki-text" style="{_STYLE}"><strong>{escape_html(title)}</strong>\n{escape_html(text)}</p>'


def not_found(message: str, id_line: str) -> None:
    """A warning that something asked for by the address does not exist; what the address
    said goes out as plain text (``st.text``), never as markdown that could link or format."""
    st.warning(message)
    st.text(id_line)


def labelled_lines(pairs: list[tuple[str, str]]) -> None:
    """``label: text`` lines, the labels bold (app text), the values residents' text."""
    lines = "<br>".join(f"<strong>{escape_html(k)}:</strong> {escape_html(v)}" for k, v in pairs)
    st.html(f'<p class="ki-text" style="{_STYLE}">{lines}</p>')


_THUMB_STYLE = "max-width: 120px; max-height: 120px; margin: 0 0.5rem 0.5rem 0; border-radius: 4px;"


def photos_html(photos: Sequence[PublicPhoto], style: str = _THUMB_STYLE) -> str:
    """Thumbnails with the resident's alt text, escaped: the list's and the popups' one way."""
    return "".join(
        f'<img src="{escape_html(p.src)}" alt="{escape_html(p.alt_text)}" title="{escape_html(p.alt_text)}" '
        f'style="{style}">'
        for p in photos
    )
