"""Exports of a consultation's inputs: CSV, XLSX, GeoJSON and GeoPackage.

Every format writes the same table, :func:`input_table`: one row per input (whatever its
status) with Norwegian column names, labels instead of codes, one column per question of
the consultation, the planners' tags and the merknadsbehandling. The sender's name is a
column only when asked for (``include_names``); it is never in an export by default.

CSV is made for Excel with Norwegian regional settings: UTF-8 with a byte-order mark (so
æøå arrive intact) and semicolons between fields (Norwegian Excel's list separator, since
the comma is its decimal sign). Decimal numbers — the coordinates — keep a decimal *point*:
the file stays lossless and readable by GIS tools and scripts without a locale switch, and
Norwegian Excel shows such a value as text with every digit intact. Whole numbers (ids,
supports) are numbers in any Excel. Use XLSX for decimals Excel should calculate with.
Cells starting with = + - @, a tab or a carriage return get an apostrophe in front, so a
spreadsheet never runs them as formulas; XLSX stores such cells as text with Excel's own
quote prefix instead, so the text itself is unchanged.

Every input is a pin, a drawn route (line) or a drawn area, or has no place (the whole
area); the column ``form`` says which, ``lengde_m``/``areal_m2`` give a drawing's size in the
working CRS, and lon/lat and east/north hold the input's point (on a route, inside an area).

GeoJSON follows RFC 7946: WGS84 lon/lat always, no "crs" member, one file. Its features
mix geometry types — a Point per pin, the LineString or Polygon as drawn — and an input for
the whole area has a null geometry. One file rather than one per type keeps the format a
single stream (``--out -``) and every input in it; QGIS offers such a file as one layer per
geometry type when it is opened, and ``form`` filters it elsewhere.

GeoPackage, for the GIS team: three feature layers by geometry type, always all three (an
empty one keeps its type, so a QGIS project built on them keeps working) — ``innspill_punkt``
(Point), ``innspill_linje`` (LineString), ``innspill_flate`` (Polygon) — in the chosen CRS
(the profile's working CRS by default, EPSG:25832 for Asker; the profile's ``export_crs``
on request), and a table without geometry, ``innspill_uten_sted``, for the inputs that have
no place, so that none is dropped. Each layer's CRS is registered by its EPSG code.

Photos (``photos_zip``) go alongside as a zip of files, not into the GeoPackage: a planner
opens them as pictures, and QGIS links them by the input's reference. ``bilder/KI-000123-1.jpg``
and ``bilder.csv`` (reference; file; alt text) — every input's photos, whatever its status,
as every other export.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely

from .. import geo
from ..planning import planprocess
from ..casework import points_sheet
from ..config import current_profile
from ..errors import KartinnspillError
from ..geo import WGS84
from ..i18n import DEFAULT_LANG, LOCAL_TZ, t
from ..model import (
    Channel,
    Consultation,
    InputStatus,
    Outcome,
    QuestionKind,
    Shape,
    journalpost_label,
    public_sender_name,
    reference,
)
from ..casework.review import SECTIONS, is_merknad, responded_through, section_of
from ..store import Store

# the GeoPackage's layers by what an input put on the map (module notes)
LAYERS = {Shape.POINT: "innspill_punkt", Shape.LINE: "innspill_linje", Shape.AREA: "innspill_flate"}
GEOMETRY_TYPES = {Shape.POINT: "Point", Shape.LINE: "LineString", Shape.AREA: "Polygon"}
UNLOCATED_TABLE = "innspill_uten_sted"
INPUTS_SHEET = "Innspill"
SUMMARY_SHEET = "Nøkkeltall"
LIST_JOIN = "; "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 (so XLSX and DOCX) cannot hold.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the control characters an XML document (XLSX, DOCX) cannot hold."""
    return _XML_ILLEGAL.sub("", text)


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    GEOJSON = "geojson"
    GPKG = "gpkg"

    @property
    def streamable(self) -> bool:
        """Whether the format can go to standard output (text, not a zip or a database)."""
        return self in (Format.CSV, Format.GEOJSON)


def crs_choices() -> tuple[int, ...]:
    """The CRSs exports offer: the configured profile's, its working CRS first."""
    return current_profile().export_choices


