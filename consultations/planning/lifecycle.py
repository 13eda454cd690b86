"""A consultation's life: building it from the staff form, editing it safely once residents
have answered, and moving it draft → published → closed → archived.

Every change takes the acting ``User``, checks it against the store (a planner, still
active: ``permissions.require``) and goes through the store as that user, so the audit
log holds who did what, when, with before and after.
"""

from __future__ import annotations

import json

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from shapely.geometry.base import BaseGeometry

from .. import geo, mail
from . import planprocess
from ..errors import InvalidConsultation, MissingDocuments
from ..i18n import DEFAULT_LANG, LANGUAGES, LOCAL_TZ
from ..model import (
    QUESTION_TEXT_MAX,
    Consultation,
    Contact,
    MerknadRecipient,
    Moderation,
    PlanType,
    Proposer,
    Question,
    QuestionKind,
    Role,
    Shape,
    Stage,
    Status,
    User,
)
from ..permissions import require
from ..store import CaseFacts, FirstDecision, Store

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 60
TITLE_MAX, SUMMARY_MAX, BODY_MAX, CATEGORY_MAX, CONTACT_MAX = 200, 600, 20_000, 80, 200
ANNOUNCED_WHERE_MAX = 200
PHONE_MAX = 30
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ]*")

TRANSITIONS: dict[Status, set[Status]] = {
    Status.DRAFT: {Status.PUBLISHED},
    Status.PUBLISHED: {Status.CLOSED, Status.DRAFT},  # back to draft only without inputs
    Status.CLOSED: {Status.ARCHIVED, Status.PUBLISHED},  # reopen, e.g. a deadline extended
    Status.ARCHIVED: {Status.CLOSED},
}
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def slugify(text: str) -> str:
    """A URL id from a title: «Borgen – idéfase» → ``borgen-idefase``."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "horing"


def unique_slug(text: str, taken: Collection[str]) -> str:
    base = slugify(text)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base[: SLUG_MAX - 4]}-{n}", n + 1
    return candidate


@dataclass(frozen=True)
class ConsultationForm:
    """What the staff builder hands in."""

    id: str
    title: str
    summary: str
    body: str
    plan_type: PlanType
    plan_id: str
    stage: Stage
    opens_at: datetime
    closes_at: datetime
    area: BaseGeometry | None
    categories: Sequence[str]
    questions: Sequence[Question] = ()
    moderation: Moderation = Moderation.POST
    contact: Contact = field(default_factory=Contact)
    translations: dict[str, dict[str, object]] = field(default_factory=dict)
    case_number: str = ""
    announced_on: date | None = None
    announced_where: str = ""
    proposer: Proposer = field(default_factory=Proposer)
    shapes: Collection[Shape] = (Shape.POINT,)  # what residents may put on the map
    # why a høring the law gives six weeks runs shorter (pbl. §§ 4-1, 11-14, 12-10): without
    # one a shorter period is refused; with one it is audited and printed in the report
    short_frist_reason: str = ""
    first_decision: FirstDecision | None = None  # the 1. gangs vedtak; None: keep the stored one
    neighbours_notified: int | None = None  # naboer varslet by letter; None: keep the stored one
    # a frist on a weekend or holiday moves to the next working day, and is saved only when
    # staff confirm that date (the builder's checkbox, ``frist_confirmed`` in the JSON)
    frist_confirmed: date | None = None


TRANSLATED = {"title": TITLE_MAX, "summary": SUMMARY_MAX, "body": BODY_MAX}


def _check_translations(
    translations: dict[str, dict[str, object]],
    categories: Sequence[str],
    questions: Sequence[Question],
) -> dict[str, dict[str, object]]:
    """Only the languages and fields there are, stripped, empty ones dropped; category and
    question translations only of those the consultation has, within the originals' limits."""
    cleaned: dict[str, dict[str, object]] = {}
    for lang, fields in translations.items():
        if lang not in LANGUAGES or lang == DEFAULT_LANG:
            raise InvalidConsultation("consultation_form.translation_language", lang=lang)
        kept: dict[str, object] = {}
        for name, text in fields.items():
            if name == "categories":
                given = _translated_categories(lang, text, categories)
            elif name == "questions":
                given = _translated_questions(lang, text, questions)
            elif (limit := TRANSLATED.get(name)) is None:
                raise InvalidConsultation("consultation_form.translation_language", lang=lang)
            elif (given := (text or "").strip()) and len(given) > limit:
                raise InvalidConsultation("consultation_form.translation_long", lang=lang, max=limit)
            if given:
                kept[name] = given
        if kept:
            cleaned[lang] = kept
    return cleaned


