"""Taking in a resident's input: validation on the server, then one row in the store.

Validation never trusts the widgets: every rule here holds whatever the browser sent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from .. import geo, mail
from ..casework import letters
from ..planning import objections, planprocess
from .attachments import (
    CheckedFile,
    check_attachment,
    check_attachments,
    check_photos,
    precheck_attachments,
    precheck_photos,
)
from ..config import current_profile
from ..errors import InvalidDrawing, InvalidInput
from ..i18n import LOCAL_TZ
from ..model import (
    AGE_GROUPS,
    RELATIONS,
    TEXT_MIN,
    Channel,
    Consultation,
    Identification,
    Input,
    InputDraft,
    InputStatus,
    Objection,
    ObjectionStatus,
    Phase,
    Point,
    PointKind,
    Role,
    SenderType,
    Shape,
    Status,
    User,
)
from ..permissions import require
from .questions import check_answers
from ..ratelimit import DEFAULT_LIMITS, LIMITER, Limits, RateLimiter
from ..store import DuplicateText, Letter, Store, SupportedFromAddress
from ..text import clean_text

SENDER_NAME_MAX = 200
SENDER_ADDRESS_MAX = 200
# Gårdsnummer/bruksnummer, optionally festenummer and seksjonsnummer: «12/345», «12/345/0/2».
_PROPERTY = re.compile(r"\d{1,5}/\d{1,5}(/\d{1,5}){0,2}")
MAX_LINKS = 2  # more links than this in one input: it waits for a planner
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
# A letter can be registered after the deadline; a draft or archived consultation takes none.
REGISTERABLE = (Status.PUBLISHED, Status.CLOSED)


@dataclass(frozen=True)
class ValidInput:
    category: str
    text: str
    lat: float | None
    lon: float | None
    age_group: str | None
    relation: str | None
    answers: dict[str, object] = field(default_factory=dict)
    drawing: str | None = None  # a checked route or area (GeoJSON, WGS84); lat/lon lie on it
    measure: float | None = None  # its length (m) or area (m²) in the working CRS


@dataclass(frozen=True)
class Identity:
    """Who sent a merknad in a formal høring, to notify of the decision; never public."""

    name: str
    address: str | None = None
    property: str | None = None  # gnr/bnr


def check_identity(consultation: Consultation, draft: InputDraft, rule: Identification) -> Identity | None:
    """The sender's name and address or gnr/bnr, as the municipality's ``rule`` asks them
    in a formal høring; ``None`` in early medvirkning (anonymous: what was typed is
    dropped, never stored) and when the resident gave none where that is allowed.

    Whoever gives any of it gives a name and an address or a gnr/bnr: the municipality
    can notify nobody with half of it."""
    if planprocess.mode(consultation.stage) != planprocess.Mode.FORMAL:
        return None
    name = clean_text(draft.sender_name or "")
    address = clean_text(draft.sender_address or "")
    prop = re.sub(r"\s*/\s*", "/", clean_text(draft.sender_property or ""))
    if not (name or address or prop):
        if rule == Identification.MUST:
            raise InvalidInput("identity.required")
        return None
    if not name:
        raise InvalidInput("identity.name_missing")
    if not (address or prop):
        raise InvalidInput("identity.where_missing")
    if len(name) > SENDER_NAME_MAX:
        raise InvalidInput("input.sender_name_long", max=SENDER_NAME_MAX)
    if len(address) > SENDER_ADDRESS_MAX:
        raise InvalidInput("identity.address_long", max=SENDER_ADDRESS_MAX)
    if prop and not _PROPERTY.fullmatch(prop):
        raise InvalidInput("identity.property_invalid", value=prop)
    return Identity(name, address or None, prop or None)


def check_files(consultation: Consultation, files: Sequence[tuple[str, bytes]]) -> list[CheckedFile]:
    """Attachments are for merknader in a formal høring (PDF, JPEG, PNG; see attachments)."""
    if not files:
        return []
    precheck_files(consultation, files)
    return check_attachments(files)


def precheck_files(consultation: Consultation, files: Sequence[tuple[str, bytes]]) -> None:
    """``check_files``'s cheap part: whether files may come here, and their sizes and kinds."""
    if not files:
        return
    if planprocess.mode(consultation.stage) != planprocess.Mode.FORMAL:
        raise InvalidInput("attachment.not_here")
    precheck_attachments(files)


