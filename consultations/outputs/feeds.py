"""Feeds for the municipality's website, so its «Høringer» list updates itself:
``/feeds/horinger.atom`` (Atom, RFC 4287), ``/feeds/horinger.json`` (JSON Feed 1.1) —
open consultations and those closed in the last ``RECENT_DAYS`` days, each with title,
summary, frist, saksnummer and link — and ``/feeds/frister.ics`` (iCalendar, RFC 5545),
the frist of every upcoming, open and recently closed consultation as a whole-day event.

Frist and saksnummer are also in the Atom entries as elements of our own namespace
(``FEED_NS``), and in the JSON Feed items under ``_kartinnspill``, for a website that shows
them in its own layout.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from ..i18n import LOCAL_TZ, format_date, t
from ..model import Consultation, Phase

if TYPE_CHECKING:
    from ..web import Service

RECENT_DAYS = 30  # a closed consultation stays in the feeds this long after its frist
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_NS = "urn:kartinnspill:feed"


def _rfc3339(when: datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def listed(consultations: Iterable[Consultation], now: datetime, upcoming: bool = False) -> list[Consultation]:
    """Open consultations and those closed at most ``RECENT_DAYS`` ago (and upcoming ones
    with ``upcoming``), soonest frist first."""
    recent = now - timedelta(days=RECENT_DAYS)
    shown = [
        c
        for c in consultations
        if c.phase(now) == Phase.OPEN
        or (c.phase(now) == Phase.CLOSED and c.closes_at >= recent)
        or (upcoming and c.phase(now) == Phase.UPCOMING)
    ]
    return sorted(shown, key=lambda c: (c.closes_at, c.id))


def _updated(c: Consultation, now: datetime) -> datetime:
    """When the entry last changed as the reader sees it: its frist once passed, else its opening."""
    return c.closes_at if c.phase(now) == Phase.CLOSED else c.opens_at


def _entry_id(service: Service, c: Consultation) -> str:
    """Permanent (RFC 4287 § 4.2.6): the same whatever address the app is reached at."""
    return f"urn:kartinnspill:{service.profile.kommunenummer}:{c.id}"


def _link(service: Service, request: Request, c: Consultation, lang: str) -> str:
    link = service.consultation_link(service.origin(request), c.id)
    return link if lang == "nb" else f"{link}&lang={lang}"


def _summary(c: Consultation, lang: str) -> str:
    lines = [c.summary.strip(), t("feeds.frist", lang, date=format_date(c.closes_at, lang, with_time=True))]
    if c.case_number:
        lines.append(t("feeds.case_number", lang, case_number=c.case_number))
    return "\n".join(line for line in lines if line)


def _feed_items(service: Service, now: datetime, lang: str) -> list[Consultation]:
    return [c.in_language(lang) for c in listed(service.collections().consultations(), now)]


def atom(service: Service, request: Request, lang: str) -> Response:
    now = service.clock()
    found = _feed_items(service, now, lang)
    origin = service.origin(request)
    ET.register_namespace("", ATOM_NS)
    ET.register_namespace("kartinnspill", FEED_NS)
    a = lambda name: f"{{{ATOM_NS}}}{name}"
    feed = ET.Element(a("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    ET.SubElement(feed, a("id")).text = f"urn:kartinnspill:{service.profile.kommunenummer}:horinger"
    ET.SubElement(feed, a("title")).text = t("feeds.title", lang, publisher=service.profile.name)
    ET.SubElement(feed, a("subtitle")).text = t("feeds.subtitle", lang, days=RECENT_DAYS)
    updated = max((_updated(c, now) for c in found), default=None)
    ET.SubElement(feed, a("updated")).text = _rfc3339(updated or now)
    author = ET.SubElement(feed, a("author"))
    ET.SubElement(author, a("name")).text = service.profile.name
    ET.SubElement(
        feed, a("link"), {"rel": "self", "type": "application/atom+xml", "href": f"{origin}/feeds/horinger.atom"}
    )
    ET.SubElement(feed, a("link"), {"rel": "alternate", "type": "text/html", "href": f"{origin}/"})
    ET.SubElement(feed, a("generator")).text = "Kartinnspill"
    for c in found:
        entry = ET.SubElement(feed, a("entry"))
        ET.SubElement(entry, a("id")).text = _entry_id(service, c)
        ET.SubElement(entry, a("title")).text = c.title
        ET.SubElement(
            entry, a("link"), {"rel": "alternate", "type": "text/html", "href": _link(service, request, c, lang)}
        )
        ET.SubElement(entry, a("published")).text = _rfc3339(c.opens_at)
        ET.SubElement(entry, a("updated")).text = _rfc3339(_updated(c, now))
        ET.SubElement(entry, a("summary"), {"type": "text"}).text = _summary(c, lang)
        phase = c.phase(now).value
        ET.SubElement(entry, a("category"), {"term": phase, "label": t(f"feeds.phase.{phase}", lang)})
        ET.SubElement(entry, f"{{{FEED_NS}}}frist").text = _rfc3339(c.closes_at)
        if c.case_number:
            ET.SubElement(entry, f"{{{FEED_NS}}}saksnummer").text = c.case_number
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def json_feed(service: Service, request: Request, lang: str) -> Response:
    now = service.clock()
    origin = service.origin(request)
    items = []
    for c in _feed_items(service, now, lang):
        extension = {"frist": _rfc3339(c.closes_at), "status": c.phase(now).value, "opens": _rfc3339(c.opens_at)}
        if c.case_number:
            extension["saksnummer"] = c.case_number
        if c.plan_id:
            extension["plan_id"] = c.plan_id
        items.append(
            {
                "id": _entry_id(service, c),
                "url": _link(service, request, c, lang),
                "title": c.title,
                "summary": c.summary,
                "content_text": _summary(c, lang),
                "date_published": _rfc3339(c.opens_at),
                "date_modified": _rfc3339(_updated(c, now)),
                "tags": [t(f"feeds.phase.{c.phase(now).value}", lang)],
                "_kartinnspill": extension,
            }
        )
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": t("feeds.title", lang, publisher=service.profile.name),
        "description": t("feeds.subtitle", lang, days=RECENT_DAYS),
        "home_page_url": f"{origin}/",
        "feed_url": f"{origin}/feeds/horinger.json",
        "language": lang,
        "authors": [{"name": service.profile.name}],
        "items": items,
    }
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return Response(body, media_type="application/feed+json; charset=utf-8")


def _ical_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 § 3.1: lines of at most 75 octets, continued after CRLF and a space,
    never splitting a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def icalendar(service: Service, request: Request, lang: str) -> Response:
    now = service.clock()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//Kartinnspill//{_ical_text(service.profile.name)}//{lang.upper()}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ical_text(t('feeds.calendar_name', lang, publisher=service.profile.name))}",
        "X-WR-TIMEZONE:Europe/Oslo",
    ]
    for c in listed(service.collections().consultations(), now, upcoming=True):
        c = c.in_language(lang)
        day = c.closes_at.astimezone(LOCAL_TZ).date()
        link = _link(service, request, c, lang)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{c.id}-frist@{service.profile.kommunenummer}.kartinnspill",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{_ical_text(t('feeds.event_title', lang, title=c.title))}",
            f"DESCRIPTION:{_ical_text(_summary(c, lang) + chr(10) + link)}",
            f"URL:{link}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    body = "\r\n".join(_fold(line) for line in lines) + "\r\n"
    return Response(
        body.encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'inline; filename="frister.ics"'},
    )
