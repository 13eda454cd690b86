"""A store for the open-data tests: what the public may see and what it must never see.

``seed(store)`` fills it and returns the ids of the inputs each collection must hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from consultations import geo
from consultations.model import (
    Channel,
    InputStatus,
    Outcome,
    Response,
    SenderType,
    Status,
)
from consultations.store import Store
from tests.conftest import NOW, make_consultation

OPEN = "borgen-open"
CLOSED = "heggedal-closed"
DRAFT = "vollen-draft"
PHONE = "ring meg på 912 34 567"  # masked in every public view
SENDER = "Kari Nordmann"
ADDRESS = "Bondivannsveien 12"
ROUTE = '{"type":"LineString","coordinates":[[10.41,59.824],[10.415,59.826],[10.42,59.828]]}'


@dataclass
class Seeded:
    published: dict[str, list[int]]  # consultation → its published inputs
    withheld: list[int]  # hidden, pending, of a draft


def _add(store: Store, cid: str, text: str, status: InputStatus, lat=59.826, lon=10.414, when=None, **kw) -> int:
    east, north = geo.to_working_crs(lon, lat) if lat is not None else (None, None)
    item, _ = store.add_input(
        consultation_id=cid,
        category="Trafikk og trafikksikkerhet",
        text=text,
        lat=lat,
        lon=lon,
        east=east,
        north=north,
        age_group=None,
        relation=None,
        channel=kw.pop("channel", Channel.WEB),
        status=status,
        session_hash=None,
        token=None,
        created_at=when or NOW - timedelta(days=2),
        **kw,
    )
    return item.id


def seed(store: Store, many: int = 0) -> Seeded:
    """Three consultations: one open, one closed with published answers, one draft; and
    ``many`` more published inputs in the open one (bulk)."""
    store.add_consultation(make_consultation(OPEN, title="Borgen sentrum", case_number="26/1234"))
    store.add_consultation(
        make_consultation(
            CLOSED, title="Heggedal torg", opens_at=NOW - timedelta(days=60), closes_at=NOW - timedelta(days=5)
        )
    )
    store.add_consultation(make_consultation(DRAFT, title="Vollen kladd", status=Status.DRAFT))
    published = {OPEN: [], CLOSED: []}
    published[OPEN].append(
        _add(store, OPEN, f"Farlig kryss, {PHONE}", InputStatus.PUBLISHED, when=NOW - timedelta(days=9))
    )
    published[OPEN].append(
        _add(
            store,
            OPEN,
            "Trygg skolevei her",
            InputStatus.PUBLISHED,
            lat=59.826,
            lon=10.415,
            drawing=ROUTE,
            measure=812.0,
        )
    )
    published[OPEN].append(_add(store, OPEN, "Hele området trenger lys", InputStatus.PUBLISHED, lat=None, lon=None))
    letter = _add(
        store,
        OPEN,
        "Brev om støy",
        InputStatus.PUBLISHED,
        channel=Channel.LETTER,
        sender_type=SenderType.PRIVATE,
        sender_name=SENDER,
        sender_address=ADDRESS,
        when=NOW - timedelta(days=1),
    )
    published[OPEN].append(letter)
    withheld = [
        _add(store, OPEN, "Skjult innspill", InputStatus.HIDDEN),
        _add(store, OPEN, "Venter på moderering", InputStatus.PENDING),
        _add(store, DRAFT, "I en kladd", InputStatus.PUBLISHED),
    ]
    answered = _add(
        store,
        CLOSED,
        "Mer benker på torget",
        InputStatus.PUBLISHED,
        lat=59.783,
        lon=10.45,
        when=NOW - timedelta(days=20),
    )
    published[CLOSED].append(answered)
    store.save_response(
        [answered],
        Response(answered, "Benker", "Vi setter ut fire benker.", Outcome.TAKEN, "Benker i plankartet"),
        "kari",
    )
    store.set_responses_published(CLOSED, True, "kari")
    if many:
        rows = [
            (
                "Gange og sykkel",
                f"Innspill nummer {n}",
                59.822 + (n % 97) * 0.00008,
                10.405 + (n % 89) * 0.00019,
                None,
                None,
                NOW - timedelta(minutes=n),
            )
            for n in range(many)
        ]
        store.bulk_add_inputs(OPEN, rows, Channel.WEB, InputStatus.PUBLISHED)
    return Seeded(published, withheld)
