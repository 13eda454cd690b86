"""The case file's own facts beside an input and a consultation (migration 27): what a
registered letter is in the archive (its original file, a journalpost postmottak already
gave it, a faglig råd beside an innsigelse) and a consultation's facts for the report (the
1. gangs vedtak, why the frist is shorter than six weeks, neighbours notified by letter,
the frist as announced).

A mixin of ``Store``: every write goes through its transaction and its audit log.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .audit import _audit


@dataclass(frozen=True)
class Letter:
    """A registered letter's archive facts."""

    input_id: int
    journalpost: str | None = None  # «25/4711-12»: postmottak journalførte it already
    original_attachment_id: int | None = None  # the letter as received: the hoveddokument
    also_advice: bool = False  # an innsigelse letter that also holds a faglig råd


@dataclass(frozen=True)
class FirstDecision:
    """The 1. gangs vedtak that put the plan out: the body (utvalg), the date, its case."""

    body: str = ""
    date: date | None = None
    case: str = ""

    def __bool__(self) -> bool:
        return bool(self.body or self.date or self.case)


@dataclass(frozen=True)
class CaseFacts:
    first_decision: FirstDecision = dataclasses.field(default_factory=FirstDecision)
    short_frist_reason: str = ""  # why a six-week høring runs shorter (audited, reported)
    neighbours_notified: int | None = None  # naboer varslet by letter
    announced_frist: date | None = None  # the frist as announced, before it moved to a working day


class CaseFileStore:
    """``Store`` methods for ``input_letters`` and ``consultation_facts``."""

    def set_letter(self, letter: Letter, actor: str) -> None:

        with self._transaction() as cur:  # type: ignore[attr-defined]
            cur.execute("DELETE FROM input_letters WHERE input_id = ?", (letter.input_id,))
            cur.execute(
                """INSERT INTO input_letters (input_id, journalpost, original_attachment_id,
                       also_advice) VALUES (?, ?, ?, ?)""",
                (letter.input_id, letter.journalpost, letter.original_attachment_id, letter.also_advice),
            )
            _audit(
                cur,
                actor,
                "input.letter",
                "input",
                str(letter.input_id),
                None,
                json.dumps(dataclasses.asdict(letter), ensure_ascii=False),
            )

    def letters(self, consultation_id: str) -> dict[int, Letter]:
        rows = self._rows(  # type: ignore[attr-defined]
            """SELECT l.input_id, l.journalpost, l.original_attachment_id, l.also_advice
               FROM input_letters l JOIN inputs i ON i.id = l.input_id
               WHERE i.consultation_id = ?""",
            (consultation_id,),
        )
        return {int(r[0]): Letter(int(r[0]), r[1], None if r[2] is None else int(r[2]), bool(r[3])) for r in rows}

    def letter(self, input_id: int) -> Letter | None:
        rows = self._rows(  # type: ignore[attr-defined]
            "SELECT input_id, journalpost, original_attachment_id, also_advice FROM input_letters WHERE input_id = ?",
            (input_id,),
        )
        return Letter(int(rows[0][0]), rows[0][1], rows[0][2], bool(rows[0][3])) if rows else None

    def attachment_names(self, consultation_id: str) -> dict[int, list[str]]:
        """The files sent with each merknad (not photos), by name in the order received."""
        rows = self._rows(  # type: ignore[attr-defined]
            """SELECT a.input_id, a.filename FROM input_attachments a JOIN inputs i ON i.id = a.input_id
               WHERE i.consultation_id = ? AND a.alt_text IS NULL ORDER BY a.input_id, a.id""",
            (consultation_id,),
        )
        found: dict[int, list[str]] = {}
        for input_id, name in rows:
            found.setdefault(int(input_id), []).append(name)
        return found

    def sender_identities(self, consultation_id: str, types: Sequence[str]) -> dict[int, tuple]:
        """``{input_id: (name, address, gnr/bnr)}`` of the consultation's inputs from
        senders of ``types`` (or none: a web merknad) that gave any: what public views mask
        in their text."""
        marks = ", ".join("?" for _ in types)
        rows = self._rows(  # type: ignore[attr-defined]
            f"""SELECT id, sender_name, sender_address, sender_property FROM inputs
                WHERE consultation_id = ? AND (sender_type IS NULL OR sender_type IN ({marks}))
                  AND (sender_name IS NOT NULL OR sender_address IS NOT NULL
                       OR sender_property IS NOT NULL)""",
            (consultation_id, *types),
        )
        return {int(r[0]): (r[1], r[2], r[3]) for r in rows}

    def set_case_facts(self, consultation_id: str, facts: CaseFacts, actor: str, old_id: str | None = None) -> None:
        """Store (replace) the facts; audited when they change."""
        before = self.case_facts(old_id or consultation_id)
        if before == facts and not old_id:
            return

        d = facts.first_decision
        with self._transaction() as cur:  # type: ignore[attr-defined]
            for cid in {consultation_id, old_id or consultation_id}:
                cur.execute("DELETE FROM consultation_facts WHERE consultation_id = ?", (cid,))
            cur.execute(
                """INSERT INTO consultation_facts (consultation_id, first_decision_body,
                       first_decision_date, first_decision_case, short_frist_reason,
                       neighbours_notified, announced_frist) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    consultation_id,
                    d.body,
                    d.date,
                    d.case,
                    facts.short_frist_reason,
                    facts.neighbours_notified,
                    facts.announced_frist,
                ),
            )
            if before != facts:
                _audit(
                    cur,
                    actor,
                    "consultation.facts",
                    "consultation",
                    consultation_id,
                    _facts_json(before),
                    _facts_json(facts),
                )

    def case_facts(self, consultation_id: str) -> CaseFacts:
        rows = self._rows(  # type: ignore[attr-defined]
            """SELECT first_decision_body, first_decision_date, first_decision_case,
                      short_frist_reason, neighbours_notified, announced_frist
               FROM consultation_facts WHERE consultation_id = ?""",
            (consultation_id,),
        )
        if not rows:
            return CaseFacts()
        body, day, case, reason, neighbours, announced = rows[0]
        return CaseFacts(
            FirstDecision(body or "", day, case or ""),
            reason or "",
            None if neighbours is None else int(neighbours),
            announced,
        )


def _facts_json(facts: CaseFacts) -> str:
    return json.dumps(dataclasses.asdict(facts), ensure_ascii=False, default=str)
