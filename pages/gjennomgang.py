"""Gjennomgang og svar (planners): review, moderation and merknadsbehandling; ?id=<id>."""

from consultations.model import Role
from consultations.ui import auth, context, review

store, lang = context.store(), context.lang()
user = auth.require(store, Role.PLANNER, lang)
review.page(store, context.settings(), user, lang)
