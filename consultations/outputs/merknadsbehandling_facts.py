"""The facts of a formal høring the merknadsbehandling prints beside the builder's (plan
type, plan-ID, saksnummer, period): the nasjonal arealplan-ID with its kommunenummer, the
1. gangs vedtak that put the plan out, the frist as announced and as it holds, why a
six-week høring ran shorter, the forslagsstiller, the høringsinstanser (sent to, answered,
not answered, by name) and the neighbours notified by letter; and each merknad's
attachments by name, and the journalpost of a letter postmottak journalførte.

A Statsforvalteren reading the saksframlegg checks these first: who was told, when, and
who did not answer.
"""

from __future__ import annotations

from ..i18n import LOCAL_TZ, t
from ..model import Consultation
from ..planning.planprocess import national_plan_id
from ..store import Store


def facts(store: Store, c: Consultation, kommunenummer: str, lang: str) -> list[tuple[str, str]]:
    """``(label, value)`` rows, only those the consultation has."""
    w = lambda key, **p: t(f"letters.report.{key}", lang, **p)
    found = store.case_facts(c.id)
    rows: list[tuple[str, str]] = []
    if c.plan_id:
        rows.append((w("national_plan_id"), national_plan_id(kommunenummer, c.plan_id)))
    d = found.first_decision
    if d:
        day = d.date.strftime("%d.%m.%Y") if d.date else ""
        rows.append((w("first_decision"), ", ".join(v for v in (d.body, day, d.case and f"sak {d.case}") if v)))
    if found.announced_frist is not None:
        valid = c.closes_at.astimezone(LOCAL_TZ).strftime("%d.%m.%Y")
        rows.append(
            (
                w("frist_moved"),
                w("frist_moved_value", announced=found.announced_frist.strftime("%d.%m.%Y"), valid=valid),
            )
        )
    if found.short_frist_reason:
        rows.append((w("short_frist"), found.short_frist_reason))
    if c.proposer:
        rows.append((w("proposer"), " / ".join(v for v in (c.proposer.name, c.proposer.consultant) if v)))
    parties = store.hearing_parties(c.id)
    if parties:
        silent = [p.name for p in parties if not p.answered]
        rows.append((w("parties_sent"), str(len(parties))))
        rows.append((w("parties_answered"), str(len(parties) - len(silent))))
        rows.append((w("parties_silent"), f"{len(silent)}: {', '.join(silent)}" if silent else "0"))
    if found.neighbours_notified is not None:
        rows.append((w("neighbours"), str(found.neighbours_notified)))
    return rows


def attachment_lines(store: Store, consultation_id: str, lang: str) -> dict[int, list[str]]:
    """Per input, the lines the report prints under it: its files by name, and the
    journalpost postmottak gave a letter."""
    lines: dict[int, list[str]] = {}
    for input_id, names in store.attachment_names(consultation_id).items():
        lines.setdefault(input_id, []).append(t("letters.report.attachments", lang, names=", ".join(names)))
    for input_id, letter in store.letters(consultation_id).items():
        if letter.journalpost:
            lines.setdefault(input_id, []).append(t("letters.report.journalpost", lang, number=letter.journalpost))
    return lines
