"""Merknadspunkter in the store: the points a merknad is split into, the evidence behind
every move of an innsigelse's status, and the merknad-level answer and innsigelse marking
kept as their projection.

A merknad without rows in ``merknad_points`` is one point read from what was stored before
points existed (its ``responses`` row and ``inputs.objection``): nothing given then is lost,
and the first write of a point copies it into point «a» first. From then on the points are
the record, and the merknad's ``responses`` row and ``objection`` columns are rewritten from
them in the same transaction, so what reads those (progress, the residents' outcomes, the
exports, «N uløste innsigelser») never disagrees with the points.

The rules (who may, what a status change needs) are in ``consultations/casework/points.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from ..errors import NotFound
from ..model import (
    InputStatus,
    Objection,
    ObjectionStatus,
    Outcome,
    Point,
    PointKind,
    Response,
    StatusChange,
)
from .audit import _naive, _utc
from .bulk import audit_rows, insert_rows

_COLUMNS = (
    "input_id, letter, summary, theme, kind, objection_status, settled_on, settled_reference, "
    "settled_note, assessment, outcome, plan_change, new_hearing, group_id, author, updated_at"
)
# the most pressing status first: what the merknad as a whole shows
_PRESSING = (ObjectionStatus.OPEN, ObjectionStatus.MAINTAINED, ObjectionStatus.MET, ObjectionStatus.WITHDRAWN)


class PointsStore:
    """The ``Store``'s methods for merknadspunkter (mixed into ``Store``)."""

    def merknad_points(self, consultation_id: str) -> dict[int, list[Point]]:
        """Every input's points, by input id, in letter order (one unstored point for an
        input never split or edited as points)."""
        stored: dict[int, list[Point]] = {}
        for row in self._rows(
            f"""SELECT {_prefixed("p")} FROM merknad_points p JOIN inputs i ON i.id = p.input_id
                WHERE i.consultation_id = ? ORDER BY p.input_id, p.letter""",
            (consultation_id,),
        ):
            stored.setdefault(int(row[0]), []).append(_point(row))
        found = {}
        for row in self._rows(
            f"""SELECT {_LEGACY} FROM inputs i LEFT JOIN responses r ON r.input_id = i.id
                WHERE i.consultation_id = ? ORDER BY i.id""",
            (consultation_id,),
        ):
            found[int(row[0])] = stored.get(int(row[0])) or [_legacy_point(row)]
        return found

    def input_points(self, input_id: int) -> list[Point]:
        with self._cursor() as cur:
            return _points_of(cur, input_id)

    def new_point_group(self) -> int:
        """A new felles vurdering's number."""
        return int(self._value("SELECT nextval('point_group_seq')"))

    def save_points(self, points: Sequence[Point], actor: str, changes: Sequence[StatusChange] = ()) -> None:
        """Store points (new or replacing the one with the same input and letter) and the
        status changes that go with them, each audited with before and after, and rewrite
        their merknader's answer and innsigelse marking — all in one transaction."""
        now = _naive(datetime.now(UTC))
        with self._transaction() as cur:
            # every merknad's points read once, its unstored point copied in first, and every
            # write set-based: a sheet of thousands of rows is a few dozen statements in all
            ids = list(dict.fromkeys(p.input_id for p in points))
            current = _stored(cur, ids)
            _materialise(cur, [i for i in ids if i not in current], current, now)
            entries = []
            for point in points:
                before = current[point.input_id].get(point.letter)
                current[point.input_id][point.letter] = point
                entries.append(
                    (
                        actor,
                        "point.save" if before else "point.add",
                        "input",
                        str(point.input_id),
                        _snapshot(before) if before else None,
                        _snapshot(point),
                    )
                )
            last = {(p.input_id, p.letter): p for p in points}  # one row each: the last written wins
            insert_rows(
                cur,
                f"INSERT INTO merknad_points ({_COLUMNS})",
                [_values(p, actor, now) for p in last.values()],
                """ON CONFLICT (input_id, letter) DO UPDATE SET summary = excluded.summary,
                       theme = excluded.theme, kind = excluded.kind,
                       objection_status = excluded.objection_status, settled_on = excluded.settled_on,
                       settled_reference = excluded.settled_reference,
                       settled_note = excluded.settled_note, assessment = excluded.assessment,
                       outcome = excluded.outcome, plan_change = excluded.plan_change,
                       new_hearing = excluded.new_hearing, group_id = excluded.group_id,
                       author = excluded.author, updated_at = excluded.updated_at""",
            )
            for change in changes:
                entries.append(
                    (
                        actor,
                        "point.innsigelse_status",
                        "input",
                        str(change.input_id),
                        json.dumps({"point": change.letter, "status": change.before.value if change.before else None}),
                        json.dumps(
                            {
                                "point": change.letter,
                                "status": change.after.value,
                                "date": change.settled_on.isoformat(),
                                "reference": change.reference,
                                "note": change.note,
                            },
                            ensure_ascii=False,
                        ),
                    )
                )
            if changes:
                insert_rows(
                    cur,
                    """INSERT INTO innsigelse_status_changes (input_id, letter, status_before,
                                status_after, settled_on, reference, note, actor, occurred_at)""",
                    [
                        (
                            c.input_id,
                            c.letter,
                            c.before.value if c.before else None,
                            c.after.value,
                            c.settled_on,
                            c.reference,
                            c.note,
                            actor,
                            now,
                        )
                        for c in changes
                    ],
                )
            audit_rows(cur, entries)
            marked = {
                int(r[0]): (r[1], r[2])
                for r in cur.execute(
                    "SELECT id, objection, objection_status FROM inputs WHERE id = ANY(?)", (ids,)
                ).fetchall()
            }
            _project_many(
                cur, [(i, [current[i][k] for k in sorted(current[i])], marked.get(i)) for i in ids], actor, now
            )

    def standing_innsigelser(self, unresolved: Sequence[ObjectionStatus]) -> dict[str, int]:
        """Per consultation (those with any): its innsigelse *points* whose status is one of
        ``unresolved``, on merknader not hidden and not marked as no merknad — a letter with
        two open innsigelser counts two (``points.standing``). A merknad never stored as
        points is its one point, read from its own marking."""
        statuses = [s.value for s in unresolved]
        kind, open_, hidden = PointKind.INNSIGELSE.value, ObjectionStatus.OPEN.value, InputStatus.HIDDEN.value
        rows = self._rows(
            """SELECT consultation_id, count(*) FROM (
                   SELECT i.consultation_id FROM merknad_points p JOIN inputs i ON i.id = p.input_id
                   WHERE p.kind = ? AND coalesce(p.objection_status, ?) = ANY(?)
                     AND i.status <> ? AND coalesce(i.not_merknad, '') = ''
                   UNION ALL
                   SELECT i.consultation_id FROM inputs i
                   WHERE i.objection = ? AND coalesce(i.objection_status, ?) = ANY(?)
                     AND i.status <> ? AND coalesce(i.not_merknad, '') = ''
                     AND NOT EXISTS (SELECT 1 FROM merknad_points p WHERE p.input_id = i.id)
               ) standing GROUP BY consultation_id""",
            (kind, open_, statuses, hidden, Objection.INNSIGELSE.value, open_, statuses, hidden),
        )
        return {r[0]: int(r[1]) for r in rows}

    def status_changes(self, consultation_id: str) -> list[StatusChange]:
        """Every move of an innsigelse's status in a consultation, oldest first."""
        rows = self._rows(
            """SELECT s.input_id, s.letter, s.status_before, s.status_after, s.settled_on,
                      s.reference, s.note, s.actor, s.occurred_at
               FROM innsigelse_status_changes s JOIN inputs i ON i.id = s.input_id
               WHERE i.consultation_id = ? ORDER BY s.id""",
            (consultation_id,),
        )
        utc = _utc
        return [
            StatusChange(
                int(r[0]),
                r[1],
                ObjectionStatus(r[2]) if r[2] else None,
                ObjectionStatus(r[3]),
                _date(r[4]),
                r[5],
                r[6],
                r[7],
                utc(r[8]),
            )
            for r in rows
        ]


