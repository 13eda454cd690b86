"""Planners' rules for review and merknadsbehandling: moderation, duplicates, planners'
tags, responses, progress, and what residents see once the responses are published.

Words: a planner's *tag* groups inputs by hand (the machine's clusters are *themes*, in
``themes.py``); a planner's *response* is the merknadsbehandling of an input (a resident's
*answers* are to the consultation's questions).

Which inputs need a response: every input that is a merknad and no duplicate. Moderation
and the legal treatment are two things: hiding an input takes it off the public page
(abuse, off-topic, personal data; the reason is kept) but it was received and must be
assessed (pbl. § 12-12). Only an input a planner marks as no merknad at all (spam, test,
double registration — with the reason, audited, reversible) stays out. A duplicate gets its
response through its original (:func:`responded_through`) — residents who sent one see the
original's response. Pending inputs count: they arrived and must be dealt with like any
other.

Every command here takes the acting ``User``, checks it against the store
(``permissions.require``), then writes as that user; the store audits in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from .. import mail
from ..errors import KartinnspillError
from ..model import (
    Consultation,
    Input,
    InputStatus,
    Moderation,
    NotMerknad,
    Outcome,
    Response,
    Role,
    SenderType,
    Status,
    User,
    reference,
)
from ..permissions import require
from ..store import Store
from ..text import clean_text

REASON_MAX = 300
TAG_MAX = 60
SUMMARY_MAX = 1_000
ASSESSMENT_MAX = 5_000
PLAN_CHANGE_MAX = 2_000


class InvalidReview(KartinnspillError):
    """A moderation action or a response was refused; nothing was stored."""


# -- moderation ----------------------------------------------------------------------------


def publish(store: Store, input_ids: Sequence[int], actor: User) -> int:
    """Make inputs public; returns how many changed."""
    who = require(store, actor, Role.PLANNER)
    return store.set_input_status(input_ids, InputStatus.PUBLISHED, who.username)


def hide(store: Store, input_ids: Sequence[int], reason: str | None, actor: User) -> int:
    """Take inputs out of public view; the reason is required and kept (and audit-logged)."""
    who = require(store, actor, Role.PLANNER)
    reason = clean_text(reason or "")
    if not reason:
        raise InvalidReview("planning.error.reason_missing")
    if len(reason) > REASON_MAX:
        raise InvalidReview("planning.error.reason_long", max=REASON_MAX)
    return store.set_input_status(input_ids, InputStatus.HIDDEN, who.username, reason=reason)


def mark_not_merknad(
    store: Store, input_ids: Sequence[int], kind: NotMerknad | str | None, note: str | None, actor: User
) -> int:
    """Mark inputs as no merknad at all (spam, test, double registration, other — «other»
    needs a note); they leave the merknadsbehandling, counted with the reason in the
    report's annex. Returns how many changed; :func:`restore_merknad` undoes it."""
    who = require(store, actor, Role.PLANNER)
    try:
        kind = NotMerknad(kind)
    except ValueError:
        raise InvalidReview("report11.error.not_merknad_kind") from None
    note = clean_text(note or "")
    if len(note) > REASON_MAX:
        raise InvalidReview("planning.error.reason_long", max=REASON_MAX)
    if kind == NotMerknad.OTHER and not note:
        raise InvalidReview("planning.error.reason_missing")
    return store.set_not_merknad(input_ids, kind, note or None, who.username)


def restore_merknad(store: Store, input_ids: Sequence[int], actor: User) -> int:
    """Inputs marked as no merknad are merknader again; returns how many changed."""
    who = require(store, actor, Role.PLANNER)
    return store.set_not_merknad(input_ids, None, None, who.username)


def duplicate_chain(input_id: int, duplicate_of: Mapping[int, object]) -> list[int]:
    """The originals an input leads to through ``duplicate_of``, nearest first (empty when
    it is no duplicate); a chain that leads back stops before repeating itself."""
    chain, seen = [], {input_id}
    step = duplicate_of.get(input_id)
    while step is not None and not (not isinstance(step, int) and pd.isna(step)) and int(step) not in seen:
        step = int(step)
        chain.append(step)
        seen.add(step)
        step = duplicate_of.get(step)
    return chain


def responded_through(
    input_id: int,
    duplicate_of: Mapping[int, object],
    responded: Container[int],
    allowed: Container[int] | None = None,
) -> int | None:
    """The input whose response ``input_id`` carries: itself when it has one, else the first
    input along its duplicate chain that has one; ``None`` when none has, or when that
    input is not ``allowed`` (the public never gets the response given to a hidden input)."""
    for step in (input_id, *duplicate_chain(input_id, duplicate_of)):
        if step in responded:
            return step if allowed is None or step in allowed else None
    return None