def parse_crs(value: str | int, choices: tuple[int, ...] | None = None) -> int:
    """``EPSG:25832``, ``25832`` … as an EPSG code; only the CRSs exports offer
    (``choices``, by default the profile's)."""
    choices = crs_choices() if choices is None else choices
    text = str(value).strip().upper().removeprefix("EPSG:")
    if not text.isdigit() or int(text) not in choices:
        named = ", ".join(f"EPSG:{c}" for c in choices)
        raise KartinnspillError("exports.crs_invalid", value=value, choices=named)
    return int(text)


def _crs(crs: int | None) -> int:
    return current_profile().working_crs if crs is None else crs


# -- the table every format writes -------------------------------------------------------


_FIRST = (
    "id",
    "referanse",
    "opprettet",
    "høring",
    "kategori",
    "tekst",
    "status",
    "kanal",
    "avsendertype",
    "virksomhet",
    "innsigelse",
    "innsigelse_status",
    "etter_frist",
    "arkivert",
    "journalpost",
)
# who sent it and where to notify them (a formal merknad): only when names are asked for
_NAMES = ("avsender", "avsenderadresse", "gnr_bnr")
_LAST = (
    "temaer",
    "støtter",
    "duplikat_av",
    "skjult_grunn",
    "sammendrag",
    "vurdering",
    "konklusjon",
    "endring_i_planen",
    # as the merknadsbehandling report has it, row for row: the sender group, a planner's
    # finding that it is no merknad, the input whose answer it carries (a duplicate's
    # original) and the outcome the report prints
    "avsendergruppe",
    "ikke_merknad",
    "behandlet_sammen_med",
    "konklusjon_i_rapporten",
)


def columns(consultation: Consultation, crs: int | None = None, include_names: bool = False) -> list[str]:
    """The export's column names, in order (``crs``: the profile's working CRS if none)."""
    crs = _crs(crs)
    names = [*_FIRST, *(_NAMES if include_names else []), "lon", "lat"]
    if crs != WGS84:
        names += [f"ost_{crs}", f"nord_{crs}"]
    names += ["form", "lengde_m", "areal_m2", "aldersgruppe", "tilknytning"]
    return [*names, *_question_headers(consultation, names), *_LAST]


def _question_headers(consultation: Consultation, taken: Sequence[str]) -> list[str]:
    """One header per question, its text; made unique (GeoPackage columns ignore case)."""
    used = {n.casefold() for n in (*taken, *_LAST)}
    headers = []
    for q in consultation.questions:
        header, n = q.text, 2
        while header.casefold() in used:
            header, n = f"{q.text} ({n})", n + 1
        used.add(header.casefold())
        headers.append(header)
    return headers


