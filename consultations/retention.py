"""Keeping personal data no longer than needed: anonymising closed consultations after the
retention period, and deleting a single input on a resident's request. Both are for
administrators only, checked here against the account as the store has it now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .errors import InvalidConsultation
from .model import Role, Status, User
from .permissions import require
from .review import InvalidReview
from .store import Store

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
        raise InvalidConsultation(
            "retention.too_early", date=(c.closes_at + retention).date().isoformat()
        )
    return store.anonymise(c.id, who.username)


def delete_input(store: Store, input_id: int, reason: str | None, actor: User) -> None:
    """Delete one input for good when the resident asks (personvern); the reason is kept
    in the audit log, which is all that remains of it."""
    who = require(store, actor, Role.ADMIN)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidReview("planning.error.delete_reason")
    if store.get_input(input_id) is None:
        raise InvalidReview("planning.error.delete_unknown")
    store.delete_input(input_id, who.username, reason)
