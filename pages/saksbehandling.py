"""Høringer (staff): every consultation, and its life-cycle actions."""

from consultations.model import Role
from consultations.ui import auth, context, staff

store, lang = context.store(), context.lang()
user = auth.require(store, Role.PLANNER, lang)
staff.overview(store, user, lang)
