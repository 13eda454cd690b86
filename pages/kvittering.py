"""Kvittering: the receipt of a merknad, for the browser session that sent it (?ref=KI-…)."""

import streamlit as st

from consultations.ui import context
from consultations.ui.frame import bottom, top
from consultations.ui.receipt import show

store, settings, lang = context.store(), context.settings(), context.lang()
top(lang)
show(store, settings, st.query_params.get("ref", ""), context.session_id(), lang)
bottom(lang)
