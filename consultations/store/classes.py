"""School classes (barnetråkk) in the store: a teacher's class session with its code, and
the pupils' routes and places, each an input with its class row."""

from __future__ import annotations

import json
from datetime import datetime

from ..errors import Conflict, NotFound
from ..model import ClassSession, Input, User
from .audit import _audit, _naive
from .database import _steady
from . import rows as record

_CLASS_COLUMNS = record.select(record.CLASS_COLUMNS)


class ClassesStore:
    """The ``Store``'s school classes (mixed into ``Store``)."""

    def add_class_session(
        self,
        *,
        code: str,
        consultation_id: str,
        school: str,
        grade: str,
        size: int,
        lang: str,
        opens_at: datetime,
        closes_at: datetime,
        teacher: User,
        now: datetime,
    ) -> ClassSession:
        """A new class session, audited; ``Conflict`` when the code is taken."""
        with self._transaction() as cur:
            if cur.execute("SELECT count(*) FROM class_sessions WHERE code = ?", (code,)).fetchall()[0][0]:
                raise Conflict("classes.code_taken")
            class_id = cur.execute(
                """INSERT INTO class_sessions (code, consultation_id, school, grade, size, lang,
                       opens_at, closes_at, teacher_id, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (
                    code,
                    consultation_id,
                    school,
                    grade,
                    size,
                    lang,
                    _naive(opens_at),
                    _naive(closes_at),
                    teacher.id,
                    _naive(now),
                ),
            ).fetchall()[0][0]
            _audit(
                cur,
                teacher.username,
                "class.create",
                "class",
                str(class_id),
                None,
                json.dumps(
                    {
                        "consultation": consultation_id,
                        "school": school,
                        "grade": grade,
                        "size": size,
                        "lang": lang,
                        "opens_at": opens_at.isoformat(),
                        "closes_at": closes_at.isoformat(),
                    },
                    ensure_ascii=False,
                ),
            )
        found = self.class_session(int(class_id))
        assert found is not None
        return found

    def class_session(self, class_id: int) -> ClassSession | None:
        rows = self._records(f"SELECT {_CLASS_COLUMNS} FROM class_sessions WHERE id = ?", (class_id,))
        return record.class_session(rows[0]) if rows else None

    def class_by_code(self, code: str) -> ClassSession | None:
        rows = self._records(f"SELECT {_CLASS_COLUMNS} FROM class_sessions WHERE code = ?", (code,))
        return record.class_session(rows[0]) if rows else None

    @_steady
    def class_sessions(self, consultation_id: str | None = None, teacher_id: int | None = None) -> list[ClassSession]:
        """Class sessions, newest first; of one consultation and/or one teacher."""
        sql = f"SELECT {_CLASS_COLUMNS} FROM class_sessions WHERE true"
        params: list[object] = []
        if consultation_id is not None:
            sql += " AND consultation_id = ?"
            params.append(consultation_id)
        if teacher_id is not None:
            sql += " AND teacher_id = ?"
            params.append(teacher_id)
        return [record.class_session(r) for r in self._records(sql + " ORDER BY id DESC", params)]

    def update_class_session(self, class_id: int, actor: str, action: str, **changes: object) -> ClassSession:
        """Set ``closed_at`` or ``published_at`` (a datetime, or None to undo), audited as
        ``action``."""
        allowed = {"closed_at", "published_at"}
        if not changes or set(changes) - allowed:
            raise ValueError(f"only {allowed} change, not {set(changes)}")
        before = self.class_session(class_id)
        if before is None:
            raise NotFound("classes.unknown")
        with self._transaction() as cur:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            values = [_naive(v) if isinstance(v, datetime) else v for v in changes.values()]
            cur.execute(f"UPDATE class_sessions SET {assignments} WHERE id = ?", (*values, class_id))
            _audit(
                cur,
                actor,
                action,
                "class",
                str(class_id),
                json.dumps({k: _iso(getattr(before, k)) for k in changes}),
                json.dumps({k: _iso(v) for k, v in changes.items()}),
            )
        after = self.class_session(class_id)
        assert after is not None
        return after

    def add_class_input(
        self,
        *,
        class_session: ClassSession,
        part: str,
        transport: str | None,
        label: str | None,
        **input_fields,
    ) -> tuple[Input, bool]:
        """A pupil's route or place: one input (``add_input``'s fields) and its class row,
        together or not at all; with a token seen before, the input it stored then."""
        with self.atomic():
            stored, created = self.add_input(consultation_id=class_session.consultation_id, **input_fields)
            if created:
                with self._transaction() as cur:
                    cur.execute(
                        "INSERT INTO class_inputs (input_id, class_id, part, transport, label) VALUES (?, ?, ?, ?, ?)",
                        (stored.id, class_session.id, part, transport, label),
                    )
        return stored, created

    def class_parts_sent(self, class_id: int, session_hash: str) -> dict[str, int]:
        """How many routes and places one pupil (a browser session's hash) sent to a class."""
        rows = self._rows(
            """SELECT ci.part, count(*) FROM class_inputs ci JOIN inputs i ON i.id = ci.input_id
               WHERE ci.class_id = ? AND i.session_hash = ? GROUP BY ci.part""",
            (class_id, session_hash),
        )
        return {part: int(n) for part, n in rows}

    def class_frame(self, consultation_id: str):
        """Every pupil input of a consultation's classes as a pandas DataFrame: the input
        (text, place, drawing, status, the pupil's session hash) with its class row and the
        class's school, grade, size and publication."""
        with self._cursor() as cur:
            return self._backend.frame(
                cur,
                """SELECT i.id, i.created_at, i.text, i.status, i.lat, i.lon, i.east, i.north,
                          i.drawing, i.measure, i.session_hash AS pupil,
                          ci.class_id, ci.part, ci.transport, ci.label,
                          cs.school, cs.grade, cs.size, cs.published_at
                   FROM class_inputs ci
                   JOIN inputs i ON i.id = ci.input_id
                   JOIN class_sessions cs ON cs.id = ci.class_id
                   WHERE i.consultation_id = ? ORDER BY i.id""",
                (consultation_id,),
            )


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
