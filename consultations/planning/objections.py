"""Innsigelse and faglig råd (pbl. §§ 5-4–5-6): what an authority's merknad is in law, and
where each innsigelse stands.

A merknad from a regional or state authority or another municipality may be marked as
innsigelse or as faglig råd — when it is registered, or later by a planner. Each innsigelse
has its own status: open, imøtekommet, frafalt, or opprettholdt (it goes to mekling). The
plan cannot be adopted while one is unresolved (open or opprettholdt), so staff see
«N uløste innsigelser» wherever they follow a consultation.

Every command takes the acting ``User``, checks it against the store
(``permissions.require``), and the store audits the change in the same transaction. The
command line runs as ``permissions.OPERATOR``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..casework import points
from ..errors import InvalidInput
from ..model import (
    Input,
    InputStatus,
    Objection,
    ObjectionStatus,
    Role,
    SenderType,
    User,
)
from ..permissions import require
from ..store import Store

UNRESOLVED = tuple(s for s in ObjectionStatus if not s.resolved)


def check(sender_type: SenderType | None, objection: Objection | None) -> Objection | None:
    """``objection`` if a merknad from ``sender_type`` may be one; ``InvalidInput`` if not."""
    if objection is None:
        return None
    if sender_type is None or not SenderType(sender_type).may_object:
        raise InvalidInput("objection.not_authority")
    return Objection(objection)


def mark(store: Store, input_id: int, objection: Objection | None, actor: User) -> Input:
    """Mark an input as innsigelse or faglig råd (``None``: neither). A new innsigelse is
    open; an innsigelse already marked keeps its status. Returns the input as stored."""
    who = require(store, actor, Role.PLANNER)
    item = _input(store, input_id)
    objection = check(item.sender_type, objection)
    if len(store.input_points(input_id)) > 1:
        raise InvalidInput("points.error.split_mark")
    if objection == Objection.INNSIGELSE:
        status = item.objection_status if item.objection == objection else ObjectionStatus.OPEN
    else:
        status = None
    store.set_objection(input_id, objection, status, who.username)
    return _input(store, input_id)


def mark_innsigelse(store: Store, input_id: int, actor: User) -> Input:
    """The command line's ``--innsigelse``: the input is an open innsigelse."""
    return mark(store, input_id, Objection.INNSIGELSE, actor)


def set_status(
    store: Store,
    input_id: int,
    status: ObjectionStatus,
    actor: User,
    *,
    settled_on: date | None = None,
    reference: str | None = None,
    note: str | None = None,
) -> Input:
    """Move the innsigelse of a merknad not split into points to ``status`` (a planner's
    decision): only with the date and reference of the authority's letter or meeting and a
    note (``points.set_status``), recorded and audited. A split merknad's innsigelser move
    per point."""
    require(store, actor, Role.PLANNER)
    item = _input(store, input_id)
    if item.objection != Objection.INNSIGELSE:
        raise InvalidInput("objection.not_innsigelse")
    found = store.input_points(input_id)
    if len(found) != 1:
        raise InvalidInput("points.error.split_status")
    points.set_status(store, input_id, found[0].letter, status, settled_on, reference, note, actor)
    return _input(store, input_id)


def is_unresolved(objection: object, status: object, input_status: object) -> bool:
    """Whether an input is an innsigelse that still stands: open or opprettholdt, and not
    taken out of the material (hidden)."""
    return (
        objection == Objection.INNSIGELSE.value
        and status in {s.value for s in UNRESOLVED}
        and input_status != InputStatus.HIDDEN.value
    )


def unresolved(inputs: Iterable[Input]) -> list[Input]:
    """The consultation's innsigelser that still stand."""
    return [i for i in inputs if is_unresolved(i.objection, i.objection_status, i.status)]


def overview(store: Store) -> dict[str, tuple[int, int]]:
    """Per consultation id: ``(unresolved innsigelser, høringsinstanser not answered)``.
    Innsigelser are counted as points, as the review page and the report count them: a
    letter with two open innsigelser is two (``points.standing``)."""
    standing = store.standing_innsigelser(UNRESOLVED)
    return {cid: (standing.get(cid, 0), silent) for cid, (_, silent) in store.party_overview(UNRESOLVED).items()}


def _input(store: Store, input_id: int) -> Input:
    item = store.get_input(input_id)
    if item is None:
        raise InvalidInput("input.unknown_input")
    return item
