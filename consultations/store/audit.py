"""The two helpers every part of the store writes with: naive UTC for TIMESTAMP columns and
one audit row in the caller's transaction. Apart from core.py so that the Store's mixins
(points.py, casefile.py) use them without importing the module that builds the Store."""

from __future__ import annotations

from datetime import UTC, datetime

from .backend import Cursor


def _utc(value: datetime) -> datetime:
    """Aware UTC from a naive UTC timestamp as DuckDB returns it."""
    return value.replace(tzinfo=UTC)


def _naive(value: datetime) -> datetime:
    """Naive UTC for a TIMESTAMP column."""
    return value.astimezone(UTC).replace(tzinfo=None)


def _audit(
    cur: Cursor,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: str | None,
    after: str | None,
) -> None:
    """One audit entry, inside the caller's transaction: the change and its record or neither."""
    cur.execute(
        """INSERT INTO audit_log (occurred_at, actor, action, object_type, object_id, before, after)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (_naive(datetime.now(UTC)), actor, action, object_type, object_id, before, after),
    )
