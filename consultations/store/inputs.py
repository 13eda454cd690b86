"""Inputs (merknader, innspill) and supports in the store: storing one (once per submission
token, and once per text from one address), reading them as residents and planners see
them, their attachments and photos, their receipt addresses, and removing or anonymising
one at a resident's request."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

from ..errors import DuplicateText, NotFound, SupportedFromAddress
from ..model import Attachment, Channel, Input, InputStatus, MapPoint, Objection, ObjectionStatus, Photo, SenderType
from .archive import ArchivedInput
from .audit import _audit, _naive
from .database import _remembered
from .rows import (
    ATTACHMENT_COLUMNS,
    INPUT_COLUMNS,
    INPUT_SELECT,
    MAP_POINT_COLUMNS,
    attachment,
    input_,
    map_point,
    photo,
    select,
)

# A pupil's route or place (classes.py) is never one of the consultation's inputs as
# residents or the ordinary review, exports and reports see them: the class views show
# them, and the public sees only a published class's summary (public.class_result).
NOT_CLASS = "NOT EXISTS (SELECT 1 FROM class_inputs ci WHERE ci.input_id = i.id)"


def _text_key(cur, racing: bool, consultation_id: str, address_hash: str, text: str, input_id: int) -> bool:
    """The input's text key (migration 28): ``False`` when the same text came from this
    address before (its key is taken). ``racing``: other processes may insert one meanwhile."""
    key = (consultation_id, address_hash, text_hash(text))
    if racing:
        return bool(
            cur.execute(
                """INSERT INTO input_text_keys (consultation_id, address_hash, text_hash, input_id)
                   VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING input_id""",
                (*key, input_id),
            ).fetchall()
        )
    taken = cur.execute(
        "SELECT 1 FROM input_text_keys WHERE consultation_id = ? AND address_hash = ? AND text_hash = ?", key
    ).fetchall()
    if not taken:
        cur.execute(
            "INSERT INTO input_text_keys (consultation_id, address_hash, text_hash, input_id) VALUES (?, ?, ?, ?)",
            (*key, input_id),
        )
    return not taken


class InputsStore:
    """The ``Store``'s inputs, supports, attachments and receipts (mixed into ``Store``)."""

    def add_input(
        self,
        *,
        consultation_id: str,
        category: str,
        text: str,
        lat: float | None,
        lon: float | None,
        east: float | None,
        north: float | None,
        age_group: str | None,
        relation: str | None,
        channel: Channel,
        status: InputStatus,
        session_hash: str | None,
        token: str | None,
        created_at: datetime,
        answers: dict[str, object] | None = None,
        sender_type: SenderType | None = None,
        sender_name: str | None = None,
        actor: str | None = None,
        address_hash: str | None = None,
        sender_address: str | None = None,
        sender_property: str | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
        objection: Objection | None = None,
        photos: Sequence[tuple[str, str, bytes, str, bytes]] = (),
        drawing: str | None = None,
        measure: float | None = None,
    ) -> tuple[Input, bool]:
        """Store one input; with a token seen before, return that input and ``False``.

        ``attachments`` are ``(filename, media_type, content)`` and ``photos``
        ``(filename, media_type, content, alt_text, thumbnail)``, already checked; they are
        stored with the input or not at all. With an ``actor`` (staff registering a letter,
        an e-mail …) the audit log gets it too.
        """
        # Another process may store the same token or text key between the checks and the
        # inserts only on PostgreSQL; there ON CONFLICT settles it. A DuckDB file has one
        # process, whose write lock holds the checks and inserts together: a plain insert
        # (ON CONFLICT cost ~3 ms of a resident's send, issue 26).
        racing = self.shared
        with self._transaction(only_inputs=True) as cur:
            existing = (
                cur.execute("SELECT id FROM inputs WHERE submission_token = ?", (token,)).fetchall() if token else []
            )
            inserted = (
                []
                if existing
                else cur.execute(
                    """INSERT INTO inputs (consultation_id, category, text, lat, lon, east, north,
                       age_group, relation, channel, status, session_hash, submission_token,
                       created_at, answers, sender_type, sender_name, address_hash,
                       sender_address, sender_property, objection, objection_status,
                       drawing, measure)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
                    + (" ON CONFLICT (submission_token) DO NOTHING" if racing else "")
                    + " RETURNING id",
                    (
                        consultation_id,
                        category,
                        text,
                        lat,
                        lon,
                        east,
                        north,
                        age_group,
                        relation,
                        channel.value,
                        status.value,
                        session_hash,
                        token or None,
                        _naive(created_at),
                        json.dumps(answers or {}, ensure_ascii=False),
                        sender_type.value if sender_type else None,
                        sender_name,
                        address_hash,
                        sender_address,
                        sender_property,
                        objection.value if objection else None,
                        _objection_status(objection),
                        drawing,
                        measure,
                    ),
                ).fetchall()
            )
            if not existing and not inserted:  # another process stored this token meanwhile
                existing = cur.execute("SELECT id FROM inputs WHERE submission_token = ?", (token,)).fetchall()
            # the same text from this address before: its key (migration 28) refuses this
            # one, and the input just inserted goes with the transaction
            if (
                inserted
                and address_hash
                and not _text_key(cur, racing, consultation_id, address_hash, text, inserted[0][0])
            ):
                raise DuplicateText()
            if existing:
                new_id, created = existing[0][0], False
            else:
                new_id, created = inserted[0][0], True
                for filename, media_type, content in attachments:
                    cur.execute(
                        """INSERT INTO input_attachments (input_id, filename, media_type,
                               content, created_at) VALUES (?, ?, ?, ?, ?)""",
                        (new_id, filename, media_type, content, _naive(created_at)),
                    )
                for filename, media_type, content, alt_text, thumbnail in photos:
                    cur.execute(
                        """INSERT INTO input_attachments (input_id, filename, media_type,
                               content, created_at, alt_text, thumbnail) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                        (new_id, filename, media_type, content, _naive(created_at), alt_text, thumbnail),
                    )
                if actor:
                    _audit(
                        cur,
                        actor,
                        f"input.register.{channel.value}",
                        "input",
                        str(new_id),
                        None,
                        json.dumps(
                            {
                                "consultation": consultation_id,
                                "category": category,
                                "objection": objection.value if objection else None,
                            },
                            ensure_ascii=False,
                        ),
                    )
        # a new input has no supports yet: read without counting them (a join, in DuckDB)
        stored = self.get_input(int(new_id)) if not created else self._new_input(int(new_id))
        assert stored is not None
        return stored, created

    def _new_input(self, input_id: int) -> Input | None:
        """``get_input`` of an input just stored, which no one can have supported yet."""
        rows = self._records(
            f"SELECT {select(INPUT_COLUMNS, 'i')}, 0 AS supports FROM inputs i WHERE i.id = ?", (input_id,)
        )
        return input_(rows[0]) if rows else None

    def bulk_add_inputs(
        self,
        consultation_id: str,
        rows: Sequence[tuple[str, str, float | None, float | None, float | None, float | None, datetime]],
        channel: Channel,
        status: InputStatus,
    ) -> None:
        """Many inputs in one transaction (imports, synthetic data):
        rows of ``(category, text, lat, lon, east, north, created_at)``."""
        with self._transaction() as cur:
            cur.executemany(
                """INSERT INTO inputs (consultation_id, category, text, lat, lon, east, north,
                       channel, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (consultation_id, cat, text, lat, lon, east, north, channel.value, status.value, _naive(created))
                    for cat, text, lat, lon, east, north, created in rows
                ],
            )

    def delete_input(self, input_id: int, actor: str, reason: str) -> None:
        """Remove an input for good (a resident's request), with its supports, themes and
        response; the audit log keeps that it happened, not what it said."""
        with self._transaction() as cur:
            rows = cur.execute("SELECT consultation_id, archived_at FROM inputs WHERE id = ?", (input_id,)).fetchall()
            if not rows:
                raise NotFound("planning.error.delete_unknown")
            if rows[0][1] is not None:
                raise ArchivedInput(input_id)
            for table in (
                "supports",
                "input_themes",
                "responses",
                "input_attachments",
                "merknad_points",
                "innsigelse_status_changes",
                "input_text_keys",
            ):
                cur.execute(f"DELETE FROM {table} WHERE input_id = ?", (input_id,))
            cur.execute("UPDATE inputs SET duplicate_of = NULL WHERE duplicate_of = ?", (input_id,))
            cur.execute("UPDATE hearing_parties SET input_id = NULL WHERE input_id = ?", (input_id,))
            cur.execute("DELETE FROM inputs WHERE id = ?", (input_id,))
            _audit(
                cur,
                actor,
                "input.delete",
                "input",
                str(input_id),
                json.dumps({"consultation": rows[0][0]}),
                json.dumps({"reason": reason}, ensure_ascii=False),
            )

    def anonymise(self, consultation_id: str, actor: str) -> int:
        """Remove optional profile data, sender names, session and address hashes and the
        answers to questions from a consultation's inputs; keep the inputs and responses.
        Returns how many inputs were touched."""
        with self._transaction() as cur:
            count = cur.execute("SELECT count(*) FROM inputs WHERE consultation_id = ?", (consultation_id,)).fetchall()[
                0
            ][0]
            cur.execute(
                """UPDATE inputs SET age_group = NULL, relation = NULL, sender_name = NULL,
                       sender_address = NULL, sender_property = NULL, session_hash = NULL, address_hash = NULL, answers = '{}',
                       submission_token = NULL
                   WHERE consultation_id = ?""",
                (consultation_id,),
            )
            # supports keep their session hashes: random per browser session, and with the
            # inputs' session hashes gone they link to no input any more; address hashes go
            cur.execute(
                """UPDATE supports SET address_hash = NULL, day = NULL WHERE input_id IN
                   (SELECT id FROM inputs WHERE consultation_id = ?)""",
                (consultation_id,),
            )
            cur.execute("DELETE FROM input_text_keys WHERE consultation_id = ?", (consultation_id,))  # with them
            _audit(
                cur,
                actor,
                "consultation.anonymise",
                "consultation",
                consultation_id,
                None,
                json.dumps({"inputs": count}),
            )
        return int(count)

    def anonymise_input(self, input_id: int, text: str, actor: str, reason: str) -> None:
        """What a resident's request to delete does to a merknad already in the archive: the
        text as given (masked by the caller), no sender, profile, answers or hashes; the
        journalpost numbers stay. The audit log keeps who, when and why."""
        with self._transaction() as cur:
            rows = cur.execute("SELECT consultation_id FROM inputs WHERE id = ?", (input_id,)).fetchall()
            if not rows:
                raise KeyError(input_id)
            cur.execute(
                """UPDATE inputs SET text = ?, sender_name = NULL, sender_address = NULL,
                       sender_property = NULL, age_group = NULL, relation = NULL,
                       answers = '{}', session_hash = NULL, address_hash = NULL,
                       submission_token = NULL, anonymised_at = ?
                   WHERE id = ?""",
                (text, _naive(datetime.now(UTC)), input_id),
            )
            cur.execute("UPDATE supports SET address_hash = NULL, day = NULL WHERE input_id = ?", (input_id,))
            cur.execute("DELETE FROM input_text_keys WHERE input_id = ?", (input_id,))  # with its address hash
            _audit(
                cur,
                actor,
                "input.anonymise",
                "input",
                str(input_id),
                json.dumps({"consultation": rows[0][0]}),
                json.dumps({"reason": reason}, ensure_ascii=False),
            )

    def input_with_token(self, token: str) -> Input | None:
        """The input a submission token already stored (a double click), if any."""
        value = self._value("SELECT id FROM inputs WHERE submission_token = ?", (token,))
        return None if value is None else self.get_input(int(value))

    def sent_in_session(self, input_id: int, session_hash: str) -> bool:
        """Whether the input was sent from the browser session with this hash."""
        return bool(
            self._value(
                "SELECT count(*) FROM inputs WHERE id = ? AND session_hash = ?",
                (input_id, session_hash),
            )
        )

    def get_input(self, input_id: int) -> Input | None:
        rows = self._records(
            f"SELECT {INPUT_SELECT} FROM inputs i WHERE i.id = ?",
            (input_id,),
        )
        return input_(rows[0]) if rows else None

    @_remembered
    def published_inputs(
        self,
        consultation_id: str,
        categories: Sequence[str] = (),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Input]:
        """Published inputs, newest first, optionally only some categories."""
        sql = (
            f"SELECT {INPUT_SELECT} FROM inputs i "
            f"WHERE i.consultation_id = ? AND i.status = 'published' AND {NOT_CLASS}"
        )
        params: list[object] = [consultation_id]
        if categories:
            sql += " AND i.category = ANY(?)"
            params.append(list(categories))
        sql += " ORDER BY i.created_at DESC, i.id DESC"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [input_(r) for r in self._records(sql, params)]

    @_remembered
    def count_published(self, consultation_id: str, categories: Sequence[str] = ()) -> int:
        sql = f"SELECT count(*) FROM inputs i WHERE i.consultation_id = ? AND i.status = 'published' AND {NOT_CLASS}"
        params: list[object] = [consultation_id]
        if categories:
            sql += " AND i.category = ANY(?)"
            params.append(list(categories))
        return int(self._value(sql, params) or 0)

    def map_points(self, consultation_id: str) -> list[MapPoint]:
        """Published inputs that have a location (and their drawn route or area, if any):
        what the consultation map draws."""
        rows = self._records(
            f"""SELECT {select(MAP_POINT_COLUMNS)} FROM inputs i
               WHERE consultation_id = ? AND status = 'published' AND lat IS NOT NULL
                 AND {NOT_CLASS}
               ORDER BY id""",
            (consultation_id,),
        )
        return [map_point(r) for r in rows]

    def all_inputs(self, consultation_id: str) -> list[Input]:
        """Every input whatever its status, oldest first (exports); pupils' are the classes'."""
        rows = self._records(
            f"SELECT {INPUT_SELECT} FROM inputs i WHERE i.consultation_id = ? AND {NOT_CLASS} ORDER BY i.id",
            (consultation_id,),
        )
        return [input_(r) for r in rows]

    def input_usage(self, consultation_id: str) -> tuple[list[tuple[float, float]], set[str]]:
        """Where the consultation's inputs are ``(lat, lon)`` and which categories they use:
        what an edit must not orphan."""
        rows = self._rows("SELECT lat, lon, category FROM inputs WHERE consultation_id = ?", (consultation_id,))
        return [(r[0], r[1]) for r in rows if r[0] is not None], {r[2] for r in rows}

    def add_support(
        self,
        input_id: int,
        session_hash: str,
        address_hash: str | None = None,
        day: date | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Record one support; ``False`` when this session already supports the input or the
        input is not published. With an ``address_hash`` and a ``day``, a second support
        from that address on that day raises ``SupportedFromAddress`` (a new tab is a new
        session, but not a new resident); a unique index makes it a database rule."""
        with self._transaction(only_inputs=True) as cur:
            self._backend.lock(cur, f"supports:{input_id}")  # the checks below, across processes
            published = cur.execute(
                f"SELECT count(*) FROM inputs i WHERE id = ? AND status = 'published' AND {NOT_CLASS}",
                (input_id,),
            ).fetchall()[0][0]
            if not published:
                return False
            if cur.execute(
                "SELECT count(*) FROM supports WHERE input_id = ? AND session_hash = ?",
                (input_id, session_hash),
            ).fetchall()[0][0]:
                return False
            if (
                address_hash
                and day
                and cur.execute(
                    """SELECT count(*) FROM supports
                   WHERE input_id = ? AND address_hash = ? AND day = ?""",
                    (input_id, address_hash, day),
                ).fetchall()[0][0]
            ):
                raise SupportedFromAddress()
            inserted = cur.execute(
                """INSERT INTO supports (input_id, session_hash, created_at, address_hash, day)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING input_id""",
                (
                    input_id,
                    session_hash,
                    _naive(now or datetime.now(UTC)),
                    address_hash if day else None,
                    day if address_hash else None,
                ),
            ).fetchall()
            return bool(inserted)

    @_remembered
    def supported_by(self, consultation_id: str, session_hash: str) -> set[int]:
        # Asked once per new session: almost always one that has supported nothing yet, so a
        # plain filter first. Every DuckDB query that builds a hash table (a join) leaves
        # ~7 kB of the C heap behind (its buffer manager's handles, ~40 MB before it levels
        # off): a join per resident was what a soak's memory grew by (docs/perf/perf.md).
        if not self._rows("SELECT 1 FROM supports WHERE session_hash = ? LIMIT 1", (session_hash,)):
            return set()
        rows = self._rows(
            """SELECT s.input_id FROM supports s JOIN inputs i ON i.id = s.input_id
               WHERE i.consultation_id = ? AND s.session_hash = ?""",
            (consultation_id, session_hash),
        )
        return {int(r[0]) for r in rows}

    def attachments(self, input_id: int) -> list[Attachment]:
        rows = self._records(
            f"""SELECT {select(ATTACHMENT_COLUMNS)}
               FROM input_attachments WHERE input_id = ? ORDER BY id""",
            (input_id,),
        )
        return [attachment(r) for r in rows]

    def attachment_content(self, attachment_id: int) -> tuple[Attachment, bytes] | None:
        rows = self._records(
            f"""SELECT {select(ATTACHMENT_COLUMNS)}, content
               FROM input_attachments WHERE id = ?""",
            (attachment_id,),
        )
        return (attachment(rows[0]), bytes(rows[0]["content"])) if rows else None

    @_remembered
    def published_photos(self, consultation_id: str) -> list[Photo]:
        """The photos of the consultation's published inputs, as thumbnails: what residents
        may see (an input held for moderation or hidden shows none)."""
        rows = self._records(
            f"""SELECT a.id, a.input_id, a.alt_text, a.thumbnail FROM input_attachments a
               JOIN inputs i ON i.id = a.input_id
               WHERE i.consultation_id = ? AND i.status = 'published' AND a.alt_text IS NOT NULL
                 AND {NOT_CLASS}
               ORDER BY a.input_id, a.id""",
            (consultation_id,),
        )
        return [photo(r) for r in rows]

    @_remembered
    def count_photos(self, consultation_id: str) -> int:
        """Photos sent with the consultation's inputs, whatever their status."""
        return int(
            self._value(
                """SELECT count(*) FROM input_attachments a JOIN inputs i ON i.id = a.input_id
                   WHERE i.consultation_id = ? AND a.alt_text IS NOT NULL""",
                (consultation_id,),
            )
            or 0
        )

    def photo_files(self, consultation_id: str) -> list[tuple[int, str, str, str, bytes]]:
        """Every photo of the consultation's inputs, whatever their status (exports, for
        planners): ``(input_id, filename, media_type, alt_text, content)``."""
        rows = self._rows(
            """SELECT a.input_id, a.filename, a.media_type, a.alt_text, a.content
               FROM input_attachments a JOIN inputs i ON i.id = a.input_id
               WHERE i.consultation_id = ? AND a.alt_text IS NOT NULL ORDER BY a.input_id, a.id""",
            (consultation_id,),
        )
        return [(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]

    def add_receipt_token(self, input_id: int, token_hash: str) -> None:
        """A receipt address for the input: only the token's hash is kept."""
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO receipt_tokens (token_hash, input_id, created_at) VALUES (?, ?, ?)",
                (token_hash, input_id, _naive(datetime.now(UTC))),
            )

    def receipt_token_input(self, token_hash: str) -> int | None:
        """The input whose receipt address has this token hash, if any."""
        value = self._value("SELECT input_id FROM receipt_tokens WHERE token_hash = ?", (token_hash,))
        return None if value is None else int(value)

    def receipt_token_of(self, input_id: int) -> bool:
        """Whether the input has a receipt address already."""
        return bool(self._value("SELECT count(*) FROM receipt_tokens WHERE input_id = ?", (input_id,)))


def text_hash(text: str) -> str:
    """What the key on repeated texts compares: ``md5(text)`` as SQL computes it (migration
    28 filled the key with it), a fixed length as a text may be longer than an index entry."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _objection_status(objection: Objection | None) -> str | None:
    """An innsigelse starts open; faglig råd has no status."""
    return ObjectionStatus.OPEN.value if objection == Objection.INNSIGELSE else None
