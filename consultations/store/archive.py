"""The archive (Fiks Arkiv) in the store: which inputs went to the archive and when, and
the journalpost numbers its kvittering gave them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from .audit import _audit, _naive
from .rows import ARCHIVE_COLUMNS, ArchiveRecord, archive_record, select


class ArchivedInput(Exception):
    """An input that has been sent to the archive is never deleted (arkivlova)."""


class ArchiveStore:
    """The ``Store``'s archive records (mixed into ``Store``)."""

    def mark_archived(
        self, consultation_id: str, input_ids: Sequence[int], at: datetime, actor: str, details: str
    ) -> None:
        """Record that these inputs went to the archive at ``at`` (the first time counts)."""
        with self._transaction() as cur:
            if input_ids:
                cur.execute(
                    """UPDATE inputs SET archived_at = coalesce(archived_at, ?)
                       WHERE consultation_id = ? AND id = ANY(?)""",
                    (_naive(at), consultation_id, list(input_ids)),
                )
            _audit(cur, actor, "consultation.archive", "consultation", consultation_id, None, details)

    def archive_records(self, consultation_id: str) -> dict[int, ArchiveRecord]:
        """Per input of the consultation: when it went to the archive, its journalpost."""
        rows = self._records(
            f"SELECT {select(ARCHIVE_COLUMNS)} FROM inputs WHERE consultation_id = ? ORDER BY id",
            (consultation_id,),
        )
        return {int(r["id"]): archive_record(r) for r in rows}

    def set_journalposts(
        self,
        consultation_id: str,
        entries: Sequence[tuple[int, int | None, int | None, int | None]],
        actor: str,
        details: str,
        *,
        case_number: str | None = None,
    ) -> None:
        """Store ``(input_id, journalår, sekvensnummer, journalpostnummer)`` from the archive's
        kvittering, and the saksnummer of a case folder it created (``case_number``), all or
        none: an input of another consultation raises ``KeyError``."""
        with self._transaction() as cur:
            if case_number:
                before = cur.execute(
                    "SELECT case_number FROM consultations WHERE id = ?", (consultation_id,)
                ).fetchall()[0][0]
                cur.execute("UPDATE consultations SET case_number = ? WHERE id = ?", (case_number, consultation_id))
                _audit(
                    cur,
                    actor,
                    "consultation.case_number_from_archive",
                    "consultation",
                    consultation_id,
                    before or None,
                    case_number,
                )
            for input_id, year, sequence, number in entries:
                found = cur.execute(
                    "SELECT count(*) FROM inputs WHERE id = ? AND consultation_id = ?",
                    (input_id, consultation_id),
                ).fetchall()[0][0]
                if not found:
                    raise KeyError(input_id)
                cur.execute(
                    """UPDATE inputs SET journal_year = ?, journal_sequence = ?,
                           journalpost_number = ?, archived_at = coalesce(archived_at, ?)
                       WHERE id = ?""",
                    (year, sequence, number, _naive(datetime.now(UTC)), input_id),
                )
            _audit(cur, actor, "consultation.archive_receipt", "consultation", consultation_id, None, details)