# -- what the legacy writers do to a merknad that has points ------------------------------


def sync_response(cur, input_id: int, response: Response, actor: str, group: int | None = None) -> None:
    """``Store.save_response`` on a merknad stored as points: the answer goes to its points
    (the rules give it only to a merknad of one point), in the felles vurdering ``group``
    when several merknader got it, and the merknad's row is rewritten from them."""
    if not _has_points(cur, input_id):
        return
    now = _naive(datetime.now(UTC))
    cur.execute(
        """UPDATE merknad_points SET summary = ?, assessment = ?, outcome = ?, plan_change = ?,
               group_id = ?, author = ?, updated_at = ? WHERE input_id = ?""",
        (
            response.summary,
            response.assessment,
            response.outcome.value,
            response.plan_change,
            group,
            actor,
            now,
            input_id,
        ),
    )
    _project(cur, input_id, _points_of(cur, input_id), actor, now)


def sync_objection(cur, input_id: int, objection: Objection | None, status: ObjectionStatus | None, actor: str) -> None:
    """``Store.set_objection`` on a merknad with points: a merknad of one point gets the
    kind and status on that point (the rules refuse it for a split merknad)."""
    points = _points_of(cur, input_id) if _has_points(cur, input_id) else []
    if len(points) != 1:
        return
    kind = PointKind(objection.value) if objection else PointKind.MERKNAD
    now = _naive(datetime.now(UTC))
    cur.execute(
        "UPDATE merknad_points SET kind = ?, objection_status = ?, updated_at = ? WHERE input_id = ?",
        (kind.value, status.value if status else None, now, input_id),
    )


