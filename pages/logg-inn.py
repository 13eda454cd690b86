"""Logg inn: the staff entrance (/logg-inn); staff pages show the same login in place.
Every role lands on its own start page (a teacher on /klasser)."""

import streamlit as st

from consultations.model import Role
from consultations.ui import auth, context

store = context.store()
user = auth.require(store, Role.TEACHER, context.lang())  # the lowest staff role: any staff may log in here
st.switch_page(auth.start_page(user))
