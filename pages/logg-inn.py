"""Logg inn: the staff entrance (/logg-inn); staff pages show the same login in place."""

import streamlit as st

from consultations.model import Role
from consultations.ui import auth, context

store = context.store()
auth.require(store, Role.PLANNER, context.lang())
st.switch_page("pages/saksbehandling.py")
