"""The domain's own words: consultations (høringer), inputs (innspill) and their states."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from numbers import Real

from shapely.geometry.base import BaseGeometry


class PlanType(StrEnum):
    KOMMUNEPLANENS_AREALDEL = "kommuneplanens_arealdel"
    KOMMUNEDELPLAN = "kommunedelplan"
    OMRADEREGULERING = "omraderegulering"
    DETALJREGULERING = "detaljregulering"
    TETTSTEDSUTVIKLING = "tettstedsutvikling"
    KOMMUNEPLANENS_SAMFUNNSDEL = "kommuneplanens_samfunnsdel"
    PLANSTRATEGI = "kommunal_planstrategi"
    ANNET = "annet"


class Stage(StrEnum):
    """In the order of the plan process; ``EARLY_STAGES`` (below) are early medvirkning, the
    rest formal (``planning.planprocess`` holds the rules of each)."""

    IDEFASE = "idefase"
    STEDSANALYSE = "stedsanalyse"
    INNSPILLSRUNDE = "innspillsrunde"
    VARSEL_OM_OPPSTART = "varsel_om_oppstart"
    PLANPROGRAM = "planprogram"
    VARSEL_OG_PLANPROGRAM = "varsel_og_planprogram"
    OFFENTLIG_ETTERSYN = "offentlig_ettersyn"
    BEGRENSET_HORING = "begrenset_horing"
    ANDRE_GANGS_ETTERSYN = "andre_gangs_offentlig_ettersyn"
    MINDRE_ENDRING = "mindre_endring"


# Early medvirkning: no legal frist, «innspill»; every other stage is a formal høring.
EARLY_STAGES = frozenset({Stage.IDEFASE, Stage.STEDSANALYSE, Stage.INNSPILLSRUNDE})


class Shape(StrEnum):
    """What a resident may put on the map: a pin, a route («Tegn en strek») or an area
    («Tegn et område»). Staff choose per consultation; a pin is the default."""

    POINT = "point"
    LINE = "line"
    AREA = "area"


def drawn_shape(drawing: str | None) -> Shape:
    """The shape of a stored drawing (GeoJSON): a LineString is a line, a Polygon an area;
    no drawing is a pin."""
    if drawing is None:
        return Shape.POINT
    return Shape.LINE if json.loads(drawing)["type"] == "LineString" else Shape.AREA


class Status(StrEnum):
    """Life cycle of a consultation: draft → published → closed → archived."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Moderation(StrEnum):
    POST = "post"  # public at once, a planner may hide it later
    PRE = "pre"  # waits for a planner before it is public


