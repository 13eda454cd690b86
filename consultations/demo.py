"""Demo data: illustrative Asker consultations and residents' inputs (all fictitious)."""

from __future__ import annotations

import io
import json
import math
import random
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pikepdf

from .planning import context_layers, planprocess
from . import geo
from .participation import places
from .config import Municipality, current_profile
from .i18n import t
from .model import (
    Address,
    Channel,
    Consultation,
    Contact,
    DocumentKind,
    InputStatus,
    Moderation,
    Objection,
    ObjectionStatus,
    Outcome,
    PlanType,
    Point,
    PointKind,
    SenderType,
    Shape,
    Stage,
    Status,
)
from .permissions import OPERATOR
from .casework.points import validate_status_change
from .store import Store
from .text import clean_text

CONTENT = Path(__file__).with_name("demo_content.json")
AREAS = Path(__file__).resolve().parent.parent / "geodata" / "asker_demo_areas.geojson"
OSLO = ZoneInfo("Europe/Oslo")


def _day(now: datetime, days: int, at: time) -> datetime:
    """Midnight-or-deadline on the day ``days`` from now, Norwegian time, as UTC."""
    local = (now.astimezone(OSLO) + timedelta(days=days)).date()
    return datetime.combine(local, at, tzinfo=OSLO).astimezone(UTC)


def seed_demo(store: Store, now: datetime | None = None, seed: int = 2026, profile: Municipality | None = None) -> int:
    """Load the demo consultations and inputs into an empty store; returns inputs added.
    ``profile``: whose categories, working CRS, addresses and høringsinstanser (by default
    the configured one). Replicas starting together on one database: one seeds, the others
    find it done."""
    with store.exclusive("seed-demo"):
        return _seed_demo(store, now, seed, profile) if store.is_empty() else 0


def _seed_demo(store: Store, now: datetime | None, seed: int, profile: Municipality | None) -> int:
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    content = json.loads(CONTENT.read_text(encoding="utf-8"))
    areas = geo.read_areas(AREAS, key="consultation_id")
    profile = profile or current_profile()
    categories = profile.categories
    drawings = content.get("drawings", {})
    consultations: dict[str, Consultation] = {}
    for item in content["consultations"]:
        stage = Stage(item["stage"])
        opens = _day(now, item["opens_days"], time(0, 0))
        announced = (
            _day(now, item["announced_days"], time(0, 0)).astimezone(OSLO).date() if "announced_days" in item else None
        )
        # a formal frist on a weekend or holiday moves as the law says
        closes = planprocess.frist(
            stage, opens, _day(now, item["closes_days"], time(23, 59)), announced
        ).closes_at.astimezone(UTC)
        consultation = Consultation(
            id=item["id"],
            title=item["title"],
            summary=item["summary"],
            body=item["body"],
            plan_type=PlanType(item["plan_type"]),
            plan_id=item["plan_id"],
            stage=stage,
            status=Status.PUBLISHED if closes > now else Status.CLOSED,
            opens_at=opens,
            closes_at=closes,
            area=areas[item["id"]],
            categories=categories,
            moderation=Moderation.POST,
            contact=Contact(**item.get("contact", {})),
            is_demo=True,
            case_number=item.get("case_number", ""),
            announced_on=announced,
            announced_where=item.get("announced_where", ""),
            shapes=tuple(Shape(s) for s in drawings.get("shapes", ["point"]))
            if drawings.get("consultation_id") == item["id"]
            else tuple(Shape(s) for s in item.get("shapes", ["point"])),
        )
        store.add_consultation(consultation)
        if "context_layer" in item:  # the plan's own map under the pins: the first visitor meets it
            layer = item["context_layer"]
            context_layers.add_file_layer(
                store,
                consultation.id,
                OPERATOR,
                name=layer["name"],
                legend=layer["legend"],
                filename=layer["filename"],
                data=json.dumps(layer["features"]).encode(),
            )
        for kind in planprocess.required_documents(consultation.plan_type, consultation.stage):
            name = f"{kind.value}-{consultation.id}.pdf"
            pdf = demo_pdf(consultation, kind, profile.kommunenummer)
            store.add_document(consultation.id, name, pdf, None, kind)
        consultations[consultation.id] = consultation

    added = 0
    for n, item in enumerate(content["inputs"]):
        c = consultations[item["consultation_id"]]
        lat = lon = None
        if not item.get("whole_area"):
            ((lat, lon),) = geo.random_points(c.area, 1, rng)
        east, north = (None, None) if lat is None else geo.to_working_crs(lon, lat, profile.working_crs)
        end = min(now, c.closes_at)
        created = c.opens_at + (end - c.opens_at) * rng.random()
        stored, _ = store.add_input(
            consultation_id=c.id,
            category=item["category"],
            text=clean_text(item["text"]),
            lat=lat,
            lon=lon,
            east=east,
            north=north,
            age_group=item.get("age_group"),
            relation=item.get("relation"),
            channel=Channel.WEB,
            status=InputStatus.PUBLISHED,
            session_hash=store.hash_session(f"demo-{n}", c.id),
            token=None,
            created_at=created,
        )
        for s in range(int(rng.expovariate(0.4))):
            store.add_support(stored.id, store.hash_session(f"demo-supporter-{s}", c.id))
        added += 1
    addresses: list[Address] = []
    if profile.demo_addresses:
        data = (places.GEODATA / profile.demo_addresses).read_bytes()
        addresses = places.read_addresses(data, profile.working_crs)
        store.replace_addresses(addresses, actor=None)
    added += _seed_drawings(store, drawings, consultations, addresses, profile.working_crs, now, seed)
    _seed_medvirkning(store, content.get("medvirkning"), consultations)
    return added + _seed_letters(store, content, consultations, profile.hearing_parties, now)


