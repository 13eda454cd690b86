"""«Vi hørte → vi gjør»: what residents said per theme and how the municipality follows it up.

A theme is a planner's tag or a category (``Heard.key``: ``tag:…`` / ``category:…``). Each
row is pre-filled from the inputs — how many (hidden inputs left out), and two or three
quotes from published inputs, masked for personal data through the public path
(``public.masked``) — and a planner writes the follow-up and picks its kind
(``FollowUpKind``: planprogram, utredning, a later phase, or not followed up, which needs a
reason). The table goes into the medvirkningsrapport and, once a planner publishes it, to
residents on the consultation page (``public_table``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .. import mail
from ..errors import InvalidConsultation
from ..i18n import DEFAULT_LANG, t
from ..model import FollowUpKind, InputStatus, Role, User, public_sender_name, reference
from ..permissions import require
from ..participation.public import masked
from ..store import Store
from ..text import clean_text, excerpt

QUOTES = 3
QUOTE_CHARS = 300
FOLLOW_UP_MAX = 2_000
TAG, CATEGORY = "tag", "category"


class InvalidFollowUp(InvalidConsultation):
    """A follow-up was refused; nothing was stored."""


@dataclass(frozen=True)
class Heard:
    """One theme's row: what we heard and how it is followed up."""

    key: str  # «tag:Skolevei», «category:Trafikk og trafikksikkerhet»
    title: str
    source: str  # TAG or CATEGORY
    count: int
    quotes: tuple[str, ...]
    kind: str = ""  # a FollowUpKind value, or "" while none is chosen
    follow_up: str = ""
    reason: str = ""

    @property
    def done(self) -> bool:
        return bool(self.kind)


def masked_quotes(
    frame: pd.DataFrame, ids: Sequence[int], lang: str, include_names: bool = False, n: int = QUOTES
) -> tuple[str, ...]:
    """Up to ``n`` distinct quotes from the published inputs among ``ids`` (in that order),
    masked for personal data, each with its reference (and the sender as the public may
    see it, or with ``include_names`` the name)."""
    return _quotes(_published(frame), ids, lang, include_names, n)


def _published(frame: pd.DataFrame) -> dict[int, tuple[str, object, object]]:
    """id → (text, sender type, sender name) of the frame's published inputs: read out of
    pandas once, so each theme's quotes are plain lookups (a ``set_index`` and a ``loc``
    per theme were most of the «vi hørte – vi gjør» table's time)."""
    rows = frame[frame["status"] == InputStatus.PUBLISHED.value]
    return {
        int(i): (str(text), kind, name)
        for i, text, kind, name in zip(
            rows["id"].tolist(), rows["text"].tolist(), rows["sender_type"].tolist(), rows["sender_name"].tolist()
        )
    }


def _quotes(
    published: dict[int, tuple[str, object, object]], ids: Sequence[int], lang: str, include_names: bool, n: int
) -> tuple[str, ...]:
    found: list[str] = []
    seen: set[str] = set()
    for input_id in ids:
        if len(found) == n:
            break
        row = published.get(int(input_id))
        if row is None:
            continue
        text, kind, sender = row
        text = excerpt(masked(text, lang), QUOTE_CHARS)
        if not text or text in seen:
            continue
        seen.add(text)
        name = sender if include_names else public_sender_name(kind, sender)
        who = f"{reference(int(input_id))}, {name}" if isinstance(name, str) and name else reference(int(input_id))
        found.append(f"«{text}» ({who})")
    return tuple(found)


def heard(
    frame: pd.DataFrame,
    categories: Sequence[str] = (),
    lang: str = DEFAULT_LANG,
    include_names: bool = False,
    quotes: int = QUOTES,
) -> list[Heard]:
    """The themes of a frame (hidden inputs already left out): the planners' tags, most
    inputs first, then the categories with inputs in the consultation's order."""
    rows: list[Heard] = []
    if not len(frame):
        return rows
    published = _published(frame)
    tagged = frame[["id", "tags"]].explode("tags").dropna(subset=["tags"])
    for name, members in sorted(tagged.groupby("tags"), key=lambda kv: (-len(kv[1]), str(kv[0]))):
        ids = [int(i) for i in members["id"]]
        rows.append(
            Heard(f"{TAG}:{name}", str(name), TAG, len(ids), _quotes(published, ids, lang, include_names, quotes))
        )
    counts = frame["category"].value_counts()
    order = [*categories, *sorted(set(counts.index) - set(categories))]
    for name in order:
        if not counts.get(name, 0):
            continue
        ids = [int(i) for i in frame.loc[frame["category"] == name, "id"]]
        rows.append(
            Heard(
                f"{CATEGORY}:{name}",
                str(name),
                CATEGORY,
                len(ids),
                _quotes(published, ids, lang, include_names, quotes),
            )
        )
    return rows


