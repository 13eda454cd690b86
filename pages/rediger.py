"""Ny eller endre høring (staff): the consultation builder; ?id=<id> edits that one."""

from consultations.model import Role
from consultations.ui import auth, builder, context

store, lang = context.store(), context.lang()
user = auth.require(store, Role.PLANNER, lang)
builder.page(store, context.settings(), user, lang)