# -- inside a transaction -------------------------------------------------------------------

_LEGACY = (
    "i.id, i.objection, i.objection_status, r.summary, r.assessment, r.outcome, r.plan_change, r.author, r.updated_at"
)


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in _COLUMNS.split(","))


def _has_points(cur, input_id: int) -> bool:
    return bool(cur.execute("SELECT count(*) FROM merknad_points WHERE input_id = ?", (input_id,)).fetchall()[0][0])


def _points_of(cur, input_id: int) -> list[Point]:
    rows = cur.execute(
        f"SELECT {_COLUMNS} FROM merknad_points WHERE input_id = ? ORDER BY letter", (input_id,)
    ).fetchall()
    if rows:
        return [_point(r) for r in rows]
    legacy = cur.execute(
        f"SELECT {_LEGACY} FROM inputs i LEFT JOIN responses r ON r.input_id = i.id WHERE i.id = ?",
        (input_id,),
    ).fetchall()
    return [_legacy_point(legacy[0])] if legacy else []


def _stored(cur, input_ids: Sequence[int]) -> dict[int, dict[str, Point]]:
    """The stored points of these merknader, by input id and letter (merknader without any
    left out)."""
    found: dict[int, dict[str, Point]] = {}
    if input_ids:
        for row in cur.execute(
            f"SELECT {_COLUMNS} FROM merknad_points WHERE input_id = ANY(?)", (list(input_ids),)
        ).fetchall():
            found.setdefault(int(row[0]), {})[row[1]] = _point(row)
    return found


def _materialise(cur, input_ids: Sequence[int], current: dict[int, dict[str, Point]], now: datetime) -> None:
    """Copy each merknad's one unstored point into the table before its first point write
    (and into ``current``)."""
    if not input_ids:
        return
    rows = cur.execute(
        f"SELECT {_LEGACY} FROM inputs i LEFT JOIN responses r ON r.input_id = i.id WHERE i.id = ANY(?)",
        (list(input_ids),),
    ).fetchall()
    if len(rows) != len(set(input_ids)):
        raise NotFound("input.unknown_input")
    values = []
    for row in rows:
        legacy = _legacy_point(row)
        values.append(_values(legacy, legacy.author, legacy.updated_at and _naive(legacy.updated_at) or now))
        current[legacy.input_id] = {legacy.letter: legacy}
    insert_rows(cur, f"INSERT INTO merknad_points ({_COLUMNS})", values)


def _project(
    cur, input_id: int, points: Sequence[Point], actor: str, now: datetime, marked: tuple | None = None
) -> None:
    """Rewrite a merknad's answer (``responses``) and innsigelse marking from its points."""
    _project_many(cur, [(input_id, points, marked)], actor, now)