def _seed_medvirkning(store: Store, spec: dict | None, consultations: dict[str, Consultation]) -> None:
    """The Borgen demo's «vi hørte – vi gjør» follow-ups (published) and its activities."""
    if not spec or spec["consultation_id"] not in consultations:
        return
    c = consultations[spec["consultation_id"]]
    for row in spec["follow_ups"]:
        store.set_follow_up(
            c.id, row["theme"], row["kind"], row["follow_up"], row.get("reason", ""), "demo", now=c.opens_at
        )
    for a in spec["activities"]:
        held_on = (c.opens_at.astimezone(OSLO) + timedelta(days=a["days"])).date()
        store.add_activity(c.id, held_on, a["place"], a["kind"], a["attended"], "demo")
    if spec.get("published"):
        store.set_feedback_published(c.id, True, "demo")


def _seed_drawings(
    store: Store,
    spec: dict,
    consultations: dict[str, Consultation],
    addresses: list[Address],
    epsg: int,
    now: datetime,
    seed: int,
) -> int:
    """Routes from homes to the school along the demo's streets, and a few areas, in the
    consultation ``spec`` names (``drawings`` in demo_content.json): the streets are the
    straight lines the fictitious address file was made along (geodata/make_demo_addresses.py),
    found again from its addresses. Returns the inputs added."""
    if not spec or spec.get("consultation_id") not in consultations:
        return 0
    c = consultations[spec["consultation_id"]]
    local = [
        a for a, inside in zip(addresses, geo.contains_many(c.area, [(a.lat, a.lon) for a in addresses])) if inside
    ]
    if not local:
        return 0
    rng = random.Random(seed + 14)  # its own stream: the other demo inputs stay where they were
    by_text = {a.text: a for a in local}
    streets: dict[str, list[Address]] = {}
    for a in local:
        streets.setdefault(_street(a), []).append(a)
    lines = {name: _centreline(members) for name, members in streets.items()}
    school = by_text[spec["school"]]
    far = [a for a in local if math.hypot(a.east - school.east, a.north - school.north) > 150]
    homes = rng.sample(far, min(spec["routes"], len(far)))
    end = min(now, c.closes_at)
    added = 0

    def add(n: int, category: str, text: str, drawing: geo.Drawing) -> None:
        east, north = geo.to_working_crs(drawing.lon, drawing.lat, epsg)
        # no supports: each is a write of its own, and seeding stays quick
        store.add_input(
            consultation_id=c.id,
            category=category,
            text=clean_text(text),
            lat=drawing.lat,
            lon=drawing.lon,
            east=east,
            north=north,
            age_group=None,
            relation="bor",
            channel=Channel.WEB,
            status=InputStatus.PUBLISHED,
            session_hash=store.hash_session(f"demo-drawing-{n}", c.id),
            token=None,
            created_at=c.opens_at + (end - c.opens_at) * rng.random(),
            drawing=drawing.geojson,
            measure=drawing.measure,
        )

    texts = spec["route_texts"]
    for n, home in enumerate(homes):
        path = _route(home, school, lines[_street(home)], lines[_street(school)])
        lon, lat = geo.from_working_crs(path[:, 0], path[:, 1], epsg)
        line = {"type": "LineString", "coordinates": np.column_stack([lon, lat]).round(7).tolist()}
        category, text = texts[n % len(texts)]
        add(n, category, text, geo.read_drawing(line, c.shapes, c.area, epsg=epsg))
        added += 1
    for k, item in enumerate(spec.get("areas", ()), start=len(homes)):
        centre = by_text[item["near"]]
        turns = np.linspace(0, 2 * math.pi, 7)[:-1] + rng.uniform(0, math.pi / 3)
        radius = item["radius_m"] * np.array([rng.uniform(0.8, 1.2) for _ in turns])
        lon, lat = geo.from_working_crs(
            centre.east + radius * np.cos(turns), centre.north + radius * np.sin(turns), epsg
        )
        ring = np.column_stack([lon, lat]).round(7).tolist()
        polygon = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
        add(k, item["category"], item["text"], geo.read_drawing(polygon, c.shapes, c.area, epsg=epsg))
        added += 1
    return added


