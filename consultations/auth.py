"""Staff accounts: argon2-hashed passwords in the store, roles, checking a login, the
login record a browser session holds, and which users row an OIDC login is.

Municipalities with an OIDC provider (ID-porten, Entra ID, Keycloak) log in through
``st.login`` instead; their users are still rows here, with no password: found by e-mail
once (a verified address only) and bound to the provider's account (``iss`` + ``sub``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import browser as browser_cookie
from .errors import InvalidUser
from .model import Role, User
from .store import Store

PASSWORD_MIN = 10
COMMON_PASSWORDS = Path(__file__).with_name("wordlists") / "common_passwords.txt"
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_hasher = PasswordHasher()
# Checked when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("kartinnspill-no-such-user")


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def hash_password(password: str) -> str:
    """The argon2 hash of an acceptable new password: long enough and not a common one."""
    if len(password) < PASSWORD_MIN:
        raise InvalidUser("user.password_short", min=PASSWORD_MIN)
    if password.strip().lower() in _common_passwords():
        raise InvalidUser("user.password_common")
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


# -- throttling logins -------------------------------------------------------------------


@dataclass(frozen=True)
class Backoff:
    """After ``free`` failures, each further try waits ``BACKOFF_BASE`` after the last
    failure, doubling per failure, never more than ``cap`` — so no one can renew a long lock."""

    free: int
    cap: timedelta

    def wait(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        return min(self.cap, BACKOFF_BASE * 2 ** min(failures - self.free, 30))


BACKOFF_BASE = timedelta(seconds=1)
FORGET_AFTER = timedelta(hours=1)  # failures count until an hour without a new one
THROTTLES = {
    # one username from one address: the guessing attack on one account
    "pair": Backoff(free=5, cap=timedelta(minutes=15)),
    # one browser session, any username (the address may be unknown or shared)
    "session": Backoff(free=5, cap=timedelta(minutes=15)),
    # one address, any username: spraying; 20 lets an office behind one address mistype
    "address": Backoff(free=20, cap=timedelta(minutes=15)),
    # one username from anywhere: capped at a minute, so nobody locks the owner out longer
    "user": Backoff(free=10, cap=timedelta(minutes=1)),
}


def _throttle_keys(store: Store, name: str, address: str | None, session: str | None) -> list[tuple[str, str]]:
    """The (scope, key) counters a try by ``name`` from ``address``/``session`` counts
    against; addresses and sessions only as salted hashes. The pair comes first (the
    audit row is per pair)."""
    where = store.hash_session(f"address:{address}") if address else "-"
    keys = [("pair", f"{name}|{where}"), ("user", name)]
    if address:
        keys.append(("address", where))
    if session:
        keys.append(("session", store.hash_session(f"login:{session}")))
    return keys


def login_wait(
    store: Store,
    username: str,
    *,
    address: str | None = None,
    session: str | None = None,
    now: datetime | None = None,
) -> timedelta:
    """How long a login try by ``username`` from ``address``/``session`` must still wait."""
    now = now or datetime.now(UTC)
    name = _login_name(username)
    keys = _throttle_keys(store, name, address, session)
    if address is None:  # without an address a pair is the username: leave it to "user"
        keys = keys[1:]
    counts = store.login_failures(keys, now - FORGET_AFTER)
    waits = [last + THROTTLES[scope].wait(n) - now for (scope, _), (n, last) in counts.items()]
    return max([timedelta(0), *waits])


def _login_name(username: str) -> str:
    return username.strip().lower()[:80] or "?"


def _verify(
    store: Store,
    username: str,
    password: str,
    address: str | None,
    session: str | None,
    now: datetime,
) -> User | None:
    """The throttle first (a refused try costs no hash and writes nothing), then argon2;
    a failure counts against every throttle and updates its pair's one audit row."""
    name = _login_name(username)
    wait = login_wait(store, name, address=address, session=session, now=now)
    if wait > timedelta(0):
        raise InvalidUser("login.wait", seconds=math.ceil(wait.total_seconds()))
    record = store.login_record(name)
    user, stored_hash = record if record else (None, None)
    try:
        _hasher.verify(stored_hash or _DUMMY_HASH, password)
        ok = user is not None and stored_hash is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    keys = _throttle_keys(store, name, address, session)
    if not ok:
        store.record_login_failure(keys, keys[0], now, now - FORGET_AFTER, name, {"address": address})
        return None
    # the address keeps its count: one good account must not clear a spraying address
    store.clear_login_failures([k for k in keys if k[0] != "address"])
    return user


def check_login(
    store: Store,
    username: str,
    password: str,
    *,
    address: str | None = None,
    session: str | None = None,
    now: datetime | None = None,
) -> User | None:
    """The active user with that username and password, else ``None`` (never says which
    part was wrong); argon2's verify compares in constant time. While a throttle (per
    username, per username and address, per address, per session: see ``THROTTLES``) says
    wait, ``InvalidUser("login.wait")`` — before any hash is computed."""
    now = now or datetime.now(UTC)
    user = _verify(store, username, password, address, session, now)
    if user is not None:
        store.audit(user.username, "login", "user", user.username)
    return user


# -- the login a browser session holds -------------------------------------------------------

TOUCH_EVERY = timedelta(minutes=1)  # last activity is written at most this often


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, user: User, browser: str, now: datetime | None = None) -> str:
    """A login record for ``user``, bound to ``browser`` (the verified cookie of the
    connection that logged in: ``browser.py``); the random token goes to the browser
    session only, the store keeps hashes of both."""
    token = secrets.token_urlsafe(32)
    store.start_staff_session(_token_hash(token), user, now or datetime.now(UTC), browser_cookie.binding(browser))
    return token