def _frame(store: Store, consultation_id: str) -> pd.DataFrame:
    every = store.analysis_frame(consultation_id)
    return every[every["status"] != InputStatus.HIDDEN.value].reset_index(drop=True)


def table(
    store: Store,
    consultation_id: str,
    lang: str = DEFAULT_LANG,
    include_names: bool = False,
    frame: pd.DataFrame | None = None,
) -> list[Heard]:
    """Every theme with its stored follow-up (if any). A follow-up for a theme that no
    longer has inputs (a tag removed) is kept as a row with a count of 0, so nothing a
    planner wrote vanishes."""
    c = store.get_consultation(consultation_id)
    categories = c.categories if c is not None else ()
    rows = heard(_frame(store, consultation_id) if frame is None else frame, categories, lang, include_names)
    stored = store.follow_ups(consultation_id)
    out = []
    for row in rows:
        s = stored.pop(row.key, None)
        out.append(_with(row, s) if s else row)
    for key, s in sorted(stored.items()):
        source, _, title = key.partition(":")
        out.append(_with(Heard(key, title, source, 0, ()), s))
    return out


def _with(row: Heard, s: dict[str, str]) -> Heard:
    return Heard(row.key, row.title, row.source, row.count, row.quotes, s["kind"], s["follow_up"], s["reason"])


def set_follow_up(
    store: Store,
    consultation_id: str,
    theme: str,
    kind: str | None,
    follow_up: str | None,
    reason: str | None,
    actor: User,
) -> None:
    """A planner writes how a theme is followed up; «ikke fulgt opp» needs a reason. An
    empty kind with an empty text clears the row. Audited."""
    who = require(store, actor, Role.PLANNER)
    follow_up = clean_text(follow_up or "").strip()
    reason = clean_text(reason or "").strip()
    kind = (kind or "").strip()
    if not theme or not theme.partition(":")[2] or theme.partition(":")[0] not in (TAG, CATEGORY):
        raise InvalidFollowUp("feedback.error.theme")
    if kind and kind not in {k.value for k in FollowUpKind}:
        raise InvalidFollowUp("feedback.error.kind")
    if follow_up and not kind:
        raise InvalidFollowUp("feedback.error.kind")
    if len(follow_up) > FOLLOW_UP_MAX or len(reason) > FOLLOW_UP_MAX:
        raise InvalidFollowUp("feedback.error.long", max=FOLLOW_UP_MAX)
    if kind == FollowUpKind.NOT.value and not reason:
        raise InvalidFollowUp("feedback.error.reason")
    if kind and kind != FollowUpKind.NOT.value and not follow_up:
        raise InvalidFollowUp("feedback.error.text")
    store.set_follow_up(consultation_id, theme, kind, follow_up, reason, who.username)


def publish(store: Store, consultation_id: str, published: bool, actor: User) -> int:
    """Whether residents see the table on the consultation page; planners decide. A
    publication (not published before) mails the table to the consultation's followers
    (``mail.feedback_published``) in the same transaction; publishing what is already
    published sends nothing. Returns mails queued."""
    who = require(store, actor, Role.PLANNER)
    c = store.get_consultation(consultation_id)
    if c is None:
        raise InvalidFollowUp("mail24b.unknown_consultation", id=consultation_id)
    done = [r for r in table(store, consultation_id) if r.done]
    if published and not done:
        raise InvalidFollowUp("feedback.error.nothing")
    with store.atomic():  # published, and its mails queued, as one change
        first = published and not store.feedback_published(consultation_id)
        store.set_feedback_published(consultation_id, published, who.username)
        return mail.feedback_published(store, c, done) if first else 0


def public_table(store: Store, consultation_id: str, lang: str = DEFAULT_LANG) -> list[Heard]:
    """What residents see: the rows with a follow-up, once published; else nothing. Names
    of private persons never (``include_names`` off); quotes from published inputs only."""
    if not store.feedback_published(consultation_id):
        return []
    return [r for r in table(store, consultation_id, lang) if r.done]


def kind_label(kind: str, lang: str) -> str:
    return t(f"feedback.kind.{kind}", lang) if kind else t("feedback.kind_none", lang)
