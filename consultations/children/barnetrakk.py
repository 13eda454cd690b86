"""Children's mode, after Barnetråkk (the national method of Norsk Form and KS): besides
the way to school and labelled places (``classes``), a pupil registers where they play or
hang out (in summer, in winter or all year; alone, with friends, family or adults), places
they avoid (and why), and how they would like to travel to school.

A registration is an ordinary pupil input (``ClassPart.PLAY``/``AVOID`` a pin, ``WISH``
no place) with its details beside it (``Store.add_class_registration``); it spends the
class's and the pupil's budget as every pupil input does, and is never shown one by one
to residents.

What comes out, all under the < 5 rule (``analysis.SMALL_GROUP``):
- ``class_summary``: one class, for its teacher («dette sa klassen deres»); a class of
  fewer than five pupils gets none.
- ``export_features``: every registration of the classes with five pupils or more, field
  by field as ``docs/barnetrakk-export.md`` describes, to lay beside Barnetråkk data.
- ``citation``: the paragraph with figures for the planbeskrivelse, and ``cite_section``
  the section of the merknadsbehandling — of published classes only (public documents).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from . import classes
from .. import geo
from ..casework.analysis import SMALL_GROUP, SMALL_LABEL, suppress_small
from ..casework.class_results import counted, pupils
from ..config import current_profile
from ..errors import InvalidInput
from ..i18n import DEFAULT_LANG, format_date, t, tn
from ..model import (
    GRADES,
    AvoidReason,
    Channel,
    ClassPart,
    ClassSession,
    Company,
    Input,
    InputStatus,
    PlaceLabel,
    Role,
    Season,
    Transport,
    User,
)
from ..permissions import require, require_class
from ..participation.public import masked
from ..ratelimit import RateLimiter
from ..store import Store

REGISTRATIONS_PER_PUPIL = 8  # places to play and places to avoid, together
REGISTRATION_PARTS = (ClassPart.PLAY.value, ClassPart.AVOID.value, ClassPart.WISH.value)
ACTIVE = (Transport.WALK.value, Transport.BIKE.value)  # what «active travel» counts
DETAILS = ("season", "company", "wished", "reason")


class TooFewPupils(InvalidInput):
    """Fewer than five pupils took part: nothing is shown on its own (the < 5 rule)."""


# -- pupils ------------------------------------------------------------------------------


def _enum(kind, value: object, key: str):
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(key) from None


def submit_registration(
    store: Store,
    session: ClassSession,
    part: ClassPart | str,
    lat: object,
    lon: object,
    *,
    season: Season | str | None = None,
    company: Company | str | None = None,
    reason: AvoidReason | str | None = None,
    text: str = "",
    pupil: str,
    now: datetime | None = None,
    limiter: RateLimiter | None = None,
) -> Input:
    """A place where the pupil plays or hangs out (``PLAY``: with the season and whom
    they are with) or a place they avoid (``AVOID``: with why), and an optional short text."""
    now = now or datetime.now(UTC)
    classes._check_open(store, session, now)
    part = _enum(ClassPart, part, "barnetrakk.kind_missing")
    if part not in (ClassPart.PLAY, ClassPart.AVOID):
        raise InvalidInput("barnetrakk.kind_missing")
    details: dict[str, str | None] = dict.fromkeys(DETAILS)
    if part == ClassPart.PLAY:
        details["season"] = _enum(Season, season, "barnetrakk.season_missing").value
        details["company"] = _enum(Company, company, "barnetrakk.company_missing").value
    else:
        details["reason"] = _enum(AvoidReason, reason, "barnetrakk.reason_missing").value
    consultation, lat_f, lon_f, text = classes.check_place(store, session, lat, lon, text)
    session_hash = store.hash_session(pupil, consultation.id)
    token = classes._token(
        session_hash, session, part.value, f"{lat_f:.6f}", f"{lon_f:.6f}", json.dumps(details, sort_keys=True), text
    )
    if (again := store.input_with_token(token)) is not None:
        return again
    sent = store.class_parts_sent(session.id, session_hash)
    if sent.get(ClassPart.PLAY.value, 0) + sent.get(ClassPart.AVOID.value, 0) >= REGISTRATIONS_PER_PUPIL:
        raise InvalidInput("barnetrakk.full", max=REGISTRATIONS_PER_PUPIL)
    classes._spend(store, session, pupil, limiter)
    east, north = geo.to_working_crs(lon_f, lat_f, current_profile().working_crs)
    stored, _ = store.add_class_registration(
        details=details,
        class_session=session,
        part=part.value,
        category=t(f"barnetrakk.part.{part.value}", DEFAULT_LANG),
        text=text,
        lat=lat_f,
        lon=lon_f,
        east=east,
        north=north,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash=session_hash,
        token=token,
        created_at=now,
    )
    return stored


def submit_wish(
    store: Store,
    session: ClassSession,
    wished: Transport | str,
    *,
    pupil: str,
    now: datetime | None = None,
    limiter: RateLimiter | None = None,
) -> Input:
    """How the pupil would like to travel to school (once a pupil; no place)."""
    now = now or datetime.now(UTC)
    classes._check_open(store, session, now)
    wished = _enum(Transport, wished, "classes.transport_missing")
    session_hash = store.hash_session(pupil, session.consultation_id)
    token = classes._token(session_hash, session, ClassPart.WISH.value, wished.value)
    if (again := store.input_with_token(token)) is not None:
        return again
    if store.class_parts_sent(session.id, session_hash).get(ClassPart.WISH.value, 0):
        raise InvalidInput("barnetrakk.wish_sent")
    classes._spend(store, session, pupil, limiter)
    stored, _ = store.add_class_registration(
        details={"wished": wished.value},
        class_session=session,
        part=ClassPart.WISH.value,
        category=t("barnetrakk.part.wish", DEFAULT_LANG),
        text="",
        lat=None,
        lon=None,
        east=None,
        north=None,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash=session_hash,
        token=token,
        created_at=now,
    )
    return stored


# -- what came in ------------------------------------------------------------------------


def frame(store: Store, consultation_id: str) -> pd.DataFrame:
    """The class frame (``Store.class_frame``, hidden inputs out) with the Barnetråkk
    details as columns ``season``, ``company``, ``wished``, ``reason`` (None where none)."""
    found = counted(store.class_frame(consultation_id))
    details = store.class_details(found["id"].tolist()) if len(found) else {}
    for name in DETAILS:
        found[name] = pd.Series(
            [details.get(int(i), {}).get(name) for i in found["id"]], dtype=object, index=found.index
        )
    return found


def _counts(values: pd.Series, known: Sequence[str]) -> tuple[tuple[str, int | str], ...]:
    counts = values.value_counts()
    return tuple((k, suppress_small(int(counts.get(k, 0)))) for k in known)


@dataclass(frozen=True)
class ClassSummary:
    """One class's registrations, every count under five as «< 5»."""

    school: str
    grade: str
    pupils: int
    travel: tuple[tuple[str, int | str], ...]  # Transport → pupils (the way to school)
    wished: tuple[tuple[str, int | str], ...]  # Transport → pupils
    play_season: tuple[tuple[str, int | str], ...]  # Season → places
    play_company: tuple[tuple[str, int | str], ...]  # Company → places
    avoid_reason: tuple[tuple[str, int | str], ...]  # AvoidReason → places
    labels: tuple[tuple[str, int | str], ...]  # PlaceLabel → places (the older registrations)
    play: int
    avoid: int