def _translated_categories(lang: str, given: dict[str, str], categories: Sequence[str]) -> dict[str, str]:
    """{original: translated}; the labels a resident chooses between stay distinct."""
    kept = {}
    for original, text in given.items():
        original, text = original.strip(), (text or "").strip()
        if original not in categories:
            raise InvalidConsultation("translated_labels.unknown_category", lang=lang, name=original)
        if len(text) > CATEGORY_MAX:
            raise InvalidConsultation("translated_labels.category_long", lang=lang, name=original, max=CATEGORY_MAX)
        if text:
            kept[original] = text
    shown: set[str] = set()
    for label in (kept.get(c, c) for c in categories):
        if label.lower() in shown:
            raise InvalidConsultation("translated_labels.category_twice", lang=lang, name=label)
        shown.add(label.lower())
    return kept


def _translated_questions(
    lang: str, given: dict[str, dict], questions: Sequence[Question]
) -> dict[str, dict[str, object]]:
    """{id: {"text": …, "options": […]}}: the options all of them, in the original order."""
    by_id = {q.id: q for q in questions}
    kept: dict[str, dict[str, object]] = {}
    for qid, parts in given.items():
        question = by_id.get(qid)
        if question is None:
            raise InvalidConsultation("translated_labels.unknown_question", lang=lang, id=qid)
        if unknown := set(parts) - {"text", "options"}:
            raise InvalidConsultation("translated_labels.unknown_part", lang=lang, name=min(unknown))
        text = (parts.get("text") or "").strip()
        if len(text) > QUESTION_TEXT_MAX:
            raise InvalidConsultation(
                "translated_labels.question_long", lang=lang, question=question.text, max=QUESTION_TEXT_MAX
            )
        options = [o.strip() for o in parts.get("options") or () if o.strip()]
        if options and len(options) != len(question.options):
            raise InvalidConsultation(
                "translated_labels.options_count",
                lang=lang,
                question=question.text,
                n=len(question.options),
                given=len(options),
            )
        shown = {**({"text": text} if text else {}), **({"options": options} if options else {})}
        if shown:
            kept[qid] = shown
    return kept


def _check_questions(questions: Sequence[Question]) -> tuple[Question, ...]:
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise InvalidConsultation("consultation_form.question_duplicate")
    for q in questions:
        if not q.text.strip() or len(q.text) > QUESTION_TEXT_MAX:
            raise InvalidConsultation("consultation_form.question_text", max=QUESTION_TEXT_MAX)
        options = [o.strip() for o in q.options if o.strip()]
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(options) < 2:
            raise InvalidConsultation("consultation_form.question_options", question=q.text)
    return tuple(
        replace(q, text=q.text.strip(), options=tuple(o.strip() for o in q.options if o.strip())) for q in questions
    )


def _check_categories(categories: Sequence[str]) -> tuple[str, ...]:
    cleaned = [c.strip() for c in categories if c.strip()]
    if not cleaned:
        raise InvalidConsultation("consultation_form.categories_empty")
    if len(set(c.lower() for c in cleaned)) != len(cleaned):
        raise InvalidConsultation("consultation_form.categories_duplicate")
    if any(len(c) > CATEGORY_MAX for c in cleaned):
        raise InvalidConsultation("consultation_form.category_long", max=CATEGORY_MAX)
    return tuple(cleaned)


