"""The consultation page's facts box as markup: one escaped HTML block, written once per
state of the consultation and language and shared by every session (issue 26).

The box was fourteen elements a page run (a bordered container, a row of four columns,
a markdown in each, the case note, the kunngjøring, the forslagsstiller, the kontaktperson
and the postal route): each element is work for Streamlit on every run and every session.
Its content is the same for every resident reading the same language: the plan type, the
nasjonal arealplan-ID (linked to the planinnsyn), the stage, the period, and what staff
wrote (saksnummer, where it was announced, the forslagsstiller and plankonsulent, the
kontaktperson, the postal route) — every text escaped by the one path, ``escape_html``.
"""

from __future__ import annotations

from datetime import datetime, time

from ..config import Settings
from ..i18n import LOCAL_TZ, format_date, t
from ..model import Consultation
from ..planning import planprocess
from ..text import escape_html

FACTS_CLASS = "ki-facts-box"
# Streamlit's caption (ui/style.py's colour, 4.5:1 on white)
_NOTE_STYLE = "font-size: 0.875rem; color: #5f5d5a;"


def _line(*parts: str) -> str:
    """Already escaped lines as one paragraph, broken where they were."""
    return f"<p>{'<br>'.join(parts)}</p>"


def plan_id_html(settings: Settings, plan_id: str) -> str:
    """The nasjonal arealplan-ID, a link to the planinnsyn where there is one."""
    profile = settings.profile
    shown = escape_html(planprocess.national_plan_id(profile.kommunenummer, plan_id) or "–")
    url = planprocess.planinnsyn_url(profile.planinnsyn, profile.kommunenummer, plan_id)
    if not url:
        return shown
    return f'<a href="{escape_html(url)}" target="_blank" rel="noopener noreferrer">{shown}</a>'


def _proposer(c: Consultation, lang: str) -> str:
    """The forslagsstiller of a private plan and its plankonsulent."""
    p = c.proposer
    if not p:
        return ""
    text = t("proposer.shown", lang, name=p.name)
    if p.consultant:
        text += " " + t("proposer.shown_consultant", lang, consultant=p.consultant)
    return _line(escape_html(text))


def _contact(settings: Settings, c: Consultation, lang: str) -> str:
    """The kontaktperson, and how to send a merknad without the web (by post or e-mail)."""
    out = []
    person = c.contact
    if person:
        who = ", ".join(p for p in (person.name, person.role) if p)
        lines = [f"<strong>{escape_html(t('contact_person.heading', lang))}:</strong> {escape_html(who)}"]
        if person.email:
            lines.append(escape_html(t("contact_person.email_line", lang, email=person.email)))
        if person.phone:
            lines.append(escape_html(t("contact_person.phone_line", lang, phone=person.phone)))
        out.append(_line(*lines))
    profile = settings.profile
    route = planprocess.postal_route(c, profile.name, profile.postal_address, profile.postmottak_email)
    if route.address or route.email:
        lines = [
            escape_html(t(f"postal_route.{planprocess.mode(c.stage).value}", lang)),
            escape_html(", ".join(p for p in (route.to, route.address) if p)),
        ]
        if route.email:
            lines.append(escape_html(t("postal_route.email", lang, email=route.email)))
        # «merk med saksnummer …» is the case note above, shown whenever there is one
        out.append(_line(*lines))
    return "".join(out)


def facts_html(settings: Settings, c: Consultation, lang: str) -> str:
    """The facts box of ``c`` (already in ``lang``: ``Consultation.in_language``)."""
    mode = planprocess.mode(c.stage).value
    period = t(
        "consultation.period_value",
        lang,
        opens=format_date(c.opens_at, lang),
        closes=format_date(c.closes_at, lang),
    )
    facts = (
        (t("consultation.plan_type", lang), escape_html(t(f"plan_type.{c.plan_type.value}", lang))),
        (t("consultation.plan_id", lang), plan_id_html(settings, c.plan_id)),
        (t("consultation.stage", lang), escape_html(t(f"stage.{c.stage.value}", lang))),
        (t(f"plan_process.resident.period_{mode}", lang), escape_html(period)),
    )
    parts = [
        f"<p><strong>{escape_html(t('consultation.facts', lang))}</strong></p>",
        '<dl class="ki-facts-list">',
        *(f"<div><dt>{escape_html(name)}</dt><dd>{value}</dd></div>" for name, value in facts),
        "</dl>",
    ]
    if c.case_number:
        parts.append(_line(escape_html(t("plan_process.resident.case_note", lang, case_number=c.case_number))))
    if c.announced_on:
        when = format_date(datetime.combine(c.announced_on, time(12), tzinfo=LOCAL_TZ), lang)
        key = "announced_where" if c.announced_where else "announced"
        note = t(f"plan_process.resident.{key}", lang, date=when, where=c.announced_where)
        parts.append(f'<p class="ki-facts-note" style="{_NOTE_STYLE}">{escape_html(note)}</p>')
    parts.append(_proposer(c, lang))
    parts.append(_contact(settings, c, lang))
    return f'<div class="{FACTS_CLASS}">{"".join(parts)}</div>'


# (consultation id, language) → (the consultation as the store read it, the settings, the
# markup). The store reads a consultation again after every write (its remembered reads),
# so the markup is written again for each new state of it and reused until then; a plain
# dict, like the map's (ui/maps.py).
_FACTS: dict[tuple[str, str], tuple[Consultation, Settings, str]] = {}
_KEPT = 256


def facts(settings: Settings, stored: Consultation, lang: str) -> str:
    """``facts_html`` of ``stored`` (as ``Store.get_consultation`` gave it) in ``lang``,
    written once for each state of the consultation and shared by every session."""
    key = (stored.id, lang)
    found = _FACTS.get(key)
    if found is not None and found[0] is stored and found[1] is settings:
        return found[2]
    markup = facts_html(settings, stored.in_language(lang), lang)
    if len(_FACTS) >= _KEPT:
        _FACTS.clear()
    _FACTS[key] = (stored, settings, markup)
    return markup