def mark_duplicates(
    store: Store, consultation_id: str, input_ids: Sequence[int], of_id: int | None, actor: User
) -> int:
    """Mark inputs as repeating ``of_id`` (the original, left out if it is among them).

    Both must belong to the consultation, and no chain may lead back to where it started.
    Everything is checked before anything is stored; returns how many were marked.
    """
    who = require(store, actor, Role.PLANNER)
    if of_id is None:
        raise InvalidReview("planning.error.duplicate_missing")
    inputs = {i.id: i for i in store.all_inputs(consultation_id)}
    if of_id not in inputs or any(i not in inputs for i in input_ids):
        raise InvalidReview("planning.error.duplicate_other_consultation")
    marked = [i for i in dict.fromkeys(input_ids) if i != of_id]
    if not marked:
        raise InvalidReview("planning.error.duplicate_self")
    links = {i: item.duplicate_of for i, item in inputs.items()}
    for step in duplicate_chain(of_id, links):  # the original's own chain must not lead back
        if step in marked:
            raise InvalidReview("planning.error.duplicate_cycle", ref=reference(step))
    for input_id in marked:
        store.mark_duplicate(input_id, of_id, who.username)
    return len(marked)


def clear_duplicates(store: Store, input_ids: Sequence[int], actor: User) -> None:
    who = require(store, actor, Role.PLANNER)
    for input_id in input_ids:
        store.mark_duplicate(input_id, None, who.username)


def clean_tag(name: str | None) -> str:
    name = " ".join(clean_text(name or "").split())
    if not name:
        raise InvalidReview("planning.error.theme_missing")
    if len(name) > TAG_MAX:
        raise InvalidReview("planning.error.theme_long", max=TAG_MAX)
    return name


def tag(store: Store, input_ids: Sequence[int], name: str | None, actor: User) -> str:
    """Give inputs a planner's tag (new or existing); returns the tag as stored."""
    who = require(store, actor, Role.PLANNER)
    name = clean_tag(name)
    store.add_tag(input_ids, name, who.username)
    return name


def untag(store: Store, input_ids: Sequence[int], name: str | None, actor: User) -> str:
    """Take a planner's tag off inputs; returns the tag as it was matched."""
    who = require(store, actor, Role.PLANNER)
    name = clean_tag(name)
    store.remove_tag(input_ids, name, who.username)
    return name


def review_order(moderation: Moderation) -> Callable[[str, int], tuple]:
    """Sort key on ``(status, input id)``: oldest first, and in a pre-moderated
    consultation every pending input before the rest, since residents wait for those."""
    if moderation == Moderation.PRE:
        return lambda status, input_id: (status != InputStatus.PENDING, input_id)
    return lambda _status, input_id: (False, input_id)


def photos_waiting(frame: pd.DataFrame) -> int:
    """Inputs with photos that wait for a planner (``Store.analysis_frame``'s rows): under
    the profile's ``photos_premoderated`` they are not public until one is published."""
    if not len(frame) or "photos" not in frame:
        return 0
    return int(((frame["status"] == InputStatus.PENDING.value) & (frame["photos"] > 0)).sum())


def order_frame(frame: pd.DataFrame, moderation: Moderation) -> pd.DataFrame:
    key = review_order(moderation)
    keys = [key(status, int(input_id)) for status, input_id in zip(frame["status"], frame["id"], strict=True)]
    order = sorted(range(len(frame)), key=keys.__getitem__)  # a key per row once, not .iat per row
    return frame.iloc[order].reset_index(drop=True)


# -- merknadsbehandling ------------------------------------------------------------------


# The saksframlegg's sender groups, in its order; a web merknad without a sender type is a
# private person's.
SECTIONS: tuple[tuple[str, frozenset[SenderType | None]], ...] = (
    ("authorities", frozenset({SenderType.AUTHORITY})),
    ("municipalities", frozenset({SenderType.MUNICIPALITY})),
    ("organisations", frozenset({SenderType.ORGANISATION})),
    ("businesses", frozenset({SenderType.BUSINESS})),
    ("private", frozenset({SenderType.NEIGHBOUR, SenderType.LANDOWNER, SenderType.PRIVATE, None})),
    ("internal", frozenset({SenderType.INTERNAL})),
)


def section_of(sender_type: object) -> int:
    """The sender group (0-based index into ``SECTIONS``) of a merknad."""
    kind = SenderType(sender_type) if isinstance(sender_type, str) and sender_type else None
    return next(k for k, (_, members) in enumerate(SECTIONS) if kind in members)


def is_merknad(not_merknad: object) -> bool:
    """Whether an input is in the merknadsbehandling: unless a planner marked it as no
    merknad at all, whatever its public status."""
    return not isinstance(not_merknad, str) or not not_merknad