def _project_many(
    cur, merknader: Sequence[tuple[int, Sequence[Point], tuple | None]], actor: str, now: datetime
) -> None:
    """Rewrite each merknad's answer (``responses``) and innsigelse marking from its points
    (all of them, in letter order): the merknad counts as answered only when every point
    is. ``merknader``: ``(input_id, points, marked)``, ``marked`` what the merknad's
    marking is now when the caller read it (``None``: unknown, always written)."""
    answers, unanswered, markings = [], [], {}
    for input_id, points, marked in merknader:
        if all(p.assessed for p in points):
            single = len(points) == 1

            def joined(field: str, sep: str = "\n", points=points, single=single) -> str:
                parts = [(p.letter, getattr(p, field)) for p in points if getattr(p, field)]
                return parts[0][1] if single and parts else sep.join(f"{k}) {v}" for k, v in parts)

            answers.append(
                (
                    input_id,
                    joined("summary"),
                    joined("assessment", "\n\n"),
                    merged_outcome(points).value,
                    joined("plan_change"),
                    actor,
                    now,
                )
            )
        else:
            unanswered.append(input_id)
        kinds = {p.kind for p in points}
        if PointKind.INNSIGELSE in kinds:
            statuses = {p.status for p in points if p.kind == PointKind.INNSIGELSE}
            status = next((s for s in _PRESSING if s in statuses), ObjectionStatus.OPEN)
            marking = (Objection.INNSIGELSE.value, status.value)
        elif PointKind.ADVICE in kinds:
            marking = (Objection.ADVICE.value, None)
        else:
            marking = (None, None)
        if marking != marked:
            markings.setdefault(marking, []).append(input_id)
    insert_rows(
        cur,
        "INSERT INTO responses",
        answers,
        """ON CONFLICT (input_id) DO UPDATE SET summary = excluded.summary,
               assessment = excluded.assessment, outcome = excluded.outcome,
               plan_change = excluded.plan_change, author = excluded.author,
               updated_at = excluded.updated_at""",
    )
    if unanswered:
        cur.execute("DELETE FROM responses WHERE input_id = ANY(?)", (unanswered,))
    for marking, input_ids in markings.items():
        cur.execute("UPDATE inputs SET objection = ?, objection_status = ? WHERE id = ANY(?)", (*marking, input_ids))


def merged_outcome(points: Sequence[Point]) -> Outcome:
    """One outcome for a merknad whose points were all assessed: theirs when they agree;
    partly taken into account when some point was (wholly or partly); else not taken when
    one was not; else noted."""
    outcomes = {p.outcome for p in points}
    if len(outcomes) == 1:
        return outcomes.pop()
    if outcomes & {Outcome.TAKEN, Outcome.PARTLY}:
        return Outcome.PARTLY
    return Outcome.NOT_TAKEN if Outcome.NOT_TAKEN in outcomes else Outcome.NOTED


def _values(p: Point, actor: str, now: datetime) -> tuple:
    return (
        p.input_id,
        p.letter,
        p.summary,
        p.theme,
        p.kind.value,
        p.status.value if p.status else None,
        p.settled_on,
        p.settled_reference,
        p.settled_note,
        p.assessment,
        p.outcome.value if p.outcome else None,
        p.plan_change,
        bool(p.new_hearing),
        p.group_id,
        actor or "",
        now,
    )


def _point(row: tuple) -> Point:
    return Point(
        input_id=int(row[0]),
        letter=row[1],
        summary=row[2],
        theme=row[3],
        kind=PointKind(row[4]),
        status=ObjectionStatus(row[5]) if row[5] else None,
        settled_on=_date(row[6]),
        settled_reference=row[7],
        settled_note=row[8],
        assessment=row[9],
        outcome=Outcome(row[10]) if row[10] else None,
        plan_change=row[11],
        new_hearing=bool(row[12]),
        group_id=int(row[13]) if row[13] is not None else None,
        author=row[14],
        updated_at=_utc(row[15]) if row[15] else None,
    )


def _legacy_point(row: tuple) -> Point:
    """The one point of a merknad never stored as points: its kind from the innsigelse
    marking, its answer from the merknad's own."""
    kind = PointKind(row[1]) if row[1] else PointKind.MERKNAD
    return Point(
        input_id=int(row[0]),
        letter="a",
        summary=row[3] or "",
        kind=kind,
        status=ObjectionStatus(row[2]) if row[2] and kind == PointKind.INNSIGELSE else None,
        assessment=row[4] or "",
        outcome=Outcome(row[5]) if row[5] else None,
        plan_change=row[6] or "",
        author=row[7] or "",
        updated_at=_utc(row[8]) if row[8] else None,
        stored=False,
    )


def _snapshot(p: Point) -> str:
    return json.dumps(
        {
            "point": p.letter,
            "summary": p.summary,
            "theme": p.theme,
            "kind": p.kind.value,
            "status": p.status.value if p.status else None,
            "assessment": p.assessment,
            "outcome": p.outcome.value if p.outcome else None,
            "plan_change": p.plan_change,
            "new_hearing": p.new_hearing,
            "group": p.group_id,
        },
        ensure_ascii=False,
    )


def _date(value):
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value