def _street(a: Address) -> str:
    return a.text.rsplit(" ", 1)[0]


def _centreline(members: list[Address]) -> tuple[np.ndarray, np.ndarray]:
    """A street's line through its addresses (odd numbers on one side, even on the other):
    a point on it and its direction."""
    points = np.array([(a.east, a.north) for a in members])
    middle = points.mean(axis=0)
    _, _, axes = np.linalg.svd(points - middle)
    return middle, axes[0]


def _foot(p: np.ndarray, line: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    origin, direction = line
    return origin + np.dot(p - origin, direction) * direction


def _route(home: Address, school: Address, own: tuple, school_street: tuple) -> np.ndarray:
    """From the door to the street, along it to the crossing with the school's street, and
    along that to the school's door (working-CRS metres)."""
    start, goal = np.array([home.east, home.north]), np.array([school.east, school.north])
    path = [start, _foot(start, own)]
    (o1, d1), (o2, d2) = own, school_street
    matrix = np.column_stack([d1, -d2])
    if abs(np.linalg.det(matrix)) > 1e-6:  # another street: turn where they cross
        along, _ = np.linalg.solve(matrix, o2 - o1)
        path.append(o1 + along * d1)
    path += [_foot(goal, school_street), goal]
    return np.array(path)


def _seed_letters(
    store: Store,
    content: dict,
    consultations: dict[str, Consultation],
    parties: tuple[tuple[str, SenderType], ...],
    now: datetime,
) -> int:
    """Every formal consultation gets the profile's høringsinstanser, sent on the day of
    its kunngjøring; then the registered letters, each the answer of the høringsinstans of
    its sender's name when there is one. Returns the letters added."""
    for c in consultations.values():
        if planprocess.mode(c.stage) == planprocess.Mode.FORMAL:
            for name, kind in parties:
                store.add_hearing_party(c.id, name, kind, c.announced_on, None)
    for item in content.get("letters", ()):
        c = consultations[item["consultation_id"]]
        if "days_after_frist" in item:  # late: after the frist as the rules moved it
            local = c.closes_at.astimezone(OSLO).date() + timedelta(days=item["days_after_frist"])
            received = datetime.combine(local, time(12), tzinfo=OSLO).astimezone(UTC)
        else:
            received = _day(now, item["received_days"], time(12))
        stored, _ = store.add_input(
            consultation_id=c.id,
            category=item["category"],
            text=clean_text(item["text"]),
            lat=None,
            lon=None,
            east=None,
            north=None,
            age_group=None,
            relation=None,
            channel=Channel(item["channel"]),
            status=InputStatus.PUBLISHED,
            session_hash=None,
            token=None,
            created_at=min(received, now),
            sender_type=SenderType(item["sender_type"]),
            sender_name=item["sender_name"],
            objection=Objection(item["objection"]) if item.get("objection") else None,
        )
        for party in store.hearing_parties(c.id):
            if party.name == stored.sender_name and party.input_id is None:
                store.update_hearing_party(replace(party, input_id=stored.id), None)
        if item.get("points"):
            _seed_points(store, stored.id, item["points"], now)
    return len(content.get("letters", ()))


def _seed_points(store: Store, input_id: int, entries: list[dict], now: datetime) -> None:
    """A letter's merknadspunkter as a planner would have written them, with the evidence
    behind each innsigelse's status (``settled_days`` from today)."""
    found, changes = [], []
    for entry in entries:
        kind = PointKind(entry["kind"])
        status = ObjectionStatus.OPEN if kind == PointKind.INNSIGELSE else None
        point = Point(
            input_id,
            entry["letter"],
            summary=entry["summary"],
            theme=entry.get("theme", ""),
            kind=kind,
            status=status,
            assessment=entry.get("assessment", ""),
            outcome=Outcome(entry["outcome"]) if entry.get("outcome") else None,
            plan_change=entry.get("plan_change", ""),
            new_hearing=bool(entry.get("new_hearing")),
        )
        if entry.get("status"):
            settled = (now + timedelta(days=entry["settled_days"])).astimezone(OSLO).date()
            point, change = validate_status_change(point, entry["status"], settled, entry["reference"], entry["note"])
            changes.append(change)
        found.append(point)
    store.save_points(found, "demo", changes)


def _pdf_text(text: str) -> bytes:
    """A PDF string literal in WinAnsi (the standard fonts' encoding: æ, ø, å and «–»)."""
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def demo_pdf(c: Consultation, kind: DocumentKind, kommunenummer: str) -> bytes:
    """A one-page A4 PDF standing in for a plan document, clearly labelled as a demo: the
    demo's formal høring then has what the publish rule asks for. Made with pikepdf (text
    only: nothing in it runs, so it passes ``documents.check_pdf`` like any upload)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    lines = [
        (24, t("demo_documents.label")),
        (16, t(f"document_kind.{kind.value}")),
        (12, c.title),
        (
            12,
            t(
                "demo_documents.plan",
                plan_id=planprocess.national_plan_id(kommunenummer, c.plan_id),
                case_number=c.case_number,
            ),
        ),
        (10, t("demo_documents.note")),
    ]
    stream = [b"BT", b"72 770 Td"]
    for size, text in lines:
        stream += [b"/F1 %d Tf" % size, _pdf_text(text[:90]) + b" Tj", b"0 -%d Td" % (size * 2)]
    stream.append(b"ET")
    page.Contents = pdf.make_stream(b"\n".join(stream))
    pdf.docinfo["/Title"] = f"{t('demo_documents.label')}: {t(f'document_kind.{kind.value}')}"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