def needs_response(not_merknad: object, duplicate_of: object) -> bool:
    """Whether an input needs an answer of its own (see the module's note)."""
    return is_merknad(not_merknad) and pd.isna(duplicate_of)


def needing_response(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of an analysis frame that need an answer."""
    keep = [needs_response(m, d) for m, d in zip(frame["not_merknad"], frame["duplicate_of"], strict=True)]
    return frame[pd.Series(keep, index=frame.index, dtype=bool)]  # an empty list would select columns


def progress(source: pd.DataFrame | Mapping[int, Response], inputs: Sequence[Input] | None = None) -> tuple[int, int]:
    """``(answered, total)`` over the inputs that need an answer: from an analysis frame,
    or from ``store.responses(...)`` together with the consultation's inputs."""
    if inputs is None:
        need = needing_response(source)
        return int(need["outcome"].notna().sum()), len(need)
    need = [i for i in inputs if needs_response(i.not_merknad, i.duplicate_of)]
    return sum(i.id in source for i in need), len(need)


def validate_response(
    summary: str | None,
    assessment: str | None,
    outcome: Outcome | str | None,
    plan_change: str | None = "",
) -> Response:
    """A response ready for ``store.save_response`` (input id 0: the store sets each id)."""
    summary, assessment = clean_text(summary or ""), clean_text(assessment or "")
    plan_change = clean_text(plan_change or "")
    if not summary:
        raise InvalidReview("planning.error.summary_missing")
    if len(summary) > SUMMARY_MAX:
        raise InvalidReview("planning.error.summary_long", max=SUMMARY_MAX)
    if not assessment:
        raise InvalidReview("planning.error.assessment_missing")
    if len(assessment) > ASSESSMENT_MAX:
        raise InvalidReview("planning.error.assessment_long", max=ASSESSMENT_MAX)
    if len(plan_change) > PLAN_CHANGE_MAX:
        raise InvalidReview("planning.error.plan_change_long", max=PLAN_CHANGE_MAX)
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise InvalidReview("planning.error.outcome_missing") from None
    return Response(0, summary, assessment, chosen, plan_change)


def respond(store: Store, input_ids: Sequence[int], response: Response, actor: User) -> int:
    """The same response for one input or a group; returns how many got it."""
    who = require(store, actor, Role.PLANNER)
    if not input_ids:
        raise InvalidReview("planning.error.nothing_to_answer")
    for input_id in input_ids:  # a split merknad is answered point by point (points.py)
        if len(store.input_points(input_id)) > 1:
            raise InvalidReview("points.error.split_answer", ref=reference(input_id))
    store.save_response(input_ids, response, who.username)
    return len(input_ids)


def responses_may_be_published(c: Consultation, now: datetime) -> bool:
    """Residents see the responses only after the deadline: the merknadsbehandling is of
    a finished consultation."""
    if c.status in (Status.CLOSED, Status.ARCHIVED):
        return True
    return c.status == Status.PUBLISHED and now >= c.closes_at


def publish_responses(store: Store, c: Consultation, published: bool, actor: User, now: datetime) -> None:
    who = require(store, actor, Role.PLANNER)
    c = store.get_consultation(c.id) or c  # as it is now, not as the page drew it
    if published and not responses_may_be_published(c, now):
        raise InvalidReview("planning.error.publish_open")
    with store.atomic():  # published, and its mails queued (mail.py), as one change
        first = published and not store.responses_published(c.id)
        store.set_responses_published(c.id, published, who.username)
        if first:
            outcomes = [o for o in public_outcomes(store.all_inputs(c.id), store.responses(c.id)) if o.response]
            points = store.merknad_points(c.id)  # a split merknad is answered point by point
            mail.responses_published(
                store,
                c,
                {o.input.id: o.response for o in outcomes},
                {o.input.id: points.get(o.via or o.input.id, []) for o in outcomes},
            )


@dataclass(frozen=True)
class PublicOutcome:
    """One published input as residents see it after the consultation: its response (or
    ``None`` while unanswered) and, for a duplicate, the original that carries the answer."""

    input: Input
    response: Response | None
    via: int | None = None


def public_outcomes(inputs: Sequence[Input], responses: Mapping[int, Response]) -> list[PublicOutcome]:
    """Every published input, oldest first; unanswered ones are listed too (with
    ``response=None``), so residents see that their input is still being dealt with."""
    links = {i.id: i.duplicate_of for i in inputs}
    published = {i.id for i in inputs if i.status == InputStatus.PUBLISHED}
    found = []
    for item in sorted(inputs, key=lambda i: i.id):
        if item.status != InputStatus.PUBLISHED:
            continue
        # never the answer to a hidden input
        source = responded_through(item.id, links, responses, allowed=published)
        response = responses[source] if source is not None else None
        found.append(PublicOutcome(item, response, source if source != item.id else None))
    return found