def input_table(
    frame: pd.DataFrame,
    consultation: Consultation,
    *,
    crs: int | None = None,
    include_names: bool = False,
    lang: str = DEFAULT_LANG,
) -> pd.DataFrame:
    """The export table from ``Store.analysis_frame``: one row per input, Norwegian
    column names (:func:`columns`), labels for codes; missing values are NA."""
    crs = parse_crs(_crs(crs))
    n = len(frame)
    out: dict[str, object] = {}
    out["id"] = frame["id"].astype("int64").to_numpy()
    out["referanse"] = [reference(int(i)) for i in out["id"]]
    out["opprettet"] = _local_iso(frame["created_at"])
    out["høring"] = np.full(n, consultation.id, dtype=object)
    out["kategori"] = frame["category"].to_numpy(dtype=object)
    out["tekst"] = frame["text"].to_numpy(dtype=object)
    out["status"] = _labels(frame["status"], "exports.input_status", lang)
    out["kanal"] = _labels(frame["channel"], "channel", lang)
    out["avsendertype"] = _labels(frame["sender_type"], "sender_type", lang)
    # an authority's, organisation's or business's name is no personal data: always there
    out["virksomhet"] = np.array(
        [public_sender_name(k, v) for k, v in zip(frame["sender_type"], frame["sender_name"], strict=True)],
        dtype=object,
    )
    out["innsigelse"] = _labels(frame["objection"], "objection.kind", lang)
    out["innsigelse_status"] = _labels(frame["objection_status"], "objection.status", lang)
    missed = missed_frists(frame, consultation)
    out["etter_frist"] = np.array(
        [None if m is None else m.astimezone(LOCAL_TZ).isoformat() for m in missed], dtype=object
    )
    # sent to the archive (Fiks Arkiv) and the journalpost its kvittering gave
    out["arkivert"] = [
        None if pd.isna(a) else pd.Timestamp(a).tz_localize(UTC).tz_convert(LOCAL_TZ).isoformat(timespec="seconds")
        for a in frame["archived_at"]
    ]
    out["journalpost"] = [
        journalpost_label(y, s, n, consultation.case_number) or None
        for y, s, n in zip(frame["journal_year"], frame["journal_sequence"], frame["journalpost_number"], strict=True)
    ]
    if include_names:
        out["avsender"] = _objects(frame["sender_name"])
        out["avsenderadresse"] = _objects(frame["sender_address"])
        out["gnr_bnr"] = _objects(frame["sender_property"])
    lon = frame["lon"].astype("float64").to_numpy()
    lat = frame["lat"].astype("float64").to_numpy()
    out["lon"], out["lat"] = np.round(lon, 7), np.round(lat, 7)
    if crs != WGS84:
        east, north = geo.project_coordinates(lon, lat, crs)
        out[f"ost_{crs}"], out[f"nord_{crs}"] = east, north
    kinds = _shapes(frame)
    out["form"] = np.array([None if k is None else t(f"shape.{k}", lang) for k in kinds], dtype=object)
    measure = frame["measure"].astype("float64").to_numpy() if "measure" in frame else np.full(n, np.nan)
    out["lengde_m"] = np.where(kinds == Shape.LINE.value, np.round(measure, 1), np.nan)
    out["areal_m2"] = np.where(kinds == Shape.AREA.value, np.round(measure, 1), np.nan)
    out["aldersgruppe"] = _labels(frame["age_group"], "age_group", lang)
    out["tilknytning"] = _labels(frame["relation"], "relation", lang)
    if consultation.questions:
        answers = [json.loads(a) if a else {} for a in frame["answers"]]
        headers = _question_headers(consultation, list(out))
        for header, question in zip(headers, consultation.questions, strict=True):
            values = [_answer(a.get(question.id)) for a in answers]
            out[header] = (
                pd.array(values, dtype="Int64")
                if question.kind == QuestionKind.SCALE
                else np.array(values, dtype=object)
            )
    out["temaer"] = [LIST_JOIN.join(tags) if len(tags) else None for tags in frame["tags"]]
    out["støtter"] = frame["supports"].astype("int64").to_numpy()
    out["duplikat_av"] = [None if pd.isna(d) else reference(int(d)) for d in frame["duplicate_of"]]
    out["skjult_grunn"] = _objects(frame["hidden_reason"])
    out["sammendrag"] = _objects(frame["response_summary"])
    out["vurdering"] = _objects(frame["assessment"])
    out["konklusjon"] = _labels(frame["outcome"], "planning.outcome", lang)
    out["endring_i_planen"] = _objects(frame["plan_change"])
    out["avsendergruppe"] = [t(f"report11.section.{SECTIONS[section_of(k)][0]}", lang) for k in frame["sender_type"]]
    out["ikke_merknad"] = _labels(frame["not_merknad"], "report11.not_merknad", lang)
    merknad = frame["not_merknad"].map(is_merknad).to_numpy()
    ids = frame["id"].astype(int).tolist()
    links = dict(zip(ids, frame["duplicate_of"], strict=True))
    outcome = dict(zip(ids, frame["outcome"], strict=True))
    allowed = {i for i, m in zip(ids, merknad, strict=True) if m}
    answered = {i for i in allowed if isinstance(outcome[i], str)}
    by = [responded_through(i, links, answered, allowed) if m else None for i, m in zip(ids, merknad, strict=True)]
    out["behandlet_sammen_med"] = [
        reference(b) if b is not None and b != i else None for i, b in zip(ids, by, strict=True)
    ]
    out["konklusjon_i_rapporten"] = [
        None
        if not m
        else t(f"planning.outcome.{outcome[b]}", lang)
        if b is not None
        else t("points.report.not_assessed", lang)
        for m, b in zip(merknad, by, strict=True)
    ]
    # text stays in object columns: pandas' default str dtype would cost a conversion here
    # and a slow element-wise iteration in every writer
    table = pd.DataFrame(
        {k: pd.Series(v, dtype=object) if _is_object(v) else v for k, v in out.items()},
        index=pd.RangeIndex(n),
    )
    assert list(table.columns) == columns(consultation, crs, include_names)
    return table