def check_open(consultation: Consultation | None, now: datetime) -> Consultation:
    """The consultation, if it accepts input now."""
    if consultation is None:
        raise InvalidInput("input.unknown_consultation")
    phase = consultation.phase(now)
    if phase == Phase.UPCOMING:
        raise InvalidInput("input.not_open_yet")
    if phase != Phase.OPEN:
        raise InvalidInput("input.closed")
    return consultation


def check_location(
    consultation: Consultation, lat: object, lon: object, shapes: Collection[Shape] | None = None
) -> tuple[float, float]:
    """A pin as finite floats inside the plan area, where pins are among ``shapes`` (the
    consultation's own unless given)."""
    if Shape.POINT not in (consultation.shapes if shapes is None else shapes):
        raise InvalidInput("drawing.point_not_allowed")
    try:
        lat_f, lon_f = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput("input.bad_coordinates") from None
    if not geo.is_valid_coordinate(lat_f, lon_f):  # finite, on the globe
        raise InvalidInput("input.bad_coordinates")
    if not geo.contains(consultation.area, lat_f, lon_f):
        raise InvalidInput("input.outside_area")
    return lat_f, lon_f


def check_drawing(
    consultation: Consultation,
    data: str | dict,
    shapes: Collection[Shape] | None = None,
    outside_share: float = geo.LINE_OUTSIDE_SHARE,
) -> geo.Drawing:
    """A drawn route or area by ``geo.read_drawing``'s rules, of a shape among ``shapes``
    (the consultation's own unless given), measured in the profile's working CRS; refused
    as an ``InvalidInput`` with the drawing's reason."""
    allowed = tuple(consultation.shapes if shapes is None else shapes)
    try:
        return geo.read_drawing(
            data, allowed, consultation.area, outside_share=outside_share, epsg=current_profile().working_crs
        )
    except InvalidDrawing as exc:
        raise InvalidInput(exc.key, **exc.params) from None


def validate(
    consultation: Consultation | None,
    draft: InputDraft,
    now: datetime,
    outside_share: float = geo.LINE_OUTSIDE_SHARE,
) -> ValidInput:
    return check_content(check_open(consultation, now), draft, outside_share=outside_share)


def check_content(
    consultation: Consultation,
    draft: InputDraft,
    channel: Channel = Channel.WEB,
    *,
    shapes: Collection[Shape] | None = None,
    outside_share: float = geo.LINE_OUTSIDE_SHARE,
) -> ValidInput:
    """Category, text, place and profile by the rules every input meets, whatever its
    channel; only the longest text allowed depends on the channel and the stage. The place
    is a pin, a drawn route or area (``draft.drawing``) of a shape among ``shapes`` (the
    consultation's own unless given), or the whole area."""
    if not draft.category:
        raise InvalidInput("input.category_missing")
    if draft.category not in consultation.categories:
        raise InvalidInput("input.category_unknown")
    text = clean_text(draft.text or "")
    if not text:
        raise InvalidInput("input.text_empty")
    if len(text) < TEXT_MIN:
        raise InvalidInput("input.text_short", min=TEXT_MIN)
    if len(text) > (limit := planprocess.text_max(consultation.stage, channel)):
        raise InvalidInput("input.text_long", max=limit, length=len(text))
    drawn = None
    if draft.whole_area:
        lat = lon = None
    elif draft.drawing is not None:
        drawn = check_drawing(consultation, draft.drawing, shapes, outside_share)
        lat, lon = drawn.lat, drawn.lon
    elif draft.lat is None and draft.lon is None:
        raise InvalidInput("input.location_missing")
    else:
        lat, lon = check_location(consultation, draft.lat, draft.lon, shapes)
    if draft.age_group is not None and draft.age_group not in AGE_GROUPS:
        raise InvalidInput("input.age_group_unknown")
    if draft.relation is not None and draft.relation not in RELATIONS:
        raise InvalidInput("input.relation_unknown")
    answers = check_answers(consultation.questions, draft.answers)
    return ValidInput(
        draft.category,
        text,
        lat,
        lon,
        draft.age_group,
        draft.relation,
        answers,
        drawing=drawn.geojson if drawn else None,
        measure=drawn.measure if drawn else None,
    )


