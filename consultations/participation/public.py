"""What residents may see of an input: the one place that decides it.

Only published inputs, their text with personal data masked (the resident may have sent a
phone number anyway, written of their health, or signed with their name and address;
planners still see it: ``moderation``, ``letters.own``), no sender, address, gnr/bnr, hidden reason or
session — ``PublicInput`` has no field for them — and, after the consultation, the answer
each got, through its original only when that original is published too. The consultation
map, the list of inputs and «Slik ble innspillene behandlet» all read inputs through here,
and their photos (thumbnails with the alt text, masked like the text) through ``photos``.

A school class's routes and places (``classes``) are never among them: a route to school
starts at a child's home. The public sees a class's work only after a planner published
the class's result, and then only as a summary (``class_result``): counts, route cells and
dangerous spots that five pupils or more share, never one pupil's route, place or text.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import pandas as pd

from ..casework import class_results
from ..casework.analysis import SMALL_GROUP
from ..i18n import t
from ..casework.letters import own, own_of
from ..model import (
    Consultation,
    Input,
    InputStatus,
    MapPoint,
    Phase,
    Response,
    SenderType,
    Shape,
    drawn_shape,
    reference,
)
from ..casework.moderation import Own, mask_personal_data
from ..casework.review import public_outcomes
from ..store import Store


@dataclass(frozen=True)
class PublicInput:
    id: int
    category: str
    text: str  # personal data masked
    created_at: datetime
    lat: float | None
    lon: float | None
    east: float | None
    north: float | None
    supports: int
    drawing: str | None = None  # a drawn route or area (GeoJSON, WGS84); lat/lon lie on it
    measure: float | None = None  # its length (m) or area (m²)

    @property
    def reference(self) -> str:
        return reference(self.id)

    @property
    def shape(self) -> Shape:
        return drawn_shape(self.drawing)

    @property
    def has_location(self) -> bool:
        return self.lat is not None


@dataclass(frozen=True)
class PublicOutcome:
    """A published input after the consultation, with its response (``None`` while
    unanswered) and ``via``, the original whose answer a duplicate carries."""

    input: PublicInput
    response: Response | None
    via: int | None = None


@dataclass(frozen=True)
class PublicPhoto:
    """A published input's photo as the page shows it: served by the app itself, inline."""

    alt_text: str  # personal data masked; escape it where it reaches HTML
    src: str  # a data: URI of the thumbnail (the CSP allows img-src data:)


def photos(store: Store, consultation_id: str, lang: str) -> dict[int, list[PublicPhoto]]:
    """The photos residents may see, by input: published inputs' only."""
    shown: dict[int, list[PublicPhoto]] = {}
    for p in store.published_photos(consultation_id):
        src = "data:image/jpeg;base64," + base64.b64encode(p.thumbnail).decode("ascii")
        shown.setdefault(p.input_id, []).append(PublicPhoto(masked(p.alt_text, lang), src))
    return shown


def masked(text: str, lang: str, sender: Own | None = None) -> str:
    """A resident's text as the public sees it: personal data (with the ``sender``'s own
    name, address and gnr/bnr) replaced by a note."""
    return _masked(text, t("privacy.masked", lang), sender)


# Every version of the data masks every published text again for the map (~3 µs each, ~10 ms
# at 3,000 inputs); the same text always masks the same way. ~20,000 texts: a few MB.
_masked = lru_cache(maxsize=20_000)(mask_personal_data)


def public_input(item: Input, lang: str) -> PublicInput | None:
    """The input as residents see it; ``None`` for one they may not see (not published)."""
    if item.status != InputStatus.PUBLISHED:
        return None
    return PublicInput(
        id=item.id,
        category=item.category,
        text=masked(item.text, lang, own(item)),
        created_at=item.created_at,
        lat=item.lat,
        lon=item.lon,
        east=item.east,
        north=item.north,
        supports=item.supports,
        drawing=item.drawing,
        measure=item.measure,
    )