def missed_frists(frame: pd.DataFrame, consultation: Consultation) -> list[datetime | None]:
    """Per row of ``Store.analysis_frame``, the frist the input missed (``None``: in time),
    by ``planprocess.missed_frist`` from when it was received and any høringsinstans's own
    frist."""
    received = pd.to_datetime(frame["created_at"]).dt.tz_localize(UTC)
    own = pd.to_datetime(frame["party_frist"]).dt.tz_localize(UTC)
    return [
        planprocess.missed_frist(r.to_pydatetime(), consultation.closes_at, None if pd.isna(o) else o.to_pydatetime())
        for r, o in zip(received, own, strict=True)
    ]


def _shapes(frame: pd.DataFrame) -> np.ndarray:
    """Per row: ``point``, ``line``, ``area`` or ``None`` (no place)."""
    from ..casework.analysis import shapes

    return shapes(frame).to_numpy(dtype=object)


def drawn_geometries(frame: pd.DataFrame) -> np.ndarray:
    """Per row of ``Store.analysis_frame`` its drawn route or area (WGS84), else ``None``."""
    if "drawing" not in frame:
        return np.full(len(frame), None, dtype=object)
    drawings = frame["drawing"].astype(object)
    return shapely.from_geojson(drawings.where(drawings.notna(), None).to_numpy(dtype=object))


