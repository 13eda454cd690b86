"""Planners' rules for review and merknadsbehandling: moderation, duplicates, themes,
responses, progress, and what residents see once the responses are published.

Which inputs need an answer: every input that is neither hidden nor a duplicate. Hiding
takes an input out of the consultation's material (spam, abuse, off-topic; the reason is
kept), and a duplicate is answered through its original — residents who sent one see the
original's answer. Pending inputs count: they arrived and must be dealt with like any other.

Every command here takes the acting ``User``, checks it against the store
(``permissions.require``), then writes as that user; the store audits in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from .errors import KartinnspillError
from .model import (
    Consultation,
    Input,
    InputStatus,
    Moderation,
    Outcome,
    Response,
    Role,
    Status,
    User,
    reference,
)
from .permissions import require
from .store import Store
from .text import clean_text

REASON_MAX = 300
THEME_MAX = 60
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


def original_of(input_id: int, duplicate_of: Mapping[int, int | None]) -> int:
    """The input at the end of a duplicate chain (the input itself when it is no duplicate)."""
    seen = {input_id}
    while (following := duplicate_of.get(input_id)) is not None and following not in seen:
        seen.add(following)
        input_id = following
    return input_id


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
    step, seen = inputs[of_id].duplicate_of, {of_id}
    while step is not None and step not in seen:  # the original's own chain must not lead back
        if step in marked:
            raise InvalidReview("planning.error.duplicate_cycle", ref=reference(step))
        seen.add(step)
        step = inputs[step].duplicate_of if step in inputs else None
    for input_id in marked:
        store.mark_duplicate(input_id, of_id, who.username)
    return len(marked)


def clear_duplicates(store: Store, input_ids: Sequence[int], actor: User) -> None:
    who = require(store, actor, Role.PLANNER)
    for input_id in input_ids:
        store.mark_duplicate(input_id, None, who.username)


def clean_theme(theme: str | None) -> str:
    theme = " ".join(clean_text(theme or "").split())
    if not theme:
        raise InvalidReview("planning.error.theme_missing")
    if len(theme) > THEME_MAX:
        raise InvalidReview("planning.error.theme_long", max=THEME_MAX)
    return theme


def tag(store: Store, input_ids: Sequence[int], theme: str | None, actor: User) -> str:
    """Give inputs a theme (new or existing); returns the theme as stored."""
    who = require(store, actor, Role.PLANNER)
    theme = clean_theme(theme)
    store.add_theme(input_ids, theme, who.username)
    return theme


def untag(store: Store, input_ids: Sequence[int], theme: str | None, actor: User) -> str:
    """Take a theme off inputs; returns the theme as it was matched."""
    who = require(store, actor, Role.PLANNER)
    theme = clean_theme(theme)
    store.remove_theme(input_ids, theme, who.username)
    return theme


def review_order(moderation: Moderation) -> Callable[[str, int], tuple]:
    """Sort key on ``(status, input id)``: oldest first, and in a pre-moderated
    consultation every pending input before the rest, since residents wait for those."""
    if moderation == Moderation.PRE:
        return lambda status, input_id: (status != InputStatus.PENDING, input_id)
    return lambda _status, input_id: (False, input_id)


def order_frame(frame: pd.DataFrame, moderation: Moderation) -> pd.DataFrame:
    key = review_order(moderation)
    order = sorted(range(len(frame)), key=lambda n: key(frame["status"].iat[n], int(frame["id"].iat[n])))
    return frame.iloc[order].reset_index(drop=True)


# -- merknadsbehandling ------------------------------------------------------------------


def needs_answer(status: str, duplicate_of: object) -> bool:
    """Whether an input counts in the merknadsbehandling (see the module's note)."""
    return status != InputStatus.HIDDEN and pd.isna(duplicate_of)


def needing_answer(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of an analysis frame that need an answer."""
    return frame[[needs_answer(s, d) for s, d in zip(frame["status"], frame["duplicate_of"], strict=True)]]


def progress(
    source: pd.DataFrame | Mapping[int, Response], inputs: Sequence[Input] | None = None
) -> tuple[int, int]:
    """``(answered, total)`` over the inputs that need an answer: from an analysis frame,
    or from ``store.responses(...)`` together with the consultation's inputs."""
    if inputs is None:
        need = needing_answer(source)
        return int(need["outcome"].notna().sum()), len(need)
    need = [i for i in inputs if needs_answer(i.status, i.duplicate_of)]
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


def answer(
    store: Store, input_ids: Sequence[int], response: Response, actor: User
) -> int:
    """The same response for one input or a group; returns how many were answered."""
    who = require(store, actor, Role.PLANNER)
    if not input_ids:
        raise InvalidReview("planning.error.nothing_to_answer")
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
    store.set_responses_published(c.id, published, who.username)


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
        response, via = responses.get(item.id), None
        if response is None and item.duplicate_of is not None:
            root = original_of(item.id, links)
            if root in responses and root in published:  # never the answer to a hidden input
                response, via = responses[root], root
        found.append(PublicOutcome(item, response, via))
    return found
