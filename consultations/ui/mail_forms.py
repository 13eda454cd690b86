"""The mail pieces of the pages (issue 24): the resident form's e-mail and consents,
«Følg høringen», the confirm/unsubscribe page, the builder's vedtak and digest, and the
outbox on the Drift page. The rules are the core's (``consultations/mail.py``)."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from .. import mail
from ..outputs import postal_list
from ..config import mail_settings
from ..errors import KartinnspillError
from ..i18n import format_date, t, tn
from ..mail_model import MailKind, MailStatus, Vedtak
from ..model import Consultation, Stage, User
from ..store import Store
from ..text import escape_markdown
from . import flash
from .context import client_address, limiter, session_id, settings


def _keys(consultation_id: str) -> dict[str, str]:
    return {f: f"mail-{f}-{consultation_id}" for f in ("email", "receipt", "follow", "follow_email")}


# -- the resident's form ----------------------------------------------------------------------


def _said(key: str, stage: Stage, lang: str) -> str:
    """``mail.<key>`` in the words of the stage (``mail.worded``: early medvirkning never
    says «høring»)."""
    return t(mail.worded(key, stage), lang)


def input_fields(consultation_id: str, lang: str, stage: Stage | None = None) -> None:
    """Inside the input form, folded: the address and the two consents, each explained."""
    keys = _keys(consultation_id)
    with st.expander(t("mail.form.heading", lang)):
        st.text_input(t("mail.form.email", lang), max_chars=mail.EMAIL_MAX, key=keys["email"])
        st.checkbox(t("mail.form.receipt", lang), help=t("mail.form.receipt_help", lang), key=keys["receipt"])
        st.checkbox(t("mail.form.follow", lang), help=t("mail.form.follow_help", lang), key=keys["follow"])
        st.caption(_said("form.privacy", stage, lang) if stage else t("mail.form.privacy", lang))


def request(consultation_id: str, lang: str) -> mail.MailRequest:
    """What the resident asked for, as typed (the core checks it)."""
    keys, state = _keys(consultation_id), st.session_state
    return mail.MailRequest(
        email=state.get(keys["email"]) or "",
        receipt=bool(state.get(keys["receipt"])),
        follow=bool(state.get(keys["follow"])),
        lang=lang,
    )


def submitted(consultation_id: str, asked: mail.MailRequest, lang: str) -> str:
    """After a stored input: the fields emptied, and a word on the confirmation mail."""
    keys, state = _keys(consultation_id), st.session_state
    state[keys["email"]] = ""
    state[keys["receipt"]] = False
    state[keys["follow"]] = False
    return t("mail.form.check_mail", lang, email=asked.email.strip()) if asked.follow else ""


# -- «Følg høringen» ---------------------------------------------------------------------------


def _follow(store: Store, consultation: Consultation, lang: str) -> str:
    key = _keys(consultation.id)["follow_email"]
    follow = mail.follow_consultation(
        store,
        consultation,
        st.session_state.get(key) or "",
        lang,
        session=session_id(),
        address=client_address(),
        limiter=limiter(),
        limits=settings().profile.limits,
    )
    st.session_state[key] = ""
    return t("mail.follow.done", lang, email=follow.email)


def follow_form(store: Store, consultation: Consultation, lang: str) -> None:
    where = f"mail-follow-{consultation.id}"
    with st.expander(_said("follow.heading", consultation.stage, lang)):
        st.caption(_said("follow.help", consultation.stage, lang))
        st.text_input(
            _said("follow.email", consultation.stage, lang),
            max_chars=mail.EMAIL_MAX,
            key=_keys(consultation.id)["follow_email"],
        )
        st.button(
            _said("follow.button", consultation.stage, lang),
            key=f"mail-follow-button-{consultation.id}",
            on_click=flash.run,
            args=(where, lang, _follow, store, consultation, lang),
        )
        st.caption(_said("form.privacy", consultation.stage, lang))
        flash.show(where)


# -- the page a mail's link opens ---------------------------------------------------------------


def link_page(store: Store, lang: str) -> None:
    """``?bekreft=TOKEN`` confirms an address, ``?avmeld=TOKEN`` stops a follow, each with a
    button (a mail scanner that opens links confirms or stops nothing)."""
    st.title(t("mail.page.title", lang), anchor=False)
    confirm, stop = st.query_params.get("bekreft", ""), st.query_params.get("avmeld", "")
    token = confirm or stop
    follow = store.follow(token) if token else None
    consultation = store.get_consultation(follow.consultation_id) if follow else None
    if follow is None or consultation is None:
        st.info(t("mail.page.unknown", lang))
        return
    title = escape_markdown(consultation.in_language(lang).title)
    email = escape_markdown(follow.email)
    if confirm:
        if follow.confirmed and not follow.unsubscribed:
            st.success(t("mail.page.confirmed", lang, title=title))
            return
        st.markdown(t("mail.page.confirm_intro", lang, title=title, email=email))
        if st.button(t("mail.page.confirm_button", lang), type="primary"):
            mail.confirm(store, token)
            st.rerun()
        return
    if follow.unsubscribed:
        st.success(t("mail.page.unsubscribed", lang, email=email))
        return
    st.markdown(t("mail.page.unsubscribe_intro", lang, title=title, email=email))
    if st.button(t("mail.page.unsubscribe_button", lang), type="primary"):
        mail.unsubscribe(store, token)
        st.rerun()


# -- the builder: vedtak and digest ---------------------------------------------------------------


def _register_vedtak(store: Store, consultation: Consultation, user: User, lang: str) -> str:
    state, prefix = st.session_state, f"vedtak-{consultation.id}-"
    vedtak = Vedtak(
        consultation.id,
        state.get(prefix + "body") or "",
        state.get(prefix + "decided_on"),
        state.get(prefix + "case_number") or "",
        state.get(prefix + "link") or "",
        state.get(prefix + "appeal_by"),
    )
    n = mail.register_vedtak(store, consultation, vedtak, user)
    return tn("mail.vedtak_form.done", n, lang)


def _set_digest(store: Store, consultation: Consultation, user: User, lang: str) -> str:
    wanted = bool(st.session_state.get(f"digest-{consultation.id}"))
    follow = mail.set_digest(store, consultation, wanted, lang, user)
    return t("mail.digest_form.on", lang, email=follow.email) if follow else t("mail.digest_form.off", lang)


def builder_section(store: Store, consultation: Consultation | None, user: User, lang: str) -> None:
    """The kontaktperson's digest, and the vedtak with its notice to the varslingsliste."""
    if consultation is None:
        return
    where = f"mail-builder-{consultation.id}"
    flash.show(where)
    if consultation.contact.email:
        st.checkbox(
            t("mail.digest_form.label", lang),
            value=mail.digest_follow(store, consultation) is not None,
            key=f"digest-{consultation.id}",
            on_change=flash.run,
            args=(where, lang, _set_digest, store, consultation, user, lang),
        )
    else:
        st.caption(t("mail.digest_form.no_contact", lang))
    st.subheader(t("mail.vedtak_form.heading", lang), anchor=False)
    st.caption(t("mail.vedtak_form.help", lang))
    current = store.vedtak(consultation.id)
    if current is not None:
        st.info(
            t(
                "mail.vedtak_form.registered",
                lang,
                date=current.decided_on.strftime("%d.%m.%Y"),
                case_number=escape_markdown(current.case_number),
                appeal_by=current.appeal_by.strftime("%d.%m.%Y"),
            )
        )
    today = datetime.now(UTC).date()
    prefix = f"vedtak-{consultation.id}-"
    with st.form(f"vedtak-form-{consultation.id}"):
        st.text_area(t("mail.vedtak_form.body", lang), value=current.body if current else "", key=prefix + "body")
        left, right = st.columns(2)
        left.date_input(
            t("mail.vedtak_form.decided_on", lang),
            value=current.decided_on if current else today,
            format="DD.MM.YYYY",
            key=prefix + "decided_on",
        )
        right.text_input(
            t("mail.vedtak_form.case_number", lang),
            value=current.case_number if current else consultation.case_number,
            key=prefix + "case_number",
        )
        left.text_input(t("mail.vedtak_form.link", lang), value=current.link if current else "", key=prefix + "link")
        right.date_input(
            t("mail.vedtak_form.appeal_by", lang),
            help=t("mail.vedtak_form.appeal_help", lang),
            value=current.appeal_by if current else mail.appeal_deadline(today),
            format="DD.MM.YYYY",
            key=prefix + "appeal_by",
        )
        st.form_submit_button(
            t("mail.vedtak_form.button", lang),
            on_click=flash.run,
            args=(where, lang, _register_vedtak, store, consultation, user, lang),
        )
    st.download_button(
        t("mail.letters.download", lang),
        data=lambda: postal_list.letter_list(store, consultation.id, lang, user),
        file_name=f"varslingsliste-brev-{consultation.id}.xlsx",
        key=f"letters-{consultation.id}",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        help=t("mail.letters.help", lang),
    )


