"""Finding a place by what a resident types: an address («Bondivannsveien 12»), a property
(«gnr 38 bnr 101», «38/101») or a named place — and loading the address register it searches.

The register is Kartverket's «Adresser» dataset (Geonorge, «Matrikkelen – Adresse», CSV),
one address a line, semicolons between fields, UTF-8. The columns used (the header names
Kartverket writes; others are ignored):

- ``adresseTekst``   the address as written: «Bondivannsveien 12», «Kirkeveien 3 B»
- ``postnummer``, ``poststed``   the postcode and postal place
- ``gardsnummer``, ``bruksnummer``   the property (gnr/bnr) the address belongs to
- ``Øst``, ``Nord``   the address point, in the CRS ``EPSG-kode`` names on the same line
  (Kartverket publishes the national file in EPSG:4258, where «Nord» is latitude and «Øst»
  longitude, and per-county files in EPSG:25832/25833, where they are metres)

A GeoJSON or GeoPackage register (a ``.geojson``/``.json``/``.gpkg`` file, read through geo.py)
has the same names as feature properties, and its points as geometry in the CRS it declares.

Matching is tolerant of how people type Norwegian letters: «å»/«aa»/«a», «ø»/«oe»/«o»,
«æ»/«ae»/«e», case and extra spaces are all the same to it (``normalise``).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj.exceptions import CRSError

from .. import geo
from ..casework.analysis import Place
from ..config import current_profile
from ..errors import InvalidInput
from ..model import Address, Role, User
from ..permissions import require
from ..store import Store

GEODATA = Path(__file__).resolve().parent.parent.parent / "geodata"
SEARCH_LIMIT = 20  # results offered at once: enough to see one's own, few enough to read
MIN_QUERY = 2  # characters before a search is made

# Kartverket's header names → what we keep (matched without regard to case)
COLUMNS = {
    "text": "adressetekst",
    "postcode": "postnummer",
    "place": "poststed",
    "gnr": "gardsnummer",
    "bnr": "bruksnummer",
    "epsg": "epsg-kode",
    "north": "nord",
    "east": "øst",
}
_REQUIRED = ("text", "epsg", "north", "east")

_LETTERS = str.maketrans({"å": "a", "æ": "e", "ø": "o", "ö": "o", "ä": "e", "é": "e", "ü": "u"})
# how people type the three letters without a Norwegian keyboard; both the name and the
# query take the same form, so «Åsgård», «Aasgaard» and «Asgard» are all «asgard»
_SPELLINGS = (("aa", "a"), ("ae", "e"), ("oe", "o"))
_NOT_WORD = re.compile(r"[^\w/]+")
_PROPERTY = re.compile(r"^(?:gnr\s*)?(\d{1,5})\s*(?:/|bnr)\s*(?:bnr\s*)?(\d{1,5})$")


def normalise(text: str) -> str:
    """The form a search compares: lower case; «å»/«aa» as «a», «æ»/«ae» as «e», «ø»/«oe»
    as «o»; punctuation as space; one space between words."""
    s = unicodedata.normalize("NFC", text).casefold().translate(_LETTERS)
    for typed, letter in _SPELLINGS:
        s = s.replace(typed, letter)
    return " ".join(_NOT_WORD.sub(" ", s).split())


def matches(key: str, query: str) -> bool:
    """Whether a normalised name matches a normalised query: the name starts with it, or one
    of its words does (the store's search is the same rule in SQL)."""
    return bool(query) and (key.startswith(query) or f" {query}" in key)


def parse_property(query: str) -> tuple[int, int] | None:
    """``(gnr, bnr)`` from «gnr 38 bnr 101», «38/101», «gnr. 38, bnr. 101»; else ``None``."""
    found = _PROPERTY.match(normalise(query))
    return (int(found[1]), int(found[2])) if found else None


@dataclass(frozen=True)
class Hit:
    """One search result: what the list shows, and where the pin goes."""

    label: str
    lat: float
    lon: float


def address_label(a: Address) -> str:
    place = a.place.title() if a.place.isupper() else a.place  # Kartverket writes «BORGEN»
    where = " ".join(p for p in (a.postcode, place) if p)
    return f"{a.text}, {where}" if where else a.text


def search(store: Store, query: str, places: Sequence[Place] = (), limit: int = SEARCH_LIMIT) -> list[Hit]:
    """What a resident's typed text finds: the addresses on a property when it is a gnr/bnr,
    else the named places and then the addresses it matches; at most ``limit``."""
    key = normalise(query)
    if len(key) < MIN_QUERY:
        return []
    prop = parse_property(query)
    if prop is not None:
        return [
            Hit(f"{prop[0]}/{prop[1]} – {address_label(a)}", a.lat, a.lon)
            for a in store.addresses_of_property(*prop, limit)
        ]
    named = [Hit(p.name, p.lat, p.lon) for p in places if matches(normalise(p.name), key)][:limit]
    found = store.search_addresses(key, limit - len(named)) if len(named) < limit else []
    return named + [Hit(address_label(a), a.lat, a.lon) for a in found]


# -- the register ----------------------------------------------------------------------------


def read_addresses(data: bytes, working_crs: int | None = None, filename: str = "adresser.csv") -> list[Address]:
    """The addresses of a Kartverket «Adresser» CSV (or GeoJSON/GeoPackage, by the file's
    suffix); refuses the whole file (naming the line) when a line cannot be read, so an
    import is all or nothing. East/north in ``working_crs`` (default: the profile's)."""
    if working_crs is None:
        working_crs = current_profile().working_crs
    if Path(filename).suffix.lower() in geo.POINT_FORMATS:
        return _vector_addresses(data, filename, working_crs)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("addresses.not_utf8") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, None)
    if header is None:
        raise InvalidInput("addresses.empty")
    position = {name.strip().casefold(): i for i, name in enumerate(header)}
    columns = {field: position.get(name) for field, name in COLUMNS.items()}
    missing = [COLUMNS[f] for f in _REQUIRED if columns[f] is None]
    if missing:
        raise InvalidInput("addresses.missing_columns", columns=", ".join(missing))
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append(
            (line, {f: (values[i].strip() if i is not None and i < len(values) else "") for f, i in columns.items()})
        )
    if not rows:
        raise InvalidInput("addresses.empty")
    return _addresses(rows, working_crs)


