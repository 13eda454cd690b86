"""Drift (admins): backup, retention and the mail outbox."""

from consultations.model import Role
from consultations.ui import auth, context, operations

store, lang = context.store(), context.lang()
user = auth.require(store, Role.ADMIN, lang)
operations.page(store, user, lang)
