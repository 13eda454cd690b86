"""Drift (admins): a backup of the running database, anonymising closed consultations
whose retention period is over, and the mail outbox (ui/mail_forms.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from ..outputs import downloads
from ..i18n import format_date, t, tn
from ..model import Status, User
from ..casework.retention import DEFAULT_RETENTION, anonymise
from ..store import Store
from ..text import escape_markdown
from . import flash, mail_forms


def _anonymise(store: Store, consultation_id: str, actor: User, lang: str) -> str:
    n = anonymise(store, consultation_id, actor)
    return tn("retention.done", n, lang, id=consultation_id)


def page(store: Store, user: User, lang: str) -> None:
    st.title(t("operations.title", lang), anchor=False)
    flash.show("operations")

    st.subheader(t("operations.backup", lang), anchor=False)
    st.caption(t("operations.backup_help", lang))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    st.download_button(
        t("operations.backup_button", lang),
        data=lambda: downloads.backup(store, user),
        file_name=f"kartinnspill-{stamp}{store.backup_suffix}",
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
            on_click=flash.run,
            args=("operations", lang, _anonymise, store, c.id, user, lang),
        )

    mail_forms.outbox_panel(store, lang, user)