def summary_of(rows: pd.DataFrame, session: ClassSession) -> ClassSummary:
    """The summary of one class's rows; ``TooFewPupils`` under five pupils."""
    n = pupils(rows)
    if n < SMALL_GROUP:
        raise TooFewPupils("barnetrakk.too_few", small=SMALL_LABEL)
    by = lambda part: rows[rows["part"] == part.value]
    transports = [m.value for m in Transport]
    school = by(ClassPart.SCHOOL).drop_duplicates("pupil")
    wishes = by(ClassPart.WISH).drop_duplicates("pupil")
    play, avoid = by(ClassPart.PLAY), by(ClassPart.AVOID)
    return ClassSummary(
        school=session.school,
        grade=session.grade,
        pupils=n,
        travel=_counts(school["transport"], transports),
        wished=_counts(wishes["wished"], transports),
        play_season=_counts(play["season"], [s.value for s in Season]),
        play_company=_counts(play["company"], [c.value for c in Company]),
        avoid_reason=_counts(avoid["reason"], [r.value for r in AvoidReason]),
        labels=_counts(by(ClassPart.PLACE)["label"], [lab.value for lab in PlaceLabel]),
        play=len(play),
        avoid=len(avoid),
    )


def class_summary(store: Store, actor: User, class_id: int) -> ClassSummary:
    """«Dette sa klassen deres»: only that class, for its teacher (or staff)."""
    session = store.class_session(class_id)
    if session is None:
        raise classes.InvalidClass("classes.unknown")
    require_class(store, actor, session)
    rows = frame(store, session.consultation_id)
    return summary_of(rows[rows["class_id"] == session.id], session)


