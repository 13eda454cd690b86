"""Revisjonslogg: who did what and when, newest first, with a CSV download (administrators)."""

import streamlit as st

from consultations.i18n import t
from consultations.model import Role
from consultations.ui import admin, auth, context

store = context.store()
lang = context.lang()
auth.require(store, Role.ADMIN, lang)
st.title(t("nav.audit", lang), anchor=False)
admin.audit_page(store, lang)
