"""Administrators' commands on staff accounts: create one, change its role or access.

Each takes the acting administrator, checks that account as the store has it now, applies
the rules and writes as that user (the store audits the change in the same transaction).
"""

from __future__ import annotations

from .auth import create_user
from .errors import InvalidUser
from .model import Role, User
from .permissions import require
from .store import Store


def create(
    store: Store,
    admin: User,
    username: str,
    role: Role | str,
    *,
    password: str | None = None,
    email: str | None = None,
) -> User:
    """A new staff account, created by an (active) administrator."""
    who = require(store, admin, Role.ADMIN)
    return create_user(store, username, role, password, email, actor=who.username)


def change(store: Store, admin: User, user_id: int, *, role: Role | None = None, active: bool | None = None) -> User:
    """Change another account's role or access. Nobody takes away their own admin rights
    or deactivates themselves (the last administrator can't lock everyone out)."""
    who = require(store, admin, Role.ADMIN)
    if user_id == who.id and (role not in (None, Role.ADMIN) or active is False):
        raise InvalidUser("user.not_self")
    if store.get_user(user_id) is None:
        raise InvalidUser("user.unknown")
    return store.update_user(user_id, who.username, role=role, active=active)
