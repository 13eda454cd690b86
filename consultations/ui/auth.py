"""Who is logged in, the login gate on every staff page, and logging out.

Two ways in behind one ``current_user()``: ``st.login`` (OIDC) when secrets.toml has an
``[auth]`` section — the core's ``oidc_user`` then decides which users row the ID token is —
and otherwise local accounts with argon2 passwords in the store. A local login is a
server-side login record: the browser session holds only its random token, every page
re-reads the account, and the record ends after ``KARTINNSPILL_STAFF_IDLE_MINUTES`` idle.
The record is bound to the browser's signed HttpOnly cookie (``browser.py``, set by
``http_policy.py``): a session resumed from another browser is not logged in, and a new
session in the same browser (a reload, a new tab, a typed address) carries the login on with
a record of its own (``auth.resume_session``) until logout, idle timeout or deactivation.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from ..auth import (
    OidcRefusal,
    change_password,
    check_login,
    end_browser_sessions,
    end_session,
    oidc_user,
    resume_session,
    session_user,
    start_session,
)
from ..errors import InvalidUser
from ..i18n import t
from ..model import Role, User
from ..store import Store
from . import context, flash

TOKEN_KEY = "staff_login"  # the login record's token; nothing else of the login is kept here
_LOGIN = "login"  # where a notice for the next login is shown (idle too long)
_PASSWORD_KEYS = {f: f"password-{f}" for f in ("current", "new", "repeat")}
_PASSWORD_FORM = "password"  # where its outcome is shown


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False
    except Exception:  # a secrets.toml that does not parse: no OIDC, local accounts
        return False


def _oidc() -> User | OidcRefusal:
    claims = st.user.to_dict() if st.user.is_logged_in else {"is_logged_in": False}
    return oidc_user(context.store(), claims, context.settings().oidc_verified_issuers)


def _address() -> str | None:
    """The client address as the throttles take it (AppTest's stand-in context is no str)."""
    address = context.client_address()
    return address if isinstance(address, str) and address else None


def _idle() -> timedelta:
    return timedelta(minutes=context.settings().staff_idle_minutes)


def current_user(store: Store) -> User | None:
    """The logged-in staff member with an active account, else ``None``."""
    if oidc_configured():
        result = _oidc()
        return result if isinstance(result, User) else None
    token = st.session_state.get(TOKEN_KEY)
    if token is None:
        return _resumed(store)
    try:
        user = session_user(store, token, _idle(), context.browser())
    except InvalidUser as exc:  # idle too long, another browser: say so on the login that follows
        flash.say(_LOGIN, "info", exc.message(context.lang()))
        user = None
    if user is None:
        st.session_state.pop(TOKEN_KEY, None)
    return user


def _resumed(store: Store) -> User | None:
    """A reload, new tab or typed address: the login running in this browser, if any
    (``auth.resume_session``). Never without a real connection (AppTest has none)."""
    browser = context.browser()
    if browser == context.NO_CONNECTION:
        return None
    resumed = resume_session(store, _idle(), browser)
    if resumed is None:
        return None
    st.session_state[TOKEN_KEY], user = resumed
    return user


def _local_login(store: Store, lang: str) -> None:
    with st.form("login", border=True):
        username = st.text_input(t("login.username", lang), autocomplete="username")
        password = st.text_input(t("login.password", lang), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(t("login.submit", lang), type="primary")
    if not submitted:
        return
    if not username.strip() or not password:
        st.error(t("login.empty", lang))
        return
    browser = context.browser()
    if browser is None:  # before any hash: a login here could not be bound to this browser
        st.error(t("login.no_browser_cookie", lang))
        return
    try:
        user = check_login(
            store,
            username,
            password,
            address=_address(),
            session=context.session_id(),
        )
    except InvalidUser as exc:
        st.error(exc.message(lang))
        return
    if user is None:
        st.error(t("login.failed", lang))
        return
    st.session_state[TOKEN_KEY] = start_session(store, user, browser)
    st.rerun()


def login(store: Store, lang: str) -> None:
    """The login, in place of a staff page's content."""
    st.title(t("login.title", lang), anchor=False)
    st.caption(t("login.intro", lang))
    if not oidc_configured():
        flash.show(_LOGIN)
        _local_login(store, lang)
        return
    result = _oidc()
    if isinstance(result, OidcRefusal) and result.key != "login.oidc_logged_out":
        # logged in with the municipality, but not (or no longer) a user here
        st.error(t(result.key, lang, **result.params))
        st.button(t("login.logout", lang), on_click=st.logout)
        return
    st.caption(t("login.oidc_intro", lang))
    st.button(t("login.submit", lang), type="primary", on_click=st.login)


def require(store: Store, role: Role, lang: str) -> User:
    """The current user if they have ``role``; otherwise the login (or a refusal) and stop.

    Every staff page calls this first, so its URL shows no content to anyone else.
    """
    flash.show(flash.ACCOUNT)  # an action just refused because the account changed
    user = current_user(store)
    if user is None:
        login(store, lang)
        st.stop()
    if not user.can(role):
        st.error(t("login.need_role", lang, role=t(f"role.{role.value}", lang)))
        st.stop()
    return user


# Where each role starts after logging in (/logg-inn): a teacher's work is the classes
START_PAGES = {
    Role.TEACHER: "pages/klasser.py",
    Role.PLANNER: "pages/saksbehandling.py",
    Role.ADMIN: "pages/saksbehandling.py",
}


def start_page(user: User) -> str:
    """The page ``user`` lands on after logging in."""
    return START_PAGES[user.role]


def logout(store: Store) -> None:
    user = current_user(store)
    if user is not None:
        store.audit(user.username, "logout", "user", user.username)
    if token := st.session_state.pop(TOKEN_KEY, None):
        end_session(store, token)
        browser = context.browser()
        if browser != context.NO_CONNECTION:
            end_browser_sessions(store, browser)  # and in the browser's other tabs
    if oidc_configured():
        st.logout()


def _change_password(store: Store, user: User, lang: str) -> str:
    state = st.session_state
    values = {f: state.get(k) or "" for f, k in _PASSWORD_KEYS.items()}
    change_password(
        store,
        user,
        values["current"],
        values["new"],
        values["repeat"],
        state.get(TOKEN_KEY) or "",
        address=_address(),
        session=context.session_id(),
    )
    for key in _PASSWORD_KEYS.values():
        state[key] = ""
    return t("password.changed", lang)


def _password_form(store: Store, user: User, lang: str) -> None:
    """Change one's own password (local accounts only: OIDC users have none here)."""
    with st.expander(t("password.heading", lang), expanded=flash.waiting(_PASSWORD_FORM)):
        flash.show(_PASSWORD_FORM)
        with st.form("change-password", border=False):
            for field in ("current", "new", "repeat"):
                st.text_input(
                    t(f"password.{field}", lang),
                    type="password",
                    key=_PASSWORD_KEYS[field],
                    autocomplete="current-password" if field == "current" else "new-password",
                )
            st.form_submit_button(
                t("password.submit", lang),
                on_click=flash.run,
                args=(_PASSWORD_FORM, lang, _change_password, store, user, lang),
            )


def sidebar(store: Store, user: User, lang: str) -> None:
    from .language import switcher

    with st.sidebar:
        switcher(lang, key="language-staff")
        st.caption(t("login.logged_in_as", lang, user=user.username, role=t(f"role.{user.role.value}", lang)))
        st.button(t("login.logout", lang), on_click=logout, args=(store,), key="logout")
        if not oidc_configured():
            _password_form(store, user, lang)
