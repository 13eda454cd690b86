"""Keeping personal data no longer than needed: anonymising closed consultations after the
retention period, and deleting a single input on a resident's request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .errors import InvalidConsultation
from .model import Status
from .store import Store

DEFAULT_RETENTION = timedelta(days=365)  # 12 months after the consultation closed


def anonymise(
    store: Store,
    consultation_id: str,
    actor: str,
    *,
    retention: timedelta = DEFAULT_RETENTION,
    now: datetime | None = None,
) -> int:
    """Strip profile data, sender names and session/address hashes from a closed (or
    archived) consultation whose retention period has run out; returns inputs touched."""
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
    return store.anonymise(c.id, actor)