class InputStatus(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    HIDDEN = "hidden"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    LETTER = "letter"
    MEETING = "meeting"


class Role(StrEnum):
    TEACHER = "teacher"  # lærer: opens class sessions (barnetråkk) and manages only their own
    PLANNER = "planner"  # saksbehandler: consultations, inputs, responses; every class session
    ADMIN = "admin"  # everything a planner can, plus users and settings


# Each role may do what the roles below it may: a planner manages every class a teacher
# could open, an administrator does all a planner does.
_ROLE_RANK = {Role.TEACHER: 0, Role.PLANNER: 1, Role.ADMIN: 2}


class SenderType(StrEnum):
    """Who sent a merknad, in the groups a saksframlegg answers them in."""

    PRIVATE = "privatperson"
    LANDOWNER = "grunneier"  # grunneier or fester
    NEIGHBOUR = "nabo"
    ORGANISATION = "organisasjon"  # organisasjon, lag, velforening
    BUSINESS = "naeringsliv"
    AUTHORITY = "offentlig_myndighet"  # regional or state authority
    MUNICIPALITY = "annen_kommune"
    INTERNAL = "intern"  # the municipality's own units

    @property
    def is_person(self) -> bool:
        """Whether the sender's name is a private person's: personal data, never on the web
        and exported only on request. Authorities, organisations and businesses are not."""
        return self in (SenderType.PRIVATE, SenderType.LANDOWNER, SenderType.NEIGHBOUR)

    @property
    def may_object(self) -> bool:
        """Whether a merknad from this sender may be an innsigelse (pbl. § 5-4: state and
        regional bodies, Sametinget, and other municipalities)."""
        return self in (SenderType.AUTHORITY, SenderType.MUNICIPALITY)


def public_sender_name(sender_type: object, name: object) -> str | None:
    """The sender's name where it is no personal data (an authority, organisation or
    business): shown to staff and exported. ``None`` for a private person's name."""
    if not (isinstance(sender_type, str) and sender_type and isinstance(name, str) and name):
        return None
    return None if SenderType(sender_type).is_person else name


class Objection(StrEnum):
    """What an authority's merknad is in law: an innsigelse binds the plan until it is
    resolved (pbl. §§ 5-4–5-6); faglig råd is advice the municipality weighs."""

    INNSIGELSE = "innsigelse"
    ADVICE = "faglig_rad"


class ObjectionStatus(StrEnum):
    """Where an innsigelse stands: open until met or withdrawn; one maintained goes to
    mekling (and, failing that, to the ministry)."""

    OPEN = "open"
    MET = "imotekommet"
    WITHDRAWN = "frafalt"
    MAINTAINED = "opprettholdt"

    @property
    def resolved(self) -> bool:
        return self in (ObjectionStatus.MET, ObjectionStatus.WITHDRAWN)


class NotMerknad(StrEnum):
    """Why a planner found that an input is no merknad at all: the only reasons an input
    stays out of the merknadsbehandling (hiding it from the public page is not one)."""

    SPAM = "spam"
    TEST = "test"
    DOUBLE = "dobbeltregistrering"  # the same letter or e-mail registered twice
    OTHER = "annet"


class Identification(StrEnum):
    """Whether a resident gives name and address (or gnr/bnr) with a merknad in a formal
    høring, so the municipality can notify parties of the decision and the right of appeal
    (the municipality profile's ``identified_merknader``)."""

    MAY = "may"
    MUST = "must"


class DocumentKind(StrEnum):
    """What a consultation document is; the plan process asks for some before publishing."""

    PLANKART = "plankart"
    BESTEMMELSER = "bestemmelser"
    PLANBESKRIVELSE = "planbeskrivelse"
    PLANPROGRAM = "planprogram"
    ANNET = "annet"


class MerknadRecipient(StrEnum):
    """Who receives the merknader to a private plan proposal."""

    MUNICIPALITY = "kommunen"
    CONSULTANT = "plankonsulent"


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"  # 1–5
    TEXT = "text"  # short text


class Outcome(StrEnum):
    """The administration's conclusion on an input (merknadsbehandling)."""

    TAKEN = "tatt_til_folge"
    PARTLY = "delvis_tatt_til_folge"
    NOT_TAKEN = "ikke_tatt_til_folge"
    NOTED = "tatt_til_orientering"


class Phase(StrEnum):
    """Where a consultation stands for a resident at a given moment."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    HIDDEN = "hidden"  # draft or archived: not on the resident lists


AGE_GROUPS = ("under_18", "18_29", "30_49", "50_66", "67_plus")
RELATIONS = ("bor", "jobber", "skole", "besoker")

TEXT_MIN = 10
TEXT_MAX = 2000  # a web innspill in early medvirkning
FORMAL_TEXT_MAX = 10_000  # a web merknad in a formal høring
REGISTERED_TEXT_MAX = 1_000_000  # a letter or e-mail staff register: a long letter is whole


QUESTION_TEXT_MAX = 200


@dataclass(frozen=True)
class Question:
    """An optional question to residents, shown under the input form."""

    id: str
    kind: QuestionKind
    text: str
    options: tuple[str, ...] = ()  # for single and multiple choice

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind.value, "text": self.text, "options": list(self.options)}

    @classmethod
    def from_dict(cls, data: dict) -> Question:
        return cls(data["id"], QuestionKind(data["kind"]), data["text"], tuple(data.get("options", ())))


TRANSLATED_TEXTS = ("title", "summary", "body")


@dataclass(frozen=True)
class Labels:
    """The words residents reading one language see for a consultation's categories and
    questions, where staff translated them. Only the words: the category an input is
    stored under and its answers stay the originals, so counts and exports don't split."""

    categories: Mapping[str, str] = field(default_factory=dict)  # original → shown
    questions: Mapping[str, Mapping] = field(default_factory=dict)  # id → {"text", "options"}

    def category(self, name: str) -> str:
        return self.categories.get(name) or name

    def question(self, question: Question) -> str:
        return self.questions.get(question.id, {}).get("text") or question.text

    def option(self, question: Question, option: object) -> str:
        """An answer option as shown; the same option's position in the translated list."""
        shown = self.questions.get(question.id, {}).get("options") or ()
        if len(shown) == len(question.options) and option in question.options:
            return shown[question.options.index(option)]
        return str(option)


@dataclass(frozen=True)
class Contact:
    """The consultation's kontaktperson at the municipality; every field optional."""

    name: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""

    def __bool__(self) -> bool:
        return any((self.name, self.role, self.email, self.phone))


@dataclass(frozen=True)
class Proposer:
    """The forslagsstiller of a private plan (pbl. § 12-3) and who receives the merknader:
    the municipality, or the plankonsulent at ``address`` (postal address or e-mail)."""

    name: str = ""
    consultant: str = ""  # plankonsulent
    recipient: MerknadRecipient = MerknadRecipient.MUNICIPALITY
    address: str = ""

    def __bool__(self) -> bool:
        return any((self.name, self.consultant, self.address))


@dataclass(frozen=True)
class Consultation:
    id: str
    title: str
    summary: str
    body: str
    plan_type: PlanType
    plan_id: str
    stage: Stage
    status: Status
    opens_at: datetime  # aware, UTC
    closes_at: datetime  # aware, UTC
    area: BaseGeometry  # (Multi)Polygon in WGS84
    categories: tuple[str, ...]
    moderation: Moderation = Moderation.POST
    contact: Contact = field(default_factory=Contact)
    is_demo: bool = False
    questions: tuple[Question, ...] = ()
    # title, summary and body in other languages: {"nn": {"title": …}, "en": {…}}; also
    # "categories" {original: translated} and "questions" {id: {"text": …, "options": […]}}
    translations: dict[str, dict[str, object]] = field(default_factory=dict)
    case_number: str = ""  # arkivsak, «24/1234»: every formal høring has one
    announced_on: date | None = None  # kunngjøring of a formal høring
    announced_where: str = ""  # where it was announced (avis, nettside)
    proposer: Proposer = field(default_factory=Proposer)  # forslagsstiller of a private plan; empty otherwise
    shapes: tuple[Shape, ...] = (Shape.POINT,)  # what residents may draw, in the order offered

    def in_language(self, lang: str) -> Consultation:
        """The consultation with its texts in ``lang`` where staff gave them, else as written
        (categories and questions keep their originals: see ``labels``)."""
        given = {
            k: v
            for k, v in self.translations.get(lang, {}).items()
            if k in TRANSLATED_TEXTS and isinstance(v, str) and v.strip()
        }
        return replace(self, **given) if given else self

    def written_in(self, lang: str, text: str = "title") -> str:
        """The language ``text`` is shown in to readers of ``lang``: theirs where staff
        translated it, else the original's (bokmål)."""
        given = self.translations.get(lang, {}).get(text)
        return lang if isinstance(given, str) and given.strip() else "nb"

    def labels(self, lang: str) -> Labels:
        """How residents reading ``lang`` see the categories and questions."""
        given = self.translations.get(lang, {})
        return Labels(given.get("categories") or {}, given.get("questions") or {})

    def phase(self, now: datetime) -> Phase:
        if self.status in (Status.DRAFT, Status.ARCHIVED):
            return Phase.HIDDEN
        if self.status == Status.CLOSED or now >= self.closes_at:
            return Phase.CLOSED
        if now < self.opens_at:
            return Phase.UPCOMING
        return Phase.OPEN


@dataclass(frozen=True)
class ConsultationListing:
    """A consultation with the figures the resident lists show."""

    consultation: Consultation
    published_inputs: int
    total_inputs: int


@dataclass(frozen=True)
class Input:
    id: int
    consultation_id: str
    category: str
    text: str
    lat: float | None
    lon: float | None
    status: InputStatus
    channel: Channel
    created_at: datetime  # aware, UTC
    age_group: str | None = None
    relation: str | None = None
    east: float | None = None
    north: float | None = None
    supports: int = 0
    answers: dict[str, object] = field(default_factory=dict)
    sender_type: SenderType | None = None
    sender_name: str | None = None  # never shown in public views
    hidden_reason: str | None = None
    duplicate_of: int | None = None
    sender_address: str | None = None  # postal address of a formal merknad; never public
    sender_property: str | None = None  # gnr/bnr of a formal merknad; never public
    objection: Objection | None = None  # innsigelse or faglig råd, from an authority
    objection_status: ObjectionStatus | None = None  # an innsigelse's own status
    not_merknad: NotMerknad | None = None  # a planner's finding that it is no merknad at all
    not_merknad_note: str | None = None
    # a drawn route or area: its GeoJSON geometry (WGS84; a LineString or a Polygon) and its
    # size in the working CRS (metres of a line, square metres of an area). lat/lon (and
    # east/north) then hold a point on the line or inside the area, so every point-based view
    # (pins, clusters, heat map, distance to places) keeps working. None for a pin.
    drawing: str | None = None
    measure: float | None = None

    @property
    def shape(self) -> Shape:
        """A pin, a route or an area (an input without a location is a POINT without lat)."""
        return drawn_shape(self.drawing)

    @property
    def reference(self) -> str:
        """The number a resident is shown and can quote back to the municipality."""
        return reference(self.id)

    @property
    def has_location(self) -> bool:
        return self.lat is not None


def reference(input_id: int) -> str:
    return f"KI-{input_id:06d}"


def journalpost_label(year: object, sequence: object, number: object, case_number: str = "") -> str:
    """How the archive's journalpost for a merknad is written: «24/1234-5» (saksnummer and
    journalpostnummer) and the journal's own «2026/456»; empty before the kvittering. The
    numbers may come as ``None``, NaN or ``pd.NA`` (a table column)."""
    known = lambda v: isinstance(v, Real) and not math.isnan(v)  # noqa: E731 (None, NaN, pd.NA: not known)
    parts = []
    if known(number) and case_number:
        parts.append(f"{case_number}-{int(number)}")
    if known(year) and known(sequence):
        parts.append(f"{int(year)}/{int(sequence)}")
    elif known(number) and not case_number:
        parts.append(f"nr. {int(number)}")
    return " · ".join(parts)


@dataclass(frozen=True)
class HearingParty:
    """A høringsinstans: who was sent the høring, when, by when they may answer (their own
    frist when staff gave a longer one), and the input that is their answer."""

    id: int
    consultation_id: str
    name: str
    sender_type: SenderType
    sent_on: date | None = None
    frist: datetime | None = None  # aware, UTC; None: the consultation's own frist
    input_id: int | None = None

    @property
    def answered(self) -> bool:
        return self.input_id is not None


@dataclass(frozen=True)
class MapPoint:
    """The least the consultation map needs for one published input."""

    lat: float
    lon: float
    category: str
    text: str
    input_id: int
    drawing: str | None = None  # a route or area (GeoJSON, WGS84) where the input is one
    measure: float | None = None  # its length (m) or area (m²)


@dataclass
class InputDraft:
    """What a resident (or staff, for other channels) hands in, before validation."""

    category: str | None
    text: str | None
    lat: float | None = None
    lon: float | None = None
    whole_area: bool = False
    age_group: str | None = None
    relation: str | None = None
    answers: dict[str, object] = field(default_factory=dict)  # question id → answer
    # who sent it, in a formal høring (never in early medvirkning): see ``Identification``
    sender_name: str | None = None
    sender_address: str | None = None
    sender_property: str | None = None  # gnr/bnr, «12/345» (or gnr/bnr/fnr/snr)
    # a route or area drawn on the map (GeoJSON geometry or feature, WGS84) instead of a
    # pin; checked by geo.read_drawing, which also gives the point lat/lon then hold
    drawing: str | dict | None = None


@dataclass(frozen=True)
class Attachment:
    """A file a resident sent with a merknad: what a planner sees before downloading it."""

    id: int
    input_id: int
    filename: str
    media_type: str
    size: int


@dataclass(frozen=True)
class Photo:
    """A photo sent with an input, as the public sees it: its alt text and a thumbnail."""

    id: int
    input_id: int
    alt_text: str
    thumbnail: bytes  # JPEG, at most attachments.THUMB_SIDE px


@dataclass(frozen=True)
class User:
    id: int
    username: str
    email: str | None
    role: Role
    active: bool

    def can(self, role: Role) -> bool:
        """Whether this user may do what ``role`` may (admin includes planner, planner
        includes teacher)."""
        return self.active and _ROLE_RANK[self.role] >= _ROLE_RANK[role]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Document:
    id: int
    consultation_id: str
    filename: str
    size: int
    kind: DocumentKind = DocumentKind.ANNET


class LayerKind(StrEnum):
    WMS = "wms"  # images from the municipality's map server, e.g. the proposed plan map
    FILE = "file"  # features from a GeoJSON or GeoPackage file, stored as GeoJSON


@dataclass(frozen=True)
class ContextLayer:
    """A layer staff put on a consultation's map under the pins (``context_layers``).
    Never edited: a change is a new layer, so its id names its content (map caches)."""

    id: int
    consultation_id: str
    kind: LayerKind
    name: str
    legend: str
    attribution: str = ""
    wms_url: str = ""  # https, no credentials, no WMS request parameters (normalised)
    wms_layers: str = ""  # the server's layer names, comma-separated
    geojson: str = ""  # FILE: a FeatureCollection in WGS84, each feature with only a label
    points: int = 0
    lines: int = 0
    areas: int = 0


@dataclass(frozen=True)
class Response:
    """The administration's answer to one input (merknadsbehandling)."""

    input_id: int
    summary: str
    assessment: str
    outcome: Outcome
    plan_change: str = ""
    author: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Address:
    """One address of the municipality's address register (Kartverket's «Adresser»), with
    where it is in WGS84 and in the working CRS, and its key for the place search."""

    text: str  # «Bondivannsveien 12»
    postcode: str
    place: str  # poststed
    gnr: int | None
    bnr: int | None
    lat: float
    lon: float
    east: float
    north: float
    key: str  # the text as places.normalise() has it: what a search matches against


# -- school classes (barnetråkk) ----------------------------------------------------------

GRADES = (*(str(n) for n in range(1, 11)), "vg1", "vg2", "vg3")  # 1.–10. trinn, vg1–vg3


class Transport(StrEnum):
    """How a pupil gets to school (or to the after-school activity)."""

    WALK = "walk"  # gå
    BIKE = "bike"  # sykle
    BUS = "bus"  # buss
    CAR = "car"  # bil
    OTHER = "other"  # annet


class PlaceLabel(StrEnum):
    """The ready labels a pupil puts on a place (each with its symbol in the class view)."""

    SAFE = "safe"  # trygt
    UNSAFE_TRAFFIC = "unsafe_traffic"  # utrygt: trafikk
    UNSAFE_DARK = "unsafe_dark"  # utrygt: mørkt
    UNSAFE_PEOPLE = "unsafe_people"  # utrygt: folk
    NICE = "nice"  # fint sted å være
    DULL = "dull"  # kjedelig/stygt
    MISSING = "missing"  # mangler noe her

    @property
    def unsafe(self) -> bool:
        return self in (PlaceLabel.UNSAFE_TRAFFIC, PlaceLabel.UNSAFE_DARK, PlaceLabel.UNSAFE_PEOPLE)


class ClassPart(StrEnum):
    """What a pupil's input is: the way to school, the way to the activity, or a place."""

    SCHOOL = "school"
    ACTIVITY = "activity"
    PLACE = "place"
    # Barnetråkk registrations (barnetrakk.py), with their details beside them
    PLAY = "play"  # where I play / hang out
    AVOID = "avoid"  # a place I avoid, with why
    WISH = "wish"  # how I would like to travel to school (no place)


@dataclass(frozen=True)
class ClassSession:
    """A school class taking part in a consultation for one lesson or a few days: the
    pupils reach it by its code (``/?klasse=CODE``), with no account and no name."""

    id: int
    code: str
    consultation_id: str
    school: str
    grade: str  # one of GRADES
    size: int  # pupils in the class: sizes its submission budget
    lang: str  # nb, nn or en: the class view's language
    opens_at: datetime
    closes_at: datetime
    teacher_id: int  # the account that opened it (a teacher sees only their own)
    created_at: datetime
    closed_at: datetime | None = None  # closed early by the teacher
    published_at: datetime | None = None  # a planner published the class's result

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and self.opens_at <= now < self.closes_at

    @property
    def published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True)
