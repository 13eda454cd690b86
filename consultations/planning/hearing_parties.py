"""Høringsinstanser: the authorities, municipalities and organisations a høring was sent to.

Staff keep a list per consultation, prefilled from the municipality profile
(``Municipality.hearing_parties``): who was sent the høring and when, a longer frist for
one of them when staff give it, and which input is their answer — so a planner sees who
has not answered yet. Names of høringsinstanser are not personal data.

Every command takes the acting ``User``, checks it (``permissions.require``) and the store
audits the change in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime

from . import planprocess
from ..errors import KartinnspillError
from ..i18n import LOCAL_TZ
from ..model import Consultation, HearingParty, Input, Role, SenderType, User
from ..permissions import require
from ..store import Store
from ..text import clean_text

NAME_MAX = 200


class InvalidParty(KartinnspillError):
    """A change to a consultation's høringsinstanser was refused; nothing was stored."""


def own_frist(consultation: Consultation, day: date | None) -> datetime | None:
    """A høringsinstans's own frist from the date staff gave: the end of that day, moved
    to the next working day as every frist is; it must be later than the consultation's."""
    if day is None:
        return None
    moved = planprocess.next_working_day(day)
    frist = datetime.combine(moved, planprocess.END_OF_DAY, tzinfo=LOCAL_TZ)
    if frist <= consultation.closes_at:
        closes = consultation.closes_at.astimezone(LOCAL_TZ)
        raise InvalidParty("hearing.frist_not_longer", date=f"{closes:%d.%m.%Y}")
    return frist


def add(
    store: Store,
    consultation_id: str,
    name: str | None,
    sender_type: SenderType | str | None,
    *,
    sent_on: date | None = None,
    frist: date | None = None,
    actor: User,
) -> HearingParty:
    """Put a høringsinstans on the consultation's list."""
    who = require(store, actor, Role.PLANNER)
    consultation = _consultation(store, consultation_id)
    name = " ".join(clean_text(name or "").split())
    if not name:
        raise InvalidParty("hearing.name_missing")
    if len(name) > NAME_MAX:
        raise InvalidParty("hearing.name_long", max=NAME_MAX)
    try:
        kind = SenderType(sender_type)
    except ValueError:
        raise InvalidParty("hearing.sender_type_missing") from None
    party = store.add_hearing_party(consultation.id, name, kind, sent_on, own_frist(consultation, frist), who.username)
    if party is None:
        raise InvalidParty("hearing.name_taken", name=name)
    return party


def prefill(
    store: Store,
    consultation_id: str,
    defaults: Sequence[tuple[str, SenderType]],
    actor: User,
) -> int:
    """Add the profile's default høringsinstanser that are not on the list yet, sent on the
    day of the kunngjøring (else the opening day); returns how many were added."""
    who = require(store, actor, Role.PLANNER)
    consultation = _consultation(store, consultation_id)
    sent_on = consultation.announced_on or consultation.opens_at.astimezone(LOCAL_TZ).date()
    added = 0
    for name, kind in defaults:
        if store.add_hearing_party(consultation.id, name, kind, sent_on, None, who.username):
            added += 1
    return added


def edit(
    store: Store,
    party_id: int,
    *,
    sent_on: date | None,
    frist: date | None,
    actor: User,
) -> HearingParty:
    """Change when the høring was sent to a høringsinstans and its own frist (``None``:
    the consultation's)."""
    who = require(store, actor, Role.PLANNER)
    party = _party(store, party_id)
    consultation = _consultation(store, party.consultation_id)
    changed = replace(party, sent_on=sent_on, frist=own_frist(consultation, frist))
    store.update_hearing_party(changed, who.username)
    return changed


def link_answer(store: Store, party_id: int, input_id: int | None, actor: User) -> HearingParty:
    """Record which input is the høringsinstans's answer (``None``: not answered). The
    input must be one of the consultation's, and the answer of no other høringsinstans."""
    who = require(store, actor, Role.PLANNER)
    party = _party(store, party_id)
    if input_id is not None:
        item = store.get_input(input_id)
        if item is None or item.consultation_id != party.consultation_id:
            raise InvalidParty("hearing.answer_other_consultation")
        others = [
            p for p in store.hearing_parties(party.consultation_id) if p.input_id == input_id and p.id != party.id
        ]
        if others:
            raise InvalidParty("hearing.answer_taken", name=others[0].name)
    changed = replace(party, input_id=input_id)
    store.update_hearing_party(changed, who.username)
    return changed


def link_by_name(store: Store, item: Input, actor: User) -> HearingParty | None:
    """A registered input from a høringsinstans that has not answered yet (same name, any
    case) becomes its answer; ``None`` when no such høringsinstans is on the list."""
    if not item.sender_name:
        return None
    wanted = item.sender_name.casefold()
    for party in store.hearing_parties(item.consultation_id):
        if party.input_id is None and party.name.casefold() == wanted:
            return link_answer(store, party.id, item.id, actor)
    return None


def remove(store: Store, party_id: int, actor: User) -> None:
    who = require(store, actor, Role.PLANNER)
    store.delete_hearing_party(_party(store, party_id).id, who.username)


def unanswered(parties: Iterable[HearingParty]) -> list[HearingParty]:
    """The høringsinstanser that have not answered yet, in the list's order."""
    return [p for p in parties if not p.answered]


def _consultation(store: Store, consultation_id: str) -> Consultation:
    consultation = store.get_consultation(consultation_id)
    if consultation is None:
        raise InvalidParty("hearing.unknown_consultation")
    return consultation


def _party(store: Store, party_id: int) -> HearingParty:
    party = store.hearing_party(party_id)
    if party is None:
        raise InvalidParty("hearing.unknown")
    return party
