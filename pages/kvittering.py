"""Kvittering: the receipt of a merknad by its own address (?kvittering=<token>), or for the
browser session that sent it (?ref=KI-…)."""

import streamlit as st

from consultations.ui import context
from consultations.ui.frame import bottom, top
from consultations.ui.receipt import ADDRESS_PARAM, show

store, settings, lang = context.store(), context.settings(), context.lang()
top(lang)
show(
    store,
    settings,
    st.query_params.get("ref", ""),
    context.session_id(),
    lang,
    token=st.query_params.get(ADDRESS_PARAM, ""),
)
bottom(lang)
