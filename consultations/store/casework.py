"""Casework in the store: moderation (publish, hide, not a merknad, duplicates), planners'
tags, the administration's answers (merknadsbehandling), innsigelser, and the analysis
frame summaries and exports read. Every change is audited in its transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from ..errors import NotFound
from ..model import InputStatus, NotMerknad, Objection, ObjectionStatus, Response
from .audit import _audit, _naive
from .database import _remembered, _steady
from .frame import conform_frame
from .inputs import NOT_CLASS
from .points import sync_objection, sync_response
from . import rows as record


class CaseworkStore:
    """The ``Store``'s moderation, tags, answers and innsigelser (mixed into ``Store``)."""

    def set_input_status(
        self,
        input_ids: Sequence[int],
        status: InputStatus,
        actor: str,
        reason: str | None = None,
    ) -> int:
        """Publish, hide (with the reason kept) or set pending; one audit entry per input.
        Returns how many inputs changed."""
        changed = 0
        with self._transaction() as cur:
            for input_id in input_ids:
                rows = cur.execute("SELECT status, hidden_reason FROM inputs WHERE id = ?", (input_id,)).fetchall()
                if not rows or rows[0][0] == status.value:
                    continue
                cur.execute(
                    "UPDATE inputs SET status = ?, hidden_reason = ? WHERE id = ?",
                    (status.value, reason if status == InputStatus.HIDDEN else None, input_id),
                )
                _audit(
                    cur,
                    actor,
                    f"input.{status.value}",
                    "input",
                    str(input_id),
                    json.dumps({"status": rows[0][0]}),
                    json.dumps({"status": status.value, "reason": reason}, ensure_ascii=False),
                )
                changed += 1
        return changed

    def set_not_merknad(self, input_ids: Sequence[int], kind: NotMerknad | None, note: str | None, actor: str) -> int:
        """Mark inputs as no merknad (``kind`` with a note) or, with ``None``, as merknader
        again; one audit entry per input changed. Returns how many changed."""
        changed = 0
        with self._transaction() as cur:
            for input_id in input_ids:
                rows = cur.execute(
                    "SELECT not_merknad, not_merknad_note FROM inputs WHERE id = ?", (input_id,)
                ).fetchall()
                after = (kind.value if kind else None, note if kind else None)
                if not rows or tuple(rows[0]) == after:
                    continue
                cur.execute(
                    "UPDATE inputs SET not_merknad = ?, not_merknad_note = ? WHERE id = ?",
                    (*after, input_id),
                )
                _audit(
                    cur,
                    actor,
                    "input.not_merknad" if kind else "input.merknad",
                    "input",
                    str(input_id),
                    json.dumps({"not_merknad": rows[0][0], "note": rows[0][1]}, ensure_ascii=False),
                    json.dumps({"not_merknad": after[0], "note": after[1]}, ensure_ascii=False),
                )
                changed += 1
        return changed

    def mark_duplicate(self, input_id: int, of_id: int | None, actor: str) -> None:
        """Record that an input repeats another (``None`` clears it)."""
        with self._transaction() as cur:
            cur.execute("UPDATE inputs SET duplicate_of = ? WHERE id = ?", (of_id, input_id))
            _audit(cur, actor, "input.duplicate", "input", str(input_id), None, str(of_id))

    def add_tag(self, input_ids: Sequence[int], theme: str, actor: str) -> None:
        with self._transaction() as cur:
            for input_id in input_ids:
                cur.execute(
                    "INSERT INTO input_themes VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (input_id, theme),
                )
            _audit(
                cur,
                actor,
                "input.theme.add",
                "theme",
                theme,
                None,
                json.dumps(list(input_ids)),
            )

    def remove_tag(self, input_ids: Sequence[int], theme: str, actor: str) -> None:
        with self._transaction() as cur:
            for input_id in input_ids:
                cur.execute("DELETE FROM input_themes WHERE input_id = ? AND theme = ?", (input_id, theme))
            _audit(
                cur,
                actor,
                "input.theme.remove",
                "theme",
                theme,
                json.dumps(list(input_ids)),
                None,
            )

    def tags(self, consultation_id: str) -> dict[int, list[str]]:
        """The tags planners gave each input, by input id (machine themes are ``themes.py``)."""
        rows = self._rows(
            """SELECT t.input_id, t.theme FROM input_themes t JOIN inputs i ON i.id = t.input_id
               WHERE i.consultation_id = ? ORDER BY t.input_id, t.theme""",
            (consultation_id,),
        )
        found: dict[int, list[str]] = {}
        for input_id, theme in rows:
            found.setdefault(int(input_id), []).append(theme)
        return found

    def save_response(self, input_ids: Sequence[int], response: Response, actor: str) -> None:
        """The same answer for one input or a whole group; replaces an earlier answer."""
        now = _naive(datetime.now(UTC))
        with self._transaction() as cur:
            # merknader stored as points share the answer as one felles vurdering
            group = cur.execute("SELECT nextval('point_group_seq')").fetchall()[0][0] if len(input_ids) > 1 else None
            for input_id in input_ids:
                before = cur.execute("SELECT outcome FROM responses WHERE input_id = ?", (input_id,)).fetchall()
                cur.execute(
                    """INSERT INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (input_id) DO UPDATE SET summary = excluded.summary,
                           assessment = excluded.assessment, outcome = excluded.outcome,
                           plan_change = excluded.plan_change, author = excluded.author,
                           updated_at = excluded.updated_at""",
                    (
                        input_id,
                        response.summary,
                        response.assessment,
                        response.outcome.value,
                        response.plan_change,
                        actor,
                        now,
                    ),
                )
                _audit(
                    cur,
                    actor,
                    "response.save",
                    "input",
                    str(input_id),
                    before[0][0] if before else None,
                    response.outcome.value,
                )
                sync_response(cur, input_id, response, actor, group)

    def responses(self, consultation_id: str) -> dict[int, Response]:
        rows = self._records(
            """SELECT r.input_id, r.summary, r.assessment, r.outcome, r.plan_change, r.author,
                      r.updated_at
               FROM responses r JOIN inputs i ON i.id = r.input_id
               WHERE i.consultation_id = ?""",
            (consultation_id,),
        )
        return {int(r["input_id"]): record.response(r) for r in rows}

    def set_responses_published(self, consultation_id: str, published: bool, actor: str) -> None:
        """Whether residents see «Slik ble innspillene behandlet»."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE consultations SET responses_published = ? WHERE id = ?",
                (published, consultation_id),
            )
            _audit(
                cur,
                actor,
                "responses.publish" if published else "responses.unpublish",
                "consultation",
                consultation_id,
                None,
                None,
            )

    @_steady
    def responses_published(self, consultation_id: str) -> bool:
        return bool(self._value("SELECT responses_published FROM consultations WHERE id = ?", (consultation_id,)))

    def set_objection(
        self,
        input_id: int,
        objection: Objection | None,
        status: ObjectionStatus | None,
        actor: str,
    ) -> None:
        """An input's kind (innsigelse, faglig råd or neither) and an innsigelse's status,
        with before and after in the audit log."""
        with self._transaction() as cur:
            rows = cur.execute("SELECT objection, objection_status FROM inputs WHERE id = ?", (input_id,)).fetchall()
            if not rows:
                raise NotFound("planning.error.delete_unknown")
            after = (objection.value if objection else None, status.value if status else None)
            if tuple(rows[0]) == after:
                return
            cur.execute(
                "UPDATE inputs SET objection = ?, objection_status = ? WHERE id = ?",
                (*after, input_id),
            )
            sync_objection(cur, input_id, objection, status, actor)
            action = "input.objection.status" if rows[0][0] == after[0] else "input.objection"
            _audit(
                cur,
                actor,
                action,
                "input",
                str(input_id),
                json.dumps({"objection": rows[0][0], "status": rows[0][1]}),
                json.dumps({"objection": after[0], "status": after[1]}),
            )

    def analysis_frame(self, consultation_id: str):
        """Every input of a consultation as a pandas DataFrame, for summaries and exports:
        one row per input with its supports, planners' tags (list) and response fields, in
        the columns and types ``frame.ANALYSIS_FRAME`` promises. The caller's own copy of a
        read remembered until the next write: the consultation page asks for it on every
        run («vi hørte – vi gjør»), and each DuckDB run of its joins left ~28 kB of C heap
        behind (a soak's memory growth, docs/perf/perf.md)."""
        return self._analysis_frame(consultation_id).copy()

    @_remembered
    def _analysis_frame(self, consultation_id: str):
        with self._cursor() as cur:
            return conform_frame(
                self._backend.frame(
                    cur,
                    f"""SELECT i.id, i.created_at, i.category, i.text, i.status, i.channel,
                          i.lat, i.lon, i.east, i.north, i.age_group, i.relation, i.answers,
                          i.sender_type, i.sender_name, i.sender_address, i.sender_property,
                          i.session_hash, i.hidden_reason,
                          i.duplicate_of,
                          (SELECT count(*) FROM supports s WHERE s.input_id = i.id) AS supports,
                          (SELECT array_agg(t.theme ORDER BY t.theme) FROM input_themes t
                            WHERE t.input_id = i.id) AS tags,
                          r.summary AS response_summary, r.assessment, r.outcome, r.plan_change,
                          r.author AS response_author, i.objection, i.objection_status,
                          i.not_merknad, i.not_merknad_note,
                          (SELECT max(hp.frist) FROM hearing_parties hp WHERE hp.input_id = i.id)
                              AS party_frist,
                          i.archived_at, i.journal_year, i.journal_sequence, i.journalpost_number,
                          (SELECT count(*) FROM input_attachments a
                            WHERE a.input_id = i.id AND a.alt_text IS NOT NULL) AS photos,
                          i.drawing, i.measure
                   FROM inputs i LEFT JOIN responses r ON r.input_id = i.id
                   WHERE i.consultation_id = ? AND {NOT_CLASS} ORDER BY i.id""",
                    (consultation_id,),
                )
            )
