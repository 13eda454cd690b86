"""Registrer innspill: inputs that came by e-mail, letter or meeting (planners)."""

import streamlit as st

from consultations.i18n import t
from consultations.model import Role
from consultations.ui import auth, context, staff_forms

store = context.store()
lang = context.lang()
user = auth.require(store, Role.PLANNER, lang)
st.title(t("nav.register", lang), anchor=False)
staff_forms.register_form(store, context.settings(), user, lang)
