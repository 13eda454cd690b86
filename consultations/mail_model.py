"""What the mail outbox holds: the kinds of mail, a mail as queued and as the sender sees
it, an address that asked to hear more (a «follow»), and a registered vedtak.

Plain values shared by the store (``store/mail.py``), the composer (``mail.py``) and the
sender (``mail_sender.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class MailKind(StrEnum):
    RECEIPT = "receipt"  # «Send meg kvittering»: to the address given with the input
    CONFIRM = "confirm"  # the double opt-in link
    ANSWER = "answer"  # the merknadsbehandling's answer to a followed input
    UPDATE = "update"  # «Følg høringen»: a new document, a changed frist, answers published
    VEDTAK = "vedtak"  # the legal notice of the decision and the right to appeal
    DIGEST = "digest"  # the kontaktperson's daily count of new inputs
    INNSIGELSE = "innsigelse"  # the kontaktperson's notice of an innsigelse
    FEEDBACK = "feedback"  # «vi hørte – vi gjør» published: to followers of the høring and of inputs

    @property
    def unsubscribable(self) -> bool:
        """Whether the mail carries List-Unsubscribe: not a receipt, a confirmation asked
        for there and then, or the legal notice of a decision."""
        return self not in (MailKind.RECEIPT, MailKind.CONFIRM, MailKind.VEDTAK)


class MailStatus(StrEnum):
    WAITING = "waiting"  # queued, or back off after a failed attempt that sent nothing
    SENDING = "sending"  # claimed by a sender; never claimed again (at most once)
    SENT = "sent"
    FAILED = "failed"  # given up: too many attempts, refused, or interrupted mid-send


# The start of a failed mail's error when the sender stopped mid-send: whether the server
# kept it is unknown, so it is never retried without an administrator saying so.
INTERRUPTED = "interrupted while sending"


class FollowKind(StrEnum):
    INPUT = "input"  # «Varsle meg når innspillene er behandlet»: its answer and the vedtak
    CONSULTATION = "consultation"  # «Følg høringen»: every step, no input needed
    NOTICE = "notice"  # a registered letter's sender: the vedtak notice only
    DIGEST = "digest"  # the kontaktperson: a daily digest and innsigelse notices


@dataclass(frozen=True)
class Mail:
    """One mail to queue: composed in full when the event happens."""

    kind: MailKind
    recipient: str
    subject: str
    text: str
    html: str
    consultation_id: str | None = None
    unsubscribe_token: str | None = None  # the follow it belongs to (List-Unsubscribe)
    input_id: int | None = None  # the input it is about: deleted with it on request


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    consultation_id: str | None
    kind: MailKind
    recipient: str
    subject: str
    text: str
    html: str
    unsubscribe_token: str | None
    message_key: str  # unique, made when queued; the Message-ID's left-hand part
    message_id: str | None  # the header as sent (set when claimed)
    status: MailStatus
    attempts: int
    next_attempt_at: datetime  # aware UTC
    sent_at: datetime | None
    last_error: str | None
    created_at: datetime

    @property
    def delivery_unknown(self) -> bool:
        """A failed mail the server may have kept (the sender stopped during DATA)."""
        return self.status == MailStatus.FAILED and (self.last_error or "").startswith(INTERRUPTED)


@dataclass(frozen=True)
class Follow:
    id: int
    token: str  # in the confirmation and unsubscribe links
    consultation_id: str
    input_id: int | None
    kind: FollowKind
    email: str
    lang: str
    confirmed: bool
    unsubscribed: bool
    last_sent_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.confirmed and not self.unsubscribed


@dataclass(frozen=True)
class Vedtak:
    """The decision staff register after the høring: what residents are told, with their
    right to appeal within ``appeal_by`` (fvl. § 29: three weeks from the notice)."""

    consultation_id: str
    body: str
    decided_on: date
    case_number: str
    link: str
    appeal_by: date
