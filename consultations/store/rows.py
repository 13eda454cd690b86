"""Rows and model objects, mapped by column name, once.

Each table the store reads whole has its columns named here (``*_COLUMNS``, a tuple of
names), a ``select`` list made from them, and a function that builds the model object
from a row as a mapping (``Database._records``): a column added, removed or moved in a
query can never shift another into the wrong field. Writes of a whole consultation take
its values by the same names (``consultation_values``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .. import geo
from ..model import (
    Address,
    Attachment,
    AuditEntry,
    Channel,
    ClassSession,
    Consultation,
    Contact,
    ContextLayer,
    Document,
    DocumentKind,
    HearingParty,
    Input,
    InputStatus,
    LayerKind,
    MapPoint,
    MerknadRecipient,
    Moderation,
    NotMerknad,
    Objection,
    ObjectionStatus,
    Outcome,
    Photo,
    PlanType,
    Proposer,
    Question,
    Response,
    Role,
    SenderType,
    Shape,
    Stage,
    Status,
    User,
)
from .audit import _naive, _utc

Row = Mapping[str, Any]


def select(columns: tuple[str, ...], prefix: str = "") -> str:
    """A SELECT list of ``columns``, each qualified by ``prefix`` (a table alias) if given."""
    return ", ".join(f"{prefix}.{name}" if prefix else name for name in columns)


def _when(value: Any, build: Any) -> Any:
    """``build(value)``, or None for a missing (NULL or empty) value."""
    return build(value) if value else None


# -- consultations ----------------------------------------------------------------------

CONSULTATION_COLUMNS = (
    "id",
    "title",
    "summary",
    "body",
    "plan_type",
    "plan_id",
    "stage",
    "status",
    "opens_at",
    "closes_at",
    "area_geojson",
    "categories",
    "moderation",
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "is_demo",
    "questions",
    "translations",
    "case_number",
    "announced_on",
    "announced_where",
    "proposer_name",
    "proposer_consultant",
    "proposer_recipient",
    "proposer_address",
    "shapes",
)


def consultation(r: Row) -> Consultation:
    return Consultation(
        id=r["id"],
        title=r["title"],
        summary=r["summary"],
        body=r["body"],
        plan_type=PlanType(r["plan_type"]),
        plan_id=r["plan_id"],
        stage=Stage(r["stage"]),
        status=Status(r["status"]),
        opens_at=_utc(r["opens_at"]),
        closes_at=_utc(r["closes_at"]),
        area=geo.area_from_geojson(r["area_geojson"]),
        categories=tuple(r["categories"]),
        moderation=Moderation(r["moderation"]),
        contact=Contact(
            r["contact_name"] or "",
            r["contact_role"] or "",
            r["contact_email"] or "",
            r["contact_phone"] or "",
        ),
        is_demo=bool(r["is_demo"]),
        questions=tuple(Question.from_dict(q) for q in json.loads(r["questions"])),
        translations=json.loads(r["translations"] or "{}"),
        case_number=r["case_number"] or "",
        announced_on=r["announced_on"],
        announced_where=r["announced_where"] or "",
        proposer=Proposer(
            name=r["proposer_name"] or "",
            consultant=r["proposer_consultant"] or "",
            recipient=MerknadRecipient(r["proposer_recipient"] or "kommunen"),
            address=r["proposer_address"] or "",
        ),
        shapes=tuple(Shape(v) for v in json.loads(r["shapes"])) if r["shapes"] else (Shape.POINT,),
    )


def consultation_values(c: Consultation) -> dict[str, object]:
    """A consultation's ``CONSULTATION_COLUMNS`` as the table stores them."""
    return {
        "id": c.id,
        "title": c.title,
        "summary": c.summary,
        "body": c.body,
        "plan_type": c.plan_type.value,
        "plan_id": c.plan_id,
        "stage": c.stage.value,
        "status": c.status.value,
        "opens_at": _naive(c.opens_at),
        "closes_at": _naive(c.closes_at),
        "area_geojson": geo.area_to_geojson(c.area),
        "categories": list(c.categories),
        "moderation": c.moderation.value,
        "contact_name": c.contact.name,
        "contact_role": c.contact.role,
        "contact_email": c.contact.email,
        "contact_phone": c.contact.phone,
        "is_demo": c.is_demo,
        "questions": json.dumps([q.as_dict() for q in c.questions], ensure_ascii=False),
        "translations": json.dumps(c.translations, ensure_ascii=False),
        "case_number": c.case_number,
        "announced_on": c.announced_on,
        "announced_where": c.announced_where,
        "proposer_name": c.proposer.name,
        "proposer_consultant": c.proposer.consultant,
        "proposer_recipient": c.proposer.recipient.value,
        "proposer_address": c.proposer.address,
        "shapes": json.dumps([shape.value for shape in c.shapes]),
    }