# -- Drift: the outbox --------------------------------------------------------------------------


def outbox_panel(store: Store, lang: str, user: User | None = None) -> None:
    """The outbox for administrators: whether a server is set, how many mails wait, were
    sent or failed, the failed ones with their reason and «Prøv igjen» (``user``: the
    administrator who may retry them), and the latest ones (addresses and errors: staff
    only)."""
    st.subheader(t("mail.drift.heading", lang), anchor=False)
    try:
        smtp = mail_settings()
    except KartinnspillError as exc:
        st.error(exc.message(lang))
        smtp = None
    else:
        if smtp is None:
            st.warning(t("mail.drift.not_configured", lang))
        else:
            st.caption(t("mail.drift.configured", lang, host=smtp.host, port=smtp.port, sender=smtp.sender))
    counts = store.outbox_counts()
    waiting, sent, failed = st.columns(3)
    waiting.metric(t("mail.drift.waiting", lang), counts[MailStatus.WAITING] + counts[MailStatus.SENDING])
    sent.metric(t("mail.drift.sent", lang), counts[MailStatus.SENT])
    failed.metric(t("mail.drift.failed", lang), counts[MailStatus.FAILED])
    if user is not None:
        failed_panel(store, user, lang)
    recent = store.outbox(limit=50)
    if not recent:
        return
    st.markdown(f"**{t('mail.drift.recent', lang)}**")
    status = {s: t(f"mail.drift.{s.value}", lang) for s in (MailStatus.WAITING, MailStatus.SENT, MailStatus.FAILED)}
    status[MailStatus.SENDING] = status[MailStatus.WAITING]
    st.dataframe(
        [
            {
                t("mail.drift.col_created", lang): format_date(e.created_at, lang, with_time=True),
                t("mail.drift.col_kind", lang): t(f"mail.kind.{MailKind(e.kind).value}", lang),
                t("mail.drift.col_recipient", lang): e.recipient,
                t("mail.drift.col_subject", lang): e.subject,
                t("mail.drift.col_status", lang): status[e.status],
                t("mail.drift.col_attempts", lang): e.attempts,
                t("mail.drift.col_error", lang): e.last_error or "",
            }
            for e in recent
        ],
        hide_index=True,
    )


