"""Brukere: staff accounts, their roles and access (administrators)."""

import streamlit as st

from consultations.i18n import t
from consultations.model import Role
from consultations.ui import admin, auth, context

store = context.store()
lang = context.lang()
user = auth.require(store, Role.ADMIN, lang)
st.title(t("nav.users", lang), anchor=False)
admin.users_page(store, user, lang)
