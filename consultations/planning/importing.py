"""A consultation from a JSON file (``import-consultation``): the builder's rules, the
documents it names, and its status, as one change — all of it is stored, or nothing.

A høring run on paper or in an earlier system may be imported after its frist (to
register its merknader and make the report): that is a warning, not a refusal.

Beside the builder's fields the file may name the høringsinstanser the høring was sent to
(``hearing_parties``: names from the profile's lists, or new ones with their sender type),
the forslagsstiller of a private plan (``proposer``), the 1. gangs vedtak that put it out
(``first_decision``: ``{"body", "date", "case"}``), the number of neighbours notified by
letter (``neighbours_notified``) and why a høring the law gives six weeks runs shorter
(``short_frist_reason``; without it such a period is refused). A ``closes`` on a Saturday,
Sunday or holiday holds on the next working day, and is refused (both dates named) unless
``frist_confirmed`` gives that day (``YYYY-MM-DD``): staff confirm what the kunngjøring says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from . import documents, hearing_parties, lifecycle
from .. import geo
from ..errors import InvalidConsultation, InvalidDocument, KartinnspillError
from ..i18n import LOCAL_TZ
from ..model import (
    Consultation,
    Contact,
    DocumentKind,
    MerknadRecipient,
    Moderation,
    PlanType,
    Proposer,
    SenderType,
    Shape,
    Stage,
    Status,
)
from ..permissions import OPERATOR
from .planprocess import END_OF_DAY
from ..store import FirstDecision, Store

MAX_FILE_BYTES = 5 * 1024 * 1024  # the JSON itself: texts and a plan area
_REQUIRED = ("id", "title", "summary", "plan_type", "stage", "opens", "closes", "area", "categories")
_OPTIONAL = (
    "body",
    "plan_id",
    "case_number",
    "announced",
    "announced_where",
    "moderation",
    "contact",
    "status",
    "documents",
    "translations",
    "shapes",
    "hearing_parties",
    "proposer",
    "first_decision",
    "short_frist_reason",
    "neighbours_notified",
    "frist_confirmed",
)
_PROPOSER_FIELDS = ("name", "consultant", "recipient", "address")
_CONTACT_FIELDS = ("name", "role", "email", "phone")
_STATUSES = (Status.DRAFT, Status.PUBLISHED)


@dataclass(frozen=True)
class PendingDocument:
    kind: DocumentKind
    name: str
    data: bytes


def import_consultation(
    store: Store,
    path: Path,
    *,
    kommunenummer: str,
    now: datetime | None = None,
    known_parties: tuple[tuple[str, SenderType], ...] = (),
) -> tuple[Consultation, list[tuple[str, dict[str, object]]]]:
    """Create the consultation ``path`` describes, or update the one with its ``id`` while
    that has no inputs; returns it and warnings as ``(key, values)``. Raises a
    ``KartinnspillError`` saying why and stores nothing when refused. A høringsinstans
    named by name alone takes its sender type from ``known_parties`` (the profile's)."""
    now = now or datetime.now(UTC)
    data = _read_json(path)
    form = _form(data)
    status = _choice(data.get("status", "draft"), "status", Status)
    if status not in _STATUSES:
        raise InvalidConsultation("import.bad_value", field="status", value=status.value)
    pending = [_document(path.parent, item, n) for n, item in enumerate(_list(data, "documents"))]
    parties = _parties(data.get("hearing_parties"), known_parties)
    with store.atomic():
        existing = store.get_consultation(form.id)
        if existing is not None and store.all_inputs(existing.id):
            raise InvalidConsultation("import.has_inputs", id=form.id)
        saved, warnings = lifecycle.save(
            store,
            form,
            OPERATOR,
            editing=existing.id if existing else None,
            kommunenummer=kommunenummer,
        )
        for doc in pending:
            documents.add_document(store, saved.id, doc.name, doc.data, OPERATOR, doc.kind)
        sent_on = saved.announced_on or saved.opens_at.astimezone(LOCAL_TZ).date()
        listed = {p.name.casefold() for p in store.hearing_parties(saved.id)}
        for name, kind in parties:
            if name.casefold() not in listed:
                hearing_parties.add(store, saved.id, name, kind, sent_on=sent_on, actor=OPERATOR)
        if status != saved.status:
            saved = lifecycle.transition(store, saved.id, status, OPERATOR)
    if saved.closes_at <= now:
        warnings.append(("import.period_ended", {"id": saved.id}))
    return saved, warnings


def _read_json(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidConsultation("import.cannot_read", path=path, reason=exc.strerror or exc) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidConsultation("import.too_large", path=path, mb=MAX_FILE_BYTES // (1024 * 1024))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidConsultation("import.not_json", path=path, reason=str(exc)) from None
    if not isinstance(data, dict):
        raise InvalidConsultation("import.not_object", path=path)
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:  # a misspelt field would otherwise be silently left out
        raise InvalidConsultation("import.unknown_field", field=unknown[0])
    for name in _REQUIRED:
        if name not in data:
            raise InvalidConsultation("import.missing_field", field=name)
    return data


def _text(data: dict, name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidConsultation("import.not_text", field=name)
    return value


def _list(data: dict, name: str) -> list:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise InvalidConsultation("import.not_list", field=name)
    return value


def _choice(value: object, name: str, kind: type):
    try:
        return kind(value)
    except ValueError:
        raise InvalidConsultation("import.bad_value", field=name, value=value) from None


def _moment(data: dict, name: str, default_time: time) -> datetime:
    """ISO 8601; Norwegian time when it has no offset; a bare date means ``default_time``."""
    value = _text(data, name).strip()
    try:
        if len(value) == 10:  # 2026-03-01
            return datetime.combine(date.fromisoformat(value), default_time, tzinfo=LOCAL_TZ)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidConsultation("import.bad_moment", field=name, value=value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def _announced(data: dict) -> date | None:
    return _day(data, "announced")


def _day(data: dict, name: str) -> date | None:
    value = _text(data, name).strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidConsultation("import.bad_date", field=name, value=value) from None


def _area(value: object):
    """A GeoJSON geometry, Feature or FeatureCollection in WGS84, as the builder takes it."""
    if not isinstance(value, dict) or value.get("type") is None:
        raise InvalidConsultation("import.bad_area")
    try:
        area = geo.area_from_geojson(value)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidConsultation("import.bad_area") from None
    minx, miny, maxx, maxy = geo.bounds(area)
    if area.is_empty or not (geo.is_valid_coordinate(miny, minx) and geo.is_valid_coordinate(maxy, maxx)):
        raise InvalidConsultation("import.bad_area")
    return area


def _contact(value: object) -> Contact:
    if value is None:
        return Contact()
    if not isinstance(value, dict) or not set(value) <= set(_CONTACT_FIELDS):
        raise InvalidConsultation("import.bad_contact")
    if not all(isinstance(v, str) for v in value.values()):
        raise InvalidConsultation("import.bad_contact")
    return Contact(**value)


def _translations(value: object) -> dict[str, dict[str, object]]:
    """``{"nn": {"title": …, "categories": {original: …}, "questions": {id: {"text": …,
    "options": […]}}}, "en": …}`` in the types the builder hands in; ``lifecycle`` checks
    the languages, the names and the lengths."""
    if value is None:
        return {}
    if not (isinstance(value, dict) and all(_translated_fields(v) for v in value.values())):
        raise InvalidConsultation("translated_labels.import_shape")
    return value


def _translated_fields(fields: object) -> bool:
    """Whether one language's translations have the builder's types."""
    if not isinstance(fields, dict):
        return False
    for name, value in fields.items():
        if name == "categories":
            ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        elif name == "questions":
            ok = isinstance(value, dict) and all(_translated_question(q) for q in value.values())
        else:
            ok = isinstance(value, str)
        if not ok:
            return False
    return True


def _translated_question(parts: object) -> bool:
    if not isinstance(parts, dict):
        return False
    options = parts.get("options", [])
    return (
        isinstance(parts.get("text", ""), str)
        and isinstance(options, list)
        and all(isinstance(o, str) for o in options)
    )


def _form(data: dict) -> lifecycle.ConsultationForm:
    categories = _list(data, "categories")
    if not all(isinstance(c, str) for c in categories):
        raise InvalidConsultation("import.not_text", field="categories")
    return lifecycle.ConsultationForm(
        id=_text(data, "id"),
        title=_text(data, "title"),
        summary=_text(data, "summary"),
        body=_text(data, "body"),
        plan_type=_choice(data["plan_type"], "plan_type", PlanType),
        plan_id=_text(data, "plan_id"),
        stage=_choice(data["stage"], "stage", Stage),
        opens_at=_moment(data, "opens", time(0, 0)).astimezone(UTC),
        closes_at=_moment(data, "closes", END_OF_DAY).astimezone(UTC),
        area=_area(data["area"]),
        categories=categories,
        moderation=_choice(data.get("moderation", "post"), "moderation", Moderation),
        contact=_contact(data.get("contact")),
        case_number=_text(data, "case_number"),
        announced_on=_announced(data),
        announced_where=_text(data, "announced_where"),
        translations=_translations(data.get("translations")),
        shapes=[_choice(v, "shapes", Shape) for v in _list(data, "shapes")] or [Shape.POINT],
        proposer=_proposer(data.get("proposer")),
        short_frist_reason=_text(data, "short_frist_reason"),
        first_decision=_first_decision(data.get("first_decision")),
        neighbours_notified=_neighbours(data.get("neighbours_notified")),
        frist_confirmed=_day(data, "frist_confirmed"),
    )


def _proposer(value: object) -> Proposer:
    """The forslagsstiller: ``{"name", "consultant", "recipient", "address"}``."""
    if value is None:
        return Proposer()
    if not (
        isinstance(value, dict)
        and set(value) <= set(_PROPOSER_FIELDS)
        and all(isinstance(v, str) for v in value.values())
    ):
        raise InvalidConsultation("letters.import.bad_proposer")
    recipient = _choice(value.get("recipient") or "kommunen", "proposer.recipient", MerknadRecipient)
    return Proposer(value.get("name", ""), value.get("consultant", ""), recipient, value.get("address", ""))


def _first_decision(value: object) -> FirstDecision | None:
    """The 1. gangs vedtak: ``{"body": utvalg, "date": "YYYY-MM-DD", "case": saksnummer}``."""
    if value is None:
        return None
    if not (
        isinstance(value, dict)
        and set(value) <= {"body", "date", "case"}
        and all(isinstance(v, str) for v in value.values())
    ):
        raise InvalidConsultation("letters.import.bad_first_decision")
    try:
        day = date.fromisoformat(value["date"]) if value.get("date") else None
    except ValueError:
        raise InvalidConsultation("import.bad_date", field="first_decision.date", value=value["date"]) from None
    return FirstDecision(value.get("body", ""), day, value.get("case", ""))


def _neighbours(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidConsultation("letters.import.bad_neighbours")
    return value


def _parties(value: object, known: tuple[tuple[str, SenderType], ...]) -> list[tuple[str, SenderType]]:
    """Høringsinstanser as names (the sender type from the profile's list; a name the
    profile does not know is a regional or state authority) or ``{"name", "sender_type"}``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidConsultation("letters.import.bad_hearing_parties")
    types = {name.casefold(): kind for name, kind in known}
    found = []
    for item in value:
        if isinstance(item, str):
            found.append((item, types.get(item.strip().casefold(), SenderType.AUTHORITY)))
        elif isinstance(item, dict) and set(item) <= {"name", "sender_type"} and isinstance(item.get("name"), str):
            kind = item.get("sender_type") or types.get(item["name"].strip().casefold(), SenderType.AUTHORITY)
            found.append((item["name"], _choice(kind, "hearing_parties.sender_type", SenderType)))
        else:
            raise InvalidConsultation("letters.import.bad_hearing_parties")
    return found


def _document(folder: Path, item: object, n: int) -> PendingDocument:
    """A document the file names, read from beside it: never from outside its folder, never
    more than a document may be, and only a PDF without active content."""
    if not isinstance(item, dict) or set(item) != {"kind", "path"} or not isinstance(item["path"], str):
        raise InvalidConsultation("import.bad_document", n=n + 1)
    kind = _choice(item["kind"], "documents.kind", DocumentKind)
    relative = Path(item["path"])
    base = folder.resolve()
    target = (base / relative).resolve()
    if relative.is_absolute() or not target.is_relative_to(base):
        raise InvalidDocument("import.document_outside", path=item["path"])
    try:
        with target.open("rb") as f:
            data = f.read(documents.MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidDocument("import.document_unreadable", path=item["path"], reason=exc.strerror or exc) from None
    try:
        documents.check_pdf(target.name, data)
    except KartinnspillError as exc:
        raise InvalidDocument("import.document_refused", path=item["path"], reason=exc.message()) from None
    return PendingDocument(kind, target.name, data)