def _vector_addresses(data: bytes, filename: str, working_crs: int) -> list[Address]:
    """A GeoJSON or GeoPackage register: the same names as the CSV's columns, as feature
    properties; the point is the feature's geometry (any CRS the file declares)."""
    rows = []
    for n, (properties, lon, lat) in enumerate(geo.read_points(data, filename), start=1):
        named = {str(k).casefold(): ("" if v is None or v != v else str(v).strip()) for k, v in properties.items()}
        row = {field: named.get(name, "") for field, name in COLUMNS.items()}
        row |= {"epsg": str(geo.WGS84), "east": repr(lon), "north": repr(lat)}
        row["gnr"], row["bnr"] = row["gnr"].removesuffix(".0"), row["bnr"].removesuffix(".0")
        rows.append((n, row))
    if not rows:
        raise InvalidInput("addresses.empty")
    return _addresses(rows, working_crs)


def _addresses(rows: list[tuple[int, dict[str, str]]], working_crs: int) -> list[Address]:
    """The lines as addresses, reprojected a whole CRS at a time (one call per CRS, not per
    line: with a call per line the bench's 30,000 lines took 7 s to read, now about 1.5 s)."""
    points = np.empty((len(rows), 2))
    by_crs: dict[int, list[int]] = {}
    for i, (line, row) in enumerate(rows):
        try:
            epsg = int(row["epsg"].upper().removeprefix("EPSG:"))
            points[i] = float(row["east"].replace(",", ".")), float(row["north"].replace(",", "."))
        except ValueError:
            raise InvalidInput("addresses.bad_line", line=line) from None
        if not row["text"]:
            raise InvalidInput("addresses.bad_line", line=line)
        by_crs.setdefault(epsg, []).append(i)
    lonlat = np.empty_like(points)
    for epsg, index in by_crs.items():
        try:
            lon, lat = geo.reproject(points[index, 0], points[index, 1], epsg, geo.WGS84)
        except CRSError:
            raise InvalidInput("addresses.bad_line", line=rows[index[0]][0]) from None
        lonlat[index] = np.column_stack((lon, lat))
    east, north = geo.reproject(lonlat[:, 0], lonlat[:, 1], geo.WGS84, working_crs)
    out = []
    for i, (line, row) in enumerate(rows):
        lon, lat = float(lonlat[i, 0]), float(lonlat[i, 1])
        if not (geo.is_valid_coordinate(lat, lon) and math.isfinite(east[i]) and math.isfinite(north[i])):
            raise InvalidInput("addresses.bad_line", line=line)
        out.append(
            Address(
                text=row["text"],
                postcode=row["postcode"],
                place=row["place"],
                gnr=_number(row["gnr"]),
                bnr=_number(row["bnr"]),
                lat=round(lat, 7),
                lon=round(lon, 7),
                east=round(float(east[i]), 2),
                north=round(float(north[i]), 2),
                key=normalise(row["text"]),
            )
        )
    return out


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def import_addresses(
    store: Store, actor: User, data: bytes, working_crs: int | None = None, filename: str = "adresser.csv"
) -> int:
    """Replace the address register with a file's addresses (all or nothing, audited);
    returns how many there are now."""
    who = require(store, actor, Role.ADMIN)
    return store.replace_addresses(read_addresses(data, working_crs, filename), who.username)


def import_address_file(store: Store, actor: User, path: Path, working_crs: int | None = None) -> int:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput("addresses.cannot_read", path=path, reason=exc.strerror or exc) from None
    return import_addresses(store, actor, data, working_crs, path.name)


# -- streets, for naming places on a map ------------------------------------------------------

_HOUSE_NUMBER = re.compile(r"\s+\d+\s*[A-Za-zÆØÅæøå]?$")


def street_places(store: Store, area, epsg: int, margin_m: float = 300) -> tuple[Place, ...]:
    """The address register's points in and around ``area`` (WGS84) as places named by
    their street («Bondivannsveien 12» → «Bondivannsveien»): what names a hotspot where
    the named places are too few (``analysis.hotspots(streets=…)``)."""
    minx, miny, maxx, maxy = geo.project_area(area, epsg).bounds
    rows = store.addresses_within((minx - margin_m, miny - margin_m, maxx + margin_m, maxy + margin_m))
    return tuple(
        Place(_HOUSE_NUMBER.sub("", text).strip() or text, "gate", float(lat), float(lon), float(east), float(north))
        for text, lat, lon, east, north in rows
    )


NEAREST_ADDRESS_M = 150  # further away an address says little about where a pin is


def nearest_address(store: Store, lat: float, lon: float, epsg: int = geo.WORKING_CRS) -> Address | None:
    """The address register's address nearest to a point, if one is within
    ``NEAREST_ADDRESS_M`` («Valgt: nær Bondivannsveien 12»)."""
    east, north = geo.to_working_crs(lon, lat, epsg)
    found = store.nearest_address(east, north, NEAREST_ADDRESS_M)
    if found is None or math.hypot(found.east - east, found.north - north) > NEAREST_ADDRESS_M:
        return None
    return found
