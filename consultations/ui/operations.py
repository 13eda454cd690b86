"""Drift (admins): a backup of the running database, and anonymising closed consultations
whose retention period is over."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from ..errors import InvalidConsultation
from ..i18n import format_date, t
from ..model import Status, User
from ..retention import DEFAULT_RETENTION, anonymise
from ..store import Store
from ..text import escape_markdown


def _backup_bytes(store: Store, actor: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="kartinnspill-backup-") as tmp:
        target = Path(tmp) / "kartinnspill.duckdb"
        store.backup_to(target)
        data = target.read_bytes()
    store.audit(actor, "backup.download", "database", store.path.name, None, str(len(data)))
    return data


def _anonymise(store: Store, consultation_id: str, actor: str, lang: str) -> None:
    try:
        n = anonymise(store, consultation_id, actor)
    except InvalidConsultation as exc:
        st.session_state["operations-flash"] = ("error", exc.message(lang))
        return
    st.session_state["operations-flash"] = ("success", t("retention.done", lang, n=n, id=consultation_id))


def page(store: Store, user: User, lang: str) -> None:
    st.title(t("operations.title", lang), anchor=False)
    if flash := st.session_state.pop("operations-flash", None):
        kind, message = flash
        (st.success if kind == "success" else st.error)(message)

    st.subheader(t("operations.backup", lang), anchor=False)
    st.caption(t("operations.backup_help", lang))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    st.download_button(
        t("operations.backup_button", lang),
        data=lambda: _backup_bytes(store, user.username),
        file_name=f"kartinnspill-{stamp}.duckdb",
        mime="application/octet-stream",
        key="backup",
    )

    st.subheader(t("operations.retention", lang), anchor=False)
    st.caption(t("operations.retention_help", lang, months=DEFAULT_RETENTION.days // 30))
    now = datetime.now(UTC)
    closed = [
        entry.consultation
        for entry in store.listings()
        if entry.consultation.status in (Status.CLOSED, Status.ARCHIVED)
    ]
    if not closed:
        st.caption(t("operations.none_closed", lang))
    for c in closed:
        due = c.closes_at + DEFAULT_RETENTION
        left, right = st.columns([3, 1])
        left.markdown(f"**{escape_markdown(c.title)}**  \n{t('operations.due', lang, date=format_date(due, lang))}")
        right.button(
            t("operations.anonymise", lang),
            key=f"anonymise-{c.id}",
            disabled=now < due,
            on_click=_anonymise,
            args=(store, c.id, user.username, lang),
        )