class SchoolPlace:
    """Where a class's school is, as the teacher placed it: the pupils' map marks it."""

    lat: float
    lon: float
    label: str  # what the teacher chose: an address, a named place or coordinates


class PointKind(StrEnum):
    """What one point of a merknad is in law: an ordinary merknad, an innsigelse (binds the
    plan until resolved, pbl. §§ 5-4–5-6) or a faglig råd (advice the municipality weighs).
    One letter from an authority often holds all three."""

    MERKNAD = "merknad"
    INNSIGELSE = "innsigelse"
    ADVICE = "faglig_rad"


@dataclass(frozen=True)
class Point:
    """One merknadspunkt: the unit the merknadsbehandling assesses (pbl. § 12-12). A merknad
    not split is one point, «a»; a split letter has «a», «b», … (1a, 1b in the report).

    ``stored`` is false for a merknad nobody has split or edited as points yet: its one point
    is read from the merknad's own answer and innsigelse marking (``responses``,
    ``inputs.objection``), so nothing given before points existed is lost."""

    input_id: int
    letter: str
    summary: str = ""  # sammendrag of what this point says
    theme: str = ""  # tema
    kind: PointKind = PointKind.MERKNAD
    status: ObjectionStatus | None = None  # an innsigelse's status
    settled_on: date | None = None  # the date of the authority's letter or meeting behind it
    settled_reference: str = ""  # its reference, e.g. journalpost 25/4711-31
    settled_note: str = ""
    assessment: str = ""  # vurdering
    outcome: Outcome | None = None  # forslag; None: not assessed
    plan_change: str = ""  # endring i planen
    new_hearing: bool = False  # krever ny høring (pbl. § 12-14)
    group_id: int | None = None  # a felles vurdering shared with other points
    author: str = ""
    updated_at: datetime | None = None
    stored: bool = True

    @property
    def assessed(self) -> bool:
        return self.outcome is not None

    @property
    def label(self) -> str:
        """«KI-000012 a»: the point within its merknad's number."""
        return f"{reference(self.input_id)} {self.letter}"


