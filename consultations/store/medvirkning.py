"""The store's queries for the medvirkningsrapport (#27): the planners' «hørte → gjør»
follow-ups and their publication, the medvirkning activities, and the Barnetråkk details
of a pupil's registration. A mixin of ``Store`` (its cursor, transaction and audit helpers)
so the rest of the store stays as it was."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

from ..errors import NotFound
from .audit import _audit, _naive
from .database import _steady


class MedvirkningQueries:
    """Mixed into ``Store``: uses its ``_rows``, ``_transaction``, ``atomic``, ``add_input``
    and the audit and time helpers of audit.py."""

    # -- «hørte → gjør» ------------------------------------------------------------------

    def follow_ups(self, consultation_id: str) -> dict[str, dict[str, str]]:
        """Per theme key: ``kind``, ``follow_up``, ``reason``, ``author``."""
        rows = self._rows(
            """SELECT theme, kind, follow_up, reason, author FROM feedback_rows
               WHERE consultation_id = ? ORDER BY theme""",
            (consultation_id,),
        )
        return {r[0]: {"kind": r[1], "follow_up": r[2], "reason": r[3], "author": r[4]} for r in rows}

    def set_follow_up(
        self,
        consultation_id: str,
        theme: str,
        kind: str,
        follow_up: str,
        reason: str,
        actor: str,
        now: datetime | None = None,
    ) -> None:
        """One theme's follow-up (replacing the one before); audited with before and after.
        An empty kind and text removes it."""
        now = now or datetime.now(UTC)
        with self._transaction() as cur:
            if not cur.execute("SELECT 1 FROM consultations WHERE id = ?", (consultation_id,)).fetchall():
                raise NotFound("consultation_form.unknown", id=consultation_id)
            old = cur.execute(
                "SELECT kind, follow_up, reason FROM feedback_rows WHERE consultation_id = ? AND theme = ?",
                (consultation_id, theme),
            ).fetchall()
            before = json.dumps(dict(zip(("kind", "follow_up", "reason"), old[0], strict=True))) if old else None
            cur.execute("DELETE FROM feedback_rows WHERE consultation_id = ? AND theme = ?", (consultation_id, theme))
            after = None
            if kind or follow_up:
                cur.execute(
                    """INSERT INTO feedback_rows (consultation_id, theme, kind, follow_up, reason, author,
                           updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    (consultation_id, theme, kind, follow_up, reason, actor, _naive(now)),
                )
                after = json.dumps({"kind": kind, "follow_up": follow_up, "reason": reason})
            if before != after:
                _audit(
                    cur, actor, "consultation.follow_up", "consultation", f"{consultation_id}#{theme}", before, after
                )

    @_steady  # asked on every resident's page run (ui/medvirkning.public_view)
    def feedback_published(self, consultation_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM feedback_publication WHERE consultation_id = ?", (consultation_id,)))

    def set_feedback_published(self, consultation_id: str, published: bool, actor: str) -> None:
        with self._transaction() as cur:
            cur.execute("DELETE FROM feedback_publication WHERE consultation_id = ?", (consultation_id,))
            if published:
                cur.execute(
                    "INSERT INTO feedback_publication (consultation_id, published_at) VALUES (?, ?)",
                    (consultation_id, _naive(datetime.now(UTC))),
                )
            action = "feedback.publish" if published else "feedback.unpublish"
            _audit(cur, actor, action, "consultation", consultation_id, None, None)

    # -- how the medvirkning was run -----------------------------------------------------

    def activities(self, consultation_id: str) -> list[tuple[int, date, str, str, int | None]]:
        """``(id, held_on, place, kind, attended)``, oldest first."""
        rows = self._rows(
            """SELECT id, held_on, place, kind, attended FROM medvirkning_activities
               WHERE consultation_id = ? ORDER BY held_on, id""",
            (consultation_id,),
        )
        return [
            (
                int(r[0]),
                r[1] if isinstance(r[1], date) else date.fromisoformat(str(r[1])),
                r[2],
                r[3],
                None if r[4] is None else int(r[4]),
            )
            for r in rows
        ]

    def add_activity(
        self, consultation_id: str, held_on: date, place: str, kind: str, attended: int | None, actor: str
    ) -> int:
        with self._transaction() as cur:
            if not cur.execute("SELECT 1 FROM consultations WHERE id = ?", (consultation_id,)).fetchall():
                raise NotFound("consultation_form.unknown", id=consultation_id)
            ((new_id,),) = cur.execute(
                """INSERT INTO medvirkning_activities (consultation_id, held_on, place, kind, attended,
                       created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
                (consultation_id, held_on, place, kind, attended, _naive(datetime.now(UTC))),
            ).fetchall()
            after = json.dumps({"held_on": held_on.isoformat(), "place": place, "kind": kind, "attended": attended})
            _audit(cur, actor, "activity.add", "consultation", consultation_id, None, after)
        return int(new_id)

    def remove_activity(self, consultation_id: str, activity_id: int, actor: str) -> None:
        with self._transaction() as cur:
            gone = cur.execute(
                "DELETE FROM medvirkning_activities WHERE id = ? AND consultation_id = ? RETURNING id",
                (activity_id, consultation_id),
            ).fetchall()
            if not gone:
                raise NotFound("activities.unknown", id=activity_id)
            _audit(cur, actor, "activity.remove", "consultation", consultation_id, str(activity_id), None)

    # -- Barnetråkk details ------------------------------------------------------------

    def add_class_registration(self, *, details: dict[str, str | None], class_session, part: str, **input_fields):
        """A pupil's Barnetråkk registration: the input (``add_input``'s fields), its class
        row and its details (season, company, wished travel mode, reason), together or not
        at all; with a token seen before, the input it stored then. (Not through
        ``add_class_input``: an ``atomic()`` inside another ends the outer one's block.)"""
        with self.atomic():
            stored, created = self.add_input(consultation_id=class_session.consultation_id, **input_fields)
            if created:
                with self._transaction() as cur:
                    cur.execute(
                        "INSERT INTO class_inputs (input_id, class_id, part, transport, label) VALUES (?, ?, ?, ?, ?)",
                        (stored.id, class_session.id, part, None, None),
                    )
                    cur.execute(
                        """INSERT INTO class_input_details (input_id, season, company, wished, reason)
                           VALUES (?, ?, ?, ?, ?)""",
                        (
                            stored.id,
                            details.get("season"),
                            details.get("company"),
                            details.get("wished"),
                            details.get("reason"),
                        ),
                    )
        return stored, created

    def class_details(self, input_ids: Sequence[int]) -> dict[int, dict[str, str | None]]:
        """The Barnetråkk details of the given pupil inputs (those that have any)."""
        if not len(input_ids):
            return {}
        found: dict[int, dict[str, str | None]] = {}
        ids = [int(i) for i in input_ids]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for r in self._rows(
                f"SELECT input_id, season, company, wished, reason FROM class_input_details WHERE input_id IN ({marks})",
                chunk,
            ):
                found[int(r[0])] = {"season": r[1], "company": r[2], "wished": r[3], "reason": r[4]}
        return found

    # -- streets near a plan area (naming hotspots) ----------------------------------------

    def addresses_within(self, bounds: tuple[float, float, float, float], limit: int = 20_000):
        """``(text, lat, lon, east, north)`` of the registered addresses whose working-CRS
        point lies in ``bounds`` (min east, min north, max east, max north)."""
        return self._rows(
            """SELECT text, lat, lon, east, north FROM addresses
               WHERE east BETWEEN ? AND ? AND north BETWEEN ? AND ? ORDER BY key LIMIT ?""",
            (bounds[0], bounds[2], bounds[1], bounds[3], limit),
        )
