"""Skoleklasser (teachers, planners): open a class session, show its code and QR code; the
classes' results for planners."""

from consultations.model import Role
from consultations.ui import auth, classes, context

store, lang = context.store(), context.lang()
user = auth.require(store, Role.TEACHER, lang)
classes.page(store, context.settings(), user, lang)