def submit_input(
    store: Store,
    consultation_id: str,
    draft: InputDraft,
    *,
    session: str,
    address: str | None = None,
    now: datetime | None = None,
    limiter: RateLimiter = LIMITER,
    limits: Limits = DEFAULT_LIMITS,
    files: Sequence[tuple[str, bytes]] = (),
    identification: Identification = Identification.MAY,
    photos: Sequence[tuple[str, bytes, str]] = (),
    outside_share: float = geo.LINE_OUTSIDE_SHARE,
    photos_premoderated: bool = True,
    mail_request: mail.MailRequest | None = None,
) -> Input:
    """Validate and store a resident's web input; raises ``InvalidInput`` and stores nothing.

    With a ``mail_request`` (an address and the consents given) the receipt and the
    confirmation link of «varsle meg» are queued with the input, in its transaction.

    The place is a pin, the whole area, or a route or area drawn on the map, of a shape
    the consultation takes (a route may run ``outside_share`` of its length outside the
    plan area: the municipality profile's ``line_outside_share``).

    Up to three ``photos`` (``(name, bytes, alt text)``) go with any input, early or
    formal; they are public with it once it is published (``attachments.check_photos``).
    With ``photos_premoderated`` (the profile's, default) an input with photos waits for a
    planner whatever the consultation's moderation mode.

    In a formal høring the sender's name and address or gnr/bnr are asked as
    ``identification`` (the municipality profile) says, and up to three ``files``
    (``(name, bytes)``) go with the merknad; early medvirkning takes neither.

    The same text sent twice from one browser session to one consultation (a double click,
    a resend after a slow answer) is stored once; the second call returns the first input.
    The same text from another session at the same network ``address`` is refused, and so
    is a session or an address over its rate limit (``limits``, from the municipality
    profile). An input with many links waits for a planner whatever the consultation's
    moderation mode.
    """
    now = now or datetime.now(UTC)
    consultation = store.get_consultation(consultation_id)
    valid = validate(consultation, draft, now, outside_share)
    assert consultation is not None
    identity = check_identity(consultation, draft, identification)
    # What costs milliseconds first, then the rate limit, and only then any decoding
    # (Pillow, qpdf): a refused or throttled try never pays for a hostile file (N1).
    precheck_files(consultation, files)
    precheck_photos(photos)
    request = mail.check_request(mail_request)
    session_hash = store.hash_session(session, consultation.id)
    token = hashlib.sha256(f"{session_hash}\n{consultation.id}\n{valid.text}".encode()).hexdigest()
    if (again := store.input_with_token(token)) is not None:
        return again
    address_hash = store.hash_session(f"address:{address}", consultation.id) if address else None
    checks = [(f"submit:{store.hash_session(session)}", limits.submit_per_session)]
    if address:
        checks.append((f"submit:{_address_key(store, address)}", limits.submit_per_address))
    if not limiter.allow(checks):
        raise InvalidInput("input.rate_limited")
    checked = check_files(consultation, files)
    pictures = check_photos(photos)
    held = (
        letters.held(consultation.moderation, (valid.text, *(p.alt_text for p in pictures)))
        or len(_LINK.findall(valid.text)) > MAX_LINKS
        or (bool(pictures) and photos_premoderated)
    )
    try:
        return _store(
            store,
            consultation,
            valid,
            channel=Channel.WEB,
            status=InputStatus.PENDING if held else InputStatus.PUBLISHED,
            created_at=now,
            session_hash=session_hash,
            token=token,
            address_hash=address_hash,
            sender_name=identity.name if identity else None,
            sender_address=identity.address if identity else None,
            sender_property=identity.property if identity else None,
            attachments=[(f.filename, f.media_type, f.content) for f in checked],
            photos=[(p.filename, p.media_type, p.content, p.alt_text, p.thumbnail) for p in pictures],
            then=(lambda item: mail.input_stored(store, consultation, item, request)) if request else None,
        )
    except DuplicateText:
        raise InvalidInput("input.duplicate_text") from None


def received_moment(day: date, consultation: Consultation, now: datetime) -> datetime:
    """The moment a letter dated ``day`` (Norwegian date) counts from: noon that day, but
    never later than now nor earlier than the opening, so today and the opening day work.
    A day after today or before the opening day stays outside, for ``register_input`` to
    refuse."""
    moment = datetime.combine(day, time(12), LOCAL_TZ).astimezone(UTC)
    if day == now.astimezone(LOCAL_TZ).date():
        moment = min(moment, now)
    if day == consultation.opens_at.astimezone(LOCAL_TZ).date():
        moment = max(moment, consultation.opens_at)
    return moment


