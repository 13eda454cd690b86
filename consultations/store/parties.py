"""Høringsinstanser in the store: a consultation's list of parties asked for a statement,
one per name in any case (a database key), with the date sent, an own frist and the input
that answered."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

from ..errors import NotFound
from ..model import HearingParty, InputStatus, Objection, ObjectionStatus, SenderType
from .audit import _audit, _naive
from . import rows as record
from .database import records

_PARTY_COLUMNS = record.select(record.PARTY_COLUMNS)


class HearingPartiesStore:
    """The ``Store``'s høringsinstanser (mixed into ``Store``)."""

    def add_hearing_party(
        self,
        consultation_id: str,
        name: str,
        sender_type: SenderType,
        sent_on: date | None,
        frist: datetime | None,
        actor: str | None = None,
    ) -> HearingParty | None:
        """A høringsinstans on a consultation's list; ``None`` (nothing written) when one of
        that name (in any case) is already on it. With an ``actor``, audited."""
        with self._transaction() as cur:
            # the name once per consultation in any case: its key first (migration 28)
            party_id = cur.execute("SELECT nextval('hearing_party_id_seq')").fetchall()[0][0]
            if not cur.execute(
                """INSERT INTO party_name_keys (consultation_id, name_key, party_id)
                   VALUES (?, lower(?), ?) ON CONFLICT DO NOTHING RETURNING party_id""",
                (consultation_id, name, party_id),
            ).fetchall():
                return None
            found = records(
                cur.execute(
                    f"""INSERT INTO hearing_parties (id, consultation_id, name, sender_type, sent_on,
                        frist, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_PARTY_COLUMNS}""",
                    (
                        party_id,
                        consultation_id,
                        name,
                        sender_type.value,
                        sent_on,
                        _naive(frist) if frist else None,
                        _naive(datetime.now(UTC)),
                    ),
                )
            )
            party = record.party(found[0])
            if actor:
                _audit(cur, actor, "hearing_party.add", "consultation", consultation_id, None, _party_snapshot(party))
        return party

    def hearing_party(self, party_id: int) -> HearingParty | None:
        rows = self._records(f"SELECT {_PARTY_COLUMNS} FROM hearing_parties WHERE id = ?", (party_id,))
        return record.party(rows[0]) if rows else None

    def hearing_parties(self, consultation_id: str) -> list[HearingParty]:
        rows = self._records(
            f"SELECT {_PARTY_COLUMNS} FROM hearing_parties WHERE consultation_id = ? ORDER BY id",
            (consultation_id,),
        )
        return [record.party(r) for r in rows]

    def update_hearing_party(self, party: HearingParty, actor: str | None) -> None:
        """Replace a høringsinstans's date sent, own frist and answer; with an ``actor``
        (staff), audited."""
        with self._transaction() as cur:
            rows = records(cur.execute(f"SELECT {_PARTY_COLUMNS} FROM hearing_parties WHERE id = ?", (party.id,)))
            if not rows:
                raise NotFound("hearing.unknown")
            cur.execute(
                "UPDATE hearing_parties SET sent_on = ?, frist = ?, input_id = ? WHERE id = ?",
                (party.sent_on, _naive(party.frist) if party.frist else None, party.input_id, party.id),
            )
            if actor:
                _audit(
                    cur,
                    actor,
                    "hearing_party.edit",
                    "consultation",
                    party.consultation_id,
                    _party_snapshot(record.party(rows[0])),
                    _party_snapshot(party),
                )

    def delete_hearing_party(self, party_id: int, actor: str) -> None:
        with self._transaction() as cur:
            rows = records(cur.execute(f"SELECT {_PARTY_COLUMNS} FROM hearing_parties WHERE id = ?", (party_id,)))
            if not rows:
                return
            cur.execute("DELETE FROM party_name_keys WHERE party_id = ?", (party_id,))
            cur.execute("DELETE FROM hearing_parties WHERE id = ?", (party_id,))
            party = record.party(rows[0])
            _audit(
                cur, actor, "hearing_party.delete", "consultation", party.consultation_id, _party_snapshot(party), None
            )

    def party_overview(self, unresolved: Sequence[ObjectionStatus]) -> dict[str, tuple[int, int]]:
        """Per consultation: ``(innsigelser with an ``unresolved`` status whose input is not
        hidden, høringsinstanser without an answer)``."""
        rows = self._rows(
            """SELECT c.id,
                   (SELECT count(*) FROM inputs i WHERE i.consultation_id = c.id
                     AND i.objection = ? AND i.status <> ?
                     AND i.objection_status = ANY(?)),
                   (SELECT count(*) FROM hearing_parties hp WHERE hp.consultation_id = c.id
                     AND hp.input_id IS NULL)
               FROM consultations c""",
            (Objection.INNSIGELSE.value, InputStatus.HIDDEN.value, [s.value for s in unresolved]),
        )
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def _party_snapshot(p: HearingParty) -> str:
    return json.dumps(
        {
            "name": p.name,
            "sender_type": p.sender_type.value,
            "sent_on": p.sent_on.isoformat() if p.sent_on else None,
            "frist": p.frist.isoformat() if p.frist else None,
            "input_id": p.input_id,
        },
        ensure_ascii=False,
    )