def build(
    form: ConsultationForm,
    *,
    existing: Consultation | None,
    taken_ids: Collection[str],
    input_points: Sequence[tuple[float, float]] = (),
    categories_in_use: Collection[str] = (),
    kommunenummer: str | None = None,
) -> tuple[Consultation, list[tuple[str, dict[str, str]]]]:
    """The consultation the form describes, and warnings as ``(key, values)`` (the staff
    member may go on).

    Once inputs exist, the plan area may only change so that every located input stays
    inside it, and no category an input uses may disappear (adding and reordering is fine).
    """
    title, summary = form.title.strip(), form.summary.strip()
    if not title or len(title) > TITLE_MAX:
        raise InvalidConsultation("consultation_form.title", max=TITLE_MAX)
    if not summary or len(summary) > SUMMARY_MAX:
        raise InvalidConsultation("consultation_form.summary", max=SUMMARY_MAX)
    if len(form.body) > BODY_MAX:
        raise InvalidConsultation("consultation_form.body_long", max=BODY_MAX)
    contact = _check_contact(form.contact)

    slug = form.id.strip()
    if not SLUG.fullmatch(slug) or len(slug) > SLUG_MAX:
        raise InvalidConsultation("consultation_form.id_invalid", max=SLUG_MAX)
    renamed = existing is not None and slug != existing.id
    if renamed and existing.status != Status.DRAFT:  # its address may be shared by now
        raise InvalidConsultation("consultation_form.id_fixed")
    if (existing is None or renamed) and slug in taken_ids:
        raise InvalidConsultation("consultation_form.id_taken", id=slug)

    planprocess.check_stage(form.plan_type, form.stage)
    plan_id = planprocess.check_plan_id(form.plan_id, form.plan_type, form.stage, kommunenummer or "")
    case_number = planprocess.check_case_number(form.case_number, form.stage)
    if form.closes_at <= form.opens_at:
        raise InvalidConsultation("consultation_form.closes_before_opens")
    announced_on, announced_where = _check_announcement(form)
    frist = planprocess.frist(form.stage, form.opens_at, form.closes_at, announced_on)
    check_short_frist(frist, form.short_frist_reason)
    check_moved_frist(frist, form.frist_confirmed)
    if form.area is None:
        raise InvalidConsultation("consultation_form.area_missing")
    area = geo.as_multipolygon(form.area)
    outside = geo.contains_many(area, input_points).count(False)
    if outside:
        raise InvalidConsultation("consultation_form.area_orphans", n=outside)
    categories = _check_categories(form.categories)
    questions = _check_questions(form.questions)
    orphaned = sorted(set(categories_in_use) - set(categories))
    if orphaned:
        raise InvalidConsultation("consultation_form.categories_orphans", names=", ".join(orphaned))

    consultation = Consultation(
        id=slug,
        title=title,
        summary=summary,
        body=form.body.strip(),
        plan_type=form.plan_type,
        plan_id=plan_id,
        stage=form.stage,
        status=existing.status if existing else Status.DRAFT,
        opens_at=form.opens_at,
        closes_at=frist.closes_at.astimezone(UTC),
        area=area,
        categories=categories,
        moderation=form.moderation,
        contact=contact,
        is_demo=existing.is_demo if existing else False,
        questions=questions,
        translations=_check_translations(form.translations, categories, questions),
        case_number=case_number,
        announced_on=announced_on,
        announced_where=announced_where,
        proposer=_check_proposer(form.proposer, form.plan_type),
        shapes=check_shapes(form.shapes),
    )
    return consultation, list(frist.warnings)


SHORT_REASON_MAX = 500
CASE_TEXT_MAX = 200
NEIGHBOURS_MAX = 100_000


def check_short_frist(frist: planprocess.Frist, reason: str) -> str:
    """A period shorter than the law's six weeks is a saksbehandlingsfeil: refused, naming
    the paragraph and the earliest lawful frist, unless staff say why (the reason)."""
    reason = " ".join(reason.split())
    if len(reason) > SHORT_REASON_MAX:
        raise InvalidConsultation("letters.short_reason_long", max=SHORT_REASON_MAX)
    if frist.short and not reason:
        assert frist.earliest is not None
        raise InvalidConsultation(
            "letters.frist_short", paragraph=frist.short, earliest=frist.earliest.strftime("%d.%m.%Y")
        )
    return reason if frist.short else ""


def check_moved_frist(frist: planprocess.Frist, confirmed: date | None) -> None:
    """A frist given on a Saturday, Sunday or holiday holds on the next working day; the
    kunngjøring and the letters must say that day, so staff confirm it in a step of its
    own: refused, showing both dates, unless ``confirmed`` is the day that holds."""
    if frist.announced is None:
        return
    valid = frist.closes_at.astimezone(LOCAL_TZ).date()
    if confirmed != valid:
        raise InvalidConsultation(
            "merk21.frist_moved_unconfirmed",
            announced=frist.announced.strftime("%d.%m.%Y"),
            valid=valid.strftime("%d.%m.%Y"),
            iso=valid.isoformat(),
        )


