"""Staff accounts: argon2-hashed passwords in the store, roles, checking a login.

Municipalities with an OIDC provider (ID-porten, Entra ID, Keycloak) log in through
``st.login`` instead; their users are still rows here, found by e-mail, with no password.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import InvalidUser
from .model import Role, User
from .store import Store

PASSWORD_MIN = 10
MAX_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_hasher = PasswordHasher()
# Checked when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("kartinnspill-no-such-user")


def hash_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise InvalidUser("user.password_short", min=PASSWORD_MIN)
    return _hasher.hash(password)


def create_user(
    store: Store,
    username: str,
    role: Role | str,
    password: str | None = None,
    email: str | None = None,
    actor: str = "system",
) -> User:
    """A new staff account; a password for local login, or none for OIDC (e-mail needed)."""
    username = username.strip().lower()
    email = (email or "").strip().lower() or None
    if not _USERNAME.fullmatch(username):
        raise InvalidUser("user.username_invalid")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidUser("user.role_unknown", role=role) from None
    if email is not None and not _EMAIL.fullmatch(email):
        raise InvalidUser("user.email_invalid")
    if password is None and email is None:
        raise InvalidUser("user.needs_password_or_email")
    password_hash = hash_password(password) if password is not None else None
    if store.login_record(username) is not None:
        raise InvalidUser("user.username_taken", username=username)
    if email is not None and store.user_by_email(email) is not None:
        raise InvalidUser("user.email_taken", email=email)
    return store.add_user(username, role, password_hash, email=email, actor=actor)


def check_login(
    store: Store, username: str, password: str, now: datetime | None = None
) -> User | None:
    """The active user with that username and password, else ``None`` (never says which
    part was wrong). argon2's verify compares in constant time. Every attempt is in the
    audit log; after ``MAX_FAILURES`` failures in ``LOCK_WINDOW`` the username is locked
    for the rest of the window (``InvalidUser("login.locked")``), right password or not."""
    now = now or datetime.now(UTC)
    name = username.strip().lower()[:80] or "?"
    if store.failed_logins(name, now - LOCK_WINDOW) >= MAX_FAILURES:
        store.audit(name, "login.locked", "user", name)
        raise InvalidUser("login.locked", minutes=int(LOCK_WINDOW.total_seconds() // 60))
    record = store.login_record(name)
    user, stored_hash = record if record else (None, None)
    try:
        _hasher.verify(stored_hash or _DUMMY_HASH, password)
        ok = user is not None and stored_hash is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    store.audit(name, "login" if ok else "login.failed", "user", name)
    return user if ok else None