def local_times(created: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Naive UTC timestamps as Norwegian local time: ``(datetime64[s] wall clock, UTC
    offset in seconds)``, vectorised (pandas' strftime takes seconds per 100,000)."""
    utc = pd.DatetimeIndex(pd.to_datetime(created)).as_unit("s")
    wall = utc.tz_localize("UTC").tz_convert(LOCAL_TZ).tz_localize(None).to_numpy()
    return wall, (wall - utc.to_numpy()).astype("timedelta64[s]").astype("int64")


def _local_iso(created: pd.Series) -> np.ndarray:
    """ISO 8601 in Norwegian local time with its offset: 2026-11-27T13:00:00+01:00."""
    wall, offset = local_times(created)
    signs = {
        o: f"{'-' if o < 0 else '+'}{abs(o) // 3600:02d}:{abs(o) % 3600 // 60:02d}" for o in np.unique(offset).tolist()
    }
    suffix = np.array([signs[o] for o in offset.tolist()], dtype="U6")
    text = np.char.add(np.datetime_as_string(wall, unit="s"), suffix)
    return text.astype(object)


def _labels(codes: pd.Series, prefix: str, lang: str) -> np.ndarray:
    """Codes as their translated labels; a code without one (a newer version's) as itself."""
    present = codes.dropna()
    mapping = {}
    for code in present.unique().tolist():
        if code != "":
            try:
                mapping[code] = t(f"{prefix}.{code}", lang)
            except KeyError:
                mapping[code] = str(code)
    return _objects(codes.astype(object).map(mapping))


def _objects(values: pd.Series) -> np.ndarray:
    """An object array with ``None`` wherever pandas sees a missing value."""
    return values.astype(object).where(values.notna(), None).to_numpy(dtype=object)


def _answer(value: object) -> object:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return LIST_JOIN.join(str(v) for v in value)
    return value


def _is_object(values: object) -> bool:
    return isinstance(values, list) or getattr(values, "dtype", None) == object


def _records(table: pd.DataFrame) -> Iterable[tuple[object, ...]]:
    """Rows as plain Python values, with ``None`` for missing ones."""
    return zip(*(_objects(table[name]) for name in table.columns), strict=True)


# -- key figures ---------------------------------------------------------------------------


class Figures(NamedTuple):
    """One table of summary figures."""

    heading: str
    header: tuple[str, ...]
    rows: list[tuple[object, ...]]


def key_figures(frame: pd.DataFrame, consultation: Consultation, lang: str = DEFAULT_LANG) -> dict[str, Figures]:
    """Summary figures of ``frame`` (rows of ``Store.analysis_frame``): ``totals``, then
    inputs by ``status``, ``channel``, ``category`` (with supports) and ``outcome``."""
    n = len(frame)
    located = int(frame["lat"].notna().sum())
    sessions = frame["session_hash"]
    senders = int(sessions.nunique() + sessions.isna().sum())
    answered = int(frame["outcome"].notna().sum())
    value = t("exports.fig.value", lang)
    totals = [
        (t("exports.fig.inputs", lang), n),
        (t("exports.fig.senders", lang), senders),
        (t("exports.fig.supports", lang), int(frame["supports"].sum())),
        (t("exports.fig.located", lang), located),
        (t("exports.fig.located_share", lang), _percent(located, n)),
        (t("exports.fig.answered", lang), answered),
    ]

    def counted(column: str, codes: Sequence[str], prefix: str) -> list[tuple[object, ...]]:
        counts = frame[column].value_counts()
        return [(t(f"{prefix}.{c}", lang), int(counts.get(c, 0))) for c in codes]

    by_category = frame.groupby("category", sort=False).agg(inputs=("id", "size"), supports=("supports", "sum"))
    extra = sorted(set(by_category.index) - set(consultation.categories))
    categories = [
        (
            c,
            int(by_category.at[c, "inputs"]) if c in by_category.index else 0,
            int(by_category.at[c, "supports"]) if c in by_category.index else 0,
        )
        for c in (*consultation.categories, *extra)
    ]
    outcomes = counted("outcome", [o.value for o in Outcome], "planning.outcome")
    outcomes.append((t("exports.not_answered", lang), n - answered))
    count = t("exports.fig.count", lang)

    def by(key: str, rows: list[tuple[object, ...]], *more: str) -> Figures:
        return Figures(t(f"exports.fig.by_{key}", lang), (t(f"exports.col.{key}", lang), count, *more), rows)

    return {
        "totals": Figures(t("exports.fig.totals", lang), (t("exports.fig.figure", lang), value), totals),
        "status": by("status", counted("status", [s.value for s in InputStatus], "exports.input_status")),
        "channel": by("channel", counted("channel", [c.value for c in Channel], "channel")),
        "category": by("category", categories, t("exports.fig.supports", lang)),
        "outcome": by("outcome", outcomes),
    }


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "–"


# -- writers ---------------------------------------------------------------------------


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def _inert(value: object) -> object:
    """What a spreadsheet shows as typed: a leading ' keeps =, +, -, @ from starting a
    formula — in a header (a question's text) as much as in a cell."""
    return "'" + value if _formula_like(value) else value


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Any table as CSV for Norwegian Excel: semicolons, UTF-8 BOM, no formulas."""
    return to_csv(pd.DataFrame(list(rows), columns=list(header), dtype=object))


def to_csv(table: pd.DataFrame) -> bytes:
    """A table as CSV for Norwegian Excel (see the module's notes); missing values empty."""
    safe = table.copy()
    for name in safe.columns:
        if pd.api.types.is_numeric_dtype(safe[name]):
            continue
        values = safe[name].to_numpy(dtype=object)
        if any(_formula_like(v) for v in values):
            safe[name] = pd.Series([_inert(v) for v in values], dtype=object)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_inert(name) for name in safe.columns])
    writer.writerows(_records(safe))  # the csv module writes None as an empty field
    return buffer.getvalue().encode("utf-8-sig")


def to_geojson(table: pd.DataFrame, drawings: Sequence[object] | None = None) -> bytes:
    """RFC 7946: WGS84 lon/lat; a pin is a Point, a drawn route or area (``drawings``, per
    row a WGS84 shapely geometry or ``None``) its LineString or Polygon; an input for the
    whole area has a null geometry."""
    header = list(table.columns)
    lon_at, lat_at = header.index("lon"), header.index("lat")
    drawn = [None] * len(table) if drawings is None else list(drawings)
    features = []
    for row, drawing in zip(_records(table), drawn, strict=True):
        lon, lat = row[lon_at], row[lat_at]
        geometry = (
            json.loads(shapely.to_geojson(drawing, indent=None))
            if drawing is not None
            else None
            if lon is None or lat is None
            else {"type": "Point", "coordinates": [lon, lat]}
        )
        props = dict(zip(header, row, strict=True))
        features.append({"type": "Feature", "id": props["id"], "geometry": geometry, "properties": props})
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")  # no indent: the C encoder


def to_xlsx(
    table: pd.DataFrame,
    figures: Iterable[Figures],
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]] = (),
) -> bytes:
    """Sheet "Innspill" (the table, header frozen, filter on), "Nøkkeltall" (figures), and
    ``sheets`` after them (name, header, rows), each with its header frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def cell(ws, value: object, header: bool = False) -> object:
        if isinstance(value, str):
            value = xml_safe(value)
            if header or _formula_like(value):
                c = WriteOnlyCell(ws, value=value)
                c.data_type = "s"  # text, never a formula
                c.quotePrefix = _formula_like(value)  # stays text when edited in Excel
                if header:
                    c.font = bold
                return c
        return value

    ws = wb.create_sheet(INPUTS_SHEET)
    header = list(table.columns)
    for k, width in enumerate(_widths(table), start=1):
        ws.column_dimensions[get_column_letter(k)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(table) + 1}"
    ws.append([cell(ws, h, header=True) for h in header])
    for row in _records(table):
        ws.append([cell(ws, v) for v in row])

    summary = wb.create_sheet(SUMMARY_SHEET)
    summary.column_dimensions["A"].width = 48
    summary.column_dimensions["B"].width = 14
    summary.column_dimensions["C"].width = 14
    for heading, head, rows in figures:
        summary.append([cell(summary, heading, header=True)])
        summary.append([cell(summary, h, header=True) for h in head])
        for row in rows:
            summary.append([cell(summary, v) for v in row])
        summary.append([])

    for name, head, rows in sheets:
        extra = wb.create_sheet(name)
        extra.freeze_panes = "A2"
        for k in range(1, len(head) + 1):
            extra.column_dimensions[get_column_letter(k)].width = 24
        extra.append([cell(extra, h, header=True) for h in head])
        for row in rows:
            extra.append([cell(extra, v) for v in row])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _widths(table: pd.DataFrame, sample: int = 200) -> list[float]:
    """Column widths from the header and the first rows: readable, never wider than 60."""
    widths = []
    for name in table.columns:
        values = table[name].head(sample).dropna()
        longest = max([len(str(v)) for v in values] + [len(name)])
        widths.append(float(min(max(longest + 2, 8), 60)))
    return widths


def to_gpkg(table: pd.DataFrame, crs: int, drawings: Sequence[object] | None = None) -> bytes:
    """Layers "innspill_punkt", "innspill_linje" and "innspill_flate" in ``crs`` (``drawings``:
    per row the drawn WGS84 geometry or ``None``) and table "innspill_uten_sted"."""
    import geopandas
    import pyogrio

    crs = int(crs)
    x, y = ("lon", "lat") if crs == WGS84 else (f"ost_{crs}", f"nord_{crs}")
    drawn = np.full(len(table), None, dtype=object) if drawings is None else np.asarray(drawings, dtype=object)
    has_drawing = shapely.is_geometry(drawn)
    located = table["lon"].notna().to_numpy() | has_drawing
    is_line = has_drawing & (shapely.get_type_id(drawn) == shapely.GeometryType.LINESTRING)
    parts = {Shape.POINT: located & ~has_drawing, Shape.LINE: is_line, Shape.AREA: has_drawing & ~is_line}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "innspill.gpkg"
        for shape, rows in parts.items():
            part = table[rows].reset_index(drop=True)
            if shape == Shape.POINT:
                geometry = geopandas.points_from_xy(part[x].astype(float), part[y].astype(float))
            else:
                geometry = drawn[rows] if crs == WGS84 else geo.project_geometries(drawn[rows], crs)
            layer = geopandas.GeoDataFrame(part, geometry=geopandas.GeoSeries(geometry), crs=f"EPSG:{crs}")
            pyogrio.write_dataframe(
                layer, path, layer=LAYERS[shape], driver="GPKG", geometry_type=GEOMETRY_TYPES[shape]
            )
        pyogrio.write_dataframe(table[~located].reset_index(drop=True), path, layer=UNLOCATED_TABLE, driver="GPKG")
        return path.read_bytes()


# -- one call for pages and the command line -------------------------------------------


def export(
    store: Store,
    consultation_id: str,
    fmt: Format,
    *,
    crs: int | None = None,
    include_names: bool = False,
    lang: str = DEFAULT_LANG,
) -> bytes:
    """Every input of a consultation in ``fmt``. GeoJSON is WGS84 whatever ``crs`` says;
    the others are in ``crs``, the profile's working CRS when none is given."""
    consultation = store.get_consultation(consultation_id)
    if consultation is None:
        raise KartinnspillError("cli.unknown_consultation", id=consultation_id)
    fmt = Format(fmt)
    frame = store.analysis_frame(consultation_id)
    crs = _crs(crs)
    table_crs = WGS84 if fmt == Format.GEOJSON else crs
    table = input_table(frame, consultation, crs=table_crs, include_names=include_names, lang=lang)
    if fmt == Format.CSV:
        return to_csv(table)
    if fmt == Format.GEOJSON:
        return to_geojson(table, drawn_geometries(frame))
    if fmt == Format.XLSX:
        points = (points_sheet.SHEET, points_sheet.COLUMNS, points_sheet.sheet_rows(store, consultation_id))
        return to_xlsx(table, key_figures(frame, consultation, lang).values(), [points])
    return to_gpkg(table, crs, drawn_geometries(frame))


