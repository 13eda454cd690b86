"""Where a class's school is (migration 31): the school marker on the pupils' map.

``ClassSchoolStore`` is part of ``Store`` (a base class), using its cursors, transactions
and audit log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ..model import SchoolPlace
from .audit import _audit, _naive


class ClassSchoolStore:
    def set_class_school(self, class_id: int, place: SchoolPlace, actor: str, now: datetime | None = None) -> None:
        """Place (or move) the class's school, audited as ``class.school``."""
        before = self.class_school(class_id)
        with self._transaction() as cur:
            cur.execute("DELETE FROM class_schools WHERE class_id = ?", (class_id,))
            cur.execute(
                "INSERT INTO class_schools (class_id, lat, lon, label, placed_at) VALUES (?, ?, ?, ?, ?)",
                (class_id, place.lat, place.lon, place.label, _naive(now or datetime.now(UTC))),
            )
            _audit(
                cur,
                actor,
                "class.school",
                "class",
                str(class_id),
                json.dumps(before.__dict__) if before else None,
                json.dumps(place.__dict__),
            )

    def class_school(self, class_id: int) -> SchoolPlace | None:
        rows = self._rows("SELECT lat, lon, label FROM class_schools WHERE class_id = ?", (class_id,))
        return SchoolPlace(lat=float(rows[0][0]), lon=float(rows[0][1]), label=rows[0][2]) if rows else None