def session_user(
    store: Store, token: str, idle: timedelta, browser: str | None, now: datetime | None = None
) -> User | None:
    """The user of a running login record, re-read from the store (a deactivated account is
    out at once). ``browser`` is the verified cookie of the connection asking (None when it
    has none or a forged one): a record asked for from any other browser than the one it
    is bound to — a resumed Streamlit session — is ended and audit-logged:
    ``InvalidUser("login.other_browser")``. A record idle for longer than ``idle`` is
    ended: ``InvalidUser("login.expired")``. Ended or unknown records: ``None``."""
    now = now or datetime.now(UTC)
    token_hash = _token_hash(token)
    record = store.staff_session(token_hash)
    if record is None or record[2] is not None:
        return None
    user_id, seen, _, bound = record
    if bound is None or browser is None or not hmac.compare_digest(bound, browser_cookie.binding(browser)):
        user = store.get_user(user_id)
        store.end_staff_session_from_other_browser(token_hash, now, user.username if user else str(user_id))
        raise InvalidUser("login.other_browser")
    if now - seen > idle:
        store.end_staff_sessions(now, token_hash=token_hash)
        raise InvalidUser("login.expired", minutes=int(idle.total_seconds() // 60))
    user = store.get_user(user_id)
    if user is None or not user.active:
        return None
    if now - seen >= TOUCH_EVERY:
        store.touch_staff_session(token_hash, now)
    return user


def end_session(store: Store, token: str, now: datetime | None = None) -> None:
    store.end_staff_sessions(now or datetime.now(UTC), token_hash=_token_hash(token))


def resume_session(
    store: Store, idle: timedelta, browser: str | None, now: datetime | None = None
) -> tuple[str, User] | None:
    """A reload, a new tab or a typed address in a browser whose login is running: a login
    record of its own for the new session (its token returned with the user), bound to the
    same browser cookie, so each tab goes on independently. Nothing without a verified
    cookie, when the browser's latest record has been idle longer than ``idle`` (it is then
    ended), or when the account is no longer active. The cookie dies with the browser."""
    if browser is None:
        return None
    now = now or datetime.now(UTC)
    bound = browser_cookie.binding(browser)
    if bound not in store.browsers_with_staff_sessions():  # a resident's browser: no query of its own
        return None
    latest = store.latest_staff_session_of_browser(bound)
    if latest is None:
        return None
    _, user_id, seen = latest
    if now - seen > idle:
        store.end_staff_sessions_of_browser(bound, now)
        return None
    user = store.get_user(user_id)
    if user is None or not user.active:
        return None
    return start_session(store, user, browser, now), user


def end_browser_sessions(store: Store, browser: str | None, now: datetime | None = None) -> None:
    """Logging out: the login ends in every tab of this browser, not only the one asking."""
    if browser is not None:
        store.end_staff_sessions_of_browser(browser_cookie.binding(browser), now or datetime.now(UTC))


def change_password(
    store: Store,
    user: User,
    current: str,
    new: str,
    repeat: str,
    token: str,
    *,
    address: str | None = None,
    session: str | None = None,
    now: datetime | None = None,
) -> None:
    """A local account's own new password: the current one must be right (throttled like a
    login), the new one typed twice, acceptable and different. Every other login of the
    account ends; the change is in the audit log."""
    now = now or datetime.now(UTC)
    record = store.login_record(user.username)
    if record is None or record[1] is None:
        raise InvalidUser("password.no_local")
    if _verify(store, user.username, current, address, session, now) is None:
        raise InvalidUser("password.current_wrong")
    if new != repeat:
        raise InvalidUser("password.mismatch")
    if new == current:
        raise InvalidUser("password.same")
    store.change_password(user.id, hash_password(new), now, keep=_token_hash(token))


# -- OIDC --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OidcRefusal:
    """Why an OIDC login gets no users row: a translation key and its parameters."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


def _verified(claims: Mapping[str, object], verified_issuers: Collection[str]) -> bool:
    flag = claims.get("email_verified")
    return flag is True or flag == "true" or claims.get("iss") in verified_issuers


def oidc_user(store: Store, claims: Mapping[str, object], verified_issuers: Collection[str] = ()) -> User | OidcRefusal:
    """The users row for an OIDC login (the ID token's claims, as ``st.user`` has them).

    A row bound to the token's issuer and subject is that user, whatever the e-mail says
    now. Otherwise the e-mail finds an unbound row — only if the address is verified
    (``email_verified``, or an issuer in ``verified_issuers`` that issues only verified
    addresses) — and the row is bound to this issuer and subject from then on. A row
    bound to another account is never taken over by an e-mail."""
    if not claims.get("is_logged_in"):
        return OidcRefusal("login.oidc_logged_out")
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    email = str(claims.get("email") or "").strip().lower()
    if not issuer or not subject:
        return OidcRefusal("login.oidc_no_subject")
    no_access = OidcRefusal("login.no_access", {"email": email or subject})
    bound = store.user_by_oidc(issuer, subject)
    if bound is not None:
        return bound if bound.active else no_access
    if not email:
        return no_access
    if not _verified(claims, verified_issuers):
        return OidcRefusal("login.oidc_unverified", {"email": email})
    user = store.user_by_email(email)
    if user is None or not user.active:
        return no_access
    if store.oidc_binding(user.id) is not None or not store.bind_oidc(user.id, issuer, subject):
        return OidcRefusal("login.oidc_bound_elsewhere", {"email": email})
    return store.get_user(user.id) or no_access