def photos_zip(store: Store, consultation_id: str, lang: str = DEFAULT_LANG) -> bytes:
    """Every photo sent with the consultation's inputs, as files, with ``bilder.csv``
    naming each file's input and alt text; ``KartinnspillError`` when there are none."""
    if store.get_consultation(consultation_id) is None:
        raise KartinnspillError("cli.unknown_consultation", id=consultation_id)
    photos = store.photo_files(consultation_id)
    if not photos:
        raise KartinnspillError("photo.export_none")
    rows, out = [], io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:  # JPEG/PNG do not shrink
        numbers: dict[int, int] = {}
        for input_id, filename, _media, alt_text, content in photos:
            numbers[input_id] = numbers.get(input_id, 0) + 1
            name = f"bilder/{reference(input_id)}-{numbers[input_id]}{Path(filename).suffix.lower()}"
            zf.writestr(name, content)
            rows.append((reference(input_id), name, alt_text))
        header = [t(f"photo.export_csv_{k}", lang) for k in ("reference", "file", "alt")]
        zf.writestr("bilder.csv", rows_to_csv(header, rows))
    return out.getvalue()


# -- school classes ------------------------------------------------------------------------

CLASS_ROUTES_LAYER = "routes"
CLASS_PLACES_LAYER = "places"