@dataclass(frozen=True)
class StatusChange:
    """One move of an innsigelse's status, with the evidence for it: the date and reference
    of the authority's letter or meeting, and a note."""

    input_id: int
    letter: str
    before: ObjectionStatus | None
    after: ObjectionStatus
    settled_on: date
    reference: str
    note: str
    actor: str = ""
    occurred_at: datetime | None = None


# -- the medvirkningsrapport (#27) ---------------------------------------------------------


class FollowUpKind(StrEnum):
    """How what residents said on a theme is followed up («hørte → gjør»)."""

    PLANPROGRAM = "planprogram"  # in a chapter of the planprogram
    UTREDNING = "utredning"  # an assessment (utredning) is made
    LATER = "senere_fase"  # in a later phase of the plan
    NOT = "ikke_fulgt_opp"  # not followed up — a reason is required


class ActivityKind(StrEnum):
    """How the municipality met people («Slik gjennomførte vi medvirkningen»)."""

    MEETING = "mote"  # møte
    SCHOOL = "skolebesok"  # skolebesøk
    OFFICE = "apen_kontordag"  # åpen kontordag
    DIGITAL = "digital"


class Season(StrEnum):
    """When a pupil uses a place (Barnetråkk)."""

    SUMMER = "summer"
    WINTER = "winter"
    ALL_YEAR = "all_year"


class Company(StrEnum):
    """Whom a pupil is with at a place (Barnetråkk)."""

    ALONE = "alone"
    FRIENDS = "friends"
    FAMILY = "family"
    ADULTS = "adults"  # an organised activity, with adults


class AvoidReason(StrEnum):
    """Why a pupil avoids a place (Barnetråkk «steder jeg unngår»)."""

    TRAFFIC = "traffic"
    DARK = "dark"
    PEOPLE = "people"
    DIRTY = "dirty"  # skittent, stygt
    OTHER = "other"
