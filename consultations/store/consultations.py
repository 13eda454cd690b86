"""Consultations in the store: the consultation itself (created, edited, renamed while a
draft, deleted while it has no inputs), its list with counts, its documents and the
context layers staff put on its map. Every change by staff is audited in its transaction."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from .. import geo
from ..errors import Conflict, NotFound
from ..model import Consultation, ConsultationListing, ContextLayer, Document, DocumentKind, LayerKind
from .audit import _audit, _naive
from .database import _remembered, _steady, records
from .inputs import NOT_CLASS
from . import rows as record

_CONSULTATION_COLUMNS = record.select(record.CONSULTATION_COLUMNS)
_DOCUMENT_COLUMNS = record.select(record.DOCUMENT_COLUMNS)
_LAYER_COLUMNS = record.select(record.LAYER_COLUMNS)


class ConsultationsStore:
    """The ``Store``'s consultations, documents and context layers (mixed into ``Store``)."""

    def is_empty(self) -> bool:
        return not self._value("SELECT count(*) FROM consultations")

    def add_consultation(self, c: Consultation, actor: str | None = None) -> None:
        """A new consultation; with an ``actor`` (staff), written to the audit log too."""
        with self._transaction() as cur:
            values = record.consultation_values(c) | {"created_at": _naive(datetime.now(UTC))}
            cur.execute(
                f"INSERT INTO consultations ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                tuple(values.values()),
            )
            if actor:
                _audit(cur, actor, "consultation.create", "consultation", c.id, None, _snapshot(c))

    def update_consultation(self, c: Consultation, actor: str, old_id: str | None = None) -> None:
        """Replace a consultation's fields, with before/after in the audit log. With
        ``old_id``, the consultation (a draft: no inputs) also gets the new id ``c.id``."""
        old_id = old_id or c.id
        with self._transaction() as cur:
            rows = records(cur.execute(f"SELECT {_CONSULTATION_COLUMNS} FROM consultations WHERE id = ?", (old_id,)))
            if not rows:
                raise NotFound("consultation_form.unknown", id=old_id)
            before = record.consultation(rows[0])
            if old_id != c.id:
                cur.execute("UPDATE consultations SET id = ? WHERE id = ?", (c.id, old_id))
                for table in ("documents", "hearing_parties", "party_name_keys", "context_layers"):
                    cur.execute(
                        f"UPDATE {table} SET consultation_id = ? WHERE consultation_id = ?",
                        (c.id, old_id),
                    )
                _audit(cur, actor, "consultation.rename", "consultation", c.id, old_id, c.id)
            values = record.consultation_values(c)
            cur.execute(
                f"UPDATE consultations SET {', '.join(f'{name} = ?' for name in values)} WHERE id = ?",
                (*values.values(), c.id),
            )
            action = f"consultation.status.{c.status.value}" if before.status != c.status else "consultation.edit"
            _audit(cur, actor, action, "consultation", c.id, _snapshot(before), _snapshot(c))

    def delete_consultation(self, consultation_id: str, actor: str) -> None:
        """Remove a consultation that has no inputs (a draft), with its documents."""
        with self._transaction() as cur:
            rows = records(
                cur.execute(
                    f"SELECT {_CONSULTATION_COLUMNS} FROM consultations WHERE id = ?",
                    (consultation_id,),
                )
            )
            if not rows:
                raise NotFound("consultation_form.unknown", id=consultation_id)
            count = cur.execute("SELECT count(*) FROM inputs WHERE consultation_id = ?", (consultation_id,)).fetchall()[
                0
            ][0]
            if count:
                raise Conflict("lifecycle.has_inputs")
            for table in ("documents", "party_name_keys", "hearing_parties", "consultation_facts"):
                cur.execute(f"DELETE FROM {table} WHERE consultation_id = ?", (consultation_id,))
            cur.execute("DELETE FROM consultations WHERE id = ?", (consultation_id,))
            _audit(
                cur,
                actor,
                "consultation.delete",
                "consultation",
                consultation_id,
                _snapshot(record.consultation(rows[0])),
                None,
            )

    def consultation_ids(self) -> set[str]:
        return {r[0] for r in self._rows("SELECT id FROM consultations")}

    @_steady
    def get_consultation(self, consultation_id: str) -> Consultation | None:
        rows = self._records(f"SELECT {_CONSULTATION_COLUMNS} FROM consultations WHERE id = ?", (consultation_id,))
        return record.consultation(rows[0]) if rows else None

    @_remembered
    def listings(self) -> list[ConsultationListing]:
        """Every consultation with its input counts, soonest deadline first."""
        rows = self._records(
            f"""SELECT {_CONSULTATION_COLUMNS},
                   (SELECT count(*) FROM inputs i
                     WHERE i.consultation_id = c.id AND i.status = 'published' AND {NOT_CLASS})
                       AS published_count,
                   (SELECT count(*) FROM inputs i WHERE i.consultation_id = c.id) AS input_count
                FROM consultations c ORDER BY closes_at, id"""
        )
        return [
            ConsultationListing(record.consultation(r), int(r["published_count"]), int(r["input_count"])) for r in rows
        ]

    def set_use_of_input(self, consultation_id: str, text: str, actor: str) -> None:
        """What staff write about how the inputs will be used (medvirkningsrapport); audited
        with before and after."""
        with self._transaction() as cur:
            rows = cur.execute("SELECT use_of_input FROM consultations WHERE id = ?", (consultation_id,)).fetchall()
            if not rows:
                raise NotFound("consultation_form.unknown", id=consultation_id)
            before = rows[0][0] or ""
            if before == text:
                return
            cur.execute("UPDATE consultations SET use_of_input = ? WHERE id = ?", (text, consultation_id))
            _audit(cur, actor, "consultation.use_of_input", "consultation", consultation_id, before, text)

    def use_of_input(self, consultation_id: str) -> str:
        return str(self._value("SELECT use_of_input FROM consultations WHERE id = ?", (consultation_id,)) or "")

    def add_document(
        self,
        consultation_id: str,
        filename: str,
        content: bytes,
        actor: str | None,
        kind: DocumentKind = DocumentKind.ANNET,
        replaces: Document | None = None,
    ) -> int:
        """A new document; with ``replaces``, that one goes in the same transaction. With an
        ``actor`` (staff), written to the audit log too; the demo seeding has none."""
        with self._transaction() as cur:
            if replaces is not None:
                cur.execute("DELETE FROM documents WHERE id = ?", (replaces.id,))
            doc_id = cur.execute(
                """INSERT INTO documents (consultation_id, filename, content, uploaded_at, kind)
                   VALUES (?, ?, ?, ?, ?) RETURNING id""",
                (consultation_id, filename, content, _naive(datetime.now(UTC)), kind.value),
            ).fetchall()[0][0]
            before = (
                json.dumps({"document": replaces.filename, "kind": replaces.kind.value}, ensure_ascii=False)
                if replaces
                else None
            )
            if actor is None:
                return int(doc_id)
            _audit(
                cur,
                actor,
                "document.replace" if replaces else "document.add",
                "consultation",
                consultation_id,
                before,
                json.dumps({"document": filename, "kind": kind.value, "bytes": len(content)}, ensure_ascii=False),
            )
        return int(doc_id)

    @_steady
    def documents(self, consultation_id: str) -> list[Document]:
        rows = self._records(
            f"""SELECT {_DOCUMENT_COLUMNS} FROM documents
               WHERE consultation_id = ? ORDER BY id""",
            (consultation_id,),
        )
        return [record.document(r) for r in rows]

    def document(self, document_id: int) -> Document | None:
        rows = self._records(
            f"""SELECT {_DOCUMENT_COLUMNS} FROM documents
               WHERE id = ?""",
            (document_id,),
        )
        return record.document(rows[0]) if rows else None

    def document_content(self, document_id: int) -> bytes | None:
        value = self._value("SELECT content FROM documents WHERE id = ?", (document_id,))
        return None if value is None else bytes(value)

    def delete_document(self, document_id: int, actor: str) -> None:
        with self._transaction() as cur:
            rows = cur.execute(
                "SELECT consultation_id, filename FROM documents WHERE id = ?", (document_id,)
            ).fetchall()
            if not rows:
                return
            cur.execute("DELETE FROM documents WHERE id = ?", (document_id,))
            _audit(
                cur,
                actor,
                "document.delete",
                "consultation",
                rows[0][0],
                json.dumps({"document": rows[0][1]}, ensure_ascii=False),
                None,
            )

    def add_context_layer(self, layer: ContextLayer, actor: str) -> int:
        """A new layer (its ``id`` is ignored), audited in the same transaction."""
        with self._transaction() as cur:
            layer_id = cur.execute(
                """INSERT INTO context_layers (consultation_id, kind, name, legend, attribution,
                       wms_url, wms_layers, geojson, points, lines, areas, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (
                    layer.consultation_id,
                    layer.kind.value,
                    layer.name,
                    layer.legend,
                    layer.attribution,
                    layer.wms_url,
                    layer.wms_layers,
                    layer.geojson,
                    layer.points,
                    layer.lines,
                    layer.areas,
                    _naive(datetime.now(UTC)),
                ),
            ).fetchall()[0][0]
            _audit(
                cur,
                actor,
                "context_layer.add",
                "consultation",
                layer.consultation_id,
                None,
                json.dumps(_layer_summary(layer), ensure_ascii=False),
            )
        return int(layer_id)

    @_steady
    def context_layers(self, consultation_id: str) -> list[ContextLayer]:
        rows = self._records(
            f"SELECT {_LAYER_COLUMNS} FROM context_layers WHERE consultation_id = ? ORDER BY id",
            (consultation_id,),
        )
        return [record.context_layer(r) for r in rows]

    def context_layer(self, layer_id: int) -> ContextLayer | None:
        rows = self._records(f"SELECT {_LAYER_COLUMNS} FROM context_layers WHERE id = ?", (layer_id,))
        return record.context_layer(rows[0]) if rows else None

    def delete_context_layer(self, layer_id: int, actor: str) -> None:
        with self._transaction() as cur:
            rows = records(cur.execute(f"SELECT {_LAYER_COLUMNS} FROM context_layers WHERE id = ?", (layer_id,)))
            if not rows:
                return
            layer = record.context_layer(rows[0])
            cur.execute("DELETE FROM context_layers WHERE id = ?", (layer_id,))
            _audit(
                cur,
                actor,
                "context_layer.delete",
                "consultation",
                layer.consultation_id,
                json.dumps(_layer_summary(layer), ensure_ascii=False),
                None,
            )


def _snapshot(c: Consultation) -> str:
    """A consultation as the audit log keeps it: every field, the area as its bounds."""
    return json.dumps(
        {
            "title": c.title,
            "summary": c.summary,
            "body": c.body,
            "plan_type": c.plan_type.value,
            "plan_id": c.plan_id,
            "stage": c.stage.value,
            "status": c.status.value,
            "opens_at": c.opens_at.isoformat(),
            "closes_at": c.closes_at.isoformat(),
            "area_bounds": geo.bounds(c.area),
            "categories": list(c.categories),
            "moderation": c.moderation.value,
            "contact": dataclasses.asdict(c.contact),
            "questions": [q.as_dict() for q in c.questions],
            "translations": c.translations,
            "case_number": c.case_number,
            "announced_on": c.announced_on.isoformat() if c.announced_on else None,
            "announced_where": c.announced_where,
            "proposer": {**dataclasses.asdict(c.proposer), "recipient": c.proposer.recipient.value},
            "shapes": [shape.value for shape in c.shapes],
        },
        ensure_ascii=False,
    )


def _layer_summary(layer: ContextLayer) -> dict[str, object]:
    """A layer as the audit log keeps it: everything but the features themselves."""
    summary = {"layer": layer.name, "kind": layer.kind.value, "legend": layer.legend}
    if layer.kind == LayerKind.WMS:
        summary |= {"url": layer.wms_url, "layers": layer.wms_layers}
    else:
        summary |= {"points": layer.points, "lines": layer.lines, "areas": layer.areas}
    return summary
