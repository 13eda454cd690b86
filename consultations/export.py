"""Exports of a consultation's inputs: CSV for Norwegian Excel and GeoJSON (RFC 7946).

CSV: UTF-8 with a byte-order mark and semicolons, which Excel with Norwegian regional
settings opens straight into columns (Norwegian Excel expects ';' as the list separator).
Cells that start with = + - @ are prefixed with an apostrophe so a spreadsheet never
runs them as formulas.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from enum import StrEnum

from .i18n import LOCAL_TZ
from .model import Input

FIELDS = (
    "id",
    "referanse",
    "opprettet",
    "høring",
    "kategori",
    "tekst",
    "status",
    "kanal",
    "lon",
    "lat",
    "ost_25832",
    "nord_25832",
    "aldersgruppe",
    "tilknytning",
    "støtter",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Format(StrEnum):
    CSV = "csv"
    GEOJSON = "geojson"


def _record(i: Input) -> dict[str, object]:
    return {
        "id": i.id,
        "referanse": i.reference,
        "opprettet": i.created_at.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
        "høring": i.consultation_id,
        "kategori": i.category,
        "tekst": i.text,
        "status": i.status.value,
        "kanal": i.channel.value,
        "lon": None if i.lon is None else round(i.lon, 7),
        "lat": None if i.lat is None else round(i.lat, 7),
        "ost_25832": i.east,
        "nord_25832": i.north,
        "aldersgruppe": i.age_group,
        "tilknytning": i.relation,
        "støtter": i.supports,
    }


def _spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Any table as CSV for Norwegian Excel: semicolons, UTF-8 BOM, no formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([_spreadsheet_safe(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_csv(inputs: Sequence[Input]) -> bytes:
    return rows_to_csv(FIELDS, (list(_record(i).values()) for i in inputs))


def to_geojson(inputs: Sequence[Input]) -> bytes:
    """RFC 7946: WGS84 lon/lat; an input for the whole area has a null geometry."""
    features = []
    for i in inputs:
        props = _record(i)
        geometry = (
            {"type": "Point", "coordinates": [round(i.lon, 7), round(i.lat, 7)]}
            if i.lat is not None and i.lon is not None
            else None
        )
        features.append({"type": "Feature", "id": i.id, "geometry": geometry, "properties": props})
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def export(inputs: Sequence[Input], fmt: Format) -> bytes:
    return to_csv(inputs) if fmt == Format.CSV else to_geojson(inputs)
