"""The administrator's pages: staff accounts and the audit log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import streamlit as st

from .. import users
from ..outputs.export import rows_to_csv
from ..i18n import LOCAL_TZ, t, tn
from ..model import AuditEntry, Role, User
from ..store import Store
from . import flash

AUDIT_PAGE = 100  # rows in the table at a time; the CSV has every matching one
_USER_FIELDS = ("username", "email", "role", "password")
USER_KEYS = {f: f"new-user-{f}" for f in _USER_FIELDS}
_WHERE = "users"


# -- users -------------------------------------------------------------------------------


def _create(store: Store, admin: User, lang: str) -> str:
    state = st.session_state
    user = users.create(
        store,
        admin,
        state.get(USER_KEYS["username"]) or "",
        state.get(USER_KEYS["role"]) or Role.PLANNER,
        password=state.get(USER_KEYS["password"]) or None,
        email=state.get(USER_KEYS["email"]) or None,
    )
    for field in ("username", "email", "password"):
        state[USER_KEYS[field]] = ""
    state[USER_KEYS["role"]] = Role.PLANNER.value
    return t("user.created", lang, username=user.username, role=t(f"role.{user.role.value}", lang))


def _on_create(store: Store, admin: User, lang: str) -> None:
    flash.run(_WHERE, lang, _create, store, admin, lang)


def _change(store: Store, admin: User, user: User, lang: str, role: Role | None, active: bool | None) -> str:
    changed = users.change(store, admin, user.id, role=role, active=active)
    if role is not None:
        return t("users.role_changed", lang, username=changed.username, role=t(f"role.{changed.role.value}", lang))
    return t("users.reactivated" if changed.active else "users.deactivated", lang, username=changed.username)


def _on_change(
    store: Store,
    admin: User,
    user: User,
    lang: str,
    *,
    role_key: str | None = None,
    active: bool | None = None,
) -> None:
    role = Role(st.session_state[role_key]) if role_key else None  # as chosen, not as drawn
    if role is not None and role == user.role:
        flash.say(
            _WHERE, "info", t("users.role_unchanged", lang, username=user.username, role=t(f"role.{role.value}", lang))
        )
        return
    flash.run(_WHERE, lang, _change, store, admin, user, lang, role, active)


def _user_table(accounts: Sequence[User], lang: str) -> None:
    yes, no = t("users.active_yes", lang), t("users.active_no", lang)
    st.dataframe(
        {
            t("users.col_username", lang): [u.username for u in accounts],
            t("users.col_email", lang): [u.email or "" for u in accounts],
            t("users.col_role", lang): [t(f"role.{u.role.value}", lang) for u in accounts],
            t("users.col_active", lang): [yes if u.active else no for u in accounts],
        },
        hide_index=True,
        width="stretch",
    )


def _create_form(store: Store, admin: User, lang: str) -> None:
    st.subheader(t("users.create_heading", lang), anchor=False)
    with st.form("new-user", border=True):
        left, right = st.columns(2)
        left.text_input(t("users.username", lang), key=USER_KEYS["username"])
        right.text_input(t("users.email", lang), key=USER_KEYS["email"])
        left.selectbox(
            t("users.role", lang),
            options=[r.value for r in Role],
            format_func=lambda v: t(f"role.{v}", lang),
            key=USER_KEYS["role"],
        )
        right.text_input(
            t("users.password", lang),
            type="password",
            autocomplete="new-password",
            help=t("users.password_help", lang),
            key=USER_KEYS["password"],
        )
        st.form_submit_button(t("users.create", lang), type="primary", on_click=_on_create, args=(store, admin, lang))


def _change_form(store: Store, admin: User, accounts: Sequence[User], lang: str) -> None:
    st.subheader(t("users.change_heading", lang), anchor=False)
    by_id = {u.id: u for u in accounts}
    chosen = st.selectbox(
        t("users.choose", lang),
        options=list(by_id),
        index=None,
        format_func=lambda uid: (
            by_id[uid].username if by_id[uid].active else t("users.inactive_marker", lang, username=by_id[uid].username)
        ),
        placeholder=t("users.choose_placeholder", lang),
        key="change-user",
    )
    if chosen is None:
        return
    user = by_id[chosen]
    left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    role_key = f"change-user-role-{user.id}"
    left.selectbox(
        t("users.role", lang),
        options=[r.value for r in Role],
        index=list(Role).index(user.role),
        format_func=lambda v: t(f"role.{v}", lang),
        key=role_key,
    )
    middle.button(
        t("users.save_role", lang),
        key=f"change-user-save-{user.id}",
        on_click=_on_change,
        args=(store, admin, user, lang),
        kwargs={"role_key": role_key},
    )
    right.button(
        t("users.deactivate" if user.active else "users.reactivate", lang),
        key=f"change-user-active-{user.id}",
        on_click=_on_change,
        args=(store, admin, user, lang),
        kwargs={"active": not user.active},
    )


def users_page(store: Store, admin: User, lang: str) -> None:
    st.caption(t("users.intro", lang))
    flash.show(_WHERE)
    accounts = store.users()
    st.subheader(t("users.list_heading", lang), anchor=False)
    if accounts:
        _user_table(accounts, lang)
    else:
        st.info(t("users.none", lang))
    _create_form(store, admin, lang)
    if accounts:
        _change_form(store, admin, accounts, lang)


# -- audit log ---------------------------------------------------------------------------


def audit_header(lang: str) -> list[str]:
    cols = ("time", "actor", "action", "object_type", "object", "before", "after")
    return [t(f"audit.col_{c}", lang) for c in cols]


def _iso(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def _on_screen(at: datetime) -> str:
    return f"{at.astimezone(LOCAL_TZ):%d.%m.%Y %H:%M:%S}"


def audit_rows(entries: Sequence[AuditEntry], when: Callable[[datetime], str] = _iso) -> list[list[object]]:
    """One row per entry, the time in Norwegian local time (in files with its offset)."""
    return [
        [
            when(e.at),
            e.actor,
            e.action,
            e.object_type,
            e.object_id,
            e.before or "",
            e.after or "",
        ]
        for e in entries
    ]


def audit_csv(entries: Sequence[AuditEntry], lang: str) -> bytes:
    return rows_to_csv(audit_header(lang), audit_rows(entries))


def audit_page(store: Store, lang: str) -> None:
    """One page of the log from the store at a time; the CSV (every matching entry, one
    query) is built only when the download is clicked."""
    st.caption(t("audit.intro", lang))
    text = st.text_input(t("audit.filter", lang), placeholder=t("audit.filter_placeholder", lang), key="audit-filter")
    n = store.count_audit(text)
    st.caption(tn("audit.count", n, lang))
    st.download_button(
        t("audit.download", lang),
        data=lambda: audit_csv(store.audit_entries(text=text), lang),
        file_name=t("audit.file_name", lang),
        mime="text/csv",
        disabled=not n,
        on_click="ignore",
    )
    if not n:
        return
    pages = -(-n // AUDIT_PAGE)
    page = 1
    if pages > 1:
        if st.session_state.get("audit-page", 1) > pages:  # the filter left fewer pages
            st.session_state["audit-page"] = pages
        page = int(st.number_input(t("audit.page", lang), 1, pages, 1, key="audit-page"))
        st.caption(t("audit.pages", lang, page=page, pages=pages, size=AUDIT_PAGE))
    header = audit_header(lang)
    entries = store.audit_entries(limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE, text=text)
    rows = audit_rows(entries, _on_screen)
    st.dataframe(
        {name: [row[i] for row in rows] for i, name in enumerate(header)},
        hide_index=True,
        width="stretch",
    )