# -- the export, to lay beside Barnetråkk data -------------------------------------------

# Our parts and labels as Barnetråkk's registration types (docs/barnetrakk-export.md)
BARNETRAKK_TYPE = {
    ClassPart.SCHOOL.value: "skolevei",
    ClassPart.ACTIVITY.value: "fritidsvei",
    ClassPart.PLAY.value: "lek_og_opphold",
    ClassPart.AVOID.value: "unngaar",
    ClassPart.WISH.value: "onsket_reisemate",
    "safe": "trygt_sted",
    "unsafe_traffic": "trafikkfarlig",
    "unsafe_dark": "utrygt_morkt",
    "unsafe_people": "utrygt_folk",
    "nice": "liker",
    "dull": "liker_ikke",
    "missing": "mangler_noe",
}


def export_features(store: Store, actor: User, consultation_id: str, lang: str = DEFAULT_LANG) -> dict:
    """Every registration of the classes with five pupils or more, as a GeoJSON
    FeatureCollection in WGS84 (routes as lines, places as points, the wished travel mode
    without geometry). No pupil identifier: as in the GeoPackage, a route (which starts at
    home) and a place are not linked to each other. Audited."""
    who = require(store, actor, Role.PLANNER)
    rows = frame(store, consultation_id)
    per_class = rows.groupby("class_id")["pupil"].nunique() if len(rows) else pd.Series(dtype=int)
    rows = rows[rows["class_id"].map(lambda c: int(per_class.get(c, 0)) >= SMALL_GROUP)] if len(rows) else rows
    features = []
    for r in rows.itertuples():
        kind = BARNETRAKK_TYPE.get(r.label if r.part == ClassPart.PLACE.value else r.part, r.part)
        if isinstance(r.drawing, str) and r.drawing:
            geometry = json.loads(r.drawing)
        elif pd.notna(r.lon):
            geometry = {"type": "Point", "coordinates": [round(float(r.lon), 6), round(float(r.lat), 6)]}
        else:
            geometry = None
        created = pd.Timestamp(r.created_at).tz_localize("UTC").to_pydatetime()
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "registreringstype": kind,
                    "del": r.part,
                    "klasse": int(r.class_id),
                    "skole": r.school,
                    "trinn": r.grade,
                    "trinngruppe": "1-4" if classes.words_for(r.grade) == "young" else "5-10",
                    "reisemate": r.transport,
                    "onsket_reisemate": r.wished,
                    "arstid": r.season,
                    "sammen_med": r.company,
                    "grunn": r.reason,
                    "merkelapp": r.label,
                    "tekst": masked(str(r.text), lang) if r.text else None,
                    "lengde_m": None if pd.isna(r.measure) else round(float(r.measure), 1),
                    "mottatt": created.isoformat(timespec="seconds"),
                },
            }
        )
    store.audit(
        who.username,
        "consultation.export",
        "consultation",
        consultation_id,
        None,
        json.dumps({"format": "barnetrakk.geojson", "features": len(features)}),
    )
    return {"type": "FeatureCollection", "name": f"{consultation_id}-barnetrakk", "features": features}


