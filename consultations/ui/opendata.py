"""The way from a consultation's page to its open data (/opendata/<id>, web.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from ..participation import public
from ..i18n import t
from ..store import Store


def link(store: Store, consultation_id: str, lang: str) -> None:
    """A link to the data description page, for a consultation the public may see."""
    if not public.is_public(store, consultation_id, datetime.now(UTC)):
        return
    # relative: it keeps the app's base path (server.baseUrlPath)
    st.caption(t("opendata.link", lang, href=f"opendata/{consultation_id}?lang={lang}"))