def class_gpkg(frame: pd.DataFrame, crs: int | None = None, lang: str = DEFAULT_LANG) -> bytes:
    """The classes' work as a GeoPackage in ``crs`` (the working CRS by default): layer ``routes`` (lines: class, school,
    grade, part, transport mode, length in metres) and layer ``places`` (points: class,
    school, grade, label, the text masked for personal data). No pupil identifier: a route
    and a place are not linked to each other."""
    import geopandas
    import pyogrio

    from ..participation.public import masked

    crs = current_profile().working_crs if crs is None else int(crs)
    routes = frame[(frame["part"] != "place") & frame["drawing"].notna()].reset_index(drop=True)
    places = frame[(frame["part"] == "place") & frame["lon"].notna()].reset_index(drop=True)
    common = lambda part: {
        "klasse": part["class_id"].astype("int64"),
        "skole": part["school"].astype(str),
        "trinn": part["grade"].astype(str),
        "mottatt": _local_iso(part["created_at"]) if len(part) else [],
    }
    route_layer = geopandas.GeoDataFrame(
        {
            **common(routes),
            "del": routes["part"].astype(str),
            "reisemate": _labels(routes["transport"], "classes.transport", lang) if len(routes) else [],
            "lengde_m": routes["measure"].astype(float),
        },
        geometry=geopandas.GeoSeries(
            geo.project_geometries(shapely.from_geojson(routes["drawing"].to_numpy(dtype=object)), crs)
        ),
        crs=f"EPSG:{crs}",
    )
    x, y = geo.project_points(places["lon"].to_numpy(dtype=float), places["lat"].to_numpy(dtype=float), crs)
    place_layer = geopandas.GeoDataFrame(
        {
            **common(places),
            "merkelapp": _labels(places["label"], "classes.label", lang) if len(places) else [],
            "tekst": [masked(str(v), lang) for v in places["text"]],
        },
        geometry=geopandas.points_from_xy(x, y),
        crs=f"EPSG:{crs}",
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "klasser.gpkg"
        pyogrio.write_dataframe(route_layer, path, layer=CLASS_ROUTES_LAYER, driver="GPKG", geometry_type="LineString")
        pyogrio.write_dataframe(place_layer, path, layer=CLASS_PLACES_LAYER, driver="GPKG", geometry_type="Point")
        return path.read_bytes()
