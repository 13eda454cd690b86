"""Reads for a whole consultation at once, where the per-input methods would run one query
per merknad (the archive package, the spreadsheet import): at a kommuneplan's 10,000
merknader a query each is minutes (bench/kommuneplan.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ..model import Attachment
from .audit import _naive


class BulkReads:
    """The ``Store``'s bulk reads (mixed into ``Store``)."""

    def attachments_of(self, input_ids: Sequence[int]) -> dict[int, list[Attachment]]:
        """``Store.attachments`` of many inputs in one query: by input id, in id order
        (inputs without any left out)."""
        found: dict[int, list[Attachment]] = {}
        if input_ids:
            for row in self._rows(
                """SELECT id, input_id, filename, media_type, octet_length(content)
                   FROM input_attachments WHERE input_id = ANY(?) ORDER BY id""",
                (list(input_ids),),
            ):
                found.setdefault(int(row[1]), []).append(Attachment(*row))
        return found


_CHUNK = 500  # rows per statement: few statements, far below PostgreSQL's 65,535 parameters


def insert_rows(cur, head: str, rows: Sequence[tuple], tail: str = "") -> None:
    """``head VALUES (…), (…) tail`` for ``rows`` in a few statements, in order, inside the
    caller's transaction: one statement per row costs DuckDB milliseconds each, and the
    spreadsheet import writes thousands (bench/kommuneplan.py)."""
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        one = "(" + ", ".join("?" * len(chunk[0])) + ")"
        cur.execute(f"{head} VALUES {', '.join([one] * len(chunk))} {tail}", [value for row in chunk for value in row])


def audit_rows(cur, entries: Sequence[tuple[str, str, str, str, str | None, str | None]]) -> None:
    """``audit._audit`` for many entries ``(actor, action, object_type, object_id, before,
    after)`` at once, in their order, inside the caller's transaction."""
    now = _naive(datetime.now(UTC))
    insert_rows(
        cur,
        "INSERT INTO audit_log (occurred_at, actor, action, object_type, object_id, before, after)",
        [(now, *entry) for entry in entries],
    )
