"""Merknadspunkter: the unit the merknadsbehandling assesses (pbl. § 12-12).

One letter often says several things: Statsforvalteren's may hold two innsigelser and a
faglig råd, a neighbour's a claim about the property boundary next to one about heights.
Each is a *point* (a, b, …; 1a, 1b in the report) with its own sammendrag, tema, kind
(merknad, innsigelse, faglig råd), vurdering, forslag, «endring i planen» and whether the
change needs a new høring (pbl. § 12-14). A merknad not split is one point, «a».

Rules kept here:
- an innsigelse or a faglig råd only from a sender who may raise one (``SenderType.may_object``);
- an innsigelse's status moves (åpen, imøtekommet, frafalt, opprettholdt → mekling) only
  with the date and reference of the authority's letter or meeting and a note; each move
  is recorded and audited with the change;
- a felles vurdering is given to points, never to whole merknader;
- a vurdering and its forslag come together; a point without them is «ikke vurdert», and
  that is shown wherever the merknadsbehandling is (``unassessed``);
- while an innsigelse is open or opprettholdt the kommunestyre cannot adopt the plan alone
  (pbl. § 5-4, § 11-16, § 12-13: it goes to the departementet) — ``adoption_blocked``.

Every command takes the acting ``User``, checks it (``permissions.require``), and the store
audits in the same transaction.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from ..errors import KartinnspillError
from ..i18n import LOCAL_TZ
from ..model import (
    Input,
    InputStatus,
    ObjectionStatus,
    Outcome,
    Point,
    PointKind,
    Role,
    SenderType,
    StatusChange,
    User,
)
from ..permissions import require
from .review import (
    ASSESSMENT_MAX,
    PLAN_CHANGE_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    needs_response,
)
from ..store import Store
from ..text import clean_text

LETTERS = string.ascii_lowercase
REFERENCE_MAX = 60
NOTE_MAX = 1_000
UNRESOLVED = frozenset(s for s in ObjectionStatus if not s.resolved)


class InvalidPoint(KartinnspillError):
    """A change to a merknadspunkt was refused; nothing was stored."""


# -- reading ---------------------------------------------------------------------------------


def points_of(store: Store, input_id: int) -> list[Point]:
    return store.input_points(input_id)


def point(store: Store, input_id: int, letter: str) -> Point:
    found = next((p for p in store.input_points(input_id) if p.letter == letter), None)
    if found is None:
        raise InvalidPoint("points.error.unknown_point", letter=letter)
    return found


def assessed_points(points: Mapping[int, Sequence[Point]], inputs: Iterable[Input]) -> list[Point]:
    return [p for i in inputs if needs_response(i.not_merknad, i.duplicate_of) for p in points.get(i.id, ())]


def unassessed(points: Mapping[int, Sequence[Point]], inputs: Iterable[Input]) -> list[Point]:
    """The points that need a vurdering and have none: every point of every merknad that
    needs an answer of its own (not a duplicate, not marked as no merknad)."""
    return [p for p in assessed_points(points, inputs) if not p.assessed]


def standing(points: Mapping[int, Sequence[Point]], inputs: Iterable[Input]) -> list[Point]:
    """Innsigelser that still stand (open or opprettholdt) on merknader not hidden."""
    return [
        p
        for i in inputs
        if i.status != InputStatus.HIDDEN and (i.not_merknad is None)
        for p in points.get(i.id, ())
        if p.kind == PointKind.INNSIGELSE and (p.status or ObjectionStatus.OPEN) in UNRESOLVED
    ]


def adoption_blocked(points: Mapping[int, Sequence[Point]], inputs: Iterable[Input]) -> bool:
    """Whether the kommunestyre cannot adopt the plan alone (pbl. § 5-4 / § 11-16 / § 12-13)."""
    return bool(standing(points, inputs))


def changes(points: Mapping[int, Sequence[Point]], inputs: Iterable[Input]) -> list[Point]:
    """The points that change the plan (their «endring i planen»), in merknad order."""
    return [
        p
        for i in sorted(inputs, key=lambda i: i.id)
        if needs_response(i.not_merknad, i.duplicate_of)
        for p in points.get(i.id, ())
        if p.plan_change
    ]


def next_letter(points: Sequence[Point]) -> str:
    used = {p.letter for p in points}
    letter = next((x for x in LETTERS if x not in used), None)
    if letter is None:
        raise InvalidPoint("points.error.too_many", max=len(LETTERS))
    return letter


# -- writing ---------------------------------------------------------------------------------


def split(store: Store, input_id: int, actor: User) -> Point:
    """A new, empty point on a merknad (its next letter); the merknad's first point keeps
    what it had. Returns the new point."""
    who = require(store, actor, Role.PLANNER)
    item = _input(store, input_id)
    new = Point(item.id, next_letter(store.input_points(item.id)))
    store.save_points([new], who.username)
    return new


@dataclass(frozen=True)
class PointEdit:
    """What a planner writes on one point (everything but an innsigelse's status)."""

    summary: str | None = ""
    theme: str | None = ""
    kind: PointKind | str | None = PointKind.MERKNAD
    assessment: str | None = ""
    outcome: Outcome | str | None = None
    plan_change: str | None = ""
    new_hearing: bool = False


def checked(item: Input, before: Point, edit: PointEdit) -> Point:
    """``before`` with ``edit`` applied, after every rule; ``InvalidPoint`` when refused."""
    summary, theme = clean_text(edit.summary or ""), " ".join(clean_text(edit.theme or "").split())
    assessment, plan_change = clean_text(edit.assessment or ""), clean_text(edit.plan_change or "")
    for value, limit, key in (
        (summary, SUMMARY_MAX, "summary"),
        (theme, TAG_MAX, "theme"),
        (assessment, ASSESSMENT_MAX, "assessment"),
        (plan_change, PLAN_CHANGE_MAX, "plan_change"),
    ):
        if len(value) > limit:
            raise InvalidPoint(f"points.error.{key}_long", max=limit)
    try:
        kind = PointKind(edit.kind or PointKind.MERKNAD)
    except ValueError:
        raise InvalidPoint("points.error.kind_unknown") from None
    if kind != PointKind.MERKNAD and (item.sender_type is None or not SenderType(item.sender_type).may_object):
        raise InvalidPoint("points.error.not_authority")
    outcome = None
    if edit.outcome not in (None, ""):
        try:
            outcome = Outcome(edit.outcome)
        except ValueError:
            raise InvalidPoint("points.error.outcome_unknown") from None
    if outcome is not None and not assessment:
        raise InvalidPoint("points.error.assessment_missing")
    if assessment and outcome is None:
        raise InvalidPoint("points.error.outcome_missing")
    status = before.status if before.kind == PointKind.INNSIGELSE else None
    if kind == PointKind.INNSIGELSE:
        status = status or ObjectionStatus.OPEN
    else:
        status = None
    evidence = {} if kind == PointKind.INNSIGELSE else {"settled_on": None, "settled_reference": "", "settled_note": ""}
    answer = (assessment, outcome, plan_change)
    group = before.group_id if answer == (before.assessment, before.outcome, before.plan_change) else None
    return replace(
        before,
        summary=summary,
        theme=theme,
        kind=kind,
        status=status,
        assessment=assessment,
        outcome=outcome,
        plan_change=plan_change,
        new_hearing=bool(edit.new_hearing),
        group_id=group,
        **evidence,
    )


def edit(store: Store, input_id: int, letter: str, change: PointEdit, actor: User) -> Point:
    """Write one point (a new letter on the merknad splits it); returns it as stored."""
    who = require(store, actor, Role.PLANNER)
    item = _input(store, input_id)
    existing = {p.letter: p for p in store.input_points(item.id)}
    before = existing.get(letter) or Point(item.id, _letter(letter))
    new = checked(item, before, change)
    store.save_points([new], who.username)
    return point(store, item.id, new.letter)


def validate_status_change(
    before: Point,
    status: ObjectionStatus | str | None,
    settled_on: date | None,
    reference: str | None,
    note: str | None,
) -> tuple[Point, StatusChange]:
    """The point with its new status and the recorded change; refused without the date,
    the reference of the authority's letter or meeting, and a note."""
    if before.kind != PointKind.INNSIGELSE:
        raise InvalidPoint("points.error.not_innsigelse")
    try:
        status = ObjectionStatus(status)
    except ValueError:
        raise InvalidPoint("points.error.status_unknown") from None
    current = before.status or ObjectionStatus.OPEN
    if status == current:
        raise InvalidPoint("points.error.status_same")
    reference, note = clean_text(reference or "").strip(), clean_text(note or "").strip()
    if settled_on is None:
        raise InvalidPoint("points.error.date_missing")
    if settled_on > datetime.now(UTC).astimezone(LOCAL_TZ).date():
        raise InvalidPoint("points.error.date_future")
    if not reference:
        raise InvalidPoint("points.error.reference_missing")
    if len(reference) > REFERENCE_MAX:
        raise InvalidPoint("points.error.reference_long", max=REFERENCE_MAX)
    if not note:
        raise InvalidPoint("points.error.note_missing")
    if len(note) > NOTE_MAX:
        raise InvalidPoint("points.error.note_long", max=NOTE_MAX)
    after = replace(before, status=status, settled_on=settled_on, settled_reference=reference, settled_note=note)
    return after, StatusChange(before.input_id, before.letter, current, status, settled_on, reference, note)


def set_status(
    store: Store,
    input_id: int,
    letter: str,
    status: ObjectionStatus | str | None,
    settled_on: date | None,
    reference: str | None,
    note: str | None,
    actor: User,
) -> Point:
    """Move an innsigelse's status, with its evidence (recorded, audited, in the report)."""
    who = require(store, actor, Role.PLANNER)
    _input(store, input_id)
    after, change = validate_status_change(point(store, input_id, letter), status, settled_on, reference, note)
    store.save_points([after], who.username, [change])
    return point(store, input_id, letter)


def answer_group(
    store: Store,
    keys: Sequence[tuple[int, str]],
    assessment: str | None,
    outcome: Outcome | str | None,
    plan_change: str | None,
    actor: User,
    new_hearing: bool = False,
) -> int:
    """A felles vurdering: the same vurdering, forslag and endring on several points (of one
    or several merknader), each keeping its own sammendrag. Returns how many got it."""
    who = require(store, actor, Role.PLANNER)
    keys = list(dict.fromkeys(keys))
    if not keys:
        raise InvalidPoint("points.error.nothing_chosen")
    if not clean_text(assessment or ""):
        raise InvalidPoint("points.error.assessment_missing")
    found = []
    for input_id, letter in keys:
        item = _input(store, input_id)
        before = point(store, item.id, letter)
        found.append(
            checked(
                item,
                before,
                PointEdit(
                    before.summary,
                    before.theme,
                    before.kind,
                    assessment,
                    outcome,
                    plan_change,
                    new_hearing,
                ),
            )
        )
    group = store.new_point_group() if len(found) > 1 else None
    store.save_points([replace(p, group_id=group) for p in found], who.username)
    return len(found)


def _letter(letter: str | None) -> str:
    letter = (letter or "").strip().lower()
    if len(letter) != 1 or letter not in LETTERS:
        raise InvalidPoint("points.error.letter_invalid", letter=letter)
    return letter


def _input(store: Store, input_id: int) -> Input:
    item = store.get_input(input_id)
    if item is None:
        raise InvalidPoint("points.error.unknown_input")
    return item