def _seen(items: Sequence[Input], lang: str) -> list[PublicInput]:
    return [shown for item in items if (shown := public_input(item, lang)) is not None]


def inputs(
    store: Store,
    consultation_id: str,
    lang: str,
    categories: Sequence[str] = (),
    limit: int | None = None,
) -> list[PublicInput]:
    """The list below the map: published inputs, newest first, optionally some categories."""
    return _seen(store.published_inputs(consultation_id, categories, limit=limit), lang)


def map_points(store: Store, consultation_id: str, lang: str) -> list[MapPoint]:
    """The consultation map's points: published inputs with a location, text masked."""
    senders = store.sender_identities(consultation_id, [s.value for s in SenderType if s.is_person])
    return [
        MapPoint(
            p.lat,
            p.lon,
            p.category,
            masked(p.text, lang, _sender(senders.get(p.input_id))),
            p.input_id,
            p.drawing,
            p.measure,
        )
        for p in store.map_points(consultation_id)
    ]


def map_point(item: Input, lang: str) -> MapPoint | None:
    """One input as the consultation map shows it (``map_points``); ``None`` for one the
    map does not show (not published, or without a place)."""
    shown = public_input(item, lang)
    if shown is None or shown.lat is None or shown.lon is None:
        return None
    return MapPoint(shown.lat, shown.lon, shown.category, shown.text, shown.id, shown.drawing, shown.measure)


def _sender(found: tuple | None) -> Own | None:
    """A private sender's own name, address and gnr/bnr (``Store.sender_identities``)."""
    return own_of(SenderType.PRIVATE.value, *found) if found else None


def outcomes(store: Store, consultation_id: str, lang: str) -> list[PublicOutcome]:
    """«Slik ble innspillene behandlet»: every published input, oldest first, with the
    answer it got (a duplicate's from its original, never from a hidden one)."""
    return [
        PublicOutcome(shown, o.response, o.via)
        for o in public_outcomes(store.all_inputs(consultation_id), store.responses(consultation_id))
        if (shown := public_input(o.input, lang)) is not None
    ]


@dataclass(frozen=True)
class ClassResult:
    """The published classes' work as the public may see it."""

    classes: int
    summary: class_results.Summary  # counts, «< 5» under five
    routes: pd.DataFrame  # route cells (analysis.line_density) five routes or more pass
    crossings: list[class_results.Crossing]  # dangerous spots five pupils or more marked


def class_result(store: Store, consultation_id: str) -> ClassResult | None:
    """The summary of the consultation's published classes; ``None`` while no class is
    published or fewer than five pupils took part in those that are."""
    published = [s.id for s in store.class_sessions(consultation_id) if s.published]
    if not published:
        return None
    frame = class_results.select(class_results.counted(store.class_frame(consultation_id)), published)
    if class_results.pupils(frame) < SMALL_GROUP:
        return None
    return ClassResult(
        classes=len(published),
        summary=class_results.summary(frame),
        routes=class_results.route_density(frame, minimum=SMALL_GROUP),
        crossings=class_results.crossings(frame, min_pupils=SMALL_GROUP),
    )


def consultations(store: Store, now: datetime) -> list[Consultation]:
    """The consultations the public may see (upcoming, open or closed), soonest frist first:
    never a draft or an archived one."""
    return [listing.consultation for listing in store.listings() if listing.consultation.phase(now) != Phase.HIDDEN]


def is_public(store: Store, consultation_id: str, now: datetime) -> bool:
    """Whether the public may see this one consultation (the rule of ``consultations``),
    without reading every consultation with its counts and area as ``consultations`` does."""
    c = store.get_consultation(consultation_id)
    return c is not None and c.phase(now) != Phase.HIDDEN


def answers_shown(store: Store, c: Consultation, now: datetime) -> bool:
    """Whether the public sees the answers to the inputs: after the consultation, once staff
    published them (the rule «Slik ble innspillene behandlet» follows)."""
    return c.phase(now) == Phase.CLOSED and store.responses_published(c.id)