def case_facts(c: Consultation, form: ConsultationForm, before: CaseFacts) -> CaseFacts:
    """The facts the form gives beside the consultation (``store.CaseFacts``): the reason
    for a short frist, the 1. gangs vedtak and the neighbours notified (kept as stored when
    the form leaves them out), and the frist as announced when it moved."""
    frist = planprocess.frist(c.stage, c.opens_at, form.closes_at, c.announced_on)
    decision = before.first_decision if form.first_decision is None else form.first_decision
    body, case = " ".join(decision.body.split()), " ".join(decision.case.split())
    if len(body) > CASE_TEXT_MAX or len(case) > CASE_TEXT_MAX:
        raise InvalidConsultation("letters.first_decision_long", max=CASE_TEXT_MAX)
    neighbours = before.neighbours_notified if form.neighbours_notified is None else form.neighbours_notified
    if neighbours is not None and not 0 <= neighbours <= NEIGHBOURS_MAX:
        raise InvalidConsultation("letters.neighbours_invalid", max=NEIGHBOURS_MAX)
    announced = frist.announced
    if announced is None and before.announced_frist is not None:  # saved again with the moved date
        kept = planprocess.next_working_day(before.announced_frist)
        announced = before.announced_frist if kept == c.closes_at.astimezone(LOCAL_TZ).date() else None
    return CaseFacts(
        FirstDecision(body, decision.date, case),
        check_short_frist(frist, form.short_frist_reason),
        neighbours,
        announced,
    )


def check_shapes(shapes: Collection[Shape | str]) -> tuple[Shape, ...]:
    """What residents may put on the map, at least one, always offered in the same order:
    a pin, a line, an area."""
    try:
        chosen = {Shape(s) for s in shapes}
    except ValueError:
        raise InvalidConsultation("shapes_setting.empty") from None
    if not chosen:
        raise InvalidConsultation("shapes_setting.empty")
    return tuple(s for s in Shape if s in chosen)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _check_contact(contact: Contact) -> Contact:
    """The kontaktperson: every field optional, each within bounds, the e-mail and phone
    in a form a resident can use."""
    name, role = _one_line(contact.name), _one_line(contact.role)
    email, phone = contact.email.strip(), _one_line(contact.phone)
    if len(name) > CONTACT_MAX or len(role) > CONTACT_MAX or len(email) > CONTACT_MAX:
        raise InvalidConsultation("consultation_form.contact_long", max=CONTACT_MAX)
    if email and not _EMAIL.fullmatch(email):
        raise InvalidConsultation("contact_person.email_invalid", email=email)
    if phone and (len(phone) > PHONE_MAX or not _PHONE.fullmatch(phone)):
        raise InvalidConsultation("contact_person.phone_invalid", phone=phone)
    return Contact(name, role, email, phone)


def _check_proposer(proposer: Proposer, plan_type: PlanType) -> Proposer:
    """The forslagsstiller of a private plan: only a regulation plan has one (pbl. § 12-3),
    it needs a name, and merknader sent to the plankonsulent need an address to go to."""
    name, consultant = _one_line(proposer.name), _one_line(proposer.consultant)
    address = proposer.address.strip()
    if not (name or consultant or address):
        return Proposer()
    if plan_type not in planprocess.REGULATION_PLANS:
        raise InvalidConsultation("proposer.only_regulation")
    if not name:
        raise InvalidConsultation("proposer.name_missing")
    if any(len(v) > CONTACT_MAX for v in (name, consultant, address)):
        raise InvalidConsultation("proposer.too_long", max=CONTACT_MAX)
    if proposer.recipient == MerknadRecipient.CONSULTANT and not (consultant and address):
        raise InvalidConsultation("proposer.consultant_address_missing")
    return Proposer(name, consultant, proposer.recipient, address)


def check_documents(store: Store, c: Consultation) -> None:
    """``MissingDocuments`` unless ``c`` has every document its stage asks for."""
    present = (d.kind for d in store.documents(c.id))
    if missing := planprocess.missing_documents(c.plan_type, c.stage, present):
        raise MissingDocuments(tuple(k.value for k in missing))


def _check_announcement(form: ConsultationForm) -> tuple[date | None, str]:
    """A formal høring's kunngjøring: its date (required) and where (optional)."""
    where = " ".join(form.announced_where.split())
    if len(where) > ANNOUNCED_WHERE_MAX:
        raise InvalidConsultation("plan_process.announced_where_long", max=ANNOUNCED_WHERE_MAX)
    if planprocess.mode(form.stage) == planprocess.Mode.EARLY:
        return form.announced_on, where
    if form.announced_on is None:
        raise InvalidConsultation("plan_process.announced_required")
    if form.announced_on > form.closes_at.astimezone(LOCAL_TZ).date():
        raise InvalidConsultation("plan_process.announced_after_frist")
    return form.announced_on, where