# -- inputs -----------------------------------------------------------------------------

INPUT_COLUMNS = (
    "id",
    "consultation_id",
    "category",
    "text",
    "lat",
    "lon",
    "status",
    "channel",
    "created_at",
    "age_group",
    "relation",
    "east",
    "north",
    "answers",
    "sender_type",
    "sender_name",
    "hidden_reason",
    "duplicate_of",
    "sender_address",
    "sender_property",
    "objection",
    "objection_status",
    "not_merknad",
    "not_merknad_note",
    "drawing",
    "measure",
)
# an input as residents and staff see it: its columns and how many support it
INPUT_SELECT = f"{select(INPUT_COLUMNS, 'i')}, (SELECT count(*) FROM supports s WHERE s.input_id = i.id) AS supports"


def input_(r: Row) -> Input:
    return Input(
        id=int(r["id"]),
        consultation_id=r["consultation_id"],
        category=r["category"],
        text=r["text"],
        lat=r["lat"],
        lon=r["lon"],
        status=InputStatus(r["status"]),
        channel=Channel(r["channel"]),
        created_at=_utc(r["created_at"]),
        age_group=r["age_group"],
        relation=r["relation"],
        east=r["east"],
        north=r["north"],
        answers=json.loads(r["answers"]),
        sender_type=_when(r["sender_type"], SenderType),
        sender_name=r["sender_name"],
        hidden_reason=r["hidden_reason"],
        duplicate_of=r["duplicate_of"],
        sender_address=r["sender_address"],
        sender_property=r["sender_property"],
        objection=_when(r["objection"], Objection),
        objection_status=_when(r["objection_status"], ObjectionStatus),
        not_merknad=_when(r["not_merknad"], NotMerknad),
        not_merknad_note=r["not_merknad_note"],
        drawing=r["drawing"],
        measure=r["measure"],
        supports=int(r["supports"]),
    )


MAP_POINT_COLUMNS = ("lat", "lon", "category", "text", "id", "drawing", "measure")


def map_point(r: Row) -> MapPoint:
    return MapPoint(
        lat=r["lat"],
        lon=r["lon"],
        category=r["category"],
        text=r["text"],
        input_id=r["id"],
        drawing=r["drawing"],
        measure=r["measure"],
    )


ATTACHMENT_COLUMNS = ("id", "input_id", "filename", "media_type", "octet_length(content) AS size")


def attachment(r: Row) -> Attachment:
    return Attachment(
        id=r["id"],
        input_id=r["input_id"],
        filename=r["filename"],
        media_type=r["media_type"],
        size=r["size"],
    )


def photo(r: Row) -> Photo:
    return Photo(id=r["id"], input_id=r["input_id"], alt_text=r["alt_text"], thumbnail=bytes(r["thumbnail"]))


def response(r: Row) -> Response:
    return Response(
        input_id=int(r["input_id"]),
        summary=r["summary"],
        assessment=r["assessment"],
        outcome=Outcome(r["outcome"]),
        plan_change=r["plan_change"],
        author=r["author"],
        updated_at=_utc(r["updated_at"]),
    )


@dataclasses.dataclass(frozen=True)
class ArchiveRecord:
    """Where one input stands with the archive."""

    archived_at: datetime | None  # first sent (aware UTC); None: never
    journal_year: int | None = None
    journal_sequence: int | None = None
    journalpost_number: int | None = None
    anonymised_at: datetime | None = None


