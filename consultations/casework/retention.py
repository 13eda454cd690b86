"""Keeping personal data no longer than needed: anonymising closed consultations after the
retention period, and deleting a single input on a resident's request. Both are for
administrators only, checked here against the account as the store has it now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ..errors import InvalidConsultation
from ..model import Role, Status, User
from .moderation import mask_personal_data
from ..permissions import require
from .review import InvalidReview
from ..store import ArchivedInput, Store

DEFAULT_RETENTION = timedelta(days=365)  # 12 months after the consultation closed


def anonymise(
    store: Store,
    consultation_id: str,
    actor: User,
    *,
    retention: timedelta = DEFAULT_RETENTION,
    now: datetime | None = None,
) -> int:
    """Strip profile data, sender names and session/address hashes from a closed (or
    archived) consultation whose retention period has run out; returns inputs touched."""
    who = require(store, actor, Role.ADMIN)
    now = now or datetime.now(UTC)
    c = store.get_consultation(consultation_id)
    if c is None:
        raise InvalidConsultation("consultation_form.unknown", id=consultation_id)
    if c.status not in (Status.CLOSED, Status.ARCHIVED):
        raise InvalidConsultation("retention.not_closed")
    if now < c.closes_at + retention:
        raise InvalidConsultation("retention.too_early", date=(c.closes_at + retention).date().isoformat())
    with store.atomic():  # the e-mail addresses kept for it go with the rest (mail.py)
        store.forget_mail(c.id)
        return store.anonymise(c.id, who.username)


MASK = "[…]"


class Deletion(StrEnum):
    """What a resident's request to delete did."""

    DELETED = "deleted"  # gone for good; the audit log keeps that it happened and why
    ANONYMISED = "anonymised"  # sent to the archive: the archived original follows arkivlova


def delete_input(store: Store, input_id: int, reason: str | None, actor: User) -> Deletion:
    """Delete one input for good when the resident asks (personvern); the reason is kept
    in the audit log, which is all that remains of it. A merknad already sent to the archive
    is never deleted: the app's copy is anonymised instead (text kept with personal data and
    the sender's name masked; name, address, profile and answers removed)."""
    who = require(store, actor, Role.ADMIN)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidReview("planning.error.delete_reason")
    item = store.get_input(input_id)
    if item is None:
        raise InvalidReview("planning.error.delete_unknown")
    record = store.archive_records(item.consultation_id).get(input_id)
    if record is None or record.archived_at is None:
        try:
            with store.atomic():  # its e-mail addresses and mails go with it (mail.py)
                store.forget_input_mail(input_id)
                store.delete_input(input_id, who.username, reason)
            return Deletion.DELETED
        except ArchivedInput:
            pass  # sent to the archive between the check and the delete
    text = mask_personal_data(item.text, MASK)
    if item.sender_name and item.sender_name.strip():
        text = text.replace(item.sender_name.strip(), MASK)
    with store.atomic():
        store.forget_input_mail(input_id)
        store.anonymise_input(input_id, text, who.username, reason)
    return Deletion.ANONYMISED
