"""The plan process as plan- og bygningsloven (pbl.) draws it: which stages a plan type
has, whether a stage is early medvirkning or a formal høring, the plan's identifiers
(plan-ID, saksnummer), and the rules for a frist.

Pure rules, no storage: ``lifecycle`` applies them to the staff builder's form, the CLI to
an imported file, and the pages ask them what to show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from urllib.parse import quote

import holidays
from dateutil.easter import easter

from ..errors import InvalidConsultation
from ..i18n import LOCAL_TZ
from ..model import (
    EARLY_STAGES,
    FORMAL_TEXT_MAX,
    REGISTERED_TEXT_MAX,
    TEXT_MAX,
    Channel,
    Consultation,
    DocumentKind,
    MerknadRecipient,
    PlanType,
    Stage,
)


class Mode(StrEnum):
    """Early medvirkning has no legal frist and says «innspill»; a formal høring runs from
    its kunngjøring, has a saksnummer and says «merknad» and «høringsfrist»."""

    EARLY = "early"
    FORMAL = "formal"


FORMAL_STAGES = frozenset(set(Stage) - EARLY_STAGES)

REGULATION_PLANS = frozenset({PlanType.OMRADEREGULERING, PlanType.DETALJREGULERING})
KOMMUNEPLAN = frozenset(
    {PlanType.KOMMUNEPLANENS_AREALDEL, PlanType.KOMMUNEPLANENS_SAMFUNNSDEL, PlanType.KOMMUNEDELPLAN}
)
_PLANNED = REGULATION_PLANS | KOMMUNEPLAN
# The formal stages each plan type has in law; every plan type may run early medvirkning.
# Varsel om oppstart and planprogram: pbl. §§ 11-12, 11-13, 12-8, 12-9, 4-1. Offentlig
# ettersyn: §§ 11-14, 12-10 (2. gangs: after substantial changes). Begrenset høring of a
# change after ettersyn: §§ 11-14, 12-14 second paragraph. Mindre endring: § 12-14 third
# paragraph for regulation plans, § 11-17 for the arealdel (not the samfunnsdel). A
# kommunal planstrategi (§ 10-1) and tettstedsutvikling outside a plan have no formal
# høring stage in pbl.
FORMAL_STAGES_OF: dict[PlanType, frozenset[Stage]] = {
    plan: frozenset(
        {
            Stage.VARSEL_OM_OPPSTART,
            Stage.PLANPROGRAM,
            Stage.VARSEL_OG_PLANPROGRAM,
            Stage.OFFENTLIG_ETTERSYN,
            Stage.ANDRE_GANGS_ETTERSYN,
            Stage.BEGRENSET_HORING,
        }
        | ({Stage.MINDRE_ENDRING} if plan != PlanType.KOMMUNEPLANENS_SAMFUNNSDEL else set())
    )
    for plan in _PLANNED
}
# Pbl. § 4-1 (planprogram: 6 weeks), §§ 11-14 and 12-10 (offentlig ettersyn: 6 weeks).
SIX_WEEKS = timedelta(weeks=6)
SIX_WEEK_STAGES: dict[Stage, str] = {
    Stage.PLANPROGRAM: "§ 4-1",
    Stage.VARSEL_OG_PLANPROGRAM: "§ 4-1",
    Stage.OFFENTLIG_ETTERSYN: "§§ 11-14 og 12-10",
    Stage.ANDRE_GANGS_ETTERSYN: "§§ 11-14 og 12-10",
}
# A SOSI planidentifikasjon: at most 16 characters of letters, digits, «.», «-», «_» and
# space («2024.07», «3203202402», «R-123 a»).
PLAN_ID_MAX = 16
_PLAN_ID = re.compile(r"[0-9A-Za-zÆØÅæøå._\- ]{1,%d}" % PLAN_ID_MAX)
# Arkivsak as Noark 5 writes it: year (2 or 4 digits) / sequence number.
_CASE_NUMBER = re.compile(r"(\d{2}|\d{4})/(\d{1,7})")
END_OF_DAY = time(23, 59)


def mode(stage: Stage) -> Mode:
    return Mode.EARLY if stage in EARLY_STAGES else Mode.FORMAL


def worded(key: str, stage: Stage) -> str:
    """The translation key for what residents read: a formal høring says «merknad» and
    «høringsfrist» (``formal.<key>``), early medvirkning «innspill» (``<key>``)."""
    return f"formal.{key}" if mode(stage) == Mode.FORMAL else key


def text_max(stage: Stage, channel: Channel) -> int:
    """How long an input's text may be: a registered letter is kept whole, a web merknad
    in a formal høring may be a long one, an early innspill is short."""
    if channel != Channel.WEB:
        return REGISTERED_TEXT_MAX
    return FORMAL_TEXT_MAX if mode(stage) == Mode.FORMAL else TEXT_MAX


def allowed_stages(plan_type: PlanType) -> tuple[Stage, ...]:
    """The stages a plan type may be consulted on, in the order of the process."""
    formal = FORMAL_STAGES_OF.get(plan_type, frozenset())
    return tuple(s for s in Stage if s in EARLY_STAGES or s in formal)


def check_stage(plan_type: PlanType, stage: Stage) -> None:
    """Refuses a plan type and stage that do not go together in law, saying why."""
    if stage not in allowed_stages(plan_type):
        key = "no_formal" if plan_type not in FORMAL_STAGES_OF else "no_stage"
        raise InvalidConsultation(f"plan_process.{key}", plan_type=plan_type.value, stage=stage.value)


def check_plan_id(value: str, plan_type: PlanType, stage: Stage, kommunenummer: str = "") -> str:
    """The planidentifikasjon without the kommunenummer; ``""`` where none is needed yet.

    Optional in early medvirkning; required from varsel om oppstart for regulation plans.
    «3203 2024.07» (kommunenummer, space, planid) is read as planid «2024.07».
    """
    plan_id = " ".join(value.split())
    if kommunenummer and plan_id.startswith(f"{kommunenummer} "):
        plan_id = plan_id[len(kommunenummer) + 1 :]
    if not plan_id:
        if plan_type in REGULATION_PLANS and mode(stage) == Mode.FORMAL:
            raise InvalidConsultation("plan_process.plan_id_required")
        return ""
    if not _PLAN_ID.fullmatch(plan_id) or not any(ch.isalnum() for ch in plan_id):
        raise InvalidConsultation("plan_process.plan_id_invalid", plan_id=value, max=PLAN_ID_MAX)
    return plan_id


def national_plan_id(kommunenummer: str, plan_id: str) -> str:
    """Nasjonal arealplan-ID as shown to people: «3203 2024.07»."""
    return f"{kommunenummer} {plan_id}" if plan_id else ""


def planinnsyn_url(template: str, kommunenummer: str, plan_id: str) -> str:
    """The link to the plan in the municipality's planinnsyn, or ``""`` without one."""
    if not (template and plan_id):
        return ""
    return template.format(kommunenummer=quote(kommunenummer), plan_id=quote(plan_id))