def register_input(
    store: Store,
    consultation_id: str,
    draft: InputDraft,
    *,
    channel: Channel,
    sender_type: SenderType,
    sender_name: str | None,
    received_at: datetime | date | None,
    actor: User,
    now: datetime | None = None,
    objection: Objection | None = None,
    attachments: Sequence[tuple[str, bytes]] = (),
    outside_share: float = geo.LINE_OUTSIDE_SHARE,
    original: tuple[str, bytes] | None = None,
    sender_address: str | None = None,
    journalpost: str | None = None,
    also_advice: bool = False,
    sender_property: str | None = None,
    sender_email: str | None = None,
    lang: str = mail.DEFAULT_LANG,
) -> Input:
    """Store an input that came by e-mail, letter or meeting, as a planner registered it.

    With the sender's e-mail address (``sender_email``) a receipt naming the KI reference
    is queued with it (in ``lang``), and the address joins the vedtak's varslingsliste;
    an innsigelse is told to the kontaktperson who opted in.

    A letter may describe a place as a point, a route or an area whatever residents may
    draw: the planner puts it on the map as it is described (``draft.drawing``).

    The input rules of the web form hold, but without a pin it concerns the whole area, and
    it counts from when it was received — ``received_at``, an aware moment or the date on
    the letter (``received_moment``) — which may be after the deadline but never in the
    future nor before the opening. The sender's name is kept for the case file, never shown
    publicly. A merknad from an authority or another municipality may be registered as
    innsigelse (then open) or faglig råd (``objection``; ``objections``), and carry the
    files that came with it (``attachments``: ``(name, bytes)``, checked as a web merknad's
    are, in any stage — a letter is what it is). Raises
    ``InvalidInput`` and stores nothing when refused; the audit log records the acting
    user, who must (still) be an active planner.

    A letter from a private person, landowner or neighbour, and any letter with personal
    data, waits for a planner whatever the moderation mode (``letters.held``). The letter
    as received (``original``, a PDF, JPEG or PNG) is kept as its first file: the
    hoveddokument of the archive package. ``sender_address`` is a postal address with a
    four-digit postnummer («Gate 1, 1384 Asker»), ``sender_property`` a gnr/bnr («12/345»);
    ``journalpost`` the number postmottak
    already gave the letter («25/4711-12»: the archive package then makes no new
    journalpost); ``also_advice`` an innsigelse letter that holds a faglig råd too.
    """
    who = require(store, actor, Role.PLANNER)
    now = now or datetime.now(UTC)
    if channel == Channel.WEB:
        raise InvalidInput("input.register_web")
    consultation = store.get_consultation(consultation_id)
    if consultation is None:
        raise InvalidInput("input.unknown_consultation")
    if consultation.status not in REGISTERABLE:
        raise InvalidInput("input.register_status")
    if received_at is None:
        raise InvalidInput("input.received_missing")
    if not isinstance(received_at, datetime):
        received_at = received_moment(received_at, consultation, now)
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    if received_at > now:
        raise InvalidInput("input.received_future")
    if received_at < consultation.opens_at:
        opened = consultation.opens_at.astimezone(LOCAL_TZ)
        raise InvalidInput("input.received_before_opening", date=f"{opened:%d.%m.%Y}")
    if draft.lat is None and draft.lon is None and draft.drawing is None:
        draft = replace(draft, whole_area=True)
    valid = check_content(consultation, draft, channel, shapes=tuple(Shape), outside_share=outside_share)
    if also_advice and objection != Objection.INNSIGELSE:
        objection = Objection.ADVICE  # a faglig råd alone
    objection = objections.check(sender_type, objection)
    checked = check_attachments(attachments)
    if original is not None:
        checked = [check_attachment(*original), *checked]
    name = clean_text(sender_name or "") or None
    if name is not None and len(name) > SENDER_NAME_MAX:
        raise InvalidInput("input.sender_name_long", max=SENDER_NAME_MAX)
    address = letters.check_address(sender_address)
    prop = re.sub(r"\s*/\s*", "/", clean_text(sender_property or "")) or None
    if prop and not _PROPERTY.fullmatch(prop):
        raise InvalidInput("identity.property_invalid", value=prop)
    number = letters.check_journalpost(journalpost)
    email = mail.check_email(sender_email) if (sender_email or "").strip() else None

    def then(item: Input) -> None:
        if email:
            mail.letter_registered(store, consultation, item, email, lang)
        elif item.objection == Objection.INNSIGELSE:
            mail.innsigelse_arrived(store, consultation, item)

    held = letters.held(consultation.moderation, (valid.text,), registered_private=letters.is_private(sender_type))
    with store.atomic():
        stored = _store(
            store,
            consultation,
            valid,
            channel=channel,
            status=InputStatus.PENDING if held else InputStatus.PUBLISHED,
            created_at=received_at,
            session_hash=None,
            token=None,  # two identical letters (a petition) are two inputs
            sender_type=SenderType(sender_type),
            sender_name=name,
            sender_address=str(address) if address else None,
            sender_property=prop,
            actor=who.username,
            objection=objection,
            attachments=[(f.filename, f.media_type, f.content) for f in checked],
            then=then,
        )
        both = also_advice and objection == Objection.INNSIGELSE
        if original is not None or number or both:
            first = store.attachments(stored.id)[0].id if original is not None else None
            store.set_letter(Letter(stored.id, number, first, both), who.username)
        if both:  # the letter's two parts are its points: a the innsigelse, b the faglig råd
            store.save_points(
                [
                    Point(stored.id, "a", kind=PointKind.INNSIGELSE, status=ObjectionStatus.OPEN),
                    Point(stored.id, "b", kind=PointKind.ADVICE),
                ],
                who.username,
            )
    return stored


