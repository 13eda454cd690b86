"""Choosing the language: a switcher that keeps the user where they are (the choice is the
``lang`` URL parameter, so it can be linked), and the page's ``lang`` attribute."""

from __future__ import annotations

import json

import streamlit as st

from ..i18n import DEFAULT_LANG, LANGUAGES, t


def _switch(key: str) -> None:
    chosen = st.session_state.get(key) or DEFAULT_LANG
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "lang"}
    st.query_params.from_dict({**params, "lang": chosen} if chosen != DEFAULT_LANG else params)


def switcher(lang: str, key: str = "language", width: int | str = "stretch") -> None:
    st.session_state[key] = lang  # follows the address, e.g. a shared ?lang=nn link
    st.selectbox(
        t("language.label", lang),
        options=LANGUAGES,
        format_func=lambda code: t(f"language.{code}", code),
        key=key,
        on_change=_switch,
        args=(key,),
        width=width,
    )


def document_language_js(lang: str) -> str:
    """``<html lang>`` for screen readers and hyphenation (Streamlit leaves it at "en"), as a
    statement for the page's one script (``style.apply``). The app's own constant; no user
    text goes into it."""
    return f"document.documentElement.lang = {json.dumps(t('language.html', lang))};"