def check_case_number(value: str, stage: Stage) -> str:
    """The arkivsak («24/1234»): required on every formal høring, optional before."""
    case = "".join(value.split())
    if not case:
        if mode(stage) == Mode.FORMAL:
            raise InvalidConsultation("plan_process.case_number_required")
        return ""
    if not _CASE_NUMBER.fullmatch(case):
        raise InvalidConsultation("plan_process.case_number_invalid", case_number=value)
    return case


@cache
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NO", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def moved_frist(stage: Stage, closes_on: date | None) -> date | None:
    """The working day a formal høring's frist on ``closes_on`` moves to, or ``None`` when
    it does not move (a working day, early medvirkning, no date): the date staff confirm."""
    if closes_on is None or mode(stage) == Mode.EARLY:
        return None
    moved = next_working_day(closes_on)
    return moved if moved != closes_on else None


@dataclass(frozen=True)
class Frist:
    """A høringsfrist as the rules make it, and what staff should be told about it."""

    closes_at: datetime  # aware; moved to the next working day where needed
    warnings: tuple[tuple[str, dict[str, str]], ...]  # (translation key, values)
    short: str = ""  # the paragraph a period shorter than the law's six weeks breaks
    earliest: date | None = None  # then the earliest lawful frist
    announced: date | None = None  # the frist as given, when it moved to a working day


def frist(stage: Stage, opens_at: datetime, closes_at: datetime, announced: date | None = None) -> Frist:
    """The frist of a formal høring, counted from the kunngjøring (else the opening).

    A frist on a Saturday, Sunday or public holiday moves to the end of the next working
    day (``announced`` keeps the date given, to show both); shorter than six weeks where the
    law asks for six names the paragraph (``short``: ``lifecycle`` refuses it unless staff
    give a reason); a period over July, Christmas or Easter is a warning (common practice is
    to give more time). Early medvirkning has no such rules: its dates are kept.
    """
    if mode(stage) == Mode.EARLY:
        return Frist(closes_at, ())
    warnings: list[tuple[str, dict[str, str]]] = []
    local = closes_at.astimezone(LOCAL_TZ)
    moved = next_working_day(local.date())
    announced_frist = local.date() if moved != local.date() else None
    if moved != local.date():
        closes_at = datetime.combine(moved, END_OF_DAY, tzinfo=LOCAL_TZ)
        warnings.append(("plan_process.warn_moved", {"date": _day(local.date()), "moved": _day(moved)}))
    start = announced or opens_at.astimezone(LOCAL_TZ).date()
    end = closes_at.astimezone(LOCAL_TZ).date()
    short = stage in SIX_WEEK_STAGES and end < start + SIX_WEEKS
    if short:
        warnings.append(
            (
                "plan_process.warn_short",
                {"paragraph": SIX_WEEK_STAGES[stage], "earliest": _day(start + SIX_WEEKS)},
            )
        )
    for season in holiday_seasons(start, end):
        warnings.append((f"plan_process.warn_{season}", {}))
    return Frist(
        closes_at,
        tuple(warnings),
        SIX_WEEK_STAGES[stage] if short else "",
        start + SIX_WEEKS if short else None,
        announced_frist,
    )