def _store(
    store: Store,
    consultation: Consultation,
    valid: ValidInput,
    *,
    channel: Channel,
    status: InputStatus,
    created_at: datetime,
    then: Callable[[Input], None] | None = None,
    **extra,
) -> Input:
    """One validated input into the store, with its place in the working CRS; ``then``
    (the mails it causes) runs in the same transaction, for a new input only."""
    epsg = current_profile().working_crs
    east, north = (None, None) if valid.lat is None else geo.to_working_crs(valid.lon, valid.lat, epsg)
    with store.atomic():
        stored, created = store.add_input(
            consultation_id=consultation.id,
            category=valid.category,
            text=valid.text,
            lat=valid.lat,
            lon=valid.lon,
            east=east,
            north=north,
            age_group=valid.age_group,
            relation=valid.relation,
            answers=valid.answers,
            drawing=valid.drawing,
            measure=valid.measure,
            channel=channel,
            status=status,
            created_at=created_at,
            **extra,
        )
        if created and then is not None:
            then(stored)
    return stored


def support_input(
    store: Store,
    consultation_id: str,
    input_id: int,
    *,
    session: str,
    address: str | None = None,
    now: datetime | None = None,
    limiter: RateLimiter = LIMITER,
    limits: Limits = DEFAULT_LIMITS,
) -> bool:
    """One support per input per browser session, and per network ``address`` per day
    (Norwegian time), while the consultation is open.

    ``False`` when this session already supports the input; ``InvalidInput`` when another
    session at the same address supported it today, when the consultation does not take
    part any more, or when the input is not one of its published ones.
    """
    now = now or datetime.now(UTC)
    check_open(store.get_consultation(consultation_id), now)
    item = store.get_input(input_id)
    if item is None or item.consultation_id != consultation_id:
        raise InvalidInput("input.unknown_input")
    checks = [(f"support:{store.hash_session(session)}", limits.support_per_session)]
    if address:
        checks.append((f"support:{_address_key(store, address)}", limits.support_per_address))
    if not limiter.allow(checks):
        raise InvalidInput("input.rate_limited")
    try:
        return store.add_support(
            input_id,
            store.hash_session(session, consultation_id),
            address_hash=store.hash_session(f"address:{address}", consultation_id) if address else None,
            day=now.astimezone(LOCAL_TZ).date(),
            now=now,
        )
    except SupportedFromAddress:
        raise InvalidInput("input.already_supported_from_address") from None


def _address_key(store: Store, address: str) -> str:
    """The rate limiter's key for an address: one for all consultations, kept in memory only."""
    return store.hash_session(f"address:{address}")
