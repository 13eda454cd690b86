"""Who is logged in, the login gate on every staff page, and logging out.

Two ways in behind one ``current_user()``: ``st.login`` (OIDC) when secrets.toml has an
``[auth]`` section — the role then comes from the users table by e-mail — and otherwise
local accounts with argon2 passwords in the store.
"""

from __future__ import annotations

import streamlit as st

from ..auth import check_login
from ..errors import InvalidUser
from ..i18n import t
from ..model import Role, User
from ..store import Store
from . import flash

_USER_KEY = "staff_user_id"


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False
    except Exception:  # a secrets.toml that does not parse: no OIDC, local accounts
        return False


def _oidc_email() -> str | None:
    return st.user.get("email") if st.user.is_logged_in else None


def current_user(store: Store) -> User | None:
    """The logged-in staff member with an active account, else ``None``."""
    if oidc_configured():
        email = _oidc_email()
        user = store.user_by_email(email) if email else None
    else:
        user_id = st.session_state.get(_USER_KEY)
        user = store.get_user(user_id) if user_id is not None else None
    return user if user is not None and user.active else None


def _local_login(store: Store, lang: str) -> None:
    with st.form("login", border=True):
        username = st.text_input(t("login.username", lang), autocomplete="username")
        password = st.text_input(
            t("login.password", lang), type="password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("login.submit", lang), type="primary")
    if not submitted:
        return
    if not username.strip() or not password:
        st.error(t("login.empty", lang))
        return
    try:
        user = check_login(store, username, password)
    except InvalidUser as exc:
        st.error(exc.message(lang))
        return
    if user is None:
        st.error(t("login.failed", lang))
        return
    st.session_state[_USER_KEY] = user.id
    st.rerun()


def login(store: Store, lang: str) -> None:
    """The login, in place of a staff page's content."""
    st.title(t("login.title", lang), anchor=False)
    st.caption(t("login.intro", lang))
    if not oidc_configured():
        _local_login(store, lang)
        return
    email = _oidc_email()
    if email:  # logged in with the municipality, but not (or no longer) a user here
        st.error(t("login.no_access", lang, email=email))
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


def logout(store: Store) -> None:
    user = current_user(store)
    if user is not None:
        store.audit(user.username, "logout", "user", user.username)
    st.session_state.pop(_USER_KEY, None)
    if oidc_configured():
        st.logout()


def sidebar(store: Store, user: User, lang: str) -> None:
    from .language import switcher

    with st.sidebar:
        switcher(lang, key="language-staff")
        st.caption(
            t("login.logged_in_as", lang, user=user.username, role=t(f"role.{user.role.value}", lang))
        )
        st.button(t("login.logout", lang), on_click=logout, args=(store,), key="logout")
