"""Delivering the outbox over SMTP (``KARTINNSPILL_SMTP_URL``), each mail at most once.

A round claims the due mails (``Store.claim_mail``: committed as ``sending`` before the
server is contacted), then sends them over one connection. What happens to a mail after:
- the server took it (250 after DATA): ``sent``;
- nothing reached the server, or it refused with a temporary code (4xx) — it is down,
  unreachable, the login failed, it is busy: ``waiting`` again, retried with back-off
  (1, 2, 4 … minutes, at most an hour apart) until ``ATTEMPTS``, then ``failed``;
- it refused for good (5xx: no such recipient, message refused): ``failed``;
- the connection broke *during* DATA, or the sender was killed while sending: whether the
  server kept it is unknown, so it is not sent again (at most once) but marked ``failed``
  with the reason, for an administrator to see on the Drift page.

The app runs this in a daemon thread, one per process (``start_background``); on
PostgreSQL every replica's thread shares the outbox, each claiming its own rows. The CLI
runs it with ``python -m consultations send-mail [--once]``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from . import mail
from .config import MailSettings
from .mail_model import INTERRUPTED, MailStatus, OutboxEntry
from .store import Store

_LOG = logging.getLogger(__name__)

ATTEMPTS = 8  # tries before «failed»: with the back-off below, over three hours of outage
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
LEASE = timedelta(minutes=10)  # a claim older than this is a sender that stopped mid-send
BATCH = 20  # mails claimed per round
TIMEOUT_SECONDS = 30.0  # one SMTP conversation step


@dataclass(frozen=True)
class Report:
    sent: int  # by this run
    waiting: int  # in the outbox now, to be sent (or being sent)
    failed: int  # in the outbox now, given up

    def line(self) -> str:
        return f"sent {self.sent}, waiting {self.waiting}, failed {self.failed}"


def retry_after(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failed try: doubling from a minute, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def message(entry: OutboxEntry, settings: MailSettings, now: datetime) -> EmailMessage:
    """The mail as it goes out: plain text and HTML, its kept Message-ID, and for a mail
    one can stop, List-Unsubscribe with one-click (RFC 2369, RFC 8058)."""
    msg = EmailMessage()
    msg["Subject"] = entry.subject
    msg["From"] = settings.sender
    msg["To"] = entry.recipient
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = entry.message_id or f"<{entry.message_key}@{settings.domain}>"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    if entry.unsubscribe_token and entry.kind.unsubscribable:
        msg["List-Unsubscribe"] = f"<{mail.unsubscribe_link(entry.unsubscribe_token)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # quoted-printable: short lines whatever residents wrote (SMTP caps a line at 998)
    msg.set_content(entry.text, cte="quoted-printable")
    msg.add_alternative(entry.html, subtype="html", cte="quoted-printable")
    return msg


def connect(settings: MailSettings) -> smtplib.SMTP:
    """A logged-in connection: implicit TLS (smtps), or STARTTLS (smtp) unless turned off;
    the server's certificate is checked against the system's CAs."""
    context = ssl.create_default_context()
    if settings.cafile:
        context.load_verify_locations(settings.cafile)
    if settings.scheme == "smtps":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        conn = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    try:
        conn.ehlo()
        if settings.scheme == "smtp" and settings.starttls:
            conn.starttls(context=context)
            conn.ehlo()
        if settings.username:
            conn.login(settings.username, settings.password)
    except BaseException:
        conn.close()
        raise
    return conn


class _Unknown(Exception):
    """The connection broke during DATA: the server may have kept the mail."""


def _deliver(conn: smtplib.SMTP, entry: OutboxEntry, settings: MailSettings, now: datetime) -> None:
    """One mail, step by step, so a failure before DATA (nothing sent) is told apart from
    one during it (unknown)."""
    payload = message(entry, settings, now).as_bytes(policy=SMTP)
    code, reply = conn.mail(settings.sender)
    if code != 250:
        conn.rset()
        raise smtplib.SMTPSenderRefused(code, reply, settings.sender)
    code, reply = conn.rcpt(entry.recipient)
    if code not in (250, 251):
        conn.rset()
        raise smtplib.SMTPRecipientsRefused({entry.recipient: (code, reply)})
    try:
        code, reply = conn.data(payload)
    except smtplib.SMTPDataError:
        raise  # the server answered: it did not take the mail
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise _Unknown(str(exc)) from exc
    if code != 250:  # smtplib returns the reply to the message itself unchecked
        conn.rset()
        raise smtplib.SMTPDataError(code, reply)


def _code(exc: Exception) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return min(code for code, _ in exc.recipients.values())
    return getattr(exc, "smtp_code", None)


def send_due(
    store: Store, settings: MailSettings, now: datetime | None = None, limit: int = BATCH, *, eager: bool = False
) -> tuple[int, int]:
    """One round: claim up to ``limit`` due mails and send them (``eager``: every waiting
    mail, backing off or not). Returns ``(sent, claimed)``; nothing is claimed when
    nothing is due (no write at all)."""
    now = now or datetime.now(UTC)
    due = now + LONGEST_RETRY if eager else now
    if not store.mail_due(now, LEASE, due):
        return 0, 0
    claimed = store.claim_mail(now, limit, settings.domain, LEASE, due)
    if not claimed:
        return 0, 0
    try:
        conn = connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        for entry in claimed:
            _again(store, entry, f"connect: {exc}", now)
        _LOG.warning("The mail server does not answer (%s); %d mails wait", exc, len(claimed))
        return 0, len(claimed)
    sent = 0
    try:
        for n, entry in enumerate(claimed):
            try:
                _deliver(conn, entry, settings, now)
            except _Unknown as exc:
                store.mark_mail_failed(entry.id, f"{INTERRUPTED}: {exc}")
                for rest in claimed[n + 1 :]:
                    _again(store, rest, "connection lost", now)
                break
            except smtplib.SMTPServerDisconnected as exc:
                for rest in claimed[n:]:
                    _again(store, rest, str(exc), now)
                break
            except smtplib.SMTPException as exc:
                code = _code(exc)
                if code is not None and code >= 500:
                    store.mark_mail_failed(entry.id, f"refused: {code} {exc}")
                else:
                    _again(store, entry, str(exc), now)
                continue
            store.mark_mail_sent(entry.id, datetime.now(UTC))
            sent += 1
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
    return sent, len(claimed)


def _again(store: Store, entry: OutboxEntry, error: str, now: datetime) -> None:
    if entry.attempts >= ATTEMPTS:
        store.mark_mail_failed(entry.id, f"gave up after {entry.attempts} attempts: {error}")
    else:
        store.mark_mail_waiting(entry.id, error, now + retry_after(entry.attempts))


def report(store: Store, sent: int) -> Report:
    counts = store.outbox_counts()
    return Report(sent, counts[MailStatus.WAITING] + counts[MailStatus.SENDING], counts[MailStatus.FAILED])


def run_once(store: Store, settings: MailSettings, now: datetime | None = None, *, eager: bool = False) -> Report:
    """What is due now, sent (the digests due queued first); the outbox as it is after.
    ``eager`` (an operator's ``send-mail --once``): every waiting mail is tried now."""
    now = now or datetime.now(UTC)
    mail.queue_digests(store, now)
    total = 0
    while True:
        sent, claimed = send_due(store, settings, now, eager=eager)
        total += sent
        if claimed < BATCH or sent < claimed:  # nothing more due, or the server is in trouble
            return report(store, total)


def run_forever(store: Store, settings: MailSettings, stop: threading.Event, interval: float) -> None:
    """Rounds until ``stop`` is set; an error in one round is logged, the next tries again."""
    while not stop.is_set():
        try:
            run_once(store, settings)
        except Exception:  # noqa: BLE001 - the sender must outlive a database or server hiccup
            _LOG.exception("Sending mail failed; trying again in %.0f s", interval)
        stop.wait(interval)


_STARTED: dict[int, threading.Event] = {}
_START_LOCK = threading.Lock()


def start_background(store: Store, settings: MailSettings | None) -> threading.Event | None:
    """The app's sender: one daemon thread per store and process, started on the first call
    (later calls return the same stop event); ``None`` when no SMTP server is set — the
    mail then stays queued and the Drift page says so."""
    if settings is None:
        return None
    with _START_LOCK:
        if id(store) in _STARTED:
            return _STARTED[id(store)]
        stop = _STARTED[id(store)] = threading.Event()
        threading.Thread(
            target=run_forever,
            args=(store, settings, stop, settings.poll_seconds),
            name="kartinnspill-mail",
            daemon=True,
        ).start()
        return stop
