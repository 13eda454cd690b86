"""The pupils' view of a school class: /?klasse=CODE (app.py routes it here)."""

import streamlit as st

from consultations.ui import class_view, context
from consultations.ui.frame import bottom, top

store, settings, lang = context.store(), context.settings(), context.lang()
top(lang)
class_view.show(store, settings, st.query_params.get("klasse", ""), context.session_id(), lang)
bottom(lang)