ARCHIVE_COLUMNS = (
    "id",
    "archived_at",
    "journal_year",
    "journal_sequence",
    "journalpost_number",
    "anonymised_at",
)


def archive_record(r: Row) -> ArchiveRecord:
    return ArchiveRecord(
        archived_at=_when(r["archived_at"], _utc),
        journal_year=r["journal_year"],
        journal_sequence=r["journal_sequence"],
        journalpost_number=r["journalpost_number"],
        anonymised_at=_when(r["anonymised_at"], _utc),
    )


# -- the planning side: documents, context layers, høringsinstanser, classes ------------------

DOCUMENT_COLUMNS = ("id", "consultation_id", "filename", "octet_length(content) AS size", "kind")


def document(r: Row) -> Document:
    return Document(
        id=int(r["id"]),
        consultation_id=r["consultation_id"],
        filename=r["filename"],
        size=int(r["size"]),
        kind=DocumentKind(r["kind"] or "annet"),
    )


LAYER_COLUMNS = (
    "id",
    "consultation_id",
    "kind",
    "name",
    "legend",
    "attribution",
    "wms_url",
    "wms_layers",
    "geojson",
    "points",
    "lines",
    "areas",
)


def context_layer(r: Row) -> ContextLayer:
    return ContextLayer(
        id=int(r["id"]),
        consultation_id=r["consultation_id"],
        kind=LayerKind(r["kind"]),
        name=r["name"],
        legend=r["legend"],
        attribution=r["attribution"],
        wms_url=r["wms_url"],
        wms_layers=r["wms_layers"],
        geojson=r["geojson"],
        points=int(r["points"]),
        lines=int(r["lines"]),
        areas=int(r["areas"]),
    )


PARTY_COLUMNS = ("id", "consultation_id", "name", "sender_type", "sent_on", "frist", "input_id")


def party(r: Row) -> HearingParty:
    return HearingParty(
        id=int(r["id"]),
        consultation_id=r["consultation_id"],
        name=r["name"],
        sender_type=SenderType(r["sender_type"]),
        sent_on=r["sent_on"],
        frist=_utc(r["frist"]) if r["frist"] is not None else None,
        input_id=r["input_id"],
    )


CLASS_COLUMNS = (
    "id",
    "code",
    "consultation_id",
    "school",
    "grade",
    "size",
    "lang",
    "opens_at",
    "closes_at",
    "teacher_id",
    "created_at",
    "closed_at",
    "published_at",
)


def class_session(r: Row) -> ClassSession:
    return ClassSession(
        id=int(r["id"]),
        code=r["code"],
        consultation_id=r["consultation_id"],
        school=r["school"],
        grade=r["grade"],
        size=int(r["size"]),
        lang=r["lang"],
        opens_at=_utc(r["opens_at"]),
        closes_at=_utc(r["closes_at"]),
        teacher_id=int(r["teacher_id"]),
        created_at=_utc(r["created_at"]),
        closed_at=_when(r["closed_at"], _utc),
        published_at=_when(r["published_at"], _utc),
    )


ADDRESS_COLUMNS = ("text", "postcode", "place", "gnr", "bnr", "lat", "lon", "east", "north", "key")


def address(r: Row) -> Address:
    return Address(**{name: r[name] for name in ADDRESS_COLUMNS})


# -- staff ------------------------------------------------------------------------------

USER_COLUMNS = ("id", "username", "email", "role", "active")


def user(r: Row) -> User:
    return User(
        id=int(r["id"]),
        username=r["username"],
        email=r["email"],
        role=Role(r["role"]),
        active=bool(r["active"]),
    )


AUDIT_COLUMNS = ("id", "occurred_at", "actor", "action", "object_type", "object_id", "before", "after")


def audit_entry(r: Row) -> AuditEntry:
    return AuditEntry(
        id=r["id"],
        at=_utc(r["occurred_at"]),
        actor=r["actor"],
        action=r["action"],
        object_type=r["object_type"],
        object_id=r["object_id"],
        before=r["before"],
        after=r["after"],
    )