# -- the children's part, citable -------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The published classes' figures (every count under five «< 5»)."""

    classes: int
    pupils: int
    grades: tuple[str, ...]
    first: datetime
    last: datetime
    routes: int
    active_share: int | None  # % of the pupils' ways to school walked or cycled
    wished_active_share: int | None  # % who would like to walk or cycle
    play: int | str
    avoid: int | str
    avoid_top: str | None  # the most common reason (an AvoidReason value)
    unsafe: int | str  # places marked unsafe (traffic, dark, people)


def figures(store: Store, consultation_id: str) -> Figures | None:
    """The published classes' figures, or ``None`` when there are none or under five pupils."""
    published = [s for s in store.class_sessions(consultation_id) if s.published]
    if not published:
        return None
    rows = frame(store, consultation_id)
    rows = rows[rows["class_id"].isin([s.id for s in published])]
    if pupils(rows) < SMALL_GROUP:
        return None
    school = rows[rows["part"] == ClassPart.SCHOOL.value].drop_duplicates("pupil")
    wishes = rows[rows["part"] == ClassPart.WISH.value].drop_duplicates("pupil")
    avoid = rows[rows["part"] == ClassPart.AVOID.value]
    share = lambda s: round(100 * float(s.isin(ACTIVE).mean())) if len(s) >= SMALL_GROUP else None
    reasons = avoid["reason"].value_counts()
    unsafe = rows[
        (rows["part"] == ClassPart.PLACE.value) & rows["label"].isin([x.value for x in PlaceLabel if x.unsafe])
    ]
    return Figures(
        classes=len(published),
        pupils=pupils(rows),
        grades=tuple(g for g in GRADES if g in set(rows["grade"])),
        first=min(s.opens_at for s in published),
        last=max(s.closes_at for s in published),
        routes=int(rows["part"].isin([ClassPart.SCHOOL.value, ClassPart.ACTIVITY.value]).sum()),
        active_share=share(school["transport"]),
        wished_active_share=share(wishes["wished"]),
        play=suppress_small(int((rows["part"] == ClassPart.PLAY.value).sum())),
        avoid=suppress_small(len(avoid)),
        avoid_top=str(reasons.index[0]) if len(reasons) and int(reasons.iloc[0]) >= SMALL_GROUP else None,
        unsafe=suppress_small(len(unsafe)),
    )


def citation(store: Store, consultation_id: str, lang: str = DEFAULT_LANG) -> str | None:
    """The paragraph for the planbeskrivelse (and the merknadsbehandling): who took part
    and what they said, in figures; ``None`` when no published class has five pupils."""
    f = figures(store, consultation_id)
    if f is None:
        return None
    c = lambda key, **kw: t(f"barnetrakk.cite.{key}", lang, **kw)
    grades = ", ".join(classes.grade_label(g, lang) for g in f.grades)
    parts = [
        tn(
            "barnetrakk.cite.who",
            f.pupils,
            lang,
            classes=f.classes,
            grades=grades,
            first=format_date(f.first, lang),
            last=format_date(f.last, lang),
        )
    ]
    parts.append(c("routes", routes=f.routes, play=f.play, avoid=f.avoid, unsafe=f.unsafe))
    if f.active_share is not None:
        parts.append(c("active", share=f.active_share))
    if f.wished_active_share is not None:
        parts.append(c("wished", share=f.wished_active_share))
    if f.avoid_top:
        parts.append(c("avoid_top", reason=t(f"barnetrakk.reason.{f.avoid_top}", lang)))
    parts.append(c("rule", small=SMALL_LABEL))
    return " ".join(parts)


def cite_section(doc, text: str | None, lang: str = DEFAULT_LANG) -> None:
    """«Barn og unges medvirkning» in the merknadsbehandling: the children's part as one
    citable paragraph with figures (``citation``; pbl. § 5-1 second paragraph), when there
    is one."""
    if text is None:
        return
    doc.add_heading(t("barnetrakk.cite.heading", lang), level=1)
    doc.add_paragraph(t("barnetrakk.cite.law", lang))
    doc.add_paragraph(text)