def holiday_seasons(start: date, end: date) -> list[str]:
    """Which of «july», «christmas» and «easter» the period from ``start`` to ``end`` touches."""
    seasons = []
    for year in range(start.year, end.year + 1):
        spans = {
            "july": (date(year, 7, 1), date(year, 7, 31)),
            "christmas": (date(year, 12, 24), date(year, 12, 31)),
            "easter": _easter_week(year),
        }
        for name, (first, last) in spans.items():
            if first <= end and start <= last and name not in seasons:
                seasons.append(name)
    return seasons


def _easter_week(year: int) -> tuple[date, date]:
    """Palm Sunday to Easter Monday."""
    sunday = easter(year)
    return sunday - timedelta(days=7), sunday + timedelta(days=1)


def _day(d: date) -> str:
    return d.strftime("%d.%m.%Y")


# The documents a formal høring puts out, which must be attached before it is published.
# Offentlig ettersyn (§§ 11-14, 12-10), and a 2. gangs ettersyn of the changed plan, lay
# out the whole proposal: plankart, bestemmelser and planbeskrivelse (§§ 11-9, 12-5, 12-7,
# 4-2); a kommuneplanens samfunnsdel has no plankart or bestemmelser, only its plan
# document. A begrenset høring (§ 12-14 second paragraph, § 11-14) sends the changed
# plankart and bestemmelser to those the change concerns; the planbeskrivelse is not
# necessarily changed. Høring of planprogram (§ 4-1), alone or with the varsel, needs the
# program. Varsel om oppstart and mindre endring ask for no document here.
_PLAN_DOCUMENTS = (DocumentKind.PLANKART, DocumentKind.BESTEMMELSER, DocumentKind.PLANBESKRIVELSE)
_REQUIRED_DOCUMENTS: dict[Stage, tuple[DocumentKind, ...]] = {
    Stage.PLANPROGRAM: (DocumentKind.PLANPROGRAM,),
    Stage.VARSEL_OG_PLANPROGRAM: (DocumentKind.PLANPROGRAM,),
    Stage.OFFENTLIG_ETTERSYN: _PLAN_DOCUMENTS,
    Stage.ANDRE_GANGS_ETTERSYN: _PLAN_DOCUMENTS,
    Stage.BEGRENSET_HORING: (DocumentKind.PLANKART, DocumentKind.BESTEMMELSER),
}
# The kinds that have one slot each in the builder: a new file of that kind replaces the old.
SLOT_KINDS = (*_PLAN_DOCUMENTS, DocumentKind.PLANPROGRAM)


def required_documents(plan_type: PlanType, stage: Stage) -> tuple[DocumentKind, ...]:
    """The documents a consultation at ``stage`` must have before it is published."""
    required = _REQUIRED_DOCUMENTS.get(stage, ())
    if plan_type == PlanType.KOMMUNEPLANENS_SAMFUNNSDEL and required == _PLAN_DOCUMENTS:
        return (DocumentKind.PLANBESKRIVELSE,)
    return required


def missing_documents(plan_type: PlanType, stage: Stage, present: Iterable[DocumentKind]) -> tuple[DocumentKind, ...]:
    have = set(present)
    return tuple(k for k in required_documents(plan_type, stage) if k not in have)


@dataclass(frozen=True)
class PostalRoute:
    """Where a resident who cannot use the web sends a merknad, and what to mark it with."""

    to: str  # the municipality, or the plankonsulent of a private plan
    address: str  # postal address, or the plankonsulent's address or e-mail
    email: str  # the municipality's postmottak; "" when the plankonsulent receives


def postal_route(c: Consultation, municipality: str, address: str, email: str) -> PostalRoute:
    """The postmottak from the municipality profile, unless the merknader to a private plan
    go to its plankonsulent."""
    p = c.proposer
    if p and p.recipient == MerknadRecipient.CONSULTANT:
        return PostalRoute(p.consultant, p.address, "")
    return PostalRoute(municipality, address, email)


def missed_frist(received_at: datetime, closes_at: datetime, own_frist: datetime | None = None) -> datetime | None:
    """The frist a merknad received at ``received_at`` missed, or ``None`` when it came in
    time: the consultation's frist, or a høringsinstans's own longer one. Every page,
    export and report that marks a merknad late asks here."""
    frist = max(closes_at, own_frist) if own_frist is not None else closes_at
    return frist if received_at > frist else None