def save(
    store: Store,
    form: ConsultationForm,
    actor: User,
    *,
    editing: str | None = None,
    kommunenummer: str | None = None,
) -> tuple[Consultation, list[tuple[str, dict[str, str]]]]:
    """Create (``editing=None``) or update the consultation ``editing`` from the builder.

    Raises ``InvalidConsultation`` and changes nothing. A draft may get a new id.
    """
    who = require(store, actor, Role.PLANNER)
    existing = store.get_consultation(editing) if editing else None
    if editing and existing is None:
        raise InvalidConsultation("consultation_form.unknown", id=editing)
    points, in_use = store.input_usage(existing.id) if existing else ([], set())
    consultation, warnings = build(
        form,
        existing=existing,
        taken_ids=store.consultation_ids(),
        input_points=points,
        categories_in_use=in_use,
        kommunenummer=kommunenummer,
    )
    if consultation.status == Status.PUBLISHED:  # e.g. its stage changed to offentlig ettersyn
        check_documents(store, consultation)
    facts = case_facts(consultation, form, store.case_facts(existing.id) if existing else CaseFacts())
    if existing is None:
        store.add_consultation(consultation, actor=who.username)
    else:
        with store.atomic():  # a moved frist of a published høring, told to its followers
            store.update_consultation(consultation, who.username, old_id=existing.id)
            if existing.status == Status.PUBLISHED and existing.closes_at != consultation.closes_at:
                mail.deadline_changed(store, consultation)
    renamed = existing.id if existing and existing.id != consultation.id else None
    moved = any(key == "plan_process.warn_moved" for key, _ in warnings)  # and confirmed (build)
    with store.atomic():
        store.set_case_facts(consultation.id, facts, who.username, old_id=renamed)
        if moved and facts.announced_frist is not None:  # who confirmed which day, audited
            both = {
                "announced": facts.announced_frist.strftime("%d.%m.%Y"),
                "valid": consultation.closes_at.astimezone(LOCAL_TZ).strftime("%d.%m.%Y"),
            }
            store.audit(
                who.username, "consultation.frist_confirmed", "consultation", consultation.id, None, json.dumps(both)
            )
            warnings = [
                ("merk21.frist_moved_confirmed", both) if key == "plan_process.warn_moved" else (key, v)
                for key, v in warnings
            ]
    return consultation, warnings


def transition(store: Store, consultation_id: str, target: Status, actor: User) -> Consultation:
    who = require(store, actor, Role.PLANNER)
    c = store.get_consultation(consultation_id)
    if c is None:
        raise InvalidConsultation("consultation_form.unknown", id=consultation_id)
    if target not in TRANSITIONS[c.status]:
        raise InvalidConsultation("lifecycle.not_allowed", source=c.status.value, target=target.value)
    if c.status == Status.PUBLISHED and target == Status.DRAFT and store.all_inputs(c.id):
        raise InvalidConsultation("lifecycle.has_inputs")
    if target == Status.PUBLISHED:
        check_documents(store, c)
    changed = replace(c, status=target)
    store.update_consultation(changed, who.username)
    return changed


def duplicate(store: Store, consultation_id: str, actor: User, copy_title: str) -> Consultation:
    """A new draft with the same texts, area, categories, questions and map layers (no
    inputs)."""
    who = require(store, actor, Role.PLANNER)
    c = store.get_consultation(consultation_id)
    if c is None:
        raise InvalidConsultation("consultation_form.unknown", id=consultation_id)
    copy = replace(
        c,
        id=unique_slug(f"{c.id}-kopi", store.consultation_ids()),
        title=copy_title,
        status=Status.DRAFT,
        is_demo=False,
    )
    with store.atomic():
        store.add_consultation(copy, actor=who.username)
        for layer in store.context_layers(c.id):
            store.add_context_layer(replace(layer, consultation_id=copy.id), who.username)
    return copy


def delete_draft(store: Store, consultation_id: str, actor: User) -> None:
    who = require(store, actor, Role.PLANNER)
    c = store.get_consultation(consultation_id)
    if c is None:
        raise InvalidConsultation("consultation_form.unknown", id=consultation_id)
    if c.status != Status.DRAFT:
        raise InvalidConsultation("lifecycle.delete_only_drafts")
    if store.all_inputs(c.id):
        raise InvalidConsultation("lifecycle.has_inputs")
    store.delete_consultation(c.id, who.username)