_RETRY = "mail-retry"
FAILED_SHOWN = 50


def _retry(store: Store, user: User, mail_ids: list[int] | None, unknown: bool, lang: str) -> str:
    return tn("mail24b.retry.done", mail.retry_failed(store, user, mail_ids, unknown=unknown), lang)


def failed_panel(store: Store, user: User, lang: str) -> None:
    """The failed mails, newest first, each with its reason and «Prøv igjen»; one the
    server may already have says so beside its button (the core retries it only then)."""
    r = lambda key: t(f"mail24b.retry.{key}", lang)
    st.markdown(f"**{r('heading')}**")
    flash.show(_RETRY)
    failed = store.outbox((MailStatus.FAILED,), limit=FAILED_SHOWN)
    if not failed:
        st.caption(r("none"))
        return
    st.caption(r("help"))
    for e in failed:
        left, right = st.columns([4, 1])
        left.markdown(
            f"{escape_markdown(format_date(e.created_at, lang, with_time=True))} · "
            f"{escape_markdown(t(f'mail.kind.{e.kind.value}', lang))} · {escape_markdown(e.recipient)}  \n"
            f"{escape_markdown(e.subject)}  \n{r('reason')}: {escape_markdown(e.last_error or '')}"
        )
        if e.delivery_unknown:
            left.warning(r("uncertain"))
        right.button(
            r("button"),
            key=f"{_RETRY}-{e.id}",
            on_click=flash.run,
            args=(_RETRY, lang, _retry, store, user, [e.id], e.delivery_unknown, lang),
        )
    st.button(
        r("all"), key=f"{_RETRY}-all", on_click=flash.run, args=(_RETRY, lang, _retry, store, user, None, False, lang)
    )
