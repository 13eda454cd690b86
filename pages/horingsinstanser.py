"""Høringsinstanser (planners): who each høring was sent to, when, and who has answered; ?id=<id>."""

from consultations.model import Role
from consultations.ui import auth, context, parties

store, lang = context.store(), context.lang()
user = auth.require(store, Role.PLANNER, lang)
parties.page(store, context.settings(), user, lang)
